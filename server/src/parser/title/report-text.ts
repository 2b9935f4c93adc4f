// The text syzkaller reads a report from: the lines of the report's own printk context (same caller
// id, or all time-stamped lines when there are no caller ids), unreliable `? ` frames dropped, cut at
// the next report for consoles without caller ids and after a trailing panic_on_warn panic.
import { QUESTIONABLE_ENTRY_SHAPE, UNKNOWN_SHAPE, type LogView } from '../title.ts';
import { IN_REPORT_HEADERS, INFO_WITH_STACK, findOopsKind } from './formats.ts';
import { STACK_STARTS, isStackStart } from './patterns.ts';

/** Lines looked at per report at most, and kept lines at most. */
export const MAX_SCANNED = 4000;
const MAX_KEPT = 1500;
/**
 * The text is read up to the parser's end of the report (and, without caller ids, no further than the
 * next report, as syzkaller does). Callers read on past it when they need to (`ensure`, `extend`: a
 * format missing its lines, a stack start too close to the end), each time looking at up to
 * DEMAND_SCANNED lines, or four per line asked for if that is more. Reading a tail for every report
 * doubled the lines titles read and changed no title in the conformance corpus.
 */
const DEMAND_SCANNED = 100;

// syzkaller also reads a time stamp behind `** N printk messages dropped ** ` and `host login: `.
const ODD_CONSOLE_PREFIX = /^(?:\*\* \d+ printk messages dropped \*\* )?(?:.* login: )?(?:<\d+>)?\[ *\d+\.\d+\](?:\[ *([CT]\d+)\])? /;

interface LineInfo {
  /** '' (no time stamp), 'console' (time stamp, no caller id) or the caller id. */
  context: string;
  text: string;
}

function lineInfo(view: LogView, i: number): LineInfo {
  return view.hasTime(i) ? { context: view.caller(i) ?? 'console', text: view.message(i) } : untimedLineInfo(view.message(i));
}

function untimedLineInfo(text: string): LineInfo {
  const c = text.charCodeAt(0);
  if (c === 42 /* * */ || c === 60 /* < */ || text.includes(' login: ')) {
    const m = ODD_CONSOLE_PREFIX.exec(text);
    if (m) return { context: m[1] ?? 'console', text: text.slice(text.indexOf('] ') + 2) };
  }
  return { context: '', text };
}

/** Any of the notes collect() looks for in a line (one pass instead of one search per note). */
const NOTES =
  /Disabling lock debugging due to kernel taint|Sending NMI from CPU|Kernel panic - not syncing|WARNING: possible circular locking dependency detected/;

/** Unreliable frames (`? foo+0x..`, powerpc `(unreliable)`); only dropped from time-stamped lines. */
function isQuestionable(text: string): boolean {
  const q = text.indexOf('?');
  return ((q > 0 && text.includes(' ? ', q - 1)) || text.endsWith(' (unreliable)')) && !text.includes('<EOI>');
}

/** A line that starts another report (or an informational message with a stack of its own). */
function isNextReport(text: string): boolean {
  // Indented lines (stack entries, continued registers) hold no headers, as in headers.ts.
  const c = text.charCodeAt(0);
  if (c === 32 || c === 9) return false;
  return INFO_WITH_STACK.test(text) || (findOopsKind(text) !== null && !IN_REPORT_HEADERS.test(text));
}

export class ReportText {
  /** Kept lines, prefixes removed. */
  readonly lines: string[] = [];
  /** The first `titleEnd` lines are what titles are read from. */
  titleEnd = 0;
  /** Per kept line: whether a stack trace starts there (`Call Trace:`, `Freed by task 1:` ...). */
  readonly stackStart: boolean[] = [];
  /** Per kind of stack start (STACK_STARTS), the first kept line it is on, or -1. */
  readonly firstStackStart: number[] = STACK_STARTS.map(() => -1);
  /**
   * Where unreliable (`? `) entries were dropped: for each run of them, how many lines were kept
   * before it (ascending). A stack whose entries are all unreliable leaves a run here and no frame.
   */
  readonly droppedEntriesAt: number[] = [];

  private next: number;
  private readonly context: string;
  private readonly hasCaller: boolean;
  private secondReport = false;
  private skipRest = false;
  private allCpus = false;
  private textLines = 0;
  private readonly minLinesBeforePanicCut: number;
  private scanned = 0;
  private done = false;
  private tailKept = 0;
  private tailScanned = 0;
  private allowedTailKept = 0;
  private allowedTailScanned = 0;

  /**
   * @param softEnd last line the parser gave this report; with caller ids, syzkaller's text goes on to
   * the end of the log, but little past this line is read unless asked for.
   */
  constructor(
    private readonly view: LogView,
    readonly startLine: number,
    private readonly softEnd: number,
  ) {
    const first = lineInfo(view, startLine);
    this.context = first.context;
    this.hasCaller = first.context !== '' && first.context !== 'console';
    // KMSAN reports are short before their panic line.
    this.minLinesBeforePanicCut = first.text.includes('BUG: KMSAN:') ? 16 : 22;
    this.next = startLine;
    this.collect();
  }

