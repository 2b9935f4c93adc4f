// Parsing a document in pieces: progressively (a big file in chunks, so the server answers between
// them and publishes the first diagnostics early) and incrementally (after an edit, only the
// reports around it). Both must give exactly what one full parseCrashLog + analyze would give; the
// tests check that with random edits.
//
// Invariants this relies on (parse.ts is a left-to-right state machine):
// - Restarting the parser at the first line of a report that a full parse found gives the same
//   reports from there on.
// - A header that always opens a report ("start" role) erases whatever state earlier lines left,
//   except that a `cut here` line just before it may become the report's first line.
// - A report of one printk caller set aside for another's (parse.ts ASIDE_REACH) may take its
//   caller's lines again after its end: no restart or stop where such a line may come.
// - A report's title may read lines after the report (retitle.ts); those reports are titled again.
import { analyze } from '../analyzer/analyze.ts';
import type { Finding } from '../analyzer/findings.ts';
import { matchReportHeader } from '../parser/headers.ts';
import { lineEnd, parseLinePrefix } from '../parser/lines.ts';
import type { Problem, Report } from '../parser/model.ts';
import { asideReachOf, CONTEXT_LINES, DUMP_CPU_LINE_REACH, keepAsideReach, MAX_WARN_TEXT_LINES, parseCrashLog } from '../parser/parse.ts';
import { countCodes, LogAnalysis, moveProblem, moveReport } from './analysis.ts';
import { TITLE_LOOKAHEAD_LINES, titleAgain, firstReaching, wholeLogView } from './retitle.ts';
import type { LineEdit } from './document.ts';
import type { TextSource } from './pieceText.ts';
import { firstWhere } from '../search.ts';

/** Problems after which parse state is not local to a report (a crash of the parser). */
function isGlobalProblem(p: Problem): boolean {
  return p.code === 'internal-error';
}

/** Findings of each report; `data.report` is set to the report's index. */
export function analyzeReports(reports: readonly Report[], firstIndex: number): Finding[][] {
  const out: Finding[][] = [];
  for (let i = 0; i < reports.length; i++) {
    const findings = analyze({ lineStarts: [], reports: [reports[i]], problems: [] });
    for (const f of findings) f.report = firstIndex + i;
    out.push(findings);
  }
  return out;
}

export function analyzeWhole(text: string, lineStarts: ArrayLike<number>): LogAnalysis {
  const log = parseCrashLog(text, { lineStarts });
  return new LogAnalysis(lineStarts, log.reports, analyzeReports(log.reports, 0), log.problems);
}

/**
 * parseCrashLog on lines [startLine, endLine) only, given just those lines' text (the document text
 * is in pieces), with the results moved to document lines and offsets. Same result as
 * parseCrashLog(wholeText, { startLine, endLine }).
 */
export function parseLines(
  text: TextSource,
  lineStarts: ArrayLike<number>,
  startLine: number,
  endLine: number,
  detach = false,
): { reports: Report[]; problems: Problem[] } {
  if (startLine >= endLine) return { reports: [], problems: [] };
  // The lines around the range go along: the parser reads a wrapped line's neighbours and a
  // header's next lines past the range it parses (parser/parse.ts CONTEXT_LINES).
  const first = Math.max(0, startLine - CONTEXT_LINES.before);
  const last = Math.min(lineStarts.length, endLine + CONTEXT_LINES.after);
  const base = lineStarts[first];
  const end = last < lineStarts.length ? lineStarts[last] - 1 : text.length; // without the last line break
  const localStarts = new Uint32Array(last - first);
  for (let i = 0; i < localStarts.length; i++) localStarts[i] = lineStarts[first + i] - base;
  const parsed = parseCrashLog(text.slice(base, end), { lineStarts: localStarts, startLine: startLine - first, endLine: endLine - first });
  for (const r of parsed.reports) {
    moveReport(r, first, base, false);
    // After an edit only: a chunk of a progressive parse is kept once, by its own reports.
    if (detach) detachStrings(r, new WeakSet());
  }
  for (const p of parsed.problems) moveProblem(p, first, base, false);
  return { reports: parsed.reports, problems: parsed.problems };
}

