// Hovers on every part of a report's lines (issue 10), over stdio (dist/server.js): each part gets
// its own range and text — arm's `pc : [<…>] lr : [<…>]`, old x86 `RIP: 0010:[<…>]  [<…>] func`,
// the IP line before an old oops and the summary after its trace, the `Oops:` line, `Modules linked
// in:`, `Hardware name:`, the `CPU: … PID: … Comm:` line, `cut here` / `end trace`, RSP, arm64
// `lr :`/`sp :`/`pstate:`, `PC is at`/`LR is at`, KASAN's access line and shadow dump, powerpc's
// `(unreliable)` and `Instruction dump:`, `?` entries and a title `in corrupted`.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fixture, hoverText, LspClient, positionAtText, rangeOfText, type Range } from './client.ts';

interface HoverResult {
  contents: { value: string };
  range?: Range;
}

const FILES = [
  'lsp-hover-arm64-3.18.log',
  'lsp-hover-old-x86-kasan.log',
  'lsp-hover-x86-6.x-lines.log',
  'powerpc-5.x-oops.log',
  'bench-arm64-oops.log',
  'lsp-seed-pt-regs.log',
];

describe('hovers on the parts of report lines', () => {
  let client: LspClient;
  const texts = new Map<string, string>();

  before(async () => {
    client = await LspClient.start();
    for (const name of FILES) {
      const text = await fixture(name);
      texts.set(name, text);
      client.open(`file:///lines/${name}`, text, 1);
      await client.waitForDiagnostics(`file:///lines/${name}`, 1);
    }
  });
  after(async () => {
    assert.equal(await client.shutdown(), 0);
  });

  /** The hover `delta` characters into the first `needle` (after `from`, a text searched first). */
  async function hover(name: string, needle: string, delta = 0, from?: string): Promise<HoverResult | null> {
    const text = texts.get(name) as string;
    const start = from === undefined ? 0 : text.indexOf(from);
    assert.ok(start >= 0, `${name} has ${from}`);
    return client.request<HoverResult | null>('textDocument/hover', {
      textDocument: { uri: `file:///lines/${name}` },
      position: positionAtText(text, needle, delta, start),
    });
  }
  /** The text the hover's range covers. */
  function covered(name: string, h: HoverResult | null): string {
    assert.ok(h?.range, 'the hover has a range');
    const lines = (texts.get(name) as string).split('\n');
    assert.equal(h.range.start.line, h.range.end.line, 'one line');
    return lines[h.range.start.line].slice(h.range.start.character, h.range.end.character);
  }
  /** Asserts the hover's range is exactly `needle` (its first occurrence after `from`). */
  function assertRange(name: string, h: HoverResult | null, needle: string, from?: string): void {
    const text = texts.get(name) as string;
    assert.deepEqual(h?.range, rangeOfText(text, needle, from === undefined ? 0 : text.indexOf(from)), `range of ${needle}`);
  }

  describe('a) each part of an instruction-pointer line has its own range', () => {
    const ARM = 'lsp-hover-arm64-3.18.log';
    const PC_LINE = 'pc : [<ffffffbffc0a2134>] lr : [<ffffffbffc0a212c>] pstate: 80000145';

    it("arm64 3.18: `pc : [<…>]` is the pc, on its own line's range", async () => {
      const h = await hover(ARM, PC_LINE, 8);
      assertRange(ARM, h, 'pc : [<ffffffbffc0a2134>]');
      assert.match(hoverText(h), /`hub_read_event\+0x34\/0x1a8 \[sensor_hub\]`\*\* · instruction pointer, exact/);
    });

    it('arm64 3.18: `lr : [<…>]` is the link register, not the pc', async () => {
      const h = await hover(ARM, 'lr : [<ffffffbffc0a212c>]', 10);
      assertRange(ARM, h, 'lr : [<ffffffbffc0a212c>]');
      assert.match(hoverText(h), /\*\*`lr`\*\* · link register \(x30\) = `ffffffbffc0a212c`/);
      assert.doesNotMatch(hoverText(h), /instruction pointer, exact/);
    });

    it('arm64 3.18: `pstate:` and `sp :` are registers of their own', async () => {
      const pstate = await hover(ARM, 'pstate: 80000145', 3);
      assertRange(ARM, pstate, 'pstate: 80000145');
      assert.match(hoverText(pstate), /processor state = `80000145`/);
      const sp = await hover(ARM, 'sp : ffffffc05a3c3d20', 7);
      assertRange(ARM, sp, 'sp : ffffffc05a3c3d20');
      assert.match(hoverText(sp), /stack pointer/);
    });

    it('`PC is at` and `LR is at` name the pc and the link register', async () => {
      const pcWords = await hover(ARM, 'PC is at', 3);
      assertRange(ARM, pcWords, 'PC is at');
      assert.match(hoverText(pcWords), /instruction pointer, exact/);
      const pcSymbol = await hover(ARM, 'hub_read_event+0x34/0x1a8', 4, 'PC is at');
      assertRange(ARM, pcSymbol, 'hub_read_event+0x34/0x1a8', 'PC is at');
      const lrWords = await hover(ARM, 'LR is at', 3);
      assertRange(ARM, lrWords, 'LR is at');
      const lrSymbol = await hover(ARM, 'hub_read_event+0x2c/0x1a8', 4, 'LR is at');
      assertRange(ARM, lrSymbol, 'hub_read_event+0x2c/0x1a8', 'LR is at');
      assert.match(hoverText(lrSymbol), /the link register \(`lr`\)/);
      assert.match(hoverText(lrSymbol), /address − 4/);
    });

    it('arm64 (newer): `lr : func+off/size` is the link register', async () => {
      const name = 'bench-arm64-oops.log';
      const h = await hover(name, 'sdhci_send_command_retry+0x50/0x138', 5, 'lr : ');
      assertRange(name, h, 'sdhci_send_command_retry+0x50/0x138', 'lr : ');
      assert.match(hoverText(h), /the link register/);
    });

    it('old x86 `RIP: 0010:[<a>]  [<a>] func`: selector, each address and the function apart', async () => {
      const X86 = 'lsp-hover-old-x86-kasan.log';
      const RIP = 'RIP: 0010:[<ffffffffa03c1e4a>]  [<ffffffffa03c1e4a>] ring_pop+0x1a/0x60';
      const selector = await hover(X86, RIP, 2);
      assertRange(X86, selector, 'RIP: 0010', RIP);
      assert.match(hoverText(selector), /`__KERNEL_CS`/);
      const first = await hover(X86, RIP, 14);
      assertRange(X86, first, '[<ffffffffa03c1e4a>]', RIP);
      assert.match(hoverText(first), /instruction pointer, exact/);
      const second = await hover(X86, '[<ffffffffa03c1e4a>] ring_pop', 3, RIP);
      assertRange(X86, second, '[<ffffffffa03c1e4a>] ring_pop'.slice(0, 20), '  [<ffffffffa03c1e4a>] ring_pop');
      const symbol = await hover(X86, 'ring_pop+0x1a/0x60', 3, RIP);
      assertRange(X86, symbol, 'ring_pop+0x1a/0x60', RIP);
      // Between the parts: nothing, rather than another part's range.
      assert.equal(await hover(X86, ']  [<ffffffffa03c1e4a>] ring_pop', 2, RIP), null);
    });
  });

  describe('b) texts that tell things apart', () => {
    const X86 = 'lsp-hover-old-x86-kasan.log';

    it('the IP line before the oops is not the summary after the trace', async () => {
      const before = hoverText(await hover(X86, 'IP: [<ffffffffa03c1e4a>]', 6));
      assert.match(before, /\*\*Printed before the oops\*\* by the page-fault handler/);
      assert.doesNotMatch(before, /after the trace/);
      const summary = await hover(X86, 'RIP  [<ffffffffa03c1e4a>]', 1);
      assertRange(X86, summary, 'RIP  [<ffffffffa03c1e4a>]');
      assert.match(hoverText(summary), /\*\*The summary after the trace\*\*/);
      const rsp = await hover(X86, 'RSP <ffff880039e43d98>', 2);
      assertRange(X86, rsp, 'RSP <ffff880039e43d98>');
      assert.match(hoverText(rsp), /the stack pointer at the fault/);
    });

    it('a ? entry at a function end is a pointer to the next function, never also a return address', async () => {
      const name = 'lsp-hover-x86-6.x-lines.log';
      const end = hoverText(await hover(name, '? rescuer_thread+0x3a0/0x3a0', 4));
      assert.match(end, /points just past `rescuer_thread`, to the first byte of the \*\*next\*\* function/);
      assert.match(end, /Not a return address\./);
      assert.doesNotMatch(end, /is a \*\*return address\*\*|noreturn/);
      const pfx = hoverText(await hover(name, '? __pfx_worker_thread+0x10/0x10', 4));
      assert.match(pfx, /`__pfx_worker_thread\+0x10\/0x10` is \*\*`worker_thread\+0x0`\*\*: a pointer to `worker_thread`/);
      assert.doesNotMatch(pfx, /is a \*\*return address\*\*|noreturn/);
    });

    it("powerpc's (unreliable) is about a stale saved LR, not the x86 stack scan", async () => {
      const name = 'powerpc-5.x-oops.log';
      const h = await hover(name, '(unreliable)', 3);
      assert.match(hoverText(h), /`\(unreliable\)`/);
      assert.match(hoverText(h), /\*\*Unreliable: the first frame's saved LR may be stale\.\*\*/);
      assert.doesNotMatch(hoverText(h), /scanning the stack|confirmed by the unwinder/);
      assert.match(covered(name, h), /netdev_get_link_info\+0x40\/0x120 \(unreliable\)$/);
    });

    it('a title `in corrupted` names no frame and says what is missing', async () => {
      const name = 'lsp-hover-x86-6.x-lines.log';
      const md = hoverText(await hover(name, 'rcu: INFO: rcu_preempt self-detected stall', 3));
      assert.match(md, /^\*\*INFO: rcu detected stall\*\* \(no function to blame\)/);
      assert.match(md, /\*\*No function to blame in the title\*\*/);
      assert.match(md, /its instruction pointer is in `gadget_spin` and it has \d+ confirmed call-trace entries/);
      assert.match(md, /No usable call trace/);
      assert.doesNotMatch(md, /Guilty frame|`corrupted`|no usable stack frame/);
    });
  });

  describe('c) a ? entry leads with one line and stays short', () => {
    it('one line says what it is; the rest is short and links to more', async () => {
      const name = 'lsp-hover-old-x86-kasan.log';
      const md = hoverText(await hover(name, '? security_file_permission', 0));
      const paragraphs = md.split('\n\n');
      assert.equal(paragraphs[1], '**Unreliable: found by scanning the stack, not confirmed by the unwinder.**');
      assert.match(md, /stale return address left by an earlier call \(then its call is at `security_file_permission\+0xa0`, address − 1\)/);
      // The finding's section of docs/findings.md where the extension ships it, else the README's list.
      assert.match(
        paragraphs.at(-1) as string,
        /^\[More on unreliable entries and the findings\]\(file:\/\/.*(?:docs\/findings\.md#unreliable-frame|README\.md#what-it-does)\)$/,
      );
      // At 1600×1000 a hover is about 100 characters wide: 12 rendered lines at most, no scrolling.
      const rendered = paragraphs.reduce((n, p) => n + Math.ceil(p.replace(/\*\*|`|\[|\]\([^)]*\)/g, '').length / 100), 0);
      assert.ok(rendered <= 12, `${rendered} rendered lines`);
    });

    it('the seed case: a copy of the RIP, in a few lines', async () => {
      const md = hoverText(await hover('lsp-seed-pt-regs.log', '? lookup_fast', 0));
      const rendered = md.split('\n\n').reduce((n, p) => n + Math.ceil(p.length / 100), 0);
      assert.ok(rendered <= 12, `${rendered} rendered lines`);
    });
  });

  describe('d) lines that had no hover', () => {
    const X6 = 'lsp-hover-x86-6.x-lines.log';

    it('`Oops: 0002 [#2] PREEMPT SMP PTI`: the error code, the counter and each build word', async () => {
      const codeHover = await hover(X6, 'Oops: 0002', 7);
      assertRange(X6, codeHover, '0002', 'Oops: 0002');
      assert.match(hoverText(codeHover), /x86 page-fault error code/);
      assert.match(hoverText(codeHover), /\*\*kernel-mode write of a not-present page\*\*/);
      const counter = await hover(X6, '[#2]', 1);
      assertRange(X6, counter, '[#2]');
      assert.match(hoverText(counter), /the oops counter/);
      assert.match(hoverText(counter), /earlier oopses happened/);
      const pti = await hover(X6, 'SMP PTI', 5);
      assertRange(X6, pti, 'PTI', 'SMP PTI');
      assert.match(hoverText(pti), /page-table isolation/);
      assert.match(hoverText(await hover(X6, 'PREEMPT SMP PTI', 9)), /`SMP`\*\* · a multiprocessor kernel/);
      assert.match(hoverText(await hover(X6, 'PREEMPT SMP PTI', 2)), /preemptible/);
      assert.match(hoverText(await hover('lsp-hover-old-x86-kasan.log', 'SMP KASAN', 5)), /address sanitizer/);
      const line = await hover(X6, 'Oops: 0002', 1);
      assertRange(X6, line, 'Oops: 0002 [#2] PREEMPT SMP PTI');
    });

    it("arm64's `Internal error: Oops: 96000005` is the ESR", async () => {
      const name = 'lsp-hover-arm64-3.18.log';
      const h = await hover(name, '96000005 [#1]', 2);
      // decode/arm64.ts decodes it; the Oops line's other parts are this module's.
      assert.match(covered(name, h), /96000005/);
      assert.match(hoverText(h), /EC `0x25`/);
    });

    it('`Modules linked in:`: the list, each module with its taint letters, the last unloaded', async () => {
      const name = 'lsp-hover-arm64-3.18.log';
      const head = await hover(name, 'Modules linked in:', 3);
      assert.match(hoverText(head), /the modules loaded when this was printed/);
      assert.match(covered(name, head), /^Modules linked in: qca_cld\(O\).*\]$/);
      const o = await hover(name, 'qca_cld(O)', 2);
      assertRange(name, o, 'qca_cld(O)');
      assert.match(hoverText(o), /`O`: an out-of-tree/);
      const e = await hover(name, 'sensor_hub(E)', 2);
      assert.match(hoverText(e), /`E`: an unsigned module/);
      const last = await hover(name, '[last unloaded: wlan_probe]', 4);
      assertRange(name, last, '[last unloaded: wlan_probe]');
      assert.match(hoverText(last), /the module unloaded last/);
      const plain = await hover(X6, 'snd_hda_intel', 2);
      assertRange(X6, plain, 'snd_hda_intel');
      assert.match(hoverText(plain), /a loaded module/);
      assert.match(hoverText(await hover(X6, 'last unloaded: gadget_probe(OE)', 3)), /its taint flags: `OE`/);
    });

    it('`Hardware name:`: firmware or device tree', async () => {
      const dt = await hover('lsp-hover-arm64-3.18.log', 'Hardware name:', 2);
      assertRange('lsp-hover-arm64-3.18.log', dt, 'Hardware name: Vendor Technologies, Inc. MSM8953 board (DT)');
      assert.match(hoverText(dt), /device tree/);
      const dmi = hoverText(await hover(X6, 'Hardware name:', 2));
      assert.match(dmi, /DMI\/SMBIOS/);
      assert.match(dmi, /A virtual machine\./);
    });

    it('the CPU line: CPU, PID, Comm, release, build number; Tainted keeps its hover', async () => {
      const LINE = 'CPU: 2 PID: 611 Comm: kworker/2:2';
      const cpu = await hover(X6, LINE, 1);
      assertRange(X6, cpu, 'CPU: 2', LINE);
      assert.match(hoverText(cpu), /\*\*CPU 2\*\*/);
      const pid = await hover(X6, 'PID: 611 Comm', 5);
      assertRange(X6, pid, 'PID: 611', LINE);
      assert.match(hoverText(pid), /the id of the task/);
      const comm = await hover(X6, 'Comm: kworker/2:2', 8);
      assertRange(X6, comm, 'Comm: kworker/2:2');
      assert.match(hoverText(comm), /workqueue worker/);
      const release = await hover(X6, '6.1.0-21-amd64 #1', 3, LINE);
      assertRange(X6, release, '6.1.0-21-amd64', LINE);
      assert.match(hoverText(release), /the kernel release \(`uname -r`\)/);
      const build = await hover(X6, '#1  Debian', 1, LINE);
      assertRange(X6, build, '#1', LINE);
      assert.match(hoverText(build), /the build number/);
      const taint = await hover(X6, 'Tainted: G           OE', 12, LINE);
      assert.match(hoverText(taint), /\*\*Tainted\*\* · 2 flags set/);
      const kdump = await hover(X6, 'Kdump: loaded', 3);
      assertRange(X6, kdump, 'Kdump: loaded');
      assert.match(hoverText(kdump), /crash kernel/);
    });

    it('`cut here` and `end trace`', async () => {
      const cut = await hover(X6, 'cut here', 2);
      assertRange(X6, cut, '------------[ cut here ]------------');
      assert.match(hoverText(cut), /the start of a report/);
      const zeros = await hover(X6, 'end trace 0000000000000000', 3);
      assertRange(X6, zeros, '---[ end trace 0000000000000000 ]---');
      assert.match(hoverText(zeros), /Newer kernels print zeros/);
      const random = hoverText(await hover('lsp-hover-arm64-3.18.log', 'end trace 6c1f2e9a0b3d4e57', 3));
      assert.match(random, /random id older kernels chose once per boot/);
    });

    it('`RSP: 0018:ffff…`: the selector and the value in one range', async () => {
      const name = 'lsp-hover-old-x86-kasan.log';
      for (const delta of [1, 12]) {
        const h = await hover(name, 'RSP: 0018:ffff880039e43d98', delta);
        assertRange(name, h, 'RSP: 0018:ffff880039e43d98');
        assert.match(hoverText(h), /stack pointer = `ffff880039e43d98`/);
        assert.match(hoverText(h), /Selector `0018`: the kernel data\/stack segment \(`__KERNEL_DS`, privilege level 0\)/);
      }
      const user = hoverText(await hover(X6, 'RSP: 002b:00007ffd5a9e2f90', 12));
      assert.match(user, /`__USER_DS`, privilege level 3/);
      assert.match(user, /\*\*user space\*\*/);
    });

    it("KASAN's access line: the access, the address, the task", async () => {
      const name = 'lsp-hover-old-x86-kasan.log';
      const access = await hover(name, 'Write of size 8', 3);
      assertRange(name, access, 'Write of size 8');
      assert.match(hoverText(access), /store of 8 bytes/);
      const addr = await hover(name, 'at addr ffff88003b105a40', 10);
      assertRange(name, addr, 'ffff88003b105a40', 'Write of size');
      assert.match(hoverText(addr), /the address accessed/);
      assert.match(hoverText(addr), /direct map/);
      const task = await hover(name, 'ring-writer/3102', 3);
      assertRange(name, task, 'ring-writer/3102');
      assert.match(hoverText(task), /the task that made the access/);
    });

    it("KASAN's shadow dump: the header, rows, byte codes and the ^", async () => {
      const name = 'lsp-hover-old-x86-kasan.log';
      assert.match(hoverText(await hover(name, 'Memory state around', 3)), /one shadow byte stands for 8 bytes/);
      const row = await hover(name, '>ffff88003b105a00', 3);
      assertRange(name, row, 'ffff88003b105a00', '>ffff88003b105a00');
      assert.match(hoverText(row), /the row of the bad address/);
      const ROW = 'ffff88003b105b00: fc fc fc fc 04 fc fc fc fa fb';
      const partial = await hover(name, '04 fc fc fc fa', 0, ROW);
      assertRange(name, partial, '04', ROW);
      assert.match(hoverText(partial), /The first 4 of the 8 bytes are accessible/);
      assert.match(hoverText(partial), /the 8 bytes at `ffff88003b105b20`/);
      assert.match(hoverText(await hover(name, 'fc fc fc fc 04', 0, ROW)), /slab redzone/);
      assert.match(hoverText(await hover(name, 'fa fb', 0, ROW)), /freed slab object/);
      assert.match(hoverText(await hover(name, 'fb fb fb', 0, 'ffff88003b105a80')), /shadow byte: slab free\n[\s\S]*use-after-free/);
      assert.match(hoverText(await hover(name, '00 00 00 00 00 00 00 00 fc', 0, '>ffff88003b105a00')), /All 8 bytes are accessible/);
      const text = texts.get(name) as string;
      const caretAt = text.indexOf('^', text.indexOf('>ffff88003b105a00'));
      const caret = await hover(name, '^', 0, text.slice(caretAt - 30, caretAt + 1));
      assert.match(hoverText(caret), /the shadow byte of the bad address/);
      assert.match(hoverText(caret), /slab redzone[\s\S]*the 8 bytes at `ffff88003b105a40`/);
    });

    it("powerpc's Instruction dump: the words, the marked one, no decoder", async () => {
      const name = 'powerpc-5.x-oops.log';
      const head = hoverText(await hover(name, 'Instruction dump:', 3));
      assert.match(head, /<e9490010> {3}<-- at NIP: the faulting instruction/);
      assert.match(head, /not disassembled here/);
      const row = await hover(name, '7c0802a6 fbc1fff0', 3);
      assertRange(name, row, '7c0802a6 fbc1fff0 fbe1fff8 7c7f1b78 f8010010 f821ff91 e9230000 2c290000');
      const marked = await hover(name, '<e9490010>', 3);
      assertRange(name, marked, '<e9490010>');
      assert.match(hoverText(marked), /the faulting instruction \(the word at NIP\)/);
      assert.match(hoverText(marked), /no powerpc disassembler/);
      const sig = await hover(name, 'sig: 11', 6);
      assertRange(name, sig, '11', 'sig: 11');
      assert.match(hoverText(sig), /`SIGSEGV`/);
      const flags = await hover(name, 'MMU=Radix', 2);
      assertRange(name, flags, 'MMU=Radix');
      assert.match(hoverText(flags), /Radix or Hash/);
    });

    it('`Code:` keeps its disassembly', async () => {
      const md = hoverText(await hover(X6, 'Code: 48 89 df e8 a4', 2));
      assert.match(md, /\*\*Disassembly\*\* \(x86-64, AT&T syntax\)/);
      assert.match(md, /ud2/);
    });
  });
});
