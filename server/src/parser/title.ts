// Report titles in syzkaller's style (the common names of kernel crashes), the `corrupted`
// verdict and the guilty frame.
//
// How: find the line syzkaller would start the report at (a header string anywhere in a line), gather
// the report text the way syzkaller does (title/report-text.ts), pick the title format that matches
// earliest (title/formats.ts), let its stack recipe choose the frame (title/stack.ts), then check the
// report for signs of truncation and normalise the title (title/normalize.ts).
import { parseLinePrefix } from './lines.ts';
import type { LinePrefix, PasteShape, Report, ReportKind } from './model.ts';
import { containsOopsHeader, findOopsKind, type OopsKind, type TitleFormat } from './title/formats.ts';
import { normalizeTitle, titleFrame } from './title/normalize.ts';
import { ARM_FRAME_LINE, FRAME_LINE, IP_LINE, ipFunction, RISCV_STACK_START, STACK_STARTS } from './title/patterns.ts';
import { ReportText } from './title/report-text.ts';
import { extractFrames } from './title/stack.ts';

/** Read access to the log's lines, prefixes already split off. */
export interface LogView {
  lineCount: number;
  /** Kernel text of line i (prefix removed, no line ending). */
  message(i: number): string;
  /** printk caller id of line i (`T123`, `C1`), or null. */
  caller(i: number): string | null;
  /** Whether line i carries a kernel time stamp. */
  hasTime(i: number): boolean;
  /** What the parser already knows about line i (LineShape); UNKNOWN_SHAPE when nothing. */
  shape(i: number): number;
}

/** Line shapes a LogView may report, so titles need not test such lines again. */
export const UNKNOWN_SHAPE = 0;
/** A stack entry indented with spaces, with no `?` (` [<..>] foo+0x1/0x2 [mod]`). */
export const PLAIN_ENTRY_SHAPE = 1;
/** A stack entry indented with spaces whose `?` has a space on each side (` [<..>] ? foo+0x1/0x2`). */
export const QUESTIONABLE_ENTRY_SHAPE = 2;
/** A line of nothing but register pairs (registers.ts registerPairs): no header, `?` or stack start. */
export const REGISTER_LINE_SHAPE = 3;

export interface ReportSpan {
  kind: ReportKind;
  /** First line of the report (may be a `cut here` line before the header). */
  line: number;
  headerLine: number;
  /** Last line of the report (inclusive). */
  endLine: number;
  caller: string | null;
  /** Header line of the next report, or lineCount. */
  nextHeaderLine: number;
}

export interface ReportTitle {
  title: string;
  corrupted: boolean;
  corruptedReason: string | null;
  guiltyFrame: string | null;
  /** Set to false when the header turns out to be no crash report (syzkaller would not report it). */
  crash?: boolean;
}

/** Lines read on at a time when a report's own lines do not give its title. */
const EXTEND_BY = 100;
const MAX_EXTENDS = 1;

/** How far into a report to look for the line syzkaller starts it at. */
export const MAX_START_SEARCH = 200;

/** A header printk that was cut off and is printed again whole on the next line. */
const REPLAYED = '** replaying previous printk message **';

/**
 * Titles reports[from, to) in place (title, corrupted, guilty frame, crash veto). `nextHeaderAfterLast`
 * is the header line of the report after the last one given, or the line count. Never throws.
 */
export function titleReports(view: LogView, reports: Report[] | readonly Report[], from: number, to: number, nextHeaderAfterLast: number): void {
  for (let k = Math.max(0, from); k < to && k < reports.length; k++) {
    const r = reports[k];
    const lines = r.pasteShape ? pastedView(view, r.pasteShape) : view;
    if (r.kind === 'dump-stack') {
      // No header at all (a dump_stack(), a task dump, entries outside a report): nothing for
      // syzkaller's formats to match; its first line names it.
      r.title = headerTitle(lines, r);
      continue;
    }
    const next = nextHeaderOfCaller(reports, k, nextHeaderAfterLast);
    const d = titleReport(lines, { kind: r.kind, line: r.line, headerLine: r.headerLine, endLine: r.endLine, caller: r.caller, nextHeaderLine: next });
    r.title = d.title;
    r.corrupted = d.corrupted;
    r.corruptedReason = d.corruptedReason;
    r.guiltyFrame = d.guiltyFrame;
    if (d.crash === false) r.crash = false;
  }
}

