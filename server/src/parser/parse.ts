// The crash-log parser: a pure, total function from text to reports -> register blocks -> stacks ->
// frames, with offsets. It never throws; what it cannot make sense of becomes a Problem.
import { isPlainWarningText, matchReportHeader, type HeaderForm, type HeaderMatch } from './headers.ts';
import {
  blanksAt,
  callerName,
  computeLineStarts,
  firstNonSpace,
  isRegExpSpace,
  joinWrapped,
  lineEnd,
  lineOfOffset,
  mayContinueOnto,
  newPrefixScan,
  readWrapped,
  scanLinePrefix,
  vendorPrefixPattern,
  WRAP_LOOKAHEAD,
  WRAP_LOOKBEHIND,
  MAX_WRAPPED_PARTS,
  wrappedLineEnd,
  type PrefixScan,
} from './lines.ts';
import { fastFrameIn, parseFrameLine, parseMarkerLine, parseSymbolAt, type ArmCaller, type MarkerToken } from './frames.ts';
import type { Arch, ContextMarker, StackEntry, ParsedLog, Problem, RegisterBlock, Report, ReportKind, Stack } from './model.ts';
import { isRawStackWords, questionMarkOf, STACK_KINDS } from './model.ts';
import { literalLead, mayMatchLead } from './literalLead.ts';
import { continuedRegisterRow, countRegisters, isCodeLine, isRegisterLine, parseIpLine, registerPairs, trappingOffset } from './registers.ts';
import { titleReports, PLAIN_ENTRY_SHAPE, QUESTIONABLE_ENTRY_SHAPE, REGISTER_LINE_SHAPE, type LogView } from './title.ts';

export interface ParseOptions {
  /** Precomputed line starts of `text` (the server keeps them incrementally). */
  lineStarts?: ArrayLike<number>;
  /** Parse only lines [startLine, endLine) (for re-parsing the region an edit touched). */
  startLine?: number;
  endLine?: number;
}

/** Lines longer than this are kept but only their first part is examined. */
const MAX_EXAMINED = 4096;
/** Stack contexts kept open at once (`<TASK>` < `<IRQ>` < `<NMI>` < `<#DF>` is as deep as it gets). */
const MAX_CONTEXT_DEPTH = 8;
/** A report ends after this many lines in a row that do not look like part of it. */
const MAX_FOREIGN_RUN = 12;
/** Reports of other printk callers kept open at once while interleaved (more CPUs rarely crash together). */
const MAX_WAITING_CALLERS = 8;
/** A report set aside for another caller's takes its caller's lines for this many lines, then is over. */
export const MAX_ASIDE_LINES = 256;
/**
 * For a report that was set aside for another caller's: lines after its last line through which it
 * was still open or could have taken its caller's lines again (a parse that restarts inside them
 * starts without it). Beside the model (most reports have none), keyed by the report object the
 * parse made: relative to `endLine`, so it holds wherever the report moves, and a copy of a report
 * (the language service moves copies) takes it along with keepAsideReach. Set once, when the report
 * is finished; a parse never sees another's entries.
 */
const ASIDE_REACH = new WeakMap<Report, number>();

/** See ASIDE_REACH: undefined for a report never set aside. */
export function asideReachOf(report: Report): number | undefined {
  return ASIDE_REACH.get(report);
}

/** A copy of a report made after the parse takes the original's ASIDE_REACH along. */
export function keepAsideReach(original: Report, copy: Report): void {
  const reach = ASIDE_REACH.get(original);
  if (reach !== undefined) ASIDE_REACH.set(copy, reach);
}

