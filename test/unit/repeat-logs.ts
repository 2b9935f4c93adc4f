// Logs with repeated reports, written here in the kernel's formats (a network driver's watchdog
// WARNING, a NULL dereference in an ioctl), for test/lsp/outline.test.ts and test/unit/group.test.ts.

/** One WARNING from a network driver's watchdog, at time `t`; `extra` adds `? ` lines to its trace. */
export function watchdogWarning(t: number, extra: string[] = []): string[] {
  const at = (i: number) => `[${String(t).padStart(5)}.${String(100000 + i * 37).padStart(6, '0')}]`;
  const lines = [
    '------------[ cut here ]------------',
    'NETDEV WATCHDOG: eth3 (wobble): transmit queue 1 timed out 5340 ms',
    'WARNING: CPU: 2 PID: 0 at net/sched/sch_generic.c:525 dev_watchdog+0x235/0x240',
    'Modules linked in: wobble(O) e1000e crc32c_intel',
    'CPU: 2 PID: 0 Comm: swapper/2 Tainted: G           O       6.6.8 #1',
    'Hardware name: QEMU Standard PC (Q35 + ICH9, 2009), BIOS 1.16.2-1 04/01/2014',
    'RIP: 0010:dev_watchdog+0x235/0x240',
    'RSP: 0018:ffffc900001a8e80 EFLAGS: 00010286',
    'RAX: 0000000000000000 RBX: ffff888004c1c000 RCX: 0000000000000000',
    'Call Trace:',
    ' <IRQ>',
    ' ? __warn+0x81/0x130',
    ' ? dev_watchdog+0x235/0x240',
    ...extra,
    ' call_timer_fn+0x24/0x130',
    ' __run_timers+0x222/0x2c0',
    ' run_timer_softirq+0x2f/0x50',
    ' __do_softirq+0xc6/0x2ac',
    ' irq_exit_rcu+0x96/0xc0',
    ' sysvec_apic_timer_interrupt+0x72/0x90',
    ' </IRQ>',
    '---[ end trace 0000000000000000 ]---',
  ];
  return lines.map((l, i) => `${at(i)} ${l}`);
}

export const NULL_DEREF = [
  '[   20.500100] BUG: kernel NULL pointer dereference, address: 0000000000000018',
  '[   20.500200] #PF: supervisor read access in kernel mode',
  '[   20.500300] #PF: error_code(0x0000) - not-present page',
  '[   20.500400] Oops: 0000 [#1] PREEMPT SMP NOPTI',
  '[   20.500500] CPU: 0 PID: 412 Comm: wobblectl Tainted: G        W  O       6.6.8 #1',
  '[   20.500600] RIP: 0010:wobble_ioctl+0x4c/0x1a0 [wobble]',
  '[   20.500700] RSP: 0018:ffffc90000a3fd98 EFLAGS: 00010246',
  '[   20.500800] Call Trace:',
  '[   20.500900]  <TASK>',
  '[   20.501000]  __x64_sys_ioctl+0x90/0xd0',
  '[   20.501100]  do_syscall_64+0x3b/0x90',
  '[   20.501200]  entry_SYSCALL_64_after_hwframe+0x6e/0xd8',
  '[   20.501300]  </TASK>',
  '[   20.501400] ---[ end trace 0000000000000000 ]---',
];
