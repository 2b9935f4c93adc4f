// Parser behaviour that the fixture snapshots do not pin down on their own.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCrashLog } from '../../server/src/parser/parse.ts';

test("another program's syslog line is never a stack entry, even one that looks like it", () => {
  const log = parseCrashLog(
    [
      'Jan 12 19:08:41 host kernel: BUG: kernel NULL pointer dereference, address: 0000000000000008',
      'Jan 12 19:08:41 host kernel: Call Trace:',
      'Jan 12 19:08:41 host kernel:  vfs_read+0x1/0x40',
      'Jan 12 19:08:41 host myapp[12]:  foo_bar+0x1/0x2',
      'Jan 12 19:08:41 host kernel:  ksys_read+0x1/0x40',
    ].join('\n') + '\n',
  );
  assert.deepEqual(
    log.reports[0].stacks.flatMap((s) => s.frames.map((f) => f.function)),
    ['vfs_read', 'ksys_read'],
  );
});

test('a hung-task report names the blocked task, colons in its name and all', () => {
  const log = parseCrashLog(
    [
      '[  120.100000] INFO: task kworker/0:1:12 blocked for more than 10 seconds.',
      '[  120.100001]       Not tainted 6.1.0 #1',
      '[  120.100002] task:kworker/0:1     state:D stack:0     pid:12    ppid:2      flags:0x00004000',
      '[  120.100003] Call Trace:',
      '[  120.100004]  <TASK>',
      '[  120.100005]  __schedule+0x2f1/0x880',
      '[  120.100006]  </TASK>',
    ].join('\n') + '\n',
  );
  assert.equal(log.reports.length, 1);
  assert.equal(log.reports[0].comm, 'kworker/0:1');
  assert.equal(log.reports[0].pid, 12);
});

test("taint letters and release from every taint line, RHEL's extra columns included", () => {
  // [line after the header, taint, release]
  const cases: [string, string, string][] = [
    ['CPU: 2 PID: 881 Comm: frobd Tainted: G        W  O      6.1.0-13-amd64 #1 Debian 6.1.55-1', 'WO', '6.1.0-13-amd64'],
    ['CPU: 0 PID: 1 Comm: init Not tainted 5.15.0 #4', '', '5.15.0'],
    ['Pid: 0, comm: swapper Tainted: G  --L------------  2.6.32-642.el6.x86_64 #1 HP ProLiant DL380 G7', 'L', '2.6.32-642.el6.x86_64'],
    ['Pid: 77, comm: kblockd/0 Tainted: P           2.6.18-92.el5 #1', 'P', '2.6.18-92.el5'],
    // RHEL 7: `T` after the dashes is its tech-preview flag
    ['CPU: 3 PID: 0 Comm: swapper/3 Tainted: G  --L------------ T 3.10.0-693.el7.x86_64 #1', 'LT', '3.10.0-693.el7.x86_64'],
    ['CPU: 5 PID: 2207 Comm: kworker/5:2 Tainted: G           OE  ------------   3.10.0-1160.el7.x86_64 #1', 'OE', '3.10.0-1160.el7.x86_64'],
    ['      Tainted: G  --L------------  2.6.32-642.el6.x86_64 #1', 'L', '2.6.32-642.el6.x86_64'],
    // a syslog squeezed the indentation away
    ['Not tainted 6.13.0-rc5+ #1', '', '6.13.0-rc5+'],
    ['Tainted: G        W          6.1.0-13-amd64 #1', 'W', '6.1.0-13-amd64'],
    ['3.10.0-693.el7.x86_64 #1 Tainted: G  --L------------ T', 'LT', '3.10.0-693.el7.x86_64'],
    // every column blank
    ['Pid: 912, comm: X Tainted:              3.1.0-0.rc9.git0.0.fc16.x86_64 #1', '', '3.1.0-0.rc9.git0.0.fc16.x86_64'],
  ];
  for (const [facts, taint, release] of cases) {
    const log = parseCrashLog(
      ['BUG: soft lockup - CPU#3 stuck for 22s! [frobd:881]', facts, 'Call Trace:', ' [<ffffffff8112a400>] frob_all+0x20/0x40'].join('\n') + '\n',
    );
    assert.deepEqual([log.reports[0].taint, log.reports[0].release], [taint, release], facts);
  }
});

