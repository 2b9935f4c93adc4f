// Every log of the wild corpus (real pastes, test/fixtures/wild/) gives what a reader sees in it.
// A log still read wrongly says so in its expectation (`knownWrong`); once it comes out right, the
// note must go, so the list stays true.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkWild, wildNames } from '../wild/check.ts';

for (const name of wildNames()) {
  test(`wild/${name}`, () => {
    const r = checkWild(name);
    if (r.knownWrong !== undefined) assert.ok(!r.right, `${name} now comes out right: remove its knownWrong`);
    else assert.ok(r.right, r.differences.join('\n'));
  });
}
