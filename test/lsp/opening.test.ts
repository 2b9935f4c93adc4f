// A big log opened the way VS Code opens one: the Outline and folding are asked for right after
// didOpen. The server answers them once the log is parsed — between parse chunks, so the first
// diagnostics go out before that and other requests are answered meanwhile — and a request cancelled
// while it waits is answered with RequestCancelled, not with the whole result.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fixture, LspClient, ResponseError } from './client.ts';

describe('a big log with the editor\'s requests right after didOpen', () => {
  let client: LspClient;
  let text: string;
  before(async () => {
    client = await LspClient.start();
    const pieces = await Promise.all(['lsp-seed-pt-regs.log', 'kasan-6.6-use-after-free-stacks.log', 'lockdep-5.15-circular.log', 'real-debian-sysrq-t-tasks.log'].map(fixture));
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
    const firstDiagnostics = client.waitFor<{ uri: string }>('textDocument/publishDiagnostics', (p) => p.uri === uri, 60_000).then(() => events.push('diagnostics'));
    client.open(uri, text, 1);
    const symbols = client.request<unknown[]>('textDocument/documentSymbol', { textDocument: { uri } }).then((s) => (events.push('symbols'), s));
    const folding = client.request<unknown[]>('textDocument/foldingRange', { textDocument: { uri } });
    const [s] = await Promise.all([symbols, folding, firstDiagnostics]);
    assert.deepEqual(events.slice(0, 2), ['diagnostics', 'symbols']);
    const status = client.notifications.filter((n) => n.method === 'kernelLog/status' && (n.params as { uri: string }).uri === uri).map((n) => n.params as { complete: boolean; reports: number });
    assert.equal(status[0].complete, false, 'the first diagnostics are of a part of the log');
    assert.equal(s.length, status.at(-1)!.reports, 'the Outline lists every report');
  });

  it('answers a request cancelled while it waits for the parse with RequestCancelled', async () => {
    const uri = 'file:///big/cancel.log';
    const complete = client.waitForDiagnostics(uri, 1, 60_000);
    client.open(uri, text, 1);
    const pending = client.requestId('textDocument/documentSymbol', { textDocument: { uri } });
    client.notify('$/cancelRequest', { id: pending.id });
    const result = await pending.response.then(() => null, (e: ResponseError) => e);
    assert.equal(result?.code, -32800);
    // Answered before the parse was done (not after it, with every report).
    const statuses = client.notifications.filter((n) => n.method === 'kernelLog/status' && (n.params as { uri: string }).uri === uri);
    assert.ok(statuses.every((n) => !(n.params as { complete: boolean }).complete), 'cancelled before the log was parsed');
    await complete;
  });
});
