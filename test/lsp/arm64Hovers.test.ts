// arm64 hovers over stdio (issue 10): the ESR value and the kernel's own decoding lines of `Mem
// abort info:`, `pstate:`, and x registers read as addresses by the arm64 layout (48- and 52-bit
// VAs, tagged pointers) — on the arm64 fixture and on a report written for this test.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fixture, hoverText, LspClient, positionAtText } from './client.ts';

// A KASAN software-tags style fault on a 52-bit VA kernel, in the form 6.x kernels print it.
const TAGGED = [
  '[  211.480113] Unable to handle kernel paging request at virtual address f2ff0000c3e1a018',
  '[  211.480561] Mem abort info:',
  '[  211.480742]   ESR = 0x0000000096000047',
  '[  211.480968]   EC = 0x25: DABT (current EL), IL = 32 bits',
  '[  211.481255]   SET = 0, FnV = 0',
  '[  211.481431]   EA = 0, S1PTW = 0',
  '[  211.481610]   FSC = 0x07: level 3 translation fault',
  '[  211.481873] Data abort info:',
  '[  211.482034]   ISV = 0, ISS = 0x00000047, ISS2 = 0x00000000',
  '[  211.482320]   CM = 0, WnR = 1, TnD = 0, TagAccess = 0',
  '[  211.482589]   GCS = 0, Overlay = 0, DirtyBit = 0, Xs = 0',
  '[  211.482841] swapper pgtable: 4k pages, 52-bit VAs, pgdp=0000000041c2b000',
  '[  211.483177] [f2ff0000c3e1a018] pgd=0000000000000000',
  '[  211.483434] Internal error: Oops: 0000000096000047 [#1] PREEMPT SMP',
  '[  211.483718] Modules linked in: widget_i2c',
  '[  211.483927] CPU: 3 UID: 0 PID: 1402 Comm: kworker/3:2 Not tainted 6.10.4 #2',
  '[  211.484286] Hardware name: linux,dummy-virt (DT)',
  '[  211.484522] pstate: 80000489 (Nzcv daIf -PAN -UAO -TCO -DIT -SSBS BTYPE=jc)',
  '[  211.484871] pc : widget_flush+0x38/0x90 [widget_i2c]',
  '[  211.485130] lr : widget_work+0x5c/0x110 [widget_i2c]',
  '[  211.485388] sp : ffff800082f3bd40',
  '[  211.485559] x29: ffff800082f3bd40 x28: 0000000000000000 x27: fff00000c5a10000',
  '[  211.485911] x26: ffff6000187c3403 x25: f4f00000c3e1a000 x24: 0000000000000001',
  '[  211.486263] x2 : 0000000000000000 x1 : 00616161616161a1 x0 : 0000000000000000',
  '[  211.486611] Call trace:',
  '[  211.486760]  widget_flush+0x38/0x90 [widget_i2c] (P)',
  '[  211.487019]  widget_work+0x5c/0x110 [widget_i2c]',
  '[  211.487261]  process_one_work+0x150/0x294',
  '[  211.487478]  worker_thread+0x2f4/0x418',
  '[  211.487683]  kthread+0xe8/0xf4',
  '[  211.487857]  ret_from_fork+0x10/0x20',
  '[  211.488053] Code: f9400a61 91006000 b4000140 f9400c02 (f9000c1f) ',
  '[  211.488371] ---[ end trace 0000000000000000 ]---',
  '',
].join('\n');

