// `kcrash check --group` as a user runs it (the bundled dist/cli.js): a directory of logs, written
// here, grouped by signature in text and JSON; the exit status is check's. An optional step runs it
// over ../shared/corpus (not part of the repository) when it is there.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import zlib from 'node:zlib';
import { groupText } from '../../server/src/group.ts';
import { NULL_DEREF, watchdogWarning } from './repeat-logs.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const CLI = path.join(ROOT, 'dist/cli.js');
const CORPUS = path.resolve(ROOT, '../shared/corpus');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kcrash-group-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

function kcrash(args: string[], cwd = tmp) {
  return spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', cwd });
}

const lines = (l: string[]) => `${l.join('\n')}\n`;
const boot = (head: string[], ...reports: string[][]) => lines([...head, ...reports.flat()]);
const BOOT_LINES = [
  '[    0.000000] Linux version 6.6.8 (builder@lab) (gcc 12.2.0) #1 SMP PREEMPT_DYNAMIC',
  '[    0.000000] Command line: console=ttyS0 root=/dev/vda',
];

before(() => {
  // logs/a/boot-1.log: the watchdog WARNING twice, then the NULL dereference.
  // logs/b/console.log.gz: the WARNING once more (gzip'ed), a `? ` entry more: the same signature.
  // logs/b/old/kern.log: the NULL dereference at other offsets: the same signature.
  // Passed over: a hidden file, a binary core file; notes.txt holds no report.
  fs.mkdirSync(path.join(tmp, 'logs/a'), { recursive: true });
  fs.mkdirSync(path.join(tmp, 'logs/b/old'), { recursive: true });
  fs.writeFileSync(path.join(tmp, 'logs/a/boot-1.log'), boot(BOOT_LINES, watchdogWarning(12), watchdogWarning(17), NULL_DEREF));
  fs.writeFileSync(path.join(tmp, 'logs/b/console.log.gz'), zlib.gzipSync(boot(BOOT_LINES, watchdogWarning(40, [' ? ktime_get+0x3c/0xa0']))));
  fs.writeFileSync(
    path.join(tmp, 'logs/b/old/kern.log'),
    lines(
      NULL_DEREF.map((l) => l.replace('wobble_ioctl+0x4c/0x1a0', 'wobble_ioctl+0x52/0x1b0').replace('__x64_sys_ioctl+0x90/0xd0', '__x64_sys_ioctl+0x8c/0xd0')),
    ),
  );
  fs.writeFileSync(path.join(tmp, 'logs/.hidden.log'), boot(BOOT_LINES, watchdogWarning(99)));
  fs.writeFileSync(path.join(tmp, 'logs/b/core'), Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 13) % 256)));
  fs.writeFileSync(path.join(tmp, 'logs/notes.txt'), 'rebooted after the watchdog fired twice\n');
});

test('check --group DIR: groups by signature across files, largest first, with top frames and file:line', () => {
  const r = kcrash(['check', '--group', 'logs']);
  assert.equal(
    r.status,
    kcrash(['check', 'logs/a/boot-1.log', 'logs/b/console.log.gz', 'logs/b/old/kern.log', 'logs/notes.txt']).status,
    'the exit status of check',
  );
  assert.equal(r.status, 1, 'the WARNING repeats its RIP as a `? ` entry: a warning');
  const first = 3 + 2; // the boot lines, then the WARNING's header after `cut here` and the watchdog's message
  const second = first + watchdogWarning(0).length;
  const nullDeref = 3 + 2 * watchdogWarning(0).length;
  assert.equal(
    r.stdout,
    [
      '    3  WARNING in dev_watchdog',
      // dev_watchdog, which the title blames, is a `? ` entry only: the frames from the top.
      '       call_timer_fn < __run_timers < run_timer_softirq < __do_softirq < irq_exit_rcu < …',
      `       logs/a/boot-1.log:${first}, logs/a/boot-1.log:${second}, logs/b/console.log.gz:${first}`,
      '    2  BUG: unable to handle kernel NULL pointer dereference in wobble_ioctl',
      '       __x64_sys_ioctl < do_syscall_64 < entry_SYSCALL_64_after_hwframe',
      `       logs/a/boot-1.log:${nullDeref}, logs/b/old/kern.log:1`,
      '',
    ].join('\n'),
  );
  assert.equal(r.stderr, '5 report(s) in 4 file(s): 2 group(s); 1 file(s) passed over (binary or empty)\n');
});

