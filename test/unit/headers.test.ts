// The header and stack-header tables (headers.ts HEADER_FORMS, parse.ts STACK_HEADER_FORMS): each
// entry's regexp matches only lines that start with the literal starts it declares, and the pre-tests
// derived from those starts turn no header away.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HEADER_FORMS, matchAnyForm, matchReportHeader, PR_FMT_STARTS } from '../../server/src/parser/headers.ts';
import { firstNonSpace } from '../../server/src/parser/lines.ts';
import { mayBeStackHeader, parseCrashLog, STACK_HEADER, STACK_HEADER_FORMS } from '../../server/src/parser/parse.ts';
import { fixtureMessages } from './fixture-logs.ts';

/** Header lines as kernels of every era print them (prefixes removed), one or more per form. */
const HEADER_LINES = [
  'BUG: KASAN: slab-use-after-free in foo+0x1/0x2',
  'BUG: KMSAN: uninit-value in bar+0x1/0x2',
  'BUG: KCSAN: data-race in a / b',
  'BUG: KFENCE: use-after-free read in f+0x1/0x2',
  'BUG: soft lockup - CPU#1 stuck for 22s! [cat:12]',
  'BUG: unable to handle page fault for address: ffffc90000a1b000',
  'BUG: kernel NULL pointer dereference, address: 0000000000000008',
  'BUG: memory leak',
  'BUG: sleeping function called from invalid context at mm/slab.h:1',
  'BUG kmalloc-64 (Not tainted): Object already free',
  'WARNING: possible circular locking dependency detected',
  'WARNING: suspicious RCU usage',
  'WARNING: CPU: 0 PID: 1 at x.c:1 f+0x1/0x2',
  'WARNING: at kernel/x.c:12 f()',
  'INFO: possible recursive locking detected',
  'INFO: task a:1 blocked for more than 10 seconds.',
  'INFO: task kworker/0:1:12 blocked for more than 120 seconds.',
  'INFO: rcu_preempt self-detected stall on CPU',
  'INFO: rcu_sched detected stalls on CPUs/tasks:',
  'INFO: trying to register non-static key.',
  'general protection fault, probably for non-canonical address 0xdffffc0000000001: 0000 [#1] PREEMPT SMP KASAN',
  'Oops: general protection fault, probably for non-canonical address 0xdffffc0000000001: 0000 [#1] SMP',
  'stack segment: 0000 [#1] SMP',
  'Oops: stack segment: 0000 [#1] SMP',
  'segment-related general protection fault',
  'invalid opcode: 0000 [#1] SMP',
  'Oops: invalid opcode: 0000 [#1] PREEMPT SMP NOPTI',
  'divide error: 0000 [#1] SMP',
  'divide_error: 0000 [#1] SMP',
  'int3: 0000 [#1] SMP',
  'double fault: 0000 [#1] SMP',
  'bounds: 0000 [#1] SMP',
  'alignment check: 0000 [#1] SMP',
  'Oops: 0002 [#1] SMP',
  'Oops - BUG: 0 [#1]',
  'Oops[#1]:',
  'PANIC: double fault, error_code: 0x0',
  'kernel BUG at mm/x.c:1!',
  'Kernel BUG at 0x00000000 [verbose debug info unavailable]',
  'Unable to handle kernel NULL pointer dereference at virtual address 0000000000000008',
  'Internal error: Oops: 96000004 [#1] PREEMPT SMP',
  'Unhandled fault: page domain fault (0x01b) at 0x00000000',
  'Alignment trap: not handling instruction e1903f9f at [<c0123456>]',
  'Kernel panic - not syncing: Fatal exception',
  'UBSAN: shift-out-of-bounds in x.c:1:2',
  'Watchdog detected hard LOCKUP on cpu 1',
  'rust_kernel: panicked at x.rs:1:2:',
  'unregister_netdevice: waiting for lo to become free. Usage count = 2',
  'VFS: Busy inodes after unmount of sda1. Self-destruct in 5 seconds.  Have a nice day...',
  'VFS: Close: file count is 0',
  'NMI backtrace for cpu 1',
  'NMI backtrace for cpu 1 skipped: idling at native_safe_halt+0xb/0x10',
  'unreferenced object 0xffff888100a1b200 (size 64):',
  'stress invoked oom-killer: gfp_mask=0x140cca(GFP_HIGHUSER_MOVABLE|__GFP_COMP), order=0, oom_score_adj=0',
  'kworker/u4:2 invoked oom-killer: gfp_mask=0x201da, order=0, oom_adj=0, oom_score_adj=0',
  'chrome: page allocation failure: order:5, mode:0x40cc0(GFP_KERNEL|__GFP_COMP), nodemask=(null),cpuset=/,mems_allowed=0',
  'swapper/0: page allocation failure. order:1, mode:0x20',
  'BUG: Unable to handle kernel data access on write at 0xc122eb34',
  'BUG: Kernel NULL pointer dereference on read at 0x00000000',
  'data exception: 0007 ilc:3 [#1] SMP',
  'monitor event: 0040 ilc:2 [#1] PREEMPT SMP',
  'HFP divide exception: 0000 ilc:2 [#1]',
  'Kernel bug detected[#1]:',
];

