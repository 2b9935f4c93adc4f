// The crash kinds syzkaller knows, keyed by a header string, each with its title formats.
//
// A format's `title` is a one-line regexp; the format whose title matches earliest in the report text
// wins (ties: the first in the list). `report`, when given, must match the report text too (else the
// report is "corrupted"), and its groups replace the title's. `fmt` builds the title from the groups
// ({1}, {2}, ...) followed by the frames the stack recipe picked.
import { CALL_TRACE, IP_LINE, rx } from './patterns.ts';
import { STACK, compileRecipe, type CompiledRecipe, type StackRecipe } from './stack.ts';

export interface TitleFormat {
  title: RegExp;
  /** Text every match of `title` starts with (requiredPrefix), or '' when there is none to test first. */
  titlePrefix: string;
  report?: RegExp;
  fmt: string;
  stack?: CompiledRecipe;
  /** The report has no stack trace to check (sanitizer reports with their own layout, one-liners). */
  noStackTrace?: boolean;
  /** Matching this format means the interesting part of the report was lost. */
  corrupted?: boolean;
  /** The title may run on into the next line (a task name with a newline in it). */
  twoLineTitle?: boolean;
}

export interface OopsKind {
  /** Plain substring that marks a report start anywhere in a line. */
  header: string;
  formats: TitleFormat[];
  /** Lines with the header that are no report. */
  suppress: RegExp[];
}

interface FormatSpec {
  title: string | RegExp;
  report?: string | RegExp;
  fmt: string;
  stack?: StackRecipe;
  noStackTrace?: boolean;
  corrupted?: boolean;
  twoLineTitle?: boolean;
}

/**
 * The literal text every match of `re` begins with: the characters of its source up to the first
 * one with a special meaning (a character made optional by a quantifier after it is left out), or
 * '' when the source has an alternative at the top level or flags that change what matches. A line
 * without this text cannot match, and `includes` tells that faster than the expression does.
 */
export function requiredPrefix(re: RegExp): string {
  if (re.flags.replace(/[gyd]/g, '') !== '') return '';
  const src = re.source;
  if (hasTopLevelAlternative(src)) return '';
  let out = '';
  let i = src.charCodeAt(0) === 94 /* ^ */ ? 1 : 0;
  while (i < src.length) {
    let ch = src[i];
    let width = 1;
    if (ch === '\\') {
      const next = src[i + 1];
      if (next === undefined || /[A-Za-z0-9]/.test(next)) break; // \d, \s, \b, \1 ...
      ch = next;
      width = 2;
    } else if ('.[](){}*+?|^$'.includes(ch)) {
      break;
    }
    const after = src[i + width];
    if (after === '?' || after === '*' || after === '{') break; // this character may be absent
    out += ch;
    i += width;
    if (after === '+') break; // repeated: what follows need not come right after one copy
  }
  return out;
}

function hasTopLevelAlternative(src: string): boolean {
  let depth = 0;
  let inClass = false;
  for (let i = 0; i < src.length; i++) {
    const ch = src[i];
    if (ch === '\\') {
      i++;
      continue;
    }
    if (inClass) {
      if (ch === ']') inClass = false;
      continue;
    }
    if (ch === '[') inClass = true;
    else if (ch === '(') depth++;
    else if (ch === ')') depth--;
    else if (ch === '|' && depth === 0) return true;
  }
  return false;
}

function fmt(spec: FormatSpec): TitleFormat {
  const title = typeof spec.title === 'string' ? rx(spec.title) : spec.title;
  return {
    title,
    titlePrefix: requiredPrefix(title),
    report: spec.report === undefined ? undefined : typeof spec.report === 'string' ? rx(spec.report) : spec.report,
    fmt: spec.fmt,
    stack: spec.stack ? compileRecipe(spec.stack) : undefined,
    noStackTrace: spec.noStackTrace,
    corrupted: spec.corrupted,
    twoLineTitle: spec.twoLineTitle,
  };
}

// Common recipes.
/** RIP line (its function counts as a frame), then the call trace. */
const ripThenTrace = (skip?: string[]): StackRecipe => ({ parts: [IP_LINE, CALL_TRACE, STACK], skip });
/** Only the call trace. */
const trace = (skip?: string[]): StackRecipe => ({ parts: [CALL_TRACE, STACK], skip });
/**
 * WARNINGs trap: newer kernels print the stack after the RIP line (powerpc: `--- interrupt: N at f`),
 * older ones just a call trace.
 */
const warningStack = (...skip: string[]): StackRecipe => ({
  parts: [new RegExp(`(?:${IP_LINE.source}|--- interrupt: [0-9]+ at ${rx('{{FUNC}}').source})`), STACK],
  fallback: [CALL_TRACE, STACK],
  skip,
});
/** Lockdep reports name the lock site in `at: func+0x..` lines. */
const AT_FUNC = String.raw`at: (?:{{PC}} +)?{{FUNC}}`;

