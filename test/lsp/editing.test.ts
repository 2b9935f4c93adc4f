// Editing over LSP: incremental didChange gives the same diagnostics as opening the edited text
// afresh; settings change severities; fix-all, the removeAllDuplicates command and the report-wide
// fixes remove exactly the flagged lines.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  applyEdits,
  DEFAULT_CAPABILITIES,
  editsFor,
  fixture,
  hoverText,
  LspClient,
  offsetOf,
  positionOf,
  type Diagnostic,
  type Range,
  type WorkspaceEdit,
} from './client.ts';

interface CodeAction {
  title: string;
  kind?: string;
  edit?: WorkspaceEdit;
  diagnostics?: Diagnostic[];
}

/** Diagnostics without the document they belong to (to compare two documents). */
function normalized(diagnostics: Diagnostic[]): unknown {
  return diagnostics.map((d) => ({ ...d, relatedInformation: d.relatedInformation?.map((r) => ({ ...r, location: { ...r.location, uri: '' } })) }));
}

/**
 * One server with the default settings and capabilities for the describes that need no other (each
 * on documents of its own); the settings and removal tests start their own.
 */
let plain: LspClient;
before(async () => {
  plain = await LspClient.start();
});
after(async () => {
  assert.equal(await plain.shutdown(), 0);
});

function removeLines(text: string, lines: Iterable<number>): string {
  const drop = new Set(lines);
  const all = text.split('\n');
  return all.filter((_, i) => !drop.has(i)).join('\n');
}

