// The crash-log model: plain data with offsets into the parsed text. No vscode or LSP types here;
// the server converts offsets to ranges in one place (service/positions.ts).

/** Half-open character range [start, end) into the parsed text. */
export interface Span {
  start: number;
  end: number;
}

/** The `func+off/size` span of an entry. */
export function symbolSpan(f: { symbolStart: number; symbolEnd: number }): Span {
  return { start: f.symbolStart, end: f.symbolEnd };
}

/**
 * Whether an entry's offset equals its function's size (`lookup_fast+0x3d0/0x3d0`): the address is
 * just past the function's last byte, where the next function starts. As a return address, the
 * call was the function's last instruction (a noreturn callee); otherwise, most often a pointer to
 * the next function (for `__pfx_foo+0x10/0x10`, to foo). The one test of it (findings, hover, symbolizer).
 */
export function atFunctionEnd(f: Pick<StackEntry, 'function' | 'offset' | 'size'>): boolean {
  return f.function !== null && f.offset !== null && f.size !== null && f.size > 0 && f.offset === f.size;
}

/** Offset of the `? ` mark of an unreliable entry (between the entry's start and its symbol), or -1. */
export function questionMarkOf(text: { charCodeAt(offset: number): number }, f: StackEntry): number {
  if (f.reliable) return -1;
  for (let i = f.symbolStart - 1; i >= f.start; i--) if (text.charCodeAt(i) === 63 /* ? */) return i;
  return -1;
}

export type Arch = 'x86_64' | 'i386' | 'arm64' | 'arm' | 'riscv' | 'powerpc' | 's390' | 'mips' | 'loongarch';

/** One stack entry, or the instruction pointer of a register block. */
export interface StackEntry extends Span {
  /** 0-based line of the entry. */
  line: number;
  /** Symbol name as printed (`foo.isra.0`, `__pfx_bar`), or null for a bare address. */
  function: string | null;
  offset: number | null;
  size: number | null;
  module: string | null;
  /** Build id printed after the module (`[mod 3c1f...]`); absent when none (most entries). */
  buildId?: string;
  /** Source location a symbolizer added (`fs/file.c:104`: syzbot `func+0x1/0x2 fs/file.c:104`,
   * decode_stacktrace.sh `func (fs/file.c:104)`), the line in this entry's own function; absent on
   * entries printed without one (most of them). */
  source?: string;
  /** Hex digits without `0x`, or null when the entry prints no address. */
  address: string | null;
  /** False for `? ` entries (found by scanning the stack, not confirmed by the unwinder). */
  reliable: boolean;
  /** Stack context the entry sits in: IRQ, NMI, SOFTIRQ, TASK, #DF, ... or null. */
  context: string | null;
  /** Span of `func+0xoff/0xsize` (or of the bare address), the part symbolizers look up; two
   * numbers rather than a Span object, as logs hold hundreds of thousands of entries. */
  symbolStart: number;
  symbolEnd: number;
  /** True for the exact instruction pointer of a register block (RIP/EIP/pc/NIP); absent for return
   * addresses. Rare fields are left off the common entry: a log holds hundreds of thousands. */
  exact?: true;
}

export interface Register {
  name: string;
  value: string;
  /** Spans of the name (without the colon) and of the value. */
  nameSpan: Span;
  valueSpan: Span;
}

export interface CodeBytes extends Span {
  line: number;
  /** Offset of the marked trapping byte/word (`<0f>`, `(f9400674)`), or -1. */
  trapping: number;
  /** `Bad RIP value.` / `Unable to access opcode bytes at ...`. */
  unavailable: boolean;
}

/** A register dump: a full `__show_regs` block, a partial IRET frame, or the old summary line. */
export interface RegisterBlock extends Span {
  line: number;
  endLine: number;
  /** `full` (RIP..R15 or pc..x0), `iret` (RIP+RSP only), `summary` (≤4.17 `RIP  [<..>]` after the trace). */
  kind: 'full' | 'iret' | 'summary';
  /** RIP/EIP/pc/NIP frame, exact (not a return address). */
  ip: StackEntry | null;
  /** Line of the instruction-pointer line (RIP:, pc :, EIP:, NIP). */
  ipLine: number;
  /** The instruction-pointer register as printed: RIP, IP, EIP, pc, NIP, epc, PSW. */
  ipRegister: string;
  /** User-mode registers (`RIP: 0033:` / `0023`). */
  user: boolean;
  /** Number of `name: value` pairs; the pairs themselves come from registersOf() when needed (hover),
   * as a log holds far more register values than anyone looks at. */
  registerCount: number;
  code: CodeBytes | null;
  /** Stack context the block was printed in (a block inside `<NMI>` belongs to the NMI). */
  context: string | null;
}

/** `<IRQ>` ... `</IRQ>` and friends. */
export interface ContextMarker extends Span {
  line: number;
  name: string;
  /** open: `<IRQ>`, close: `</IRQ>`, `<EOI>`, `<EOE>`, `<<EOE>>`. */
  role: 'open' | 'close';
}

