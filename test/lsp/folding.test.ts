// Folding within the client's `foldingRange.rangeLimit`: the outermost ranges are kept (whole
// reports first), all through the file, not the first ranges of the file.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { DEFAULT_CAPABILITIES, fixture, LspClient } from './client.ts';

describe('folding within the client’s rangeLimit', () => {
  interface Fold {
    startLine: number;
    endLine: number;
    kind?: string;
  }
  let text: string;
  let all: Fold[];
  const uri = 'file:///folding/many.log';

  before(async () => {
    text = (
      await Promise.all(['lsp-mixed-modern.log', 'lsp-old-x86-clear-user.log', 'lsp-seed-pt-regs.log', 'kasan-6.6-use-after-free-stacks.log'].map(fixture))
    ).join('');
    const client = await LspClient.start({
      capabilities: { ...DEFAULT_CAPABILITIES, textDocument: { ...DEFAULT_CAPABILITIES.textDocument, foldingRange: { lineFoldingOnly: true } } },
    });
    client.open(uri, text, 1);
    await client.waitForDiagnostics(uri, 1);
    all = await client.request<Fold[]>('textDocument/foldingRange', { textDocument: { uri } });
    assert.equal(await client.shutdown(), 0);
  });

  async function foldsWithLimit(rangeLimit: number): Promise<Fold[]> {
    const client = await LspClient.start({
      capabilities: { ...DEFAULT_CAPABILITIES, textDocument: { ...DEFAULT_CAPABILITIES.textDocument, foldingRange: { rangeLimit, lineFoldingOnly: true } } },
    });
    try {
      client.open(uri, text, 1);
      await client.waitForDiagnostics(uri, 1);
      return await client.request<Fold[]>('textDocument/foldingRange', { textDocument: { uri } });
    } finally {
      assert.equal(await client.shutdown(), 0);
    }
  }

  /** The ranges of `all` that hold `r`. */
  const parentsOf = (r: Fold) =>
    all.filter((p) => p !== r && p.startLine <= r.startLine && p.endLine >= r.endLine && !(p.startLine === r.startLine && p.endLine === r.endLine));

  it('keeps the outermost ranges, all through the file', async () => {
    const reports = all.filter((r) => r.kind === 'region');
    assert.ok(reports.length >= 5 && all.length > reports.length + 10, `${reports.length} reports, ${all.length} ranges`);
    // Exactly the reports.
    assert.deepEqual(await foldsWithLimit(reports.length), reports);
    // Fewer: the first reports.
    assert.deepEqual(await foldsWithLimit(3), reports.slice(0, 3));
    // More: every report, then ranges one level down; each kept range's parents are kept too.
    const limit = reports.length + 7;
    const some = await foldsWithLimit(limit);
    assert.equal(some.length, limit);
    for (const r of reports) assert.ok(some.some((s) => s.startLine === r.startLine && s.endLine === r.endLine));
    for (const r of some)
      for (const p of parentsOf(all.find((a) => a.startLine === r.startLine && a.endLine === r.endLine)!))
        assert.ok(
          some.some((s) => s.startLine === p.startLine && s.endLine === p.endLine),
          'parent kept',
        );
    // In file order, as without a limit.
    assert.deepEqual(
      some,
      all.filter((a) => some.some((s) => s.startLine === a.startLine && s.endLine === a.endLine)),
    );
    assert.ok(some.at(-1)!.startLine > reports.at(-2)!.startLine, 'ranges of the last reports too');
    assert.deepEqual(await foldsWithLimit(all.length), all);
  });
});
