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
};

// An Android task after the time stamp only makes sense where there is a time stamp and no caller id.
const ANDROID = (t: string) => t.replace(/^(\[ *\d+\.\d+\]) ?/gm, '$1 [1234:kworker/u8] ');

const names = fs.readdirSync(FIXTURES).filter((n) => n.endsWith('.log')).sort();
for (const name of names) {
  const text = fs.readFileSync(path.join(FIXTURES, name), 'utf8').replace(/\r/g, '');
  test(`pasted: ${name}`, () => {
    const want = model(text);
    for (const [how, paste] of Object.entries(PASTES)) assert.deepEqual(model(paste(text)), want, how);
    if (/^\[ *\d+\.\d+\] (?!\[ *[TC]\d+\])/m.test(text) && !/^\[ *\d+\.\d+\]\[ *[TC]\d+\]/m.test(text)) assert.deepEqual(model(ANDROID(text)), want, 'Android task prefix');
  });
}

test('two reports printed at once by two callers are each whole, line for line', () => {
  const read = (name: string, id: string) =>
    fs.readFileSync(path.join(FIXTURES, name), 'utf8').replace(/\r/g, '').trimEnd().split('\n').map((l) => l.replace(/^(\[ *\d+\.\d+\])/, `$1[${id}]`));
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