export interface ContextSegment extends Span {
  name: string;
  line: number;
  endLine: number;
}

/**
 * The stack headers the code tells apart. `Stack.kind` is a header as printed (`Allocated by task 12`,
 * `-> #1` ...: the JSON contract's `kind`); code compares it with these names only.
 */
export const STACK_KINDS = {
  /** Old x86's `Stack:` dump of raw words, before or without a call trace. */
  rawWords: 'Stack',
  /** x86, powerpc, riscv, s390 (and an entry found outside any stack). */
  callTrace: 'Call Trace',
  /** arm64. */
  arm64CallTrace: 'Call trace',
  /** arm up to 4.x. */
  armBacktrace: 'Backtrace',
  /** kmemleak's object backtrace. */
  kmemleakBacktrace: 'backtrace',
} as const;

/** A `Stack:` block of raw words only (no entries read from it). */
export function isRawStackWords(stack: Stack): boolean {
  return stack.kind === STACK_KINDS.rawWords && stack.frames.length === 0;
}

export interface Stack extends Span {
  line: number;
  endLine: number;
  /** `Call Trace`, `Call trace`, `Backtrace`, `Allocated by task 1`, `Freed by task 1`, `-> #1`, `Stack`, `stack backtrace` ... */
  kind: string;
  /** Span of the header (`Call Trace:`), or an empty span for a stack without one. */
  header: Span;
  frames: StackEntry[];
  markers: ContextMarker[];
  segments: ContextSegment[];
}

export type ReportKind =
  | 'oops'
  | 'bug'
  | 'gpf'
  | 'warning'
  | 'kasan'
  | 'kmsan'
  | 'kcsan'
  | 'kfence'
  | 'ubsan'
  | 'lockdep'
  | 'hung-task'
  | 'soft-lockup'
  | 'hard-lockup'
  | 'rcu-stall'
  | 'nmi-backtrace'
  | 'panic'
  | 'dump-stack'
  /** An OOM-killer dump (`invoked oom-killer` through `Killed process`): no bug, crash: false. */
  | 'oom'
  /** warn_alloc(): `page allocation failure: order:N, mode:...`, its stack and memory dump. */
  | 'allocation-failure'
  /** One kmemleak object (`unreferenced object 0x...`) and its allocation backtrace. */
  | 'kmemleak'
  | 'other';

export interface ReportFacts {
  arch: Arch | null;
  cpu: number | null;
  pid: number | null;
  comm: string | null;
  /** Taint letters other than G/space; "" when "Not tainted"; null when unknown. */
  taint: string | null;
  release: string | null;
  hardware: string | null;
  modules: string[];
  /** Span of the `Modules linked in:` line. */
  modulesLine: number;
}

export interface Report extends Span, ReportFacts {
  kind: ReportKind;
  /** syzkaller-style title. */
  title: string;
  /** False for an informational stack dump that is no bug report. */
  crash: boolean;
  corrupted: boolean;
  corruptedReason: string | null;
  /**
   * The function the title blames (demangled); where it blames none (`... in corrupted`), the function
   * the RIP line or the header names, if any.
   */
  guiltyFrame: string | null;
  line: number;
  endLine: number;
  /** The header line that started the report (`BUG: ...`, `WARNING: ...`). */
  headerLine: number;
  /** printk caller id of the report (`T123`, `C1`), or null. */
  caller: string | null;
  regs: RegisterBlock[];
  stacks: Stack[];
  /** `cut here` and `end trace` lines. */
  markerLines: number[];
  /** How the report's lines were pasted, when not as the kernel printed them; absent for most reports. */
  pasteShape?: PasteShape;
}

/**
 * What stands around the kernel text on every line of a report: a common indent before the kernel
 * prefix (a paste indented by 4 spaces or a tab; mail quotes are stripped from every line anyway),
 * and a vendor prefix after it (`[1234:kworker/u8]`), as a regular expression source.
 */
export interface PasteShape {
  indent: string;
  vendor: string | null;
}

export type ProblemCode = 'corrupted-report' | 'interleaved-line' | 'interleaved-reports' | 'binary-data' | 'long-line' | 'internal-error';

/** Something the parser noticed and tolerated. */
export interface Problem extends Span {
  line: number;
  code: ProblemCode;
  message: string;
}

/** One line and its prefix (timestamp, caller, syslog host...). */
export interface LinePrefix {
  /** Offset where the kernel's own text starts. */
  textStart: number;
  /** printk caller id without brackets and padding (`T123`, `C1`), or null. */
  caller: string | null;
  /** Span of the time stamp (`[  12.345678]`), or null. */
  time: Span | null;
  /** Span of the whole prefix. */
  prefix: Span;
  /** A syslog/journal line logged by a user-space program (`host sshd[12]: ...`), not by the kernel. */
  userspace: boolean;
}

export interface ParsedLog {
  /** Offsets of the first character of every line; lineStarts.length = number of lines. */
  lineStarts: ArrayLike<number>;
  reports: Report[];
  problems: Problem[];
}
