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