/**
 * Gives the strings a report keeps (names, titles) their own memory. V8 makes `slice` of a string of
 * 13 characters or more a view into the text it came from, so every report parsed from a region kept
 * the whole region alive, and each edit's region stayed as long as one report of it did: the heap grew
 * with every edit until the document was closed.
 */
function detachStrings(value: unknown, seen: WeakSet<object>): void {
  if (typeof value !== 'object' || value === null || seen.has(value)) return;
  seen.add(value);
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    const v = record[key];
    if (typeof v === 'string') {
      if (v.length >= 13) record[key] = ownCopy(v);
    } else if (typeof v === 'object' && v !== null) {
      detachStrings(v, seen);
    }
  }
}

function ownCopy(s: string): string {
  return Buffer.from(s, 'utf16le').toString('utf16le');
}

// ------------------------------------------------------------------------------------------------
// How far titles read

/**
 * Lines after its first line that a report's title was seen to read, for reports this module
 * titled itself (relative, so it survives moves; Infinity when the reading stopped at the end of
 * the text). Reports titled inside parseCrashLog are not in here; they get the conservative bound.
 */
const titleReach = new WeakMap<Report, number>();

function titleTracked(
  text: TextSource,
  lineStarts: ArrayLike<number>,
  reports: readonly Report[],
  from: number,
  to: number,
  nextHeaderAfterLast?: number,
): void {
  const view = wholeLogView(text, lineStarts);
  let maxRead = -1;
  const tracked = {
    lineCount: view.lineCount,
    message: (i: number) => ((maxRead = Math.max(maxRead, i)), view.message(i)),
    caller: (i: number) => ((maxRead = Math.max(maxRead, i)), view.caller(i)),
    hasTime: (i: number) => ((maxRead = Math.max(maxRead, i)), view.hasTime(i)),
    shape: (i: number) => ((maxRead = Math.max(maxRead, i)), view.shape(i)),
  };
  for (let k = from; k < to; k++) {
    maxRead = -1;
    titleAgain(tracked, reports, k, k + 1, nextHeaderAfterLast);
    const r = reports[k];
    titleReach.set(r, maxRead >= view.lineCount - 1 ? Infinity : Math.max(0, maxRead - r.line));
    // A title is read from the document's pieces: a slice would keep a whole piece alive.
    detachStrings(r, new WeakSet());
  }
}

/** Whether the title of a report starting at `line` may have read line `changed` or later. */
function titleMayRead(report: Report, line: number, changed: number): boolean {
  const reach = titleReach.get(report) ?? TITLE_LOOKAHEAD_LINES;
  return line + reach >= changed;
}

// ------------------------------------------------------------------------------------------------
// Progressive parse

/** Lines that may leave parser state behind for the next lines (`cut here`, `CPU: ... Comm:`). */
const PENDING_STATE_LINE = /cut here|CPU: |Pid: /;
/**
 * Quiet lines before a place the parser may restart at: more than a pending `CPU:` line
 * (parse.ts DUMP_CPU_LINE_REACH) or `cut here` (MAX_WARN_TEXT_LINES + 1 before its header) reaches across.
 */
const PENDING_STATE_REACH = Math.max(DUMP_CPU_LINE_REACH, MAX_WARN_TEXT_LINES + 1) + 1;

/** A parse that advances a chunk of lines at a time. Lines before `frontier` are final. */
export class ProgressiveParse {
  reports: Report[] = [];
  findingsByReport: Finding[][] = [];
  /** Findings per code of each report, kept beside them so that a partial result costs nothing to make. */
  codeCounts: Uint32Array[] = [];
  problems: Problem[] = [];
  /** First line not parsed yet; the parser restarts here with fresh state. */
  frontier = 0;
  complete = false;
  private growth = 1;

