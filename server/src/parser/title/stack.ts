// Picking the guilty frame out of a report, the way syzkaller does: follow a recipe of line patterns
// (`RIP:` line, then `Call Trace:`, then the frames), drop frames of generic helpers, and take the first
// frame left (or, for stalls and hangs, a frame chosen by a custom rule).
import { demangle } from './demangle.ts';
import { ARM_FRAME_LINE, FAULT_INJECTION_FRAME, FRAME_LINE, IP_LINE, isStackStart } from './patterns.ts';

/** Marker in a recipe: parse stack frames from here on, up to the next stack start. */
export const STACK = 'stack' as const;
export type RecipePart = RegExp | typeof STACK;

export interface StackRecipe {
  parts: RecipePart[];
  /** Tried when `parts` yields no frame. */
  fallback?: RecipePart[];
  /** Extra frame-name patterns to skip for this format. */
  skip?: string[];
  /** Custom choice of the frame among all frames that survived skipping. */
  pick?: 'stall' | 'hang';
  /**
   * A stall whose stack reaches no dispatcher (an idle loop, a kernel thread of an old kernel, a
   * stack of `? ` entries) spins where its RIP line says (syzkaller calls it corrupted). Not so for
   * a stack overflow: where the stack ran out says little about the recursion.
   */
  stuckAtIp?: boolean;
}

/** A recipe with its skip patterns compiled once. */
export interface CompiledRecipe extends StackRecipe {
  /** The parts that match an IP line (their function is where the report happened). */
  ipParts: Set<RegExp>;
  skipRe: RegExp;
  /** skipRe's verdict by function name: the same names come back in report after report. */
  skipped: Map<string, boolean>;
}

const MAX_SKIP_CACHE = 1 << 14;

function isSkipped(recipe: CompiledRecipe, name: string): boolean {
  let v = recipe.skipped.get(name);
  if (v === undefined) {
    if (recipe.skipped.size >= MAX_SKIP_CACHE) recipe.skipped.clear();
    v = recipe.skipRe.test(name);
    recipe.skipped.set(name, v);
  }
  return v;
}

