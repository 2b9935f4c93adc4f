// A parsed and analyzed version of a document: reports, their findings and the parser's problems.
// It never changes once made, so a request that waits (a hover for the symbolizer) still reads the
// version it started on after later edits. The next version reuses the reports an edit did not
// touch: the parser's objects stay as they were made (offsets and lines of the version they were
// parsed in), and each version keeps, per report, how far it has moved since (a line and an offset
// delta). A report read from a version that moved it is a moved copy made when it is read, and its
// findings are wrappers that add the deltas; an edit near the top of a 50 MB log costs two typed
// arrays, not a million objects, and copies only what the features then read.
import type { Finding, FindingCode, FindingData, RelatedLocation, Severity } from '../analyzer/findings.ts';
import { FINDING_CODES } from '../analyzer/findings.ts';
import { repeatFinding, type ReportPlace } from '../analyzer/analyze.ts';
import { corruptedReport, repeatedReport } from '../analyzer/rules/index.ts';
import { findRepeats, signatureIds, type Repeats } from '../analyzer/signature.ts';
import type { CodeBytes, ContextMarker, ContextSegment, StackEntry, ParsedLog, Problem, RegisterBlock, Report, Stack } from '../parser/model.ts';
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

const REPEATED_INDEX = CODE_INDEX.get(repeatedReport.code) ?? 0;

/** Moved copies kept per version (the last ones read, by index): what one request reads again. */
const RECENT_SLOTS = 16;

export class LogAnalysis {
  readonly lineStarts: ArrayLike<number>;
  readonly problems: readonly Problem[];
  /** Reports as the parser (or a re-titling) made them, in the places of the version they were made in. */
  private readonly reports: readonly Report[];
  /** Findings of each report as the analyzer made them (they read their positions from those reports). */
  private readonly findings: readonly (readonly Finding[])[];
  /** Findings per code of each report: features that need counts or codes touch no finding. */
  private readonly codeCounts: readonly Uint32Array[];
  /** How far each report has moved since it was made (null: none has). */
  private readonly lineDeltas: Int32Array | null;
  private readonly offsetDeltas: Int32Array | null;
  private readonly recent = new RecentlyMoved();
  private whole: ParsedLog | null = null;
  /** Findings per code of the reports' own findings (repeats are added by `totals`). */
  private readonly ownTotals: Uint32Array;
  private repeatTable: Repeats | null = null;
  /** Each report's signature id once asked (carried over by splice: an edit reads the new reports only). */
  private signatureIdTable: Int32Array | null;
  private totalsWithRepeats: Uint32Array | null = null;

  constructor(
    lineStarts: ArrayLike<number>,
    reports: readonly Report[],
    findings: readonly (readonly Finding[])[],
    problems: readonly Problem[],
    codeCounts?: readonly Uint32Array[],
    lineDeltas: Int32Array | null = null,
    offsetDeltas: Int32Array | null = null,
    signatureIdTable: Int32Array | null = null,
  ) {
    this.signatureIdTable = signatureIdTable;
    this.lineStarts = lineStarts;
    this.reports = reports;
    this.findings = findings;
    this.problems = problems;
    this.codeCounts = codeCounts ?? findings.map(countCodes);
    this.ownTotals = new Uint32Array(FINDING_CODES.length);
    for (const counts of this.codeCounts) for (let i = 0; i < counts.length; i++) this.ownTotals[i] += counts[i];
    this.lineDeltas = lineDeltas;
    this.offsetDeltas = offsetDeltas;
  }

  get reportCount(): number {
    return this.reports.length;
  }

  /** Report k in this version (a moved copy when it has moved: equal on every read, not always the same object). */
  report(k: number): Report {
    const lineDelta = this.lineDelta(k);
    const offsetDelta = this.offsetDelta(k);
    if (lineDelta === 0 && offsetDelta === 0) return this.reports[k];
    let moved = this.recent.report(k);
    if (!moved) this.recent.setReport(k, (moved = moveReport(this.reports[k], lineDelta, offsetDelta, true)));
    return moved;
  }

