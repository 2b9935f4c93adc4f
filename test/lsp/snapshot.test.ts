// Each document version has its own result: a request answers for the version it was asked on (or
// with ContentModified), however the document is edited while it waits — for the symbolizer (held
// back here by the server's test-only delay, TEST_SYMBOLIZE_DELAY_ENV) or for the client's settings —
// and the edit leaves every later answer as a fresh parse of the new text gives it. Below the
// server, an analysis read after later versions moved its reports reads as it did.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Finding } from '../../server/src/analyzer/findings.ts';
import { computeLineStarts } from '../../server/src/parser/lines.ts';
import { parseCrashLog } from '../../server/src/parser/parse.ts';
import { moveReport } from '../../server/src/service/analysis.ts';
import { DocumentCache } from '../../server/src/service/documentCache.ts';
import { analyzeWhole } from '../../server/src/service/reparse.ts';
import { TEST_SYMBOLIZE_DELAY_ENV } from '../../server/src/symbolizer/symbolService.ts';
import { fixture, hoverText, LspClient, positionAtText, type CodeAction, type PublishDiagnosticsParams, type Range } from './client.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const REAL = path.join(ROOT, 'test/fixtures/real-debian');
const SETTINGS = { systemMap: path.join(REAL, 'System.map-6.1.0-56-amd64'), modulePaths: [REAL], symbolizer: { external: 'off' } };
/** How long the server holds back each symbolizer answer (the hover waits up to 2 s for one). */
const DELAY_MS = 600;
const ENTRY = 'kcrash_null_middle.constprop.0+0xa';
const ABOVE = 'typed above\nthree lines\nwhile it waited\n';

interface Hover {
  contents: { value: string };
  range: Range;
}

const insertAtTop = (text: string) => [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text }];
/** A request's answer, or the code of the error it got. */
const settled = <T>(response: Promise<unknown>) =>
  response.then(
    (result) => ({ result: result as T, code: null }),
    (err: { code?: number }) => ({ result: null, code: err?.code ?? NaN }),
  );
const shifted = (r: Range, lines: number): Range => ({
  start: { line: r.start.line + lines, character: r.start.character },
  end: { line: r.end.line + lines, character: r.end.character },
});

describe('a request answers for the version it was asked on', () => {
  let client: LspClient;
  before(async () => {
    process.env[TEST_SYMBOLIZE_DELAY_ENV] = String(DELAY_MS);
    try {
      client = await LspClient.start({ settings: SETTINGS });
    } finally {
      delete process.env[TEST_SYMBOLIZE_DELAY_ENV];
    }
  });
  after(async () => {
    assert.equal(await client.shutdown(), 0);
  });

  /** Opens a text and waits for its diagnostics. */
  async function open(uri: string, text: string): Promise<PublishDiagnosticsParams> {
    const diagnostics = client.waitForDiagnostics(uri, 1, 30_000);
    client.open(uri, text, 1);
    return diagnostics;
  }

  /** The diagnostics a fresh server-side parse of `text` gives (a second document). */
  async function freshDiagnostics(name: string, text: string): Promise<PublishDiagnosticsParams['diagnostics']> {
    return (await open(`file:///fresh/${name}.log`, text)).diagnostics;
  }

  it('a hover waiting for the symbolizer while lines are typed above its entry', async () => {
    const uri = 'file:///elsewhere/slow-hover.log';
    const text = await fixture('real-debian-module-null-deref.log');
    await open(uri, text);
    const at = positionAtText(text, ENTRY);
    // Asked alone first: the range and the source section of the entry in this version.
    const alone = await client.request<Hover>('textDocument/hover', { textDocument: { uri }, position: at });
    assert.match(alone.contents.value, /\*\*Source\*\* \(of the call: address − 1\)/);

    const slow = client.requestId('textDocument/hover', { textDocument: { uri }, position: at });
    await new Promise((r) => setTimeout(r, DELAY_MS / 4)); // the server is waiting for the symbolizer now
    const v2 = client.waitForDiagnostics(uri, 2, 30_000);
    client.change(uri, 2, insertAtTop(ABOVE));
    const edited = ABOVE + text;
    const published = await v2; // the edit is parsed, its reports moved, while the hover still waits
    const answer = await settled<Hover>(slow.response);
    if (answer.code !== null) {
      assert.equal(answer.code, -32801, 'or ContentModified');
    } else {
      assert.deepEqual(answer.result?.range, alone.range, 'the range of the entry in the version the hover was asked on');
      assert.equal(hoverText(answer.result), alone.contents.value);
    }
    // The edit's own answers are those of a fresh parse of the new text.
    assert.deepEqual(published.diagnostics, await freshDiagnostics('slow-hover', edited));
    const later = await client.request<Hover>('textDocument/hover', { textDocument: { uri }, position: positionAtText(edited, ENTRY) });
    assert.deepEqual(later.range, shifted(alone.range, 3));
    assert.equal(later.contents.value, alone.contents.value);
  });

  it("a hover waiting for the client's settings while lines are typed above its entry", async () => {
    const uri = 'file:///elsewhere/settings-hover.log';
    const text = await fixture('real-debian-module-null-deref.log');
    await open(uri, text);
    const at = positionAtText(text, ENTRY);
    const alone = await client.request<Hover>('textDocument/hover', { textDocument: { uri }, position: at });
    // The settings are asked for again (a round trip to the client) before the hover can start.
    client.notify('workspace/didChangeConfiguration', { settings: { kernelLog: SETTINGS } });
    const waiting = client.requestId('textDocument/hover', { textDocument: { uri }, position: at });
    client.change(uri, 2, insertAtTop(ABOVE));
    const answer = await settled<Hover>(waiting.response);
    if (answer.code !== null) {
      assert.equal(answer.code, -32801, 'or ContentModified');
    } else {
      assert.deepEqual(answer.result?.range, alone.range, 'the range of the entry in the version the hover was asked on');
      assert.equal(hoverText(answer.result), alone.contents.value);
    }
  });
});