// Frames of code that reports, allocates, locks, copies or formats on behalf of the real culprit.
// Unanchored regexps over the function name.
const GLOBAL_SKIP: string[] = [
  // sanitizers and the report machinery
  '__sanitizer',
  '__asan',
  'kasan',
  'hwasan',
  '__msan',
  'kmsan',
  'kcsan_setup_watchpoint',
  'check_memory_region',
  'check_heap_object',
  'check_object',
  'read_word_at_a_time',
  '(read|write)_once_.*nocheck',
  'print_address_description',
  'panic',
  'invalid_op',
  'report_bug',
  'fixup_bug',
  'print_report',
  'print_usage_bug',
  'do_error',
  '_trap$|do_trap',
  'show_stack',
  'dump_stack',
  'walk_stack',
  'dump_backtrace',
  'warn_slowpath',
  'warn_alloc',
  'warn_bogus',
  '__warn',
  // allocators and the page cache
  'alloc_page',
  'k?v?(?:m|z|c)alloc',
  'krealloc',
  'kmem_cache',
  'allocate_slab',
  '__alloc_frozen_pages_noprof',
  'folio_(?:alloc|unlock)',
  'filemap_alloc_folio',
  '__filemap_get_folio',
  'find_or_create_page',
  'do_read_cache_folio',
  'read_cache_page',
  'pagecache_get_page',
  'grab_cache_page_write_begin',
  'slab_',
  'debug_object',
  'timer_is_static_object',
  'work_is_static_object',
  '__might_fault',
  'print_unlock',
  'imbalance_bug',
  // locking
  'lockdep',
  'bh_enable',
  'bh_disable',
  'perf_trace',
  'lock_acquire',
  'lock_release',
  'lock_class',
  'mark_lock',
  '(reacquire|mark)_held_locks',
  'raw_spin_rq',
  'spin_lock',
  'spin_trylock',
  'spin_unlock',
  'read_lock',
  'read_trylock',
  'write_lock',
  'write_trylock',
  'read_unlock',
  'write_unlock',
  '^down$',
  'down_read',
  'down_write',
  'down_read_trylock',
  'down_write_trylock',
  'down_trylock',
  'up_read',
  'up_write',
  '^mutex_',
  '^__mutex_',
  '^rt_mutex_',
  'owner_on_cpu',
  'osq_lock',
  'osq_unlock',
  'atomic(64)?_(dec|inc|read|set|or|xor|and|add|sub|fetch|xchg|cmpxchg|try)',
  '(set|clear|change|test)_bit',
  '__wake_up',
  '^refcount_',
  '^kref_',
  'ref_tracker',
  'seqprop_assert',
  // string and user-copy helpers
  'memcpy',
  'memcmp',
  'memset',
  'memchr',
  'memmove',
  'memdup',
  'strcmp',
  'strncmp',
  'strcpy',
  'strlcpy',
  'strncpy',
  'strscpy',
  'strlen',
  'strstr',
  'strnstr',
  'strnlen',
  'strchr',
  'strdup',
  'strndup',
  'copy_to_user',
  'copy_from_user',
  'copy_to_iter',
  'copy_from_iter',
  'copy_page_to_iter',
  'copy_page_from_iter',
  'copy_folio_to_iter',
  '^copyin$',
  '^copyout$',
  'put_user',
  'get_user',
  'might_fault',
  'might_sleep',
  // lists, trees, retpolines, printing
  'list_add',
  'list_del',
  'list_replace',
  'list_move',
  'list_splice',
  '^rb_',
  '^__rb_',
  '_indirect_thunk_',
  'string',
  'pointer',
  'snprintf',
  'scnprintf',
  'kasprintf',
  'kvasprintf',
  'printk',
  'va_format',
  'dev_info',
  'dev_notice',
  'dev_warn',
  'dev_err',
  'dev_alert',
  'dev_crit',
  'dev_emerg',
  'program_check_exception',
  'program_check_common',
  // timers, work, completion, device/kobject teardown, USB submission
  'del_timer',
  'flush_work',
  '__cancel_work_timer',
  'cancel_work_sync',
  'try_to_grab_pending',
  'flush_workqueue',
  'drain_workqueue',
  'destroy_workqueue',
  'queue_work',
  'finish_wait',
  'kthread_stop',
  'kobject_',
  'add_uevent_var',
  'get_device_parent',
  'device_add',
  'device_del',
  'device_unregister',
  'device_destroy',
  'device_release',
  'devres_release_all',
  'hwrng_unregister',
  'i2c_del_adapter',
  '__unregister_client',
  'device_for_each_child',
  'rollback_registered',
  'unregister_netdev',
  'sysfs_remove',
  'device_remove_file',
  'tty_unregister_device',
  'dummy_urb_enqueue',
  'usb_kill_urb',
  'usb_kill_anchored_urbs',
  'usb_control_msg',
  'usb_hcd_submit_urb',
  'usb_submit_urb',
  '^complete$',
  'wait_for_completion',
  '^kv?free$',
  'kfree_skb',
  // MMIO accessors, checksums, misc helpers
  'readb$',
  'readw$',
  'readl$',
  'readq$',
  'writeb$',
  'writew$',
  'writel$',
  'writeq$',
  'logic_in',
  'logic_out',
  '^crc\\d+',
  'crc_itu_t',
  '__might_resched',
  'assertfail',
  '^iput$',
  '^iput_final$',
  '^ihold$',
  'hex_dump_to_buffer',
  'print_hex_dump',
  '^klist_',
  '(trace|lockdep)_(hard|soft)irq',
  '^(un)?lock_page',
  'stack_trace_consume_entry',
  'arch_stack_walk',
  'stack_trace_save',
  'insert_work',
  '__queue_delayed_work',
  'queue_delayed_work_on',
  'ida_free',
  // the arm64 fault path
  'do_(kernel|translation)_fault',
  'do_mem_abort',
  'el1_abort',
  'el1h_64_sync(?:_handler)?',
  'print_tainted',
  'xas_(?:start|load|find)',
  'find_lock_entries',
  'truncate_inode_pages_range',
  '__phys_addr',
  '__fortify_report',
  'cleanup_srcu_struct',
  'rhashtable_lookup',
  'extract_(user|iter)_to_sg',
  'drop_nlink',
  '^get_taint$',
  '^put_device$',
  'lock_timer_base',
  '__timer_delete_sync',
  'sk_stop_timer_sync',
  '__mod_timer',
  'fast_dput',
  'dput',
  // buffer-head helpers WARN about their caller's buffer
  'mark_buffer_dirty',
  // Rust's panic machinery (`core::panicking::*`, `core::panic::*` and `rust_panic` are `panic`
  // above): the panic handler, the runtime's shims, the C helper that BUG()s for Rust code
  'rust_begin_unwind',
  '^__rust_',
  '^rust_helper_BUG$',
];