const lines = [...fixtureMessages(), ...HEADER_LINES];

test("each header form's regexp matches only lines that start with one of its declared starts", () => {
  let matched = 0;
  for (const text of lines) {
    for (const form of HEADER_FORMS) {
      if (!form.re.test(text)) continue;
      matched++;
      if (form.contains !== undefined) assert.ok(text.includes(form.contains), `${form.name} on ${text}`);
      else
        assert.ok(
          form.starts.some((s) => text.startsWith(s)),
          `${form.name} (${form.re.source}) on ${text}`,
        );
    }
  }
  assert.ok(matched > HEADER_LINES.length);
  for (const form of HEADER_FORMS) assert.ok(form.starts.length > 0 || form.contains !== undefined, `${form.name} declares where it starts`);
  assert.equal(new Set(HEADER_FORMS.map((f) => f.name)).size, HEADER_FORMS.length, 'form names are unique');
});

test('the pre-tests derived from the header table accept every line a form matches', () => {
  for (const text of lines) {
    const form = matchAnyForm(text);
    if (form === null) continue;
    assert.equal(matchReportHeader(text)?.form.name, form.name, text);
  }
  // Every real header form is a header, with and without a pr_fmt prefix in front.
  for (const text of HEADER_LINES) {
    const plain = matchReportHeader(text);
    assert.notEqual(plain, null, text);
    for (const p of PR_FMT_STARTS) {
      if (p === '[ ' && !/^(?:INFO|BUG): /.test(text)) continue;
      const prefixed = matchReportHeader(p + text);
      assert.equal(prefixed?.form.name, plain!.form.name, p + text);
      if (plain!.form.contains === undefined) assert.equal(prefixed?.at, p.length, p + text);
    }
  }
});

test('bounds, alignment check and Alignment trap are oops headers', () => {
  for (const text of ['bounds: 0000 [#1] SMP', 'alignment check: 0000 [#1] SMP', 'Alignment trap: not handling instruction e1903f9f at [<c0123456>]']) {
    assert.equal(matchReportHeader(text)?.kind, 'oops', text);
  }
  const log = parseCrashLog(
    [
      '[   12.000000] bounds: 0000 [#1] SMP',
      '[   12.000001] CPU: 0 PID: 1 Comm: init Not tainted 4.4.0 #1',
      '[   12.000002] RIP: 0010:[<ffffffff81234567>]  [<ffffffff81234567>] check_bounds+0x12/0x40',
      '[   12.000003] Call Trace:',
      '[   12.000004]  [<ffffffff81234600>] do_one+0x10/0x20',
      '[   12.000010] Alignment trap: not handling instruction e1903f9f at [<c0123456>]',
      '[   12.000011] Unhandled fault: alignment exception (0x001) at 0xc5a0b001',
      '[   12.000012] Internal error: : 1 [#1] ARM',
      '[   12.000013] PC is at frob+0x10/0x40',
    ].join('\n') + '\n',
  );
  assert.deepEqual(
    log.reports.map((r) => [r.kind, r.line]),
    [
      ['oops', 0],
      ['oops', 5],
      ['oops', 6],
    ],
  );
});