  /** Parses about `chunkLines` more lines. */
  step(text: TextSource, lineStarts: ArrayLike<number>, chunkLines: number): void {
    if (this.complete) return;
    const total = lineStarts.length;
    const end = Math.min(total, this.frontier + Math.max(64, chunkLines) * this.growth);
    const parsed = parseLines(text, lineStarts, this.frontier, end);
    if (parsed.problems.some(isGlobalProblem)) {
      const whole = parseCrashLog(text.slice(0, text.length), { lineStarts });
      this.reports = whole.reports;
      this.findingsByReport = analyzeReports(whole.reports, 0);
      this.codeCounts = this.findingsByReport.map(countCodes);
      this.problems = whole.problems;
      this.frontier = total;
      this.complete = true;
      return;
    }
    if (end >= total) {
      this.append(text, parsed.reports, parsed.problems, lineStarts, end, total);
      this.frontier = total;
      this.complete = true;
      return;
    }
    const reports = parsed.reports;
    if (reports.length === 0) {
      // No report was open anywhere in the chunk; restart where no pending line can reach across.
      const restart = quietLineBefore(text, lineStarts, this.frontier, end);
      if (restart > this.frontier) {
        // The lines before the restart are final, and so are their problems (binary data).
        this.problems.push(...parsed.problems.filter((p) => p.line < restart));
        this.frontier = restart;
        this.growth = 1;
      } else {
        this.growth *= 2;
      }
      return;
    }
    // Every report but the last is final; the last may go on past the chunk, so it is parsed again,
    // and so is any report still open or set aside beside it (two callers printing at once).
    const prints: CallerPrints = (from, to, caller) => callerPrintsIn(text, lineStarts, from, to, caller);
    let lastIndex = reports.length - 1;
    for (let j = reports.length - 2; j >= 0 && j >= lastIndex - MAX_OVERLAP_LOOKBACK; j--) {
      if (reaches(reports[j], reports[j].endLine, reports[lastIndex].line, prints)) lastIndex = j;
    }
    const last = reports[lastIndex];
    if (last.line <= this.frontier) {
      this.growth *= 2; // one report longer than the chunk
      return;
    }
    this.append(
      text,
      reports.slice(0, lastIndex),
      parsed.problems.filter((p) => p.line < last.line),
      lineStarts,
      end,
      last.headerLine,
    );
    this.frontier = last.line;
    this.growth = 1;
  }

  /** The text changed from line `firstLine` (old numbering) on: forget what depended on those lines. */
  invalidateFrom(firstLine: number): void {
    // Reports whose title may read the changed lines are parsed again, and when the change is before
    // the frontier, so is the last report that starts before it (it may run into the change).
    let keep = firstReaching(this.reports, firstLine);
    while (keep < this.reports.length && !titleMayRead(this.reports[keep], this.reports[keep].line, firstLine)) keep++;
    if (firstLine < this.frontier) {
      keep = Math.min(keep, Math.max(0, countBefore(this.reports, firstLine) - 1));
      // Nor may a report kept be one set aside that takes lines again there (edits here are rare: any may).
      for (let j = keep - 1; j >= 0 && j >= keep - MAX_OVERLAP_LOOKBACK; j--) {
        if (keep < this.reports.length && reaches(this.reports[j], this.reports[j].endLine, this.reports[keep].line, () => true)) keep = j;
      }
    }
    if (keep >= this.reports.length || (firstLine < this.frontier && firstLine < this.reports[keep].line)) {
      // The change is before every report kept (a line typed above the first report): those lines
      // were parsed too (problems, a new header), so everything from the top again.
      if (firstLine < this.frontier) {
        this.reports.length = 0;
        this.findingsByReport.length = 0;
        this.codeCounts.length = 0;
        this.frontier = 0;
        this.problems = [];
        this.complete = false;
      }
      return;
    }
    const keepBefore = this.reports[keep].line;
    this.frontier = Math.max(0, this.reports[keep].line);
    this.reports.length = keep;
    this.findingsByReport.length = keep;
    this.codeCounts.length = keep;
    this.problems = this.problems.filter((p) => p.line < keepBefore);
    this.complete = false;
    this.growth = 1;
  }