const KMSAN_SKIP_USB = ['alloc_skb', 'usb_submit_urb', 'usb_start_wait_urb', 'usb_bulk_msg', 'usb_interrupt_msg', 'usb_control_msg'];
const KMSAN_ORIGIN = /(Local variable .* created at:|Uninit was created at:)/;
const KFENCE_FUNC = String.raw`BUG: KFENCE: (?:[a-z\- ]+) in {{FUNC}}`;

const BUG_FORMATS: FormatSpec[] = [
  {
    title: 'BUG: KASAN:',
    report: String.raw`BUG: KASAN: ([a-z\-]+) in {{FUNC}}(?:.*\n)+?.*(Read|Write) (?:of size|at addr) (?:[0-9a-f]+)`,
    fmt: 'KASAN: {1} {3} in {4}',
    // KASAN_HW_TAGS reports go through the arm64 fault path.
    stack: {
      parts: [rx(String.raw`BUG: KASAN: (?:[a-z\-]+) in {{FUNC}}`), CALL_TRACE, STACK],
      skip: ['kernel_fault', 'tag_check', 'mem_abort', '^el1_', '^el1h_'],
    },
  },
  {
    title: 'BUG: KASAN:',
    report: String.raw`BUG: KASAN: (?:double-free or invalid-free|double-free|invalid-free) in {{FUNC}}`,
    fmt: 'KASAN: invalid-free in {2}',
    stack: {
      parts: [rx(String.raw`BUG: KASAN: (?:double-free or invalid-free|double-free|invalid-free) in {{FUNC}}`), CALL_TRACE, STACK],
      skip: ['slab_', 'kfree', 'vunmap', 'vfree'],
    },
  },
  // Old KASAN: `BUG: KASAN: use-after-free on address ...` with the access on a later line.
  {
    title: String.raw`BUG: KASAN: ([a-z\-]+) on address`,
    report: String.raw`BUG: KASAN: ([a-z\-]+) on address(?:.*\n)+?.*(Read|Write) of size ([0-9]+)`,
    fmt: 'KASAN: {1} {2}',
  },
  { title: 'BUG: KASAN: (.*)', fmt: 'KASAN: {1}', corrupted: true },
  {
    title: 'BUG: KMSAN: kernel-usb-infoleak',
    report: 'BUG: KMSAN: kernel-usb-infoleak in {{FUNC}}',
    fmt: 'KMSAN: kernel-usb-infoleak in {2}',
    stack: { parts: [STACK, KMSAN_ORIGIN, STACK], skip: KMSAN_SKIP_USB },
    noStackTrace: true,
  },
  {
    title: 'BUG: KMSAN:',
    report: String.raw`BUG: KMSAN: ([a-z\-]+) in {{FUNC}}`,
    fmt: 'KMSAN: {1} in {3}',
    // Crypto code is where uninit data is used, but the bug is in whoever passed it in.
    stack: { parts: [STACK, KMSAN_ORIGIN, STACK], skip: ['alloc_skb', 'netlink_ack', 'netlink_rcv_skb', '_encrypt$', '^(?:crypto|cipher|drbg|rng)_'] },
    noStackTrace: true,
  },
  { title: 'BUG: KCSAN: data-race', report: 'BUG: KCSAN: (.*)', fmt: 'KCSAN: {1}', noStackTrace: true },
  { title: 'BUG: KCSAN:', report: 'BUG: KCSAN: (.*)', fmt: 'KCSAN: {1}', noStackTrace: true },
  { title: 'BUG: KFENCE: (use-after-free|out-of-bounds) (read|write) in {{FUNC}}', fmt: 'KFENCE: {1} {2} in {4}', stack: { parts: [rx(KFENCE_FUNC), STACK] } },
  { title: 'BUG: KFENCE: invalid free in {{FUNC}}', fmt: 'KFENCE: invalid free in {2}', noStackTrace: true, stack: { parts: [rx(KFENCE_FUNC), STACK] } },
  { title: 'BUG: KFENCE: invalid (read|write) in {{FUNC}}', fmt: 'KFENCE: invalid {1} in {3}', stack: { parts: [rx(KFENCE_FUNC), STACK] } },
  {
    title: 'BUG: KFENCE: memory corruption in {{FUNC}}',
    fmt: 'KFENCE: memory corruption in {2}',
    noStackTrace: true,
    stack: { parts: [rx(KFENCE_FUNC), STACK] },
  },
  {
    title: 'BUG: (?:unable to handle kernel paging request|unable to handle page fault for address|Unable to handle kernel data access)',
    fmt: 'BUG: unable to handle kernel paging request in {1}',
    stack: ripThenTrace(),
  },
  {
    title: 'BUG: (?:unable to handle kernel NULL pointer dereference|kernel NULL pointer dereference|Kernel NULL pointer dereference)',
    fmt: 'BUG: unable to handle kernel NULL pointer dereference in {1}',
    stack: ripThenTrace(),
  },
  // The second half of the header is a separate printk and may be lost.
  { title: 'BUG: (?:unable to handle kernel|Unable to handle kernel)', fmt: 'BUG: unable to handle kernel', corrupted: true },
  {
    title: 'BUG: (spinlock|rwlock) (lockup suspected|already unlocked|recursion|cpu recursion|bad magic|wrong owner|wrong CPU|trylock failure on UP)',
    fmt: 'BUG: {1} {2} in {3}',
    stack: trace(['spin_', '_lock', '_unlock']),
  },
  { title: 'BUG: soft lockup', fmt: 'BUG: soft lockup in {1}', stack: { ...ripThenTrace(), pick: 'stall', stuckAtIp: true } },
  {
    title: 'BUG: .*still has locks held!',
    report: String.raw`BUG: .*still has locks held!(?:.*\n)+?.*{{PC}} +{{FUNC}}`,
    fmt: 'BUG: still has locks held in {1}',
  },
  { title: 'BUG: scheduling while atomic', fmt: 'BUG: scheduling while atomic in {1}', stack: trace(['schedule']) },
  {
    title: 'BUG: lock held when returning to user space',
    report: String.raw`BUG: lock held when returning to user space(?:.*\n)+?.*leaving the kernel with locks still held(?:.*\n)+?.*${AT_FUNC}`,
    fmt: 'BUG: lock held when returning to user space in {1}',
    noStackTrace: true,
  },
  { title: 'BUG: bad unlock balance detected!', fmt: 'BUG: bad unlock balance in {1}', stack: { parts: [rx('{{PC}} +{{FUNC}}'), CALL_TRACE, STACK] } },
  { title: 'BUG: held lock freed!', report: String.raw`BUG: held lock freed!(?:.*\n)+?.*{{PC}} +{{FUNC}}`, fmt: 'BUG: held lock freed in {1}' },
  { title: 'BUG: Bad rss-counter state', fmt: 'BUG: Bad rss-counter state', noStackTrace: true },
  { title: 'BUG: non-zero nr_ptes on freeing mm', fmt: 'BUG: non-zero nr_ptes on freeing mm', noStackTrace: true },
  { title: 'BUG: non-zero nr_pmds on freeing mm', fmt: 'BUG: non-zero nr_pmds on freeing mm', noStackTrace: true },
  // File system type and block device are left out of the title: they only split one bug into many.
  {
    title: 'BUG: Dentry .* still in use',
    report: String.raw`BUG: Dentry .* still in use \([0-9]+\) \[(unmount) of ([^\]]+)\]`,
    fmt: 'BUG: Dentry still in use in {1}',
  },
  {
    title: 'BUG: Bad page (state|cache)',
    fmt: 'BUG: Bad page {1} in {2}',
    stack: {
      parts: [/page last allocated/, STACK],
      skip: ['(free|put|get|update|release)_page', 'free_unref', '^_*folio', 'truncate_inode_pages', 'page_frag_free', 'alloc', 'vmap', 'page_owner'],
    },
  },
  { title: 'BUG: Bad page map', fmt: 'BUG: Bad page map' },
  { title: 'BUG: workqueue lockup', fmt: 'BUG: workqueue lockup', noStackTrace: true },
  { title: 'BUG: sleeping function called from invalid context at (.*)', fmt: 'BUG: sleeping function called from invalid context in {2}', stack: trace() },
  {
    title: String.raw`BUG: using ([a-z_]+)\(\) in preemptible`,
    fmt: 'BUG: using {1}() in preemptible code in {2}',
    stack: trace(['dump_stack', 'preemption', 'preempt', 'debug_', 'processor_id', 'this_cpu']),
  },
  {
    title: 'BUG: workqueue leaked lock or atomic',
    report: String.raw`BUG: workqueue leaked lock or atomic(?:.*\n)+?.*last function: ([a-zA-Z0-9_]+)\n`,
    fmt: 'BUG: workqueue leaked lock or atomic in {1}',
    noStackTrace: true,
  },
  {
    title: 'BUG: memory leak',
    fmt: 'memory leak in {1}',
    stack: {
      parts: [/backtrace(?: \(crc [0-9a-fA-F]*\))?:/, STACK],
      skip: [
        'kmemleak',
        'mmap',
        'kmem',
        'slab',
        'alloc',
        'create_object',
        'idr_get',
        'list_lru_init',
        'kasprintf',
        'kvasprintf',
        'pcpu_create',
        'strdup',
        'strndup',
        'memdup',
      ],
    },
  },
  { title: 'BUG: .*stack guard page was hit at', fmt: 'BUG: stack guard page was hit in {1}', stack: { ...ripThenTrace(), pick: 'stall' } },
  // arm/arm64 print lockdep's wait-context check like this; amd64 has a WARNING for it.
  { title: 'BUG: Invalid wait context', fmt: 'WARNING: locking bug in {1}', stack: trace(['lock_sock', 'release_sock']) },
  { title: String.raw`BUG:\s*$`, fmt: 'BUG: corrupted', corrupted: true },
];

