// The one binary search of the symbolizer: sorted symbol addresses, unit offsets, line-table rows
// and address ranges all ask "the first entry above this key" (the last one at or below is the
// entry before it). 64-bit addresses are searched as (high, low) 32-bit pairs: above 2^53 a JS
// number cannot hold them.

/** The first index in [start, end) whose value is > key (end when none). */
export function upperBound(sorted: ArrayLike<number>, key: number, start = 0, end = sorted.length): number {
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
  let a = start;
  let b = end;
  while (a < b) {
    const m = (a + b) >>> 1;
    if (high[m] < keyHigh || (high[m] === keyHigh && low[m] <= keyLow)) a = m + 1;
    else b = m;
  }
  return a;
}
