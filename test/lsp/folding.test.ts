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

// "Fold Unreliable and Duplicate Entries" folds each noise run with a range that starts on the line
// before it: an editor hides the lines after a range's first line, so the header line stays and
// every noise line goes. Where another range starts or ends on that line (the stack's `Call Trace:`,
// a `<TASK>` segment, the last register line), an editor keeps one range per start line and drops a
// range starting on another's last line: the server then offers none (fold null), and the client
// makes its own range there. Never a range that starts on a noise line and leaves it shown.
describe('noise folds start on the line before the run', () => {
  interface Fold {
    startLine: number;
    endLine: number;
    kind?: string;
  }
  interface Noise {
    startLine: number;
    endLine: number;
    duplicates: number;
    fold: { startLine: number; endLine: number } | null;
  }
  const T = (n: number) => `[  640.${String(118200 + n * 7).padStart(6, '0')}]`;
  const LOG = [
    'BUG: unable to handle kernel paging request at ffffc90001a3f000',
    'Oops: 0000 [#1] SMP PTI',
    'CPU: 3 PID: 2211 Comm: frobd Tainted: G           O    4.19.0-lab #2',
    'RIP: 0010:frob_copy+0x3a/0x90 [frob]',
    'RSP: 0018:ffffc90001a3bd70 EFLAGS: 00010206',
    'RAX: 0000000000000000 RBX: ffff88813c5e0000 RCX: 0000000000000200',
    'Call Trace:',
    ' ? frob_prepare+0x11/0x40 [frob]',
    ' ? __kmalloc+0x1a4/0x2e0',
    ' frob_ioctl+0x88/0x130 [frob]',
    ' ? frob_copy+0x3a/0x90 [frob]',
    ' ? frob_copy+0x3a/0x90 [frob]',
    ' do_vfs_ioctl+0xa4/0x630',
    ' ? syscall_trace_enter+0x1d3/0x2c0',
    ' ksys_ioctl+0x60/0x90',
    ' <IRQ>',
    ' ? handle_irq_event+0x3c/0x60',
    ' ? handle_edge_irq+0x7a/0x190',
    ' </IRQ>',
    ' __x64_sys_ioctl+0x16/0x20',
    ' do_syscall_64+0x55/0x110',
    ' entry_SYSCALL_64_after_hwframe+0x44/0xa9',
    '---[ end trace 6a1f0c9e2b7d4e13 ]---',
  ]
    .map((l, i) => `${T(i)} ${l}`)
    .join('\n');
  const uri = 'file:///folding/noise.log';
  let folds: Fold[];
  let noise: Noise[];
  let lines: string[];

  async function foldingOf(text: string): Promise<{ folds: Fold[]; noise: Noise[] }> {
    const client = await LspClient.start({
      capabilities: { ...DEFAULT_CAPABILITIES, textDocument: { ...DEFAULT_CAPABILITIES.textDocument, foldingRange: { lineFoldingOnly: true } } },
    });
    try {
      client.open(uri, text, 1);
      await client.waitForDiagnostics(uri, 1);
      return {
        folds: await client.request<Fold[]>('textDocument/foldingRange', { textDocument: { uri } }),
        noise: await client.request<Noise[]>('kernelLog/noiseRanges', { textDocument: { uri } }),
      };
    } finally {
      assert.equal(await client.shutdown(), 0);
    }
  }

  /** Every noise run's fold is null or starts on the line before it, ends on its last line and is in the folding answer; no range starts on a noise line. */
  function checkRule(f: Fold[], n: Noise[], name: string): void {
    assert.ok(n.length > 0, `${name}: no noise runs`);
    const noiseLines = new Set(n.flatMap((r) => Array.from({ length: r.endLine - r.startLine + 1 }, (_, i) => r.startLine + i)));
    for (const r of n) {
      if (!r.fold) continue;
      assert.deepEqual(r.fold, { startLine: r.startLine - 1, endLine: r.endLine }, `${name}: run ${r.startLine}-${r.endLine}`);
      assert.ok(
        f.some((x) => x.startLine === r.fold!.startLine && x.endLine === r.fold!.endLine && x.kind === 'comment'),
        `${name}: the fold of run ${r.startLine}-${r.endLine} is not a comment folding range`,
      );
    }
    for (const x of f.filter((x) => x.kind === 'comment'))
      assert.ok(!noiseLines.has(x.startLine), `${name}: a noise fold ${x.startLine}-${x.endLine} starts on a noise line and leaves it shown`);
    // One range per start line, and none starts on another's last line unless nested in it (what editors keep).
    assert.equal(new Set(f.map((x) => x.startLine)).size, f.length, `${name}: two ranges start on one line`);
  }

  before(async () => {
    lines = LOG.split('\n');
    ({ folds, noise } = await foldingOf(LOG));
  });

  const at = (needle: string, from = 0) => lines.findIndex((l, i) => i >= from && l.includes(needle));

  it('a run right after `Call Trace:` gets no range of its own (the stack’s starts there)', () => {
    const first = at('? frob_prepare');
    const run = noise.find((r) => r.startLine === first);
    assert.ok(run, JSON.stringify(noise));
    assert.equal(run.endLine, first + 1);
    assert.equal(run.fold, null);
    assert.ok(
      folds.some((f) => f.startLine === first - 1 && f.endLine > run.endLine),
      'the stack still folds from `Call Trace:`',
    );
    assert.ok(!folds.some((f) => f.startLine === first), 'no range starts on the first noise line');
  });

  it('a run after a reliable entry folds from that entry, which stays visible', () => {
    const first = at('? frob_copy');
    const run = noise.find((r) => r.startLine === first);
    assert.deepEqual(run, { startLine: first, endLine: first + 1, duplicates: run?.duplicates, fold: { startLine: first - 1, endLine: first + 1 } });
    const single = at('? syscall_trace_enter');
    assert.deepEqual(noise.find((r) => r.startLine === single)?.fold, { startLine: single - 1, endLine: single });
  });

  it('a run right after `<IRQ>` gets no range of its own (the segment’s starts there)', () => {
    const first = at('? handle_irq_event');
    const run = noise.find((r) => r.startLine === first);
    assert.ok(run);
    assert.equal(run.fold, null);
  });

  it('holds for every noise run of the fixtures', async () => {
    checkRule(folds, noise, 'noise.log');
    for (const name of ['lsp-seed-pt-regs.log', 'lsp-mixed-modern.log', 'lsp-old-x86-clear-user.log', 'kasan-6.6-use-after-free-stacks.log']) {
      const r = await foldingOf(await fixture(name));
      checkRule(r.folds, r.noise, name);
    }
  });
});
