// x86-64 5-level paging over stdio: register values read by the LA57 layout when CR4 says so, and
// an address only canonical with 5 levels read by it when the log does not say.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { hoverText, LspClient, positionAtText } from './client.ts';

// A KASAN-less NULL dereference on a 5-level paging machine (CR4 bit 12, LA57, set: 0x1000).
const LA57 = [
  '[  402.118811] BUG: kernel NULL pointer dereference, address: 0000000000000010',
  '[  402.119301] #PF: supervisor read access in kernel mode',
  '[  402.119622] #PF: error_code(0x0000) - not-present page',
  '[  402.119944] PGD 0 P4D 0 ',
  '[  402.120123] Oops: 0000 [#1] PREEMPT SMP NOPTI',
  '[  402.120403] CPU: 17 PID: 5521 Comm: fio Not tainted 6.8.0-31-generic #31-Ubuntu',
  '[  402.120844] Hardware name: Intel Corporation M50FCP2SBSTD/M50FCP2SBSTD, BIOS SE5C741.86B.01.01.0004.2303280835 03/28/2023',
  '[  402.121503] RIP: 0010:blk_mq_submit_bio+0x1b5/0x6a0',
  '[  402.121838] Code: 48 8b 45 c8 48 85 c0 0f 84 3a 02 00 00 48 8b 7d c0 4c 89 ee e8 f2 fa ff ff 49 89 c6 48 85 c0 0f 84 86 00 00 00 48 8b 40 10 <48> 8b 50 10 48 85 d2 74 0a 4c 89 f7 e8 5b 9c 6c 00 eb 05 e8 64 44',
  '[  402.122455] RSP: 0018:ffa0000036a4fb08 EFLAGS: 00010246',
  '[  402.122778] RAX: 0000000000000000 RBX: ff11000128e41a00 RCX: 0000000000000000',
  '[  402.123201] RDX: ffd4000004a39040 RSI: 0000000000000000 RDI: ff1100010e8d4c00',
  '[  402.123624] RBP: ffa0000036a4fb68 R08: 0000000000000000 R09: 0000000000000000',
  '[  402.124047] R10: 0000000000000000 R11: 0000000000000000 R12: ff1100012ca3d000',
  '[  402.124470] R13: 0000000000000001 R14: ff11000131b27800 R15: ff1100010d2b0000',
  '[  402.124893] FS:  00007f4b9e9fb6c0(0000) GS:ff11007f7f880000(0000) knlGS:0000000000000000',
  '[  402.125316] CS:  0010 DS: 0000 ES: 0000 CR0: 0000000080050033',
  '[  402.125639] CR2: 0000000000000010 CR3: 000000011d5ea006 CR4: 0000000000f71ef0',
  '[  402.126062] Call Trace:',
  '[  402.126211]  <TASK>',
  '[  402.126360]  submit_bio_noacct_nocheck+0x19b/0x3b0',
  '[  402.126683]  submit_bio_noacct+0x13e/0x590',
  '[  402.126932]  blkdev_direct_IO+0x30d/0x670',
  '[  402.127181]  </TASK>',
  '',
].join('\n');

describe('address layouts over LSP', () => {
  let client: LspClient;
  const uri = 'file:///layouts/la57.log';
  const noCr4 = 'file:///layouts/la57-no-cr4.log';
  const noCr4Text = LA57.replace(/ CR4: 0000000000f71ef0/, '');
  before(async () => {
    client = await LspClient.start();
    client.open(uri, LA57, 1);
    client.open(noCr4, noCr4Text, 1);
    await client.waitForDiagnostics(uri, 1);
    await client.waitForDiagnostics(noCr4, 1);
  });
  after(async () => {
    assert.equal(await client.shutdown(), 0);
  });
  const hover = (u: string, text: string, needle: string, delta = 0) =>
    client.request('textDocument/hover', { textDocument: { uri: u }, position: positionAtText(text, needle, delta) }).then(hoverText);

  it('reads registers by the 5-level layout when CR4 has LA57', async () => {
    assert.match(await hover(uri, LA57, 'CR4: 0000000000f71ef0', 6), /`LA57` \(bit 12\): 5-level paging/);
    assert.match(
      await hover(uri, LA57, 'RBX: ff11000128e41a00', 6),
      /likely the \*\*direct map of physical memory[^*]*\*\* \(by the x86-64 5-level paging layout/,
    );
    assert.match(await hover(uri, LA57, 'RDX: ffd4000004a39040', 6), /\*\*vmemmap/);
    assert.match(await hover(uri, LA57, 'RSP: 0018:ffa0000036a4fb08', 1), /\*\*vmalloc\/ioremap space/);
    assert.doesNotMatch(await hover(uri, LA57, 'RBX: ff11000128e41a00', 6), /Canonical only with 5-level/);
  });

  it('reads an address canonical only with 5 levels by that layout, and says why', async () => {
    const md = await hover(noCr4, noCr4Text, 'RDI: ff1100010e8d4c00', 6);
    assert.match(md, /\*\*direct map of physical memory[\s\S]*Canonical only with 5-level paging/);
  });
});
