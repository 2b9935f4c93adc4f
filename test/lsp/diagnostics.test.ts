// What is published, and what goes with it, over real LSP stdio: one diagnostic per entry line (the
// most telling finding; the others in its related information) while `kcrash check` keeps every
// finding; function-end-return kept off `? ` entries unless a setting turns it on, and its wording;
// quick fixes from the findings of the range (past the cap, on a context marker's line, titled by
// report); go to definition from a duplicate to what it repeats; document links on `file:line`;
// codeDescription links when the client gives the docs' place; the status' published counts.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { createLanguageService } from '../../server/src/service/languageService.ts';
import { defaultSettings } from '../../server/src/service/settings.ts';
import { applyEdits, editsFor, fixture, LspClient, positionAtText, rangeOfText, ROOT, type CodeAction, type Diagnostic, type Range } from './client.ts';

const FIXTURE = 'lsp-one-per-line.log';
const CLI = path.join(ROOT, 'dist', 'cli.js');

interface Location {
  uri: string;
  range: Range;
}
interface DocumentLink {
  range: Range;
  target?: string;
}
interface Status {
  uri: string;
  version: number;
  complete: boolean;
  findingsByCode: Record<string, number>;
  problemsByCode?: Record<string, number>;
  hintsByCode?: Record<string, number>;
}

let text: string;
let client: LspClient;
let diagnostics: Diagnostic[];
const URI = 'file:///diags/one-per-line.log';

before(async () => {
  text = await fixture(FIXTURE);
  client = await LspClient.start();
  client.open(URI, text, 1);
  diagnostics = (await client.waitForDiagnostics(URI, 1)).diagnostics;
});
after(async () => {
  assert.equal(await client.shutdown(), 0);
});

const lineOf = (needle: string) => positionAtText(text, needle).line;
const onLine = (needle: string) => diagnostics.filter((d) => d.range.start.line === lineOf(needle));

describe('one diagnostic per entry line', () => {
  it('publishes at most one diagnostic per line', () => {
    const lines = diagnostics.map((d) => d.range.start.line);
    assert.equal(new Set(lines).size, lines.length, JSON.stringify(lines));
  });

  it('the most telling finding wins: duplicate-regs-ip over unreliable-frame (which its message states, so not listed again)', () => {
    const [d, ...rest] = onLine('? demo_rx_poll+0x56/0x120');
    assert.equal(rest.length, 0);
    assert.equal(d.code, 'duplicate-regs-ip');
    assert.equal(d.severity, 2);
    const related = d.relatedInformation!.map((r) => r.message);
    assert.match(related[0], /instruction pointer of the register block/);
    assert.match(d.message, /^Unreliable entry /);
    assert.ok(!related.some((m) => m.startsWith('unreliable-frame: ')), JSON.stringify(related));
  });

  it('duplicate-frame over unreliable-frame', () => {
    const [d, ...rest] = onLine('? net_rx_action+0x1f2/0x340');
    assert.equal(rest.length, 0);
    assert.equal(d.code, 'duplicate-frame');
    assert.match(d.message, /^Unreliable entry /);
    assert.ok(!d.relatedInformation!.some((r) => r.message.startsWith('unreliable-frame: ')));
  });

  it('`kcrash check --format json` still lists every finding of those lines', () => {
    const r = spawnSync(process.execPath, [CLI, 'check', '--format', 'json', path.join(ROOT, 'test', 'fixtures', FIXTURE)], { encoding: 'utf8' });
    const found = (JSON.parse(r.stdout.trim().split('\n')[0]) as { diagnostics: { line: number; code: string }[] }).diagnostics;
    const codesOn = (needle: string) =>
      found
        .filter((f) => f.line === lineOf(needle) + 1)
        .map((f) => f.code)
        .sort();
    assert.deepEqual(codesOn('? demo_rx_poll+0x56/0x120'), ['duplicate-regs-ip', 'unreliable-frame']);
    assert.deepEqual(codesOn('? handle_irq_event+0x40/0x40'), ['function-end-return', 'unreliable-frame']);
    assert.ok(found.length > diagnostics.length);
  });
});