const WARNING_FORMATS: FormatSpec[] = [
  {
    title: String.raw`WARNING: .*lib/debugobjects\.c.* (?:debug_print|debug_check|at)`,
    fmt: 'WARNING: ODEBUG bug in {1}',
    stack: warningStack('debug_', 'rcu', 'hrtimer_', 'timer_', 'work_', 'percpu_', 'vunmap', 'vfree', '__free_', 'debug_check', 'kobject_'),
  },
  { title: String.raw`WARNING: .*mm/usercopy\.c.* (?:usercopy_warn|at)`, fmt: 'WARNING: bad usercopy in {1}', stack: warningStack('usercopy', '__check') },
  { title: String.raw`WARNING: .*lib/kobject\.c.* (?:kobject_|at)`, fmt: 'WARNING: kobject bug in {1}', stack: warningStack('kobject_') },
  { title: String.raw`WARNING: .*fs/proc/generic\.c.* (?:proc_register|at)`, fmt: 'WARNING: proc registration bug in {1}', stack: warningStack('proc_') },
  { title: String.raw`WARNING: .*lib/refcount\.c.* (?:refcount_|at)`, fmt: 'WARNING: refcount bug in {1}', stack: warningStack('refcount', 'kobject_') },
  { title: String.raw`WARNING: .*kernel/locking/lockdep\.c.*lock_`, fmt: 'WARNING: locking bug in {1}', stack: warningStack('lock_sock', 'release_sock') },
  {
    title: 'WARNING: .*still has locks held!',
    report: String.raw`WARNING: .*still has locks held!(?:.*\n)+?.*at: {{FUNC}}`,
    fmt: 'WARNING: still has locks held in {1}',
  },
  { title: 'WARNING: Nested lock was not taken', fmt: 'WARNING: nested lock was not taken in {1}', stack: warningStack() },
  {
    title: 'WARNING: lock held when returning to user space',
    report: String.raw`WARNING: lock held when returning to user space(?:.*\n)+?.*leaving the kernel with locks still held(?:.*\n)+?.*${AT_FUNC}`,
    fmt: 'WARNING: lock held when returning to user space in {1}',
    noStackTrace: true,
  },
  { title: String.raw`WARNING: .*mm/.*\.c.* k?.?malloc`, fmt: 'WARNING: kmalloc bug in {1}', stack: warningStack('kmalloc', 'krealloc', 'slab', 'kmem') },
  { title: String.raw`WARNING: .*mm/vmalloc.c.*__vmalloc_node`, fmt: 'WARNING: zero-size vmalloc in {1}', stack: warningStack() },
  {
    title: 'WARNING: .* usb_submit_urb',
    fmt: 'WARNING in {1}/usb_submit_urb',
    stack: warningStack('usb_submit_urb', 'usb_start_wait_urb', 'usb_bulk_msg', 'usb_interrupt_msg', 'usb_control_msg'),
  },
  // 6.19+: `WARNING: file.c:123 at 0x..., CPU#0: comm/pid` when the symbol is unknown.
  { title: String.raw`WARNING: {{SRC}} at 0x\d+, CPU#\d+`, fmt: 'WARNING in {2}', stack: warningStack() },
  // Classic `WARNING: CPU: 0 PID: 1 at file.c:123 func+0x1/0x2`.
  { title: 'WARNING: .* at {{SRC}} {{FUNC}}', fmt: 'WARNING in {3}', stack: warningStack() },
  // 6.19+: `WARNING: file.c:123 at func+0x1/0x2, CPU#0: comm/pid`.
  { title: 'WARNING: {{SRC}} at {{FUNC}}', fmt: 'WARNING in {3}', stack: warningStack() },
  // Without CONFIG_DEBUG_BUGVERBOSE there is no file:line: `WARNING: CPU: 1 PID: 281 at func+0x3f7/0x550`.
  // Not in syzkaller's list (its title is the header line).
  { title: 'WARNING: CPU: [0-9]+ PID: [0-9]+ at {{FUNC}}', fmt: 'WARNING in {2}', stack: warningStack() },
  // 2.6 and early 3.x: `WARNING: at file.c:123 func+0x1/0x2()` (or `func()`) and no registers. The
  // header names the function that warned, and the title is it as printed (not in syzkaller's list,
  // so no skipping either: these WARNINGs go by their header's name), whatever the stack (old arm
  // kernels print theirs without a `Backtrace:` line).
  { title: String.raw`WARNING: at {{SRC}} ([a-zA-Z0-9_]+)(?:[+.(]|$)`, fmt: 'WARNING in {2}', noStackTrace: true },
  { title: String.raw`WARNING: \[.*\] {{SRC}} at {{FUNC}}.*`, fmt: 'WARNING in {3}', stack: warningStack() },
  {
    title: 'WARNING: possible circular locking dependency detected',
    report: String.raw`WARNING: possible circular locking dependency detected(?:.*\n)+?.*is trying to acquire lock`,
    fmt: 'possible deadlock in {1}',
    // Workqueue functions take locks that stand for work items: the deadlock is theirs.
    stack: { parts: [rx(AT_FUNC), rx(AT_FUNC), STACK], skip: ['process_one_work', 'flush_workqueue', 'drain_workqueue', 'destroy_workqueue'] },
  },
  {
    title: 'WARNING: possible irq lock inversion dependency detected',
    report: String.raw`WARNING: possible irq lock inversion dependency detected(?:.*\n)+?.*just changed the state of lock(?:.*\n)+?.*${AT_FUNC}`,
    fmt: 'possible deadlock in {1}',
  },
  { title: 'WARNING: .*-safe -> .*-unsafe lock order detected', fmt: 'possible deadlock in {1}', stack: { parts: [/which became (?:.*) at:/, STACK] } },
  {
    title: 'WARNING: possible recursive locking detected',
    report: String.raw`WARNING: possible recursive locking detected(?:.*\n)+?.*is trying to acquire lock(?:.*\n)+?.*${AT_FUNC}`,
    fmt: 'possible deadlock in {1}',
  },
  {
    title: 'WARNING: inconsistent lock state',
    report: String.raw`WARNING: inconsistent lock state(?:.*\n)+?.*takes(?:.*\n)+?.*${AT_FUNC}`,
    fmt: 'inconsistent lock state in {2}',
    stack: trace(),
  },
  {
    title: 'WARNING: suspicious RCU usage',
    report: String.raw`WARNING: suspicious RCU usage(?:.*\n)+?.*?{{SRC}}`,
    fmt: 'WARNING: suspicious RCU usage in {2}',
    stack: trace(['rcu', 'kmem', 'slab']),
  },
  {
    title: "WARNING: kernel stack regs at [0-9a-f]+ in [^ ]* has bad '([^']+)' value",
    fmt: "WARNING: kernel stack regs has bad '{1}' value",
    noStackTrace: true,
  },
  {
    title: 'WARNING: kernel stack frame pointer at [0-9a-f]+ in [^ ]* has bad value',
    fmt: 'WARNING: kernel stack frame pointer has bad value',
    noStackTrace: true,
  },
  { title: 'WARNING: bad unlock balance detected!', fmt: 'WARNING: bad unlock balance in {1}', stack: { parts: [rx('{{PC}} +{{FUNC}}'), CALL_TRACE, STACK] } },
  {
    title: 'WARNING: held lock freed!',
    report: String.raw`WARNING: held lock freed!(?:.*\n)+?.*at:(?: {{PC}})? +{{FUNC}}`,
    fmt: 'WARNING: held lock freed in {1}',
  },
  { title: "WARNING: kernel stack regs .* has bad 'bp' value", fmt: 'WARNING: kernel stack regs has bad value', noStackTrace: true },
  { title: 'WARNING: kernel stack frame pointer .* has bad value', fmt: 'WARNING: kernel stack regs has bad value', noStackTrace: true },
  { title: String.raw`WARNING:\s*$`, fmt: 'WARNING: corrupted', corrupted: true },
];