test('entries whose indentation a tool stripped are still entries, `? ` ones included', () => {
  const log = parseCrashLog(
    [
      '[  235.553325] BUG: sleeping function called from invalid context at arch/x86/mm/fault.c:1351',
      '[  235.559020] CPU: 1 PID: 7515 Comm: trinity-c1 Not tainted 5.10.0 #2',
      '[  235.560317] Call Trace:',
      '[  235.560767] dump_stack+0x7d/0xa3 ',
      '[  235.562063] ? do_user_addr_fault+0x196/0x59e ',
      '[  235.562834] do_user_addr_fault+0x234/0x59e ',
      '? test_rtc_set_time+0x80/0x80 [rtc_test]',
    ].join('\n') + '\n',
  );
  const frames = log.reports[0].stacks.flatMap((s) => s.frames);
  assert.deepEqual(
    frames.map((f) => [f.function, f.reliable, f.module]),
    [
      ['dump_stack', true, null],
      ['do_user_addr_fault', false, null],
      ['do_user_addr_fault', true, null],
      ['test_rtc_set_time', false, 'rtc_test'],
    ],
  );
});

test('a 32-bit ARM entry takes its offset from the line before, which printed it as the caller', () => {
  const log = parseCrashLog(
    [
      'Internal error: Oops: 5 [#1] SMP ARM',
      'Call trace: ',
      ' blink_toggle [blinker] from blink_timer+0x30/0x50 [blinker]',
      ' blink_timer [blinker] from call_timer_fn+0x34/0x150',
      ' call_timer_fn from run_timer_softirq+0x1cc/0x2a0',
      ' run_timer_softirq from __do_softirq+0x10c/0x3ac',
    ].join('\n') + '\n',
  );
  const frames = log.reports[0].stacks.flatMap((s) => s.frames);
  assert.deepEqual(
    frames.map((f) => [f.function, f.offset, f.size, f.module]),
    [
      ['blink_toggle', null, null, 'blinker'],
      ['blink_timer', 0x30, 0x50, 'blinker'],
      ['call_timer_fn', 0x34, 0x150, null],
      ['run_timer_softirq', 0x1cc, 0x2a0, null],
    ],
  );
  assert.equal(log.reports[0].arch, 'arm');
});

test('the architecture comes from what the report prints, never i386 from 8-digit addresses alone', () => {
  const arch = (lines: string[]) => parseCrashLog(lines.join('\n') + '\n').reports.map((r) => r.arch);
  // mips: 8-digit addresses, `$ 0 :` registers and `epc : value symbol`.
  assert.deepEqual(
    arch([
      'Oops[#1]:',
      '$ 0   : 00000000 00000001 00000000 86f2de40',
      'Hi    : 00000000',
      'epc   : 80321a6c led_store+0x3c/0x98',
      'Call Trace:',
      '[<80321a6c>] led_store+0x3c/0x98',
      '[<801a6e54>] kernfs_fop_write+0x130/0x1e8',
    ]),
    ['mips'],
  );
  // mips without its register dump: `Hi`/`PrId` alone say it.
  assert.deepEqual(arch(['Oops[#1]:', 'Cause : 00800008 (ExcCode 02)', 'PrId  : 00019374 (MIPS 24Kc)', 'Call Trace:', '[<80321a6c>] led_store+0x3c/0x98']), [
    'mips',
  ]);
  assert.deepEqual(
    arch(['Oops[#1]:', '  ERA: 9000000002f1c6a4 gpio_chip_attach+0x3c/0x104', 'Call Trace:', '[<9000000002f1c6a4>] gpio_chip_attach+0x3c/0x104']),
    ['loongarch'],
  );
  assert.deepEqual(arch(['Internal error: Oops: 5 [#1] PREEMPT SMP ARM', 'Call Trace:', '[<c0123456>] foo+0x1/0x2']), ['arm']);
  assert.deepEqual(
    arch([
      'Unable to handle kernel pointer dereference in virtual kernel address space',
      'Krnl PSW : 0704c00180000000 000003ff80127a5e (dasd_fba_fill_info+0x1e/0x58 [dasd_fba_mod])',
      'Call Trace:',
      ' [<00000000006b8f46>] blkdev_ioctl+0x3f6/0xa30',
    ]),
    ['s390'],
  );
  // Nothing but a trace with 8-digit addresses: x86's 32-bit kernel.
  assert.deepEqual(arch(['BUG: unable to handle kernel NULL pointer dereference at 00000004', 'Call Trace:', ' [<c1234567>] foo+0x1/0x2']), ['i386']);
});

