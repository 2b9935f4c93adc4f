// Which kernel lines start (or continue) a crash report, and what kind of report it is.
//
// Every header form is one entry of HEADER_FORMS below: its regexp, the literal text(s) a line it
// matches starts with, its kind, and (for reports that are mostly not stacks, like an OOM dump) the
// lines that belong to it. The cheap pre-tests (which first characters can start a header, which
// forms to try for a line) are derived from the entries when the module loads; test/unit/headers
// checks each entry's regexp against its declared starts on every fixture line.
import type { ReportKind } from './model.ts';
import { containsOopsHeader, findOopsKind, OOPS_KINDS } from './title/formats.ts';

export interface HeaderMatch {
  kind: ReportKind;
  /** False for informational dumps that are no bug report (NMI backtraces, plain dump_stack, OOM). */
  crash: boolean;
  /**
   * `start`: always opens a new report. `continue`: part of the report already open (a die header
   * after `BUG: unable to handle`, `Kernel panic` after an oops); starts one when none is open.
   */
  role: 'start' | 'continue';
  /** The form that matched (its `body` and `ends` lines, its name). */
  form: HeaderForm;
  /** Offset in the message where the form's text starts (after a pr_fmt prefix). */
  at: number;
  /** Offset where the header, pr_fmt prefix and all, starts: 0 unless a tool or vendor printed something before it. */
  from: number;
  /** The form's named groups (`comm`, `pid`, `cpu`), when it has any. */
  groups: Record<string, string | undefined> | undefined;
}

