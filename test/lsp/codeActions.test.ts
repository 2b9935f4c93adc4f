// Code actions over real LSP: hiding comes before removing (and edits nothing), fix-all runs on save
// only when named for kernel logs and leaves out codes set to off, and a `? ` RIP copy that opens a
// stack without a header gets its fix. (Where a corrupted report starting at `cut here` is placed by
// the server and the CLI: test/lsp/positions.test.ts, test/fixtures/positions/cut-here-corrupted.log.)
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { applyEdits, editsFor, fixture, LspClient, ROOT, type CodeAction, type Diagnostic, type Range } from './client.ts';

interface FoldLinesParams {
  uri: string;
  ranges: { startLine: number; endLine: number; fold: { startLine: number; endLine: number } | null }[];
}
interface FoldingRange {
  startLine: number;
  endLine: number;
  kind?: string;
}

const VSCODE_LIKE = { clientCommands: ['kernelLog.foldLines'] };
const ZERO: Range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

function lineIndex(text: string, needle: string): number {
  const lines = text.split('\n');
  const i = lines.findIndex((l) => l.includes(needle));
  if (i < 0) throw new Error(`no line holds ${needle}`);
  return i;
}

/** The lines a fold-lines command hides (every line of each range). */
function hiddenLines(params: FoldLinesParams): number[] {
  return params.ranges.flatMap((r) => Array.from({ length: r.endLine - r.startLine + 1 }, (_, i) => r.startLine + i));
}

/**
 * One server with the default settings and capabilities, for the tests that need no other (each on
 * documents of its own); the VS Code-like client and the fix-all tests (which change settings) start
 * their own.
 */
let plain: LspClient;
before(async () => {
  plain = await LspClient.start();
});
after(async () => {
  assert.equal(await plain.shutdown(), 0);
});

describe('hide before remove', () => {
  let client: LspClient;
  let text: string;
  let diagnostics: Diagnostic[];
  const uri = 'file:///hide/seed.log';

  before(async () => {
    text = fs.readFileSync(path.join(ROOT, 'test', 'e2e', 'fixtures', 'seed.log'), 'utf8');
    client = await LspClient.start({ initializationOptions: VSCODE_LIKE });
    client.open(uri, text, 1);
    diagnostics = (await client.waitForDiagnostics(uri, 1)).diagnostics;
  });
  after(async () => {
    assert.equal(await client.shutdown(), 0);
  });

  const actionsFor = (d: Diagnostic, extra: Record<string, unknown> = {}) =>
    client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: d.range, context: { diagnostics: [d], triggerKind: 2, ...extra } });

  it('offers "Hide duplicate entry" first, preferred, as a command that edits nothing; removal second', async () => {
    const dupLine = lineIndex(text, '? zero_user_buf+0x42/0x70');
    const dup = diagnostics.find((d) => d.code === 'duplicate-regs-ip' && d.range.start.line === dupLine)!;
    assert.ok(dup);
    const actions = await actionsFor(dup);
    assert.deepEqual(
      actions.map((a) => a.title),
      [
        'Hide duplicate entry (fold; the file is not changed)',
        'Hide duplicate and unreliable (?) entries in this report (fold)',
        'Remove duplicate entry',
        'Remove all duplicate entries in this report',
        'Remove unreliable (?) entries in this report',
      ],
    );
    const [hide, hideReport, remove] = actions;
    assert.equal(hide.kind, 'quickfix');
    assert.equal(hide.isPreferred, true);
    assert.equal(hide.edit, undefined, 'hiding never edits the document');
    assert.deepEqual(hide.diagnostics, [dup]);
    assert.equal(hide.command?.command, 'kernelLog.foldLines');
    const params = hide.command!.arguments![0] as FoldLinesParams;
    assert.equal(params.uri, uri);
    assert.deepEqual(hiddenLines(params), [dupLine]);
    // The line before (the last register line) ends the register block's folding range: no range
    // of the server hides exactly this line, the client makes its own.
    assert.equal(params.ranges[0].fold, null);
    assert.equal(hideReport.edit, undefined);
    assert.ok(!hideReport.isPreferred && !remove.isPreferred, 'only the first hide action is preferred');
    assert.ok(remove.edit);
  });

  it('"Hide ... entries in this report" hides every `? ` line, with the server\'s folding range where one fits', async () => {
    const unreliable = diagnostics.filter((d) => d.code === 'unreliable-frame');
    const actions = await actionsFor(unreliable[0]);
    const hide = actions.find((a) => a.title.startsWith('Hide duplicate and unreliable'))!;
    const params = hide.command!.arguments![0] as FoldLinesParams;
    const questionLines = text.split('\n').flatMap((l, i) => (/\] \? /.test(l) ? [i] : []));
    assert.deepEqual(hiddenLines(params), questionLines);
    const folding = await client.request<FoldingRange[]>('textDocument/foldingRange', { textDocument: { uri } });
    for (const r of params.ranges) {
      if (r.fold === null) continue;
      assert.deepEqual(r.fold, { startLine: r.startLine - 1, endLine: r.endLine });
      assert.ok(
        folding.some((f) => f.startLine === r.fold!.startLine && f.endLine === r.fold!.endLine),
        `folding range ${JSON.stringify(r.fold)} offered`,
      );
    }
    assert.ok(
      params.ranges.some((r) => r.fold !== null),
      "some runs fold with the server's ranges",
    );
  });

  it('no hide action for a client that does not run kernelLog.foldLines', async () => {
    plain.open(uri, text, 1);
    try {
      const diags = (await plain.waitForDiagnostics(uri, 1)).diagnostics;
      const dup = diags.find((d) => d.code === 'duplicate-regs-ip')!;
      const actions = await plain.request<CodeAction[]>('textDocument/codeAction', {
        textDocument: { uri },
        range: dup.range,
        context: { diagnostics: [dup] },
      });
      assert.deepEqual(
        actions.map((a) => a.title),
        ['Remove duplicate entry', 'Remove all duplicate entries in this report', 'Remove unreliable (?) entries in this report'],
      );
      assert.equal(actions[0].isPreferred, true);
    } finally {
      plain.close(uri);
    }
  });
});

