// Report kinds and boundaries the fixture snapshots show but do not explain: OOM dumps, page
// allocation failures, kmemleak objects, messages printed before a report's header, and plain
// `WARNING:` messages that are no report.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { parseCrashLog } from '../../server/src/parser/parse.ts';

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures');
const fixture = (name: string) => parseCrashLog(fs.readFileSync(path.join(FIXTURES, name), 'utf8'));
const log = (lines: string[]) => parseCrashLog(lines.join('\n') + '\n');
/** kind, crash, first and last line (0-based) of each report. */
const shape = (p: ReturnType<typeof parseCrashLog>) => p.reports.map((r) => [r.kind, r.crash, r.line, r.endLine]);

test('an OOM-killer dump is one report of kind oom, memory dump and task table included, through its Killed process and oom_reaper lines', () => {
  const p = fixture('oom-6.1-global-kill.log');
  // Line 1 is a header line; 64 is `oom_reaper`, then systemd's lines are not part of it.
  assert.deepEqual(shape(p), [['oom', false, 1, 64]]);
  const r = p.reports[0];
  assert.equal(r.comm, 'memhog');
  assert.equal(r.pid, 2741);
  assert.equal(r.guiltyFrame, null);
  assert.equal(r.stacks[0].frames.length, 13);
  // Old kernels: `cpuset=` line, memcg summary, `Kill process ... or sacrifice child`, then `Killed process`.
  assert.deepEqual(shape(fixture('oom-3.10-memcg-old-kill.log')), [['oom', false, 0, 25]]);
});

test('an OOM line printed into the stack of a crash report is one of its lines, not a report', () => {
  const p = log([
    '[  200.999653] Kernel panic - not syncing: corrupted stack end detected inside scheduler',
    '[  201.007844] CPU: 1 PID: 7 Comm: kworker/u4:0 Not tainted 4.20.0+ #252',
    '[  201.029181] Call Trace:',
    '[  201.031778]  dump_stack+0x1d3/0x2c6',
    '[  201.040625]  panic+0x2ad/0x55f',
    '[  201.261080]  add_to_page_cache_lru+0x355/0xdb0',
    '[  201.264929] syz-executor642 invoked oom-killer: gfp_mask=0x6202c2(GFP_HIGHUSER|__GFP_NOWARN), nodemask=(null), order=0, oom_score_adj=1000',
    '[  201.318813] syz-executor642 cpuset=syz4 mems_allowed=0-1',
    '[  201.324288]  pagecache_get_page+0x53a/0xf00',
    '[  201.382778]  wb_workfn+0xee9/0x1790',
  ]);
  assert.deepEqual(shape(p), [['panic', true, 0, 9]]);
  assert.equal(p.reports[0].stacks[0].frames.length, 5);
});

test('an OOM that ends in a panic (no killable process) is a crash', () => {
  const p = log([
    'init invoked oom-killer: gfp_mask=0x100cca(GFP_HIGHUSER_MOVABLE), order=0, oom_score_adj=0',
    'CPU: 0 PID: 1 Comm: init Not tainted 6.1.0 #1',
    'Call Trace:',
    ' <TASK>',
    ' dump_stack_lvl+0x44/0x5c',
    ' out_of_memory+0x1fd/0x4d0',
    ' </TASK>',
    'Mem-Info:',
    'active_anon:1 inactive_anon:2 isolated_anon:0',
    'Kernel panic - not syncing: System is deadlocked on memory',
  ]);
  assert.deepEqual(shape(p), [['oom', true, 0, 9]]);
  assert.match(p.reports[0].title, /kernel panic: System is deadlocked on memory/);
});

test('a page allocation failure is a report of its own kind that keeps its memory dump (a crash, as abrt counts it)', () => {
  const p = fixture('page-allocation-failure-4.8.log');
  assert.deepEqual(shape(p), [['allocation-failure', true, 1, 42]]);
  assert.equal(p.reports[0].comm, 'chrome');
  // ≤3.x wording.
  assert.deepEqual(
    shape(
      log([
        'swapper/0: page allocation failure. order:1, mode:0x20',
        'Pid: 0, comm: swapper/0 Not tainted 2.6.32-5-amd64 #1',
        'Call Trace:',
        ' [<ffffffff810b6a4d>] ? __alloc_pages_nodemask+0x5a1/0x626',
      ]),
    ),
    [['allocation-failure', true, 0, 3]],
  );
});

