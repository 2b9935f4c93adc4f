// syzkaller-style titles, `corrupted` verdicts and guilty frames, through the whole parser.
// The logs below are made up for these tests (names, addresses and PIDs are invented).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCrashLog } from '../../server/src/parser/parse.ts';
import { titleAgain, wholeLogView } from '../../server/src/service/retitle.ts';
import { OOPS_KINDS, requiredPrefix } from '../../server/src/parser/title/formats.ts';
import { demangle } from '../../server/src/parser/title/demangle.ts';
import { fixtureLogs } from './fixture-logs.ts';

function firstCrash(log: string) {
  const reports = parseCrashLog(log).reports.filter((r) => r.crash);
  assert.ok(reports.length > 0, 'expected a crash report');
  return reports[0];
}

/** Adds `[  time][  Tnnn] ` prefixes, as a console with CONFIG_PRINTK_CALLER prints them. */
function stamp(lines: string[], caller = 'T4242', t0 = 100): string {
  return lines.map((l, i) => `[${(t0 + i * 0.001).toFixed(6).padStart(12)}][${caller.padStart(6)}] ${l}`).join('\n') + '\n';
}

const REGS = [
  'RSP: 0018:ffffc90001237a88 EFLAGS: 00010246',
  'RAX: 0000000000000000 RBX: ffff888012345678 RCX: 0000000000000000',
  'RDX: 0000000000000000 RSI: 0000000000000001 RDI: ffff888012345600',
];
const CPU = 'CPU: 1 PID: 4242 Comm: syz-executor.7 Not tainted 6.8.0-test #1';
const HW = 'Hardware name: Example Board 1.0, BIOS 1.2.3 01/01/2024';

test('KASAN: bug type, access and the function on the header line', () => {
  const r = firstCrash(
    stamp([
      '==================================================================',
      'BUG: KASAN: slab-use-after-free in quux_frob_widget+0x1a2/0x3c0 drivers/misc/quux.c:412',
      'Read of size 8 at addr ffff888023456780 by task syz-executor.7/4242',
      '',
      CPU,
      HW,
      'Call Trace:',
      ' <TASK>',
      ' dump_stack_lvl+0x11a/0x1b0',
      ' print_report+0xc1/0x5e0',
      ' kasan_report+0xbe/0xf0',
      ' quux_frob_widget+0x1a2/0x3c0',
      ' quux_ioctl+0x77/0x120',
      ' __x64_sys_ioctl+0x18f/0x210',
      ' do_syscall_64+0x5d/0x110',
      ' entry_SYSCALL_64_after_hwframe+0x72/0x7a',
      ' </TASK>',
      '',
      'Allocated by task 4240:',
      ' kasan_save_stack+0x33/0x60',
      ' __kmalloc+0x1f0/0x460',
      ' quux_open+0x52/0x190',
      '',
      'Freed by task 4241:',
      ' kasan_save_stack+0x33/0x60',
      ' kfree+0x120/0x3a0',
      ' quux_release+0x3e/0x80',
      '==================================================================',
    ]),
  );
  assert.equal(r.title, 'KASAN: slab-use-after-free Read in quux_frob_widget');
  assert.equal(r.corrupted, false);
  assert.equal(r.guiltyFrame, 'quux_frob_widget');
});

test('old WARNING header: the RIP function, unless it is a generic helper', () => {
  const log = stamp([
    '------------[ cut here ]------------',
    'WARNING: CPU: 1 PID: 4242 at net/core/gadget.c:77 gadget_attach+0x3b/0x90',
    'Modules linked in:',
    CPU,
    HW,
    'RIP: 0010:gadget_attach+0x3b/0x90',
    'Code: 48 89 ef e8 11 22 33 44 <0f> 0b eb cc',
    ...REGS,
    'Call Trace:',
    ' <TASK>',
    ' gadget_bind+0x91/0x200',
    ' __sys_bind+0x1c9/0x210',
    ' __x64_sys_bind+0x72/0xb0',
    ' do_syscall_64+0x5d/0x110',
    ' entry_SYSCALL_64_after_hwframe+0x72/0x7a',
    ' </TASK>',
    '---[ end trace 0000000000000000 ]---',
  ]);
  const r = firstCrash(log);
  assert.equal(r.title, 'WARNING in gadget_attach');
  assert.equal(r.corrupted, false);
  assert.equal(r.guiltyFrame, 'gadget_attach');
});

test('6.19 WARNING header: `file:line at func+off/size, CPU#n: comm/pid`', () => {
  const r = firstCrash(
    stamp([
      '------------[ cut here ]------------',
      'WARNING: fs/plonk/inode.c:318 at plonk_evict+0x2a4/0x330, CPU#0: syz.2.81/4242',
      'Modules linked in:',
      CPU,
      HW,
      'RIP: 0010:plonk_evict+0x2a4/0x330',
      ...REGS,
      'Call Trace:',
      ' <TASK>',
      ' evict+0x2e6/0x6b0',
      ' __dentry_kill+0x1d5/0x5e0',
      ' __fput+0x3f1/0xb30',
      ' task_work_run+0x14e/0x250',
      ' </TASK>',
    ]),
  );
  assert.equal(r.title, 'WARNING in plonk_evict');
  assert.equal(r.guiltyFrame, 'plonk_evict');
});

test('page fault: BUG unable to handle, the die line continues the report', () => {
  const r = firstCrash(
    stamp([
      'BUG: unable to handle page fault for address: ffffed1000abcdef',
      '#PF: supervisor read access in kernel mode',
      '#PF: error_code(0x0000) - not-present page',
      'PGD 7fff0067 P4D 7fff0067 PUD 0',
      'Oops: 0000 [#1] PREEMPT SMP KASAN',
      CPU,
      HW,
      'RIP: 0010:zorb_lookup+0x4c/0x190',
      ...REGS,
      'Call Trace:',
      ' <TASK>',
      ' zorb_getattr+0x23/0x80',
      ' vfs_statx+0x142/0x3a0',
      ' </TASK>',
    ]),
  );
  assert.equal(r.title, 'BUG: unable to handle kernel paging request in zorb_lookup');
  assert.equal(r.corrupted, false);
});