/**
 * Syscall wrapper prefixes; the title keeps the shortest name left after removing one of them
 * (`__do_sys_foo` -> `foo`, `__x64_sys_foo` -> `sys_foo`, as syzbot's titles have it).
 */
const WRAPPER_PREFIXES = [
  'SYSC_',
  'SyS_',
  'sys_',
  '__x64_',
  '__ia32_',
  '__arm64_',
  '____sys_',
  '___sys_',
  '__sys_',
  '__se_',
  '__se_sys_',
  '__do_sys_',
  'compat_SYSC_',
  'compat_SyS_',
  'ksys_',
];

export function stripWrapperPrefix(name: string): string {
  let best = name;
  for (const p of WRAPPER_PREFIXES) {
    if (name.startsWith(p) && name.length - p.length < best.length && name.length > p.length) best = name.slice(p.length);
  }
  return best;
}

export function compileRecipe(recipe: StackRecipe): CompiledRecipe {
  const ipParts = new Set<RegExp>();
  for (const part of [...recipe.parts, ...(recipe.fallback ?? [])]) if (part !== STACK && part.source.includes(IP_LINE.source)) ipParts.add(part);
  return { ...recipe, ipParts, skipRe: new RegExp([...GLOBAL_SKIP, ...(recipe.skip ?? [])].join('|')), skipped: new Map() };
}

// Stalls loop somewhere below a dispatcher; the frame just above the first of these names the stall.
const STALL_ANCHORS: RegExp[] = [
  'process_one_work',
  'do_syscall_',
  'do_fast_syscall_',
  'sysenter_dispatch',
  'tracesys_phase2',
  'el0_svc_handler',
  'invoke_syscall',
  'ret_fast_syscall',
  'netif_receive_skb',
  'do_softirq',
  'call_timer_fn',
  '_run_timers',
  'run_timer_softirq',
  'hrtimer_run',
  'run_ksoftirqd',
  'smpboot_thread_fn',
  '^kthread$',
  'start_secondary',
  'cpu_startup_entry',
  'ret_from_fork',
  // file and ioctl dispatch: the frame above names the file system or driver
  'vfs_write',
  'vfs_read',
  'vfs_iter_read',
  'vfs_iter_write',
  'do_iter_read',
  'do_iter_write',
  'call_read_iter',
  'call_write_iter',
  'new_sync_read',
  'new_sync_write',
  'vfs_ioctl',
  'ksys_ioctl',
  'compat_ioctl',
  'compat_sys_ioctl',
  'blkdev_driver_ioctl',
  'blkdev_ioctl',
  '^call_read_iter',
  '^call_write_iter',
  'do_iter_readv_writev',
  '^call_mmap',
  'mmap_region',
  'do_mmap',
  'do_dentry_open',
  'vfs_open',
  // socket dispatch: the frame above names the protocol
  '^sock_sendmsg',
  '^sock_recvmsg',
  '^sock_release',
  '^__sock_release',
  '^setsockopt$',
  'kernel_setsockopt',
  'sock_common_setsockopt',
  '^listen$',
  'kernel_listen',
  'sk_common_release',
  '^sock_mmap',
  '^accept$',
  'kernel_accept',
  '^sock_do_ioctl',
  '^sock_ioctl',
  '^compat_sock_ioctl',
  '^nfnetlink_rcv_msg',
  '^rtnetlink_rcv_msg',
  '^netlink_dump',
  '^(sys_)?(socketpair|connect|ioctl)',
  // page faults and return-to-user work
  '__do_fault',
  'do_page_fault',
  '^page_fault$',
  '__fput',
  'task_work_run',
  'exit_to_usermode',
  'smp_call_function',
  'tasklet_action',
  'tasklet_hi_action',
].map((s) => new RegExp(s));

