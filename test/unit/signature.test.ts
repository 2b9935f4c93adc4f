// The one definition of "the same report" (server/src/analyzer/signature.ts) on logs written here.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findRepeats, groupSignature, reportSignature, signatureIds, withoutCompilerSuffix } from '../../server/src/analyzer/signature.ts';
import { parseCrashLog } from '../../server/src/parser/parse.ts';
import { NULL_DEREF, watchdogWarning } from './repeat-logs.ts';

const reportsOf = (...parts: string[][]) => parseCrashLog(`${parts.flat().join('\n')}\n`).reports;

test('title and reliable functions: `? ` entries, offsets, modules, addresses and compiler suffixes left out', () => {
  const other = NULL_DEREF.map((l) =>
    l
      .replace('__x64_sys_ioctl+0x90/0xd0', '__x64_sys_ioctl.constprop.0+0x94/0xe0 [wobble_helper]')
      .replace('do_syscall_64+0x3b/0x90', 'do_syscall_64+0x3b/0x90')
      .replace(' entry_SYSCALL', ' ? ksys_ioctl+0x10/0x20\n[   20.501150]  entry_SYSCALL'),
  );
  const [a, b] = reportsOf(NULL_DEREF, other);
  const sa = reportSignature(a);
  const sb = reportSignature(b);
  assert.ok(sa && sb);
  assert.equal(sa.key, sb.key);
  assert.equal(sa.id, sb.id, 'equal keys, equal ids');
  assert.deepEqual(sa.functions, ['__x64_sys_ioctl', 'do_syscall_64', 'entry_SYSCALL_64_after_hwframe']);
  assert.deepEqual(sb.functions, ['__x64_sys_ioctl.constprop.0', 'do_syscall_64', 'entry_SYSCALL_64_after_hwframe'], 'as printed');
  assert.deepEqual(reportSignature(a), sa, 'the same on every call');
  // Another function in the stack: another report.
  const [c] = reportsOf(NULL_DEREF.map((l) => l.replace('do_syscall_64+', 'do_fast_syscall_32+')));
  assert.notEqual(reportSignature(c)?.key, sa.key);
  assert.equal(withoutCompilerSuffix('foo.isra.0'), 'foo');
  assert.equal(withoutCompilerSuffix('bar.constprop.0.isra.0'), 'bar');
  assert.equal(withoutCompilerSuffix('x.part.1'), 'x');
  assert.equal(withoutCompilerSuffix('a.b'), 'a.b');
});

test('findRepeats: first occurrences, counts and the later ones of each', () => {
  const reports = reportsOf(watchdogWarning(1), NULL_DEREF, watchdogWarning(2, [' ? ktime_get+0x3c/0xa0']), watchdogWarning(3));
  const r = findRepeats(signatureIds(reports.length, (k) => reports[k]));
  assert.deepEqual([...r.firstOf], [-1, -1, 0, 0]);
  assert.deepEqual([...r.countOf], [3, 1, 3, 3]);
  assert.deepEqual([...r.laterOf], [[0, [2, 3]]]);
  assert.equal(r.repeated, 2);
});

test('no signature without a reliable entry or for an informational dump; --group takes a crash by its title', () => {
  const [panic] = reportsOf(['[   30.000100] Kernel panic - not syncing: Fatal exception in interrupt']);
  assert.equal(reportSignature(panic), null);
  const { id, ...byTitle } = groupSignature(panic)!;
  assert.deepEqual(byTitle, { key: `${panic.title}\n`, title: panic.title, functions: [] });
  assert.equal(groupSignature(panic)!.id, id, 'one id per key');
  const [dump] = reportsOf([
    '[   40.000100] CPU: 1 PID: 77 Comm: wobblectl Not tainted 6.6.8 #1',
    '[   40.000200] Call Trace:',
    '[   40.000300]  <TASK>',
    '[   40.000400]  dump_stack_lvl+0x47/0x60',
    '[   40.000500]  wobble_probe+0x1c/0x80 [wobble]',
    '[   40.000600]  </TASK>',
  ]);
  assert.equal(dump.crash, false);
  assert.equal(reportSignature(dump), null);
  assert.equal(groupSignature(dump), null);
});