/**
 * The lines as a report pasted with an indent or a vendor prefix reads them: the line's text
 * behind the indent (its kernel prefix scanned again) and the vendor prefix. Lines without the
 * report's indent or prefix are left as they are.
 */
export function pastedView(view: LogView, shape: PasteShape): LogView {
  const vendor = shape.vendor === null ? null : new RegExp(shape.vendor, 'y');
  const read = (i: number): { message: string; prefix: LinePrefix | null } => {
    let message = view.message(i);
    let prefix: LinePrefix | null = null;
    if (shape.indent !== '' && message.startsWith(shape.indent)) {
      const rest = message.slice(shape.indent.length);
      prefix = parseLinePrefix(rest, 0, rest.length);
      message = rest.slice(prefix.textStart);
    }
    if (vendor !== null) {
      vendor.lastIndex = 0;
      if (vendor.test(message)) message = message.slice(vendor.lastIndex);
    }
    return { message, prefix };
  };
  return {
    lineCount: view.lineCount,
    message: (i) => read(i).message,
    caller: (i) => read(i).prefix?.caller ?? view.caller(i),
    hasTime: (i) => (read(i).prefix?.time ?? null) !== null || view.hasTime(i),
    shape: () => UNKNOWN_SHAPE,
  };
}

/**
 * The header line of the next report that cuts report k's text: the next one, or, where reports of
 * several printk callers interleave, the next one of the same caller (titles leave other callers'
 * lines out anyway).
 */
function nextHeaderOfCaller(reports: Report[] | readonly Report[], k: number, nextHeaderAfterLast: number): number {
  const r = reports[k];
  for (let j = k + 1; j < reports.length && j <= k + 8; j++) {
    const o = reports[j];
    if (r.caller === null || o.caller === null || o.caller === r.caller) return o.headerLine;
  }
  return k + 1 < reports.length && k + 9 < reports.length ? reports[k + 1].headerLine : nextHeaderAfterLast;
}

/** Describes one report. Never throws. */
export function titleReport(view: LogView, span: ReportSpan): ReportTitle {
  try {
    return describe(view, span);
  } catch (err) {
    return { title: headerTitle(view, span), corrupted: true, corruptedReason: `title extraction failed: ${String(err)}`, guiltyFrame: null };
  }
}

function headerTitle(view: LogView, span: { headerLine: number }): string {
  return view.message(span.headerLine).trim().slice(0, 120);
}

function describe(view: LogView, span: ReportSpan): ReportTitle {
  const start = findStart(view, span);
  if (!start) {
    // No header syzkaller knows. A die header of its own (a powerpc `Oops: Kernel access of bad
    // area`), a hard lockup or a panic is still a crash for the reader; an NMI backtrace, a plain
    // dump_stack() or a suppressed header is not.
    // So is a header of a form syzkaller has no header for at all (MIPS `Kernel bug detected[#1]`).
    const crash =
      span.kind === 'oops' ||
      span.kind === 'hard-lockup' ||
      span.kind === 'panic' ||
      span.kind === 'warning' ||
      span.kind === 'allocation-failure' ||
      span.kind === 'kmemleak' ||
      (span.kind === 'bug' && !containsOopsHeader(view.message(span.headerLine)));
    return { title: headerTitle(view, span), corrupted: false, corruptedReason: null, guiltyFrame: null, crash };
  }
  const text = new ReportText(view, start.line, Math.max(span.endLine, start.line));
  let found = extractTitle(text, start.kind);
  // Only the report's own lines (and a few more) were read; where they did not do, read on.
  for (let round = 0; round < MAX_EXTENDS && found.wantsMore && text.extend(EXTEND_BY); round++) found = extractTitle(text, start.kind);
  const reason = found.corrupted ?? checkCorrupted(found.title, text, found.format);
  const title = normalizeTitle(found.title);
  // Where the title blames no frame, the function the RIP line (or the header) names is still the
  // best guess the report offers.
  const frame = titleFrame(title);
  const guiltyFrame = frame === CORRUPTED_FRAME && found.named !== null ? found.named : frame;
  return { title, corrupted: reason !== null, corruptedReason: reason, guiltyFrame };
}