/** Old lockdep headers were framed: `[ INFO: possible recursive locking detected ]`. */
const oldLockdep = (what: string, middle: string, fmtText = 'possible deadlock in {1}'): FormatSpec => ({
  title: `INFO: ${what}`,
  report: String.raw`INFO: ${what} \](?:.*\n)+?.*${middle}(?:.*\n)+?.*at: {{PC}} +{{FUNC}}`,
  fmt: fmtText,
});

const INFO_FORMATS: FormatSpec[] = [
  oldLockdep('possible circular locking dependency detected', 'is trying to acquire lock'),
  oldLockdep('possible irq lock inversion dependency detected', 'just changed the state of lock'),
  oldLockdep('SOFTIRQ-safe -> SOFTIRQ-unsafe lock order detected', 'is trying to acquire'),
  oldLockdep('possible recursive locking detected', 'is trying to acquire lock'),
  oldLockdep('inconsistent lock state', 'takes', 'inconsistent lock state in {1}'),
  {
    title: String.raw`INFO: rcu_(?:preempt|sched|bh|tasks\w*) (?:self-)?detected(?: expedited)? stall`,
    fmt: 'INFO: rcu detected stall in {1}',
    // The stalled code is what the timer interrupt interrupted.
    stack: {
      parts: [/apic_timer_interrupt/, IP_LINE, STACK],
      fallback: [/(?:apic_timer_interrupt|Exception stack|el1h_64_irq)/, STACK],
      skip: ['apic_timer_interrupt', 'rcu'],
      pick: 'stall',
      stuckAtIp: true,
    },
  },
  { title: 'INFO: trying to register non-static key', fmt: 'INFO: trying to register non-static key in {1}', stack: trace(['stack', 'lock', 'IRQ']) },
  {
    title: 'INFO: suspicious RCU usage',
    report: String.raw`INFO: suspicious RCU usage(?:.*\n)+?.*?{{SRC}}`,
    fmt: 'INFO: suspicious RCU usage in {2}',
    stack: trace(['rcu', 'kmem', 'slab']),
  },
  // Newer kernels may say `blocked in I/O wait for more than`; task names may hold a newline.
  {
    title: String.raw`INFO: task (?:.*\n)?.* blocked (?:.* )?for more than [0-9]+ seconds`,
    fmt: 'INFO: task hung in {1}',
    stack: { ...trace(), pick: 'hang' },
    twoLineTitle: true,
  },
  { title: "INFO: task .* can't die for more than .* seconds", fmt: "INFO: task can't die in {1}", stack: trace(['schedule']) },
  // What is left of an old-style (SLUB debug) KASAN report.
  { title: 'INFO: (Freed|Allocated) in (.*)', fmt: 'INFO: {1} in {2}', corrupted: true },
  { title: String.raw`INFO:\s*$`, fmt: 'INFO: corrupted', corrupted: true },
];

