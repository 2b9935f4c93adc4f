// The LSP lifecycle and what the specification asks of a server besides features, over real stdio:
// requests before initialize and after shutdown, positions and ranges, document versions, line
// breaks as LSP counts them, the client capabilities the answers follow.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  DEFAULT_CAPABILITIES,
  editsFor,
  fixture,
  LspClient,
  positionAtText,
  ResponseError,
  ROOT,
  type CodeAction,
  type Command,
  type Diagnostic,
  type Range,
  type WorkspaceEdit,
} from './client.ts';

const SERVER_NOT_INITIALIZED = -32002;
const INVALID_REQUEST = -32600;
const INVALID_PARAMS = -32602;
const VERSION = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

async function rejection(promise: Promise<unknown>): Promise<ResponseError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof ResponseError) return err;
    throw err;
  }
  throw new Error('expected an error response');
}

function initializeParams(capabilities: unknown = DEFAULT_CAPABILITIES) {
  return { processId: process.pid, rootUri: null, capabilities, workspaceFolders: null };
}

interface InitializeResult {
  capabilities: { executeCommandProvider?: { commands: string[] } };
  serverInfo?: { name: string; version?: string };
}

/** The window/logMessage notifications received so far. */
function logMessages(client: LspClient): { type: number; message: string }[] {
  return client.notifications.filter((n) => n.method === 'window/logMessage').map((n) => n.params as { type: number; message: string });
}

/** Lets the server do what it would do by itself (an analysis run, a publish). */
function settle(ms = 300): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

