// A big log opened the way VS Code opens one: the Outline and folding are asked for right after
// didOpen. The server answers them once the log is parsed — between parse chunks, so the first
// diagnostics go out before that and other requests are answered meanwhile — and a request cancelled
// while it waits is answered with RequestCancelled, not with the whole result.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fixture, LspClient, type ResponseError } from './client.ts';

describe("a big log with the editor's requests right after didOpen", () => {
  let client: LspClient;
  let text: string;
  before(async () => {
    client = await LspClient.start();
    const pieces = await Promise.all(
      ['lsp-seed-pt-regs.log', 'kasan-6.6-use-after-free-stacks.log', 'lockdep-5.15-circular.log', 'real-debian-sysrq-t-tasks.log'].map(fixture),
    );
    const one = pieces.join('');
    // About 8 MB: several parse chunks of 16,384 lines.
    text = one.repeat(Math.ceil(8e6 / one.length));
  });
  after(async () => {
    assert.equal(await client.shutdown(), 0);
  });

  it('publishes diagnostics before it answers the Outline, and answers it whole', async () => {
    const uri = 'file:///big/open.log';
    const events: string[] = [];
    const firstDiagnostics = client
      .waitFor<{ uri: string }>('textDocument/publishDiagnostics', (p) => p.uri === uri, 60_000)
      .then(() => events.push('diagnostics'));
    client.open(uri, text, 1);
    const symbols = client.request<unknown[]>('textDocument/documentSymbol', { textDocument: { uri } }).then((s) => (events.push('symbols'), s));
    const folding = client.request<unknown[]>('textDocument/foldingRange', { textDocument: { uri } });
    const [s] = await Promise.all([symbols, folding, firstDiagnostics]);
    assert.deepEqual(events.slice(0, 2), ['diagnostics', 'symbols']);
    const status = client.notifications
      .filter((n) => n.method === 'kernelLog/status' && (n.params as { uri: string }).uri === uri)
      .map((n) => n.params as { complete: boolean; reports: number });
    assert.equal(status[0].complete, false, 'the first diagnostics are of a part of the log');
    assert.equal(s.length, status.at(-1)!.reports, 'the Outline lists every report');
  });

  it('answers a hover and code actions near the top from what is parsed, before the rest', async () => {
    const uri = 'file:///big/hover.log';
    const lines = text.split('\n');
    const line = lines.findIndex((l, i) => i > 20 && /\+0x[0-9a-f]+\/0x/.test(l));
    const character = lines[line].indexOf('+0x') - 2;
    client.open(uri, text, 1);
    const hover = await client.request<{ contents: unknown } | null>('textDocument/hover', { textDocument: { uri }, position: { line, character } });
    const range = { start: { line, character: 0 }, end: { line, character: 0 } };
    const actions = await client.request<unknown[]>('textDocument/codeAction', { textDocument: { uri }, range, context: { diagnostics: [], triggerKind: 1 } });
    const statuses = () =>
      client.notifications
        .filter((n) => n.method === 'kernelLog/status' && (n.params as { uri: string }).uri === uri)
        .map((n) => n.params as { complete: boolean });
    assert.ok(hover?.contents, 'the entry has a hover');
    assert.ok(actions.length > 0, 'the report has its quick fixes');
    assert.ok(
      statuses().every((s) => !s.complete),
      'answered while the rest of the log was still parsed',
    );
    // Fix-all reads the whole file: it waits for the parse and covers every report.
    const fixAll = await client.request<{ edit?: { changes?: Record<string, unknown[]> } }[]>('textDocument/codeAction', {
      textDocument: { uri },
      range,
      context: { diagnostics: [], only: ['source.fixAll.kernel-log'] },
    });
    assert.ok(
      statuses().some((s) => s.complete),
      'fix-all answered once the log was parsed',
    );
    assert.ok(fixAll.length === 1, 'one fix-all action');
  });

  it('stops a long Outline of a parsed log when it is cancelled or the log is edited', async () => {
    const uri = 'file:///big/long.log';
    const complete = client.waitFor<{ uri: string; complete: boolean }>('kernelLog/status', (p) => p.uri === uri && p.complete, 60_000);
    client.open(uri, text, 1);
    await complete;
    // Cancelled while it works (it yields between slices, so the cancellation is read).
    const cancelled = client.requestId('textDocument/documentSymbol', { textDocument: { uri } });
    client.notify('$/cancelRequest', { id: cancelled.id });
    assert.equal(
      (
        await cancelled.response.then(
          () => null,
          (e: ResponseError) => e,
        )
      )?.code,
      -32800,
    );
    // An edit while it works (folding 8 MB takes tens of milliseconds): the answer would be for a text that is gone.
    const modified = client.requestId('textDocument/foldingRange', { textDocument: { uri } });
    client.notify('textDocument/didChange', {
      textDocument: { uri, version: 2 },
      contentChanges: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: 'x' }],
    });
    assert.equal(
      (
        await modified.response.then(
          () => null,
          (e: ResponseError) => e,
        )
      )?.code,
      -32801,
    );
    // Left alone, it answers whole.
    const symbols = await client.request<unknown[]>('textDocument/documentSymbol', { textDocument: { uri } });
    assert.ok(symbols.length > 100);
  });

  it('answers a request cancelled while it waits for the parse with RequestCancelled', async () => {
    const uri = 'file:///big/cancel.log';
    const complete = client.waitForDiagnostics(uri, 1, 60_000);
    client.open(uri, text, 1);
    const pending = client.requestId('textDocument/documentSymbol', { textDocument: { uri } });
    client.notify('$/cancelRequest', { id: pending.id });
    const result = await pending.response.then(
      () => null,
      (e: ResponseError) => e,
    );
    assert.equal(result?.code, -32800);
    // Answered before the parse was done (not after it, with every report).
    const statuses = client.notifications.filter((n) => n.method === 'kernelLog/status' && (n.params as { uri: string }).uri === uri);
    assert.ok(
      statuses.every((n) => !(n.params as { complete: boolean }).complete),
      'cancelled before the log was parsed',
    );
    await complete;
  });
});