describe('the cap', () => {
  it('keeps the most severe first, in document order, as many as the cap allows (one per line)', () => {
    const big = Array.from({ length: 40 }, () => text).join('');
    const service = createLanguageService();
    service.openDocument('file:///cap.log', 'kernel-log', 1, big);
    const { document, analysis } = service.getSnapshot('file:///cap.log')!;
    const caps = { relatedInformation: true, unnecessaryTag: true };
    const key = (d: { range: Range }) => `${d.range.start.line}:${d.range.start.character}`;
    const variants = [
      defaultSettings(),
      { ...defaultSettings(), severity: { ...defaultSettings().severity, 'duplicate-frame': 'error' as const, 'unreliable-frame': 'information' as const } },
      { ...defaultSettings(), onUnreliableEntries: { 'function-end-return': true } },
    ];
    for (const settings of variants) {
      const all = service.computeDiagnostics(document, analysis, { ...settings, maxDiagnostics: 1e9 }, caps);
      assert.equal(all.truncated, false);
      for (const max of [0, 1, 39, 40, 41, 150, 200, 400, all.diagnostics.length - 1, all.diagnostics.length]) {
        const capped = service.computeDiagnostics(document, analysis, { ...settings, maxDiagnostics: max }, caps);
        // A stable sort: within one severity, the first ones in the document.
        const bySeverity = [...all.diagnostics].sort((a, b) => (a.severity ?? 0) - (b.severity ?? 0));
        const wanted = new Set(bySeverity.slice(0, max).map(key));
        assert.deepEqual(capped.diagnostics.map(key), all.diagnostics.filter((d) => wanted.has(key(d))).map(key), `cap ${max}`);
        assert.equal(capped.truncated, max < all.diagnostics.length, `cap ${max}: truncated`);
      }
    }
  });
});

