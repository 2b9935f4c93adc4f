// A log as people paste it — indented, mail-quoted, double-spaced, with an Android task prefix —
// gives the reports, register blocks and stacks of the log itself.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { parseCrashLog } from '../../server/src/parser/parse.ts';

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures');

function model(text: string): string[] {
  return parseCrashLog(text).reports.map((r) =>
    [
      r.kind,
      r.title,
      r.crash,
      r.arch,
      r.taint,
      r.regs.map((b) => `${b.ip?.function ?? '-'}:${b.registerCount}:${b.code ? 'code' : ''}`).join(','),
      r.stacks.map((s) => `${s.kind}:${s.frames.map((f) => `${f.reliable ? '' : '? '}${f.function}+${f.offset}`).join(' ')}`).join(' / '),
    ].join(' | '),
  );
}

const PASTES: Record<string, (text: string) => string> = {
  'indented by 4 spaces': (t) => t.replace(/^(?=.)/gm, '    '),
  'indented by a tab': (t) => t.replace(/^(?=.)/gm, '\t'),
  'mail-quoted': (t) => t.replace(/^/gm, '> '),
  'quoted twice': (t) => t.replace(/^/gm, '> > '),
  'quoted twice, tight': (t) => t.replace(/^/gm, '>> '),
  'double-spaced': (t) => t.replace(/\n/g, '\n\n'),
  'quoted and indented': (t) => t.replace(/^/gm, '>   '),
  // Copied from a web page or a mail client that turns runs of spaces into no-break spaces.
  'no-break space after the time stamp': (t) => t.replace(/^(\[ *\d+\.\d+\]) /gm, '$1\u00a0'),
  'indented with no-break spaces': (t) =>
    t.replace(/^((?:\[ *\d+\.\d+\](?:\[ *[TC]\d+\])? ?)?)( +)(?=\S)/gm, (_m, pre: string, blanks: string) => pre + '\u00a0'.repeat(blanks.length)),
};

// An Android task after the time stamp only makes sense where there is a time stamp and no caller id.
const ANDROID = (t: string) => t.replace(/^(\[ *\d+\.\d+\]) ?/gm, '$1 [1234:kworker/u8] ');

const names = fs
  .readdirSync(FIXTURES)
  .filter((n) => n.endsWith('.log'))
  .sort();
for (const name of names) {
  const text = fs.readFileSync(path.join(FIXTURES, name), 'utf8').replace(/\r/g, '');
  test(`pasted: ${name}`, () => {
    const want = model(text);
    for (const [how, paste] of Object.entries(PASTES)) assert.deepEqual(model(paste(text)), want, how);
    if (/^\[ *\d+\.\d+\] (?!\[ *[TC]\d+\])/m.test(text) && !/^\[ *\d+\.\d+\]\[ *[TC]\d+\]/m.test(text))
      assert.deepEqual(model(ANDROID(text)), want, 'Android task prefix');
  });
}

test('two reports printed at once by two callers are each whole, line for line', () => {
  const read = (name: string, id: string) =>
    fs
      .readFileSync(path.join(FIXTURES, name), 'utf8')
      .replace(/\r/g, '')
      .trimEnd()
      .split('\n')
      .map((l) => l.replace(/^(\[ *\d+\.\d+\])/, `$1[${id}]`));
  const a = read('real-debian-module-warning.log', ' T100');
  const b = read('real-debian-module-null-deref.log', ' T200');
  for (const chunk of [1, 3, 7]) {
    const mixed: string[] = [];
    for (let i = 0; i < Math.max(a.length, b.length); i += chunk) mixed.push(...a.slice(i, i + chunk), ...b.slice(i, i + chunk));
    assert.deepEqual(model(mixed.join('\n')).sort(), [...model(a.join('\n')), ...model(b.join('\n'))].sort(), `interleaved every ${chunk} line(s)`);
    const log = parseCrashLog(mixed.join('\n'));
    assert.ok(log.problems.some((p) => p.code === 'interleaved-reports'));
  }
});

test('a WARNING header a mailer wrapped before its function is read whole', () => {
  const log = [
    '[    1.000000] ------------[ cut here ]------------',
    '[    1.000001] WARNING: CPU: 0 PID: 1 at drivers/foo/bar.c:123',
    'frob_device+0x1c/0x40 [foo]',
    '[    1.000002] Modules linked in: foo',
    '[    1.000003] CPU: 0 PID: 1 Comm: swapper/0 Not tainted 6.6.0 #1',
    '[    1.000004] RIP: 0010:frob_device+0x1c/0x40 [foo]',
    '[    1.000005] Call Trace:',
    '[    1.000006]  <TASK>',
    '[    1.000007]  foo_probe+0x10/0x20 [foo]',
    '[    1.000008]  really_probe+0x10/0x20',
    '[    1.000009]  </TASK>',
  ].join('\n');
  const [r, ...rest] = parseCrashLog(log).reports;
  assert.equal(rest.length, 0);
  assert.equal(r.title, 'WARNING in frob_device');
  assert.deepEqual(
    r.stacks.flatMap((s) => s.frames.map((f) => f.function)),
    ['foo_probe', 'really_probe'],
  );
});

test('a daemon line inside a register block splits nothing; a header in another program line starts nothing', () => {
  const log = [
    'Jul 22 20:01:02 host kernel: BUG: kernel NULL pointer dereference, address: 0000000000000008',
    'Jul 22 20:01:02 host kernel: RIP: 0010:frob+0x1/0x2',
    'Jul 22 20:01:02 host kernel: RSP: 0018:ffffc90000003e00 EFLAGS: 00010246',
    'Jul 22 20:01:02 host systemd[1]: WARNING: something unrelated happened here',
    'Jul 22 20:01:02 host kernel: RAX: 0000000000000000 RBX: 0000000000000001 RCX: 0000000000000002',
    'Jul 22 20:01:02 host kernel: Call Trace:',
    'Jul 22 20:01:02 host kernel:  foo+0x10/0x20',
  ].join('\n');
  const reports = parseCrashLog(log).reports;
  assert.equal(reports.length, 1);
  assert.equal(reports[0].regs.length, 1);
  assert.equal(reports[0].regs[0].registerCount, 6);
  assert.deepEqual(
    reports[0].stacks[0].frames.map((f) => f.function),
    ['foo'],
  );
});
