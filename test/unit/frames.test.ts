// The hand-written fast path for common stack entries must agree with the full grammar on every
// line it accepts: all fixture lines, and those lines cut, padded and mutated.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { fastEntry, parseEntryByGrammar } from '../../server/src/parser/frames.ts';
import { fixtureMessages } from './fixture-logs.ts';


function agree(message: string): void {
  const fast = fastEntry(message, 100, 7);
  if (fast === undefined) return;
  assert.deepEqual(fast, parseEntryByGrammar(message, 100, 7), JSON.stringify(message));
}

test('the fast path agrees with the grammar on every fixture line', () => {
  const messages = fixtureMessages(['test/fixtures', 'examples', 'test/e2e/fixtures']);
  assert.ok(messages.length > 500);
  let taken = 0;
  for (const m of messages) {
    agree(m);
    if (fastEntry(m, 0, 0) !== undefined) taken++;
  }
  assert.ok(taken > 200, `fast path took only ${taken} lines`);
});

test('the fast path agrees with the grammar on mutated entry lines', () => {
  const entries = fixtureMessages(['test/fixtures', 'examples', 'test/e2e/fixtures']).filter((m) => parseEntryByGrammar(m, 0, 0) !== null);
  const pieces = [' ', '  ', '\t', '?', '? ', '[<', '>]', '+0x', '/0x', '[', ']', ' [', 'ffffffff81000000', 'a', 'Z', '.', '-', '(P)', ' (P)', '0x1f'];
  fc.assert(
    fc.property(fc.constantFrom(...entries), fc.nat(), fc.constantFrom(...pieces), fc.nat(), (entry, at, piece, cut) => {
      const p = at % (entry.length + 1);
      agree(entry.slice(0, p) + piece + entry.slice(p));
      agree(entry.slice(0, cut % (entry.length + 1)));
      agree(entry.slice(p));
    }),
    { numRuns: 3000 },
  );
});