describe('fix-all on save', () => {
  let client: LspClient;
  const text = fs.readFileSync(path.join(ROOT, 'test', 'e2e', 'fixtures', 'seed.log'), 'utf8');
  const uri = 'file:///fixall/seed.log';

  before(async () => {
    client = await LspClient.start();
    client.open(uri, text, 1);
    await client.waitForDiagnostics(uri, 1);
  });
  after(async () => {
    assert.equal(await client.shutdown(), 0);
  });

  const request = (context: Record<string, unknown>) =>
    client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: ZERO, context: { diagnostics: [], ...context } });
  const dupRip = lineIndex(text, '? zero_user_buf+0x42/0x70');
  const dupFrame = text
    .split('\n')
    .map((l) => l.includes('? fill_stat_reply'))
    .lastIndexOf(true);
  const without = (lines: number[]) =>
    text
      .split('\n')
      .filter((_, i) => !lines.includes(i))
      .join('\n');

  it('a plain source.fixAll (a global codeActionsOnSave setting for another linter) edits nothing', async () => {
    assert.deepEqual(await request({ only: ['source.fixAll'] }), []);
    assert.deepEqual(await request({ only: ['source.fixAll'], triggerKind: 2 }), []);
    assert.deepEqual(await request({ only: ['source'], triggerKind: 2 }), []);
  });

  it('source.fixAll.kernel-log, named on save, removes the duplicates', async () => {
    const actions = await request({ only: ['source.fixAll.kernel-log'], triggerKind: 2 });
    assert.equal(actions.length, 1);
    assert.equal(actions[0].kind, 'source.fixAll.kernel-log');
    assert.equal(applyEdits(text, editsFor(actions[0].edit!, uri)), without([dupRip, dupFrame]));
  });

  it('the "Fix All" command run by hand (source.fixAll, invoked) still gets it', async () => {
    const actions = await request({ only: ['source.fixAll'], triggerKind: 1 });
    assert.deepEqual(
      actions.map((a) => a.kind),
      ['source.fixAll.kernel-log'],
    );
  });

  it('leaves out the codes set to off', async () => {
    client.settings = { diagnostics: { severity: { 'duplicate-frame': 'off' } } };
    const next = client.waitForDiagnostics(uri, 1);
    client.notify('workspace/didChangeConfiguration', { settings: null });
    await next;
    const actions = await request({ only: ['source.fixAll.kernel-log'], triggerKind: 2 });
    assert.equal(actions.length, 1);
    assert.equal(applyEdits(text, editsFor(actions[0].edit!, uri)), without([dupRip]));

    client.settings = { diagnostics: { severity: { 'duplicate-frame': 'off', 'duplicate-regs-ip': 'off' } } };
    const again = client.waitForDiagnostics(uri, 1);
    client.notify('workspace/didChangeConfiguration', { settings: null });
    await again;
    assert.deepEqual(await request({ only: ['source.fixAll.kernel-log'], triggerKind: 2 }), []);
    // The report-wide removal is gone too; removing unreliable entries stays.
    const inReport = { start: { line: dupRip, character: 20 }, end: { line: dupRip, character: 20 } };
    const invoked = await client.request<CodeAction[]>('textDocument/codeAction', {
      textDocument: { uri },
      range: inReport,
      context: { diagnostics: [], triggerKind: 1 },
    });
    assert.deepEqual(
      invoked.map((a) => a.title),
      ['Remove unreliable (?) entries in this report'],
    );
    // The settings back as the other tests of this describe expect them, whatever order they run in.
    client.settings = {};
    const restored = client.waitForDiagnostics(uri, 1);
    client.notify('workspace/didChangeConfiguration', { settings: null });
    await restored;
  });
});