  result(lineStarts: ArrayLike<number>): LogAnalysis {
    // Copies of the lists (not of the reports): a partial result held across an await must not see them change.
    return new LogAnalysis(lineStarts, this.reports.slice(), this.findingsByReport.slice(), this.problems.slice(), this.codeCounts.slice());
  }

  /** Adds final reports of a chunk that ended at `chunkEnd`; `nextHeader` is the header line after them. */
  private append(text: TextSource, reports: Report[], problems: Problem[], lineStarts: ArrayLike<number>, chunkEnd: number, nextHeader: number): void {
    // Reports near the chunk's end were titled without the lines after it.
    if (chunkEnd < lineStarts.length) titleTracked(text, lineStarts, reports, firstReaching(reports, chunkEnd), reports.length, nextHeader);
    const findings = analyzeReports(reports, this.reports.length);
    for (const f of findings) {
      this.findingsByReport.push(f);
      this.codeCounts.push(countCodes(f));
    }
    this.reports.push(...reports);
    this.problems.push(...problems);
  }
}

/** Number of reports whose header line is before `line` (reports are in header order). */
function countBefore(reports: readonly Report[], line: number): number {
  return firstWhere(0, reports.length, (k) => reports[k].headerLine >= line);
}

/**
 * The last line in (from, end] that the parser can restart at when no report is open: the lines
 * just before it hold nothing that leaves state behind. Returns `from` when there is none.
 */
function quietLineBefore(text: TextSource, lineStarts: ArrayLike<number>, from: number, end: number): number {
  let quiet = 0; // lines in a row, going backwards, that leave no state
  for (let line = end - 1; line >= from; line--) {
    const s = lineStarts[line];
    if (PENDING_STATE_LINE.test(text.slice(s, Math.min(lineEnd(text, lineStarts, line), s + 400)))) quiet = 0;
    else if (++quiet >= PENDING_STATE_REACH) return line + PENDING_STATE_REACH;
  }
  return from;
}

// ------------------------------------------------------------------------------------------------
// Incremental re-parse

/**
 * Re-parses what an edit touched and reuses the rest of `previous` (which stays as it is: the next
 * version shares its untouched reports and notes how far they moved). Returns null when only a full
 * parse is right.
 */