test('NULL pointer dereference', () => {
  const r = firstCrash(
    stamp([
      'BUG: kernel NULL pointer dereference, address: 0000000000000010',
      '#PF: supervisor read access in kernel mode',
      'Oops: 0000 [#1] SMP',
      CPU,
      'RIP: 0010:blip_queue_rq+0x19/0x70',
      ...REGS,
      'Call Trace:',
      ' <TASK>',
      ' blk_mq_dispatch_rq_list+0x2d1/0x9a0',
      ' __blk_mq_sched_dispatch_requests+0x1b3/0x3c0',
      ' </TASK>',
    ]),
  );
  assert.equal(r.title, 'BUG: unable to handle kernel NULL pointer dereference in blip_queue_rq');
});

test('general protection fault; a lone user-space "general protection fault ... error" is no crash', () => {
  const r = firstCrash(
    stamp([
      'Oops: general protection fault, probably for non-canonical address 0xdffffc0000000002: 0000 [#1] PREEMPT SMP KASAN',
      'KASAN: null-ptr-deref in range [0x0000000000000010-0x0000000000000017]',
      CPU,
      'RIP: 0010:frob_list_walk+0x61/0x220',
      ...REGS,
      'Call Trace:',
      ' <TASK>',
      ' frob_scan+0x8b/0x1e0',
      ' </TASK>',
    ]),
  );
  assert.equal(r.title, 'general protection fault in frob_list_walk');
  const userSegv = parseCrashLog(stamp(['traps: a.out[777] general protection fault ip:4011a6 sp:7ffd1234 error:0 in a.out[401000+1000]']));
  assert.equal(userSegv.reports.filter((x) => x.crash).length, 0);
});

test('kernel BUG at: skb helpers are skipped', () => {
  const r = firstCrash(
    stamp([
      '------------[ cut here ]------------',
      'kernel BUG at net/core/skbuff.c:4567!',
      'Oops: invalid opcode: 0000 [#1] PREEMPT SMP KASAN',
      CPU,
      'RIP: 0010:skb_frob_tail+0x3e1/0x3f0',
      ...REGS,
      'Call Trace:',
      ' <TASK>',
      ' skb_frob_more+0x20/0x40',
      ' widget_xmit+0x5bb/0x900',
      ' dev_hard_start_xmit+0x13d/0x6d0',
      ' </TASK>',
    ]),
  );
  assert.equal(r.title, 'kernel BUG in widget_xmit');
});

test('lockdep circular dependency: the lock site of the new lock', () => {
  const r = firstCrash(
    stamp([
      '======================================================',
      'WARNING: possible circular locking dependency detected',
      '6.8.0-test #1 Not tainted',
      '------------------------------------------------------',
      'syz-executor.7/4242 is trying to acquire lock:',
      'ffff88801f0e1230 (&dev->cfg_lock){+.+.}-{3:3}, at: frob_set_config+0x44/0x2c0',
      '',
      'but task is already holding lock:',
      'ffff88801f0e4560 (&dev->io_lock){+.+.}-{3:3}, at: frob_ioctl+0x91/0x6a0',
      '',
      'which lock already depends on the new lock.',
      '',
      'stack backtrace:',
      CPU,
      'Call Trace:',
      ' <TASK>',
      ' dump_stack_lvl+0x11a/0x1b0',
      ' __lock_acquire+0x1345/0x1fd0',
      ' lock_acquire+0x1b1/0x560',
      ' frob_set_config+0x44/0x2c0',
      ' </TASK>',
    ]),
  );
  assert.equal(r.title, 'possible deadlock in frob_set_config');
  assert.equal(r.corrupted, false);
});

test('hung task: scheduler and lock frames are passed over; rtnl_lock is a bucket of its own', () => {
  const hung = (frames: string[]) =>
    firstCrash(
      stamp([
        'INFO: task kworker/0:3:4242 blocked for more than 143 seconds.',
        '      Not tainted 6.8.0-test #1',
        '"echo 0 > /proc/sys/kernel/hung_task_timeout_secs" disables this message.',
        'task:kworker/0:3     state:D stack:26000 pid:4242  tgid:4242  ppid:2      flags:0x00004000',
        'Call Trace:',
        ' <TASK>',
        ...frames,
        ' </TASK>',
      ]),
    );
  const plain = hung([
    ' __schedule+0xd6a/0x2a50',
    ' schedule+0xe7/0x350',
    ' io_schedule+0xbf/0x130',
    ' folio_wait_bit_common+0x3d2/0x9b0',
    ' nibble_writepages+0x2a1/0x7d0',
    ' do_writepages+0x1a3/0x7f0',
  ]);
  // `folio_wait_bit_common` is a wait primitive too
  assert.equal(plain.title, 'INFO: task hung in nibble_writepages');
  const rtnl = hung([' __schedule+0xd6a/0x2a50', ' schedule+0xe7/0x350', ' __mutex_lock+0x9a5/0x1350', ' rtnl_lock+0x12/0x20', ' frob_netdev_work+0x22/0x120']);
  assert.equal(rtnl.title, 'INFO: task hung in rtnl_lock');
});

test('soft lockup: the frame above the syscall dispatcher names the stall', () => {
  const r = firstCrash(
    stamp(
      [
        'watchdog: BUG: soft lockup - CPU#1 stuck for 143s! [syz-executor.7:4242]',
        'Modules linked in:',
        CPU,
        'RIP: 0010:spinny_loop+0x33/0x90',
        ...REGS,
        'Call Trace:',
        ' <IRQ>',
        ' </IRQ>',
        ' <TASK>',
        ' spinny_loop+0x33/0x90',
        ' spinny_write+0x1c7/0x2d0',
        ' vfs_write+0x2a4/0xcb0',
        ' ksys_write+0x1a0/0x1c0',
        ' do_syscall_64+0x5d/0x110',
        ' </TASK>',
      ],
      'C1',
    ),
  );
  assert.equal(r.title, 'BUG: soft lockup in spinny_write');
});