describe('function-end-return: off `? ` entries by default, worded for what it is', () => {
  it('is not published on a `? ` entry (the hint is); its fact is in the related information', () => {
    const [d, ...rest] = onLine('? handle_irq_event+0x40/0x40');
    assert.equal(rest.length, 0);
    assert.equal(d.code, 'unreliable-frame');
    assert.ok(d.relatedInformation!.some((r) => /^function-end-return: Most likely the start of the function right after handle_irq_event/.test(r.message)));
  });

  it('on a reliable entry it is published: a noreturn call or code falling through into the next symbol', () => {
    const [d] = onLine('entry_SYSCALL64_slow_path+0x25/0x25');
    assert.equal(d.code, 'function-end-return');
    assert.deepEqual(d.range, rangeOfText(text, 'entry_SYSCALL64_slow_path+0x25/0x25'));
    assert.match(d.message, /noreturn function or code that falls through into the next symbol \(asm entry code\)/);
    assert.doesNotMatch(d.message, /a call to a noreturn function;/);
  });

  it('kernelLog.diagnostics.onUnreliableEntries turns it on; `__pfx_foo+0x10/0x10` is said to be foo+0x0', async () => {
    const own = await LspClient.start({ settings: { diagnostics: { onUnreliableEntries: { 'function-end-return': true } } } });
    try {
      own.open(URI, text, 1);
      const all = (await own.waitForDiagnostics(URI, 1)).diagnostics;
      const at = (needle: string) => all.filter((d) => d.range.start.line === lineOf(needle));
      assert.deepEqual(
        at('? handle_irq_event+0x40/0x40').map((d) => d.code),
        ['function-end-return'],
      );
      const [pfx] = at('? __pfx_sched_clock_cpu+0x10/0x10');
      assert.equal(pfx.code, 'function-end-return');
      assert.match(pfx.message, /^This is sched_clock_cpu\+0x0: a pointer to sched_clock_cpu's entry/);
      // The duplicate still wins on its line.
      assert.deepEqual(
        at('? demo_rx_poll+0x56/0x120').map((d) => d.code),
        ['duplicate-regs-ip'],
      );
    } finally {
      await own.shutdown();
    }
  });
});

describe('quick fixes from the findings of the range', () => {
  it('past the diagnostics cap: a duplicate that has no published diagnostic can be removed', async () => {
    const own = await LspClient.start({ settings: { diagnostics: { maxNumberOfProblems: 1 } } });
    try {
      own.open(URI, text, 1);
      const published = (await own.waitForDiagnostics(URI, 1)).diagnostics;
      // The cap keeps the most severe: the warning.
      assert.deepEqual(
        published.map((d) => d.code),
        ['duplicate-regs-ip'],
      );
      const range = rangeOfText(text, '? __check_object_size+0x13a/0x160');
      assert.ok(!published.some((d) => d.range.start.line === range.start.line));
      const actions = await own.request<CodeAction[]>('textDocument/codeAction', {
        textDocument: { uri: URI },
        range,
        context: { diagnostics: [], triggerKind: 2 },
      });
      const fix = actions.find((a) => a.title === 'Remove duplicate entry');
      assert.ok(fix, JSON.stringify(actions.map((a) => a.title)));
      assert.equal(fix.isPreferred, true);
      assert.equal(applyEdits(text, editsFor(fix.edit!, URI)), text.replace('[  600.000014]  ? __check_object_size+0x13a/0x160\n', ''));
    } finally {
      await own.shutdown();
    }
  });

  it('"Remove unreliable (?) entries" removes an entry on a context marker line and keeps the marker', async () => {
    const actions = await client.request<CodeAction[]>('textDocument/codeAction', {
      textDocument: { uri: URI },
      range: rangeOfText(text, '? default_idle+0x25/0x150'),
      context: { diagnostics: onLine('? default_idle+0x25/0x150'), triggerKind: 2 },
    });
    const fix = actions.find((a) => a.title === 'Remove unreliable (?) entries in this report');
    assert.ok(fix, JSON.stringify(actions.map((a) => a.title)));
    assert.deepEqual(fix.diagnostics, onLine('? default_idle+0x25/0x150'));
    const result = applyEdits(text, editsFor(fix.edit!, URI));
    assert.match(result, /^\[ {2}512\.100012\] {2}<IRQ>$/m);
    assert.match(result, /^\[ {2}512\.100020\] {2}<EOI>$/m);
    for (const gone of ['? __pfx_sched_clock_cpu', '? demo_rx_poll', '? handle_irq_event', '? net_rx_action', '? default_idle'])
      assert.ok(!result.includes(gone), gone);
    assert.ok(result.includes('? demo_read+0x20/0x20'), 'the other report is left alone');
    assert.ok(result.includes(' net_rx_action+0x1f2/0x340'));
  });

  it('fix-all removes a duplicate on a context marker line and keeps the marker', async () => {
    const uri = 'file:///diags/marker-duplicate.log';
    const withDuplicate = text.replace('<EOI>  [<ffffffff8101e2d5>] ? default_idle+0x25/0x150', '<EOI>  [<ffffffff8159c1a2>] ? net_rx_action+0x1f2/0x340');
    assert.notEqual(withDuplicate, text);
    client.open(uri, withDuplicate, 1);
    await client.waitForDiagnostics(uri, 1);
    const [fixAll] = await client.request<CodeAction[]>('textDocument/codeAction', {
      textDocument: { uri },
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      context: { diagnostics: [], only: ['source.fixAll.kernel-log'] },
    });
    client.close(uri);
    const result = applyEdits(withDuplicate, editsFor(fixAll.edit!, uri));
    assert.match(result, /^\[ {2}512\.100020\] {2}<EOI>$/m);
    assert.ok(!result.includes('? net_rx_action'));
    assert.ok(!result.includes('? demo_rx_poll'));
    assert.ok(!result.includes('? __check_object_size'));
    assert.ok(result.includes('? handle_irq_event'), 'unreliable entries that repeat nothing stay');
  });

  it("a range over two reports gets each report's fixes, titled with the report", async () => {
    const start = rangeOfText(text, '? net_rx_action+0x1f2/0x340').start;
    const end = rangeOfText(text, '? demo_read+0x20/0x20').end;
    const actions = await client.request<CodeAction[]>('textDocument/codeAction', {
      textDocument: { uri: URI },
      range: { start, end },
      context: { diagnostics: [], triggerKind: 2 },
    });
    const titles = actions.map((a) => a.title);
    assert.ok(titles.includes('Remove all duplicate entries in report 1: BUG: unable to handle kernel paging request in demo_rx_poll'), JSON.stringify(titles));
    assert.ok(
      titles.some((t) => /^Remove unreliable \(\?\) entries in report 2: WARNING: bad usercopy in demo_read$/.test(t)),
      JSON.stringify(titles),
    );
    assert.ok(!titles.some((t) => t.includes('in this report')));
  });
});

describe('go to definition from a duplicate', () => {
  it('a duplicate-regs-ip goes to the RIP line it repeats', async () => {
    const at = positionAtText(text, '? demo_rx_poll+0x56/0x120', 4);
    const locations = await client.request<Location[]>('textDocument/definition', { textDocument: { uri: URI }, position: at });
    const rip = text.indexOf('RIP: 0010:[<ffffffffa0123456>]');
    assert.deepEqual(locations, [{ uri: URI, range: rangeOfText(text, 'demo_rx_poll+0x56/0x120', rip) }]);
  });

  it('a duplicate-frame goes to its twin', async () => {
    const at = positionAtText(text, '? net_rx_action+0x1f2/0x340', 4);
    const locations = await client.request<Location[]>('textDocument/definition', { textDocument: { uri: URI }, position: at });
    assert.deepEqual(locations, [{ uri: URI, range: rangeOfText(text, 'net_rx_action+0x1f2/0x340') }]);
  });

  it('a plain entry has none without symbols', async () => {
    const at = positionAtText(text, 'arch_cpu_idle+0xf/0x20', 2);
    assert.equal(await client.request('textDocument/definition', { textDocument: { uri: URI }, position: at }), null);
  });
});

describe('document links on file:line', () => {
  let root: string;
  before(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'kcrash-links-'));
    fs.mkdirSync(path.join(root, 'mm'));
    fs.writeFileSync(path.join(root, 'mm', 'usercopy.c'), '// usercopy\n');
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  it('links `mm/usercopy.c:81` to the file under the source root, and not a file that is not there', async () => {
    const own = await LspClient.start({ settings: { sourceRoot: root } });
    try {
      own.open(URI, text, 1);
      await own.waitForDiagnostics(URI, 1);
      const links = await own.request<DocumentLink[]>('textDocument/documentLink', { textDocument: { uri: URI } });
      assert.deepEqual(
        links.map((l) => ({ range: l.range, target: l.target })),
        [{ range: rangeOfText(text, 'mm/usercopy.c:81'), target: `${pathToFileURL(path.join(root, 'mm', 'usercopy.c')).href}#L81` }],
      );
      // Once the header exists too, the inline frame's reference is linked.
      fs.mkdirSync(path.join(root, 'include', 'linux'), { recursive: true });
      fs.writeFileSync(path.join(root, 'include', 'linux', 'list.h'), '');
      const more = await own.request<DocumentLink[]>('textDocument/documentLink', { textDocument: { uri: URI } });
      assert.deepEqual(
        more.map((l) => l.range),
        [rangeOfText(text, 'mm/usercopy.c:81'), rangeOfText(text, 'include/linux/list.h:45')],
      );
    } finally {
      await own.shutdown();
    }
  });

  it('no source root, no links', async () => {
    assert.deepEqual(await client.request('textDocument/documentLink', { textDocument: { uri: URI } }), []);
  });
});

