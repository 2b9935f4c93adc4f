// A parsed and analyzed document: reports, their findings and the parser's problems. After an edit
// the reports below it have to move (the parser's model holds absolute offsets and lines); that is
// done lazily, per report, when someone reads it, so that an edit near the top of a 50 MB log does
// not touch a million objects before the diagnostics go out.
import { FINDING_CODES, type Finding, type FindingCode } from '../analysis/findings.ts';
import type { Frame, ParsedLog, Problem, Report, Span } from '../parser/model.ts';
import { firstWhere } from '../search.ts';

/** Position of each code in the per-report count arrays. */
const CODE_INDEX = new Map<FindingCode, number>(FINDING_CODES.map((c, i) => [c, i]));

/** Findings per code of one report, in FINDING_CODES order. */
export function countCodes(findings: readonly Finding[]): Uint32Array {
  const counts = new Uint32Array(FINDING_CODES.length);
  for (const f of findings) {
    const i = CODE_INDEX.get(f.code);
    if (i !== undefined) counts[i]++;
  }
  return counts;
}

export class LogAnalysis {
  readonly lineStarts: ArrayLike<number>;
  private readonly reports: Report[];
  private readonly findings: Finding[][];
  /** Findings per code of each report: features that need counts or codes touch no finding. */
  private readonly codeCounts: Uint32Array[];
  /** Findings per code over the whole document. */
  readonly totals: Uint32Array;
  readonly problems: Problem[];
  /** Line and offset moves still owed to each report (and its findings). */
  private readonly pendingLines: Int32Array;
  private readonly pendingOffsets: Int32Array;
  private pendingCount: number;
  private whole: ParsedLog | null = null;

  constructor(lineStarts: ArrayLike<number>, reports: Report[], findings: Finding[][], problems: Problem[], pendingLines?: Int32Array, pendingOffsets?: Int32Array, codeCounts?: Uint32Array[]) {
    this.lineStarts = lineStarts;
    this.reports = reports;
    this.findings = findings;
    this.problems = problems;
    this.codeCounts = codeCounts ?? findings.map(countCodes);
    this.totals = new Uint32Array(FINDING_CODES.length);
    for (const counts of this.codeCounts) for (let i = 0; i < counts.length; i++) this.totals[i] += counts[i];
    this.pendingLines = pendingLines ?? new Int32Array(reports.length);
    this.pendingOffsets = pendingOffsets ?? new Int32Array(reports.length);
    this.pendingCount = 0;
    for (let k = 0; k < reports.length; k++) if (this.pendingLines[k] !== 0 || this.pendingOffsets[k] !== 0) this.pendingCount++;
  }

  get reportCount(): number {
    return this.reports.length;
  }

  /** Report k, moved to its current place. */
  report(k: number): Report {
    if (this.pendingLines[k] !== 0 || this.pendingOffsets[k] !== 0) this.settle(k);
    return this.reports[k];
  }

  /** Findings of report k (`data.report` is k). */
  findingsOf(k: number): Finding[] {
    if (this.pendingLines[k] !== 0 || this.pendingOffsets[k] !== 0) this.settle(k);
    const findings = this.findings[k];
    for (const f of findings) f.report = k;
    return findings;
  }

  /** How many findings with `code` report k has (nothing is moved). */
  countOf(k: number, code: FindingCode): number {
    return this.codeCounts[k][CODE_INDEX.get(code) ?? 0];
  }

  // Positions that searches need, read without settling the report.
  lineOf(k: number): number {
    return this.reports[k].line + this.pendingLines[k];
  }

  headerLineOf(k: number): number {
    return this.reports[k].headerLine + this.pendingLines[k];
  }

  endLineOf(k: number): number {
    return this.reports[k].endLine + this.pendingLines[k];
  }

  startOf(k: number): number {
    return this.reports[k].start + this.pendingOffsets[k];
  }

  endOf(k: number): number {
    return this.reports[k].end + this.pendingOffsets[k];
  }

  /** The whole log as the parser would return it (settles every report). */
  get log(): ParsedLog {
    if (this.whole) return this.whole;
    for (let k = 0; k < this.reports.length && this.pendingCount > 0; k++) this.report(k);
    this.whole = { lineStarts: this.lineStarts, reports: this.reports, problems: this.problems };
    return this.whole;
  }

  /** Findings of all reports, in report order. */
  allFindings(): Finding[] {
    const out: Finding[] = [];
    for (let k = 0; k < this.reports.length; k++) out.push(...this.findingsOf(k));
    return out;
  }