const PANIC_FORMATS: FormatSpec[] = [
  // A stack corruption may leave no symbol and no stack.
  {
    title: 'Kernel panic - not syncing: stack-protector:',
    report: 'Kernel panic - not syncing: stack-protector: Kernel stack is corrupted in: {{FUNC}}',
    fmt: 'kernel panic: stack is corrupted in {1}',
    noStackTrace: true,
  },
  {
    title: 'Kernel panic - not syncing: stack-protector:',
    report: 'Kernel panic - not syncing: stack-protector: Kernel stack is corrupted in: [a-f0-9]+',
    fmt: 'kernel panic: stack is corrupted in {1}',
    stack: trace(['stack_chk']),
  },
  {
    title: 'Kernel panic - not syncing: corrupted stack end',
    report: 'Kernel panic - not syncing: corrupted stack end detected inside scheduler',
    fmt: 'kernel panic: corrupted stack end in {1}',
    stack: { ...trace(['schedule', 'retint_kernel']), pick: 'stall' },
  },
  { title: 'Kernel panic - not syncing: kernel stack overflow', fmt: 'kernel stack overflow in {1}', stack: { ...trace(['bad_stack']), pick: 'stall' } },
  { title: 'Kernel panic - not syncing: Attempted to kill init!', fmt: 'kernel panic: Attempted to kill init!' },
  { title: "Kernel panic - not syncing: Couldn't open N_TTY ldisc for [^ ]+ --- error -[0-9]+", fmt: "kernel panic: Couldn't open N_TTY ldisc" },
  // These follow an oops/WARNING/hung-task report: seen alone, its header was lost.
  { title: 'Kernel panic - not syncing: Fatal exception', fmt: 'kernel panic: Fatal exception', corrupted: true },
  { title: 'Kernel panic - not syncing: panic_on_warn set', fmt: 'kernel panic: panic_on_warn set', corrupted: true },
  { title: 'Kernel panic - not syncing: hung_task: blocked tasks', fmt: 'kernel panic: hung_task: blocked tasks', corrupted: true },
  { title: 'Kernel panic - not syncing: (.*)', fmt: 'kernel panic: {1}' },
];