  /** Reads on until `count` lines are kept in all (or the text ends). */
  ensure(count: number): void {
    if (this.lines.length >= count || this.done) return;
    this.grant(count - this.lines.length);
    this.collect();
  }

  /** Reads up to `count` more kept lines; returns whether the text grew. */
  extend(count: number): boolean {
    const before = this.lines.length;
    this.ensure(before + count);
    return this.lines.length > before;
  }

  /** Whether the text is all there is (no more lines would be kept). */
  get complete(): boolean {
    return this.done;
  }

  private acceptsCaller(caller: string): boolean {
    return caller === this.context || (this.allCpus && caller.charCodeAt(0) === 67) /* C */;
  }

  private grant(kept: number): void {
    this.allowedTailKept = this.tailKept + kept;
    this.allowedTailScanned = this.tailScanned + Math.max(DEMAND_SCANNED, kept * 4);
  }

  private collect(): void {
    const view = this.view;
    while (!this.done) {
      if (this.next >= view.lineCount || this.skipRest || this.scanned >= MAX_SCANNED || this.lines.length >= MAX_KEPT) {
        this.done = true;
        break;
      }
      const inTail = this.next > this.softEnd || (this.secondReport && !this.hasCaller);
      if (inTail && (this.tailKept >= this.allowedTailKept || this.tailScanned >= this.allowedTailScanned)) break;
      const i = this.next++;
      this.scanned++;
      if (inTail) this.tailScanned++;
      const isStart = i === this.startLine;
      // The line's context and text (no objects: this runs for every line of every report).
      let context: string;
      let text: string;
      if (view.hasTime(i)) {
        const caller = view.caller(i);
        // Lines of other callers are never part of the text, and with caller ids they cannot end it.
        if (this.hasCaller && !isStart && (caller === null || !this.acceptsCaller(caller))) continue;
        context = caller ?? 'console';
        const shape = isStart ? UNKNOWN_SHAPE : view.shape(i);
        if (shape !== UNKNOWN_SHAPE) {
          // A stack entry or register line the parser read: it starts no report and no stack; a `? `
          // entry is dropped.
          if (context !== this.context && !((this.allCpus && context.charCodeAt(0) === 67) /* C */)) continue;
          if (shape === QUESTIONABLE_ENTRY_SHAPE) {
            this.dropEntry();
            continue;
          }
          this.textLines++;
          this.keep(this.message(i), false, inTail);
          continue;
        }
        text = this.message(i);
      } else {
        const info = untimedLineInfo(this.message(i));
        context = info.context;
        text = info.text;
      }
      // Only console text ends at the next report (with caller ids, it would not matter).
      if (!isStart && !this.secondReport && !this.hasCaller && isNextReport(text)) this.secondReport = true;
      if (!isStart) {
        if (context !== this.context && !((this.allCpus && context.charCodeAt(0) === 67) /* C */)) continue;
        if (context !== '' && isQuestionable(text)) {
          this.dropEntry();
          continue;
        }
      }
      this.textLines++;
      // (The messages tested here are never indented, stack entries always are.)
      if (text.charCodeAt(0) !== 32 && NOTES.test(text)) {
        let skip = false;
        if (text.includes('Disabling lock debugging due to kernel taint')) skip = true;
        else if (text.includes('Sending NMI from CPU')) this.allCpus = true;
        else if (
          this.textLines > this.minLinesBeforePanicCut &&
          (text.includes('Kernel panic - not syncing') || text.includes('WARNING: possible circular locking dependency detected'))
        ) {
          // panic_on_warn's panic repeats the stack; lockdep reports set off by the oops are noise.
          this.skipRest = true;
          skip = true;
        }
        if (!isStart && skip) continue;
      }
      const start = isStackStart(text);
      if (start) {
        for (let k = 0; k < STACK_STARTS.length; k++) {
          if (this.firstStackStart[k] < 0 && STACK_STARTS[k].test(text)) this.firstStackStart[k] = this.lines.length;
        }
      }
      this.keep(text, start, inTail);
    }
  }

  /** The view's message of line i. */
  private message(i: number): string {
    return this.view.message(i);
  }

  private dropEntry(): void {
    const at = this.lines.length;
    if (this.droppedEntriesAt[this.droppedEntriesAt.length - 1] !== at) this.droppedEntriesAt.push(at);
  }

  private keep(text: string, stackStart: boolean, inTail: boolean): void {
    this.stackStart.push(stackStart);
    this.lines.push(text);
    if (!this.secondReport || this.hasCaller) this.titleEnd = this.lines.length;
    if (inTail) this.tailKept++;
  }
}
