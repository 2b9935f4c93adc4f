// The kernel's taint flags: which letter means what (Documentation/admin-guide/tainted-kernels.rst).
// Pure and total: no LSP types. The hover formats; this module only knows the facts.

export interface TaintFlag {
  /** Bit number in /proc/sys/kernel/tainted; also the flag's column in `Tainted: ` (0-based). */
  bit: number;
  letter: string;
  meaning: string;
}

/** One row per taint bit, in bit order. */
export const TAINT_FLAGS: readonly TaintFlag[] = [
  { bit: 0, letter: 'P', meaning: 'a proprietary (non-GPL-compatible) module was loaded' },
  { bit: 1, letter: 'F', meaning: 'a module was loaded by force (`insmod -f`)' },
  { bit: 2, letter: 'S', meaning: 'running on an unsafe SMP or out-of-specification system' },
  { bit: 3, letter: 'R', meaning: 'a module was unloaded by force (`rmmod -f`)' },
  { bit: 4, letter: 'M', meaning: 'the processor reported a machine check' },
  { bit: 5, letter: 'B', meaning: 'a bad page was referenced, or a page had unexpected flags' },
  { bit: 6, letter: 'U', meaning: 'a user (space program) requested the taint' },
  { bit: 7, letter: 'D', meaning: 'the kernel died recently: an earlier oops or BUG (this report may be a consequence)' },
  { bit: 8, letter: 'A', meaning: 'an ACPI table was overridden' },
  { bit: 9, letter: 'W', meaning: 'a warning was issued earlier (WARN)' },
  { bit: 10, letter: 'C', meaning: 'a staging driver was loaded' },
  { bit: 11, letter: 'I', meaning: 'a workaround for a platform firmware bug was applied' },
  { bit: 12, letter: 'O', meaning: 'an out-of-tree (externally built) module was loaded' },
  { bit: 13, letter: 'E', meaning: 'an unsigned module was loaded (module signing enabled)' },
  { bit: 14, letter: 'L', meaning: 'a soft lockup occurred' },
  { bit: 15, letter: 'K', meaning: 'the kernel was live patched' },
  { bit: 16, letter: 'X', meaning: 'auxiliary taint, defined and used by distributions' },
  { bit: 17, letter: 'T', meaning: 'built with the struct randomization plugin (randstruct)' },
  { bit: 18, letter: 'N', meaning: 'an in-kernel test (such as KUnit) has been run' },
  { bit: 19, letter: 'J', meaning: "fwctl's mutating debug interface was used" },
];

const BY_LETTER = new Map(TAINT_FLAGS.map((f) => [f.letter, f]));

/** The flag a letter stands for; undefined for `G`, space, `-` and unknown letters. */
export function taintFlag(letter: string): TaintFlag | undefined {
  return BY_LETTER.get(letter);
}

/** The flags set in a taint text (`G        W  O`, `--L------------ T`, `PO`), in bit order, each once. */
export function taintFlagsOf(columns: string): TaintFlag[] {
  const set = new Set<TaintFlag>();
  for (const ch of columns) {
    const f = BY_LETTER.get(ch);
    if (f) set.add(f);
  }
  return [...set].sort((a, b) => a.bit - b.bit);
}

/** The value of /proc/sys/kernel/tainted for these flags. */
export function taintMask(flags: readonly TaintFlag[]): number {
  return flags.reduce((m, f) => m + 2 ** f.bit, 0);
}

/**
 * Where a line holds taint text: `Not tainted` or `Tainted: ` and its columns up to the last letter
 * (the release follows), or the spelled-out `Tainted: [W]=WARN, …` line. Offsets are in the line; null when the line has none.
 */
export function taintTextIn(line: string): { start: number; end: number; columns: string | null } | null {
  // Since 6.11 a `Tainted: [W]=WARN, [O]=OOT_MODULE` line spells the flags out.
  const v = /\bTainted: ((?:\[[A-Z]\]=\w+(?:, )?)+)/.exec(line);
  if (v) return { start: v.index, end: v.index + v[0].length, columns: [...v[1].matchAll(/\[([A-Z])\]/g)].map((x) => x[1]).join('') };
  const m = /\b(?:Not +tainted|Tainted: ([A-Z -]*[A-Z-]))/.exec(line);
  if (!m) return null;
  return { start: m.index, end: m.index + m[0].length, columns: m[1] ?? null };
}