test('one powerpc register block from `NIP:` through `NIP [..]` and `LR [..]`, the IP from NIP', () => {
  const r = parseCrashLog(
    [
      'Oops: Kernel access of bad area, sig: 11 [#1]',
      'NIP:  c0000000008a3c64 LR: c0000000008a3c40 CTR: c0000000008a3c00',
      'REGS: c00000002b8df6f0 TRAP: 0300   Not tainted  (5.14.0)',
      'GPR00: c0000000008a3c40 c00000002b8df990 c000000002a8f300 0000000000000000',
      'GPR04: c00000002b8dfa58 0000000000000001 0000000000000000 0000000000000000',
      'NIP [c0000000008a3c64] netdev_get_link_info+0x64/0x120',
      'LR [c0000000008a3c40] netdev_get_link_info+0x40/0x120',
      'Call Trace:',
      '[c00000002b8df990] [c0000000008a3c40] netdev_get_link_info+0x40/0x120 (unreliable)',
    ].join('\n') + '\n',
  ).reports[0];
  assert.equal(r.regs.length, 1);
  assert.equal(r.regs[0].ip?.function, 'netdev_get_link_info');
  assert.equal(r.regs[0].ip?.offset, 0x64);
  assert.equal(r.regs[0].ipRegister, 'NIP');
  assert.equal(r.regs[0].registerCount, 8 + 5);
  assert.equal(r.stacks[0].frames[0].reliable, true);
  assert.equal(r.arch, 'powerpc');
});

test('the s390 PSW is the exact IP; its general registers go on four to a line', () => {
  const r = parseCrashLog(
    [
      'Oops: 0004 ilc:3 [#1] SMP',
      'Krnl PSW : 0704c00180000000 000003ff80127a5e (dasd_fba_fill_info+0x1e/0x58 [dasd_fba_mod])',
      '           R:0 T:1 IO:1 EX:1 Key:0 M:1 W:0 P:0 AS:3 CC:0 PM:0 RI:0 EA:3',
      'Krnl GPRS: 0000000000000000 0000000000000001 0000000000000000 00000000735a3800',
      '           000003ff80127a40 0000000000000000 0000000073b4c000 0000000000000001',
      '           00000000735a3800 0000000073b4c000 0000000000000000 000003e00a1c7d28',
      '           0000000000000000 000003ff80129000 000003ff80127a54 000003e00a1c7c98',
      'Call Trace:',
      '([<000003ff80127a54>] dasd_fba_fill_info+0x14/0x58 [dasd_fba_mod])',
      ' [<000003ff800f3b2e>] dasd_ioctl_information+0xa6/0x1d8 [dasd_mod]',
    ].join('\n') + '\n',
  ).reports[0];
  const ip = r.regs[0].ip;
  assert.deepEqual([ip?.function, ip?.offset, ip?.module, ip?.address, ip?.exact], ['dasd_fba_fill_info', 0x1e, 'dasd_fba_mod', '000003ff80127a5e', true]);
  assert.equal(r.regs[0].registerCount, 16);
  assert.deepEqual(
    r.stacks[0].frames.map((f) => f.reliable),
    [false, true],
  );
});