export function reparseEdited(previous: LogAnalysis, text: TextSource, lineStarts: ArrayLike<number>, edit: LineEdit): LogAnalysis | null {
  if (previous.problems.some(isGlobalProblem)) return null;
  const count = previous.reportCount;

  // Start: the last report whose header is before the edit (lines before the edit are unchanged).
  const before = previous.countHeadersBefore(edit.firstLine);
  // First report parsed again; reports of two callers printed at once overlap, and the parser
  // can restart only where no earlier report is still open or set aside. (Lines from the edit on
  // are read as if the caller printed there: the previous parse read other lines.)
  const prints: CallerPrints = (from, to, caller) => callerPrintsIn(text, lineStarts, from, to, caller);
  const first = notOverlapped(previous, Math.max(0, before - 1), (from, to, caller) => to >= edit.firstLine || prints(from, to, caller));
  const startLine = before > 0 ? Math.max(0, previous.lineOf(first)) : 0;

  // End: a later report whose header erases parser state, far enough from the edit, that no
  // earlier report (old numbering) may still take lines after.
  const oldPrints: CallerPrints = (from, to, caller) => prints(from + edit.lineDelta, to + edit.lineDelta, caller);
  const resyncAfter = (k: number) => {
    while (
      k < count &&
      (!isResyncPoint(text, lineStarts, previous.lineOf(k) + edit.lineDelta, previous.headerLineOf(k) + edit.lineDelta) || spansInto(previous, k, oldPrints))
    )
      k++;
    return k;
  };
  let next = resyncAfter(previous.countHeadersBefore(edit.oldLastLine + 2));
  let endLine: number;
  let region: { reports: Report[]; problems: Problem[] };
  for (let extensions = 0; ; extensions++) {
    if (next >= count) {
      endLine = lineStarts.length;
      region = parseLines(text, lineStarts, startLine, endLine, true);
      if (region.problems.some(isGlobalProblem)) return null;
      break;
    }
    // The region is parsed through the header it stops at, and that report's start compared with
    // the previous parse's: its first line (a `cut here` or a WARN's text before the header is
    // taken only when no other caller's report is open there) and the paste shape it inherits.
    endLine = previous.headerLineOf(next) + edit.lineDelta;
    region = parseLines(text, lineStarts, startLine, endLine + 1, true);
    if (region.problems.some(isGlobalProblem)) return null;
    const at = region.reports.findIndex((r) => r.headerLine === endLine);
    const opened = at < 0 ? null : region.reports.splice(at, 1)[0];
    region.problems = region.problems.filter((p) => p.line < endLine);
    const sameStart = opened !== null && opened.line === previous.lineOf(next) + edit.lineDelta && sameShape(opened, previous.unmovedReport(next));
    // A region report set aside (at the header or before) may take its caller's lines after it.
    const resumable = region.reports.slice(-MAX_OVERLAP_LOOKBACK).some((r) => reaches(r, r.endLine, endLine + 1, prints));
    if (sameStart && !resumable) break;
    if (extensions === MAX_REGION_EXTENSIONS) return null;
    next = resyncAfter(next + 1);
  }

  // Problems are at lines: those before the region are kept, the region's are found again, those
  // after it move with the edit.
  const keptBefore = startLine;
  const resyncHeader = next < count ? previous.headerLineOf(next) : Infinity;
  const problems = previous.problems.filter((p) => p.line < keptBefore);
  problems.push(...region.problems);
  for (const p of previous.problems) {
    if (p.line >= resyncHeader) problems.push(edit.lineDelta === 0 && edit.offsetDelta === 0 ? p : moveProblem(p, edit.lineDelta, edit.offsetDelta, true));
  }

  // Titles read past their report. Reports before the edit that may read changed lines, and region
  // reports whose reading was cut off at the region's end, are titled again against the whole text.
  let retitleFrom = first;
  const earliest = firstReachingIn(previous, edit.firstLine, first);
  for (let k = earliest; k < first; k++) {
    if (titleMayRead(previous.unmovedReport(k), previous.lineOf(k), edit.firstLine)) {
      retitleFrom = k;
      break;
    }
  }
  // Titled again on copies: the previous version keeps its reports as they are.
  const retitled: Report[] = [];
  for (let k = retitleFrom; k < first; k++) {
    const copy = previous.ownCopyOf(k);
    keepAsideReach(previous.unmovedReport(k), copy);
    retitled.push(copy);
  }
  const replaced = [...retitled, ...region.reports];
  const nextHeader = next < count ? previous.headerLineOf(next) + edit.lineDelta : lineStarts.length;
  titleTracked(text, lineStarts, replaced, 0, retitled.length, nextHeader);
  titleTracked(text, lineStarts, replaced, retitled.length + firstReaching(region.reports, endLine), replaced.length, nextHeader);

  return previous.splice(retitleFrom, next, replaced, analyzeReports(replaced, retitleFrom), problems, lineStarts, edit.lineDelta, edit.offsetDelta);
}

/** Times the region of an edit goes on to a further resync point before a whole parse is cheaper. */
const MAX_REGION_EXTENSIONS = 16;

/** Reports looked back at for one still open when a later one starts (interleaved callers). */
const MAX_OVERLAP_LOOKBACK = 16;

