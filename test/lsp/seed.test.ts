// The seed thread (LKML, "x86/dumpstack: print any pt_regs found on the stack", July 2016): after an
// interrupt's register block and `<EOI>`, the stack scan prints the saved RIP again as
// `? lookup_fast+0x3d0/0x3d0` — the end of the function before `path_init` in memory. Driven over
// real LSP stdio against the bundled server.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { applyEdits, editsFor, fixture, hoverText, LspClient, positionAtText, rangeOfText, type CodeAction, type Diagnostic } from './client.ts';

const URI = 'file:///fixtures/lsp-seed-pt-regs.log';
const DUP_LINE = '[  731.413330]  [<ffffffff8129b350>] ? lookup_fast+0x3d0/0x3d0\n';
const SECOND_RIP = '[  731.410561] RIP: 0010:[<ffffffff8129b350>]  [<ffffffff8129b350>] path_init+0x0/0x750';

describe('seed case: a ? copy of the RIP after <EOI>', () => {
  let client: LspClient;
  let text: string;
  let diagnostics: Diagnostic[];

  before(async () => {
    text = await fixture('lsp-seed-pt-regs.log');
    client = await LspClient.start();
    client.open(URI, text, 1);
    diagnostics = (await client.waitForDiagnostics(URI, 1)).diagnostics;
  });
  after(async () => {
    assert.equal(await client.shutdown(), 0);
  });

  const byCode = (code: string) => diagnostics.filter((d) => d.code === code);
  const hover = (needle: string, delta = 0, from = 0) =>
    client.request('textDocument/hover', { textDocument: { uri: URI }, position: positionAtText(text, needle, delta, from) }).then(hoverText);

  it('reports the ? copy of the RIP as duplicate-regs-ip, related to the RIP line', () => {
    const [dup, ...rest] = byCode('duplicate-regs-ip');
    assert.equal(rest.length, 0);
    assert.deepEqual(dup.range, rangeOfText(text, '[<ffffffff8129b350>] ? lookup_fast+0x3d0/0x3d0'));
    assert.equal(dup.severity, 2);
    assert.equal(dup.source, 'kernel-log');
    assert.deepEqual(dup.tags, [1]);
    assert.deepEqual(dup.data, { report: 0, stack: 0, frame: 6, removableLine: 31 });
    // The RIP line it repeats, then the entry's other findings (one diagnostic per line) but the
    // unreliable-frame one: its message starts by saying so.
    assert.match(dup.message, /^Unreliable entry /);
    assert.equal(dup.relatedInformation?.length, 2);
    const [related, end] = dup.relatedInformation!;
    assert.equal(related.location.uri, URI);
    assert.deepEqual(related.location.range, rangeOfText(text, 'path_init+0x0/0x750', text.indexOf(SECOND_RIP)));
    assert.deepEqual(end.location.range, rangeOfText(text, 'lookup_fast+0x3d0/0x3d0'));
    // A `? ` entry at a function's end is the start of the next function (here path_init, the RIP).
    assert.match(end.message, /^function-end-return: .*function right after lookup_fast/);
  });

  it('publishes no function-end-return on the ? entry (one diagnostic per line; quiet on ? entries by default)', () => {
    assert.deepEqual(byCode('function-end-return'), []);
    assert.equal(new Set(diagnostics.map((d) => d.range.start.line)).size, diagnostics.length);
  });

  it('reports the other ? entries as unreliable-frame hints, faded', () => {
    const unreliable = byCode('unreliable-frame');
    assert.deepEqual(
      unreliable.map((d) => d.range),
      ['[<ffffffff810fb0a4>] ? watchdog_timer_fn+0x1a4/0x1f0', '[<ffffffff8129c81b>] ? path_lookupat+0x1b/0x120'].map((s) => rangeOfText(text, s)),
    );
    for (const d of unreliable) {
      assert.equal(d.severity, 4);
      assert.deepEqual(d.tags, [1]);
    }
    // The third `? ` entry is the duplicate's (its warning says it is unreliable too).
    assert.equal(diagnostics.length, 3);
  });

  it('"Remove duplicate entry" deletes exactly the duplicate line', async () => {
    const [dup] = byCode('duplicate-regs-ip');
    const actions = await client.request<CodeAction[]>('textDocument/codeAction', {
      textDocument: { uri: URI },
      range: dup.range,
      context: { diagnostics: diagnostics.filter((d) => d.range.start.line === 31), triggerKind: 2 },
    });
    const fix = actions.find((a) => a.title === 'Remove duplicate entry');
    assert.ok(fix, JSON.stringify(actions.map((a) => a.title)));
    assert.equal(fix.kind, 'quickfix');
    assert.equal(fix.isPreferred, true);
    assert.deepEqual(fix.diagnostics, [dup]);
    assert.equal(fix.edit!.documentChanges!.length, 1);
    assert.deepEqual(fix.edit!.documentChanges![0].textDocument, { uri: URI, version: 1 });
    assert.equal(applyEdits(text, editsFor(fix.edit!, URI)), text.replace(DUP_LINE, ''));
    // Report-wide actions come along with a diagnostic of that report.
    assert.deepEqual(
      actions.map((a) => a.title),
      ['Remove duplicate entry', 'Remove all duplicate entries in this report', 'Remove unreliable (?) entries in this report'],
    );
  });

  it('"Remove unreliable (?) entries in this report" deletes the three ? lines in one edit', async () => {
    const actions = await client.request<CodeAction[]>('textDocument/codeAction', {
      textDocument: { uri: URI },
      range: byCode('unreliable-frame')[0].range,
      context: { diagnostics: [byCode('unreliable-frame')[0]], triggerKind: 2 },
    });
    const fix = actions.find((a) => a.title === 'Remove unreliable (?) entries in this report');
    assert.ok(fix);
    const expected = text
      .replace('[  731.408530]  [<ffffffff810fb0a4>] ? watchdog_timer_fn+0x1a4/0x1f0\n', '')
      .replace(DUP_LINE, '')
      .replace('[  731.413655]  [<ffffffff8129c81b>] ? path_lookupat+0x1b/0x120\n', '');
    assert.equal(applyEdits(text, editsFor(fix.edit!, URI)), expected);
    // Two neighbouring lines go in one range: two text edits for three lines.
    assert.equal(editsFor(fix.edit!, URI).length, 2);
  });

  it('hover on the ? explains the unreliable entry, the RIP copy and the function end', async () => {
    const md = await hover('? lookup_fast');
    // One line says what the entry is; then what this one is: the RIP saved at an interrupt.
    assert.match(md.split('\n\n')[1], /^\*\*Unreliable: found by scanning the stack, not confirmed by the unwinder\.\*\*$/);
    assert.match(md, /A copy of the instruction pointer\*\* of the register block on line 24/);
    assert.match(md, /`\+0x3d0\/0x3d0` is the end of `lookup_fast`: the same address is `path_init\+0x0\/0x750`/);
    assert.doesNotMatch(md, /is a \*\*return address\*\*|noreturn/, 'a copy of the RIP is no return address, and the hover does not explain it as one');
  });

  it('hover on the RIP says it is exact (no - 1) and at the first instruction of path_init', async () => {
    const md = await hover('path_init+0x0/0x750', 3, text.indexOf(SECOND_RIP));
    assert.match(md, /instruction pointer, exact/);
    assert.match(md, /\*\*not\*\* a return address/);
    assert.match(md, /no − 1/);
    assert.match(md, /very first instruction of `path_init`/);
    assert.match(md, /`\? lookup_fast\+0x3d0\/0x3d0`|`lookup_fast\+0x3d0\/0x3d0`/);
    assert.match(md, /saved in IRQ context/);
  });

  it('hover on a confirmed entry explains the return address and address - 1', async () => {
    const md = await hover('filename_lookup+0xb1/0x180', 2);
    assert.match(md, /confirmed by the unwinder/);
    assert.match(md, /\*\*return address\*\*/);
    assert.match(md, /`filename_lookup\+0xb0`/);
    assert.doesNotMatch(md, /Unreliable entry/);
  });

  it('hover on markers explains <IRQ> and <EOI>', async () => {
    assert.match(await hover('<EOI>', 1), /end of interrupt stack/);
    assert.match(await hover('<IRQ>', 1), /hard-interrupt stack/);
  });

  it('hover on registers explains them', async () => {
    const rsp = await hover('RSP: 0018:ffff880036a3fd80', 1);
    assert.match(rsp, /stack pointer/);
    assert.match(rsp, /= `ffff880036a3fd80`/);
    const cr2 = await hover('CR2: 00000000016a2ff8', 1);
    assert.match(cr2, /address the faulting access tried to reach/);
    const eflags = await hover('EFLAGS: 00000296', 2);
    assert.match(eflags, /IF \(interrupts enabled\)/);
    assert.match(eflags, /SF \(sign\)/);
    const r12 = await hover('R12: ffff880036a3fdb0', 0);
    assert.match(r12, /Callee-saved/);
  });

  it('hover shows no symbol section without a symbolizer', async () => {
    const md = await hover('filename_lookup+0xb1/0x180', 2);
    assert.doesNotMatch(md, /\*\*Source\*\*/);
  });

  it('hover away from anything known is null', async () => {
    // `task: ffff…` (line 5) is a line no hover explains.
    const result = await client.request('textDocument/hover', { textDocument: { uri: URI }, position: { line: 4, character: 16 } });
    assert.equal(result, null);
  });

  it('folds the report, the register blocks, the stack, the IRQ segment and the run after <EOI>', async () => {
    const ranges = await client.request('textDocument/foldingRange', { textDocument: { uri: URI } });
    assert.deepEqual(ranges, [
      { startLine: 0, endLine: 39, kind: 'region' },
      { startLine: 5, endLine: 14 },
      { startLine: 15, endLine: 38 },
      { startLine: 16, endLine: 29 },
      { startLine: 23, endLine: 29 },
      { startLine: 30, endLine: 32, kind: 'comment' },
    ]);
    const noise = await client.request('kernelLog/noiseRanges', { textDocument: { uri: URI } });
    assert.deepEqual(noise, [
      { startLine: 17, endLine: 17, duplicates: 0, fold: null },
      { startLine: 31, endLine: 32, duplicates: 1, fold: { startLine: 30, endLine: 32 } },
    ]);
  });

  it('outlines the report with its register blocks, stack and <IRQ> segment', async () => {
    interface Sym {
      name: string;
      detail?: string;
      range: { start: { line: number }; end: { line: number } };
      children?: Sym[];
    }
    const symbols = await client.request<Sym[]>('textDocument/documentSymbol', { textDocument: { uri: URI } });
    const shape = (s: Sym): unknown => ({
      name: s.name,
      lines: [s.range.start.line, s.range.end.line],
      ...(s.children?.length ? { children: s.children.map(shape) } : {}),
    });
    assert.equal(symbols.length, 1);
    assert.match(symbols[0].detail ?? '', /soft-lockup · CPU 1 · find/);
    assert.deepEqual(shape({ ...symbols[0], name: 'report' }), {
      name: 'report',
      lines: [0, 39],
      children: [
        { name: 'RIP: path_init+0x0/0x750', lines: [5, 14] },
        {
          name: 'Call Trace',
          lines: [15, 38],
          children: [{ name: '<IRQ>', lines: [16, 30], children: [{ name: 'RIP: path_init+0x0/0x750', lines: [23, 29] }] }],
        },
      ],
    });
  });
});
