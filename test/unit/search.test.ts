// The one binary search (server/src/search.ts) and the searches built on it, against a linear scan.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lineOfOffset } from '../../server/src/parser/lines.ts';
import { firstWhere, upperBound, upperBoundPair } from '../../server/src/search.ts';

describe('binary search', () => {
  it('finds what a linear scan finds', () => {
    let seed = 7;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) % n;
    for (let round = 0; round < 300; round++) {
      const sorted = Array.from({ length: rnd(40) }, () => rnd(50)).sort((a, b) => a - b);
      const key = rnd(60) - 5;
      const linear = sorted.findIndex((v) => v > key);
      const expected = linear < 0 ? sorted.length : linear;
      assert.equal(upperBound(sorted, key), expected);
      assert.equal(
        firstWhere(0, sorted.length, (i) => sorted[i] > key),
        expected,
      );
      // The last index at or below the key, 0 when there is none (lines: the first starts at 0).
      assert.equal(lineOfOffset(sorted, key), Math.max(0, expected - 1));
      // Within a range.
      const start = rnd(sorted.length + 1);
      const end = start + rnd(sorted.length - start + 1);
      const inRange = sorted.slice(start, end).findIndex((v) => v > key);
      assert.equal(upperBound(sorted, key, start, end), inRange < 0 ? end : start + inRange);
      // (high, low) pairs order like the numbers they make.
      const high = sorted.map((v) => v >> 3);
      const low = sorted.map((v) => v & 7);
      assert.equal(upperBoundPair(high, low, key >> 3, key & 7), expected);
    }
    assert.equal(lineOfOffset([], 5), 0);
    assert.equal(
      firstWhere(3, 3, () => true),
      3,
    );
  });
});