test('each kmemleak object is one report with one backtrace stack, its task from the comm line', () => {
  const p = fixture('kmemleak-6.6-objects.log');
  assert.deepEqual(shape(p), [
    ['kmemleak', true, 0, 15],
    ['kmemleak', true, 16, 29],
  ]);
  assert.deepEqual(
    p.reports.map((r) => [r.comm, r.pid, r.stacks.map((s) => [s.kind, s.frames.length])]),
    [
      ['modprobe', 412, [['backtrace', 10]]],
      ['kworker/u8:2', 97, [['backtrace', 8]]],
    ],
  );
  assert.equal(p.reports[0].stacks[0].frames[3].module, 'frobnicator');
});

test("syzkaller's `BUG: memory leak` line and the object after it are one kmemleak report", () => {
  const p = log([
    'BUG: memory leak',
    'unreferenced object 0xffff88005f607a40 (size 32):',
    '  comm "syz-executor0", pid 6646, jiffies 4294942725 (age 13.180s)',
    '  hex dump (first 32 bytes):',
    '    76 62 6f 78 6e 65 74 30 65 74 68 30 2b 2d 00 00  vboxnet0eth0+-..',
    '  backtrace:',
    '    [<000000005040d77c>] __kmalloc_track_caller+0x14b/0x290',
    '    [<000000009136e0d6>] kstrdup+0x39/0x70',
    '    [<00000000f4b13d82>] gfs2_sys_fs_add+0xa1/0x1f0',
    '',
    'BUG: memory leak',
    'unreferenced object 0xffff88005f7ac800 (size 2048):',
    '  comm "syz-executor0", pid 6839, jiffies 4294947130 (age 39.460s)',
    '  backtrace:',
    '    [<00000000996d44e4>] __kmalloc+0x14f/0x2a0',
    '    [<0000000018bf48ad>] map_create+0x149/0x520',
  ]);
  assert.deepEqual(shape(p), [
    ['kmemleak', true, 0, 8],
    ['kmemleak', true, 10, 15],
  ]);
  assert.deepEqual(
    p.reports.map((r) => r.title),
    ['memory leak in gfs2_sys_fs_add', 'memory leak in map_create'],
  );
  assert.equal(p.reports[0].comm, 'syz-executor0');
});

test('a report starts at the message its BUG/WARN site printed before `cut here`, and at `cut here` before the WARN text', () => {
  const p = fixture('list-del-corruption-warn-text.log');
  // 5: `list_del corruption.`, 6: `cut here`, 7: `kernel BUG at lib/list_debug.c:53!`; 32: `cut here`, 33: `refcount_t: underflow`, 34: `WARNING:`.
  assert.deepEqual(shape(p), [
    ['bug', true, 5, 31],
    ['warning', true, 32, 60],
  ]);
  assert.deepEqual(
    p.reports.map((r) => r.headerLine),
    [7, 34],
  );
  assert.equal(p.reports[0].title, 'BUG: corrupted list in frob_release_slot');
  assert.equal(p.reports[1].title, 'WARNING: refcount bug in frob_put_slot');
  // Without `cut here` (skb_panic's message, then BUG()).
  const skb = log([
    'skbuff: skb_under_panic: text:ffffffff81c9f6e2 len:576 put:576 head:ffff8880070b5180 data:ffff8880070b4fb0 tail:0x70 end:0x140 dev:lo',
    'kernel BUG at net/core/skbuff.c:200!',
    'invalid opcode: 0000 [#1] PREEMPT SMP PTI',
  ]);
  assert.deepEqual(shape(skb), [['bug', true, 0, 2]]);
});