describe('a `? ` copy of the RIP on the first line of a stack without a header', () => {
  const uri = 'file:///headerless/oops.log';
  const text = [
    '[  233.118240] BUG: unable to handle kernel NULL pointer dereference at 0000000000000008',
    '[  233.118301] Modules linked in: loop e1000',
    '[  233.118355] CPU: 2 PID: 4410 Comm: fsync-bench Not tainted 4.7.0-rc7+ #12',
    '[  233.118420] RIP: 0010:[<ffffffff81452a12>]  [<ffffffff81452a12>] zero_user_buf+0x42/0x70',
    '[  233.118450] RSP: 0018:ffff880036a3fd38  EFLAGS: 00000202',
    '[  233.118470] RAX: 0000000000000000 RBX: 0000000000000138 RCX: 0000000000000138',
    '[  233.118670]  [<ffffffff81452a12>] ? zero_user_buf+0x42/0x70',
    '[  233.118690]  [<ffffffff81452aab>] copy_to_user_zeroed+0x2b/0x40',
    '[  233.118710]  [<ffffffff8124c2f0>] stat_ioctl+0x60/0x90',
    '[  233.118730]  [<ffffffff81261a97>] do_vfs_ioctl+0x97/0x5f0',
    '[  233.118760] Code: 00 00 f3 48 ab 48 89 d1 f3 aa 0f 1f 00 <48> 89 c8 c3 0f 1f 40 00',
    '',
  ].join('\n');

  it('gets its warning and the quick fix that removes the line', async () => {
    const client = plain;
    try {
      client.open(uri, text, 1);
      const { diagnostics } = await client.waitForDiagnostics(uri, 1);
      const dup = diagnostics.find((d) => d.code === 'duplicate-regs-ip');
      assert.ok(dup, 'the warning');
      assert.equal(dup.range.start.line, 6);
      assert.equal((dup.data as { removableLine?: number }).removableLine, 6);
      const actions = await client.request<CodeAction[]>('textDocument/codeAction', {
        textDocument: { uri },
        range: dup.range,
        context: { diagnostics: [dup] },
      });
      const fix = actions.find((a) => a.title === 'Remove duplicate entry');
      assert.ok(fix, JSON.stringify(actions.map((a) => a.title)));
      assert.equal(applyEdits(text, editsFor(fix.edit!, uri)), text.replace('[  233.118670]  [<ffffffff81452a12>] ? zero_user_buf+0x42/0x70\n', ''));
      // The same line for the report-wide fixes and fix-all.
      const all = await client.request<CodeAction[]>('textDocument/codeAction', {
        textDocument: { uri },
        range: ZERO,
        context: { diagnostics: [], only: ['source.fixAll.kernel-log'] },
      });
      assert.equal(all.length, 1);
    } finally {
      client.close(uri);
    }
  });

  it('a line that also holds the stack header or a context marker still gets no removal', async () => {
    const old = (await fixture('lsp-mixed-modern.log')) + (await fixture('lsp-old-x86-clear-user.log'));
    const client = plain;
    try {
      client.open('file:///headerless/old.log', old, 1);
      const { diagnostics } = await client.waitForDiagnostics('file:///headerless/old.log', 1);
      const lines = old.split('\n');
      for (const d of diagnostics.filter((x) => x.code === 'unreliable-frame')) {
        const line = lines[d.range.start.line];
        const shared = /Call Trace:|<(?:IRQ|EOI|NMI)>/.test(line);
        assert.equal((d.data as { removableLine?: number }).removableLine === undefined, shared, line);
      }
    } finally {
      client.close('file:///headerless/old.log');
    }
  });
});