test('a register dump survives a blank line and a line a mailer wrapped', () => {
  const ppc = parseCrashLog(
    [
      'Oops: Kernel access of bad area, sig: 11 [#1]',
      'NIP:  c001b780 LR: c001b780 CTR: 00000000',
      'MSR:  00021032 <ME,IR,DR,RI>  CR: 24442424  XER: 00000000',
      'DEAR: c122eb34 ESR: 00800000',
      '',
      'GPR00: c001b780 c3c5bc60 c3842ca0 00000021 3ffffbff 085ac000 00000027 c8eb2444',
      'NIP [c001b780] do_page_fault+0x484/0x720',
      'LR [c001b780] do_page_fault+0x484/0x720',
      'Call Trace:',
      '[c3c5bc60] [c001b780] do_page_fault+0x484/0x720 (unreliable)',
    ].join('\n') + '\n',
  ).reports[0];
  assert.equal(ppc.regs.length, 1);
  assert.equal(ppc.regs[0].ip?.function, 'do_page_fault');
  const arm64 = parseCrashLog(
    [
      'Unable to handle kernel NULL pointer dereference at virtual address 0000000000000000',
      'Internal error: Oops: 96000005 [#1] PREEMPT SMP',
      'pstate: 80000005 (Nzcv daif -PAN -UAO -TCO ',
      '-DIT -SSBS BTYPE=--)',
      'pc : drm_ioctl+0x284/0x440 [drm]',
      'lr : drm_ioctl+0xac/0x440 [drm]',
      'Call trace:',
      ' drm_ioctl+0x284/0x440 [drm]',
    ].join('\n') + '\n',
  ).reports[0];
  assert.equal(arm64.regs.length, 1);
  assert.equal(arm64.regs[0].ip?.function, 'drm_ioctl');
  assert.equal(arm64.arch, 'arm64');
});

test('a trace alone says its architecture by where kernel text lives', () => {
  const arch = (entry: string) => parseCrashLog(`Call Trace:\n${entry}\n`).reports[0].arch;
  assert.equal(arch(' [<ffffffff81234567>] foo+0x1/0x2'), 'x86_64');
  assert.equal(arch(' foo+0x1/0x2'), 'x86_64');
  assert.equal(arch(' [<0000021761df6538>] btrfs_compress_folios+0x198/0x1a0'), 's390');
  assert.equal(arch('[<9000000002f1c6a4>] gpio_chip_attach+0x3c/0x104'), 'loongarch');
  assert.equal(arch(' [<c1234567>] foo+0x1/0x2'), 'i386');
  // powerpc says so in the lines under its die line.
  assert.equal(
    parseCrashLog('BUG: Unable to handle kernel data access on write at 0x00c6207c\nFaulting instruction address: 0xa77ad1dc\n').reports[0].arch,
    'powerpc',
  );
});

test('a binary line is a problem of its own: the lines around it read as in a log without one', () => {
  const lines = [
    'BUG: kernel NULL pointer dereference, address: 0000000000000008',
    'Call Trace:',
    ' vfs_read+0x1/0x40',
    ' ? ksys_read+0x2/0x40',
    ' do_syscall_64+0x3/0x40',
    ' entry_SYSCALL_64_after_hwframe+0x4/0x40',
  ];
  const clean = parseCrashLog(lines.join('\n') + '\n');
  const dirty = lines.slice();
  dirty[4] = ' do_sys\0all_64+0x3/0x40'; // the same length: later offsets stay
  const withNul = parseCrashLog(dirty.join('\n') + '\n');
  assert.deepEqual(
    withNul.problems.map((p) => [p.code, p.line]),
    [['binary-data', 4]],
  );
  const names = (log: typeof clean) => log.reports[0].stacks[0].frames.map((f) => [f.function, f.reliable, f.line, f.start, f.end]);
  const all = names(clean);
  assert.deepEqual(
    names(withNul).filter((f) => f[2] !== 4),
    all.filter((f) => f[2] !== 4),
  );
  // U+FFFD (invalid UTF-8 decoded) counts as binary too, wherever it stands in the text.
  const withBad = parseCrashLog(lines.join('\n') + '\n\ufffd\n');
  assert.deepEqual(
    withBad.problems.map((p) => [p.code, p.line]),
    [['binary-data', 6]],
  );
  assert.deepEqual(names(withBad), all);
});
