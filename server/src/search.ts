// The one binary search of the project. Line starts, report lines, sorted symbol addresses, unit
// offsets, line-table rows and address ranges all ask "the first entry above this key" (the last
// one at or below it is the entry before). 64-bit addresses are searched as (high, low) 32-bit
// pairs: above 2^53 a JS number cannot hold them. Values read through a function (a report's line
// in a version that moved it) are searched with firstWhere.

/**
 * The first index in [start, end) at which `holds` is true, for a test that is false up to some
 * index and true from there on; `end` when it never holds.
 */
export function firstWhere(start: number, end: number, holds: (index: number) => boolean): number {
  let a = start;
  let b = end;
  while (a < b) {
    const m = (a + b) >>> 1;
    if (holds(m)) b = m;
    else a = m + 1;
  }
  return a;
}

/** The first index in [start, end) whose value is > key (end when none). */
export function upperBound(sorted: ArrayLike<number>, key: number, start = 0, end = sorted.length): number {
  // The same search as firstWhere, written out: it runs for every character a piece table reads.
  let a = start;
  let b = end;
  while (a < b) {
    const m = (a + b) >>> 1;
    if (sorted[m] <= key) a = m + 1;
    else b = m;
  }
  return a;
}

/** upperBound over addresses kept as parallel high/low 32-bit arrays, sorted by (high, low). */
export function upperBoundPair(high: ArrayLike<number>, low: ArrayLike<number>, keyHigh: number, keyLow: number, start = 0, end = high.length): number {
  return firstWhere(start, end, (m) => high[m] > keyHigh || (high[m] === keyHigh && low[m] > keyLow));
}
