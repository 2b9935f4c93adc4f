/** The client's kernel-crash detection for `.log`/plain-text files (client/src/detect.ts). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DETECTION_WINDOW, looksLikeKernelCrash } from '../../client/src/detect.ts';

test('recognises crash markers behind the usual prefixes', () => {
  const positives = [
    '[   12.345678] Call Trace:',
    '<4>[ 1.000000] RIP: 0010:do_thing+0x12/0x40',
    'Nov 25 10:00:01 box kernel: [ 5.1] BUG: kernel NULL pointer dereference, address: 0000000000000008',
    'WARNING: CPU: 3 PID: 77 at fs/foo.c:12 foo_bar+0x1/0x2',
    '[  9.9] Kernel panic - not syncing: Fatal exception',
    'Oops: general protection fault, probably for non-canonical address 0xdead: 0000 [#1] SMP',
    'general protection fault: 0000 [#1] SMP',
    'Unable to handle kernel paging request at virtual address 0000000000001234',
    '[ 3.2] [  T123] <IRQ>',
    ' </TASK>',
    'Internal error: Oops: 96000005 [#1] PREEMPT SMP',
    'INFO: task kworker/0:1:12 blocked for more than 120 seconds.',
    '------------[ cut here ]------------',
  ];
  for (const line of positives) assert.ok(looksLikeKernelCrash(`some boot line\n${line}\nmore`), line);
});

test('does not fire on ordinary logs that merely mention the kernel', () => {
  const negatives = [
    '2026-01-01 12:00:00 INFO starting kernel module loader',
    'kernel version 6.8.0 detected; call trace collection enabled',
    'ERROR: a bug: the RIP field is empty',
    'We saw a kernel panic yesterday, see ticket 12',
    'test_oops_handling PASSED',
  ].join('\n');
  assert.equal(looksLikeKernelCrash(negatives), false);
  assert.equal(looksLikeKernelCrash(''), false);
});

test('only reads the detection window', () => {
  const filler = 'x'.repeat(79) + '\n';
  const far = filler.repeat(Math.ceil(DETECTION_WINDOW / filler.length) + 1) + 'Call Trace:\n';
  assert.equal(looksLikeKernelCrash(far), false);
  assert.equal(looksLikeKernelCrash('Call Trace:\n' + far), true);
});
