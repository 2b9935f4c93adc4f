// Where each finding of a log is, as every output says it: the language server's diagnostic ranges
// (over stdio), `kcrash check --format json` (line, column), `kcrash check` (file:line:column),
// `kcrash parse --json` and SARIF (region). check(log, expected) asserts that they all name the same
// places, and the places written in `<name>.positions.json` beside the log (test/fixtures/positions):
// 1-based line:column as the CLI prints them, the end just past the last character, and the text the
// range covers. UPDATE_SNAPSHOTS=1 rewrites those files after an intended change (review the diff!).
//
// The fixtures are small logs in the shapes that move columns: CRLF line ends, a paste indented with
// a tab, multi-byte UTF-8 (a character outside the BMP is two UTF-16 units) and U+FFFD before an
// entry, a function-end return address (its range is the `func+off/size` alone), a report cut short.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { FINDING_CODES, RULES, ruleOf } from '../../server/src/analyzer/rules/index.ts';
import { LspClient, ROOT, type Diagnostic } from './client.ts';

const DIR = path.join(ROOT, 'test', 'fixtures', 'positions');
const CLI = path.join(ROOT, 'dist', 'cli.js');
const LOGS = fs
  .readdirSync(DIR)
  .filter((n) => n.endsWith('.log'))
  .sort();