test('a line before `cut here` is the report’s only when it is a known pre-header message of the same caller', () => {
  const other = log([
    '[   10.000000][  T100] usb 1-1: new full-speed USB device number 3 using xhci_hcd',
    '[   10.000001][  T100] ------------[ cut here ]------------',
    '[   10.000002][  T100] kernel BUG at fs/x.c:1!',
  ]);
  assert.deepEqual(shape(other), [['bug', true, 1, 2]]);
  const otherCaller = log([
    '[   10.000000][  T200] list_del corruption. prev->next should be ffff8881062c4a08, but was ffff8881062c4b08. (prev=ffff8881062c4c00)',
    '[   10.000001][  T100] ------------[ cut here ]------------',
    '[   10.000002][  T100] kernel BUG at lib/list_debug.c:53!',
  ]);
  assert.deepEqual(shape(otherCaller), [['bug', true, 1, 2]]);
  // A blank line between the message and `cut here` parts them.
  const gap = log([
    'list_add corruption. next->prev should be prev (ffff1), but was ffff2. (next=ffff3).',
    '',
    '------------[ cut here ]------------',
    'kernel BUG at lib/list_debug.c:26!',
  ]);
  assert.deepEqual(shape(gap), [['bug', true, 2, 3]]);
  // More than a few lines between `cut here` and the WARNING: the `cut here` announced something else.
  const far = log(['------------[ cut here ]------------', 'a', 'b', 'c', 'd', 'WARNING: CPU: 0 PID: 1 at x.c:1 f+0x1/0x2']);
  assert.deepEqual(shape(far), [['warning', true, 5, 5]]);
});

test('a plain `WARNING: <message>` line with nothing of a report after it is no report', () => {
  // The fixture's `WARNING: driver frob_hid did not set a release function ...` (line 1) makes none.
  assert.ok(fixture('list-del-corruption-warn-text.log').reports.every((r) => r.line > 1));
  assert.deepEqual(shape(log(['WARNING: Flushing system-wide workqueues will be prohibited in near future.', 'usb 1-1: USB disconnect, device number 2'])), []);
  // The same line followed by a splat is one.
  assert.deepEqual(
    shape(
      log([
        'WARNING: Flushing system-wide workqueues will be prohibited in near future.',
        'CPU: 0 PID: 1 Comm: a Not tainted 6.1.0 #1',
        'Call Trace:',
        ' f+0x1/0x2',
      ]),
    ),
    [['warning', true, 0, 3]],
  );
  // WARN() sites, named warnings, short texts (a header cut short) and a device's warning stay reports, as syzkaller has them.
  for (const text of [
    'WARNING: CPU: 0 PID: 1 at kernel/x.c:12 f+0x1/0x2',
    'WARNING: at kernel/x.c:12 f()',
    "WARNING: kernel stack regs at ffff8801d100fea8 in syz-executor:4321 has bad 'bp' value 0000000000000001",
    'WARNING: foo',
    "usb 5-1: WARNING: ath10k USB support is incomplete, don't expect anything to work!",
  ]) {
    assert.deepEqual(
      shape(log([text, 'usb 1-1: USB disconnect, device number 2'])).map((r) => r[0]),
      ['warning'],
      text,
    );
  }
});

test('a dump_stack() starts at its CPU line, or at the message its caller printed first, also when no `Call Trace:` line follows', () => {
  const arm = log([
    'usb 1-1: new full-speed USB device number 3',
    'Division by zero in kernel.',
    'CPU: 0 PID: 52 Comm: aplay Tainted: G        W          6.2.0-rc4 #1',
    'Hardware name: Generic DT based system',
    ' unwind_backtrace from show_stack+0x10/0x18',
    ' show_stack from dump_stack_lvl+0x28/0x34',
    ' dump_stack_lvl from __div0+0x18/0x20',
  ]);
  assert.deepEqual(shape(arm), [['dump-stack', false, 1, 6]]);
  assert.deepEqual([arm.reports[0].comm, arm.reports[0].pid, arm.reports[0].title], ['aplay', 52, 'Division by zero in kernel.']);
  const msr = log([
    'unchecked MSR access error: WRMSR to 0x48 (tried to write 0x0000000000000004) at rIP: 0xffffffff8106f2c4 (native_write_msr+0x4/0x20)',
    'Call Trace:',
    ' <TASK>',
    ' speculation_ctrl_update+0x8f/0x200',
    ' </TASK>',
  ]);
  assert.deepEqual(shape(msr), [['dump-stack', false, 0, 4]]);
  // Any other line before it stays out.
  assert.deepEqual(shape(log(['usb 1-1: new full-speed USB device number 3', 'CPU: 0 PID: 1 Comm: a Not tainted 6.1.0 #1', 'Call Trace:', ' f+0x1/0x2'])), [
    ['dump-stack', false, 1, 3],
  ]);
});
