// With symbols loaded (issue 10): the `Code:` listing labelled with each instruction's `func+off`
// and address, and register or stack values that point into kernel text named by their symbol —
// over LSP, with the repository's real Debian 6.1.0-56 System.map and the real kcrash_test.ko.
import assert from 'node:assert/strict';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { fixture, hoverText, LspClient, positionAtText } from './client.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const REAL = path.join(ROOT, 'test/fixtures/real-debian');

// A Debian 6.1.0-56 report written for this test: KASLR moved the kernel by 0x2a000000 (the panic
// prints it), R12 holds vfs_write+0xc7 and RBX ksys_write+0x6b, both as run-time addresses.
const KASLR_LOG = [
  '[   88.120114] general protection fault, probably for non-canonical address 0xdead000000000122: 0000 [#1] PREEMPT SMP NOPTI',
  '[   88.121002] CPU: 2 PID: 1187 Comm: sh Tainted: G           OE      6.1.0-56-amd64 #1  Debian 6.1.192-2',
  '[   88.121517] Hardware name: QEMU Standard PC (i440FX + PIIX, 1996), BIOS 1.16.2-debian-1.16.2-1 04/01/2014',
  '[   88.122001] RIP: 0010:vfs_write+0x110/0x3f0',
  '[   88.122420] Code: 00 00 48 89 df e8 47 fe ff ff 48 85 c0 49 89 c4 0f 88 9e 00 00 00 4c 89 e2 48 8b 43 28 48 89 ee 48 89 df 48 8b 80 88 00 00 00 <48> 8b 40 10 e8 00 00 00 00 49 89 c4 4d 85 e4 7e 2d 4c 89 e0 48 f7',
  '[   88.123018] RSP: 0018:ffffc90000a27e38 EFLAGS: 00010246',
  '[   88.123311] RAX: dead000000000122 RBX: ffffffffab3676eb RCX: 0000000000000000',
  '[   88.123690] RDX: 0000000000000005 RSI: 000055d1c3a2b4e0 RDI: ffff888004c1f200',
  '[   88.124070] RBP: ffffc90000a27ef0 R08: 0000000000000000 R09: 0000000000000000',
  '[   88.124450] R10: 0000000000000000 R11: 0000000000000000 R12: ffffffffab367227',
  '[   88.124830] R13: ffff888004c1f200 R14: 0000000000000005 R15: 0000000000000000',
  '[   88.125210] FS:  00007f1e2c6f5740(0000) GS:ffff88801f500000(0000) knlGS:0000000000000000',
  '[   88.125590] CS:  0010 DS: 0000 ES: 0000 CR0: 0000000080050033',
  '[   88.125970] CR2: 000055d1c3a2c000 CR3: 0000000004d2a000 CR4: 00000000000006e0',
  '[   88.126350] Call Trace:',
  '[   88.126501]  <TASK>',
  '[   88.126650]  ksys_write+0x6b/0xf0',
  '[   88.126870]  do_syscall_64+0x5d/0xb0',
  '[   88.127090]  entry_SYSCALL_64_after_hwframe+0x6e/0xd8',
  '[   88.127310]  </TASK>',
  '[   88.127460] Modules linked in: kcrash_test(OE)',
  '[   88.127800] ---[ end trace 0000000000000000 ]---',
  '[   88.128100] Kernel panic - not syncing: Fatal exception',
  '[   88.128400] Kernel Offset: 0x2a000000 from 0xffffffff81000000 (relocation range: 0xffffffff80000000-0xffffffffbfffffff)',
  '',
].join('\n');

// The older form, raw stack words before a trace of `[<address>] func+off/size` entries, which tell
// the KASLR offset (here none) without a `Kernel Offset:` line.
const STACK_WORDS_LOG = [
  '[  301.004411] BUG: unable to handle kernel paging request at 0000000000a1c000',
  '[  301.004802] Oops: 0002 [#1] SMP',
  '[  301.005013] CPU: 1 PID: 2210 Comm: dd Tainted: G           OE      6.1.0-56-amd64 #1',
  '[  301.005390] RIP: 0010:[<ffffffff81367270>]  [<ffffffff81367270>] vfs_write+0x110/0x3f0',
  '[  301.005771] RSP: 0018:ffffc90000a27e38  EFLAGS: 00010246',
  '[  301.006002] RAX: 0000000000a1c000 RBX: 0000000000000005 RCX: 0000000000000000',
  '[  301.006380] Stack:',
  '[  301.006501]  ffffc90000a27e70 ffffffff81367227 0000000000000005 ffff888004c1f200',
  '[  301.006890] Call Trace:',
  '[  301.007011]  [<ffffffff813676eb>] ksys_write+0x6b/0xf0',
  '[  301.007322]  [<ffffffff81a43e1d>] do_syscall_64+0x5d/0xb0',
  '',
].join('\n');