describe('lifecycle', () => {
  const uri = 'file:///lifecycle/seed.log';
  let text: string;
  before(async () => {
    text = await fixture('lsp-seed-pt-regs.log');
  });

  it('answers requests before initialize with ServerNotInitialized and drops notifications; initialize gives the package version', async () => {
    const client = LspClient.spawn();
    try {
      for (const [method, params] of [
        ['textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 0 } }],
        ['textDocument/documentSymbol', { textDocument: { uri } }],
        ['kernelLog/noSuchRequest', {}],
        ['shutdown', undefined],
      ] as const) {
        const err = await rejection(client.request(method, params));
        assert.equal(err.code, SERVER_NOT_INITIALIZED, method);
      }
      client.open(uri, text, 1); // dropped: the server is not initialized
      const result = await client.request<InitializeResult>('initialize', initializeParams());
      assert.deepEqual(result.serverInfo, { name: 'kernel-crash-log', version: VERSION });
      client.notify('initialized', {});
      // The document sent before initialize was never opened.
      assert.equal((await rejection(client.request('textDocument/documentSymbol', { textDocument: { uri } }))).code, INVALID_PARAMS);
      await settle();
      assert.ok(!client.notifications.some((n) => n.method === 'textDocument/publishDiagnostics'), 'no diagnostics for a dropped didOpen');
      // initialize is answered once.
      assert.equal((await rejection(client.request('initialize', initializeParams()))).code, INVALID_REQUEST);
      // Now it works as usual.
      client.open(uri, text, 1);
      assert.ok((await client.waitForDiagnostics(uri, 1)).diagnostics.length > 0);
      assert.equal(await client.shutdown(), 0);
    } finally {
      client.kill();
    }
  });

  it('answers requests after shutdown with InvalidRequest and drops notifications other than exit', async () => {
    const client = await LspClient.start();
    try {
      client.open(uri, text, 1);
      await client.waitForDiagnostics(uri, 1);
      assert.equal(await client.request('shutdown'), null);
      for (const [method, params] of [
        ['textDocument/documentSymbol', { textDocument: { uri } }],
        ['textDocument/hover', { textDocument: { uri }, position: { line: 31, character: 20 } }],
        ['kernelLog/noSuchRequest', {}],
        ['shutdown', undefined],
      ] as const) {
        const err = await rejection(client.request(method, params));
        assert.equal(err.code, INVALID_REQUEST, method);
      }
      const published = client.notifications.length;
      client.open('file:///lifecycle/late.log', text, 1);
      await settle();
      assert.ok(!client.notifications.slice(published).some((n) => n.method === 'textDocument/publishDiagnostics'), 'a didOpen after shutdown is dropped');
      client.notify('exit');
      assert.equal(await client.exit(), 0);
    } finally {
      client.kill();
    }
  });
});

describe('positions, ranges and versions', () => {
  let client: LspClient;
  const uri = 'file:///spec/seed.log';
  let text: string;
  before(async () => {
    text = await fixture('lsp-seed-pt-regs.log');
    client = await LspClient.start();
    client.open(uri, text, 1);
    await client.waitForDiagnostics(uri, 1);
  });
  after(async () => {
    assert.equal(await client.shutdown(), 0);
  });

  it('rejects negative positions with InvalidParams', async () => {
    for (const position of [
      { line: -1, character: 0 },
      { line: 0, character: -1 },
    ]) {
      assert.equal((await rejection(client.request('textDocument/hover', { textDocument: { uri }, position }))).code, INVALID_PARAMS);
      assert.equal((await rejection(client.request('textDocument/definition', { textDocument: { uri }, position }))).code, INVALID_PARAMS);
      const range = { start: position, end: { line: 31, character: 0 } };
      assert.equal(
        (await rejection(client.request('textDocument/codeAction', { textDocument: { uri }, range, context: { diagnostics: [] } }))).code,
        INVALID_PARAMS,
      );
    }
  });

  it('reads a range given end first as the same range', async () => {
    // Invoked on a range from a line above the report into it: the fixes of the range's findings and
    // the report-wide fixes of the report it meets — whichever end comes first.
    const ranged = 'file:///spec/range.log';
    const above = 'a line before the report\n' + text;
    client.open(ranged, above, 1);
    await client.waitForDiagnostics(ranged, 1);
    const inReport = positionAtText(above, 'lookup_fast+0x3d0/0x3d0');
    const top = { line: 0, character: 0 };
    const ask = (range: Range) =>
      client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri: ranged }, range, context: { diagnostics: [], triggerKind: 1 } });
    assert.deepEqual(await ask({ start: inReport, end: top }), await ask({ start: top, end: inReport }));
    assert.ok((await ask({ start: top, end: inReport })).length > 0);
    assert.deepEqual(await ask({ start: top, end: top }), [], 'nothing above the report');
    // The same for an edit: a change range given end first replaces the same text.
    const other = 'file:///spec/reversed.log';
    const expected = 'file:///spec/expected.log';
    const start = positionAtText(text, '[  731.413330]  [<ffffffff8129b350>] ? lookup_fast');
    const end = { line: start.line + 1, character: 0 };
    client.open(other, text, 1);
    await client.waitForDiagnostics(other, 1);
    client.change(other, 2, [{ range: { start: end, end: start }, text: '' }]);
    const lines = text.split('\n');
    lines.splice(start.line, 1);
    client.open(expected, lines.join('\n'), 1);
    const [edited, fresh] = await Promise.all([client.waitForDiagnostics(other, 2), client.waitForDiagnostics(expected, 1)]);
    assert.deepEqual(withoutUris(edited.diagnostics), withoutUris(fresh.diagnostics));
    assert.ok(!fresh.diagnostics.some((d) => d.code === 'duplicate-regs-ip'), 'the duplicate line is gone');
  });

  it('refuses a didChange whose version is not after the document’s (a warning; the text stays)', async () => {
    const other = 'file:///spec/versions.log';
    client.open(other, text, 5);
    const before = (await client.waitForDiagnostics(other, 5)).diagnostics;
    const logged = logMessages(client).length;
    // Both would delete the whole log.
    client.change(other, 5, [{ text: '' }]);
    client.change(other, 3, [{ text: '' }]);
    // A change with a later version is applied, to the text as it was.
    client.change(other, 6, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: 'x' }]);
    const after = (await client.waitForDiagnostics(other, 6)).diagnostics;
    assert.equal(after.length, before.length);
    assert.deepEqual(
      after.map((d) => d.code),
      before.map((d) => d.code),
    );
    const warnings = logMessages(client)
      .slice(logged)
      .filter((m) => m.type === 2 && /didChange of .*versions\.log refused/.test(m.message));
    assert.equal(warnings.length, 2, JSON.stringify(logMessages(client).slice(logged)));
    assert.match(warnings[0].message, /version 5 is not after the document's 5/);
  });

  it('logs a malformed notification as a warning, without a stack trace', async () => {
    const logged = logMessages(client).length;
    client.notify('textDocument/didChange', { textDocument: { uri, version: 99 }, contentChanges: 'not a list' });
    client.notify('textDocument/didChange', {
      textDocument: { uri, version: 99 },
      contentChanges: [{ range: { start: { line: -1, character: 0 }, end: { line: 0, character: 0 } }, text: 'x' }],
    });
    client.notify('textDocument/didOpen', { textDocument: { uri: 42 } });
    client.notify('textDocument/didClose', {});
    await client.request('textDocument/documentSymbol', { textDocument: { uri } });
    const messages = logMessages(client).slice(logged);
    assert.equal(messages.length, 4, JSON.stringify(messages));
    for (const m of messages) {
      assert.equal(m.type, 2, m.message); // Warning
      assert.doesNotMatch(m.message, /\n\s+at /, 'no stack trace');
    }
    assert.match(messages[0].message, /^didChange ignored: malformed didChange: contentChanges is not a list/);
    assert.match(messages[1].message, /^didChange ignored: content change with a malformed range/);
  });
});