test('check --group --format json: one document, every occurrence, frames innermost first', () => {
  const r = kcrash(['check', '--group', '--format', 'json', 'logs/b', 'logs/a/boot-1.log']);
  assert.equal(r.status, 1, r.stderr);
  assert.equal(r.stdout.trim().split('\n').length, 1);
  const doc = JSON.parse(r.stdout);
  assert.deepEqual(Object.keys(doc), ['files', 'reports', 'groups', 'passedOver']);
  assert.deepEqual([doc.files, doc.reports, doc.passedOver], [3, 5, ['logs/b/core']]);
  assert.deepEqual(
    doc.groups.map((g: { count: number; title: string; frames: string[]; occurrences: { file: string; line: number }[] }) => [
      g.count,
      g.title,
      g.frames.length,
      g.occurrences.map((o) => `${o.file}:${o.line}`),
    ]),
    [
      [3, 'WARNING in dev_watchdog', 6, ['logs/b/console.log.gz:5', 'logs/a/boot-1.log:5', `logs/a/boot-1.log:${5 + watchdogWarning(0).length}`]],
      [
        2,
        'BUG: unable to handle kernel NULL pointer dereference in wobble_ioctl',
        3,
        ['logs/b/old/kern.log:1', `logs/a/boot-1.log:${3 + 2 * watchdogWarning(0).length}`],
      ],
    ],
  );
  assert.deepEqual(doc.groups[1].frames, ['__x64_sys_ioctl', 'do_syscall_64', 'entry_SYSCALL_64_after_hwframe']);
});

test('a group as text: frames from the blamed function on, the first occurrences then how many more', () => {
  const frames = ['dump_stack_lvl', '__warn', 'warn_slowpath_fmt', 'foo_flush', 'foo_release', '__fput', 'task_work_run', 'do_exit', 'do_group_exit'];
  const occurrences = Array.from({ length: 7 }, (_, i) => ({ file: 'boot.log', line: 10 + 40 * i }));
  assert.equal(
    groupText({ title: 'WARNING in foo_flush', frames, guilty: 'foo_flush', occurrences }),
    '    7  WARNING in foo_flush\n       … < foo_flush < foo_release < __fput < task_work_run < do_exit < …\n       boot.log:10, boot.log:50, boot.log:90, boot.log:130, boot.log:170, …and 2 more\n',
  );
  assert.equal(
    groupText({ title: 'Kernel panic - not syncing: Fatal exception', frames: [], guilty: null, occurrences: occurrences.slice(0, 1) }),
    '    1  Kernel panic - not syncing: Fatal exception\n       (no reliable stack entry)\n       boot.log:10\n',
  );
});

test('check --group: a file named that cannot be read is exit 2, sarif is refused, the usage tells the JSON shape', () => {
  const r = kcrash(['check', '--group', 'logs/a', 'logs/missing.log']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /logs\/missing\.log: cannot read: no such file/);
  assert.match(r.stdout, /WARNING in dev_watchdog/);
  assert.equal(kcrash(['check', '--group', '--format', 'sarif', 'logs']).status, 2);
  const help = kcrash(['check', '--help']);
  assert.match(help.stdout, /kcrash check --group \[--format text\|json\] FILE\|DIR\.\.\./);
  assert.match(help.stdout, /"groups":\[\{"count":N,"title":"\.\.\.","frames":\["\.\.\."\],/);
});

test('check --group over ../shared/corpus (when present): completes and groups syzbot-style repeats', {
  skip: !fs.existsSync(CORPUS) && 'no ../shared/corpus',
}, () => {
  const r = kcrash(['check', '--group', '--format', 'json', CORPUS], ROOT);
  assert.notEqual(r.status, 2, r.stderr);
  const doc = JSON.parse(r.stdout);
  assert.ok(doc.files > 100 && doc.groups.length > 10);
  const counts = doc.groups.map((g: { count: number }) => g.count);
  assert.deepEqual(
    counts,
    [...counts].sort((a, b) => b - a),
    'largest first',
  );
  // Reports of one bug from several syzbot test files, each its own file, in one group.
  const syz = doc.groups.find(
    (g: { frames: string[]; occurrences: { file: string }[] }) =>
      g.frames.length > 0 && new Set(g.occurrences.filter((o) => o.file.includes('/syzkaller/')).map((o) => o.file)).size >= 3,
  );
  assert.ok(syz, 'a group of three syzkaller files');
});