  /** Findings per code over the whole document. */
  get totals(): Uint32Array {
    if (this.totalsWithRepeats === null) {
      const totals = this.ownTotals.slice();
      totals[REPEATED_INDEX] += this.repeats.repeated;
      this.totalsWithRepeats = totals;
    }
    return this.totalsWithRepeats;
  }

  /**
   * Which reports of this version repeat an earlier one (analyzer/signature.ts), computed once per
   * version when first asked (diagnostics, the Outline): one pass over the reports' signatures,
   * which are kept per report object, so a version that shares its reports with the last one
   * computes none again.
   */
  get repeats(): Repeats {
    this.repeatTable ??= findRepeats(this.signatureIdTable ?? (this.signatureIdTable = signatureIds(this.reports.length, (k) => this.reports[k])));
    return this.repeatTable;
  }

  /** Report k's signature id (analyzer/signature.ts; equal ids, same signature), -1 for none. */
  signatureIdAt(k: number): number {
    this.signatureIdTable ??= signatureIds(this.reports.length, (i) => this.reports[i]);
    return this.signatureIdTable[k];
  }

  /** Findings of report k in this version (`data.report` is k): its own, and whether it repeats an earlier report. */
  findingsOf(k: number): readonly Finding[] {
    const own = this.ownFindingsOf(k);
    if (this.reports.length < 2) return own;
    const repeat = repeatFinding(
      this.repeats,
      k,
      (i) => this.reports[i],
      (i) => this.placeOf(i),
      this.lineStarts,
    );
    if (repeat === null) return own;
    // After a corrupted-report finding (from the report's first line), before the entries' findings.
    const at = own.length > 0 && own[0].code === corruptedReport.code ? 1 : 0;
    return [...own.slice(0, at), repeat, ...own.slice(at)];
  }

  /** Where report k is in this version (positions a repeated-report finding reads; no moved copy). */
  private placeOf(k: number): ReportPlace {
    return { headerLine: this.headerLineOf(k), start: this.startOf(k), end: this.endOf(k) };
  }

  /** The findings the analyzer made for report k alone, moved to this version. */
  private ownFindingsOf(k: number): readonly Finding[] {
    const found = this.findings[k];
    const lineDelta = this.lineDelta(k);
    const offsetDelta = this.offsetDelta(k);
    // All findings of a report were made with its index then.
    if (lineDelta === 0 && offsetDelta === 0 && (found.length === 0 || found[0].report === k)) return found;
    let moved = this.recent.findings(k);
    if (!moved) this.recent.setFindings(k, (moved = found.map((f) => new MovedFinding(f, k, lineDelta, offsetDelta))));
    return moved;
  }

  /**
   * Report k as it was made, not moved to this version: for what does not move (its caller, paste
   * shape, facts) and for tables keyed by the parser's objects (parse.ts ASIDE_REACH). Its lines and
   * offsets are those of an earlier version: read them through lineOf() and friends.
   */
  unmovedReport(k: number): Report {
    return this.reports[k];
  }

  /** A copy of report k moved to this version that the caller may change (re-titling after an edit). */
  ownCopyOf(k: number): Report {
    return moveReport(this.reports[k], this.lineDelta(k), this.offsetDelta(k), true);
  }

  /** How many findings with `code` report k has (nothing is read or moved). */
  countOf(k: number, code: FindingCode): number {
    return this.countAt(k, CODE_INDEX.get(code) ?? 0);
  }

  /** countOf by the code's index in FINDING_CODES (the diagnostics' loop over every report). */
  countAt(k: number, i: number): number {
    if (i === REPEATED_INDEX) return this.reports.length > 1 && this.repeats.firstOf[k] >= 0 ? 1 : 0;
    return this.codeCounts[k][i];
  }

  // Positions that searches need, read without moving the report.
  lineOf(k: number): number {
    return this.reports[k].line + this.lineDelta(k);
  }

  headerLineOf(k: number): number {
    return this.reports[k].headerLine + this.lineDelta(k);
  }

  endLineOf(k: number): number {
    return this.reports[k].endLine + this.lineDelta(k);
  }

  startOf(k: number): number {
    return this.reports[k].start + this.offsetDelta(k);
  }

  endOf(k: number): number {
    return this.reports[k].end + this.offsetDelta(k);
  }