/** What a title says in place of the frame when it found none. */
const CORRUPTED_FRAME = 'corrupted';

function findStart(view: LogView, span: ReportSpan): { line: number; kind: OopsKind } | null {
  const first = Math.max(0, span.line);
  const last = Math.min(span.endLine, first + MAX_START_SEARCH, view.lineCount - 1);
  for (let i = first; i <= last; i++) {
    const kind = findOopsKind(view.message(i));
    if (!kind) continue;
    if (i + 1 < view.lineCount && view.message(i + 1).startsWith(REPLAYED)) continue;
    return { line: i, kind };
  }
  return null;
}

interface FoundTitle {
  title: string;
  /** Why the report is corrupted, as far as title extraction can tell; null when it is not. */
  corrupted: string | null;
  /** The format that made the title, or null when none matched (the raw header line is the title). */
  format: TitleFormat | null;
  /** Whether more text might have given a better title (a stack or a line the format needs was missing). */
  wantsMore: boolean;
  /** The function the format's recipe read off a line of its own (the RIP line, the header), or null. */
  named: string | null;
}

interface Candidate {
  format: TitleFormat;
  match: RegExpExecArray;
}

function extractTitle(text: ReportText, kind: OopsKind): FoundTitle {
  const lines = text.lines;
  const end = text.titleEnd;
  // The earliest match wins, so look line by line and stop at the first line any format matches.
  let candidates: Candidate[] = [];
  let lineIndex = 0;
  for (; lineIndex < end && candidates.length === 0; lineIndex++) {
    const line = lines[lineIndex];
    let twoLines: string | null = null;
    for (const format of kind.formats) {
      if (!format.twoLineTitle && format.titlePrefix !== '' && !line.includes(format.titlePrefix)) continue;
      const m = format.twoLineTitle
        ? format.title.exec((twoLines ??= lineIndex + 1 < end ? line + '\n' + lines[lineIndex + 1] : line))
        : format.title.exec(line);
      if (m && m.index <= line.length) candidates.push({ format, match: m });
    }
  }
  lineIndex--;
  let joined: string | null = null;
  const joinedText = () => (joined ??= lines.slice(0, end).join('\n') + '\n');
  if (candidates.length > 0) {
    const column = Math.min(...candidates.map((c) => c.match.index));
    candidates = candidates.filter((c) => c.match.index === column);
    for (const { format, match } of candidates) {
      let groups: string[];
      let fromLine = lineIndex;
      let fromColumn = column;
      if (format.report) {
        const whole = joinedText();
        const rm = format.report.exec(whole);
        if (!rm) continue;
        groups = rm.slice(1).map((g) => g ?? '');
        [fromLine, fromColumn] = positionOf(lines, rm.index);
      } else {
        groups = match.slice(1).map((g) => g ?? '');
      }
      let corrupted: string | null = null;
      let named: string | null = null;
      if (format.stack) {
        const result = extractFrames({ lines, from: fromLine, column: fromColumn, end, stackStart: text.stackStart }, format.stack);
        if (!result.ok) corrupted = NO_USABLE_FRAME;
        for (const f of result.frames) groups.push(f.name);
        named = result.named;
      }
      const wantsMore = corrupted !== null;
      if (!corrupted && format.corrupted) corrupted = 'only the start of the report is there (its header or body was lost)';
      return { title: applyFormat(format.fmt, groups), corrupted, format, wantsMore, named };
    }
  }
  // No format (or no report regexp) matched: the title is the header line itself.
  const whole = joinedText();
  const at = whole.indexOf(kind.header);
  const eol = at < 0 ? -1 : whole.indexOf('\n', at);
  const raw = at < 0 ? lines[0] : whole.slice(at, eol);
  const missing = candidates.length > 0;
  return { title: raw, corrupted: missing ? 'the report does not have the lines its header promises' : null, format: null, wantsMore: missing, named: null };
}