describe('Code: listing and addresses with symbols loaded', () => {
  let client: LspClient;
  let moduleLog = '';
  const MODULE_URI = pathToFileURL(path.join(ROOT, 'test/fixtures/real-debian-module-null-deref.log')).href;
  const KASLR_URI = 'file:///symbols/kaslr.log';
  before(async () => {
    client = await LspClient.start({
      settings: { systemMap: path.join(REAL, 'System.map-6.1.0-56-amd64'), modulePaths: [REAL], symbolizer: { external: 'off' } },
    });
    moduleLog = await fixture('real-debian-module-null-deref.log');
    for (const [uri, text] of [
      [MODULE_URI, moduleLog],
      [KASLR_URI, KASLR_LOG],
      ['file:///symbols/stack-words.log', STACK_WORDS_LOG],
    ]) {
      client.open(uri, text, 1);
      await client.waitForDiagnostics(uri, 1);
    }
  });
  after(async () => {
    assert.equal(await client.shutdown(), 0);
  });
  const hover = (uri: string, text: string, needle: string, delta = 0) =>
    client.request('textDocument/hover', { textDocument: { uri }, position: positionAtText(text, needle, delta) }).then(hoverText);

  it('labels a module function’s listing with func+off and .text offsets', async () => {
    const md = await hover(MODULE_URI, moduleLog, 'Code: cc cc cc cc 66 2e', 2);
    // The RIP kcrash_null_write.constprop.0+0xc is the marked byte (offset 0x2a of the line).
    assert.match(
      md,
      /\n {2}2a:\* \.text\+0x[0-9a-f]+ <kcrash_null_write\.constprop\.0\+0xc> +c7 00 03 00 00 00 +movl \$0x3,\(%rax\) {3}<-- trapping instruction/,
    );
    // The function starts 12 bytes before the marked byte: nopl at +0x0, mov at +0x5.
    assert.match(md, /\n {2}1e: {2}\.text\+0x[0-9a-f]+ <kcrash_null_write\.constprop\.0\+0x0> +0f 1f 44 00 00 +nopl/);
    assert.match(md, /\n {2}23: {2}\.text\+0x[0-9a-f]+ <kcrash_null_write\.constprop\.0\+0x5> +48 8b 05 9c 23 00 00 +mov /);
    assert.match(md, /\n {2}30: {2}\.text\+0x[0-9a-f]+ <kcrash_null_write\.constprop\.0\+0x12> +c3 +ret/);
    // Bytes of the function before it get no label of this one.
    assert.doesNotMatch(md, /kcrash_null_write\.constprop\.0-/);
    assert.match(md, /Labelled from the symbol files: the marked byte is `kcrash_null_write\.constprop\.0\+0xc\/0x20` in `kcrash_test`/);
  });

  it('labels a vmlinux function’s listing with link-time addresses', async () => {
    const md = await hover(KASLR_URI, KASLR_LOG, 'Code: 00 00 48 89', 2);
    // vfs_write is at ffffffff81367160 in System.map: +0x110 is ffffffff81367270.
    assert.match(md, /\n {2}2a:\* ffffffff81367270 <vfs_write\+0x110> +48 8b 40 10 +mov 0x10\(%rax\),%rax {3}<-- trapping instruction/);
    assert.match(md, /\n {2}2e: {2}ffffffff81367274 <vfs_write\+0x114> +e8 00 00 00 00 +call /);
  });

  it('names the function a register value points into', async () => {
    const r12 = await hover(KASLR_URI, KASLR_LOG, 'R12: ffffffffab367227', 6);
    assert.match(r12, /\*\*Symbol\*\* `vfs_write\+0xc7\/0x3f0`: the value points into kernel text, at `0xffffffff81367227` in `System\.map-6\.1\.0-56-amd64`/);
    const rbx = await hover(KASLR_URI, KASLR_LOG, 'RBX: ffffffffab3676eb', 6);
    assert.match(rbx, /`ksys_write\+0x6b\/0xf0`/);
    // A raw stack word; the KASLR offset (0) from the trace's `[<address>] func+off` entries.
    const word = await hover('file:///symbols/stack-words.log', STACK_WORDS_LOG, 'ffffffff81367227', 3);
    assert.match(word, /raw stack word[\s\S]*\*\*Symbol\*\* `vfs_write\+0xc7\/0x3f0`/);
    // Not text: no symbol line.
    assert.doesNotMatch(await hover(KASLR_URI, KASLR_LOG, 'RDI: ffff888004c1f200', 6), /\*\*Symbol\*\*/);
  });
});
