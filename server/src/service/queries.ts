// Questions several features ask of an analysis: which report is at an offset, which lines a fix
// may delete, where the runs of noise (unreliable and duplicate entries) are.
import { entryLineIsRemovable } from '../analyzer/analyze.ts';
import type { Finding, FindingCode } from '../analyzer/findings.ts';
import { codesWithFixes, ruleOf } from '../analyzer/rules/index.ts';
import type { Report, Span } from '../parser/model.ts';
import type { LogAnalysis } from './analysis.ts';
import type { DocumentVersion } from './document.ts';
import { parserLineAt } from './positions.ts';

/** Codes whose findings are duplicate entries: fixed one at a time, per report and per file (rules/: `fixes`). */
export const DUPLICATE_CODES: readonly FindingCode[] = codesWithFixes('duplicate');

/** Codes whose findings are unreliable entries: hidden or removed per report. */
export const UNRELIABLE_CODES: readonly FindingCode[] = codesWithFixes('unreliable');

export function isDuplicateCode(code: unknown): code is FindingCode {
  return ruleOf(code)?.fixes === 'duplicate';
}

/** Index of the report holding `offset`, or -1. */
export function reportIndexAt(document: DocumentVersion, analysis: LogAnalysis, offset: number): number {
  return analysis.reportIndexAtLine(parserLineAt(document, offset));
}

/** Lines that the findings of report k with one of `codes` flag for removal, sorted, without repeats. */
export function removableLines(analysis: LogAnalysis, k: number, codes: readonly FindingCode[]): number[] {
  const report = analysis.report(k);
  const lines = new Set<number>();
  for (const f of analysis.findingsOf(k)) {
    if (!codes.includes(f.code)) continue;
    const line = removableLineOf(report, f);
    if (line !== null) lines.add(line);
  }
  return [...lines].sort((a, b) => a - b);
}

/** The line a "remove" fix for this finding deletes, or null when it has none (or it is unsafe). */
export function removableLineOf(report: Report, f: Finding): number | null {
  const line = f.data.removableLine;
  if (line === undefined) return null;
  const stack = f.data.stack !== undefined ? report.stacks[f.data.stack] : undefined;
  return entryLineIsRemovable(stack, line) ? line : null;
}

/**
 * The text a "remove" fix deletes for an entry whose line holds more than the entry (a context marker
 * `<IRQ>  [<..>] ? foo`, the stack header `Call Trace: [<..>] ? foo`): the entry and the blanks before
 * it, so the marker stays. Null for an entry whose whole line is removable, or a finding of no entry.
 */
export function entrySpanToRemove(document: DocumentVersion, report: Report, f: Finding): Span | null {
  const { stack: si, frame: fi } = f.data;
  if (si === undefined || fi === undefined) return null;
  const stack = report.stacks[si];
  const entry = stack?.frames[fi];
  if (!entry || entryLineIsRemovable(stack, entry.line)) return null;
  let start = entry.start;
  const text = document.text;
  while (start > 0 && (text.charCodeAt(start - 1) === 32 || text.charCodeAt(start - 1) === 9)) start--;
  return { start, end: entry.end };
}

/** entrySpanToRemove of the findings of report k with one of `codes`, one per entry. */
export function entrySpansToRemove(document: DocumentVersion, analysis: LogAnalysis, k: number, codes: readonly FindingCode[]): Span[] {
  const report = analysis.report(k);
  const spans = new Map<number, Span>();
  for (const f of analysis.findingsOf(k)) {
    if (!codes.includes(f.code)) continue;
    const span = entrySpanToRemove(document, report, f);
    if (span) spans.set(span.start, span);
  }
  return [...spans.values()];
}

export interface NoiseRun {
  report: number;
  stack: number;
  startLine: number;
  endLine: number;
  duplicates: number;
}

/** Runs of consecutive lines that hold unreliable (`? `) entries, per stack. */
export function noiseRuns(analysis: LogAnalysis, k: number): NoiseRun[] {
  const report = analysis.report(k);
  const duplicateLines = new Set<number>();
  for (const f of analysis.findingsOf(k)) if (isDuplicateCode(f.code) && f.data.removableLine !== undefined) duplicateLines.add(f.data.removableLine);
  const runs: NoiseRun[] = [];
  report.stacks.forEach((stack, si) => {
    let run: NoiseRun | null = null;
    for (const frame of stack.frames) {
      if (frame.reliable) continue;
      if (run && frame.line === run.endLine + 1) {
        run.endLine = frame.line;
      } else if (!run || frame.line > run.endLine) {
        run = { report: k, stack: si, startLine: frame.line, endLine: frame.line, duplicates: 0 };
        runs.push(run);
      }
      if (duplicateLines.has(frame.line)) run.duplicates++;
    }
  });
  return runs;
}