// pr_fmt prefixes printed in front of some headers (`watchdog: BUG: soft lockup`, `rcu: INFO: ...`).
// Old lockdep (≤3.x) framed its headers in brackets: `[ INFO: possible recursive locking detected ]`.
// Sticky, and read through lastIndex: no match array for every line that is tested.
const PR_FMT = /(?:(?:watchdog|NMI watchdog|rcu|kernel|hung_task|kmemleak|\S+ login): |\[ (?=INFO: |BUG: ))?/y;
/** The literal starts of PR_FMT (the `\S+ login: ` of a console login prompt aside). */
export const PR_FMT_STARTS = ['watchdog: ', 'NMI watchdog: ', 'rcu: ', 'kernel: ', 'hung_task: ', 'kmemleak: ', '[ '];

export interface HeaderForm {
  /** A short name for tests and for the parser's form-specific rules. */
  name: string;
  /**
   * The literal text every line the regexp matches starts with (after the pr_fmt prefix): one of
   * these. Empty for a form found inside a line (`contains`).
   */
  starts: string[];
  /** For a header that follows text of its own (a task name): a literal it always contains. */
  contains?: string;
  re: RegExp;
  kind: ReportKind;
  crash?: boolean;
  role?: 'start' | 'continue';
  /** Lines that contain the header but are no report. */
  not?: RegExp;
  /** Lines of the report that are no stack, registers or facts (an OOM report's memory dump). */
  body?: RegExp;
  /** The line a report of this form ends with (taken, then the report ends at the next foreign line). */
  ends?: RegExp;
  /** A body line that names the report's task (`comm` and `pid` groups). */
  facts?: RegExp;
}

// The memory dump of show_mem()/show_free_areas() (OOM reports, page allocation failures, SysRq m)
// and the OOM killer's task table, memcg summary and verdict lines, all eras.
const MEM_DUMP = new RegExp(
  String.raw`^\s*(?:Mem-Info:|Node \d+ |lowmem_reserve\[\]:|(?:DMA|DMA32|Normal|HighMem|Movable|Device)(?: per-cpu:| free:|: \d)|CPU\s+\d+: hi:|` +
    String.raw`(?:active_anon|active_file|unevictable|slab_reclaimable|mapped|sec_pagetables|kernel_misc_reclaimable|free|isolated_anon|dirty):\d|` +
    String.raw`\d+ total pagecache pages|\d+ pages (?:in swap cache|RAM|HighMem|reserved|cma reserved|hwpoisoned|shared|non-shared)|Swap cache stats:|Free swap|Total swap|` +
    String.raw`Tasks state \(memory values in pages\):|\[\s*pid\s*\]\s+uid|\[\s*\d+\]\s+\d+\s+\d+\s|oom-kill:|(?:Memory cgroup )?[Oo]ut of memory(?: \(oom_kill_allocating_task\))?: Kill|` +
    String.raw`Killed process \d+|oom_reaper: |memory(?:\+swap)?: usage|kmem: usage|Memory cgroup stats for|Unreclaimable slab info:|Name\s+Used\s+Total|\S+ cpuset=\S* mems_allowed=|` +
    String.raw`Task in \S+ killed as a result of limit|[a-z_]+ \d+$|\S+\s+\d+KB\s+\d+KB$|warn_alloc_show_mem:|\S+: page allocation stalls? for)`,
);

/** Exported for the tests that check each form's `starts` against its regexp. */
export const HEADER_FORMS: HeaderForm[] = [
  // Sanitizers: `BUG: KASAN: slab-use-after-free in f+0x1/0x2`.
  { name: 'kasan', starts: ['BUG: KASAN: '], re: /^BUG: KASAN: /, kind: 'kasan' },
  { name: 'kmsan', starts: ['BUG: KMSAN: '], re: /^BUG: KMSAN: /, kind: 'kmsan' },
  { name: 'kcsan', starts: ['BUG: KCSAN: '], re: /^BUG: KCSAN: /, kind: 'kcsan' },
  { name: 'kfence', starts: ['BUG: KFENCE: '], re: /^BUG: KFENCE: /, kind: 'kfence' },
  // `watchdog: BUG: soft lockup - CPU#1 stuck for 22s! [comm:123]`.
  { name: 'soft-lockup', starts: ['BUG: soft lockup'], re: /^BUG: soft lockup/, kind: 'soft-lockup' },
  // Page faults: x86 `BUG: unable to handle page fault for address: ...`, `BUG: kernel NULL pointer dereference, address: 0`;
  // powerpc (5.x+) `BUG: Unable to handle kernel data access on write at 0x...`, `BUG: Kernel NULL pointer dereference on read at 0x0`.
  {
    name: 'bug-fault',
    starts: ['BUG: unable to handle', 'BUG: Unable to handle', 'BUG: kernel NULL pointer', 'BUG: Kernel NULL pointer'],
    re: /^BUG: (?:[Uu]nable to handle|[Kk]ernel NULL pointer)/,
    kind: 'oops',
  },
  // syzkaller's kmemleak reports: `BUG: memory leak`, then the object (`unreferenced object` continues it).
  { name: 'memory-leak', starts: ['BUG: memory leak'], re: /^BUG: memory leak/, kind: 'kmemleak' },
  // Every other `BUG:` (`BUG: sleeping function called from invalid context`, `BUG: Bad page state`)
  // and SLUB's `BUG kmalloc-64 (Not tainted): Object already free`; debugobjects' `ODEBUG:` is no report.
  { name: 'bug', starts: ['BUG:', 'BUG '], re: /^BUG(?::|\s+kmalloc-)/, kind: 'bug', not: /(?:ODEBUG|DEBUG|Boot_DEBUG):/ },
  {
    name: 'lockdep-warning',
    starts: ['WARNING: '],
    re: /^WARNING: (?:possible circular locking|possible recursive locking|inconsistent lock state|suspicious RCU usage|bad unlock balance|held lock freed|lock held when returning|possible irq lock inversion|[A-Z-]+-safe -> [A-Z-]+-unsafe|nested lock|.*lock.*detected)/,
    kind: 'lockdep',
  },
  // WARN(): `WARNING: CPU: 1 PID: 2 at mm/x.c:3 f+0x4/0x5`, `WARNING: at mm/x.c:3 f()` (≤3.x), any other `WARNING:`.
  { name: 'warning', starts: ['WARNING:'], re: /^WARNING:/, kind: 'warning' },
  // Old lockdep: `[ INFO: possible recursive locking detected ]` (the bracket is a pr_fmt prefix here).
  {
    name: 'lockdep-info',
    starts: ['INFO: '],
    re: /^INFO: (?:possible (?:circular|recursive) locking|inconsistent lock state|suspicious RCU usage|possible irq lock inversion|[A-Z-]+-safe -> [A-Z-]+-unsafe|lock held when returning|held lock freed)/,
    kind: 'lockdep',
  },
  // `INFO: task kworker/0:1:12 blocked for more than 120 seconds.` (the comm may hold colons).
  { name: 'hung-task', starts: ['INFO: task '], re: /^INFO: task (?:(?<comm>.+):(?<pid>\d+) |.* )blocked for more than/, kind: 'hung-task' },
  // `rcu: INFO: rcu_preempt self-detected stall on CPU`, `INFO: rcu_sched detected stalls on CPUs/tasks:`.
  { name: 'rcu-stall', starts: ['INFO: '], re: /^INFO: .*(?:stall|stalls) (?:on|detected)|^INFO: .*detected (?:expedited )?stalls/, kind: 'rcu-stall' },
  // Any other `INFO:`; lockdep's notes and SLUB debug's object lines are no reports.
  {
    name: 'info',
    starts: ['INFO: '],
    re: /^INFO: /,
    kind: 'other',
    not: /lockdep is turned off|NMI handler .* took too long|_INFO:|^INFO: (?:0x[0-9a-f]+-0x|Allocated in |Freed in |Slab 0x|Object 0x)/,
  },
  // x86 die headers: `general protection fault, probably for non-canonical address ...: 0000 [#1]` (6.x
  // puts `Oops: ` in front), `stack segment: 0000 [#1]`.
  {
    name: 'gpf',
    starts: [
      'Oops: general protection fault',
      'general protection fault',
      'Oops: stack segment: ',
      'stack segment: ',
      'Oops: segment-related general protection',
      'segment-related general protection',
    ],
    re: /^(?:Oops: )?general protection fault|^(?:Oops: )?stack segment: |^(?:Oops: )?segment-related general protection/,
    kind: 'gpf',
    role: 'continue',
  },
  // The other x86 traps that die: `invalid opcode: 0000 [#1] SMP`, `divide error: 0000`, `bounds: 0000 [#1]`.
  {
    name: 'trap',
    starts: ['Oops: ', 'invalid opcode:', 'divide error:', 'divide_error:', 'int3:', 'double fault:', 'bounds:', 'alignment check:'],
    re: /^(?:Oops: )?(?:invalid opcode|divide error|divide_error|int3|double fault|bounds|alignment check):/,
    kind: 'oops',
    role: 'continue',
  },
  // The die header always carries the die counter: `Oops: 0000 [#1]`, `Oops - BUG: 0 [#1]` (not `Oops: efitime: ...`).
  { name: 'die', starts: ['Oops'], re: /^Oops(?:: .*\[#\d+\]| - .*\[#\d+\]|\[#)/, kind: 'oops', role: 'continue' },
  { name: 'double-fault', starts: ['PANIC: double fault'], re: /^PANIC: double fault/, kind: 'oops' },
  // s390 die(): `data exception: 0007 ilc:3 [#1] SMP`, `monitor event: 0040 ilc:2 [#1]` (after `kernel BUG at`).
  {
    name: 's390-die',
    starts: [
      'addressing exception',
      'data exception',
      'execute exception',
      'fixed point divide exception',
      'fixed point overflow exception',
      'HFP ',
      'illegal operation',
      'monitor event',
      'operand exception',
      'privileged operation',
      'space switch event',
      'special operation exception',
      'specification exception',
      'transaction constraint exception',
      'translation exception',
    ],
    re: /^(?:(?:addressing|data|execute|fixed point divide|fixed point overflow|operand|special operation|specification|transaction constraint|translation) exception|HFP [a-z ]+ exception|illegal operation|monitor event|privileged operation|space switch event): [0-9a-f]{4} ilc:\d \[#\d+\]/,
    kind: 'oops',
    role: 'continue',
  },
  // MIPS die() for BUG(): `Kernel bug detected[#1]:`.
  { name: 'mips-bug', starts: ['Kernel bug detected'], re: /^Kernel bug detected\[#\d+\]/, kind: 'bug', role: 'continue' },
  // BUG(): `kernel BUG at mm/slub.c:123!`; powerpc/s390 `Kernel BUG at 0x...`.
  { name: 'kernel-bug', starts: ['kernel BUG', 'Kernel BUG'], re: /^[Kk]ernel BUG/, kind: 'bug' },
  // arm/arm64/riscv/powerpc faults: `Unable to handle kernel paging request at virtual address ...`.
  { name: 'arm-fault', starts: ['Unable to handle kernel'], re: /^Unable to handle kernel/, kind: 'oops' },
  // arm/arm64 die: `Internal error: Oops: 96000004 [#1] PREEMPT SMP`.
  { name: 'internal-error', starts: ['Internal error:'], re: /^Internal error:/, kind: 'oops', role: 'continue' },
  // arm: `Unhandled fault: page domain fault (0x01b) at 0x00000000`, `Alignment trap: not handling instruction ...`.
  { name: 'arm-trap', starts: ['Unhandled fault:', 'Alignment trap:'], re: /^(?:Unhandled fault:|Alignment trap:)/, kind: 'oops' },
  { name: 'panic', starts: ['Kernel panic - not syncing'], re: /^Kernel panic - not syncing/, kind: 'panic', role: 'continue' },
  { name: 'ubsan', starts: ['UBSAN:'], re: /^UBSAN:/, kind: 'ubsan' },
  {
    name: 'hard-lockup',
    starts: ['NMI watchdog: Watchdog detected hard LOCKUP', 'Watchdog detected hard LOCKUP'],
    re: /^(?:NMI watchdog: )?Watchdog detected hard LOCKUP/,
    kind: 'hard-lockup',
  },
  { name: 'rust-panic', starts: ['rust_kernel: panicked'], re: /^rust_kernel: panicked/, kind: 'bug' },
  // One-line reports syzkaller knows.
  {
    name: 'one-liner',
    starts: ['unregister_netdevice: waiting for', 'VFS: Busy inodes after unmount', 'VFS: Close: file count is 0'],
    re: /^(?:unregister_netdevice: waiting for|VFS: Busy inodes after unmount|VFS: Close: file count is 0)/,
    kind: 'other',
  },
  // lib/nmi_backtrace.c: `NMI backtrace for cpu 1`, `NMI backtrace for cpu 1 skipped: idling at f+0x1/0x2`.
  {
    name: 'nmi-backtrace',
    starts: ['NMI backtrace for cpu '],
    re: /^NMI backtrace for cpu (?<cpu>\d+)(?:$| )/,
    kind: 'nmi-backtrace',
    crash: false,
    role: 'continue',
  },
  // kmemleak, one report per object (from /sys/kernel/debug/kmemleak, or the console with kmemleak.verbose):
  // `unreferenced object 0xffff888012345678 (size 64):`, `  comm "modprobe", pid 1, jiffies 4294...`,
  // `  hex dump (first 32 bytes):`, hex lines, `  backtrace (crc 3f1b2a4c):` and its entries.
  {
    name: 'kmemleak',
    starts: ['unreferenced object 0x'],
    re: /^unreferenced object 0x[0-9a-f]+ \(size \d+\):/,
    kind: 'kmemleak',
    role: 'continue',
    body: /^\s+(?:comm "|hex dump \(first \d+ bytes\):|(?:[0-9a-f]{2} ){1,16} )/,
    facts: /^\s+comm "(?<comm>.*)", pid (?<pid>\d+)/,
  },
  // mm/oom_kill.c: `stress invoked oom-killer: gfp_mask=0x140cca(GFP_HIGHUSER_MOVABLE), order=0, oom_score_adj=0`,
  // the task's stack, the memory dump, the task table, then `Out of memory: Killed process 1234 (stress) ...`
  // (≤5.0 `Killed process 1234 (stress) ...`) and `oom_reaper: reaped process 1234 (stress), ...`. No bug.
  // (`continue`: a line of another task's OOM printed inside a stack is part of that report; parse.ts.)
  {
    name: 'oom',
    starts: [],
    contains: ' invoked oom-killer: ',
    re: /^(?<comm>.+?) invoked oom-killer: gfp_mask=/,
    kind: 'oom',
    crash: false,
    role: 'continue',
    body: MEM_DUMP,
    ends: /^(?:(?:Memory cgroup )?[Oo]ut of memory(?: \(oom_kill_allocating_task\))?: Killed process|Killed process \d+|oom_reaper: reaped process)/,
  },
  // mm/page_alloc.c warn_alloc(): `kworker/0:1: page allocation failure: order:5, mode:0x40cc0(GFP_KERNEL|__GFP_COMP), ...`
  // (≤3.x `page allocation failure. order:1, mode:0x20`), the stack and the memory dump. abrt and lkp report these.
  {
    name: 'allocation-failure',
    starts: [],
    contains: ': page allocation failure',
    re: /^(?<comm>.+?): page allocation failure[:.] order:/,
    kind: 'allocation-failure',
    body: MEM_DUMP,
  },
];

/** The forms that start at the beginning of the text, by the first character of their starts, in table order. */
const FORMS_BY_FIRST = new Map<number, HeaderForm[]>();
/** Every character a header (or a pr_fmt prefix in front of one) can start with: a cheap pre-test. */
const FIRST = new Set<number>();
/** The forms found inside a line, with the literal each always contains. */
const CONTAINED: HeaderForm[] = [];
for (const form of HEADER_FORMS) {
  if (form.contains !== undefined) CONTAINED.push(form);
  for (const code of new Set(form.starts.map((s) => s.charCodeAt(0)))) {
    const list = FORMS_BY_FIRST.get(code) ?? [];
    list.push(form);
    FORMS_BY_FIRST.set(code, list);
    FIRST.add(code);
  }
}
for (const s of PR_FMT_STARTS) FIRST.add(s.charCodeAt(0));
/** Any of the CONTAINED literals (one scan of the line instead of one per form). */
const ANY_CONTAINED = new RegExp(CONTAINED.map((f) => f.contains!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'));

/** Classifies one line's kernel text (prefix already removed). */
export function matchReportHeader(message: string): HeaderMatch | null {
  const first = message.charCodeAt(0);
  const anchored = FIRST.has(first) ? matchAnchored(message, 0) : undefined;
  if (anchored === null) return null;
  // Indented lines (stack entries, continued registers) hold no headers; skip the costlier test.
  if (anchored === undefined && (first === 32 || first === 9)) return null;
  // syzkaller takes a header anywhere in a line (behind `login: `, `** N printk messages dropped **`,
  // a Go log time stamp, a device name, `[ ` of old lockdep banners), unless it is a known false alarm.
  if (!containsOopsHeader(message)) {
    if (anchored === undefined) {
      if (ANY_CONTAINED.test(message)) {
        for (const form of CONTAINED) if (message.includes(form.contains!)) return matchForm(form, message, 0, 0) ?? null;
      }
    }
    return anchored ?? null;
  }
  const kind = findOopsKind(message);
  if (!kind) return null;
  if (anchored) return anchored;
  const at = message.indexOf(kind.header);
  // `INFO:` inside a word is none (LTP's `TINFO:`; other headers run into the end of a line merged with them).
  // `Kernel panic` in prose (`Kernel panic:`, `Kernel panic when ...`) is none either: the kernel prints only
  // `Kernel panic - not syncing`.
  if (at > 0 && kind.header === 'INFO:' && isWordChar(message.charCodeAt(at - 1))) return null;
  // A quoted header is a mention (the kernel test robot's `noticed "WARNING:at_mm/slab_common.c:#kmem_cache_destroy" on:`,
  // `log1 is "Unable to handle kernel paging request ..."`).
  if (at > 0 && QUOTE_MARKS.includes(message.charAt(at - 1))) return null;
  const inner = at > 0 ? matchAnchored(message, at) : undefined;
  if (inner === undefined && kind.header === 'Kernel panic') return null;
  return inner ?? { kind: 'other', crash: true, role: 'start', form: OTHER_FORM, at, from: at, groups: undefined };
}

/** Characters that put a header found inside a line in quotes. */
const QUOTE_MARKS = '"\'`\u201c\u2018';

function isWordChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

/** A header syzkaller knows that no form here names (`trusty: panic`, `fatal error:`). */
const OTHER_FORM: HeaderForm = { name: 'other', starts: [], re: /(?:)/, kind: 'other' };

/** The anchored forms on message[from..]; null for a suppressed header, undefined for no header. */
function matchAnchored(message: string, from: number): HeaderMatch | null | undefined {
  PR_FMT.lastIndex = from;
  const skip = PR_FMT.test(message) ? PR_FMT.lastIndex - from : 0;
  const at = from + skip;
  const text = at ? message.slice(at) : message;
  const forms = FORMS_BY_FIRST.get(text.charCodeAt(0));
  if (forms === undefined) return undefined;
  for (const form of forms) {
    const m = matchForm(form, text, at, from);
    if (m !== undefined) return m;
  }
  return undefined;
}

/** One form on `text` (which starts at offset `at` of the message): a match, null when suppressed, else undefined. */
function matchForm(form: HeaderForm, text: string, at: number, from: number): HeaderMatch | null | undefined {
  const m = form.re.exec(text);
  if (m === null) return undefined;
  if (form.not?.test(text)) return null;
  return { kind: form.kind, crash: form.crash ?? true, role: form.role ?? 'start', form, at, from, groups: m.groups };
}

/** All forms on the text, with no pre-test (for the test that the derived pre-tests turn no header away). */
export function matchAnyForm(text: string): HeaderForm | null {
  for (const form of HEADER_FORMS) if (form.re.test(text)) return form.not?.test(text) ? null : form;
  return null;
}

// WARN()'s own header lines: `WARNING: CPU: 1 PID: 2 at f.c:3 g+0x4/0x5`, `WARNING: at f.c:3 g()` (≤3.x),
// `WARNING: f.c:3 at g+0x4/0x5, CPU#1: comm/2` (6.x), `WARNING: [cond] f.c:3 at ...`.
const WARN_SITE = /^WARNING: (?:CPU: |at \S+:\d+|\S+:\d+ at |\[)/;
const WARNING_TITLES = OOPS_KINDS.find((k) => k.header === 'WARNING:')!.formats.map((f) => f.title);

/**
 * Whether the text of a `WARNING:` header (from `WARNING:` on) reads as a plain printk message: no
 * WARN() site, none of the warnings syzkaller names (lockdep, stack checks), and a sentence of at
 * least three words (`WARNING: driver foo did not ...`), not a header cut short. Such a line opens
 * a report only when a splat follows it (parse.ts).
 */
export function isPlainWarningText(text: string): boolean {
  if (WARN_SITE.test(text)) return false;
  if (text.slice(8).trim().split(/\s+/).length < 3) return false;
  for (const title of WARNING_TITLES) if (title.test(text)) return false;
  return true;
}