function pickStallFrame(frames: string[]): { index: number; name: string } | null {
  let prev = 0;
  for (let i = 0; i < frames.length; i++) {
    if (STALL_ANCHORS.some((re) => re.test(frames[i]))) {
      // Cross-CPU calls come in many variants; they all count as `smp_call_function` itself.
      if (frames[i].includes('smp_call_function')) return { index: i, name: 'smp_call_function' };
      return { index: prev, name: frames[prev] };
    }
    prev = i;
  }
  return null;
}

// Hung tasks wait in generic code; rtnl_lock and synchronize_rcu are buckets of their own.
const HANG_BUCKETS: [string, string | null][] = [
  ['rtnl_lock', null],
  ['synchronize_rcu', 'synchronize_rcu'],
  ['synchronize_srcu', 'synchronize_rcu'],
  ['synchronize_net', 'synchronize_rcu'],
  ['synchronize_sched', 'synchronize_rcu'],
];
const HANG_SKIP = [
  'sched',
  '_lock',
  '_slowlock',
  'down',
  'rwsem',
  'completion',
  'kthread',
  'wait',
  'synchronize',
  'context_switch',
  '__switch_to',
  'cancel_delayed_work',
  'rcu_barrier',
];

function pickHangFrame(frames: string[]): { index: number; name: string } | null {
  for (let i = 0; i < frames.length; i++) {
    for (const [anchor, bucket] of HANG_BUCKETS) if (frames[i].includes(anchor)) return { index: i, name: bucket ?? frames[i] };
  }
  for (let i = 0; i < frames.length; i++) if (!HANG_SKIP.some((s) => frames[i].includes(s))) return { index: i, name: frames[i] };
  return null;
}

export interface ExtractedFrame {
  /** Name used in the title (demangled, wrapper prefix stripped). */
  name: string;
  /** Name as printed, but demangled. */
  raw: string;
}

export interface StackResult {
  frames: ExtractedFrame[];
  /** False when some stack of the recipe yielded no frame, or a fault-injection stack got in. */
  ok: boolean;
  /**
   * The function the RIP line or the title's own line names, demangled, skipped or not: where the
   * recipe finds no frame, the report still says where it happened. (Other recipe lines, lockdep's
   * `at:` lines, name lock sites, not that.)
   */
  named: string | null;
}

/** The report text from the title match on. */
export interface TextFrom {
  lines: readonly string[];
  /** First line and the column in it where the text starts. */
  from: number;
  column: number;
  /** End of the text (exclusive). */
  end: number;
  /** Per line, whether a stack starts there (precomputed; the first, partial line is tested anew). */
  stackStart: readonly boolean[];
}

/** Follows `recipe` over the text. Never throws. */
export function extractFrames(text: TextFrom, recipe: CompiledRecipe): StackResult {
  const first = followRecipe(text, recipe.parts, recipe);
  if (first.ok || !recipe.fallback) return first;
  const second = followRecipe(text, recipe.fallback, recipe);
  return { ...second, named: second.named ?? first.named };
}

/**
 * The frame to blame among `raw` (the functions of one stack, skipped ones left out); `lineFrame` is
 * the one of them a recipe line named (the RIP line's), or null.
 */
