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
  assert.deepEqual(log.reports[0].stacks.flatMap((s) => s.frames.map((f) => f.function)), ['vfs_read', 'ksys_read']);
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

test('taint letters and release from every taint line, RHEL\'s extra columns included', () => {
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
    const log = parseCrashLog(['BUG: soft lockup - CPU#3 stuck for 22s! [frobd:881]', facts, 'Call Trace:', ' [<ffffffff8112a400>] frob_all+0x20/0x40'].join('\n') + '\n');
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