describe('fixes for the version they were asked on', () => {
  it("a code action waiting for the client's settings while lines are typed above its entry", async (t) => {
    const client = await LspClient.start();
    t.after(() => client.shutdown());
    const uri = 'file:///elsewhere/settings-fix.log';
    const text = await fixture('lsp-seed-pt-regs.log');
    const published = client.waitForDiagnostics(uri, 1, 30_000);
    client.open(uri, text, 1);
    const duplicate = (await published).diagnostics.find((d) => d.code === 'duplicate-regs-ip')!;
    const params = { textDocument: { uri }, range: duplicate.range, context: { diagnostics: [duplicate] } };
    const alone = await client.request<CodeAction[]>('textDocument/codeAction', params);
    const removal = alone.find((a) => a.title === 'Remove duplicate entry')!;
    assert.equal(removal.edit?.documentChanges?.[0].textDocument.version, 1);
    client.notify('workspace/didChangeConfiguration', { settings: { kernelLog: {} } });
    const waiting = client.requestId('textDocument/codeAction', params);
    client.change(uri, 2, insertAtTop(ABOVE));
    const answer = await settled<CodeAction[]>(waiting.response);
    if (answer.code !== null) assert.equal(answer.code, -32801, 'or ContentModified');
    else assert.deepEqual(answer.result, alone, 'the fixes of the version asked on (a versioned edit the editor applies to that version only)');
  });
});

describe("a version's analysis stays as it was", () => {
  it('is read the same before and after later versions moved its reports', async () => {
    const text = (await fixture('real-debian-module-null-deref.log')) + (await fixture('lsp-seed-pt-regs.log'));
    const cache = new DocumentCache();
    const uri = 'test://versions';
    cache.open(uri, 'kernel-log', 1, text);
    const texts = [text];
    const snapshots = [cache.snapshotOf(uri)!];
    // Lines typed at the top and in the middle: every report after them moves, some twice.
    for (const [version, line] of [
      [2, 0],
      [3, 40],
      [4, 0],
    ]) {
      cache.change(uri, version, [{ range: { start: { line, character: 0 }, end: { line, character: 0 } }, text: ABOVE }]);
      const lines = texts[texts.length - 1].split('\n');
      lines.splice(line, 0, ...ABOVE.split('\n').slice(0, -1));
      texts.push(lines.join('\n'));
      snapshots.push(cache.snapshotOf(uri)!);
    }
    // Read newest first, then oldest first: each version reads as a fresh parse of its own text.
    for (const order of [
      [3, 2, 1, 0],
      [0, 1, 2, 3],
    ]) {
      for (const i of order) {
        const { document, analysis } = snapshots[i];
        assert.equal(document.text.toString(), texts[i]);
        const full = analyzeWhole(texts[i], computeLineStarts(texts[i]));
        assert.deepEqual(analysis.log.reports, full.log.reports, `version ${i + 1}: reports`);
        const read = (f: Finding) => ({ line: f.line, start: f.start, end: f.end, data: f.data, related: f.related, message: f.message });
        assert.deepEqual(analysis.allFindings().map(read), full.allFindings().map(read), `version ${i + 1}: findings`);
      }
    }
  });
});

describe('moving a report', () => {
  it('copies every object that holds a position (the original stays as it is)', async () => {
    const text = (await fixture('real-debian-module-warn-in-nmi.log')) + (await fixture('lsp-seed-pt-regs.log'));
    const { reports } = parseCrashLog(text);
    const objects = (value: unknown, into = new Set<object>()): Set<object> => {
      if (typeof value === 'object' && value !== null && !into.has(value)) {
        into.add(value);
        for (const v of Object.values(value)) objects(v, into);
      }
      return into;
    };
    for (const report of reports) {
      const before = structuredClone(report);
      const moved = moveReport(report, 3, 120, true);
      assert.deepEqual(report, before, 'the original is unchanged');
      assert.deepEqual(moveReport(structuredClone(moved), -3, -120, false), report, 'moved back in place, the copy equals the original');
      // Shared: only what has no position (the module list, the paste shape).
      const shared = [...objects(moved)].filter((o) => objects(report).has(o) && o !== report.modules && o !== report.pasteShape);
      assert.deepEqual(shared, []);
    }
  });
});
