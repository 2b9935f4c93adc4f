// Nothing a client sends may stop the server: malformed requests and JSON, requests for documents
// that are not open, positions out of range, cancellation. Also: the server runs standalone and as
// `kcrash lsp --stdio`, and exits cleanly on shutdown/exit.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fixture, LspClient, ResponseError, ROOT } from './client.ts';

const INVALID_PARAMS = -32602;
const METHOD_NOT_FOUND = -32601;

async function rejection(promise: Promise<unknown>): Promise<ResponseError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof ResponseError) return err;
    throw err;
  }
  throw new Error('expected an error response');
}

describe('robustness', () => {
  let client: LspClient;
  const uri = 'file:///robust/seed.log';
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

  /** The server still answers a normal request. */
  async function stillAnswers(): Promise<void> {
    const symbols = await client.request<unknown[]>('textDocument/documentSymbol', { textDocument: { uri } });
    assert.equal(symbols.length, 1);
  }

  it('answers requests for unknown documents with InvalidParams', async () => {
    for (const method of [
      'textDocument/hover',
      'textDocument/foldingRange',
      'textDocument/documentSymbol',
      'textDocument/codeAction',
      'kernelLog/noiseRanges',
    ]) {
      const err = await rejection(
        client.request(method, {
          textDocument: { uri: 'file:///nowhere.log' },
          position: { line: 0, character: 0 },
          range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
          context: { diagnostics: [] },
        }),
      );
      assert.equal(err.code, INVALID_PARAMS, method);
      assert.match(err.message, /unknown document/);
    }
    await stillAnswers();
  });

  it('answers malformed requests with InvalidParams', async () => {
    assert.equal((await rejection(client.request('textDocument/hover', { textDocument: { uri } }))).code, INVALID_PARAMS);
    assert.equal((await rejection(client.request('textDocument/hover', { position: { line: 0, character: 0 } }))).code, INVALID_PARAMS);
    assert.equal((await rejection(client.request('textDocument/codeAction', { textDocument: { uri }, range: 'everything' }))).code, INVALID_PARAMS);
    // No params at all fails inside vscode-languageserver before our handler (InternalError): still an answer.
    assert.ok([INVALID_PARAMS, -32603].includes((await rejection(client.request('textDocument/foldingRange', null))).code));
    assert.equal((await rejection(client.request('workspace/executeCommand', { command: 'kernelLog.removeAllDuplicates' }))).code, INVALID_PARAMS);
    assert.equal((await rejection(client.request('workspace/executeCommand', { command: 'rm -rf', arguments: [uri] }))).code, INVALID_PARAMS);
    assert.equal((await rejection(client.request('kernelLog/noSuchRequest', {}))).code, METHOD_NOT_FOUND);
    // A code action request with junk diagnostics is no error: the fixes are the range's findings'
    // (line 31 holds a duplicate), and no junk diagnostic is attached to them.
    const actions = await client.request<{ title: string; diagnostics?: unknown[] }[]>('textDocument/codeAction', {
      textDocument: { uri },
      range: { start: { line: 31, character: 0 }, end: { line: 31, character: 0 } },
      context: {
        diagnostics: [
          {
            source: 'kernel-log',
            code: 'duplicate-regs-ip',
            message: 'x',
            range: { start: { line: 31, character: 0 }, end: { line: 31, character: 1 } },
            data: { report: 99 },
          },
          { data: null },
          null,
          7,
        ],
        only: [3],
      },
    });
    const clean = await client.request<{ title: string }[]>('textDocument/codeAction', {
      textDocument: { uri },
      range: { start: { line: 31, character: 0 }, end: { line: 31, character: 0 } },
      context: { diagnostics: [] },
    });
    assert.deepEqual(
      actions.map((a) => a.title),
      clean.map((a) => a.title),
    );
    for (const a of actions) assert.deepEqual(a.diagnostics, [], a.title);
    await stillAnswers();
  });

  it('clamps positions past the end, and answers negative ones with InvalidParams', async () => {
    for (const position of [
      { line: 1e6, character: 0 },
      { line: 31, character: 1e6 },
    ]) {
      await client.request('textDocument/hover', { textDocument: { uri }, position });
    }
    const actions = await client.request('textDocument/codeAction', {
      textDocument: { uri },
      range: { start: { line: 1e6, character: 0 }, end: { line: 1e7, character: 3 } },
      context: { diagnostics: [], triggerKind: 1 },
    });
    assert.ok(Array.isArray(actions));
    // Positions are unsigned integers in LSP.
    for (const position of [
      { line: -5, character: -5 },
      { line: 31, character: -1 },
      { line: -1, character: 0 },
      { line: 1.5, character: 0 },
    ]) {
      const err = await rejection(client.request('textDocument/hover', { textDocument: { uri }, position }));
      assert.equal(err.code, INVALID_PARAMS, JSON.stringify(position));
    }
    for (const range of [
      { start: { line: -1, character: 0 }, end: { line: 31, character: 0 } },
      { start: { line: 31, character: 0 }, end: { line: 31, character: -3 } },
    ]) {
      const err = await rejection(client.request('textDocument/codeAction', { textDocument: { uri }, range, context: { diagnostics: [], triggerKind: 1 } }));
      assert.equal(err.code, INVALID_PARAMS, JSON.stringify(range));
    }
    await stillAnswers();
  });

  it('survives malformed JSON, bad notifications and changes to unknown documents', async () => {
    client.sendFramed('{"jsonrpc":"2.0","id":4242,"method":"textDocument/hover","params":');
    client.sendFramed('[1, 2, 3]');
    client.notify('textDocument/didChange', { textDocument: { uri: 'file:///nowhere.log', version: 2 }, contentChanges: [{ text: 'x' }] });
    client.notify('textDocument/didChange', { textDocument: { uri, version: 2 }, contentChanges: 'not a list' });
    client.notify('textDocument/didChange', { textDocument: { uri, version: 2 }, contentChanges: [{ range: 'everything', text: 5 }, null] });
    client.notify('textDocument/didChange', { textDocument: { uri, version: 2 }, contentChanges: [{ range: { start: { line: 0 }, end: {} }, text: 'x' }] });
    client.notify('textDocument/didOpen', { textDocument: { uri: 42 } });
    client.notify('textDocument/didClose', {});
    client.notify('workspace/didChangeConfiguration', { settings: { kernelLog: 'nonsense' } });
    await stillAnswers();
    assert.equal(client.process.exitCode, null);
    // The document is as it was: the malformed changes were refused whole.
    const ranges = await client.request<unknown[]>('textDocument/foldingRange', { textDocument: { uri } });
    assert.equal(ranges.length, 6);
  });

  it('keeps answering after $/cancelRequest', async () => {
    const pending = [1, 2, 3].map(() => client.requestId('textDocument/foldingRange', { textDocument: { uri } }));
    for (const p of pending) client.notify('$/cancelRequest', { id: p.id });
    client.notify('$/cancelRequest', { id: 987654 });
    const settled = await Promise.allSettled(pending.map((p) => p.response));
    for (const s of settled) if (s.status === 'rejected') assert.equal((s.reason as ResponseError).code, -32800);
    await stillAnswers();
  });

  it('answers a document closed and reopened, and errors once it is closed', async () => {
    const other = 'file:///robust/other.log';
    client.open(other, text, 1);
    await client.waitForDiagnostics(other, 1);
    const cleared = client.waitFor<{ uri: string; diagnostics: unknown[] }>(
      'textDocument/publishDiagnostics',
      (p) => p.uri === other && p.diagnostics.length === 0,
    );
    client.close(other);
    await cleared;
    assert.equal((await rejection(client.request('textDocument/foldingRange', { textDocument: { uri: other } }))).code, INVALID_PARAMS);
    await stillAnswers();
  });
});

describe('ways to run the server', () => {
  it('`kcrash lsp --stdio` serves the same protocol', async () => {
    const client = await LspClient.start({ command: [process.execPath, path.join(ROOT, 'dist', 'cli.js'), 'lsp', '--stdio'] });
    const uri = 'file:///cli/seed.log';
    client.open(uri, await fixture('lsp-seed-pt-regs.log'), 1);
    const { diagnostics } = await client.waitForDiagnostics(uri, 1);
    assert.ok(diagnostics.some((d) => d.code === 'duplicate-regs-ip'));
    assert.equal(await client.shutdown(), 0);
  });

  it('exits with 1 on exit without shutdown (LSP spec)', async () => {
    const client = await LspClient.start();
    client.notify('exit');
    const code = await new Promise<number | null>((resolve) => client.process.on('exit', resolve));
    assert.equal(code, 1);
  });
});