test('rcu stall: frames from the timer interrupt on; a syscall wrapper loses its prefix', () => {
  const r = firstCrash(
    stamp(
      [
        'rcu: INFO: rcu_preempt self-detected stall on CPU',
        'rcu: \t1-....: (10500 ticks this GP) idle=8b4c/1/0x4000000000000000 softirq=9876/9876 fqs=5210',
        '\t(t=10502 jiffies g=12345 q=678 ncpus=2)',
        CPU,
        'RIP: 0010:mangle_bits+0x8c/0x110',
        ...REGS,
        'Call Trace:',
        ' <IRQ>',
        ' rcu_sched_clock_irq+0x243/0x4a0',
        ' update_process_times+0x1d9/0x220',
        ' sysvec_apic_timer_interrupt+0x95/0xb0',
        ' </IRQ>',
        ' <TASK>',
        ' asm_sysvec_apic_timer_interrupt+0x1a/0x20',
        'RIP: 0010:mangle_bits+0x8c/0x110',
        ...REGS,
        ' mangle_all+0x57/0x90',
        ' __do_sys_mangle+0x2f7/0x4e0',
        ' do_syscall_64+0x5d/0x110',
        ' </TASK>',
      ],
      'C1',
    ),
  );
  assert.equal(r.title, 'INFO: rcu detected stall in mangle');
  assert.equal(r.guiltyFrame, 'mangle');
});

test('syscall wrappers: `__do_sys_foo` -> `foo`, `__x64_sys_foo` -> `sys_foo` (as syzbot titles have it)', () => {
  const warn = (frame: string) =>
    firstCrash(
      stamp([
        'WARNING: CPU: 0 PID: 4242 at lib/refcount.c:25 refcount_warn_saturate+0x13a/0x1d0',
        CPU,
        'RIP: 0010:refcount_warn_saturate+0x13a/0x1d0',
        ...REGS,
        'Call Trace:',
        ' <TASK>',
        frame,
        ' do_syscall_64+0x5d/0x110',
        ' </TASK>',
      ]),
    ).title;
  assert.equal(warn(' __do_sys_twiddle+0x47/0x60'), 'WARNING: refcount bug in twiddle');
  assert.equal(warn(' __x64_sys_twiddle+0x47/0x60'), 'WARNING: refcount bug in sys_twiddle');
});

test('KCSAN data race: the header names both functions', () => {
  const r = firstCrash(
    stamp([
      '==================================================================',
      'BUG: KCSAN: data-race in tick_counter_add / tick_counter_read',
      '',
      'write to 0xffff888012345678 of 8 bytes by task 4242 on cpu 1:',
      ' tick_counter_add+0x2a/0x50',
      '',
      'read to 0xffff888012345678 of 8 bytes by task 4243 on cpu 0:',
      ' tick_counter_read+0x1c/0x40',
      '==================================================================',
    ]),
  );
  assert.equal(r.title, 'KCSAN: data-race in tick_counter_add / tick_counter_read');
  assert.equal(r.corrupted, false);
});

test('UBSAN: the first frame outside the sanitizer', () => {
  const r = firstCrash(
    stamp([
      '================================================================================',
      'UBSAN: shift-out-of-bounds in drivers/misc/quux.c:98:21',
      "shift exponent 77 is too large for 64-bit type 'long unsigned int'",
      CPU,
      'Call Trace:',
      ' <TASK>',
      ' dump_stack_lvl+0x11a/0x1b0',
      ' __ubsan_handle_shift_out_of_bounds+0x2a3/0x380',
      ' quux_shift+0x77/0x90',
      ' quux_ioctl+0x120/0x300',
      ' </TASK>',
    ]),
  );
  assert.equal(r.title, 'UBSAN: shift-out-of-bounds in quux_shift');
});

test('arm64 Unable to handle kernel ... the pc line names the function', () => {
  const log =
    [
      '[   42.000100] Unable to handle kernel NULL pointer dereference at virtual address 0000000000000008',
      '[   42.000200] Mem abort info:',
      '[   42.000300]   ESR = 0x0000000096000006',
      '[   42.000400] Internal error: Oops: 0000000096000006 [#1] PREEMPT SMP',
      '[   42.000500] CPU: 0 PID: 4242 Comm: syz-executor Not tainted 6.8.0-test #1',
      '[   42.000600] pstate: 60400005 (nZCv daif +PAN -UAO -TCO -DIT -SSBS BTYPE=--)',
      '[   42.000700] pc : wobble_poll+0x24/0x90',
      '[   42.000800] lr : do_sys_poll+0x3a0/0x5c0',
      '[   42.000900] Call trace:',
      '[   42.001000]  wobble_poll+0x24/0x90',
      '[   42.001100]  do_sys_poll+0x3a0/0x5c0',
      '[   42.001200]  __arm64_sys_ppoll+0xd8/0x1a0',
    ].join('\n') + '\n';
  const r = firstCrash(log);
  assert.equal(r.title, 'BUG: unable to handle kernel NULL pointer dereference in wobble_poll');
  assert.equal(r.corrupted, false);
});

test('corrupted: the stack never comes', () => {
  const r = firstCrash(
    stamp(['BUG: unable to handle page fault for address: ffffed1000abcdef', '#PF: supervisor read access in kernel mode', 'Oops: 0000 [#1] SMP', CPU]),
  );
  assert.equal(r.title, 'BUG: unable to handle kernel paging request in corrupted');
  assert.equal(r.corrupted, true);
  assert.ok(r.corruptedReason);
  assert.equal(r.guiltyFrame, 'corrupted');
});