/** One form of stack header: the literal words it starts with (after blanks) and its regexp, whose one group is the stack's kind. */
export interface StackHeaderForm {
  starts: string[];
  re: RegExp;
}
// `\b[^:]*:?` after a sanitizer's origin header takes what it prints before the colon (`Allocated by task 12 on cpu 1 at 3.4s:`).
const ORIGIN_TAIL = String.raw`\b[^:]*:?`;
/** Every stack header form, in the order they are tried. Exported for the test of the derived pre-test. */
export const STACK_HEADER_FORMS: StackHeaderForm[] = [
  // `Call Trace:` (x86, powerpc, riscv, s390), `Call trace:` (arm64), `Backtrace:` (arm ≤4.x), arm's
  // `Exception stack(0x.. to 0x..)`, RCU's `Task dump for CPU 1:`.
  {
    starts: ['Call Trace', 'Call trace', 'Backtrace', 'Exception stack', 'Task dump for CPU '],
    re: /(Call [Tt]race|Backtrace|Exception stack|Task dump for CPU \d+)\b:?/,
  },
  // KASAN/KFENCE/SLUB allocation and free stacks: `Allocated by task 12:`, `freed by task 3 on cpu 1 at 12.3s:`, old `Allocated:`.
  {
    starts: ['Allocated', 'Freed', 'allocated', 'freed'],
    re: new RegExp(String.raw`((?:Allocated|Freed|allocated|freed) by task \d+|Allocated|Freed)` + ORIGIN_TAIL),
  },
  // KASAN's auxiliary stacks: `Last potentially related work creation:`, `Second to last call_rcu():`.
  {
    starts: ['Last potentially related work creation', 'Second to last potentially related work creation', 'Last call_rcu()', 'Second to last call_rcu()'],
    // (no `\b` after `call_rcu()`: between `)` and `:` there is no word boundary)
    re: /((?:Last|Second to last) potentially related work creation\b|(?:Last|Second to last) call_rcu\(\))[^:]*:?/,
  },
  // KMSAN origins: `Uninit was created at:`, `Uninit was stored to memory at:`, `Local variable x created at:`, `Memory was freed at:`.
  {
    starts: ['Uninit was created at', 'Uninit was stored to memory at', 'Local variable ', 'Memory was freed at', 'Memory was allocated at'],
    re: new RegExp(
      String.raw`(Uninit was (?:created|stored to memory) at|Local variable .{1,80} created at|Memory was freed at|Memory was allocated at)` + ORIGIN_TAIL,
    ),
  },
  // SLUB debug: `INFO: Allocated in foo+0x1/0x2 age=1 cpu=0 pid=1`.
  { starts: ['INFO: Allocated in', 'INFO: Freed in'], re: new RegExp(String.raw`(INFO: (?:Allocated|Freed) in)` + ORIGIN_TAIL) },
  // lockdep's dependency chain: `-> #1 (&mm->mmap_lock){++++}-{3:3}:`.
  { starts: ['-> #'], re: /(-> #\d+) .*:$/ },
  // KCSAN: `read to 0xffff8880 of 8 bytes by task 1 on cpu 0:`, `write (marked) of 4 bytes by interrupt on cpu 1:`.
  {
    starts: ['read', 'write', 'assert no '],
    re: /((?:read|write|read-write|assert no \w+)(?: \(marked\))?(?: to 0x[0-9a-f]+)? of \d+ bytes by (?:task \d+|interrupt) on cpu \d+):$/,
  },
  // KFENCE: `out-of-bounds read at 0xffff (in kfence-#12):`, `kfence-#12: 0x...-0x..., size=32, cache=kmalloc-32` then the allocation stack.
  {
    starts: [
      'out-of-bounds read',
      'out-of-bounds write',
      'use-after-free read',
      'use-after-free write',
      'invalid read',
      'invalid write',
      'invalid free',
      'kfence-#',
    ],
    re: /((?:out-of-bounds|use-after-free|invalid) (?:read|write|free)[^:]*|kfence-#\d+[^:]*):$/,
  },
  // kmemleak: `  backtrace:`, `  backtrace (crc 3f1b2a4c):` (lockdep's `stack backtrace:` is no such header).
  { starts: ['backtrace'], re: /(backtrace)(?: \(crc [0-9a-fA-F]+\))?:\s*$/ },
];
/** All forms in one regexp (a line is tested once); the kind is the first group that took part. */
export const STACK_HEADER = new RegExp(String.raw`^\s*(?:` + STACK_HEADER_FORMS.map((f) => f.re.source).join('|') + ')');
const CALL_TRACE_LINE = /^\s*Call [Tt]race\b/;
/** The words a STACK_HEADER line can start with (after blanks), by their first character. */
const STACK_HEADER_BY_FIRST = new Map<number, string[]>();
for (const form of STACK_HEADER_FORMS) {
  for (const w of form.starts) {
    const list = STACK_HEADER_BY_FIRST.get(w.charCodeAt(0)) ?? [];
    if (!list.some((x) => w.startsWith(x))) list.push(w);
    STACK_HEADER_BY_FIRST.set(w.charCodeAt(0), list);
  }
}

/** Whether the text at `at` starts with a word STACK_HEADER can match (a cheap test first). */
export function mayBeStackHeader(message: string, at: number): boolean {
  const words = STACK_HEADER_BY_FIRST.get(message.charCodeAt(at));
  if (words === undefined) return false;
  for (const w of words) if (message.startsWith(w, at)) return true;
  return false;
}
/**
 * `Not tainted`, or `Tainted: ` and the taint columns (group 1): a letter per flag set, a space per
 * flag unset; RHEL kernels add columns of their own that print `-` when unset
 * (`Tainted: G  --L------------ T`). The columns end before the release, which starts with a digit.
 * A mailer may squeeze the blanks.
 */
const TAINT = String.raw`(?:Not +tainted|Tainted: ([A-Z -]*))`;
const CPU_LINE = new RegExp(String.raw`^CPU: (\d+) (?:UID: \d+ )?PID: (\d+) Comm: (.*?) +(?:Kdump: loaded +)?${TAINT}(?: *(\d[^\s#]*))?`);
const OLD_PID_LINE = new RegExp(String.raw`^Pid: (\d+), comm: (.*?) ${TAINT} *\(?(\S+?)\)?(?: |$)`);
// What these lines start with, for the lines outside any report (most lines of a console log).
// The same line with its taint and release cut off, as a paste may trim it (only read inside a report).
const CPU_LINE_TRIMMED = /^CPU: (\d+) (?:UID: \d+ )?PID: (\d+) Comm: (\S+) *$/;
const CPU_LINE_LEAD = literalLead(CPU_LINE);
const OLD_PID_LINE_LEAD = literalLead(OLD_PID_LINE);
const CALL_TRACE_LINE_LEAD = literalLead(CALL_TRACE_LINE);
/** The expressions pre-tested by their literal leads (for test/unit/literalLead.test.ts). */
export const LEAD_PRETESTED = [CPU_LINE, OLD_PID_LINE, CALL_TRACE_LINE];
/** `      Not tainted 6.1.0 #1` under a hung-task header (a syslog may squeeze the indentation away). */
const TAINT_LINE = new RegExp(String.raw`^\s*${TAINT} *(\d\S*)`);
const IDENT_TAINT = new RegExp(String.raw`^(\d+\.\d+\S*) #\d+ ${TAINT}`);
const EIP_TAINT = new RegExp(String.raw`\]\s+${TAINT}`);
const VERBOSE_TAINT = /^Tainted: ((?:\[[A-Z]\]=\w+(?:, )?)+)/;
const MODULES = /^Modules linked in:(.*)$/;
const MODULE_CONT = /^\s+[\w-]+(?:\([A-Z+-]+\))?(?:\s+[\w-]+(?:\([A-Z+-]+\))?)*(?:\s+\[last unloaded: [^\]]*\])?\s*$/;
const HARDWARE = /^Hardware name: (.*)$/;
// sched_show_task() (5.9+): `task:kworker/u4:6    state:D stack:0 pid:5166  ppid:2 ...`.
const TASK_LINE = /^task:(.{1,15}?) +state:\S.*? pid: *(\d+)/;
const CUT_HERE = /^-+\[ cut here \]-+/;
// The disassembly decode_stacktrace.sh and decodecode print under a `Code:` line: `All code`,
// a rule of `=`, `   0:\t48 8b 40 58 \tmov ...`, `  2a:*\t0f 0b \tud2 <-- trapping instruction`.
const DECODED_CODE = /^\s*(?:All code$|Code starting with the faulting instruction|[0-9a-f]+:\*?\t)/;
const TIME_IN_TEXT = /\[ *\d+\.\d+\]/;
const WARNING_HEADER = /^WARNING: CPU: (\d+) PID: (\d+) /;
/**
 * Messages a BUG()/WARN() site prints just before its `cut here` (or its header, when there is none),
 * with the same printk caller: the report starts there. Only texts known to be printed so.
 */
const PRE_HEADER =
  /^(?:list_(?:add|del) corruption[.,]|list_add double add: |(?:skbuff: )?skb_(?:under|over)_panic: |usercopy: Kernel memory (?:exposure|overwrite) attempt detected )/;
/**
 * Messages printed just before a dump_stack() (its `CPU:` line or trace) by the same caller: arm's
 * __div0(), slab_error(), sysfs_warn_dup(), __report_bad_irq(), ASSERT_RTNL() (≤4.x), an unchecked MSR access.
 */
const DUMP_MESSAGE =
  /^(?:Division by zero in kernel\.|slab error in |sysfs: cannot create duplicate filename |irq \d+: nobody cared |RTNL: assertion failed at |unchecked MSR access error: )/;
/** Lines a WARN() may print between `cut here` and its `WARNING:` line (the WARN's own message, 4.x+). */
export const MAX_WARN_TEXT_LINES = 3;
/** Lines a `CPU: ... Comm:` line may stand before the `Call Trace:` (or entry) of the dump_stack() it opens. */
export const DUMP_CPU_LINE_REACH = 8;
// The raw stack words old kernels printed before the trace (x86 `Stack:` ≤4.9, arm `Stack: (0x.. to 0x..)`).
// mips and loongarch print `Stack : 80123456 ...` with the first words on the header line; arm and
// arm64 dump the words an exception saved as `Exception stack(0x.. to 0x..)`.
const RAW_STACK_HEADER = /^\s*(?:Stack ?:|Exception stack(?=\())(?:\s*\(0x[0-9a-f]+ to 0x[0-9a-f]+\))?/;
const RAW_STACK_WORDS = /^\s*(?:<\d>\s*)?(?:[0-9a-f]{4}:)?(?:\s+(?:[0-9a-f]{8}|[0-9a-f]{16}|\s{8})\.?)+\s*$/;
const END_TRACE = /^-+\[ end (?:trace|Kernel panic)/;
// Lines that belong to a report without being stacks or registers.
const BODY =
  /^\s*(?:Workqueue:|PGD |P4D |#PF|CR2: |Kernel Offset|Rebooting in|Dumping ftrace|irq event stamp|[hs][ao][rf]t?\w*irqs last|Mem abort info|Data abort info|ESR = |EC = |SET = |EA = |FSC = |ISV = |CM = |GCS = |user pgtable|swapper pgtable|\[[0-9a-f]+\] pgd=|Memory state around|The buggy address|page:|flags:|raw:|head:|page dumped|page_owner|page last|pfn:|memcg:|anon flags|Read of size|Write of size|Free of addr|Read at addr|Write at addr|which belongs to|\d+-byte region|[=*-]{10,}|Disabling lock debugging|other info that might|Possible unsafe|Chain exists|CPU0|CPU1|----|lock\(|\*\*\* DEADLOCK|\d+ locks? held by|#\d+: |no locks held|but task is already holding|the existing dependency chain|which lock already depends|is trying to acquire|Showing all locks|Sending NMI|NMI backtrace|rcu:|\(t=\d+|\(detected by|task:|"echo 0|INFO: lockdep is turned off|SMP: stopping|CPU features|Memory Limit|PHYS_OFFSET|Fixing recursive|kasan:|KASAN:|Unable to access|invalid opcode|Stack:|Stopper:|Sched_ext:|stack depot|value changed:|Reported by Kernel|Uninit was|Bytes \d+-\d+|Memory access of size|CPU: \d+ PID: \d+ at|Process |last sysfs file|task: [0-9a-f]+|ti: |RSP <| {2}\(ftrace buffer empty\)|<?[0-9a-f]{8,16}>?(?: <?[0-9a-f]{8,16}>?){1,7}\s*$|(?:<?[0-9a-f]{2}>? ){6,}|[0-9a-f]{4}:(?: (?:[0-9a-f]{8}|\s{8}))+\s*$|Exception stack\(|Last Breaking|Krnl Code|[#>]?[0-9a-f]{12,16}: |[ >][0-9a-f]{8,16}: (?:[0-9a-f]{2}|fc|fa|fb|fd|f[0-9a-f])|\s*\^|index \d+ is out of range|shift exponent|signed integer|load of value|[a-z_]+\+0x[0-9a-f]+\/0x[0-9a-f]+|\S+ is trying|Preemption disabled at|stack backtrace:|Call Trace|Code:|Hardware name|Modules linked in|CPU: |\s*$)/;

/**
 * Each line's prefix scan, kept for the parsed range so title extraction reads lines without
 * scanning their prefixes again. Lines outside the range are scanned on demand.
 */
class PrefixTable {
  private readonly textStarts: Uint32Array;
  private readonly callers: Int32Array;
  private readonly flags: Uint8Array; // bit 0: scanned, bit 1: has a time stamp, bits 2-3: LineShape
  private readonly scratch = newPrefixScan();

  constructor(
    private readonly text: string,
    private readonly lineStarts: ArrayLike<number>,
    private readonly first: number,
    last: number,
  ) {
    const n = Math.max(0, last - first);
    this.textStarts = new Uint32Array(n);
    this.callers = new Int32Array(n);
    this.flags = new Uint8Array(n);
  }

  record(line: number, scan: PrefixScan): void {
    const k = line - this.first;
    if (k < 0 || k >= this.flags.length) return;
    this.textStarts[k] = scan.textStart;
    this.callers[k] = scan.callerCode;
    this.flags[k] = 1 | (scan.timeStart >= 0 ? 2 : 0);
  }

  private ensure(line: number): number {
    const k = line - this.first;
    if (k >= 0 && k < this.flags.length) {
      if (this.flags[k] === 0) this.record(line, scanLinePrefix(this.text, this.lineStarts[line], lineEnd(this.text, this.lineStarts, line), this.scratch));
      return k;
    }
    scanLinePrefix(this.text, this.lineStarts[line], lineEnd(this.text, this.lineStarts, line), this.scratch);
    return -1;
  }

  /** Notes a line's LineShape (title.ts), after record(). */
  setShape(line: number, shape: number): void {
    const k = line - this.first;
    if (k >= 0 && k < this.flags.length) this.flags[k] |= shape << 2;
  }

  shape(line: number): number {
    const k = line - this.first;
    return k >= 0 && k < this.flags.length ? this.flags[k] >> 2 : 0;
  }

  message(line: number): string {
    const k = this.ensure(line);
    const from = k >= 0 ? this.textStarts[k] : this.scratch.textStart;
    const end = lineEnd(this.text, this.lineStarts, line);
    // A line a mailer wrapped is read with its rest (most lines' next line cannot be one).
    if (line + 1 >= this.lineStarts.length || !mayContinueOnto(this.text, this.lineStarts[line + 1])) return plainIndent(this.text.slice(from, end));
    const wrapped = wrappedLineEnd(this.text, this.lineStarts, line, this.lineStarts.length);
    return plainIndent(wrapped === end ? this.text.slice(from, end) : readWrapped(this.text.slice(from, wrapped)));
  }

  caller(line: number): string | null {
    const k = this.ensure(line);
    return callerName(k >= 0 ? this.callers[k] : this.scratch.callerCode);
  }

  hasTime(line: number): boolean {
    const k = this.ensure(line);
    return k >= 0 ? (this.flags[k] & 2) !== 0 : this.scratch.timeStart >= 0;
  }
}

const NO_MARKERS: MarkerToken[] = [];

/** Which part of a report a line belongs to. */
interface OpenReport {
  report: Report;
  /** The report's printk caller, as a caller code (see PrefixScan). */
  callerCode: number;
  stack: Stack | null;
  regs: RegisterBlock | null;
  /** Open stack contexts, innermost last. */
  contexts: { name: string; line: number; start: number }[];
  lastOwned: number;
  foreignRun: number;
  /** Lines of the report's stretch passed over so far (blank, or not the report's: another prefix, program or caller). */
  passedOver: number;
  /** passedOver when the open register block last grew. */
  passedAtRegs: number;
  /** What stands before each line's kernel prefix in this paste (a common indent), or ''. */
  indent: string;
  /** A prefix the report's lines repeat after the kernel prefix (`[1234:kworker/u8]`), or null. */
  vendor: RegExp | null;
  /** Whether the report's header carries a time stamp: its lines without one are someone else's. */
  timed: boolean;
  /** The line at which the report was set aside for another caller's report, or -1. */
  asideAt: number;
  /** Whether it took lines again after being set aside (its lines and another report's interleave). */
  resumed: boolean;
  endTraceSeen: boolean;
  /** After `Sending NMI from CPU`, lines from every CPU context belong to the report. */
  allCpus: boolean;
  modulesOpen: boolean;
  interleaved: number;
  /** A line that belongs to the report but is no entry (s390 `Last Breaking-Event-Address:` value). */
  skipNext: number;
  /** The header form the report was opened with (its body and end lines). */
  form: HeaderForm | null;
  /** The caller the last 32-bit ARM entry named (`from g+0x10/0x20`): the next entry's offset. */
  armCaller: ArmCaller | null;
}

/** Parses a whole log (or the lines [startLine, endLine) of it). Never throws. */
export function parseCrashLog(text: string, options: ParseOptions = {}): ParsedLog {
  const lineStarts = options.lineStarts ?? computeLineStarts(text);
  const problems: Problem[] = [];
  const reports: Report[] = [];
  try {
    parseInto(text, lineStarts, options.startLine ?? 0, Math.min(options.endLine ?? lineStarts.length, lineStarts.length), reports, problems);
  } catch (err) {
    // The parser is total: an internal error costs the rest of the log, never the editor.
    problems.push({ line: 0, start: 0, end: 0, code: 'internal-error', message: `internal parser error: ${String(err)}` });
  }
  // In line order (a report's problems are found when it ends, a binary line's at once), so that a
  // parse of pieces lists them as a whole parse does. Array sort is stable.
  problems.sort((a, b) => a.line - b.line);
  return { lineStarts, reports, problems };
}

function parseInto(text: string, lineStarts: ArrayLike<number>, first: number, last: number, reports: Report[], problems: Problem[]): void {
  let open: OpenReport | null = null;
  let pendingCut = -1; // a `cut here` line waiting for the header it announces
  let pendingDump: { line: number; caller: number; message: string } | null = null; // a `CPU:` line that may open a dump_stack()
  let lastEnd = first - 1; // the last line of the last report finished
  // One forward scan of the whole text instead of two per line: most logs hold no binary data at
  // all, and those that do (syzbot's) hold it on few lines, whose neighbours keep the fast paths.
  const binary = new BinaryScan(text);
  const mayHoldBinary = binary.any();
  const prefixes = new PrefixTable(text, lineStarts, first, last);
  const pfx = newPrefixScan();

  // Reports of other printk callers still open while one prints (two CPUs crashing at once): each
  // caller's lines go to its own report. Keyed by caller code; a few at most.
  const waiting = new Map<number, OpenReport>();
  let routed = false;
  /** Finishes a report set aside; it could have taken its caller's lines up to line `until` at most. */
  const finishAside = (o: OpenReport, until: number) => {
    const wasOpen = open;
    open = o;
    finish(Math.min(until, o.asideAt + MAX_ASIDE_LINES));
    open = wasOpen;
  };
  const finishWaiting = () => {
    for (const o of waiting.values()) finishAside(o, Infinity);
    waiting.clear();
  };
  /** Sets the open report aside for its caller's later lines. */
  const setAside = (line: number) => {
    if (!open) return;
    open.asideAt = line;
    // An earlier report of the same caller still set aside (this one opened when no report was
    // open, so none of its lines went to it) is over: finished, not lost.
    const same = waiting.get(open.callerCode);
    if (same !== undefined) {
      waiting.delete(open.callerCode);
      finishAside(same, line);
    } else if (waiting.size >= MAX_WAITING_CALLERS) {
      const [oldest] = waiting.values();
      waiting.delete(oldest.callerCode);
      finishAside(oldest, line);
    }
    waiting.set(open.callerCode, open);
    open = null;
  };
  let current = first; // the line being parsed
  /** Finishes the open report; its state lasted through line `until`. */
  const finish = (until = current) => {
    if (!open) return;
    const o = open;
    open = null;
    closeStack(o);
    const r = o.report;
    r.endLine = Math.max(o.lastOwned, r.headerLine);
    if (o.asideAt >= 0) ASIDE_REACH.set(r, Math.max(0, until - r.endLine));
    lastEnd = Math.max(lastEnd, r.endLine);
    r.end = lineEnd(text, lineStarts, r.endLine);
    if (r.kind === 'dump-stack' && r.stacks.length === 0) return;
    if (o.resumed) {
      problems.push({
        line: r.headerLine,
        start: lineStarts[r.headerLine],
        end: lineEnd(text, lineStarts, r.headerLine),
        code: 'interleaved-reports',
        message: "another printk caller's report was printed into this one; each line was given to its caller's report",
      });
    }
    if (o.interleaved > 0) {
      problems.push({
        line: r.headerLine,
        start: lineStarts[r.headerLine],
        end: lineEnd(text, lineStarts, r.headerLine),
        code: 'interleaved-line',
        message: `${o.interleaved} line(s) from other printk callers inside this report were left out of it`,
      });
    }
    finalizeFacts(r);
    compactReport(r);
    reports.push(r);
  };

  // The rest of a line that a mailer wrapped onto the next one, read with it. A parse that starts
  // inside such a line's rest (a re-parse after an edit) leaves that rest to the line before, as a
  // parse of the whole text does.
  let wrappedThrough = wrappedThroughBefore(text, lineStarts, first);
  for (let line = first; line < last; line++) {
    current = line;
    const start = lineStarts[line];
    if (line <= wrappedThrough) {
      if (open && open.lastOwned === line - 1) ownLine(open, line);
      continue;
    }
    let end = lineEnd(text, lineStarts, line);
    let joined = false;
    if (line + 1 < lineStarts.length && mayContinueOnto(text, lineStarts[line + 1])) {
      const rest = wrappedLineEnd(text, lineStarts, line, lineStarts.length);
      if (rest !== end) {
        end = rest;
        joined = true;
        wrappedThrough = lineOfOffset(lineStarts, rest);
      }
    }
    if (end === start) {
      if (open) noteForeign(open, line, 'blank');
      continue;
    }
    scanLinePrefix(text, start, end, pfx);
    // Titles read lines as scanned alone; a report's paste shape is applied to them from the report.
    prefixes.record(line, pfx);
    if (blanksAt(text, pfx.textStart, end) === end - pfx.textStart) {
      // Blank after a mail quote, an indent or a time stamp (`>`, `  `, `[  12.3]  `).
      if (open) noteForeign(open, line, 'blank');
      continue;
    }
    // The lines of an open report share its paste indent, vendor prefix and time stamps; another
    // line is passed over (a daemon's message, a mailer's note) unless it is a report header itself.
    let lineIndent = '';
    let lineVendor: RegExp | null = null;
    // A line without the report's time stamp is still read (tools drop time stamps from some lines),
    // but what it does not show to be the report's is passed over, and only a header at its start
    // opens a report.
    let untimed = false;
    if (open !== null && (open.indent !== '' || open.vendor !== null || open.timed)) {
      const fit = fitReportShape(open, text, end, pfx);
      if (fit !== 'alien') {
        lineIndent = open.indent;
        lineVendor = open.vendor;
        untimed = fit === 'untimed';
      } else {
        const rest = text.slice(pfx.textStart, Math.min(end, pfx.textStart + MAX_EXAMINED));
        if (DECODED_CODE.test(rest)) {
          // The `Code:` listing decode_stacktrace.sh put in place of the line: the report's.
          ownLine(open, line);
          continue;
        }
        const own = matchReportHeader(rest);
        if (own === null || own.from !== 0) {
          noteForeign(open, line, 'alien');
          continue;
        }
      }
    }
    const caller = pfx.callerCode;
    // Most lines of a report are plain stack entries: read them in place, without cutting the line
    // out or running the line classifiers (an indented line is never a header or a `cut here`).
    if (
      open !== null &&
      !joined &&
      !(mayHoldBinary && binary.within(pfx.textStart, end)) &&
      !pfx.userspace &&
      open.skipNext !== line &&
      (caller === 0 || open.callerCode === 0 || caller === open.callerCode || (open.allCpus && caller < 0)) &&
      end - pfx.textStart <= MAX_EXAMINED
    ) {
      const c = text.charCodeAt(pfx.textStart);
      if (c === 32 || c === 9) {
        const frame = fastFrameIn(text, pfx.textStart, end, pfx.textStart, line);
        if (frame) {
          placeEntry(open, frame, NO_MARKERS, line, end);
          if (c === 32 && lineIndent === '' && open.vendor === null) prefixes.setShape(line, entryShape(text, frame));
          continue;
        }
      } else if (open.regs !== null && nearRegs(open, line, 2) && open.report.arch !== null) {
        // The next commonest line: a register line of the block just opened, counted in place
        // (registerPairs only takes lines that feedLine would count the same way).
        const pairs = registerPairs(text, pfx.textStart, end);
        if (pairs > 0) {
          const block = open.regs;
          block.registerCount += pairs;
          growRegs(open, block, line, end);
          ownLine(open, line);
          if (lineIndent === '' && open.vendor === null) prefixes.setShape(line, REGISTER_LINE_SHAPE);
          continue;
        }
      }
    }
    let message = text.slice(pfx.textStart, Math.min(end, pfx.textStart + MAX_EXAMINED));
    if (joined) message = joinWrapped(message);
    if (mayHoldBinary && (message.indexOf('\0') !== -1 || message.indexOf('\ufffd') !== -1)) {
      // A problem of this line only (not of the whole log): a parse of any range of lines finds
      // the same ones, so one binary line does not stop incremental parsing.
      problems.push({
        line,
        start,
        end,
        code: 'binary-data',
        message: 'binary data (NUL bytes or invalid UTF-8) on this line; those bytes are read as spaces',
      });
      message = message.replace(/[\0\ufffd]/g, ' ');
    }
    let base = pfx.textStart;
    if (pfx.userspace) {
      // Another program's syslog line: never part of a kernel report.
      if (open) noteForeign(open, line, 'alien');
      continue;
    }

    let header = matchReportHeader(message);
    if (header === null && (open === null || open.indent === '')) {
      // An indented paste: the header (or the `cut here` before it) behind a common indent.
      const indented = indentedLine(text, lineStarts, line, last, pfx.textStart, end, open !== null);
      if (indented !== null) {
        if (indented.cut) {
          pendingCut = line;
          if (open) noteForeign(open, line, 'alien');
          continue;
        }
        header = indented.header;
        lineIndent = indented.indent;
        message = indented.message;
        base = pfx.textStart = indented.textStart;
        pfx.timeStart = indented.timeStart;
      }
    }
    // A line without the report's time stamp opens no report behind another program's text (the
    // kernel's own text before a header, `** 3 printk messages dropped ** [  1.2] BUG:`, has one).
    if (untimed && header !== null && header.from !== 0 && !TIME_IN_TEXT.test(message.slice(0, header.from))) header = null;
    // A plain `WARNING: <sentence>` printk with nothing of a report after it is no report.
    if (
      header !== null &&
      header.form.name === 'warning' &&
      !(pendingCut >= 0 && line - pendingCut - 1 <= MAX_WARN_TEXT_LINES) &&
      isLoneWarning(prefixes, message, header, line, last, caller)
    ) {
      header = null;
    }
    // Lines from other printk callers are not part of the open report (unless they start one): they
    // go to that caller's report when one is open, else they are left out.
    if (open && open.callerCode !== 0 && caller !== 0 && caller !== open.callerCode && !(open.allCpus && caller < 0)) {
      let theirs = waiting.get(caller);
      if (theirs !== undefined && line - theirs.asideAt > MAX_ASIDE_LINES) {
        // Set aside too long ago: that report is over, this line is no longer its.
        waiting.delete(caller);
        finishAside(theirs, line);
        theirs = undefined;
      }
      if (theirs !== undefined) {
        waiting.delete(caller);
        setAside(line);
        // Every line since it was set aside was another caller's.
        theirs.passedOver += line - theirs.asideAt;
        theirs.resumed = true;
        open = theirs;
      } else if (header === null) {
        open.interleaved++;
        open.passedOver++;
        continue;
      } else if (header.role === 'start' || !continues(open, header, line)) {
        // Another caller's report starts while this one is still printing.
        setAside(line);
        routed = true;
      }
    }
    if (header) {
      // Another task's OOM header printed into the middle of a crash report's stack is one of its lines.
      if (header.kind === 'oom' && open && oomInsideStack(open, line, last, prefixes)) {
        noteForeign(open, line, 'alien');
        continue;
      }
      if (open && header.role === 'continue' && continues(open, header, line)) {
        ownLine(open, line);
        absorbHeader(open.report, header);
        if (header.form.body) open.form = header.form;
        noteArch(open.report, message);
        continue;
      }
      // A WARN's own message can look like a header (`Watchdog detected hard LOCKUP on cpu 0` under
      // `WARNING: at kernel/watchdog.c`): right after a WARNING, before its registers or stack, it is text.
      if (open && open.report.kind === 'warning' && open.report.stacks.length === 0 && open.report.regs.length === 0 && line - open.report.headerLine <= 3) {
        ownLine(open, line);
        continue;
      }
      const startLine = reportStart(prefixes, line, caller, header, pendingCut, open === null ? lastEnd : Math.max(lastEnd, (open as OpenReport).lastOwned));
      finish();
      open = openReport(text, lineStarts, startLine, line, header.kind, header.crash, caller);
      open.form = header.form;
      learnReportShape(open, text, lineStarts, line, last, message, header.from, lineIndent, lineVendor, pfx.timeStart >= 0);
      pendingCut = -1;
      pendingDump = null;
      noteArch(open.report, message);
      if (header.kind === 'nmi-backtrace') readNmiHeader(open.report, message, header, base, line, end);
      else if (header.groups) readHeaderGroups(open.report, header.groups);
      if (header.kind === 'warning') readWarningHeader(open.report, message.slice(header.at));
      continue;
    }
    if (message.charCodeAt(0) === 45 /* - */ && CUT_HERE.test(message)) {
      // `cut here` announces the report whose header follows; it never belongs to the open one.
      pendingCut = line;
      continue;
    }
    // Task dumps (SysRq t/w, `Showing state`): each `task:` line starts the dump of one task,
    // unless it belongs to the report open (a hung task names its task the same way).
    if (message.charCodeAt(0) === 116 /* t */ && (!open || (open.report.kind === 'dump-stack' && open.report.stacks.length > 0))) {
      const task = TASK_LINE.exec(message);
      if (task) {
        finish();
        open = openReport(text, lineStarts, line, line, 'dump-stack', false, caller);
        learnReportShape(open, text, lineStarts, line, last, message, 0, lineIndent, lineVendor, pfx.timeStart >= 0);
        open.report.comm = task[1];
        open.report.pid = Number(task[2]);
        pendingDump = null;
        continue;
      }
    }
    if (!open) {
      // A report without a header line: a plain dump_stack() (`CPU: ... Comm:` then `Call Trace:`) or a bare trace.
      if ((mayMatchLead(CPU_LINE_LEAD, message) && CPU_LINE.test(message)) || (mayMatchLead(OLD_PID_LINE_LEAD, message) && OLD_PID_LINE.test(message))) {
        pendingDump = { line, caller, message };
        continue;
      }
      // (STACK_HEADER matches every `Call Trace` line: the cheaper test alone decides.)
      const callTrace = mayMatchLead(CALL_TRACE_LINE_LEAD, message) && CALL_TRACE_LINE.test(message);
      // Stack entries outside any report (another CPU's trace, a report whose header was lost, or
      // a dump_stack() whose arch prints no `Call Trace:`, arm's `unwind_backtrace from show_stack`).
      if (!callTrace && parseFrameLine(message, base, line) === null) continue;
      // The `CPU:` line before the trace gives the facts; from the bare entries, only of the same caller.
      const cpuLine = pendingDump && pendingDump.line >= line - DUMP_CPU_LINE_REACH && (callTrace || pendingDump.caller === caller) ? pendingDump.line : -1;
      let from = cpuLine >= 0 ? cpuLine : line;
      // The message a dump_stack() caller printed first (`Division by zero in kernel.`, `slab error in ...`).
      if (from - 1 > lastEnd && prefixes.caller(from - 1) === callerName(caller) && DUMP_MESSAGE.test(prefixes.message(from - 1))) from--;
      open = openReport(text, lineStarts, from, from, 'dump-stack', false, caller);
      learnReportShape(open, text, lineStarts, line, last, message, 0, lineIndent, lineVendor, pfx.timeStart >= 0);
      // The stack header or entry itself is placed below; the `CPU:` line's text as the paste shape read it.
      if (cpuLine >= 0 && pendingDump !== null) readFacts(open.report, pendingDump.message);
      pendingDump = null;
    }
    feedLine(open, line, end, base, message, untimed ? 'alien' : 'unknown');
    if (open.foreignRun > MAX_FOREIGN_RUN || (open.endTraceSeen && open.foreignRun > 0 && open.lastOwned < line)) {
      finish();
    }
  }
  current = last;
  finish();
  finishWaiting();
  if (routed) {
    reports.sort((a, b) => a.line - b.line);
    problems.sort((a, b) => a.line - b.line);
  }
  titleAll(prefixes, reports, last);
}

/**
 * The report's arrays at their length: an array that grew by push() keeps room for more (17 slots
 * for one element), which a log of thousands of reports, each with a few short arrays, pays for
 * in memory long after the parse.
 */
function compactReport(r: Report): void {
  r.regs = tight(r.regs);
  r.stacks = tight(r.stacks);
  r.markerLines = tight(r.markerLines);
  r.modules = tight(r.modules);
  for (const s of r.stacks) {
    s.frames = tight(s.frames);
    s.markers = tight(s.markers);
    s.segments = tight(s.segments);
  }
}

/** A copy of `a` without spare room (an empty array has none). */
function tight<T>(a: T[]): T[] {
  return a.length === 0 ? a : a.slice();
}

/** Where the text's NUL bytes and U+FFFD are, found by one forward scan over the parse. */
class BinaryScan {
  private nul: number;
  private bad: number;
  /** Both positions are the first at or after this offset. */
  private from = 0;

  constructor(private readonly text: string) {
    this.nul = text.indexOf('\0');
    this.bad = text.indexOf('\ufffd');
  }

  any(): boolean {
    return this.nul !== -1 || this.bad !== -1;
  }

  /** Whether [from, to) holds a NUL or U+FFFD (cheapest when `from` only grows from call to call). */
  within(from: number, to: number): boolean {
    if (from < this.from) {
      const t = this.text;
      for (let i = from; i < to; i++) if (t.charCodeAt(i) === 0 || t.charCodeAt(i) === 0xfffd) return true;
      return false;
    }
    this.from = from;
    if (this.nul !== -1 && this.nul < from) this.nul = this.text.indexOf('\0', from);
    if (this.bad !== -1 && this.bad < from) this.bad = this.text.indexOf('\ufffd', from);
    return (this.nul !== -1 && this.nul < to) || (this.bad !== -1 && this.bad < to);
  }
}

/**
 * Whether a line carries the open report's paste indent, time stamp and vendor prefix; strips the
 * indent and vendor prefix from `pfx` (rescanning the kernel prefix behind the indent) when it does.
 */
function fitReportShape(open: OpenReport, text: string, end: number, pfx: PrefixScan): 'fits' | 'untimed' | 'alien' {
  if (open.indent !== '') {
    if (!text.startsWith(open.indent, pfx.textStart)) return 'alien';
    scanLinePrefix(text, pfx.textStart + open.indent.length, end, pfx);
  }
  if (open.vendor !== null) {
    open.vendor.lastIndex = pfx.textStart;
    if (!open.vendor.test(text) || open.vendor.lastIndex > end) return 'alien';
    pfx.textStart = open.vendor.lastIndex;
  }
  return open.timed && pfx.timeStart < 0 ? 'untimed' : 'fits';
}

/** Lines looked at after a header to confirm a paste shape (blank lines between are skipped). */
const SHAPE_LOOKAHEAD = 4;

/** The last line a wrapped line before `first` is read through (its rest on lines `first`...), or -1. */
function wrappedThroughBefore(text: string, lineStarts: ArrayLike<number>, first: number): number {
  let through = -1;
  // Read the lines before as a whole parse would (a wrapped line takes at most MAX_WRAPPED_PARTS - 1 lines).
  for (let line = Math.max(0, first - MAX_WRAPPED_PARTS + 1); line < first; line++) {
    if (line <= through || !mayContinueOnto(text, lineStarts[line + 1])) continue;
    const end = lineEnd(text, lineStarts, line);
    const rest = wrappedLineEnd(text, lineStarts, line, lineStarts.length);
    if (rest !== end) through = lineOfOffset(lineStarts, rest);
  }
  return through >= first ? through : -1;
}

/**
 * Lines around the parsed range that parsing [startLine, endLine) may look at: a wrapped line's
 * neighbours and rest, a header's confirming next lines. A parse of part of a text must be given
 * these lines too (service/reparse.ts parseLines) to read the range as a whole parse does.
 */
export const CONTEXT_LINES = { before: WRAP_LOOKBEHIND, after: Math.max(WRAP_LOOKAHEAD, SHAPE_LOOKAHEAD) };
/** Scratch of one call (filled by each scan before it is read), not a cache. */
const shapeScan = newPrefixScan();

/** The first non-blank line after `line` (within SHAPE_LOOKAHEAD and the parsed range) scanned into shapeScan, or -1. */
function nextTextLine(text: string, lineStarts: ArrayLike<number>, line: number, _last: number): number {
  for (let k = line + 1; k < lineStarts.length && k <= line + SHAPE_LOOKAHEAD; k++) {
    const s = lineStarts[k];
    const e = lineEnd(text, lineStarts, k);
    scanLinePrefix(text, s, e, shapeScan);
    if (blanksAt(text, shapeScan.textStart, e) < e - shapeScan.textStart) return k;
  }
  return -1;
}

/**
 * A report's paste shape, from its header line: the indent it was found behind, whether it has a
 * time stamp, and a vendor prefix before the header text when the next line repeats it.
 */
function learnReportShape(
  open: OpenReport,
  text: string,
  lineStarts: ArrayLike<number>,
  line: number,
  last: number,
  message: string,
  at: number,
  indent: string,
  vendor: RegExp | null,
  timed: boolean,
): void {
  open.indent = indent;
  open.timed = timed;
  // A report that starts inside another of the same paste keeps its shape.
  open.vendor = vendor;
  if (indent !== '' || vendor !== null) open.report.pasteShape = { indent, vendor: vendor?.source ?? null };
  if (at <= 0 || vendor !== null) return;
  const next = nextTextLine(text, lineStarts, line, last);
  if (next < 0) return;
  let from = shapeScan.textStart;
  if (indent !== '') {
    if (!text.startsWith(indent, from)) return;
    from = scanLinePrefix(text, from + indent.length, lineEnd(text, lineStarts, next), shapeScan).textStart;
  }
  // What stands before the header may end in the kernel's own pr_fmt (`NMI watchdog: `): the
  // vendor prefix is the longest part of it, cut after a closing bracket or a colon and blanks,
  // that the next line repeats.
  for (let cut = at; cut > 0; cut--) {
    const c = message.charCodeAt(cut - 1);
    if (c !== 32 && c !== 9 && c !== 93 && c !== 41 && c !== 62) continue;
    const prefix = message.slice(0, cut);
    // After a bracket or a colon, or a CPU column (`c1 `, `C3 `).
    if (!/[\])>:][ \t]*$|^[A-Za-z]{0,3}\d{1,3}[ \t]+$/.test(prefix)) continue;
    const pattern = vendorPrefixPattern(prefix);
    if (pattern === null) continue;
    pattern.lastIndex = from;
    if (pattern.test(text)) {
      open.vendor = pattern;
      open.report.pasteShape = { indent, vendor: pattern.source };
      return;
    }
  }
}

/** A paste's indent at `pos`: blanks, and a `|` some mailers and forums quote with (`  |  `). */
function pasteIndentAt(text: string, pos: number, end: number): number {
  let n = blanksAt(text, pos, end);
  if (text.charCodeAt(pos + n) === 124 /* | */ && n <= 4) n += 1 + blanksAt(text, pos + n + 1, end);
  return n;
}

/** Whether one of the next few lines (a wrapped rest may come first) carries `indent` too. */
function indentRepeats(text: string, lineStarts: ArrayLike<number>, line: number, _last: number, indent: string): boolean {
  for (let k = line + 1; k < lineStarts.length && k <= line + SHAPE_LOOKAHEAD; k++) {
    scanLinePrefix(text, lineStarts[k], lineEnd(text, lineStarts, k), shapeScan);
    if (text.startsWith(indent, shapeScan.textStart)) return true;
  }
  return false;
}

/** A `comm: ` near `pos` (`swapper/0: page allocation failure`, `bash invoked oom-killer:`), which no stack entry has. */
function colonBlankNear(text: string, pos: number, end: number): boolean {
  // Within the line: indexOf on the whole text would run on past its end.
  const limit = Math.min(end, pos + 40) - 1;
  for (let i = pos; i < limit; i++) if (text.charCodeAt(i) === 58 /* : */ && text.charCodeAt(i + 1) === 32) return true;
  return false;
}

interface IndentedLine {
  /** A `cut here` line rather than a header. */
  cut: boolean;
  header: HeaderMatch | null;
  indent: string;
  message: string;
  textStart: number;
  timeStart: number;
}

/** Scratch of one call (filled by each scan before it is read), not a cache. */
const indentScan = newPrefixScan();

/**
 * A header or `cut here` behind a paste's common indent (`    BUG: unable to handle ...`, a tab),
 * confirmed by the next line carrying the same indent. Inside a report (`inReport`) only indents
 * of two blanks or a tab count, as kernel lines themselves are indented by one.
 */
function indentedLine(
  text: string,
  lineStarts: ArrayLike<number>,
  line: number,
  last: number,
  from: number,
  end: number,
  inReport: boolean,
): IndentedLine | null {
  const n = pasteIndentAt(text, from, end);
  if (n === 0 || (inReport && n < 2 && text.charCodeAt(from) !== 9)) return null;
  const c = text.charCodeAt(from + n);
  // Headers, `cut here` and time stamps start with a letter, `-`, `[` or `<`; behind a one-blank
  // indent (where stack entries stand, lower-case) with an upper-case letter or `task:`.
  const upper = (c >= 65 && c <= 90) || c === 45 || c === 91 || c === 60;
  const lower = c >= 97 && c <= 122;
  if (!upper && !lower) return null;
  // Lower case behind one blank is where the kernel's own entries stand: only a header itself
  // (` kernel BUG at ...`, ` general protection fault: ...`) is taken there.
  const headerOnly = lower && n === 1 && text.charCodeAt(from) !== 9 && !text.startsWith('task:', from + n) && !colonBlankNear(text, from + n, end);
  scanLinePrefix(text, from + n, end, indentScan);
  const message = text.slice(indentScan.textStart, Math.min(end, indentScan.textStart + MAX_EXAMINED));
  const cut = message.charCodeAt(0) === 45 && CUT_HERE.test(message);
  const header = cut ? null : matchReportHeader(message);
  if (headerOnly && header === null) return null;
  // Outside a report, also what opens a dump without a header: a task line, a `CPU:` line, `Call Trace:`.
  if (
    !cut &&
    header === null &&
    (inReport || !(TASK_LINE.test(message) || CPU_LINE.test(message) || OLD_PID_LINE.test(message) || CALL_TRACE_LINE.test(message)))
  )
    return null;
  const indent = text.slice(from, from + n);
  if (!indentRepeats(text, lineStarts, line, last, indent)) return null;
  return { cut, header, indent, message, textStart: indentScan.textStart, timeStart: indentScan.timeStart };
}

/** The LineShape of a space-indented entry the fast path read. */
function entryShape(text: string, f: StackEntry): number {
  if (f.reliable) return PLAIN_ENTRY_SHAPE;
  const q = questionMarkOf(text, f);
  return q > 0 && text.charCodeAt(q - 1) === 32 && text.charCodeAt(q + 1) === 32 ? QUESTIONABLE_ENTRY_SHAPE : 0;
}

function openReport(
  text: string,
  lineStarts: ArrayLike<number>,
  line: number,
  headerLine: number,
  kind: ReportKind,
  crash: boolean,
  callerCode: number,
): OpenReport {
  const report: Report = {
    kind,
    title: '',
    crash,
    corrupted: false,
    corruptedReason: null,
    guiltyFrame: null,
    line,
    endLine: headerLine,
    start: lineStarts[line],
    end: lineEnd(text, lineStarts, headerLine),
    headerLine,
    caller: callerName(callerCode),
    regs: [],
    stacks: [],
    markerLines: line !== headerLine ? [line] : [],
    arch: null,
    cpu: null,
    pid: null,
    comm: null,
    taint: null,
    release: null,
    hardware: null,
    modules: [],
    modulesLine: -1,
  };
  return {
    report,
    callerCode,
    stack: null,
    regs: null,
    contexts: [],
    lastOwned: headerLine,
    foreignRun: 0,
    passedOver: 0,
    passedAtRegs: 0,
    indent: '',
    vendor: null,
    timed: false,
    asideAt: -1,
    resumed: false,
    endTraceSeen: false,
    allCpus: false,
    modulesOpen: false,
    interleaved: 0,
    skipNext: -1,
    form: null,
    armCaller: null,
  };
}

/** Whether a `continue` header belongs to the report already open. */
function continues(open: OpenReport, header: HeaderMatch, line: number): boolean {
  const r = open.report;
  if (open.endTraceSeen && header.kind !== 'panic') return false;
  switch (header.kind) {
    case 'panic':
      return true;
    case 'oom':
      return false;
    case 'kmemleak':
      // syzkaller prints `BUG: memory leak` before each object: the object is that report.
      return open.form !== null && open.form.name === 'memory-leak' && r.stacks.length === 0 && line - r.headerLine <= 2;
    case 'nmi-backtrace':
      // All-CPU backtraces a stall or lockup report sets off belong to it; one NMI backtrace
      // after another is a report of its own.
      return r.kind !== 'dump-stack' && r.kind !== 'nmi-backtrace';
    default:
      // A die header (`Oops: 0000 [#1]`, `invalid opcode: 0000`, `Internal error:`) continues a
      // report that has not printed its stack yet; after that it is an oops of its own.
      return r.stacks.length === 0 || r.kind === 'kasan';
  }
}

/** The CPU of an NMI backtrace, and the exact IP of one that was skipped because the CPU idled. */
function readNmiHeader(r: Report, message: string, header: HeaderMatch, base: number, line: number, end: number): void {
  const cpu = header.groups?.cpu;
  if (cpu === undefined) return;
  r.cpu = Number(cpu);
  const idle = 'skipped: idling at ';
  const at = message.indexOf(idle, header.at);
  if (at < 0 || at + idle.length >= message.length) return;
  const ip = parseSymbolAt(message, at + idle.length, base, line);
  if (!ip) return;
  r.regs.push({
    line,
    endLine: line,
    start: base + at + idle.length,
    end,
    kind: 'summary',
    ip,
    ipLine: line,
    ipRegister: 'IP',
    user: false,
    registerCount: 0,
    code: null,
    context: null,
  });
}

/** The task a header names (`INFO: task kworker/0:1:12 blocked for more than 10 seconds.`, `foo invoked oom-killer:`). */
function readHeaderGroups(r: Report, g: Record<string, string | undefined>): void {
  if (g.comm !== undefined) r.comm = g.comm;
  if (g.pid !== undefined) r.pid = Number(g.pid);
}

/**
 * The first line of a report whose header is at `line`: the `cut here` right before it (or, before a
 * `WARNING:`, a few lines before it with the WARN's own message in between), and a known message
 * printed just before those by the same caller. Never a line at or before `floor` (the last line of
 * the report still open).
 */
function reportStart(prefixes: PrefixTable, line: number, callerCode: number, header: HeaderMatch, pendingCut: number, floor: number): number {
  const caller = callerName(callerCode);
  const own = (l: number) => l > floor && prefixes.caller(l) === caller && /\S/.test(prefixes.message(l));
  let start = line;
  if (pendingCut > floor) {
    if (pendingCut === line - 1) start = pendingCut;
    else if (header.kind === 'warning' && line - pendingCut - 1 <= MAX_WARN_TEXT_LINES) {
      let l = pendingCut + 1;
      while (l < line && own(l) && matchReportHeader(prefixes.message(l)) === null) l++;
      if (l === line) start = pendingCut;
    }
  }
  if (start - 1 > floor && own(start - 1) && PRE_HEADER.test(prefixes.message(start - 1))) start--;
  return start;
}

/** Lines after a plain `WARNING:` message in which its splat (facts, registers, stack) would show. */
const LONE_WARNING_WINDOW = 5;

/** A line that starts with a plain-text `WARNING:` message and is followed by nothing of a report within a few lines of its caller. */
function isLoneWarning(prefixes: PrefixTable, message: string, header: HeaderMatch, line: number, last: number, callerCode: number): boolean {
  // Only a line that starts with `WARNING:` (a device's `usb 5-1: WARNING: ...` is its driver's report).
  if (header.at !== 0 || !isPlainWarningText(message)) return false;
  const caller = callerName(callerCode);
  let seen = 0;
  for (let l = line + 1; l < last && seen < LONE_WARNING_WINDOW; l++) {
    if (prefixes.caller(l) !== caller) continue;
    const m = prefixes.message(l);
    if (!/\S/.test(m)) continue;
    seen++;
    if (looksLikeSplat(m)) return false;
    if (matchReportHeader(m) !== null) return true;
  }
  return true;
}

/** Lines a WARN()/BUG() splat prints after its header: facts, registers, `Code:`, a stack header or entry, raw stack words. */
function looksLikeSplat(m: string): boolean {
  const indent = firstNonSpace(m);
  const t = indent > 0 ? m.slice(indent) : m;
  if (CPU_LINE.test(t) || OLD_PID_LINE.test(t) || MODULES.test(t) || HARDWARE.test(t) || END_TRACE.test(t)) return true;
  if (t.startsWith('irq event stamp') || RAW_STACK_HEADER.test(m) || RAW_STACK_WORDS.test(m)) return true;
  if (mayBeStackHeader(m, indent) && STACK_HEADER.test(m)) return true;
  if (parseIpLine(m) !== null || isRegisterLine(m) || isCodeLine(m)) return true;
  return parseFrameLine(m, 0, 0) !== null;
}

/**
 * Whether an OOM header at `line` was printed into the stack of the crash report open: its stack
 * ran up to the line before, and goes on within the next two lines (after the OOM's `cpuset=` line).
 */
function oomInsideStack(open: OpenReport, line: number, last: number, prefixes: PrefixTable): boolean {
  if (!open.report.crash || open.stack === null || open.stack.endLine !== line - 1) return false;
  for (let l = line + 1; l <= line + 2 && l < last; l++) {
    const m = prefixes.message(l);
    if (parseFrameLine(m, 0, l) !== null) return true;
  }
  return false;
}

/** The CPU and PID a WARNING names: `WARNING: CPU: 0 PID: 277 at drivers/pci/pci.c:2248 ...` (the `CPU:` line may be cut off a paste). */
function readWarningHeader(r: Report, message: string): void {
  const m = WARNING_HEADER.exec(message);
  if (!m) return;
  r.cpu = Number(m[1]);
  r.pid = Number(m[2]);
}

// Lines that name the architecture: 32-bit ARM's die line ends with the instruction set
// (`Internal error: Oops: 5 [#1] PREEMPT SMP ARM`); powerpc prints `Faulting instruction address:`
// and `LE PAGE_SIZE=64K MMU=Radix SMP ...` under its die line.
const ARM_DIE = /^Internal error: .*\] .*\b(?:ARM|THUMB2)\s*$/;
const POWERPC_LINE = /^(?:Faulting instruction address: 0x|[BL]E PAGE_SIZE=)/;

function noteArch(r: Report, message: string): void {
  if (r.arch !== null) return;
  const c = message.charCodeAt(0);
  if (c === 73 /* I */ && ARM_DIE.test(message)) r.arch = 'arm';
  else if ((c === 70 /* F */ || c === 66 /* B */ || c === 76) /* L */ && POWERPC_LINE.test(message)) r.arch = 'powerpc';
}

/** A continuing header may tell more about the report: a dump that turns out to be an oops. */
function absorbHeader(r: Report, header: HeaderMatch): void {
  if (header.kind === 'nmi-backtrace' || header.kind === 'kmemleak') return;
  if (r.kind === 'dump-stack' || r.kind === 'nmi-backtrace' || (r.kind === 'panic' && header.kind !== 'panic')) {
    r.kind = header.kind;
    r.crash = true;
  }
  if (header.kind === 'panic') r.crash = true;
}

function ownLine(open: OpenReport, line: number): void {
  open.lastOwned = line;
  open.foreignRun = 0;
}

/**
 * A line of the report's stretch that is not the report's: `blank`, `alien` (another program's,
 * another prefix's or another caller's line) or `unknown` (a kernel line of the report that is
 * nothing we know). Blank and alien lines are passed over: a double-spaced paste or a daemon's
 * message inside a register block splits nothing. An unknown kernel line ends the register block.
 */
function noteForeign(open: OpenReport, line: number, how: 'blank' | 'alien' | 'unknown'): void {
  // A line to be skipped (s390's address under `Last Breaking-Event-Address:`) is the next one that is not passed over.
  if (how !== 'unknown' && open.skipNext === line) open.skipNext = line + 1;
  if (how !== 'blank') open.foreignRun++;
  if (how === 'unknown') {
    if (open.regs && line > open.regs.endLine) open.regs = null;
  } else {
    open.passedOver++;
  }
}

/** Whether `line` is within `n` of the open register block's last line, not counting lines passed over. */
function nearRegs(open: OpenReport, line: number, n: number): boolean {
  return open.regs !== null && line - open.regs.endLine - (open.passedOver - open.passedAtRegs) <= n;
}

/** The register block now ends at `line`. */
function growRegs(open: OpenReport, block: RegisterBlock, line: number, end: number): void {
  block.endLine = line;
  block.end = end;
  open.passedAtRegs = open.passedOver;
}

function closeStack(open: OpenReport): void {
  open.contexts.length = 0;
  open.stack = null;
}

function newStack(open: OpenReport, line: number, start: number, kind: string, header: { start: number; end: number }): Stack {
  closeStack(open);
  const stack: Stack = { line, endLine: line, start, end: header.end, kind, header, frames: [], markers: [], segments: [] };
  open.report.stacks.push(stack);
  open.stack = stack;
  return stack;
}

function applyMarkers(open: OpenReport, markers: MarkerToken[], line: number): void {
  const stack = open.stack;
  if (!stack) return;
  for (const m of markers) {
    const marker: ContextMarker = { line, name: m.name, role: m.role, start: m.start, end: m.end };
    stack.markers.push(marker);
    if (m.role === 'open') {
      // Real traces nest a few contexts deep (task < irq < nmi); a run of openers that are never
      // closed must not make every later closer scan them all.
      if (open.contexts.length >= MAX_CONTEXT_DEPTH) open.contexts.shift();
      open.contexts.push({ name: m.name, line, start: m.start });
    } else {
      // `</IRQ>` closes IRQ; `<EOI>`/`<EOE>` close whatever interrupt/exception context is open.
      const want = m.name === 'EOI' || m.name === 'EOE' ? null : m.name;
      for (let i = open.contexts.length - 1; i >= 0; i--) {
        const c = open.contexts[i];
        if (want === null || c.name === want) {
          stack.segments.push({ name: c.name, line: c.line, endLine: line, start: c.start, end: m.end });
          open.contexts.length = i;
          break;
        }
      }
    }
    stack.endLine = Math.max(stack.endLine, line);
    stack.end = Math.max(stack.end, m.end);
  }
}

function currentContext(open: OpenReport): string | null {
  return open.contexts.length ? open.contexts[open.contexts.length - 1].name : null;
}

/** Places one line of an open report: marker, register dump, entry, stack header, end marker, facts or body. */
function feedLine(open: OpenReport, line: number, end: number, base: number, message: string, unknownLine: 'alien' | 'unknown'): void {
  const r = open.report;

  if (open.skipNext === line) {
    ownLine(open, line);
    return;
  }
  // Most lines of a report are stack entries, which start with white space: try them first.
  const lead = message.charCodeAt(0);
  // The first non-blank character decides which of the tests below can match at all.
  const indent = firstNonSpace(message);
  const first = message.charCodeAt(indent);
  const triedEntry = (lead === 32 || lead === 9) && message.indexOf('<') === -1;
  if (triedEntry && addEntry(open, message, base, line, end)) return;

  // Context markers alone on a line.
  const markers = first === 60 /* < */ ? parseMarkerLine(message, base) : null;
  if (markers) {
    if (!open.stack) newStack(open, line, markers[0].start, '', { start: markers[0].start, end: markers[0].start });
    applyMarkers(open, markers, line);
    ownLine(open, line);
    return;
  }

  // Register dumps.
  const ip = parseIpLine(message);
  if (ip) {
    // 2.4 and 2.6.0-era i386 print the taint on the EIP line: `EIP:    0010:[<c012cf70>]    Not tainted`.
    if (r.taint === null && ip.register === 'EIP') {
      const t = EIP_TAINT.exec(message);
      if (t) r.taint = taintLetters(t[1]);
    }
    if (ip.symbolPos >= 0 || ip.opener || ip.address) {
      // `pc :` right after `pstate:` (arm64) or `NIP [..]` after `NIP:` (powerpc) completes the open block,
      // also when a line a mailer wrapped came between.
      const last = r.regs.length > 0 ? r.regs[r.regs.length - 1] : null;
      let block = open.regs ?? (last !== null && last.ip === null && last.endLine >= line - 3 ? last : null);
      // `pc :` right after `pstate:`, `NIP [..]` after `NIP:`, `EIP is at f` after `EIP: 0060:[<a>]`,
      // `pc : [<a>]` after `PC is at f`: the second line completes the block the first one opened.
      const near = block !== null && (block !== open.regs || nearRegs(open, line, 3));
      // (Never a user-mode block by a kernel IP line, nor x86-64's RIP line by another: the block after
      // `---[ end trace ]---` that syzkaller's consoles print below a user-mode block is a block of its own.)
      const completes =
        block !== null &&
        near &&
        !ip.opener &&
        block.user === ip.user &&
        !(ip.register === 'RIP' && block.ipRegister === 'RIP' && block.ip !== null) &&
        (block.ip === null || (block.ip.function === null) !== ip.symbolPos < 0);
      // An opener right after the block's last line goes on with that block (riscv's `epc : <value>
      // ra : ...` row after its `epc : func+0x..` and ` ra : ...` lines).
      const goesOn = block !== null && ip.opener && block === open.regs && nearRegs(open, line, 1);
      if (!completes && !goesOn) {
        block = {
          line,
          endLine: line,
          start: base + indent,
          end,
          kind: open.endTraceSeen ? 'summary' : ip.kind,
          ip: null,
          ipLine: line,
          ipRegister: ip.register,
          user: ip.user,
          registerCount: 0,
          code: null,
          context: currentContext(open),
        };
        r.regs.push(block);
        open.regs = block;
      }
      const b = block as RegisterBlock;
      if (!ip.opener) {
        b.ipLine = line;
        if (!ip.opener) b.ipRegister = ip.register;
        let frame: StackEntry | null = ip.symbolPos >= 0 ? parseSymbolAt(message, ip.symbolPos, base, line) : null;
        if (!frame && ip.address) {
          frame = parseSymbolAt('0x' + ip.address, 0, base, line);
          if (frame) {
            const at = message.indexOf(ip.address);
            frame.symbolStart = base + at;
            frame.symbolEnd = base + at + ip.address.length;
            frame.start = base + at;
            frame.end = base + message.length;
          }
        }
        if (frame && b.ip) {
          // Merge: keep the name from one line and the address from the other.
          if (frame.function === null) {
            frame = { ...b.ip, address: b.ip.address ?? frame.address };
          } else if (frame.address === null) {
            frame.address = b.ip.address;
          }
        }
        if (frame) {
          if (ip.address && frame.address === null) frame.address = ip.address;
          // ELFv1 powerpc names the text symbol with a leading dot (`.frob_device`).
          if (ip.register === 'NIP' && frame.function && frame.function.length > 1 && frame.function.startsWith('.')) frame.function = frame.function.slice(1);
          frame.context = b.context;
          frame.exact = true;
          b.ip = frame;
        }
      }
      growRegs(open, b, line, end);
      if (ip.arch && !r.arch) r.arch = ip.arch;
      // An opener's own values count too (`NIP:  c000.. LR: c000.. CTR: ..`, arm64 `pstate:`).
      if (ip.opener || isRegisterLine(message)) b.registerCount += countRegisters(message);
      ownLine(open, line);
      return;
    }
  }
  if (open.regs && nearRegs(open, line, 2)) {
    // s390 prints its general registers after `Krnl GPRS:` four to a line, the later lines without a name.
    const more = open.regs.ipRegister === 'PSW' && nearRegs(open, line, 1) ? continuedRegisterRow(message) : -1;
    if (more > 0 || isRegisterLine(message)) {
      open.regs.registerCount += more > 0 ? more : countRegisters(message);
      growRegs(open, open.regs, line, end);
      if (!r.arch) r.arch = guessArchFromRegisters(message);
      ownLine(open, line);
      return;
    }
    if ((first === 69 /* E */ || first === 76 /* L */ || first === 108) /* l */ && /^\s*(?:EIP is at|LR is at|lr : |LR \[)/.test(message)) {
      growRegs(open, open.regs, line, end);
      ownLine(open, line);
      return;
    }
  }
  if ((first === 67 /* C */ || first === 75 /* K */ || first === 73) /* I */ && isCodeLine(message)) {
    const target = open.regs && nearRegs(open, line, 2) ? open.regs : latestKernelBlockWithoutCode(r.regs);
    if (target && target.code === null) {
      const trap = trappingOffset(message);
      target.code = { line, start: base + indent, end, trapping: trap >= 0 ? base + trap : -1, unavailable: /Bad RIP|Unable to access|\?\?\?\?/.test(message) };
      if (target === open.regs) growRegs(open, target, line, end);
    }
    ownLine(open, line);
    return;
  }
  if (isRegisterLine(message) && /:\s*[0-9a-f]{4,16}\b/.test(message)) {
    // A register line with no block open: x86 `RSP:` after a mid-trace IRET frame, or a block whose IP line was lost.
    if (!r.arch) r.arch = guessArchFromRegisters(message);
    ownLine(open, line);
    return;
  }

  // Stack entries.
  if (!triedEntry && addEntry(open, message, base, line, end)) return;

  // Raw stack words: a stack of their own (foldable), with no entries.
  const raw = first === 83 /* S */ || first === 69 /* E */ ? RAW_STACK_HEADER.exec(message) : null;
  if (raw) {
    const hs = base + indent;
    const stack = newStack(open, line, hs, STACK_KINDS.rawWords, { start: hs, end: base + raw[0].length });
    stack.end = end;
    ownLine(open, line);
    open.regs = null;
    return;
  }
  if (open.stack && isRawStackWords(open.stack) && RAW_STACK_WORDS.test(message)) {
    open.stack.endLine = line;
    open.stack.end = end;
    ownLine(open, line);
    return;
  }

  // Stack headers.
  const head = mayBeStackHeader(message, indent) ? STACK_HEADER.exec(message) : null;
  if (head) {
    let kind: string = STACK_KINDS.callTrace;
    for (let g = 1; g < head.length; g++) {
      if (head[g] !== undefined) {
        kind = head[g].trim();
        break;
      }
    }
    const hs = base + indent;
    const he = base + head[0].length;
    newStack(open, line, hs, kind, { start: hs, end: he });
    ownLine(open, line);
    open.regs = null;
    // Old kernels put the first entry on the header line (`Call Trace: [<..>] foo+0x1/0x2`).
    const rest = message.slice(head[0].length);
    if (/\S/.test(rest)) {
      const inline = parseFrameLine(rest, base + head[0].length, line);
      if (inline) {
        if (inline.markers.length) applyMarkers(open, inline.markers, line);
        inline.frame.context = currentContext(open);
        open.stack!.frames.push(inline.frame);
        open.stack!.end = end;
      }
    }
    return;
  }

  if (lead === 45 /* - */ && END_TRACE.test(message)) {
    r.markerLines.push(line);
    open.endTraceSeen = true;
    closeStack(open);
    ownLine(open, line);
    return;
  }

  if (readFacts(r, message, open, line)) {
    ownLine(open, line);
    return;
  }
  if (open.modulesOpen && MODULE_CONT.test(message) && !/^\s*(?:[0-9a-f]{8,16}\b|$)/.test(message)) {
    r.modules.push(...splitModules(message));
    ownLine(open, line);
    return;
  }
  open.modulesOpen = false;
  if (lead === 83 /* S */ && message.startsWith('Sending NMI from CPU')) open.allCpus = true;
  if (lead === 76 /* L */ && message.startsWith('Last Breaking-Event-Address:')) {
    // s390: the next line is an address, not a stack entry.
    open.skipNext = line + 1;
    closeStack(open);
    ownLine(open, line);
    return;
  }
  noteArch(r, message);
  const form = open.form;
  if (form?.body?.test(message)) {
    closeStack(open);
    ownLine(open, line);
    if (form.ends?.test(message)) open.endTraceSeen = true;
    if (form.facts !== undefined && r.pid === null) {
      const m = form.facts.exec(message);
      if (m?.groups) readHeaderGroups(r, m.groups);
    }
    return;
  }
  if (BODY.test(message) || DECODED_CODE.test(message)) {
    if (open.stack && !/^\s*$/.test(message)) closeStack(open);
    ownLine(open, line);
    return;
  }
  // The indented rest of the header's own message (`BUG: arch topology borken` /
  // `     the SMT domain not a subset of the CACHE domain`).
  if ((lead === 32 || lead === 9) && line - r.headerLine <= 2 && r.stacks.length === 0 && r.regs.length === 0) {
    ownLine(open, line);
    return;
  }
  noteForeign(open, line, unknownLine);
}

/**
 * The register block a `Code:` line printed away from its block belongs to (≤4.17 printed it after
 * the trace): the latest kernel block without one. Looks back a few blocks only, so a log of
 * blocks whose `Code:` lines never come stays linear.
 */
function latestKernelBlockWithoutCode(blocks: RegisterBlock[]): RegisterBlock | null {
  for (let i = blocks.length - 1; i >= 0 && i >= blocks.length - 4; i--) {
    if (blocks[i].code === null && !blocks[i].user) return blocks[i];
  }
  return null;
}

/** Adds a stack entry to the open stack (starting one if needed); false when the line is no entry. */
function addEntry(open: OpenReport, message: string, base: number, line: number, end: number): boolean {
  const entry = parseFrameLine(message, base, line);
  if (!entry) return false;
  if (entry.caller !== undefined) takeArmCaller(open, entry.frame, entry.caller);
  placeEntry(open, entry.frame, entry.markers, line, end);
  return true;
}

/**
 * A 32-bit ARM entry names its function without the offset (`(f) from`, 6.x `f from`): the line
 * before printed it, as its caller (`from f+0x10/0x20`). Takes that, and keeps this line's caller
 * for the next one.
 */
function takeArmCaller(open: OpenReport, f: StackEntry, caller: ArmCaller): void {
  const prev = open.armCaller;
  if (prev !== null && f.offset === null && prev.function === f.function) {
    f.offset = prev.offset;
    f.size = prev.size;
    f.module ??= prev.module;
    if (prev.source !== undefined) f.source = prev.source;
  }
  open.armCaller = caller;
  if (open.report.arch === null) open.report.arch = 'arm';
}

/** Puts a parsed entry into the open stack (starting one if needed), in the current context. */
function placeEntry(open: OpenReport, frame: StackEntry, markers: MarkerToken[], line: number, end: number): void {
  const r = open.report;
  if (!open.stack)
    newStack(open, line, frame.start, r.stacks.length ? r.stacks[r.stacks.length - 1].kind : STACK_KINDS.callTrace, { start: frame.start, end: frame.start });
  const stack = open.stack as Stack;
  if (markers.length) applyMarkers(open, markers, line);
  frame.context = currentContext(open);
  stack.frames.push(frame);
  stack.endLine = line;
  stack.end = end;
  if (open.regs && line > open.regs.endLine) open.regs = null;
  ownLine(open, line);
}

/** Module names of a `Modules linked in:` list: `[last unloaded: x]`-style notes and taint flags `(OE)` left out. */
function splitModules(list: string): string[] {
  const out: string[] = [];
  const n = list.length;
  let i = 0;
  while (i < n) {
    const c = list.charCodeAt(i);
    if (c === 32 || c === 9) {
      i++;
      continue;
    }
    if (c === 91 /* [ */) {
      // `[last unloaded: foo]`, `[permanent]`, `[last ...]`: a note, not a module.
      const close = list.indexOf(']', i);
      if (close > 0 && (list.startsWith('[last unloaded:', i) || list.startsWith('[permanent', i) || list.startsWith('[last ', i))) {
        i = close + 1;
        continue;
      }
    }
    let j = i;
    while (j < n && list.charCodeAt(j) !== 32 && list.charCodeAt(j) !== 9) j++;
    let e = j;
    // A trailing taint flag: `foo(OE)`, `bar(+)`.
    if (list.charCodeAt(e - 1) === 41 /* ) */) {
      const open = list.lastIndexOf('(', e - 1);
      if (open >= i && /^\([A-Z+-]*\)$/.test(list.slice(open, e))) e = open;
    }
    if (e > i && isModuleName(list, i, e)) out.push(list.slice(i, e));
    i = j;
  }
  return out;
}

/** `[\w-]+` */
function isModuleName(s: string, from: number, to: number): boolean {
  for (let k = from; k < to; k++) {
    const c = s.charCodeAt(k);
    if (!((c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 45)) return false;
  }
  return true;
}

/** Reads CPU/PID/Comm/taint/release, Hardware name and the module list. Returns whether the line was one. */
function readFacts(r: Report, message: string, open?: OpenReport, line = -1): boolean {
  let m: RegExpExecArray | null;
  const c = message.charCodeAt(0);
  if (c === 67 /* C */ && (m = CPU_LINE.exec(message))) {
    // The first `CPU:` line tells; a header may have named the task or CPU already (WARNING, OOM).
    if (r.comm === null || r.taint === null) {
      r.cpu ??= Number(m[1]);
      r.pid ??= Number(m[2]);
      r.comm ??= m[3];
      r.taint = taintLetters(m[4]);
      r.release = m[5] ?? null;
    }
    return true;
  }
  if (c === 67 /* C */ && (m = CPU_LINE_TRIMMED.exec(message))) {
    r.cpu ??= Number(m[1]);
    r.pid ??= Number(m[2]);
    r.comm ??= m[3];
    return true;
  }
  if (c === 80 /* P */ && (m = OLD_PID_LINE.exec(message))) {
    if (r.pid === null) {
      r.pid = Number(m[1]);
      r.comm = m[2];
      r.taint = taintLetters(m[3]);
      r.release = m[4];
    }
    return true;
  }
  if (c === 77 /* M */ && (m = MODULES.exec(message))) {
    if (r.modulesLine < 0) {
      r.modules = splitModules(m[1]);
      r.modulesLine = line;
      if (open) open.modulesOpen = true;
    }
    return true;
  }
  if (c === 72 /* H */ && (m = HARDWARE.exec(message))) {
    r.hardware ??= m[1].trim();
    return true;
  }
  if (c === 84 /* T */ && (m = VERBOSE_TAINT.exec(message))) {
    if (r.taint === null || r.taint === '')
      r.taint = [...m[1].matchAll(/\[([A-Z])\]/g)]
        .map((x) => x[1])
        .filter((x) => x !== 'G')
        .join('');
    return true;
  }
  // Indented under a hung task's header, or not when a mailer squeezed the blanks out.
  if ((isRegExpSpace(c) || c === 78 /* N */ || c === 84) /* T */ && (m = TAINT_LINE.exec(message))) {
    if (r.taint === null) {
      r.taint = taintLetters(m[1]);
      r.release = m[2];
    }
    return true;
  }
  if (c >= 48 && c <= 57 && (m = IDENT_TAINT.exec(message))) {
    if (r.taint === null) {
      r.taint = taintLetters(m[2]);
      r.release = m[1];
    }
    return true;
  }
  return false;
}

/** The letters of the flags set, but G (it only says that no proprietary module is loaded). */
function taintLetters(s: string | undefined): string {
  return s === undefined ? '' : s.replace(/[G\s-]/g, '');
}

function guessArchFromRegisters(message: string): Arch | null {
  if (/^\s*(?:RAX|R\d\d|RSP):/.test(message)) return 'x86_64';
  if (/^\s*(?:EAX|ESI):/.test(message)) return 'i386';
  if (/^\s*x\d{1,2}\s?:/.test(message)) return 'arm64';
  if (/^\s*(?:r\d{1,2}\s?:|sp : [0-9a-f]{8}\s)/.test(message)) return 'arm';
  if (/^\s*GPR\d\d:/.test(message)) return 'powerpc';
  if (/^\s*(?:gp|t\d|s\d|a\d|status)\s?:/.test(message)) return 'riscv';
  if (/^\s*Krnl GPRS/.test(message)) return 's390';
  if (/^\s*(?:Hi|Lo|Status|Cause|PrId)\s*:/.test(message)) return 'mips';
  if (/^\s*(?:CSR [a-z]+|CRMD|ESTAT|PRID)\s*:/.test(message)) return 'loongarch';
  return null;
}

function finalizeFacts(r: Report): void {
  if (r.arch) return;
  const rel = r.release ?? '';
  if (/x86_64|amd64/.test(rel)) r.arch = 'x86_64';
  else if (/aarch64|arm64/.test(rel)) r.arch = 'arm64';
  else if (/\.i[3-6]86|i686/.test(rel)) r.arch = 'i386';
  else if (/ppc64|powerpc/.test(rel)) r.arch = 'powerpc';
  else if (/s390/.test(rel)) r.arch = 's390';
  else if (r.stacks.some((s) => s.kind === STACK_KINDS.arm64CallTrace || s.frames.some(isArm64ExceptionEntry))) r.arch = 'arm64';
  else if (r.stacks.some((s) => s.kind === STACK_KINDS.armBacktrace)) r.arch = 'arm';
  else if (r.stacks.some((s) => s.kind === STACK_KINDS.callTrace)) {
    let addr: string | null = null;
    for (let k = 0; k < r.stacks.length && addr === null; k++) addr = r.stacks[k].frames.find((f) => f.address)?.address ?? null;
    r.arch = addr === null ? 'x86_64' : archOfKernelAddress(addr);
  } else if (r.stacks.some((s) => s.kind === STACK_KINDS.kmemleakBacktrace)) {
    // kmemleak prints no registers: x86-64's kernel text and modules are the top 2 GB.
    const addr = r.stacks[0].frames.find((f) => f.address)?.address ?? '';
    if (addr.length === 16 && addr.startsWith('ffffffff') && addr.charCodeAt(8) >= 56 /* 8 */) r.arch = 'x86_64';
  }
}

/**
 * The architecture a `Call Trace:` alone suggests by where its kernel text lives: x86-64 at
 * `ffffffff8...`, s390 low (`00000000001...`, `000003ff8...`), loongarch at `9000...`, 64-bit
 * powerpc at `c000...`; 8 digits: i386 (arm and mips print their own traces and registers).
 */
function archOfKernelAddress(addr: string): Arch | null {
  if (addr.length <= 8) return 'i386';
  if (addr.startsWith('ffff')) return 'x86_64';
  if (addr.startsWith('0000')) return 's390';
  if (addr.startsWith('9000')) return 'loongarch';
  if (addr.startsWith('c000')) return 'powerpc';
  return null;
}

/** arm64 exception entry points: `el0_svc`, `el1h_64_sync`... */
function isArm64ExceptionEntry(f: StackEntry): boolean {
  const n = f.function;
  return n !== null && n.length > 3 && n.charCodeAt(0) === 101 /* e */ && n.charCodeAt(1) === 108 /* l */ && /^el[01]h?_/.test(n);
}

function titleAll(prefixes: PrefixTable, reports: Report[], last: number): void {
  const view: LogView = {
    lineCount: last,
    message: (i) => prefixes.message(i),
    caller: (i) => prefixes.caller(i),
    hasTime: (i) => prefixes.hasTime(i),
    shape: (i) => prefixes.shape(i),
  };
  titleReports(view, reports, 0, reports.length, last);
}

/**
 * The line with the no-break spaces of its indentation read as spaces (web pages and mailers put them
 * there; the title rules, like syzkaller's, know only spaces). Same length: offsets stay valid.
 */
function plainIndent(message: string): string {
  let i = 0;
  let noBreak = false;
  for (; i < message.length; i++) {
    const c = message.charCodeAt(i);
    if (c === 0xa0) noBreak = true;
    else if (c !== 32 && c !== 9) break;
  }
  return noBreak ? message.slice(0, i).replace(/\u00a0/g, ' ') + message.slice(i) : message;
}