const ripOnly = (title: string, fmtText: string): FormatSpec => ({ title, fmt: fmtText, stack: { parts: [IP_LINE] } });
const ripTrace = (title: string, fmtText: string, skip?: string[]): FormatSpec => ({ title, fmt: fmtText, stack: ripThenTrace(skip) });

const KIND_SPECS: { header: string; formats: FormatSpec[]; suppress?: (string | RegExp)[] }[] = [
  {
    header: 'BUG:',
    formats: BUG_FORMATS,
    // debugobjects, Android boot/ART debug output, syzkaller's own host checks
    suppress: ['ODEBUG:', 'Boot_DEBUG:', 'xlog_status:', 'DEBUG:', 'BUG: no syscalls can create resource'],
  },
  {
    header: 'WARNING:',
    formats: WARNING_FORMATS,
    // user-space and boot noise
    suppress: [
      'WARNING: /etc/ssh/moduli does not exist, using fixed modulus',
      'WARNING: workqueue cpumask: online intersect > possible intersect',
      'WARNING: [Tt]he mand mount option',
      String.raw`WARNING: Unsupported flag value\(s\) of 0x%x in DT_FLAGS_1`,
      'WARNING: Unprivileged eBPF is enabled with eIBRS',
      String.raw`WARNING: fbcon: Driver '(.*)' missed to adjust virtual screen size (\((?:\d+)x(?:\d+) vs\. (?:\d+)x(?:\d+)\))`,
      'WARNING: See https.* for mitigation options.',
      'WARNING: kernel not compiled with CPU_SRSO',
      String.raw`EXT4-[Ff][Ss](?: \(.*\))?:`,
      /[Ww][Aa][Rr][Nn][Ii][Nn][Gg]: .* uses (deprecated v2 capabilities|wireless extensions)/i,
      String.raw`XFS \(\w+\): WARNING`,
    ],
  },
  {
    header: 'INFO:',
    formats: INFO_FORMATS,
    suppress: [
      'INFO: lockdep is turned off',
      'INFO: Stall ended before state dump start',
      'INFO: NMI handler',
      'INFO: recovery required on readonly filesystem',
      '(handler|interrupt).*took too long',
      'INFO: sys_.* is not present in /proc/kallsyms',
      'INFO: no syscalls can create resource',
      'rmt_storage:INFO:',
      '_INFO:', // `INVALID BTF_INFO:NUM`
    ],
  },
  {
    header: 'Unable to handle kernel',
    formats: [
      {
        title: 'Unable to handle kernel (paging request|NULL pointer dereference|access to user memory)',
        fmt: 'BUG: unable to handle kernel {1} in {2}',
        stack: ripThenTrace(),
      },
    ],
  },
  {
    header: 'general protection fault',
    formats: [ripTrace('general protection fault.*:', 'general protection fault in {1}')],
    // a user-space segfault report
    suppress: [String.raw`general protection fault .* error:\d+ in `],
  },
  { header: 'stack segment: ', formats: [ripTrace('stack segment: ', 'stack segment fault in {1}')] },
  { header: 'Kernel panic', formats: PANIC_FORMATS },
  { header: 'PANIC: double fault', formats: [ripOnly('PANIC: double fault', 'PANIC: double fault in {1}')] },
  {
    header: 'rust_kernel: panicked',
    // The panic machinery above the culprit is skipped everywhere (stack.ts).
    formats: [{ title: 'rust_kernel: panicked', report: /rust_kernel: panicked at [^\n]*?\n(.+?)\n/, fmt: '{1} in {2}', stack: trace() }],
  },
  {
    header: 'kernel BUG',
    formats: [
      { title: 'kernel BUG at mm/usercopy.c', fmt: 'BUG: bad usercopy in {1}', stack: trace(['usercopy', '__check']) },
      { title: 'kernel BUG at lib/list_debug.c', fmt: 'BUG: corrupted list in {1}', stack: trace() },
      // skb helpers BUG_ON on behalf of their caller
      ripTrace('kernel BUG at (.*)', 'kernel BUG in {2}', ['^skb_']),
    ],
  },
  { header: 'Kernel BUG', formats: [{ title: 'Kernel BUG (.*)', fmt: 'kernel BUG {1}' }] },
  { header: 'BUG kmalloc-', formats: [{ title: 'BUG kmalloc-.*: Object already free', fmt: 'BUG: Object already free' }] },
  { header: 'divide error:', formats: [ripOnly('divide error: ', 'divide error in {1}')] },
  // misspelling introduced with the IDTENTRY conversion
  { header: 'divide_error:', formats: [ripOnly('divide_error: ', 'divide error in {1}')] },
  { header: 'invalid opcode:', formats: [ripOnly('invalid opcode: ', 'invalid opcode in {1}')] },
  { header: 'int3:', formats: [ripTrace('int3: ', 'int3 in {1}')] },
  {
    header: 'UBSAN:',
    formats: [
      { title: 'UBSAN:', report: 'UBSAN: Undefined behaviour in', fmt: 'UBSAN: undefined-behaviour in {1}', stack: trace(['ubsan', 'overflow']) },
      { title: 'UBSAN: array-index-out-of-bounds in', fmt: 'UBSAN: array-index-out-of-bounds in {1}', stack: trace(['ubsan', 'overflow']) },
      { title: 'UBSAN:', report: 'UBSAN: (.*?) in', fmt: 'UBSAN: {1} in {2}', stack: trace(['ubsan', 'overflow']) },
    ],
  },
  {
    header: 'Booting the kernel.',
    formats: [{ title: '^Booting the kernel', fmt: 'unexpected kernel reboot', noStackTrace: true }],
    // boot messages echoed back by the fuzzer as mount options
    suppress: ["Parsing ELF|Decompressing Linux|Unknown parameter '"],
  },
  {
    header: 'unregister_netdevice: waiting for',
    formats: [
      { title: 'unregister_netdevice: waiting for (?:.*) to become free', fmt: 'unregister_netdevice: waiting for DEV to become free', noStackTrace: true },
    ],
  },
  {
    header: 'VFS: Close: file count is 0',
    formats: [{ title: 'VFS: Close: file count is 0', fmt: 'VFS: Close: file count is zero (use-after-free)', noStackTrace: true }],
  },
  {
    header: 'VFS: Busy inodes after unmount',
    formats: [{ title: 'VFS: Busy inodes after unmount', fmt: 'VFS: Busy inodes after unmount (use-after-free)', noStackTrace: true }],
  },
  { header: 'Internal error:', formats: [ripTrace('Internal error:', 'Internal error in {1}')] },
  { header: 'Unhandled fault:', formats: [ripTrace('Unhandled fault:', 'Unhandled fault in {1}')] },
  { header: 'Alignment trap:', formats: [ripTrace('Alignment trap:', 'Alignment trap in {1}')] },
  {
    header: 'trusty: panic',
    formats: [
      {
        title: 'trusty: panic.* ASSERT FAILED',
        report: String.raw`trusty: panic \(.*?\):(?: DEBUG)? ASSERT FAILED at \(.*?\): (.+)`,
        fmt: 'trusty: ASSERT FAILED: {1}',
        noStackTrace: true,
      },
      { title: 'trusty: panic.* ASSERT FAILED.*: *(.*)', fmt: 'trusty: ASSERT FAILED: {1}', corrupted: true },
      { title: 'trusty: panic', report: String.raw`trusty: panic \(.*?\): (.+)`, fmt: 'trusty: panic: {1}', noStackTrace: true },
    ],
  },
  // Go runtime crashes of syzkaller's own programs.
  {
    header: 'fatal error:',
    formats: [{ title: 'fatal error:', fmt: 'go runtime error', noStackTrace: true }],
    suppress: ['ALSA', 'fatal error: cannot create timer'],
  },
  // Failures of syzkaller's executor and tools.
  { header: 'SYZFAIL:', formats: [{ title: 'SYZFAIL:(.*)', fmt: 'SYZFAIL:{1}', noStackTrace: true }] },
  { header: 'SYZFATAL:', formats: [{ title: 'SYZFATAL:(.*)', fmt: 'SYZFATAL:{1}', noStackTrace: true }] },
  {
    header: 'panic:',
    formats: [
      { title: 'panic: Sentry detected .* stuck task', fmt: 'panic: Sentry detected stuck tasks', noStackTrace: true },
      { title: 'panic:(.*)', fmt: 'panic:{1}', noStackTrace: true },
    ],
    // skb_panic and friends, Android boot noise
    suppress: ['_panic:', 'xlog_status:', String.raw`ddb\.onpanic:`, 'evtlog_status:'],
  },
];