/** Line and column of an offset into the lines joined with `\n`. */
function positionOf(lines: readonly string[], offset: number): [number, number] {
  let pos = 0;
  for (let i = 0; i < lines.length; i++) {
    const next = pos + lines[i].length + 1;
    if (offset < next) return [i, offset - pos];
    pos = next;
  }
  return [lines.length - 1, 0];
}

/** `{1}`, `{2}`, ... are replaced by the groups and frames, in order. */
function applyFormat(template: string, args: readonly string[]): string {
  return template.replace(/\{(\d+)\}/g, (_, n: string) => args[Number(n) - 1] ?? '%!v(BADINDEX)');
}

// A time stamp inside a title means two lines were merged.
const TIME_IN_TITLE = /\[ *[0-9]+\.[0-9]+\]/;
/** Lines after a stack start within which a frame must appear. */
const FRAME_WINDOW = 15;
/** More lines to read when a report seems to have no stack at all. */
const EXTRA_FOR_STACK = 100;

/** syzkaller's checks for a truncated or mixed-up report; returns the reason, or null. */
function checkCorrupted(title: string, text: ReportText, format: TitleFormat | null): string | null {
  if (TIME_IN_TITLE.test(title)) return 'the title has a time stamp in it: two lines were merged';
  if (!format || format.noStackTrace) return null;
  const verdict = checkStacks(text);
  // A stack may still come (syzkaller reads on to the next report, or to the end of the log).
  if (verdict === NO_STACK && !text.complete && text.extend(EXTRA_FOR_STACK)) return checkStacks(text);
  return verdict;
}

/** Reasons for `corrupted` that are about syzkaller's reading of the stacks (see analyze.ts). */
export const NO_STACK = 'the report has no stack trace';
export const NO_USABLE_FRAME = 'no usable stack frame was found';
export const STACK_WITHOUT_FRAMES = 'a stack trace has no frames';

/** Every kind of stack start must be followed by frames; at least one stack must be there. */
function checkStacks(text: ReportText): string | null {
  let hasStack = false;
  const firstAt = text.firstStackStart;
  for (let k = 0; k < STACK_STARTS.length; k++) {
    const key = STACK_STARTS[k];
    const at = firstAt[k];
    if (at < 0) continue;
    text.ensure(at + FRAME_WINDOW + 3);
    const lines = text.lines;
    if (lines.length - at < 3) return 'the call trace is cut off';
    let framesFound = false;
    let windowEnd = at + 1;
    for (; windowEnd <= at + FRAME_WINDOW && windowEnd < lines.length; windowEnd++) {
      const line = lines[windowEnd];
      if (text.stackStart[windowEnd]) break;
      if (line.includes('(stack is not available)') || FRAME_LINE.test(line) || ARM_FRAME_LINE.test(line)) {
        framesFound = true;
        break;
      }
    }
    if (framesFound || onlyUnreliableEntries(text, at, windowEnd)) hasStack = true;
    else if (key !== RISCV_STACK_START) return STACK_WITHOUT_FRAMES;
  }
  return hasStack ? null : NO_STACK;
}

/** An unreliable entry as a line without a time stamp keeps it (` [<ffffffff8100b3c4>] ? foo+0x44/0x90`). */
const UNRELIABLE_ENTRY = /^\s*(?:\[<?(?:0x)?[0-9a-f]+>?\]\s*){0,2}\? +[A-Za-z_][\w.]*\+0x/;

/**
 * Whether the stack starting at kept line `at` (its window ending before `windowEnd`) is all `? `
 * entries, in a report whose register block names the function it stopped in before it. Such a
 * stack is there, only unreliable (no frame pointers, an old unwinder): syzkaller, which cannot see
 * `? ` entries, calls the report corrupted; with the IP to go by, it is not.
 */
function onlyUnreliableEntries(text: ReportText, at: number, windowEnd: number): boolean {
  const lines = text.lines;
  let entries = text.droppedEntriesAt.some((n) => n > at && n <= windowEnd);
  for (let i = at + 1; !entries && i < windowEnd; i++) entries = UNRELIABLE_ENTRY.test(lines[i]);
  if (!entries) return false;
  for (let i = 0; i < at; i++) {
    const m = IP_LINE.exec(lines[i]);
    if (m && ipFunction(m) !== undefined) return true;
  }
  return false;
}
