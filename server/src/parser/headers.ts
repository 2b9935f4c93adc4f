// Which kernel lines start (or continue) a crash report, and what kind of report it is.
import type { ReportKind } from './model.ts';
import { containsOopsHeader, findOopsKind } from './title/formats.ts';

export interface HeaderMatch {
  kind: ReportKind;
  /** False for informational dumps that are no bug report (NMI backtraces, plain dump_stack). */
  crash: boolean;
  /**
   * `start`: always opens a new report. `continue`: part of the report already open (a die header
   * after `BUG: unable to handle`, `Kernel panic` after an oops); starts one when none is open.
   */
  role: 'start' | 'continue';
  /** Offset of the header in the line's text: 0, or past what a tool or vendor printed before it. */
  at: number;
}

// pr_fmt prefixes printed in front of some headers (`watchdog: BUG: soft lockup`, `rcu: INFO: ...`).
// Old lockdep (≤3.x) framed its headers in brackets: `[ INFO: possible recursive locking detected ]`.
// Sticky, and read through lastIndex: no match array for every line that is tested.
const PR_FMT = /(?:(?:watchdog|NMI watchdog|rcu|kernel|hung_task|\S+ login): |\[ (?=INFO: |BUG: ))?/y;

export interface HeaderRule {
  /** The characters the rule's text can start with (after the pr_fmt prefix). */
  first: string;
  re: RegExp;
  kind: ReportKind;
  crash?: boolean;
  role?: 'start' | 'continue';
  /** Lines that contain the header but are no report. */
  not?: RegExp;
}

/** Exported for the test that checks each rule's `first` against its regexp. */
export const RULES: HeaderRule[] = [
  { first: 'B', re: /^BUG: KASAN: /, kind: 'kasan' },
  { first: 'B', re: /^BUG: KMSAN: /, kind: 'kmsan' },
  { first: 'B', re: /^BUG: KCSAN: /, kind: 'kcsan' },
  { first: 'B', re: /^BUG: KFENCE: /, kind: 'kfence' },
  { first: 'B', re: /^BUG: soft lockup/, kind: 'soft-lockup' },
  { first: 'B', re: /^BUG: (?:unable to handle|kernel NULL pointer dereference)/, kind: 'oops' },
  { first: 'B', re: /^BUG(?::|\s+kmalloc-)/, kind: 'bug', not: /(?:ODEBUG|DEBUG|Boot_DEBUG):/ },
  {
    first: 'W',
    re: /^WARNING: (?:possible circular locking|possible recursive locking|inconsistent lock state|suspicious RCU usage|bad unlock balance|held lock freed|lock held when returning|possible irq lock inversion|[A-Z-]+-safe -> [A-Z-]+-unsafe|nested lock|.*lock.*detected)/,
    kind: 'lockdep',
  },
  { first: 'W', re: /^WARNING:/, kind: 'warning' },
  { first: 'I', re: /^INFO: (?:possible (?:circular|recursive) locking|inconsistent lock state|suspicious RCU usage|possible irq lock inversion|[A-Z-]+-safe -> [A-Z-]+-unsafe|lock held when returning|held lock freed)/, kind: 'lockdep' },
  { first: 'I', re: /^INFO: task .* blocked for more than/, kind: 'hung-task' },
  { first: 'I', re: /^INFO: .*(?:stall|stalls) (?:on|detected)|^INFO: .*detected (?:expedited )?stalls/, kind: 'rcu-stall' },
  { first: 'I', re: /^INFO: /, kind: 'other', not: /lockdep is turned off|NMI handler .* took too long|_INFO:|^INFO: (?:0x[0-9a-f]+-0x|Allocated in |Freed in |Slab 0x|Object 0x)/ },
  { first: 'Ogs', re: /^(?:Oops: )?general protection fault|^(?:Oops: )?stack segment: |^(?:Oops: )?segment-related general protection/, kind: 'gpf', role: 'continue' },
  { first: 'Oidba', re: /^(?:Oops: )?(?:invalid opcode|divide error|divide_error|int3|double fault|bounds|alignment check):/, kind: 'oops', role: 'continue' },
  // The die header always carries the die counter: `Oops: 0000 [#1]`, `Oops - BUG: 0 [#1]` (not `Oops: efitime: ...`).
  { first: 'O', re: /^Oops(?:: .*\[#\d+\]| - .*\[#\d+\]|\[#)/, kind: 'oops', role: 'continue' },
  { first: 'P', re: /^PANIC: double fault/, kind: 'oops' },
  { first: 'Kk', re: /^[Kk]ernel BUG/, kind: 'bug' },
  { first: 'U', re: /^Unable to handle kernel/, kind: 'oops' },
  { first: 'I', re: /^Internal error:/, kind: 'oops', role: 'continue' },
  { first: 'UA', re: /^(?:Unhandled fault:|Alignment trap:)/, kind: 'oops' },
  { first: 'K', re: /^Kernel panic - not syncing/, kind: 'panic', role: 'continue' },
  { first: 'U', re: /^UBSAN:/, kind: 'ubsan' },
  { first: 'NW', re: /^(?:NMI watchdog: )?Watchdog detected hard LOCKUP/, kind: 'hard-lockup' },
  { first: 'r', re: /^rust_kernel: panicked/, kind: 'bug' },
  { first: 'uV', re: /^(?:unregister_netdevice: waiting for|VFS: Busy inodes after unmount|VFS: Close: file count is 0)/, kind: 'other' },
  { first: 'N', re: /^NMI backtrace for cpu \d+$|^NMI backtrace for cpu \d+ /, kind: 'nmi-backtrace', crash: false, role: 'continue' },
];

/** The rules by the first character of the text they can match, in rule order. */
const RULES_BY_FIRST = new Map<number, HeaderRule[]>();
for (const rule of RULES) {
  for (const ch of rule.first) {
    const code = ch.charCodeAt(0);
    const list = RULES_BY_FIRST.get(code) ?? [];
    list.push(rule);
    RULES_BY_FIRST.set(code, list);
  }
}

/** Cheap pre-check: every header starts with one of these characters after the pr_fmt prefix. */
const FIRST = new Set('BWIgsOiPdkKUNruVpnwhcS['.split(''));

/** Classifies one line's kernel text (prefix already removed). */
export function matchReportHeader(message: string): HeaderMatch | null {
  const first = message.charCodeAt(0);
  const anchored = FIRST.has(message.charAt(0)) ? matchAnchored(message) : undefined;
  if (anchored === null) return null;
  // Indented lines (stack entries, continued registers) hold no headers; skip the costlier test.
  if (anchored === undefined && (first === 32 || first === 9)) return null;
  // syzkaller takes a header anywhere in a line (behind `login: `, `** N printk messages dropped **`,
  // a Go log time stamp, a device name, `[ ` of old lockdep banners), unless it is a known false alarm.
  if (!containsOopsHeader(message)) {
    // warn_alloc(): `comm: page allocation failure: order:5, mode:...` and a stack — a warning of
    // its own that syzkaller leaves out but abrt and lkp report.
    if (anchored === undefined && message.includes(': page allocation failure: order:')) return { kind: 'warning', crash: true, role: 'start', at: 0 };
    return anchored ?? null;
  }
  const kind = findOopsKind(message);
  if (!kind) return null;
  if (anchored) return anchored;
  const at = Math.max(0, message.indexOf(kind.header));
  const inner = at > 0 ? matchAnchored(message.slice(at)) : undefined;
  return inner ? { ...inner, at } : { kind: 'other', crash: true, role: 'start', at };
}

/** The anchored rules; null for a suppressed header, undefined for no header. */
function matchAnchored(message: string): HeaderMatch | null | undefined {
  PR_FMT.lastIndex = 0;
  const skip = PR_FMT.test(message) ? PR_FMT.lastIndex : 0;
  const text = skip ? message.slice(skip) : message;
  const rules = RULES_BY_FIRST.get(text.charCodeAt(0));
  if (rules === undefined) return undefined;
  for (const rule of rules) {
    if (rule.re.test(text)) {
      if (rule.not && rule.not.test(text)) return null;
      return { kind: rule.kind, crash: rule.crash ?? true, role: rule.role ?? 'start', at: 0 };
    }
  }
  return undefined;
}
