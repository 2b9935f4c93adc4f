// Shared regexp building blocks for syzkaller-style title extraction.

/** `[<ffffffff81234567>]`, `[<0x...>]`, `[ffff...]`: a printed code address. */
export const PC = String.raw`\[<?(?:0x)?[0-9a-f]+>?\]`;
/** A function name as printed in a frame: the name ends at `.` (`.isra.0`, `.cold`), `+` (offset) or, decoded, ` (file.c:1`. */
export const FUNC = String.raw`([a-zA-Z0-9_]+)(?:\.|\+| \((?=[^)\s]+:\d))`;
/** `path/to/file.c:123`. */
export const SRC = String.raw`([a-zA-Z0-9\-_/.]+\.[a-z]+:[0-9]+)`;

/** Compiles a pattern written with the `{{PC}}`, `{{FUNC}}` and `{{SRC}}` placeholders. */
export function rx(source: string, flags = ''): RegExp {
  return new RegExp(source.replaceAll('{{PC}}', PC).replaceAll('{{FUNC}}', FUNC).replaceAll('{{SRC}}', SRC), flags);
}

/**
 * The code segment an x86 IP line starts with: `0010:` (`0033:` in user mode), `0060:` on i386,
 * `e030:` (`e033:`) in a Xen PV guest. syzkaller's expression knows only the decimal-looking ones, so
 * a Xen guest's oops had no IP for it.
 */
const SEGMENT = String.raw`(?:[0-9]+|e0[0-9a-f]{2}):`;

/**
 * The line that carries the faulting instruction pointer: x86 `RIP: 0010:func+0x1/0x2` (and `IP:` of
 * old kernels), powerpc `NIP`, arm64 `pc : func+0x..`, arm `PC is at func+0x..`. User-mode and NULL
 * IPs match too, but capture no function. These are syzkaller's; the formats it does not know follow
 * (its titles for them say `corrupted`): i386 `EIP is at func+0x..`, 64-bit powerpc's dot symbols
 * (`NIP [c00..] .func+0x..`), mips `epc   : 8024.. func+0x..`, loongarch `era   : 9000.. func+0x..`,
 * s390 `Krnl PSW : 0704.. 0000.. (func+0x..)`. The function is in whichever group matched.
 */
export const IP_LINE = rx(
  [
    String.raw`(?:IP|NIP|pc |PC is at|IP is at):? (?:(?:${SEGMENT})?(?:{{PC}} +){0,2}{{FUNC}}|(?:${SEGMENT})?0x[0-9a-f]+|(?:${SEGMENT})?{{PC}} +\[< *\(null\)>\] +\(null\)|${SEGMENT} +\(null\))`,
    String.raw`NIP \[[0-9a-f]+\] \.{{FUNC}}`,
    String.raw`(?:epc|era) +: +[0-9a-f]+ +{{FUNC}}`,
    String.raw`Krnl PSW : [0-9a-f]+ [0-9a-f]+ \({{FUNC}}`,
  ].join('|'),
);

/** The function an IP_LINE match names, or undefined (a user-mode or NULL IP). */
export function ipFunction(m: RegExpExecArray): string | undefined {
  for (let g = 1; g < m.length; g++) if (m[g] !== undefined) return m[g];
  return undefined;
}

/** The start of the task's call trace: `Call Trace:` (x86), `Call trace:` (arm64), `Backtrace:` (arm). */
export const CALL_TRACE = /Call [Tt]race:|Backtrace:/;

/**
 * One stack entry (`[<pc>] [<pc>] func+0x1/0x2`), capturing the function name; also 64-bit powerpc's
 * dot symbols (`[c0000003f5bdbb40] [c00000000021df30] .alloc_pipe_info+0x30/0xf0`), which syzkaller
 * does not read (the name is in the second group).
 */
export const FRAME_LINE = rx(String.raw`^ *(?:(?:{{PC}} ){0,2}{{FUNC}}|\[[0-9a-f]+\] \[[0-9a-f]+\] \.{{FUNC}})`);
/** 32-bit ARM unwinder lines name two functions: `[<pc>] (callee) from [<pc>] (caller+0x..)`. */
export const ARM_FRAME_LINE = rx(String.raw`^ *{{PC}} \(([a-zA-Z0-9_.]+)\) from {{PC}} \({{FUNC}}`);

/** RISC-V `show_regs` ends with this line, and the stack follows with no header of its own. */
export const RISCV_STACK_START = /status: [0-9a-f]{16} badaddr: [0-9a-f]{16} cause: [0-9a-f]{16}/;

/** Lines after which a (new) stack trace follows. */
export const STACK_STARTS: RegExp[] = [
  /Call [Tt]race/,
  /Allocated:/,
  /Allocated by task [0-9]+:/,
  /Freed:/,
  /Freed by task [0-9]+:/,
  // `unreferenced object ... backtrace:` of kmemleak, but not lockdep's `stack backtrace:`.
  /[^k] backtrace(?: \(crc [0-9a-fA-F]*\))?:/,
  /Backtrace:/,
  /Uninit was stored to memory at/,
  RISCV_STACK_START,
];

/** Any of STACK_STARTS (a cheap first test). */
export const ANY_STACK_START = new RegExp(STACK_STARTS.map((re) => re.source).join('|'));

/** Fault-injection stacks (`should_fail+0x..`) are often mixed into other reports: the stack is unusable. */
export const FAULT_INJECTION_FRAME = /^(?: \[<?(?:0x)?[0-9a-f]+>?\])? should_fail(?:slab)?(?:\.[a-z0-9.]+)?\+0x/;

const STACK_START_WORDS = /race|Alloc|Free|Uninit|badaddr/;

export function isStackStart(line: string): boolean {
  // Stack entries (` foo+0x1/0x2`, most lines of a report) are never stack starts.
  if (line.charCodeAt(0) === 32 && line.includes('+0x')) return false;
  // Every stack start has a colon or ` at` in it, and one of these words; most lines fail early.
  if (line.indexOf(':') < 0 && !line.includes(' at')) return false;
  if (!STACK_START_WORDS.test(line)) return false;
  return ANY_STACK_START.test(line);
}

export function isFrameLine(line: string): boolean {
  return FRAME_LINE.test(line) || ARM_FRAME_LINE.test(line);
}