test('corrupted: every stack entry is unreliable (`? ` entries do not count), the IP a generic helper', () => {
  const r = firstCrash(
    stamp([
      'general protection fault: 0000 [#1] SMP KASAN',
      CPU,
      'RIP: 0010:_raw_spin_lock+0x1c/0x40',
      ...REGS,
      'Call Trace:',
      ' ? frob_scan+0x8b/0x1e0',
      ' ? frob_ioctl+0x77/0x120',
      ' ? do_syscall_64+0x5d/0x110',
    ]),
  );
  // syzkaller's verdict stays; the guilty frame is where the report says it stopped.
  assert.equal(r.title, 'general protection fault in corrupted');
  assert.equal(r.corrupted, true);
  assert.equal(r.guiltyFrame, '_raw_spin_lock');
});

test('a report with an IP and a stack of `? ` entries only is not corrupted', () => {
  // 3.x, no frame pointers: every entry is unreliable. Without time stamps the `? ` lines stay in
  // syzkaller's text but never count as frames; with them they are dropped. Either way the RIP line
  // names the function.
  const lines = [
    'BUG: unable to handle kernel NULL pointer dereference at 0000000000000018',
    'IP: [<ffffffffa01c2b1e>] frob_poll+0x1e/0x90 [frob]',
    'PGD 7b0e3067 PUD 7b0e2067 PMD 0',
    'Oops: 0000 [#1] SMP',
    'CPU 1',
    'Pid: 2211, comm: frobd Not tainted 3.2.0-4-amd64 #1 Debian 3.2.54-2',
    'RIP: 0010:[<ffffffffa01c2b1e>]  [<ffffffffa01c2b1e>] frob_poll+0x1e/0x90 [frob]',
    'RSP: 0018:ffff88007b8f9d28  EFLAGS: 00010282',
    'RAX: 0000000000000000 RBX: ffff88007a1c0000 RCX: 0000000000000000',
    'Call Trace:',
    ' [<ffffffff8111b3c4>] ? do_sys_poll+0x244/0x4a0',
    ' [<ffffffff8111c0c4>] ? sys_poll+0x44/0xc0',
    ' [<ffffffff8136a652>] ? system_call_fastpath+0x16/0x1b',
    'Code: 48 89 ef e8 11 22 33 44 <48> 8b 40 18 eb cc',
    'RIP  [<ffffffffa01c2b1e>] frob_poll+0x1e/0x90 [frob]',
  ];
  for (const log of [lines.join('\n') + '\n', stamp(lines, 'C1')]) {
    const r = firstCrash(log);
    assert.equal(r.title, 'BUG: unable to handle kernel NULL pointer dereference in frob_poll');
    assert.equal(r.corrupted, false, r.corruptedReason ?? '');
    // The same without the parser's notes on which lines are `? ` entries.
    const parsed = parseCrashLog(log);
    titleAgain(wholeLogView(log, parsed.lineStarts), parsed.reports, 0, parsed.reports.length);
    assert.equal(parsed.reports.find((x) => x.crash)?.corrupted, false);
  }
  // Without an IP the `? ` entries are all there is: syzkaller's verdict stays.
  const noIp = firstCrash(
    stamp([
      'BUG: KASAN: use-after-free in frob_free_ring+0x2d/0x330',
      'Write of size 8 at addr ffff8801cd04fe98 by task frobd/2211',
      CPU,
      'Call Trace:',
      ' ? frob_release+0x37a/0x440',
      ' ? __fput+0x24/0x30',
      '',
      'Allocated by task 0:',
      '(stack is not available)',
    ]),
  );
  assert.equal(noIp.title, 'KASAN: use-after-free Write in frob_free_ring');
  assert.equal(noIp.corrupted, true);
});

test("a Xen PV guest's RIP line (code segment e030) names the function", () => {
  const modern = firstCrash(
    stamp([
      'BUG: unable to handle page fault for address: ffffc90000a1c000',
      '#PF: supervisor write access in kernel mode',
      'Oops: 0002 [#1] SMP NOPTI',
      'CPU: 1 PID: 2211 Comm: frobd Not tainted 5.10.0-20-amd64 #1 Debian 5.10.158-2',
      'RIP: e030:frob_write_ring+0x2c/0x90 [frob]',
      'Code: 48 89 ef e8 11 22 33 44 <89> 07 eb cc',
      'RSP: e02b:ffffc90000a1fd28 EFLAGS: 00010282',
      'Call Trace:',
      ' frob_ioctl+0x44/0x90 [frob]',
      ' __x64_sys_ioctl+0x8b/0xc0',
      ' do_syscall_64+0x33/0x80',
    ]),
  );
  assert.equal(modern.title, 'BUG: unable to handle kernel paging request in frob_write_ring');
  assert.equal(modern.corrupted, false);
  const old = firstCrash(
    [
      'general protection fault: 0000 [#1] SMP ',
      'CPU 0 ',
      'Pid: 17, comm: xenwatch Not tainted 2.6.32-5-xen-amd64 #1 ',
      'RIP: e030:[<ffffffff8100e4a1>]  [<ffffffff8100e4a1>] xen_frob_pte+0x21/0x60',
      'RSP: e02b:ffff88003e1f9d60  EFLAGS: 00010246',
      'Call Trace:',
      ' [<ffffffff8100e7a2>] xen_frob_range+0x42/0x90',
      ' [<ffffffff81231b5c>] xenwatch_thread+0x11c/0x150',
      ' [<ffffffff81012baa>] child_rip+0xa/0x20',
    ].join('\n') + '\n',
  );
  assert.equal(old.title, 'general protection fault in xen_frob_pte');
  assert.equal(old.corrupted, false);
});