/** Diagnostics without the document's uri (in related locations), to compare two documents' lists. */
function withoutUris(diagnostics: Diagnostic[]): unknown[] {
  return diagnostics.map((d) => ({ ...d, relatedInformation: d.relatedInformation?.map((r) => ({ ...r, location: { ...r.location, uri: '' } })) }));
}

function withoutUri(value: unknown, uri: string): unknown {
  return JSON.parse(JSON.stringify(value).split(JSON.stringify(uri).slice(1, -1)).join('<uri>'));
}

describe('line ends as LSP counts them: `\\r` alone', () => {
  let client: LspClient;
  before(async () => {
    client = await LspClient.start();
  });
  after(async () => {
    assert.equal(await client.shutdown(), 0);
  });

  /** Everything the server says about a document, its uri left out. */
  async function answers(uri: string, version: number) {
    const { diagnostics } = await client.waitForDiagnostics(uri, version);
    const symbols = await client.request('textDocument/documentSymbol', { textDocument: { uri } });
    const folding = await client.request('textDocument/foldingRange', { textDocument: { uri } });
    return withoutUri({ diagnostics, symbols, folding }, uri);
  }

  for (const name of ['lsp-seed-pt-regs.log', 'lsp-mixed-modern.log', 'lsp-old-x86-clear-user.log']) {
    it(`${name} with \\r line ends gives what it gives with \\n, on the same lines`, async () => {
      const text = await fixture(name);
      const lf = `file:///cr/lf-${name}`;
      const cr = `file:///cr/cr-${name}`;
      client.open(lf, text, 1);
      client.open(cr, text.replace(/\n/g, '\r'), 1);
      const [a, b] = await Promise.all([answers(lf, 1), answers(cr, 1)]);
      assert.deepEqual(b, a);
      assert.ok((a as { diagnostics: unknown[] }).diagnostics.length > 0);
      // Edits keep them the same: lines typed in (with their own line ends), a line deleted.
      const at = positionAtText(text, 'Call Trace:');
      const edits = [
        { range: { start: at, end: at }, text: '[  731.413300] extra line\n' },
        { range: { start: { line: at.line + 2, character: 0 }, end: { line: at.line + 3, character: 0 } }, text: '' },
        { range: { start: { line: 1, character: 0 }, end: { line: 1, character: 0 } }, text: 'x\ny\n' },
      ];
      for (const [i, e] of edits.entries()) {
        client.change(lf, i + 2, [e]);
        client.change(cr, i + 2, [{ ...e, text: e.text.replace(/\n/g, '\r') }]);
        const [c, d] = await Promise.all([answers(lf, i + 2), answers(cr, i + 2)]);
        assert.deepEqual(d, c, `after edit ${i + 1}`);
      }
      client.close(lf);
      client.close(cr);
    });
  }

  it('a `\\n` typed after a lone `\\r` makes one line break of the two', async () => {
    const text = await fixture('lsp-seed-pt-regs.log');
    const cr = 'file:///cr/joined.log';
    const crlf = 'file:///cr/crlf.log';
    client.open(cr, text.replace(/\n/g, '\r'), 1);
    client.open(crlf, text.replace(/\n/g, '\r\n'), 1);
    await client.waitForDiagnostics(cr, 1);
    // Every line end completed to `\r\n`, from the last line up (one change each, as typing would).
    const lines = text.split('\n');
    const changes = [];
    for (let line = lines.length - 2; line >= 0; line--)
      changes.push({ range: { start: { line: line + 1, character: 0 }, end: { line: line + 1, character: 0 } }, text: '\n' });
    client.change(cr, 2, changes);
    const [a, b] = await Promise.all([answers(cr, 2), answers(crlf, 1)]);
    assert.deepEqual(a, withoutUri(JSON.parse(JSON.stringify(b).split('crlf.log').join('joined.log')), cr));
  });
});