describe('arm64 hovers', () => {
  let client: LspClient;
  const texts = new Map<string, string>();
  before(async () => {
    client = await LspClient.start();
    texts.set('fixture', await fixture('arm64-6.12-null-deref.log'));
    texts.set('tagged', TAGGED);
    for (const [name, text] of texts) {
      client.open(`file:///arm64/${name}.log`, text, 1);
      await client.waitForDiagnostics(`file:///arm64/${name}.log`, 1);
    }
  });
  after(async () => {
    assert.equal(await client.shutdown(), 0);
  });
  const hoverAt = (name: string, needle: string, delta = 0) =>
    client.request('textDocument/hover', { textDocument: { uri: `file:///arm64/${name}.log` }, position: positionAtText(texts.get(name)!, needle, delta) });
  const hover = (name: string, needle: string, delta = 0) => hoverAt(name, needle, delta).then(hoverText);

  it('decodes ESR = 0x…: class, IL, ISS, the fault status and the abort fields', async () => {
    const md = await hover('fixture', 'ESR = 0x0000000096000005', 10);
    assert.match(md, /exception syndrome register/);
    assert.match(md, /EC `0x25` `DABT \(current EL\)` \(`ESR_ELx_EC_DABT_CUR`\)/);
    assert.match(md, /IL 1: 32-bit instruction/);
    assert.match(md, /\*\*Level 1 translation fault\*\* \(DFSC `0x5`\) on a \*\*read\*\*/);
    assert.match(md, /`WnR = 0`: a \*\*read\*\*/);
    const h = (await hoverAt('fixture', 'ESR = 0x0000000096000005', 10)) as { range: { start: { character: number }; end: { character: number } } };
    assert.equal(h.range.end.character - h.range.start.character, 'ESR = 0x0000000096000005'.length);
  });

  it('decodes the error code of `Internal error: Oops:` as the ESR it is', async () => {
    const md = await hover('fixture', 'Oops: 0000000096000005', 8);
    assert.match(md, /exception syndrome register[\s\S]*\*\*Level 1 translation fault\*\* \(DFSC `0x5`\) on a \*\*read\*\*/);
  });

  it('explains the kernel’s own decoding lines', async () => {
    assert.match(await hover('fixture', 'EC = 0x25', 3), /exception class `ESR_ELx_EC_DABT_CUR`[\s\S]*A data abort in the kernel itself/);
    assert.match(await hover('fixture', 'IL = 32 bits', 3), /`IL`: the length of the trapped instruction/);
    assert.match(await hover('fixture', 'FSC = 0x05', 2), /\*\*level 1 translation fault\*\*[\s\S]*at level 1 no entry was valid/);
    assert.match(await hover('fixture', 'WnR = 0', 1), /write not read \(ISS bit 6\)\n\nA \*\*read\*\*/);
    assert.match(await hover('fixture', 'FnV = 0', 1), /FAR is valid/);
    assert.match(await hover('fixture', 'ISV = 0', 1), /No instruction syndrome/);
    assert.match(await hover('tagged', 'WnR = 1', 1), /A \*\*write\*\*/);
    assert.match(await hover('tagged', 'ESR = 0x0000000096000047', 8), /\*\*Level 3 translation fault\*\* \(DFSC `0x7`\) on a \*\*write\*\*/);
  });

  it('decodes pstate', async () => {
    const md = await hover('fixture', 'pstate: 60000005', 2);
    assert.match(md, /processor state/);
    assert.match(md, /mode `EL1h`: the kernel \(EL1\)/);
    assert.match(md, /`nZCv`: condition flags/);
    assert.match(md, /`daif`: no exception masked/);
    assert.match(md, /-PAN: privileged access never off/);
    assert.match(md, /BTYPE=--/);
    const vhe = await hover('tagged', 'pstate: 80000489', 2);
    assert.match(vhe, /mode `EL2h`/);
    assert.match(vhe, /`daIf`: masked: I \(IRQ\) — \*\*interrupts were disabled\*\*/);
    assert.match(vhe, /BTYPE=jc/);
  });

  it('reads x registers and sp by the arm64 layout', async () => {
    assert.match(await hover('fixture', 'sp : ffff80008263b9d0', 1), /likely the \*\*vmalloc space[^*]*\*\* \(by the arm64 48-bit VA layout/);
    assert.match(await hover('fixture', 'x26: ffff0000c1a4e000', 1), /\*\*linear map of physical memory/);
    assert.match(await hover('fixture', 'x1 : 0000000000000010', 1), /ZERO_SIZE_PTR/);
    // 52-bit VAs, said by the pgtable line: a linear map address below ffff000000000000.
    assert.match(await hover('tagged', 'x27: fff00000c5a10000', 1), /linear map[\s\S]*arm64 52-bit VA/);
    assert.match(await hover('tagged', 'x26: ffff6000187c3403', 1), /KASAN shadow memory\*\* \(arm64 52-bit VA\); it shadows `0xffff0000c3e1a018`/);
    assert.match(
      await hover('tagged', 'x25: f4f00000c3e1a000', 1),
      /\*\*tagged pointer\*\*, tag `0xf4`[\s\S]*Without the tag: kernel space, likely the \*\*linear map/,
    );
    assert.match(await hover('tagged', 'x1 : 00616161616161a1', 1), /\*\*not a valid arm64 address\*\* with 52-bit/);
  });
});