test('IP lines syzkaller does not know name the function too: i386, mips, loongarch, s390, ppc64 dot symbols', () => {
  // [log, title]
  const cases: [string[], string][] = [
    [
      [
        'Unable to handle kernel NULL pointer dereference at virtual address 00000000',
        ' printing eip:',
        'c0562cf4',
        'Oops: 0000 [#1]',
        'EIP:    0060:[<c0562cf4>]    Not tainted VLI',
        'EFLAGS: 00010292   (2.6.11-frob)',
        'EIP is at frob_str_to_user+0x24/0x50',
        'eax: 00000000   ebx: 00000000   ecx: 00000000   edx: f7a1c000',
        'Call Trace:',
        ' [<c0562e1a>] frob_read+0x2a/0x40',
        ' [<c0157a3b>] vfs_read+0x9b/0x160',
      ],
      'BUG: unable to handle kernel NULL pointer dereference in frob_str_to_user',
    ],
    [
      [
        'CPU 0 Unable to handle kernel paging request at virtual address 00000000, epc == 804dd50c, ra == 804dd4f0',
        'Oops[#1]:',
        'CPU: 0 PID: 1 Comm: swapper Not tainted 5.4.0 #0',
        '$ 0   : 00000000 00000001 00000000 00000000',
        'epc   : 804dd50c frob_find_obj+0x3c/0x114',
        'ra    : 804dd4f0 frob_find_obj+0x20/0x114',
        'Status: 10008703 KERNEL EXL IE',
        'Call Trace:',
        '[<804dd50c>] frob_find_obj+0x3c/0x114',
        '[<80414a4c>] frob_probe+0x4c/0x1a0',
      ],
      'BUG: unable to handle kernel paging request in frob_find_obj',
    ],
    [
      [
        'CPU 3 Unable to handle kernel paging request at virtual address ffff800034bd0000, era == 9000000000223d5c, ra == 9000000000a1b2c4',
        'Oops[#1]:',
        'CPU: 3 PID: 2211 Comm: frobd Not tainted 6.3.0 #1',
        'era   : 9000000000223d5c frob_copy_toio+0x4c/0x90',
        ' ra   : 9000000000a1b2c4 frob_blit+0x84/0x120',
        'Call Trace:',
        '[<9000000000223d5c>] frob_copy_toio+0x4c/0x90',
        '[<9000000000a1b2c4>] frob_blit+0x84/0x120',
      ],
      'BUG: unable to handle kernel paging request in frob_copy_toio',
    ],
    [
      [
        'kernel BUG at fs/frob/compress.c:1041!',
        'monitor event: 0040 ilc:2 [#1] SMP',
        'CPU: 16 UID: 0 PID: 325 Comm: kworker/u273:3 Not tainted 6.13.0 #1',
        'Krnl PSW : 0704d00180000000 0000021761df6538 (frob_compress_folios+0x198/0x1a0)',
        '           R:0 T:1 IO:1 EX:1 Key:0 M:1 W:0 P:0 AS:3 CC:1 PM:0 RI:0 EA:3',
        'Krnl GPRS: 0000000000000000 0000000000000001 0000000000000000 0000000000000000',
        'Call Trace:',
        ' [<0000021761df6538>] frob_compress_folios+0x198/0x1a0',
        ' [<0000021761e0a1c4>] frob_compress_work+0x54/0x120',
      ],
      'kernel BUG in frob_compress_folios',
    ],
    [
      [
        'Unable to handle kernel paging request for data at address 0x2020207044657669',
        'Faulting instruction address: 0xc0000000001f91d8',
        'Oops: Kernel access of bad area, sig: 11 [#1]',
        'NIP: c0000000001f91d8 LR: c0000000001f92d4 CTR: 0000000000000000',
        'NIP [c0000000001f91d8] .frob_cache_alloc+0x98/0x2f0',
        'LR [c0000000001f92d4] .frob_cache_alloc+0x194/0x2f0',
        'Call Trace:',
        '[c0000003f5bdba90] [c0000000001f92d4] .frob_cache_alloc+0x194/0x2f0 (unreliable)',
        '[c0000003f5bdbb40] [c00000000021df30] .frob_pipe_info+0x30/0xf0',
      ],
      'BUG: unable to handle kernel paging request in frob_cache_alloc',
    ],
  ];
  for (const [lines, title] of cases) {
    const r = firstCrash(lines.join('\n') + '\n');
    assert.equal(r.title, title, lines[0]);
    assert.equal(r.corrupted, false, `${lines[0]}: ${r.corruptedReason}`);
  }
  // A generic helper in a dot-symbol NIP: the stack's first own frame, as everywhere.
  const helper = firstCrash(
    [
      'Unable to handle kernel paging request for data at address 0x2020207044657669',
      'NIP [c0000000001f91d8] .kmem_cache_alloc_trace+0x98/0x2f0',
      'Call Trace:',
      '[c0000003f5bdba90] [c0000000001f92d4] .kmem_cache_alloc_trace+0x194/0x2f0 (unreliable)',
      '[c0000003f5bdbb40] [c00000000021df30] .frob_pipe_info+0x30/0xf0',
    ].join('\n') + '\n',
  );
  assert.equal(helper.title, 'BUG: unable to handle kernel paging request in frob_pipe_info');
});

test("old kernels' `WARNING: at file:line func()`: the header names the function", () => {
  const warn = (header: string, frames: string[]) =>
    firstCrash(
      [
        '------------[ cut here ]------------',
        header,
        'Hardware name: ProLiant DL380 G6',
        'Modules linked in: frob(+) bridge stp',
        'Pid: 2211, comm: frobd Not tainted 2.6.32-5-amd64 #1',
        'Call Trace:',
        ' [<ffffffff8104dd1b>] ? warn_slowpath_common+0x7b/0xc0',
        ' [<ffffffff8104dd77>] ? warn_slowpath_null+0x17/0x20',
        ...frames,
        '---[ end trace 4eaa2a86a8e2da22 ]---',
      ].join('\n') + '\n',
    );
  const frames = [' [<ffffffff8123a0b5>] ? frob_xmit+0x45/0x90', ' [<ffffffff8123b1c5>] ? dev_hard_start_xmit+0x155/0x2a0'];
  for (const header of [
    'WARNING: at net/core/frob.c:1234 frob_segment+0x1f2/0x2a0()',
    'WARNING: at net/core/frob.c:1234 frob_segment()',
    'WARNING: at net/core/frob.c:1234 frob_segment+0x1f2/0x2a0 [frob]()',
    'WARNING: at net/core/frob.c:1234 frob_segment+0x1f2/0x2a0() (Not tainted)',
  ]) {
    const r = warn(header, frames);
    assert.equal(r.title, 'WARNING in frob_segment', header);
    assert.equal(r.corrupted, false, header);
    assert.equal(r.guiltyFrame, 'frob_segment', header);
  }
  // These WARNINGs go by the function on their header, generic helper or not, stack or not.
  const helper = warn('WARNING: at fs/buffer.c:1154 mark_buffer_dirty()', [' [<c01dc00f>] frob_update_superblock+0x6f/0xd0']);
  assert.equal(helper.title, 'WARNING in mark_buffer_dirty');
  const bare = firstCrash(['WARNING: at fs/buffer.c:1154 mark_buffer_dirty()', 'Buffer I/O error on device sdb5, logical block 1560'].join('\n') + '\n');
  assert.equal(bare.title, 'WARNING in mark_buffer_dirty');
  assert.equal(bare.corrupted, false);
  // No function on the header: its line is the title, as before.
  assert.equal(warn('WARNING: at arch/x86/kernel/cpu/mtrr/generic.c:467', frames).title, 'WARNING: at arch/x86/kernel/cpu/mtrr/generic.c:LINE');
});