describe('incremental edits', () => {
  let client: LspClient;
  let fresh = 0;

  before(() => {
    client = plain;
  });

  /** Diagnostics of `text` opened as a new document. */
  async function freshDiagnostics(text: string): Promise<Diagnostic[]> {
    const uri = `file:///fresh/${++fresh}.log`;
    client.open(uri, text, 1);
    const result = (await client.waitForDiagnostics(uri, 1)).diagnostics;
    client.close(uri);
    return result;
  }

  it('gives the diagnostics of a fresh open after every edit', async () => {
    const uri = 'file:///edited/mixed.log';
    let text = (await fixture('lsp-mixed-modern.log')) + (await fixture('lsp-old-x86-clear-user.log')) + (await fixture('lsp-seed-pt-regs.log'));
    client.open(uri, text, 1);
    await client.waitForDiagnostics(uri, 1);
    const at = (needle: string, delta = 0) => positionOf(text, text.indexOf(needle) + delta);
    const lineRange = (needle: string): Range => {
      const p = at(needle);
      return { start: { line: p.line, character: 0 }, end: { line: p.line + 1, character: 0 } };
    };
    // Each step: the ranges of one didChange, all in the coordinates the previous change left.
    const steps: { label: string; changes: () => { range: Range; text: string }[] }[] = [
      { label: 'delete a ? line', changes: () => [{ range: lineRange('? __warn+0xc9/0x360'), text: '' }] },
      { label: 'type into a header', changes: () => [{ range: { start: at('drop_nlink+0x9e/0xd0'), end: at('drop_nlink+0x9e/0xd0') }, text: 'x' }] },
      {
        label: 'add a ? copy of a reliable entry',
        changes: () => [
          {
            range: { start: at(' do_one_initcall+0xd6/0x460'), end: at(' do_one_initcall+0xd6/0x460') },
            text: ' ? do_one_initcall+0xd6/0x460\n[  201.553873][ T5120] ',
          },
        ],
      },
      {
        label: 'break a report header',
        changes: () => [{ range: { start: at('general protection fault'), end: at('general protection fault', 7) }, text: 'generic' }],
      },
      { label: 'restore it', changes: () => [{ range: { start: at('generic protection fault'), end: at('generic protection fault', 7) }, text: 'general' }] },
      {
        label: 'paste a whole report at the top',
        changes: () => [{ range: { start: { line: 2, character: 0 }, end: { line: 2, character: 0 } }, text: text.slice(text.indexOf('[  731.402215]')) }],
      },
      {
        label: 'delete a block across reports',
        changes: () => [{ range: { start: at('Kernel panic - not syncing'), end: at('stack backtrace:') }, text: '' }],
      },
      {
        label: 'two changes in one notification',
        changes: () => {
          const first = { range: lineRange('<EOI>'), text: '' };
          const after = applyEdits(text, [{ range: first.range, newText: '' }]);
          const p = positionOf(after, after.lastIndexOf('<EOI>'));
          return [first, { range: { start: p, end: { line: p.line, character: p.character + 5 } }, text: '</IRQ>' }];
        },
      },
      {
        label: 'replace everything',
        changes: () => [{ range: { start: { line: 0, character: 0 }, end: positionOf(text, text.length) }, text: text.slice(0, text.length >> 1) }],
      },
    ];
    let version = 1;
    for (const step of steps) {
      const changes = step.changes();
      for (const c of changes) text = applyEdits(text, [{ range: c.range, newText: c.text }]);
      client.change(uri, ++version, changes);
      const incremental = (await client.waitForDiagnostics(uri, version)).diagnostics;
      assert.deepEqual(normalized(incremental), normalized(await freshDiagnostics(text)), step.label);
    }
    // A full-text change (no range) too.
    text = text + '\n' + (await fixture('lsp-seed-pt-regs.log'));
    client.change(uri, ++version, [{ text }]);
    const incremental = (await client.waitForDiagnostics(uri, version)).diagnostics;
    assert.deepEqual(normalized(incremental), normalized(await freshDiagnostics(text)), 'full-text change');
    assert.ok(incremental.some((d) => d.code === 'duplicate-regs-ip'));
  });

  it('typing a ? entry character by character keeps in step', async () => {
    const uri = 'file:///edited/typing.log';
    let text = await fixture('lsp-seed-pt-regs.log');
    client.open(uri, text, 1);
    await client.waitForDiagnostics(uri, 1);
    const typed = '[  731.413999]  [<ffffffff8129ddd1>] ? filename_lookup+0xb1/0x180\n';
    let offset = text.indexOf('[  731.414312]');
    let version = 1;
    for (const ch of typed) {
      const p = positionOf(text, offset);
      text = text.slice(0, offset) + ch + text.slice(offset);
      offset++;
      client.change(uri, ++version, [{ range: { start: p, end: p }, text: ch }]);
    }
    const incremental = (await client.waitForDiagnostics(uri, version)).diagnostics;
    const dup = incremental.filter((d) => d.code === 'duplicate-frame');
    assert.equal(dup.length, 1);
    assert.equal(dup[0].range.start.line, positionOf(text, text.indexOf(typed)).line);
    assert.deepEqual(normalized(incremental), normalized(await freshDiagnostics(text)));
  });

  it('an edit that changes no diagnostic sends the status, not the same list again', async () => {
    const uri = 'file:///edited/unchanged.log';
    const text = await fixture('lsp-seed-pt-regs.log');
    client.open(uri, text, 1);
    const first = await client.waitForDiagnostics(uri, 1);
    assert.ok(first.diagnostics.length > 0);
    const publishes = () =>
      client.notifications.filter((n) => n.method === 'textDocument/publishDiagnostics' && (n.params as { uri: string }).uri === uri).length;
    const before = publishes();
    // Text typed at the end of the file, after every report, moves no diagnostic.
    const end = positionOf(text, text.length);
    client.change(uri, 2, [{ range: { start: end, end }, text: 'x' }]);
    const second = await client.waitForDiagnostics(uri, 2);
    assert.equal(publishes(), before);
    assert.deepEqual(second.diagnostics, first.diagnostics);
    // A change that moves them is published.
    client.change(uri, 3, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: 'boot\n' }]);
    const third = await client.waitForDiagnostics(uri, 3);
    assert.equal(publishes(), before + 1);
    assert.equal(third.version, 3);
    client.close(uri);
  });
});