  /** The whole log as the parser would return it for this version (moves every report). */
  get log(): ParsedLog {
    if (this.whole) return this.whole;
    const reports: Report[] = [];
    for (let k = 0; k < this.reports.length; k++) {
      const lineDelta = this.lineDelta(k);
      const offsetDelta = this.offsetDelta(k);
      reports.push(lineDelta === 0 && offsetDelta === 0 ? this.reports[k] : moveReport(this.reports[k], lineDelta, offsetDelta, true));
    }
    this.whole = { lineStarts: this.lineStarts, reports, problems: [...this.problems] };
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
   * The next version: reports[from, to) replaced by `replacement` (already in place, and the
   * caller's to give away), every report after them moved a further (lineDelta, offsetDelta).
   * This version stays as it is.
   */
  splice(
    from: number,
    to: number,
    replacement: readonly Report[],
    replacementFindings: readonly (readonly Finding[])[],
    problems: readonly Problem[],
    lineStarts: ArrayLike<number>,
    lineDelta: number,
    offsetDelta: number,
  ): LogAnalysis {
    const count = this.reports.length - (to - from) + replacement.length;
    const tailAt = from + replacement.length;
    let lineDeltas: Int32Array | null = null;
    let offsetDeltas: Int32Array | null = null;
    if (this.lineDeltas !== null || lineDelta !== 0 || offsetDelta !== 0) {
      lineDeltas = new Int32Array(count);
      offsetDeltas = new Int32Array(count);
      if (this.lineDeltas && this.offsetDeltas) {
        lineDeltas.set(this.lineDeltas.subarray(0, from), 0);
        offsetDeltas.set(this.offsetDeltas.subarray(0, from), 0);
      }
      for (let k = to, j = tailAt; k < this.reports.length; k++, j++) {
        lineDeltas[j] = this.lineDelta(k) + lineDelta;
        offsetDeltas[j] = this.offsetDelta(k) + offsetDelta;
      }
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
    let ids: Int32Array | null = null;
    if (this.signatureIdTable !== null) {
      ids = new Int32Array(count);
      ids.set(this.signatureIdTable.subarray(0, from), 0);
      ids.set(
        signatureIds(replacement.length, (j) => replacement[j]),
        from,
      );
      ids.set(this.signatureIdTable.subarray(to), tailAt);
    }
    return new LogAnalysis(lineStarts, reports, findings, problems, codeCounts, lineDeltas, offsetDeltas, ids);
  }

  private lineDelta(k: number): number {
    return this.lineDeltas === null ? 0 : this.lineDeltas[k];
  }

  private offsetDelta(k: number): number {
    return this.offsetDeltas === null ? 0 : this.offsetDeltas[k];
  }
}

/**
 * The moved copies a version made last, by report index (one slot per index modulo RECENT_SLOTS):
 * a request that reads a report and its findings several times (a code action, a report and its
 * noise runs in folding) copies them once, and a version whose every report was read (Outline,
 * folding) keeps a few copies, not the whole log.
 */
class RecentlyMoved {
  private keys: Int32Array | null = null;
  private reports: (Report | undefined)[] = [];
  private findingKeys: Int32Array | null = null;
  private findingLists: (readonly Finding[] | undefined)[] = [];

  report(k: number): Report | undefined {
    return this.keys !== null && this.keys[k % RECENT_SLOTS] === k ? this.reports[k % RECENT_SLOTS] : undefined;
  }

  setReport(k: number, report: Report): void {
    this.keys ??= new Int32Array(RECENT_SLOTS).fill(-1);
    this.keys[k % RECENT_SLOTS] = k;
    this.reports[k % RECENT_SLOTS] = report;
  }

  findings(k: number): readonly Finding[] | undefined {
    return this.findingKeys !== null && this.findingKeys[k % RECENT_SLOTS] === k ? this.findingLists[k % RECENT_SLOTS] : undefined;
  }

  setFindings(k: number, findings: readonly Finding[]): void {
    this.findingKeys ??= new Int32Array(RECENT_SLOTS).fill(-1);
    this.findingKeys[k % RECENT_SLOTS] = k;
    this.findingLists[k % RECENT_SLOTS] = findings;
  }
}

/**
 * A finding of a report that has moved since it was analyzed: what the finding derives, moved, and
 * the report's index in this version.
 */
class MovedFinding implements Finding {
  constructor(
    private readonly found: Finding,
    readonly report: number,
    private readonly lineDelta: number,
    private readonly offsetDelta: number,
  ) {}

  get code(): FindingCode {
    return this.found.code;
  }

  get severity(): Severity {
    return this.found.severity;
  }

  get message(): string {
    return this.found.message;
  }

  get unnecessary(): boolean {
    return this.found.unnecessary;
  }

  get line(): number {
    return this.found.line + this.lineDelta;
  }

  get start(): number {
    return this.found.start + this.offsetDelta;
  }

  get end(): number {
    return this.found.end + this.offsetDelta;
  }

  get data(): FindingData {
    const data = { ...this.found.data, report: this.report };
    if (data.removableLine !== undefined) data.removableLine += this.lineDelta;
    return data;
  }

  get related(): RelatedLocation[] {
    const related = this.found.related;
    if (related.length === 0) return related;
    return related.map((r) => ({ ...r, line: r.line + this.lineDelta, start: r.start + this.offsetDelta, end: r.end + this.offsetDelta }));
  }
}

// ------------------------------------------------------------------------------------------------
// Moving model objects (the parser's model has no relative positions). One list of the model's
// positions, for both uses: a moved copy (a report shared with other versions is never changed),
// or the report itself (one just parsed, that nobody else holds yet). Copies are written out field
// by field in the order the parser makes each object: a spread copy keeps its fields outside the
// object (a second allocation of about 100 bytes each, for hundreds of thousands of entries). The
// type checker asks for every required field; the incremental tests compare moved copies with a
// fresh parse, optional fields included.

function moveFrame(f: StackEntry, lineDelta: number, offsetDelta: number, copy: boolean): StackEntry {
  const m: StackEntry = copy
    ? {
        line: f.line,
        start: f.start,
        end: f.end,
        function: f.function,
        offset: f.offset,
        size: f.size,
        module: f.module,
        address: f.address,
        reliable: f.reliable,
        context: f.context,
        symbolStart: f.symbolStart,
        symbolEnd: f.symbolEnd,
      }
    : f;
  if (copy) {
    // Rare fields stay off the common entry.
    if (f.buildId !== undefined) m.buildId = f.buildId;
    if (f.source !== undefined) m.source = f.source;
    if (f.exact !== undefined) m.exact = f.exact;
  }
  m.line += lineDelta;
  m.start += offsetDelta;
  m.end += offsetDelta;
  m.symbolStart += offsetDelta;
  m.symbolEnd += offsetDelta;
  return m;
}

function moveAll<T>(list: T[], move: (item: T) => T, copy: boolean): T[] {
  if (copy) return list.map(move);
  for (const item of list) move(item);
  return list;
}

function moveCode(c: CodeBytes, lineDelta: number, offsetDelta: number, copy: boolean): CodeBytes {
  const m: CodeBytes = copy ? { line: c.line, start: c.start, end: c.end, trapping: c.trapping, unavailable: c.unavailable } : c;
  m.line += lineDelta;
  m.start += offsetDelta;
  m.end += offsetDelta;
  if (m.trapping >= 0) m.trapping += offsetDelta; // -1: no marked byte
  return m;
}

function moveBlock(b: RegisterBlock, lineDelta: number, offsetDelta: number, copy: boolean): RegisterBlock {
  const m: RegisterBlock = copy
    ? {
        line: b.line,
        endLine: b.endLine,
        start: b.start,
        end: b.end,
        kind: b.kind,
        ip: b.ip,
        ipLine: b.ipLine,
        ipRegister: b.ipRegister,
        user: b.user,
        registerCount: b.registerCount,
        code: b.code,
        context: b.context,
      }
    : b;
  m.line += lineDelta;
  m.endLine += lineDelta;
  m.start += offsetDelta;
  m.end += offsetDelta;
  m.ipLine += lineDelta;
  if (m.ip) m.ip = moveFrame(m.ip, lineDelta, offsetDelta, copy);
  if (m.code) m.code = moveCode(m.code, lineDelta, offsetDelta, copy);
  return m;
}

function moveMarker(c: ContextMarker, lineDelta: number, offsetDelta: number, copy: boolean): ContextMarker {
  const m: ContextMarker = copy ? { line: c.line, name: c.name, role: c.role, start: c.start, end: c.end } : c;
  m.line += lineDelta;
  m.start += offsetDelta;
  m.end += offsetDelta;
  return m;
}

function moveSegment(g: ContextSegment, lineDelta: number, offsetDelta: number, copy: boolean): ContextSegment {
  const m: ContextSegment = copy ? { name: g.name, line: g.line, endLine: g.endLine, start: g.start, end: g.end } : g;
  m.line += lineDelta;
  m.endLine += lineDelta;
  m.start += offsetDelta;
  m.end += offsetDelta;
  return m;
}

function moveStack(s: Stack, lineDelta: number, offsetDelta: number, copy: boolean): Stack {
  const m: Stack = copy
    ? {
        line: s.line,
        endLine: s.endLine,
        start: s.start,
        end: s.end,
        kind: s.kind,
        header: { start: s.header.start, end: s.header.end },
        frames: s.frames,
        markers: s.markers,
        segments: s.segments,
      }
    : s;
  m.line += lineDelta;
  m.endLine += lineDelta;
  m.start += offsetDelta;
  m.end += offsetDelta;
  m.header.start += offsetDelta;
  m.header.end += offsetDelta;
  m.frames = moveAll(s.frames, (f) => moveFrame(f, lineDelta, offsetDelta, copy), copy);
  m.markers = moveAll(s.markers, (c) => moveMarker(c, lineDelta, offsetDelta, copy), copy);
  m.segments = moveAll(s.segments, (g) => moveSegment(g, lineDelta, offsetDelta, copy), copy);
  return m;
}

/**
 * A report moved `lineDelta` lines and `offsetDelta` characters: a moved copy when `copy` (the
 * report stays as it is; the copy shares only strings and what never moves), else the report itself, changed.
 */
export function moveReport(r: Report, lineDelta: number, offsetDelta: number, copy: boolean): Report {
  const m: Report = copy
    ? {
        kind: r.kind,
        title: r.title,
        crash: r.crash,
        corrupted: r.corrupted,
        corruptedReason: r.corruptedReason,
        guiltyFrame: r.guiltyFrame,
        line: r.line,
        endLine: r.endLine,
        start: r.start,
        end: r.end,
        headerLine: r.headerLine,
        caller: r.caller,
        regs: r.regs,
        stacks: r.stacks,
        markerLines: r.markerLines.slice(),
        arch: r.arch,
        cpu: r.cpu,
        pid: r.pid,
        comm: r.comm,
        taint: r.taint,
        release: r.release,
        hardware: r.hardware,
        modules: r.modules,
        modulesLine: r.modulesLine,
      }
    : r;
  if (copy && r.pasteShape !== undefined) m.pasteShape = r.pasteShape;
  m.line += lineDelta;
  m.endLine += lineDelta;
  m.start += offsetDelta;
  m.end += offsetDelta;
  m.headerLine += lineDelta;
  if (m.modulesLine >= 0) m.modulesLine += lineDelta; // -1: no `Modules linked in:` line
  for (let i = 0; i < m.markerLines.length; i++) m.markerLines[i] += lineDelta;
  m.regs = moveAll(r.regs, (b) => moveBlock(b, lineDelta, offsetDelta, copy), copy);
  m.stacks = moveAll(r.stacks, (s) => moveStack(s, lineDelta, offsetDelta, copy), copy);
  return m;
}

/** A problem moved `lineDelta` lines and `offsetDelta` characters; a copy unless `copy` is false (a problem just parsed). */
export function moveProblem(p: Problem, lineDelta: number, offsetDelta: number, copy: boolean): Problem {
  const m: Problem = copy ? { line: p.line, start: p.start, end: p.end, code: p.code, message: p.message } : p;
  m.line += lineDelta;
  m.start += offsetDelta;
  m.end += offsetDelta;
  return m;
}
