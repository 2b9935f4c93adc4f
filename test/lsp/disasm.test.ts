// The `Code:` hover over LSP (stdio, dist/server.js): x86 bytes disassembled with the marked
// instruction flagged (server/src/disasm/x86.ts), i386 in 32-bit, arm64 words shown undecoded.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fixture, hoverText, LspClient, positionAtText } from './client.ts';

let client: LspClient;
before(async () => {
  client = await LspClient.start();
});
after(async () => {
  assert.equal(await client.shutdown(), 0);
});

let opened = 0;
/** The hover on the `Code:` line holding `needle` of a fixture. */
async function codeHover(name: string, needle: string): Promise<string> {
  const text = await fixture(name);
  const uri = `file:///disasm/${++opened}.log`;
  client.open(uri, text, 1);
  await client.waitForDiagnostics(uri, 1);
  const at = text.indexOf(needle);
  assert.ok(at >= 0, `${name} has ${needle}`);
  const code = text.lastIndexOf('Code:', at);
  const hover = await client.request('textDocument/hover', { textDocument: { uri }, position: positionAtText(text, 'Code:', 2, code) });
  return hoverText(hover);
}

describe('Code: hover', () => {
  it('lists a WARN site with the ud2 at the marker flagged and explained', async () => {
    const md = await codeHover('bench-x86-6x-warn-caller.log', 'e8 a4 61 4c fd 90 <0f> 0b');
    assert.match(md, /\*\*Disassembly\*\* \(x86-64, AT&T syntax\)/);
    assert.match(md, /```asm\n/);
    // The marked line: offset 0x26 of the line, `*`, the bytes, ud2 and the flag.
    assert.match(md, /\n {2}26:\* 0f 0b +ud2 {3}<-- trapping instruction/);
    assert.match(md, /`ud2`: the trap the kernel's `BUG\(\)` and `WARN\(\)` use on x86/);
    assert.doesNotMatch(md, /Disassemble it with the kernel's `scripts\/decodecode`/);
  });

  it('starts mid-instruction where the decoding lands on the marked byte', async () => {
    const md = await codeHover('lsp-mixed-modern.log', '3c 02 00 0f 85 e5 1f');
    assert.match(md, /the first byte is taken for the end of an earlier instruction/);
    assert.match(md, /\n {3}1: {2}02 00 +add \(%rax\),%al\n/);
    assert.match(md, /\n {2}28:\* 80 3c 02 00 +cmpb \$0x0,\(%rdx,%rax\) {3}<-- trapping instruction/);
    assert.equal(md.match(/<-- trapping instruction/g)?.length, 1);
  });

  it('decodes an i386 report in 32-bit', async () => {
    const md = await codeHover('wild/x86-i386-6.7-lkp-decoded-lockdep-warning.log', '<0f> 0b 58 5a');
    assert.match(md, /\(i386, AT&T syntax\)/);
    assert.match(md, /mov 0xceb59c94,%ebx/);
    assert.match(md, /\n {2}2a:\* 0f 0b +ud2 {3}<-- trapping instruction/);
  });

  it('shows arm64 words with the one at pc, undecoded', async () => {
    const md = await codeHover('arm64-6.12-null-deref.log', '(b9401800)');
    assert.match(md, /\(b9401800\) {3}<-- at pc/);
    assert.match(md, /arm64 instructions are not disassembled here/);
    assert.doesNotMatch(md, /\*\*Disassembly\*\*/);
  });
});