describe('settings', () => {
  let client: LspClient;
  const uri = 'file:///settings/old.log';
  let text: string;

  before(async () => {
    text = await fixture('lsp-old-x86-clear-user.log');
    client = await LspClient.start({ settings: { diagnostics: { severity: { 'unreliable-frame': 'off', 'duplicate-frame': 'error' } } } });
    client.open(uri, text, 1);
  });
  after(async () => {
    await client.shutdown();
  });

  it('reads severities per document with workspace/configuration', async () => {
    const diagnostics = (await client.waitForDiagnostics(uri, 1)).diagnostics;
    assert.equal(diagnostics.filter((d) => d.code === 'unreliable-frame').length, 0);
    const dups = diagnostics.filter((d) => d.code === 'duplicate-frame');
    assert.ok(dups.length >= 2);
    for (const d of dups) assert.equal(d.severity, 1);
    const request = client.serverRequests.find((r) => r.method === 'workspace/configuration');
    assert.deepEqual(request?.params, { items: [{ scopeUri: uri, section: 'kernelLog' }] });
    assert.ok(client.serverRequests.some((r) => r.method === 'client/registerCapability'));
  });

  it('publishes again with new severities on didChangeConfiguration', async () => {
    client.settings = { diagnostics: { severity: { 'duplicate-regs-ip': 'hint', 'function-end-return': 'off' } } };
    const next = client.waitForDiagnostics(uri, 1);
    client.notify('workspace/didChangeConfiguration', { settings: null });
    const diagnostics = (await next).diagnostics;
    assert.ok(diagnostics.some((d) => d.code === 'unreliable-frame' && d.severity === 4));
    assert.ok(diagnostics.some((d) => d.code === 'duplicate-regs-ip' && d.severity === 4));
    assert.ok(diagnostics.some((d) => d.code === 'duplicate-frame' && d.severity === 3));
    assert.equal(diagnostics.filter((d) => d.code === 'function-end-return').length, 0);
  });
});

describe('removing duplicates', () => {
  let client: LspClient;
  const uri = 'file:///fix/mixed.log';
  let text: string;
  let diagnostics: Diagnostic[];

  before(async () => {
    text = (await fixture('lsp-mixed-modern.log')) + (await fixture('lsp-old-x86-clear-user.log'));
    client = await LspClient.start({
      capabilities: {
        workspace: { configuration: true, workspaceEdit: { documentChanges: false }, applyEdit: true },
        textDocument: { publishDiagnostics: { relatedInformation: true }, codeAction: DEFAULT_CAPABILITIES.textDocument.codeAction },
      },
    });
    client.open(uri, text, 1);
    diagnostics = (await client.waitForDiagnostics(uri, 1)).diagnostics;
  });
  after(async () => {
    await client.shutdown();
  });

  const duplicateLines = () =>
    new Set(diagnostics.filter((d) => d.code === 'duplicate-regs-ip' || d.code === 'duplicate-frame').map((d) => d.range.start.line));

  it('source.fixAll.kernel-log removes every duplicate line of the file in one edit', async () => {
    const actions = await client.request<CodeAction[]>('textDocument/codeAction', {
      textDocument: { uri },
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      context: { diagnostics: [], only: ['source.fixAll.kernel-log'] },
    });
    assert.equal(actions.length, 1);
    assert.equal(actions[0].kind, 'source.fixAll.kernel-log');
    assert.ok(actions[0].edit?.changes, 'plain `changes` for a client without documentChanges');
    assert.equal(applyEdits(text, editsFor(actions[0].edit!, uri)), removeLines(text, duplicateLines()));
    assert.ok(duplicateLines().size >= 8);
  });

  it('no source action without `only`, and no fix at all away from findings unless invoked', async () => {
    const far = { start: { line: 1, character: 0 }, end: { line: 1, character: 0 } };
    assert.deepEqual(await client.request('textDocument/codeAction', { textDocument: { uri }, range: far, context: { diagnostics: [] } }), []);
    const inReport = positionOf(text, text.indexOf('Modules linked in: nf_tables'));
    const automatic = await client.request<CodeAction[]>('textDocument/codeAction', {
      textDocument: { uri },
      range: { start: inReport, end: inReport },
      context: { diagnostics: [], triggerKind: 2 },
    });
    assert.deepEqual(automatic, []);
    const invoked = await client.request<CodeAction[]>('textDocument/codeAction', {
      textDocument: { uri },
      range: { start: inReport, end: inReport },
      context: { diagnostics: [], triggerKind: 1 },
    });
    assert.deepEqual(
      invoked.map((a) => a.title),
      ['Remove all duplicate entries in this report', 'Remove unreliable (?) entries in this report'],
    );
  });

  it('a stale or foreign diagnostic is attached to no fix (the fixes come from the current findings of the range)', async () => {
    const dup = diagnostics.find((d) => d.code === 'duplicate-frame')!;
    const stale = { ...dup, data: { ...(dup.data as object), removableLine: 3 } };
    const foreign = { ...dup, source: 'eslint' };
    const fresh = await client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: dup.range, context: { diagnostics: [dup] } });
    assert.deepEqual(fresh[0].diagnostics, [dup]);
    for (const d of [stale, foreign]) {
      const actions = await client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: d.range, context: { diagnostics: [d] } });
      assert.deepEqual(
        actions.map((a) => a.title),
        fresh.map((a) => a.title),
      );
      for (const a of actions) assert.deepEqual(a.diagnostics, [], a.title);
    }
  });

  it('"Remove unreliable (?) entries" removes an entry that shares its line with a context marker, and keeps the marker', async () => {
    const line = positionOf(text, text.indexOf('<EOI>  [<ffffffff8100e2d5>] ? default_idle')).line;
    const d = diagnostics.find((x) => x.code === 'unreliable-frame' && x.range.start.line === line)!;
    const actions = await client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: d.range, context: { diagnostics: [d] } });
    const fix = actions.find((a) => a.title === 'Remove unreliable (?) entries in this report')!;
    const result = applyEdits(text, editsFor(fix.edit!, uri));
    const markerLine = text.split('\n')[line];
    assert.ok(result.includes(`${markerLine.slice(0, markerLine.indexOf('<EOI>') + 5)}\n`), 'the marker stays, alone on its line');
    assert.ok(!result.includes('? default_idle+0x25/0x150'));
    assert.ok(!result.includes('? qdisc_rcu_free+0x40/0x40'));
    assert.ok(!result.includes('? default_idle+0x23/0x150'));
  });

  it('kernelLog.removeAllDuplicates applies the same edit through workspace/applyEdit', async () => {
    let applied: WorkspaceEdit | undefined;
    client.onApplyEdit = (edit) => {
      applied = edit;
      return { applied: true };
    };
    const result = await client.request('workspace/executeCommand', { command: 'kernelLog.removeAllDuplicates', arguments: [uri] });
    assert.deepEqual(result, { applied: true, removedLines: duplicateLines().size });
    assert.ok(applied);
    assert.equal(applyEdits(text, editsFor(applied, uri)), removeLines(text, duplicateLines()));
    // The client's edit arrives as a didChange; after it there is nothing left to remove.
    const after = removeLines(text, duplicateLines());
    client.change(uri, 2, [{ range: { start: { line: 0, character: 0 }, end: positionOf(text, text.length) }, text: after }]);
    const left = (await client.waitForDiagnostics(uri, 2)).diagnostics;
    assert.equal(left.filter((d) => d.code === 'duplicate-regs-ip' || d.code === 'duplicate-frame').length, 0);
    assert.deepEqual(await client.request('workspace/executeCommand', { command: 'kernelLog.removeAllDuplicates', arguments: [{ uri }] }), {
      applied: true,
      removedLines: 0,
    });
  });
});