  /** Index of the report whose lines hold `line` (the later one where two share a line), or -1. */
  reportIndexAtLine(line: number): number {
    const k = firstWhere(0, this.reports.length, (i) => this.lineOf(i) > line) - 1;
    return k >= 0 && this.endLineOf(k) >= line ? k : -1;
  }

  /** Number of reports whose header line is before `line`. */
  countHeadersBefore(line: number): number {
    return firstWhere(0, this.reports.length, (i) => this.headerLineOf(i) >= line);
  }

  /**
   * A new analysis with reports[from, to) replaced by `replacement` (already in place) and every
   * report after them owing a further move of (lineDelta, offsetDelta). This analysis is spent.
   */
  splice(from: number, to: number, replacement: Report[], replacementFindings: Finding[][], problems: Problem[], lineStarts: ArrayLike<number>, lineDelta: number, offsetDelta: number): LogAnalysis {
    const count = this.reports.length - (to - from) + replacement.length;
    const pendingLines = new Int32Array(count);
    const pendingOffsets = new Int32Array(count);
    pendingLines.set(this.pendingLines.subarray(0, from), 0);
    pendingOffsets.set(this.pendingOffsets.subarray(0, from), 0);
    const tailAt = from + replacement.length;
    for (let k = to, j = tailAt; k < this.reports.length; k++, j++) {
      pendingLines[j] = this.pendingLines[k] + lineDelta;
      pendingOffsets[j] = this.pendingOffsets[k] + offsetDelta;
    }
    const reports = this.reports.slice(0, from);
    reports.push(...replacement);
    for (let k = to; k < this.reports.length; k++) reports.push(this.reports[k]);
    const findings = this.findings.slice(0, from);
    findings.push(...replacementFindings);
    for (let k = to; k < this.findings.length; k++) findings.push(this.findings[k]);
    const codeCounts = this.codeCounts.slice(0, from);
    for (const f of replacementFindings) codeCounts.push(countCodes(f));
    for (let k = to; k < this.codeCounts.length; k++) codeCounts.push(this.codeCounts[k]);
    return new LogAnalysis(lineStarts, reports, findings, problems, pendingLines, pendingOffsets, codeCounts);
  }

  private settle(k: number): void {
    const lineDelta = this.pendingLines[k];
    const offsetDelta = this.pendingOffsets[k];
    shiftReport(this.reports[k], lineDelta, offsetDelta);
    // Findings derive their positions from the report's objects: they move with it.
    this.pendingLines[k] = 0;
    this.pendingOffsets[k] = 0;
    this.pendingCount--;
  }
}

// ------------------------------------------------------------------------------------------------
// Moving model objects (the parser's model has no relative positions)

function shiftSpan(s: Span, offsetDelta: number): void {
  s.start += offsetDelta;
  s.end += offsetDelta;
}

export function shiftSpanLine(s: Span & { line: number }, lineDelta: number, offsetDelta: number): void {
  s.start += offsetDelta;
  s.end += offsetDelta;
  s.line += lineDelta;
}

function shiftFrame(f: Frame, lineDelta: number, offsetDelta: number): void {
  shiftSpanLine(f, lineDelta, offsetDelta);
  f.symbolStart += offsetDelta;
  f.symbolEnd += offsetDelta;
}

/** Moves every offset and line of a report. */
export function shiftReport(r: Report, lineDelta: number, offsetDelta: number): void {
  if (r.modulesLine >= 0) r.modulesLine += lineDelta; // -1: no `Modules linked in:` line
  shiftSpanLine(r, lineDelta, offsetDelta);
  r.endLine += lineDelta;
  r.headerLine += lineDelta;
  for (let i = 0; i < r.markerLines.length; i++) r.markerLines[i] += lineDelta;
  for (const b of r.regs) {
    shiftSpanLine(b, lineDelta, offsetDelta);
    b.endLine += lineDelta;
    b.ipLine += lineDelta;
    if (b.ip) shiftFrame(b.ip, lineDelta, offsetDelta);
    if (b.code) {
      shiftSpanLine(b.code, lineDelta, offsetDelta);
      if (b.code.trapping >= 0) b.code.trapping += offsetDelta;
    }
  }
  for (const s of r.stacks) {
    shiftSpanLine(s, lineDelta, offsetDelta);
    s.endLine += lineDelta;
    shiftSpan(s.header, offsetDelta);
    for (const f of s.frames) shiftFrame(f, lineDelta, offsetDelta);
    for (const m of s.markers) shiftSpanLine(m, lineDelta, offsetDelta);
    for (const g of s.segments) {
      shiftSpanLine(g, lineDelta, offsetDelta);
      g.endLine += lineDelta;
    }
  }
}