describe('codeDescription', () => {
  it('links each code to its section of the docs the client gives', async () => {
    const base = 'file:///ext/kernel-crash-log/docs/findings.md';
    const own = await LspClient.start({ initializationOptions: { findingsDocs: base } });
    try {
      own.open(URI, text, 1);
      const all = (await own.waitForDiagnostics(URI, 1)).diagnostics as (Diagnostic & { codeDescription?: { href: string } })[];
      assert.ok(all.length > 0);
      for (const d of all) assert.equal(d.codeDescription?.href, `${base}#${String(d.code)}`);
      const doc = fs.readFileSync(path.join(ROOT, 'docs', 'findings.md'), 'utf8');
      for (const d of all) assert.ok(doc.includes(`<a id="${String(d.code)}"></a>`), String(d.code));
    } finally {
      await own.shutdown();
    }
  });

  it('none without a docs base', () => {
    for (const d of diagnostics) assert.equal((d as { codeDescription?: unknown }).codeDescription, undefined);
  });
});

describe('status', () => {
  it('counts what Problems lists (information and above) apart from hints, and every finding', async () => {
    const uri = 'file:///diags/status.log';
    const status = client.waitFor<Status>('kernelLog/status', (p) => p.uri === uri && p.complete);
    client.open(uri, text, 1);
    const s = await status;
    const published = diagnostics; // the same text and settings as URI's
    const count = (list: Diagnostic[]) => {
      const out: Record<string, number> = {};
      for (const d of list) out[String(d.code)] = (out[String(d.code)] ?? 0) + 1;
      return out;
    };
    assert.deepEqual(s.problemsByCode, count(published.filter((d) => d.severity !== 4)));
    assert.deepEqual(s.hintsByCode, count(published.filter((d) => d.severity === 4)));
    assert.ok(s.findingsByCode['unreliable-frame'] > (s.hintsByCode?.['unreliable-frame'] ?? 0));
  });
});