/** Stack header lines of every kind (indentation is allowed). */
const STACK_HEADER_LINES = [
  'Call Trace:',
  ' Call trace:',
  'Backtrace:',
  'Exception stack(0xc0ffee to 0xc0ffff)',
  'Task dump for CPU 1:',
  'Allocated by task 12:',
  'Freed by task 12:',
  'allocated by task 3 on cpu 1 at 12.3s:',
  'freed by task 3 on cpu 1 at 12.3s:',
  'Allocated:',
  'Last potentially related work creation:',
  'Second to last potentially related work creation:',
  'Last call_rcu():',
  'Second to last call_rcu():',
  'Uninit was created at:',
  'Uninit was stored to memory at:',
  'Local variable x created at:',
  'Memory was freed at:',
  'INFO: Allocated in foo+0x1/0x2 age=1',
  'INFO: Freed in foo+0x1/0x2 age=1',
  '-> #1 (&mm->mmap_lock){++++}-{3:3}:',
  'read to 0xffff8880 of 8 bytes by task 1 on cpu 0:',
  'write of 4 bytes by interrupt on cpu 1:',
  'assert no accesses to 0xffff of 8 bytes by task 2 on cpu 1:',
  'read-write (marked) to 0xff of 8 bytes by task 3 on cpu 0:',
  'out-of-bounds read at 0xffff (in kfence-#12):',
  'use-after-free read at 0xffff (in kfence-#3):',
  'invalid free (in kfence-#3):',
  '  backtrace:',
  '  backtrace (crc 3f1b2a4c):',
];

test("each stack header form's regexp matches only lines that start with its declared starts", () => {
  for (const text of [...fixtureMessages(), ...STACK_HEADER_LINES]) {
    const at = firstNonSpace(text);
    for (const form of STACK_HEADER_FORMS) {
      const m = new RegExp(String.raw`^\s*(?:${form.re.source})`).exec(text);
      if (m === null) continue;
      assert.ok(
        form.starts.some((s) => text.startsWith(s, at)),
        `${form.re.source} on ${text}`,
      );
    }
  }
  for (const text of STACK_HEADER_LINES) assert.ok(STACK_HEADER.test(text), text);
  // Each form has exactly one group, the stack's kind (the combined regexp reads the first that took part).
  for (const form of STACK_HEADER_FORMS) assert.equal(new RegExp(`${form.re.source}|`).exec('')!.length - 1, 1, form.re.source);
  // lockdep's `stack backtrace:` is body text, not a kmemleak backtrace.
  assert.equal(STACK_HEADER.test('stack backtrace:'), false);
});

test('the first-word test lets every stack header through', () => {
  for (const m of [...fixtureMessages(), ...STACK_HEADER_LINES]) {
    if (STACK_HEADER.test(m)) assert.ok(mayBeStackHeader(m, firstNonSpace(m)), m);
  }
});

test('powerpc faults are oops headers; s390 and MIPS die headers are headers', () => {
  assert.equal(matchReportHeader('BUG: Unable to handle kernel data access on write at 0xc122eb34')?.kind, 'oops');
  assert.equal(matchReportHeader('BUG: Kernel NULL pointer dereference on read at 0x00000000')?.kind, 'oops');
  assert.deepEqual(
    [matchReportHeader('data exception: 0007 ilc:3 [#1] SMP')?.kind, matchReportHeader('monitor event: 0040 ilc:2 [#1]')?.role],
    ['oops', 'continue'],
  );
  assert.equal(matchReportHeader('Kernel bug detected[#1]:')?.kind, 'bug');
  // s390: `kernel BUG at` then the die header is one report; MIPS' BUG() is a crash though syzkaller has no header for it.
  const s390 = parseCrashLog(
    'kernel BUG at fs/btrfs/compression.c:1041!\nmonitor event: 0040 ilc:2 [#1] PREEMPT SMP\nCPU: 16 UID: 0 PID: 325 Comm: kworker/u273:3 Not tainted 6.13.0 #1\n',
  );
  assert.deepEqual(
    s390.reports.map((r) => [r.kind, r.line, r.endLine]),
    [['bug', 0, 2]],
  );
  const mips = parseCrashLog('Kernel bug detected[#1]:\nCPU: 0 PID: 1 Comm: swapper/0 Not tainted 3.17.0 #1631\n');
  assert.deepEqual(
    mips.reports.map((r) => [r.kind, r.crash]),
    [['bug', true]],
  );
});

test("LTP's `TINFO:`, `Kernel panic` in prose and quoted headers are no headers", () => {
  for (const text of [
    'tst_test.c:1433: TINFO: Timeout per run is 0h 15m 00s',
    'Kernel panic:',
    'Summary: Kernel panic when boot the 2.6.39+ kernel',
    'kernel test robot noticed "WARNING:at_mm/slab_common.c:#kmem_cache_destroy" on:',
  ]) {
    assert.equal(matchReportHeader(text), null, text);
  }
  assert.equal(matchReportHeader('[ INFO: possible recursive locking detected ]')?.kind, 'lockdep');
  assert.equal(matchReportHeader('---[ end Kernel panic - not syncing: Fatal exception ]---')?.kind, 'panic');
});