/** What a fixture must hold for its test to mean something (an editor or a checkout could normalize it away). */
const SHAPES: Record<string, RegExp> = {
  'crlf-null-deref.log': /^(?:[^\r\n]*\r\n)+$/,
  'tab-indented-warning.log': /^(?:\t[^\n]*\n)+$/,
  'utf8-before-entry.log': /\u{1F427}[\s\S]*\n\uFFFD+\[/u,
  'function-end-return.log': /\? (\w+)\+(0x[0-9a-f]+)\/\2 \[/,
};

/** A finding's place: its code and 1-based `line:column` (the end: just past its last character). */
interface Place {
  code: string;
  start: string;
  end?: string;
}
interface Expected extends Required<Place> {
  /** The text the range covers (cut after 80 characters). */
  text: string;
}

const at = (line: number, column: number) => `${line}:${column}`;
const order = (a: Place, b: Place) => {
  const [al, ac] = a.start.split(':').map(Number);
  const [bl, bc] = b.start.split(':').map(Number);
  return al - bl || ac - bc || a.code.localeCompare(b.code) || (a.end ?? '').localeCompare(b.end ?? '');
};
const startsOf = (places: Place[]) => places.map((p) => ({ code: p.code, start: p.start })).sort(order);

/** Each log's findings as the CLI prints them, from one run per output over every log. */
const cli = new Map<string, { json: Place[]; text: Place[]; parse: Place[]; sarif: Place[] }>();
let client: LspClient;

before(async () => {
  // Every finding is placed: function-end-return is published on `? ` entries too, and an entry's
  // other findings (one diagnostic per entry) are read from its related information.
  client = await LspClient.start({ settings: { diagnostics: { onUnreliableEntries: { 'function-end-return': true } } } });
  for (const name of LOGS) cli.set(name, { json: [], text: [], parse: [], sarif: [] });
  const run = (args: readonly string[]) => {
    const r = spawnSync(process.execPath, [CLI, ...args, ...LOGS], { cwd: DIR, encoding: 'utf8' });
    assert.ok(r.status === 0 || r.status === 1, `kcrash ${args.join(' ')}: exit ${r.status}\n${r.stderr}`);
    return r.stdout;
  };
  // NDJSON: one object per file, {"file", "diagnostics": [{"line", "column", "code", ...}]}.
  for (const [kind, args] of [
    ['json', ['check', '--format', 'json']],
    ['parse', ['parse', '--json']],
  ] as const) {
    for (const line of run(args).trimEnd().split('\n')) {
      const doc = JSON.parse(line) as { file: string; diagnostics: { line: number; column: number; code: string }[] };
      cli.get(doc.file)![kind].push(...doc.diagnostics.map((d) => ({ code: d.code, start: at(d.line, d.column) })));
    }
  }
  for (const line of run(['check']).split('\n')) {
    const m = /^([^:]+):(\d+):(\d+): \S+ (\S+) /.exec(line);
    if (m) cli.get(m[1])!.text.push({ code: m[4], start: at(Number(m[2]), Number(m[3])) });
  }
  const sarif = JSON.parse(run(['check', '--format', 'sarif']));
  for (const r of sarif.runs[0].results) {
    const { artifactLocation, region } = r.locations[0].physicalLocation;
    cli.get(artifactLocation.uri)!.sarif.push({ code: r.ruleId, start: at(region.startLine, region.startColumn), end: at(region.endLine, region.endColumn) });
  }
});

after(async () => {
  assert.equal(await client?.shutdown(), 0);
});

/** The text's lines as LSP counts them (`\n`, `\r\n` and a lone `\r` end a line), without their breaks. */
function lspLines(text: string): string[] {
  return text.split(/\r\n|\r|\n/);
}

/** The text between two LSP positions. */
function covered(lines: string[], d: Diagnostic): string {
  const { start, end } = d.range;
  if (start.line === end.line) return lines[start.line].slice(start.character, end.character);
  return [lines[start.line].slice(start.character), ...lines.slice(start.line + 1, end.line), lines[end.line].slice(0, end.character)].join('\n');
}

/**
 * Asserts that the server, `check --format json`, `check`, `parse --json` and SARIF place the findings
 * of `log` (a file of test/fixtures/positions) alike, and where `expected` (a file beside it) says.
 */
async function check(log: string, expected: string): Promise<void> {
  const text = fs.readFileSync(path.join(DIR, log), 'utf8');
  if (SHAPES[log]) assert.match(text, SHAPES[log], `${log} lost what it tests`);
  const uri = `file:///positions/${log}`;
  client.open(uri, text, 1);
  const { diagnostics } = await client.waitForDiagnostics(uri, 1);
  client.close(uri);
  const lines = lspLines(text);
  const codes = new Set<string>(FINDING_CODES);
  // An entry's other findings: related information `<code>: <message>` on their own ranges.
  const others = diagnostics.flatMap((d) =>
    (d.relatedInformation ?? []).flatMap((r) => {
      const code = /^([a-z-]+): /.exec(r.message)?.[1];
      return code && codes.has(code) ? [{ ...d, code, range: r.location.range }] : [];
    }),
  );
  // A duplicate's message states that its entry is unreliable: that finding is on the same range.
  const unreliableCode = RULES.find((r) => r.fixes === 'unreliable')!.code;
  const stated = diagnostics.flatMap((d) => {
    const rule = ruleOf(d.code);
    return rule?.subject === 'entry' && rule.saysUnreliable ? [{ ...d, code: unreliableCode }] : [];
  });
  const actual: Expected[] = [...diagnostics, ...others, ...stated]
    .map((d) => {
      const all = covered(lines, d);
      return {
        code: String(d.code),
        start: at(d.range.start.line + 1, d.range.start.character + 1),
        end: at(d.range.end.line + 1, d.range.end.character + 1),
        text: all.length > 80 ? `${all.slice(0, 80)}…` : all,
      };
    })
    .sort(order);
  const places: Place[] = actual.map(({ code, start, end }) => ({ code, start, end }));
  const outputs = cli.get(log)!;

  // SARIF has the whole range; an empty one is a character wide there (analyzer/location.ts).
  const sarifWanted = places.map((p) => {
    if (p.start !== p.end) return p;
    const [line, column] = p.start.split(':').map(Number);
    return { ...p, end: at(line, column + 1) };
  });
  assert.deepEqual([...outputs.sarif].sort(order), sarifWanted, `${log}: SARIF regions and LSP ranges differ`);
  assert.deepEqual(startsOf(outputs.json), startsOf(places), `${log}: check --format json and LSP differ`);
  assert.deepEqual(startsOf(outputs.text), startsOf(places), `${log}: check (text) and LSP differ`);
  assert.deepEqual(startsOf(outputs.parse), startsOf(places), `${log}: parse --json and LSP differ`);

  const file = path.join(DIR, expected);
  if (process.env.UPDATE_SNAPSHOTS || !fs.existsSync(file)) {
    fs.writeFileSync(file, `[\n${actual.map((e) => `  ${JSON.stringify(e)}`).join(',\n')}\n]\n`);
    if (!process.env.UPDATE_SNAPSHOTS) assert.fail(`wrote ${path.relative(ROOT, file)}; review it and run again`);
    return;
  }
  assert.deepEqual(actual, JSON.parse(fs.readFileSync(file, 'utf8')), `${log}: the places differ from ${expected}`);
}

for (const log of LOGS) test(log, () => check(log, log.replace(/\.log$/, '.positions.json')));

test('every fixture has findings, and the function-end return is the `func+off/size` alone', () => {
  for (const log of LOGS) assert.ok(JSON.parse(fs.readFileSync(path.join(DIR, log.replace(/\.log$/, '.positions.json')), 'utf8')).length > 0, log);
  const ends: Expected[] = JSON.parse(fs.readFileSync(path.join(DIR, 'function-end-return.positions.json'), 'utf8')).filter(
    (e: Expected) => e.code === 'function-end-return',
  );
  assert.ok(ends.length > 0);
  for (const e of ends) assert.match(e.text, /^\w+\+(0x[0-9a-f]+)\/\1$/);
});