test('a stall whose stack reaches no dispatcher is where its RIP line says', () => {
  // RHEL 6: an idle CPU stuck in the idle driver, every entry unreliable, no syscall or worker
  // below it. syzkaller (its stall anchors all missing) says `soft lockup in corrupted`.
  const idle = firstCrash(
    [
      'BUG: soft lockup - CPU#3 stuck for 67s! [swapper:0]',
      'Modules linked in: frob(U) bridge stp',
      'CPU 3 ',
      'Pid: 0, comm: swapper Tainted: G  --L------------  2.6.32-642.el6.x86_64 #1 HP ProLiant DL380 G7',
      'RIP: 0010:[<ffffffff812d1b3e>]  [<ffffffff812d1b3e>] intel_idle+0xde/0x170',
      'RSP: 0018:ffff88012c6ebe08  EFLAGS: 00000206',
      'RAX: 0000000000000020 RBX: ffff88012c6ebe78 RCX: 0000000000000000',
      'Call Trace:',
      ' [<ffffffff812d1b19>] ? intel_idle+0xb9/0x170',
      ' [<ffffffff81430c8a>] ? cpuidle_idle_call+0xba/0x140',
      ' [<ffffffff81009fe6>] ? cpu_idle+0xb6/0x110',
      ' [<ffffffff8153ec05>] ? start_secondary+0x2c2/0x30f',
    ].join('\n') + '\n',
  );
  assert.equal(idle.title, 'BUG: soft lockup in intel_idle');
  assert.equal(idle.corrupted, false, idle.corruptedReason ?? '');
  assert.equal(idle.taint, 'L');
  assert.equal(idle.release, '2.6.32-642.el6.x86_64');
  // A kernel thread of an old kernel ends in `child_rip`, no anchor either.
  const thread = firstCrash(
    stamp([
      'BUG: soft lockup - CPU#0 stuck for 61s! [frobd:2211]',
      CPU,
      'RIP: 0010:frob_spin_wait+0x33/0x90 [frob]',
      ...REGS,
      'Call Trace:',
      ' frob_spin_wait+0x33/0x90 [frob]',
      ' frob_thread+0x1c7/0x2d0 [frob]',
      ' child_rip+0xa/0x20',
    ]),
  );
  assert.equal(thread.title, 'BUG: soft lockup in frob_spin_wait');
  // A RIP in a generic helper is no answer: syzkaller's verdict stays.
  const helper = firstCrash(
    stamp([
      'BUG: soft lockup - CPU#0 stuck for 61s! [frobd:2211]',
      CPU,
      'RIP: 0010:_raw_spin_lock+0x1c/0x40',
      ...REGS,
      'Call Trace:',
      ' _raw_spin_lock+0x1c/0x40',
      ' frob_thread+0x1c7/0x2d0 [frob]',
      ' child_rip+0xa/0x20',
    ]),
  );
  assert.equal(helper.title, 'BUG: soft lockup in corrupted');
  assert.equal(helper.corrupted, true);
  assert.equal(helper.guiltyFrame, '_raw_spin_lock');
  // Where a stack overflowed says little about the recursion: syzkaller's verdict stays.
  const overflow = firstCrash(
    stamp([
      'BUG: stack guard page was hit at 00000000397c6d92 (stack is 00000000a0f6b86a..000000000e6f9570)',
      'kernel stack overflow (double-fault): 0000 [#1] PREEMPT SMP',
      CPU,
      'RIP: 0010:frob_lookup+0x1d/0x3f0',
      ...REGS,
      'Call Trace:',
      ' ? frob_err+0xcb/0x640',
      ' ? frob_tunnel_err+0x105/0x270',
      ' ? frob_err+0xcb/0x640',
      ' ? frob_tunnel_err+0x105/0x270',
    ]),
  );
  assert.equal(overflow.title, 'BUG: stack guard page was hit in corrupted');
  assert.equal(overflow.corrupted, true);
  assert.equal(overflow.guiltyFrame, 'frob_lookup');
});

test('corrupted: only the panic line of a lost report is left', () => {
  const r = firstCrash(stamp(['Kernel panic - not syncing: Fatal exception', 'Kernel Offset: disabled']));
  assert.equal(r.title, 'kernel panic: Fatal exception');
  assert.equal(r.corrupted, true);
});

test('headers anywhere in a line, and known false alarms', () => {
  const merged = parseCrashLog(
    '[   10.000001] frobnicating the widgetsBUG: spinlock recursion on CPU#0, swapper/1\n' +
      '[   10.000002] CPU: 0 PID: 1 Comm: swapper Not tainted 6.8.0-test #1\n' +
      '[   10.000003] Call Trace:\n' +
      '[   10.000004]  spin_dump+0x55/0x70\n' +
      '[   10.000005]  do_raw_spin_lock+0x110/0x130\n' +
      '[   10.000006]  widget_probe+0x21/0x90\n' +
      '[   10.000007]  driver_probe_device+0x1d0/0x2e0\n',
  );
  const crash = merged.reports.filter((r) => r.crash);
  assert.equal(crash.length, 1);
  assert.equal(crash[0].title, 'BUG: spinlock recursion in widget_probe');
  for (const noise of [
    'INFO: NMI handler (perf_event_nmi_handler) took too long to run: 1.234 msecs',
    'WARNING: The mand mount option has been deprecated and',
    'EXT4-fs (sda1): INFO: recovery required on readonly filesystem',
  ]) {
    assert.equal(parseCrashLog(stamp([noise])).reports.filter((r) => r.crash).length, 0, noise);
  }
});

