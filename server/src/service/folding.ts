// Folding ranges: each report (kind region), register block, `Code:` dump, stack, context segment
// (`<IRQ>` … `</IRQ>`, the closing line stays visible), lockdep dependency chain, and every run of
// unreliable entries (kind comment, so "Fold All Block Comments" folds just the noise). The runs
// are also what the kernelLog/noiseRanges request returns.
import type { FoldingRange } from 'vscode-languageserver-types';
import { FoldingRangeKind } from 'vscode-languageserver-types';
import type { Report } from '../parser/model.ts';
import type { LogAnalysis } from './analysis.ts';
import type { DocumentVersion } from './document.ts';
import type { Interruption } from './interruption.ts';
import { forEachSliced } from './interruption.ts';
import { lineText, lspLastLineOf, lspLineOf } from './positions.ts';
import { NOISE_FOLDING_KIND } from '../protocol/codes.ts';
import type { NoiseRange } from '../protocol/protocol.ts';
import { noiseRuns } from './queries.ts';

interface LineRange {
  startLine: number;
  endLine: number;
  kind?: string;
}

/** Lines that continue a multi-line code dump (s390 `Krnl Code:`, powerpc `Instruction dump:`). */
const CODE_CONTINUATION = /^(?:\s*\[[^\]]*\]\s*)?\s+[#>][0-9a-f]{6,16}:|^(?:\s*\[[^\]]*\]\s*)?\s*[0-9a-f]{8}(?:\s+[<(]?[0-9a-f]{8}[>)]?){3,}\s*$/;
const MAX_CODE_LINES = 16;

export interface FoldingResult {
  ranges: FoldingRange[];
  noise: NoiseRange[];
}

/** Folding ranges and noise runs; null when `interruption` stopped it (cancelled, or the document changed). */
export async function computeFolding(
  document: DocumentVersion,
  analysis: LogAnalysis,
  rangeLimit = Number.MAX_SAFE_INTEGER,
  interruption?: Interruption,
): Promise<FoldingResult | null> {
  const structure: LineRange[] = [];
  const noiseByReport: ReturnType<typeof noiseRuns>[] = [];
  const done = await forEachSliced(
    analysis.reportCount,
    (k) => {
      structuralRanges(document, analysis.report(k), structure);
      noiseByReport.push(noiseRuns(analysis, k));
    },
    interruption,
  );
  if (!done) return null;
  // Runs fold from the line before them where they can (noiseFold).
  const taken = new Set<number>();
  for (const r of structure) {
    taken.add(r.startLine);
    taken.add(r.endLine);
  }
  const noise: NoiseRange[] = [];
  const noiseFolds: (LineRange | null)[] = [];
  for (const runs of noiseByReport) {
    for (const run of runs) {
      const fold = noiseFold(run, taken);
      noiseFolds.push(fold && { startLine: lspLineOf(document, fold.startLine), endLine: lspLastLineOf(document, fold.endLine), kind: NOISE_FOLDING_KIND });
      noise.push({ startLine: lspLineOf(document, run.startLine), endLine: lspLastLineOf(document, run.endLine), duplicates: run.duplicates, fold: null });
    }
  }
  const lspStructure = structure.map((r) => ({ startLine: lspLineOf(document, r.startLine), endLine: lspLastLineOf(document, r.endLine), kind: r.kind }));
  const depths: number[] = [];
  const ranges = outermost(nest([...lspStructure, ...noiseFolds.filter((f) => f !== null)], depths), depths, rangeLimit);
  // A run's fold is the one the answer holds (nesting or the limit may have dropped it).
  const answered = new Set(ranges);
  noiseFolds.forEach((f, i) => {
    if (f && answered.has(f)) noise[i].fold = { startLine: f.startLine, endLine: f.endLine };
  });
  return {
    ranges: ranges.map((r) => (r.kind ? { startLine: r.startLine, endLine: r.endLine, kind: r.kind } : { startLine: r.startLine, endLine: r.endLine })),
    noise,
  };
}

/**
 * The folding ranges (LSP lines) that hide noise of report k, as computeFolding offers them (its
 * neighbours' structure included, so that the same ranges survive nesting). For the hide actions,
 * without computing the folding of the whole document.
 */
export function noiseFoldsOfReport(document: DocumentVersion, analysis: LogAnalysis, k: number): { startLine: number; endLine: number }[] {
  const structure: LineRange[] = [];
  for (let j = Math.max(0, k - 1); j <= Math.min(analysis.reportCount - 1, k + 1); j++) structuralRanges(document, analysis.report(j), structure);
  const taken = new Set<number>();
  for (const r of structure) {
    taken.add(r.startLine);
    taken.add(r.endLine);
  }
  const folds: LineRange[] = [];
  for (const run of noiseRuns(analysis, k)) {
    const fold = noiseFold(run, taken);
    if (fold) folds.push({ startLine: lspLineOf(document, fold.startLine), endLine: lspLastLineOf(document, fold.endLine), kind: NOISE_FOLDING_KIND });
  }
  const lspStructure = structure.map((r) => ({ startLine: lspLineOf(document, r.startLine), endLine: lspLastLineOf(document, r.endLine), kind: r.kind }));
  const kept = new Set(nest([...lspStructure, ...folds]));
  return folds.filter((f) => kept.has(f)).map((f) => ({ startLine: f.startLine, endLine: f.endLine }));
}

/**
 * A run is folded from the line before it, which stays visible: an editor hides the lines after a
 * range's first line, so a range starting on the run's first line would leave that line shown.
 * Only when no other range starts or ends on the line before (editors keep one range per start
 * line, and drop a range that starts on the last line of another); otherwise none, and the
 * client makes a folding range of its own there (client/src/commands.ts hideLines).
 */
function noiseFold(run: { startLine: number; endLine: number }, taken: Set<number>): { startLine: number; endLine: number } | null {
  if (run.startLine >= 1 && !taken.has(run.startLine - 1)) return { startLine: run.startLine - 1, endLine: run.endLine };
  return null;
}

function structuralRanges(document: DocumentVersion, report: Report, out: LineRange[]): void {
  out.push({ startLine: Math.max(0, report.line), endLine: report.endLine, kind: FoldingRangeKind.Region });
  for (const block of report.regs) {
    out.push({ startLine: block.line, endLine: block.endLine });
    if (block.code) out.push({ startLine: block.code.line, endLine: codeDumpEnd(document, block.code.line) });
  }
  for (const stack of report.stacks) {
    out.push({ startLine: stack.line, endLine: stack.endLine });
    for (const segment of stack.segments) out.push({ startLine: segment.line, endLine: segment.endLine - 1 });
  }
  // lockdep's "existing dependency chain": the run of `-> #N` stacks, folded as one.
  for (let i = 0; i < report.stacks.length; i++) {
    if (!report.stacks[i].kind.startsWith('-> #')) continue;
    let j = i;
    while (j + 1 < report.stacks.length && report.stacks[j + 1].kind.startsWith('-> #')) j++;
    if (j > i) {
      const first = report.stacks[i];
      let start = first.line - 1;
      for (let l = first.line - 1; l >= Math.max(report.line, first.line - 3); l--) {
        if (lineText(document, l).includes('dependency chain')) {
          start = l;
          break;
        }
      }
      if (start > report.line) out.push({ startLine: start, endLine: report.stacks[j].endLine });
    }
    i = j;
  }
}

function codeDumpEnd(document: DocumentVersion, codeLine: number): number {
  let end = codeLine;
  const last = Math.min(document.lineStarts.length - 1, codeLine + MAX_CODE_LINES);
  while (end < last && CODE_CONTINUATION.test(lineText(document, end + 1))) end++;
  return end;
}

/**
 * At most `limit` ranges (the client's `foldingRange.rangeLimit`): the outermost ones, so that what
 * is left still folds whole reports, then their blocks and stacks, all through the file (the
 * first ranges of the file would fold one report down to its last stack segment and nothing after
 * it). Of the ranges at the depth where the limit falls, the first ones in the file.
 */
function outermost(ranges: LineRange[], depths: readonly number[], limit: number): LineRange[] {
  const max = Math.max(0, Math.floor(limit));
  if (ranges.length <= max) return ranges;
  const atDepth: number[] = [];
  for (const d of depths) atDepth[d] = (atDepth[d] ?? 0) + 1;
  // All ranges less deep than `depth` fit; `room` of those at `depth` do too.
  let depth = 0;
  let room = max;
  while (depth < atDepth.length && room >= atDepth[depth]) room -= atDepth[depth++];
  return ranges.filter((_, i) => depths[i] < depth || (depths[i] === depth && room-- > 0));
}

/**
 * Keeps ranges that nest properly (what editors require): sorted by start, longer first; a range
 * that starts on the same line as a kept one, or overlaps one without being inside it, is dropped.
 * `depths`, when given, gets how many kept ranges each kept one lies inside.
 */
function nest(ranges: LineRange[], depths?: number[]): LineRange[] {
  const sorted = ranges.filter((r) => r.endLine > r.startLine && r.startLine >= 0).sort((a, b) => a.startLine - b.startLine || b.endLine - a.endLine);
  const kept: LineRange[] = [];
  const open: LineRange[] = [];
  let lastStart = -1;
  for (const r of sorted) {
    if (r.startLine === lastStart) continue;
    while (open.length > 0 && open[open.length - 1].endLine < r.startLine) open.pop();
    const parent = open[open.length - 1];
    if (parent && r.endLine > parent.endLine) continue;
    kept.push(r);
    depths?.push(open.length);
    open.push(r);
    lastStart = r.startLine;
  }
  return kept;
}
