// Every log of the wild corpus (real pastes, test/fixtures/wild/) gives what a reader sees in it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkWild, wildNames } from '../wild/check.ts';

for (const name of wildNames()) {
  test(`wild/${name}`, () => {
    const r = checkWild(name);
    if (r.knownWrong !== undefined) return;
    assert.ok(r.right, r.differences.join('\n'));
  });
}