describe('client capabilities', () => {
  // A client that lists none of the optional formats: plain text hovers, no hierarchical symbols, no code action literals.
  const MINIMAL = {
    workspace: { configuration: true, applyEdit: true, workspaceEdit: { documentChanges: true } },
    textDocument: { publishDiagnostics: { relatedInformation: true }, hover: { contentFormat: ['plaintext'] } },
  };
  let client: LspClient;
  let result: InitializeResult;
  const uri = 'file:///caps/seed.log';
  let text: string;
  let diagnostics: Diagnostic[];

  before(async () => {
    text = await fixture('lsp-seed-pt-regs.log');
    client = LspClient.spawn();
    result = await client.request<InitializeResult>('initialize', initializeParams(MINIMAL));
    client.notify('initialized', {});
    client.open(uri, text, 1);
    diagnostics = (await client.waitForDiagnostics(uri, 1)).diagnostics;
  });
  after(async () => {
    assert.equal(await client.shutdown(), 0);
  });

  it('hovers in plain text when the client does not list markdown', async () => {
    const hover = await client.request<{ contents: { kind: string; value: string } }>('textDocument/hover', {
      textDocument: { uri },
      position: positionAtText(text, 'lookup_fast+0x3d0'),
    });
    assert.equal(hover.contents.kind, 'plaintext');
    assert.match(hover.contents.value, /lookup_fast\+0x3d0\/0x3d0/);
    assert.match(hover.contents.value, /return address/);
    assert.doesNotMatch(hover.contents.value, /\*\*|`/);
    // A client that lists markdown (in any place) gets markdown.
    const other = LspClient.spawn();
    try {
      await other.request(
        'initialize',
        initializeParams({ ...MINIMAL, textDocument: { ...MINIMAL.textDocument, hover: { contentFormat: ['plaintext', 'markdown'] } } }),
      );
      other.notify('initialized', {});
      other.open(uri, text, 1);
      await other.waitForDiagnostics(uri, 1);
      const md = await other.request<{ contents: { kind: string; value: string } }>('textDocument/hover', {
        textDocument: { uri },
        position: positionAtText(text, 'lookup_fast+0x3d0'),
      });
      assert.equal(md.contents.kind, 'markdown');
      assert.match(md.contents.value, /\*\*/);
      assert.equal(await other.shutdown(), 0);
    } finally {
      other.kill();
    }
  });

  it('gives a flat SymbolInformation[] without hierarchicalDocumentSymbolSupport', async () => {
    const symbols = await client.request<{ name: string; kind: number; location: { uri: string; range: Range }; containerName?: string; children?: unknown }[]>(
      'textDocument/documentSymbol',
      { textDocument: { uri } },
    );
    assert.ok(symbols.length > 3);
    for (const s of symbols) {
      assert.equal(s.location.uri, uri);
      assert.equal(s.children, undefined);
    }
    const report = symbols[0];
    assert.equal(report.containerName, undefined);
    const inside = symbols.filter((s) => s.containerName === report.name);
    assert.ok(inside.length >= 2, 'the report’s stacks and register blocks name it as container');
    for (const s of inside)
      assert.ok(s.location.range.start.line >= report.location.range.start.line && s.location.range.end.line <= report.location.range.end.line);
  });

  it('sends Command objects without codeActionLiteralSupport; an edit runs through kernelLog.applyEdit', async () => {
    assert.ok(result.capabilities.executeCommandProvider?.commands.includes('kernelLog.applyEdit'));
    const dup = diagnostics.find((d) => d.code === 'duplicate-regs-ip')!;
    const commands = await client.request<Command[]>('textDocument/codeAction', { textDocument: { uri }, range: dup.range, context: { diagnostics: [dup] } });
    assert.ok(commands.length > 0);
    for (const c of commands) {
      assert.equal(typeof c.title, 'string');
      assert.equal(typeof c.command, 'string');
      assert.equal((c as { edit?: unknown }).edit, undefined);
      assert.equal((c as { kind?: unknown }).kind, undefined);
    }
    const remove = commands.find((c) => c.title === 'Remove duplicate entry')!;
    assert.equal(remove.command, 'kernelLog.applyEdit');
    const edit = remove.arguments![0] as WorkspaceEdit;
    assert.equal(editsFor(edit, uri).length, 1);
    let applied: WorkspaceEdit | undefined;
    client.onApplyEdit = (e) => {
      applied = e;
      return { applied: true };
    };
    assert.deepEqual(await client.request('workspace/executeCommand', { command: remove.command, arguments: remove.arguments }), { applied: true });
    assert.deepEqual(applied, edit);
    assert.equal(
      (await rejection(client.request('workspace/executeCommand', { command: 'kernelLog.applyEdit', arguments: ['nonsense'] }))).code,
      INVALID_PARAMS,
    );
  });

  it('a client with code action literals gets CodeActions and no kernelLog.applyEdit command', async () => {
    const other = LspClient.spawn();
    try {
      const r = await other.request<InitializeResult>('initialize', initializeParams());
      assert.deepEqual(r.capabilities.executeCommandProvider?.commands, ['kernelLog.removeAllDuplicates']);
      other.notify('initialized', {});
      other.open(uri, text, 1);
      const dup = (await other.waitForDiagnostics(uri, 1)).diagnostics.find((d) => d.code === 'duplicate-regs-ip')!;
      const actions = await other.request<CodeAction[]>('textDocument/codeAction', {
        textDocument: { uri },
        range: dup.range,
        context: { diagnostics: [dup] },
      });
      assert.ok(actions.some((a) => a.kind === 'quickfix' && a.edit));
      assert.equal(
        (await rejection(other.request('workspace/executeCommand', { command: 'kernelLog.applyEdit', arguments: [actions[0].edit] }))).code,
        INVALID_PARAMS,
      );
      assert.equal(await other.shutdown(), 0);
    } finally {
      other.kill();
    }
  });
});