test('a header cut off and printed again whole counts once', () => {
  const r = parseCrashLog(
    '[   50.1][   T31] INFO: t\n** replaying previous printk message **\n' +
      stamp(
        [
          'INFO: task frobd:777 blocked for more than 143 seconds.',
          'Call Trace:',
          ' <TASK>',
          ' __schedule+0xd6a/0x2a50',
          ' schedule+0xe7/0x350',
          ' frob_idle_loop+0x5c/0x90',
          ' </TASK>',
        ],
        'T31',
        50.2,
      ),
  ).reports.filter((x) => x.crash);
  assert.equal(r[0].title, 'INFO: task hung in frob_idle_loop');
});

test('what the parser tells titles about entry lines changes no title', () => {
  // parse.ts hands titles the shape of each stack entry it read (title.ts LineShape); a view that
  // knows nothing (the editor's re-description after an edit) must title every report the same.
  for (const { name, text } of fixtureLogs()) {
    const log = parseCrashLog(text);
    const before = log.reports.map((r) => [r.title, r.corrupted, r.corruptedReason, r.guiltyFrame, r.crash]);
    titleAgain(wholeLogView(text, log.lineStarts), log.reports, 0, log.reports.length);
    assert.deepEqual(
      log.reports.map((r) => [r.title, r.corrupted, r.corruptedReason, r.guiltyFrame, r.crash]),
      before,
      name,
    );
  }
});

test('a title format is tried only on lines holding the text its matches start with', () => {
  assert.equal(requiredPrefix(/BUG: KASAN: ([a-z-]+) in/), 'BUG: KASAN: ');
  assert.equal(requiredPrefix(/kernel BUG at mm\/usercopy.c/), 'kernel BUG at mm/usercopy');
  assert.equal(requiredPrefix(/^INFO: .*stall|^INFO: .*stalls/), '');
  assert.equal(requiredPrefix(/WARNING:? (foo)/), 'WARNING');
  assert.equal(requiredPrefix(/ab+c/), 'ab');
  assert.equal(requiredPrefix(/warning: x/i), '');
  // Every line of the fixtures a format matches holds its prefix.
  for (const { text } of fixtureLogs()) {
    for (const line of text.split('\n')) {
      for (const kind of OOPS_KINDS) {
        for (const f of kind.formats) if (f.title.test(line)) assert.ok(line.includes(f.titlePrefix), `${f.title.source} on ${line}`);
      }
    }
  }
});

test('Rust and C++ names are demangled as titles show them; anything else stays as printed', () => {
  // [printed, in titles]
  const cases: [string, string][] = [
    // Rust v0: crate roots with hashes, inherent and trait impls, backreferences, generics, closures
    ['_RNvNtCs1234_6kernel5print11call_printk', 'kernel::print::call_printk'],
    ['_RNvMs0_NtCs7Hx2Lk9aQ1_9rust_frob6deviceNtB5_6Device5reset', '<rust_frob::device::Device>::reset'],
    ['_RNvXs_NtCs7Hx2Lk9aQ1_9rust_frob6deviceNtB4_6DeviceNtCsaB3cD4eF5g_6kernel7FileOps4read', '<rust_frob::device::Device as kernel::FileOps>::read'],
    ['_RNvYNtCs7Hx2Lk9aQ1_9rust_frob5ProbeNtCsaB3cD4eF5g_6kernel6Driver5probe', '<rust_frob::Probe as kernel::Driver>::probe'],
    ['_RNvCs5tY7uI9oP0a_7___rustc17rust_begin_unwind', '__rustc::rust_begin_unwind'],
    ['_RINvNtCs7Hx2Lk9aQ1_9rust_frob4util8copy_bufjEB4_', 'rust_frob::util::copy_buf::<usize>'],
    ['_RNvMNtCs7Hx2Lk9aQ1_9rust_frob4ringINtB2_4RingRShE4push', '<rust_frob::ring::Ring<&[u8]>>::push'],
    ['_RNCNvNtCs7Hx2Lk9aQ1_9rust_frob4util9walk_list0B7_', 'rust_frob::util::walk_list::{closure#0}'],
    ['_RNvNtCs7Hx2Lk9aQ1_9rust_frob4util4fill.llvm.12345', 'rust_frob::util::fill'],
    // legacy Rust: the hash goes
    ['_ZN6kernel5print11call_printk17h0123456789abcdefE', 'kernel::print::call_printk'],
    ['_ZN9rust_frob4ring13Ring$LT$T$GT$4push17h0a1b2c3d4e5f6789E', 'rust_frob::ring::Ring<T>::push'],
    // Itanium C++: the name without parameters
    ['_ZN3foo3barEv', 'foo::bar'],
    ['_Z9frob_testPKc', 'frob_test'],
    ['_ZNK5frobs6Widget4sizeEv', 'frobs::Widget::size'],
    ['_ZN5frobs6WidgetC2Ev', 'frobs::Widget::Widget'],
    ['_ZN5frobs6WidgetD1Ev', 'frobs::Widget::~Widget'],
    ['_ZL10frob_localv', 'frob_local'],
    ['_ZNSt6chrono3nowEv', 'std::chrono::now'],
    // beyond the subset, malformed, or C
    ['_Z4frobIiEvT_', '_Z4frobIiEvT_'],
    ['_RNvB0_3foo', '_RNvB0_3foo'],
    ['_RNvCs1_6kernel', '_RNvCs1_6kernel'],
    ['_ZN3foo', '_ZN3foo'],
    ['_raw_spin_lock', '_raw_spin_lock'],
    ['__schedule', '__schedule'],
    ['frob_ioctl', 'frob_ioctl'],
  ];
  for (const [printed, shown] of cases) assert.equal(demangle(printed), shown, printed);
});

