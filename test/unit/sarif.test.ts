// `kcrash check --format sarif`: the streamed document is the typed one (@types/sarif), findings keep
// their related locations, and files that could not be read are the invocation's notifications.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import type { Log, Result } from 'sarif';
import { analyze } from '../../server/src/analyzer/analyze.ts';
import { Locator } from '../../server/src/analyzer/location.ts';
import { RULES } from '../../server/src/analyzer/rules/index.ts';
import { JsonStrings } from '../../server/src/modelJson.ts';
import { Output } from '../../server/src/output.ts';
import { parseCrashLog } from '../../server/src/parser/parse.ts';
import { artifactUri, SarifWriter, sarifResult } from '../../server/src/sarif.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const CLI = path.join(ROOT, 'dist/cli.js');
const SEED = 'examples/seed-pt-regs-on-stack.log';
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kcrash-sarif-'));

function kcrash(args: string[]) {
  return spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', cwd: ROOT });
}

function logsIn(dir: string): string[] {
  return fs
    .readdirSync(path.join(ROOT, dir))
    .filter((n) => n.endsWith('.log'))
    .map((n) => `${dir}/${n}`);
}

/** The text a region covers (one line's columns; lines and columns 1-based). */
function regionText(file: string, region: { startLine?: number; startColumn?: number; endLine?: number; endColumn?: number }): string {
  const line = fs.readFileSync(path.join(ROOT, file), 'utf8').split('\n')[region.startLine! - 1];
  assert.equal(region.endLine, region.startLine);
  return line.slice(region.startColumn! - 1, region.endColumn! - 1);
}

test('every result written is the typed sarifResult of its finding, related locations included', () => {
  const files = [...logsIn('test/fixtures'), ...logsIn('test/fixtures/wild'), ...logsIn('examples')];
  const outFile = path.join(tmp, 'all.sarif');
  const fd = fs.openSync(outFile, 'w');
  const out = new Output(fd);
  const writer = new SarifWriter(out, new JsonStrings());
  const expected: Result[] = [];
  for (const name of files) {
    const text = fs.readFileSync(path.join(ROOT, name), 'utf8');
    const log = parseCrashLog(text);
    const findings = analyze(log);
    writer.add({ name, text, log, findings });
    const locator = new Locator(log.lineStarts, text.length);
    for (const f of findings)
      expected.push(
        sarifResult(
          f,
          locator.locate(f),
          artifactUri(name),
          f.related.map((r) => locator.locate(r)),
        ),
      );
  }
  writer.end();
  out.flush();
  fs.closeSync(fd);
  const text = fs.readFileSync(outFile, 'utf8');
  const doc = JSON.parse(text) as Log;
  assert.equal(text, JSON.stringify(doc, null, 2) + '\n');
  const results = doc.runs[0].results!;
  assert.equal(results.length, expected.length);
  for (let i = 0; i < results.length; i++) assert.deepEqual(results[i], expected[i], `result ${i}`);
  assert.ok(
    results.some((r) => r.relatedLocations),
    'the fixtures have findings with related locations',
  );
  assert.deepEqual(
    doc.runs[0].tool.driver.rules,
    RULES.map((r) => ({ id: r.code, shortDescription: { text: r.summary } })),
  );
  assert.equal(doc.runs[0].invocations, undefined, 'every file was read: no invocation notes');
});

test('SARIF keeps the related location: the RIP of duplicate-regs-ip, the twin entry of duplicate-frame', () => {
  const r = kcrash(['check', '--format', 'sarif', SEED, 'test/fixtures/kasan-6.6-use-after-free-stacks.log']);
  assert.equal(r.status, 1, r.stderr);
  const results = (JSON.parse(r.stdout) as Log).runs[0].results!;
  const dup = results.find((x) => x.ruleId === 'duplicate-regs-ip')!;
  assert.equal(dup.locations![0].physicalLocation!.region!.startLine, 26);
  assert.equal(dup.relatedLocations?.length, 1);
  const rip = dup.relatedLocations![0];
  assert.equal(rip.message?.text, 'instruction pointer of the register block');
  assert.equal(rip.physicalLocation!.artifactLocation!.uri, SEED);
  assert.equal(rip.physicalLocation!.region!.startLine, 6);
  assert.match(fs.readFileSync(path.join(ROOT, SEED), 'utf8').split('\n')[5], /RIP: /);
  assert.equal(regionText(SEED, rip.physicalLocation!.region!), 'path_init+0x0/0x750');

  for (const x of results.filter((x) => x.ruleId === 'duplicate-frame')) {
    const [twin] = x.relatedLocations!;
    assert.equal(twin.message?.text, 'the same entry');
    const uri = twin.physicalLocation!.artifactLocation!.uri!;
    // The twin prints the same `func+off/size` as the entry's own location holds.
    const own = regionText(uri, x.locations![0].physicalLocation!.region!);
    assert.ok(own.includes(regionText(uri, twin.physicalLocation!.region!)), `${own} / ${regionText(uri, twin.physicalLocation!.region!)}`);
  }
  for (const x of results.filter((x) => x.ruleId === 'unreliable-frame' || x.ruleId === 'corrupted-report')) assert.equal(x.relatedLocations, undefined);
});

test('a file that could not be read is a tool execution notification; the invocation did not succeed', () => {
  const empty = path.join(tmp, 'empty.log');
  fs.writeFileSync(empty, '');
  const missing = path.join(tmp, 'missing.log');
  const r = kcrash(['check', '--format', 'sarif', missing, SEED, empty]);
  assert.equal(r.status, 2);
  // Still said on stderr, one line per file.
  assert.match(r.stderr, /missing\.log: cannot read: no such file/);
  assert.match(r.stderr, /empty\.log: empty file/);
  assert.equal(r.stdout, JSON.stringify(JSON.parse(r.stdout), null, 2) + '\n');
  const run = (JSON.parse(r.stdout) as Log).runs[0];
  assert.ok(run.results!.length > 0, 'the readable file is checked');
  assert.equal(run.invocations?.length, 1);
  const [invocation] = run.invocations!;
  assert.equal(invocation.executionSuccessful, false);
  assert.deepEqual(
    invocation.toolExecutionNotifications!.map((n) => [n.level, n.message.text, n.locations![0].physicalLocation!.artifactLocation!.uri]),
    [
      ['error', `${missing}: cannot read: no such file`, missing],
      ['error', `${empty}: empty file`, empty],
    ],
  );

  // Nothing readable: no results, the notification still there.
  const none = kcrash(['check', '--format', 'sarif', missing]);
  assert.equal(none.status, 2);
  const noneRun = (JSON.parse(none.stdout) as Log).runs[0];
  assert.deepEqual(noneRun.results, []);
  assert.equal(noneRun.invocations![0].toolExecutionNotifications!.length, 1);

  // Every file read: the document has no invocations, as before.
  const ok = kcrash(['check', '--format', 'sarif', SEED]);
  assert.equal((JSON.parse(ok.stdout) as Log).runs[0].invocations, undefined);
});