describe('structure of a log with many kinds of reports', () => {
  let client: LspClient;
  const uri = 'file:///structure/mixed.log';
  let text: string;

  before(async () => {
    text = await fixture('lsp-mixed-modern.log');
    client = plain;
    client.open(uri, text, 1);
    await client.waitForDiagnostics(uri, 1);
  });

  interface Sym {
    name: string;
    detail?: string;
    range: Range;
    selectionRange: Range;
    children?: Sym[];
  }

  it('has one symbol per report, ranges nested, selection inside range', async () => {
    const symbols = await client.request<Sym[]>('textDocument/documentSymbol', { textDocument: { uri } });
    assert.ok(symbols.length >= 4);
    const inside = (inner: Range, outer: Range) =>
      offsetOf(text, inner.start) >= offsetOf(text, outer.start) && offsetOf(text, inner.end) <= offsetOf(text, outer.end);
    const check = (s: Sym, parent?: Sym) => {
      assert.ok(inside(s.selectionRange, s.range), `${s.name}: selection inside range`);
      if (parent) assert.ok(inside(s.range, parent.range), `${s.name} inside ${parent.name}`);
      for (const c of s.children ?? []) check(c, s);
    };
    for (const s of symbols) check(s);
    const lockdep = symbols.find((s) => s.detail?.startsWith('lockdep'))!;
    const names = lockdep.children!.map((c) => c.name);
    assert.deepEqual(names.slice(0, 4), [
      '(&sb->s_type->i_mutex_key#14){+.+.}-{3:3}',
      '(sb_writers#9){.+.+}-{0:0}',
      '#1 (sb_writers#9){.+.+}-{0:0}',
      '#0 (&sb->s_type->i_mutex_key#14){+.+.}-{3:3}',
    ]);
    assert.equal(names[names.length - 1], 'Call Trace');
    assert.equal(lockdep.children![2].detail, '7 entries');
    const gpf = symbols.find((s) => s.detail?.startsWith('gpf'))!;
    const trace = gpf.children!.find((c) => c.name === 'Call Trace')!;
    assert.deepEqual(
      trace.children!.map((c) => c.name),
      ['<IRQ>', '<TASK>'],
    );
    assert.deepEqual(
      trace.children![1].children!.map((c) => c.name),
      ['RIP: default_idle+0xf/0x20'],
    );
  });

  it('folds the lockdep chain, context segments (closing line visible) and runs of ? entries', async () => {
    const ranges = await client.request<{ startLine: number; endLine: number; kind?: string }[]>('textDocument/foldingRange', { textDocument: { uri } });
    const lineOf = (needle: string) => positionOf(text, text.indexOf(needle)).line;
    const has = (startLine: number, endLine: number, kind?: string) =>
      ranges.some((r) => r.startLine === startLine && r.endLine === endLine && r.kind === kind);
    assert.ok(has(lineOf('the existing dependency chain'), lineOf('-> #0') + 9), 'lockdep chain');
    assert.ok(has(lineOf('-> #1'), lineOf('-> #1') + 7), '-> #1');
    assert.ok(has(lineOf(' <IRQ>'), lineOf(' </IRQ>') - 1), '<IRQ> segment');
    // The WARNING's run of eight ? entries right after `<TASK>` (which starts a segment): no range of
    // its own (one from its first line would leave that line shown; the client folds it from `<TASK>`).
    assert.ok(!ranges.some((r) => r.startLine === lineOf('? show_regs+0x6d/0x80')), 'no range starts on the run after <TASK>');
    assert.ok(has(lineOf(' <TASK>'), lineOf(' </TASK>') - 1), '<TASK> segment');
    // A lone ? entry after a confirmed one: folded from that entry, which stays visible.
    assert.ok(has(lineOf(' do_unlinkat+0x44e/0x5a0'), lineOf('? __x64_sys_unlinkat'), 'comment'), 'single ? entry');
    for (const r of ranges) assert.ok(r.endLine > r.startLine);
    // Properly nested: no two ranges overlap without one containing the other.
    for (const a of ranges)
      for (const b of ranges) if (a.startLine < b.startLine && b.startLine <= a.endLine) assert.ok(b.endLine <= a.endLine, JSON.stringify([a, b]));
  });

  it('reports status after each analysis', async () => {
    const status = client.notifications.filter((n) => n.method === 'kernelLog/status' && (n.params as { uri: string }).uri === uri).pop()!.params as Record<
      string,
      unknown
    >;
    assert.equal(status.complete, true);
    assert.equal(status.reports, 4);
    assert.deepEqual(Object.keys(status.findingsByCode as object).sort(), [
      'corrupted-report',
      'duplicate-frame',
      'duplicate-regs-ip',
      'function-end-return',
      'repeated-report',
      'unreliable-frame',
    ]);
  });
});

describe('raw stack words of old kernels', () => {
  let client: LspClient;
  const uri = 'file:///raw/old-x86.log';
  let text: string;

  before(async () => {
    text = await fixture('lsp-old-x86-clear-user.log');
    client = plain;
    client.open(uri, text, 1);
    await client.waitForDiagnostics(uri, 1);
  });

  it('hovers `Stack:` as raw stack words and folds them', async () => {
    const line = text.split('\n').findIndex((l) => /\] Stack:$/.test(l));
    assert.ok(line > 0);
    const hover = await client.request('textDocument/hover', {
      textDocument: { uri },
      position: { line, character: text.split('\n')[line].indexOf('Stack:') + 1 },
    });
    assert.match(hoverText(hover), /raw stack words/);
    const folds = await client.request<{ startLine: number; endLine: number }[]>('textDocument/foldingRange', { textDocument: { uri } });
    assert.ok(
      folds.some((f) => f.startLine === line && f.endLine > line),
      'the Stack: words fold',
    );
  });
});