function chooseFrame(raw: string[], lineFrame: string | null, recipe: CompiledRecipe): ExtractedFrame | null {
  if (raw.length === 0) return null;
  if (!recipe.pick) return { name: stripWrapperPrefix(raw[0]), raw: raw[0] };
  const stripped = raw.map(stripWrapperPrefix);
  const picked = recipe.pick === 'hang' ? pickHangFrame(stripped) : pickStallFrame(stripped);
  if (picked) return { name: picked.name, raw: raw[picked.index] };
  if (recipe.stuckAtIp && lineFrame !== null) return { name: stripWrapperPrefix(lineFrame), raw: lineFrame };
  return null;
}

/**
 * Adds the functions a line names, demangled (Rust, C++) as titles show them, unless skipped.
 * Returns the first of them, skipped or not, or null.
 */
function addCaptured(raw: string[], m: RegExpExecArray, recipe: CompiledRecipe): string | null {
  let first: string | null = null;
  for (let g = 1; g < m.length; g++) {
    if (m[g] === undefined) continue;
    const name = demangle(m[g]);
    first ??= name;
    if (!isSkipped(recipe, name)) raw.push(name);
  }
  return first;
}

function isFaultInjectionFrame(line: string): boolean {
  return line.includes('should_fail') && FAULT_INJECTION_FRAME.test(line);
}

function matchFrameLine(line: string): RegExpExecArray | null {
  return FRAME_LINE.exec(line) ?? ARM_FRAME_LINE.exec(line);
}

function followRecipe(text: TextFrom, parts: RecipePart[], recipe: CompiledRecipe): StackResult {
  const { lines, end } = text;
  const firstLine = lines[text.from].slice(text.column);
  const lineAt = (i: number) => (i === text.from ? firstLine : lines[i]);
  const startsStack = (i: number) => (i === text.from ? isStackStart(firstLine) : text.stackStart[i]);
  // Without a custom pick only the first frame counts; later lines are still read for the stack's end.
  const allFrames = recipe.pick !== undefined;
  const frames: ExtractedFrame[] = [];
  let ok = true;
  let raw: string[] = [];
  /** The frame of `raw` that a recipe line (not a stack entry) named, if any. */
  let lineFrame: string | null = null;
  let named: string | null = null;
  /** Adds what a recipe line (line `i`, matched by `part`) names. */
  const addNamed = (m: RegExpExecArray, part: RegExp, i: number) => {
    const before = raw.length;
    const first = addCaptured(raw, m, recipe);
    if (i === text.from || recipe.ipParts.has(part)) named ??= first;
    if (lineFrame === null && raw.length > before) lineFrame = raw[before];
  };
  let stacksSeen = 0;
  let pos = text.from;
  const emit = () => {
    const f = chooseFrame(raw, lineFrame, recipe);
    if (f) frames.push(f);
    else {
      frames.push({ name: 'corrupted', raw: 'corrupted' });
      ok = false;
    }
    raw = [];
    lineFrame = null;
  };
  for (let k = 0; ; k++) {
    if (k === parts.length || (parts[k] === STACK && stacksSeen > 0)) emit();
    if (k === parts.length) break;
    const part = parts[k];
    if (part === STACK) {
      stacksSeen++;
      while (pos < end) {
        const i = pos++;
        const line = lineAt(i);
        if (isFaultInjectionFrame(line)) {
          ok = false;
          break;
        }
        if (startsStack(i)) break;
        const next = parts[k + 1];
        if (next !== undefined && next !== STACK) {
          const m = next.exec(line);
          if (m) {
            addNamed(m, next, i);
            k++;
            break;
          }
        }
        if (raw.length > 0 && !allFrames) continue;
        const m = matchFrameLine(line);
        if (m) addCaptured(raw, m, recipe);
      }
    } else {
      while (pos < end) {
        const i = pos++;
        const line = lineAt(i);
        if (isFaultInjectionFrame(line)) {
          ok = false;
          break;
        }
        const m = part.exec(line);
        if (m) {
          addNamed(m, part, i);
          break;
        }
      }
    }
  }
  return { frames, ok, named };
}