const RUST_PANIC_STACK = [
  'Call Trace:',
  ' <TASK>',
  ' _RNvCs5tY7uI9oP0a_7___rustc17rust_begin_unwind+0x15b/0x160',
  ' ? _RNvNtCs7Hx2Lk9aQ1_9rust_frob4util4fill+0x21/0x80',
  ' _RNvNtCs9fQ2wE8rT1y_4core9panicking9panic_fmt+0x84/0x90',
  ' _RNvNtNtCs9fQ2wE8rT1y_4core9panicking11panic_const23panic_const_div_by_zero+0xb2/0xc0',
  ' _RNvMs0_NtCs7Hx2Lk9aQ1_9rust_frob6deviceNtB5_6Device5reset+0x17e5/0x1860',
  ' _RNvXs_NtCs7Hx2Lk9aQ1_9rust_frob6deviceNtB4_6DeviceNtCsaB3cD4eF5g_6kernel7FileOps4read+0x2cf/0x960',
  ' vfs_read+0x1c2/0x8e0',
  ' ksys_read+0x12f/0x250',
  ' do_syscall_64+0x5d/0x110',
  ' </TASK>',
];

test('Rust panic: the panic machinery is skipped, the culprit demangled; frames keep the printed name', () => {
  const log = stamp([
    'rust_kernel: panicked at drivers/misc/rust_frob/device.rs:212:9:',
    'attempt to divide by zero',
    '------------[ cut here ]------------',
    'kernel BUG at rust/helpers/bug.c:7!',
    'Oops: invalid opcode: 0000 [#1] PREEMPT SMP KASAN',
    CPU,
    HW,
    'RIP: 0010:rust_helper_BUG+0x8/0x10',
    ...REGS,
    ...RUST_PANIC_STACK,
  ]);
  const r = firstCrash(log);
  assert.equal(r.title, 'attempt to divide by zero in <rust_frob::device::Device>::reset');
  assert.equal(r.corrupted, false);
  assert.equal(r.guiltyFrame, '<rust_frob::device::Device>::reset');
  const frames = parseCrashLog(log).reports.flatMap((x) => x.stacks.flatMap((s) => s.frames.map((f) => f.function)));
  assert.ok(frames.includes('_RNvMs0_NtCs7Hx2Lk9aQ1_9rust_frob6deviceNtB5_6Device5reset'));
  // A paste without time stamps: the BUG that follows the message is no report of its own.
  const pasted = firstCrash(log.replace(/^\[[^\]]*\]\[[^\]]*\] /gm, ''));
  assert.equal(pasted.title, 'attempt to divide by zero in <rust_frob::device::Device>::reset');
  // Without the panic message (another console, lost), the BUG names the same culprit.
  const bug = firstCrash(
    stamp([
      'kernel BUG at rust/helpers/bug.c:7!',
      'Oops: invalid opcode: 0000 [#1] PREEMPT SMP KASAN',
      CPU,
      'RIP: 0010:rust_helper_BUG+0x8/0x10',
      ...REGS,
      ...RUST_PANIC_STACK,
    ]),
  );
  assert.equal(bug.title, 'kernel BUG in <rust_frob::device::Device>::reset');
  // Legacy mangling (the first Rust-for-Linux trees) and C++ names read the same way.
  const legacy = firstCrash(
    stamp([
      'BUG: kernel NULL pointer dereference, address: 0000000000000010',
      'Oops: 0000 [#1] SMP',
      CPU,
      'RIP: 0010:_ZN9rust_frob6device6Device5reset17h0a1b2c3d4e5f6789E+0x19/0x70',
      ...REGS,
      'Call Trace:',
      ' <TASK>',
      ' _ZN5frobs6Widget4pokeEi+0x2d1/0x9a0',
      ' </TASK>',
    ]),
  );
  assert.equal(legacy.title, 'BUG: unable to handle kernel NULL pointer dereference in rust_frob::device::Device::reset');
  assert.equal(legacy.guiltyFrame, 'rust_frob::device::Device::reset');
});

test('WARNING without file:line (no CONFIG_DEBUG_BUGVERBOSE): the RIP line names the function', () => {
  const r = firstCrash(
    stamp([
      'Voluntary context switch within RCU read-side critical section!',
      'WARNING: CPU: 1 PID: 281 at frob_note_switch+0x3f7/0x550',
      'Modules linked in: frob',
      CPU,
      'RIP: 0010:frob_note_switch+0x3f7/0x550',
      ...REGS,
      'Call Trace:',
      ' <TASK>',
      ' __schedule+0xd6a/0x2a50',
      ' </TASK>',
    ]),
  );
  assert.equal(r.title, 'WARNING in frob_note_switch');
  assert.equal(r.guiltyFrame, 'frob_note_switch');
});

test('a line a mailer wrapped is read with one blank where it broke', () => {
  // Titles read a wrapped line joined with its rest (lines.ts readWrapped), the mail quote left out.
  const log = [
    '> [  100.000001] WARNING: CPU: 6 PID: 111 at crypto/frobmgr.c:5773',
    '> frob_test+0x348/0x4d0',
    '> [  100.000002] Modules linked in:',
    '> [  100.000003] CPU: 6 PID: 111 Comm: frobmgr_test Not tainted',
    '> 5.19.0-rc5 #1',
    '> [  100.000004] RIP: 0010:frob_test+0x348/0x4d0',
    '> [  100.000005] Call Trace:',
    '> [  100.000006]  frobmgr_test+0x30/0x50',
    '> [  100.000007]  do_one_initcall+0x30/0x50',
  ].join('\n');
  const r = parseCrashLog(log).reports[0];
  assert.equal(r.title, 'WARNING in frob_test');
  assert.equal(r.corrupted, false);
  assert.equal(r.release, '5.19.0-rc5');
});