export const OOPS_KINDS: OopsKind[] = KIND_SPECS.map((k) => ({
  header: k.header,
  formats: k.formats.map(fmt),
  suppress: (k.suppress ?? []).map((s) => (typeof s === 'string' ? new RegExp(s) : s)),
}));

/**
 * Headers that do not start a second report inside the one being read (they belong to it). The last
 * is not syzkaller's: a Rust panic BUG()s right after its message (syzkaller's consoles tell the two
 * apart by caller id only).
 */
export const IN_REPORT_HEADERS =
  /invalid opcode: 0000|Kernel panic - not syncing|unregister_netdevice: waiting for|PANIC: double fault|Internal error:|kernel BUG at rust\/helpers\/bug\.c/;
/** Informational messages with a stack: seen inside a report, they end its text. */
export const INFO_WITH_STACK = /vmalloc: allocation failure:|FAULT_INJECTION: forcing a failure|FAULT_FLAG_ALLOW_RETRY missing/;

// One regexp for "does this line contain any header at all", so that most lines cost one test.
const ANY_HEADER = new RegExp(OOPS_KINDS.map((k) => k.header.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'));

/** Whether the line contains any header string (suppressed or not). */
export function containsOopsHeader(line: string): boolean {
  return ANY_HEADER.test(line);
}

/** The kind of report a line starts (syzkaller's rule: header substring, not suppressed), or null. */
export function findOopsKind(line: string): OopsKind | null {
  if (!ANY_HEADER.test(line)) return null;
  for (const k of OOPS_KINDS) {
    if (line.includes(k.header) && !k.suppress.some((re) => re.test(line))) return k;
  }
  return null;
}
