// Data-driven parser and analyzer tests: every log in test/fixtures/ and examples/ sits beside a
// `<name>.expected.json` snapshot of what the parser and analyzer make of it.
// UPDATE_SNAPSHOTS=1 re-blesses the snapshots after an intended change (review the diff!).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { analyze } from '../../server/src/analyzer/analyze.ts';
import type { StackEntry } from '../../server/src/parser/model.ts';
import { frameLabel } from '../../server/src/analyzer/frameText.ts';
import { parseCrashLog } from '../../server/src/parser/parse.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const DIRS = ['test/fixtures', 'examples'];

function frameText(f: StackEntry): string {
  return `${f.context ? `<${f.context}> ` : ''}${f.reliable ? '' : '? '}${frameLabel(f)}${f.source ? ` (${f.source})` : ''}`;
}

/** The snapshot: what a reader checks, 1-based lines, no offsets (those are checked by the property tests). */
export function snapshot(text: string) {
  const log = parseCrashLog(text);
  return {
    reports: log.reports.map((r) => ({
      kind: r.kind,
      title: r.title,
      crash: r.crash,
      corrupted: r.corrupted,
      guiltyFrame: r.guiltyFrame,
      lines: [r.line + 1, r.endLine + 1],
      facts: { arch: r.arch, cpu: r.cpu, pid: r.pid, comm: r.comm, taint: r.taint, release: r.release, modules: r.modules.length },
      regs: r.regs.map(
        (b) =>
          `${b.line + 1}-${b.endLine + 1} ${b.kind}${b.user ? ' user' : ''} ${b.ipRegister}=${b.ip ? frameText(b.ip) : '-'}${b.code ? ` code@${b.code.line + 1}` : ''} (${b.registerCount} regs)`,
      ),
      stacks: r.stacks.map((s) => ({ line: s.line + 1, kind: s.kind, frames: s.frames.map((f) => `${f.line + 1}: ${frameText(f)}`) })),
    })),
    findings: analyze(log).map((f) => `${f.line + 1}: ${f.code}`),
    problems: log.problems.map((p) => `${p.line + 1}: ${p.code}`),
  };
}

for (const dir of DIRS) {
  const abs = path.join(ROOT, dir);
  if (!fs.existsSync(abs)) continue;
  for (const name of fs
    .readdirSync(abs)
    .filter((n) => n.endsWith('.log'))
    .sort()) {
    test(`${dir}/${name}`, () => {
      const file = path.join(abs, name);
      const expectedFile = file.replace(/\.log$/, '.expected.json');
      const actual = snapshot(fs.readFileSync(file, 'utf8'));
      if (process.env.UPDATE_SNAPSHOTS || !fs.existsSync(expectedFile)) {
        fs.writeFileSync(expectedFile, JSON.stringify(actual, null, 1) + '\n');
        if (!process.env.UPDATE_SNAPSHOTS) assert.fail(`wrote a new snapshot ${path.relative(ROOT, expectedFile)}; review it and run again`);
        return;
      }
      assert.deepEqual(actual, JSON.parse(fs.readFileSync(expectedFile, 'utf8')));
    });
  }
}