function sameShape(a: Report, b: Report): boolean {
  return a.pasteShape?.indent === b.pasteShape?.indent && a.pasteShape?.vendor === b.pasteShape?.vendor;
}

/** Whether a line of printk caller `caller` comes in lines [from, to]. */
type CallerPrints = (from: number, to: number, caller: string) => boolean;

/** The earliest report at or before `k` from which the parser can restart: no report before it still open at its start. */
function notOverlapped(analysis: LogAnalysis, k: number, prints: CallerPrints): number {
  let first = k;
  // Reports overlap in chains (each one open at the next one's start): look back from the earliest so far.
  for (let j = k - 1; j >= 0 && j >= first - MAX_OVERLAP_LOOKBACK; j--) {
    if (reaches(analysis.unmovedReport(j), analysis.endLineOf(j), analysis.lineOf(first), prints)) first = j;
  }
  return first;
}

/**
 * Whether a report's parse state may still matter at `line`: its own lines; the next line, for a
 * report starting right after a pasted one inherits its shape (indent, vendor prefix); and for a
 * report that ended set aside (parse.ts ASIDE_REACH), its caller's lines while it could take them again.
 * `report` is the parser's object (for ASIDE_REACH), `endLine` its last line in the version asked about.
 */
function reaches(report: Report, endLine: number, line: number, prints: CallerPrints): boolean {
  if (endLine + (report.pasteShape ? 1 : 0) >= line) return true;
  const aside = asideReachOf(report);
  return aside !== undefined && report.caller !== null && endLine + aside >= line && prints(line, endLine + aside, report.caller);
}

/** Whether a report before `k` was still open at report k's header, or left it state (so k is no place to stop). */
function spansInto(analysis: LogAnalysis, k: number, prints: CallerPrints): boolean {
  for (let j = k - 1; j >= 0 && j >= k - MAX_OVERLAP_LOOKBACK; j--) {
    if (reaches(analysis.unmovedReport(j), analysis.endLineOf(j), analysis.headerLineOf(k), prints)) return true;
  }
  return false;
}

/** First report index in [0, limit) whose title may read `line` by the conservative bound. */
function firstReachingIn(analysis: LogAnalysis, line: number, limit: number): number {
  return firstWhere(0, limit, (k) => analysis.lineOf(k) + TITLE_LOOKAHEAD_LINES >= line);
}

/**
 * Whether the parser, on reaching an unchanged report's header (new numbering), starts it the same
 * way whatever came before: a "start"-role header, and a line before it that is either no
 * `cut here` or one that cannot be taken for another task's interleaved line.
 */
function isResyncPoint(text: TextSource, lineStarts: ArrayLike<number>, reportLine: number, headerLine: number): boolean {
  if (headerLine <= 0 || headerLine >= lineStarts.length) return false;
  const match = matchReportHeader(messageAt(text, lineStarts, headerLine).message);
  if (match?.role !== 'start') return false;
  const previous = messageAt(text, lineStarts, headerLine - 1);
  if (!previous.raw.includes('cut here')) return reportLine === headerLine;
  if (previous.caller !== null) return false;
  return reportLine === headerLine - 1 || reportLine === headerLine;
}

/** Whether a line of printk caller `caller` comes in lines [from, to]. */
function callerPrintsIn(text: TextSource, lineStarts: ArrayLike<number>, from: number, to: number, caller: string): boolean {
  const last = Math.min(lineStarts.length - 1, to);
  for (let l = Math.max(0, from); l <= last; l++) if (messageAt(text, lineStarts, l).caller === caller) return true;
  return false;
}

function messageAt(text: TextSource, lineStarts: ArrayLike<number>, line: number): { raw: string; message: string; caller: string | null } {
  const raw = text.slice(lineStarts[line], lineEnd(text, lineStarts, line));
  const prefix = parseLinePrefix(raw, 0, raw.length);
  return { raw, message: raw.slice(prefix.textStart, prefix.textStart + 4096), caller: prefix.caller };
}
