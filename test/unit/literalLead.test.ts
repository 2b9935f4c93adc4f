// The literal leads read from anchored expressions (literalLead.ts): what they read, and that no
// fixture line an expression matches fails its lead's pre-test.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { literalLead, mayMatchLead } from '../../server/src/parser/literalLead.ts';
import { LEAD_PRETESTED } from '../../server/src/parser/parse.ts';
import { fixtureMessages } from './fixture-logs.ts';

test('literal leads: what an anchored expression certainly starts with', () => {
  assert.deepEqual(literalLead(/^CPU: (\d+) PID/), { blanks: false, text: 'CPU: ' });
  assert.deepEqual(literalLead(/^\s*Call [Tt]race\b/), { blanks: true, text: 'Call ' });
  assert.deepEqual(literalLead(/^Pid: (\d+), comm:/), { blanks: false, text: 'Pid: ' });
  assert.deepEqual(literalLead(/^-+\[ cut here/), { blanks: false, text: '-' });
  assert.deepEqual(literalLead(/^ab?c/), { blanks: false, text: 'a' });
  assert.deepEqual(literalLead(/^a\.b\d/), { blanks: false, text: 'a.b' });
  // Nothing certain: not anchored, an alternation outside groups, a case-blind expression.
  assert.deepEqual(literalLead(/CPU: /), { blanks: false, text: '' });
  assert.deepEqual(literalLead(/^CPU: |Pid: /), { blanks: false, text: '' });
  assert.deepEqual(literalLead(/^cpu: /i), { blanks: false, text: '' });
  assert.equal(literalLead(/^(?:a|b)c/).text, '');
});

test('literal leads turn away no fixture line their expression matches', () => {
  const messages = fixtureMessages(['test/fixtures', 'examples', 'test/fixtures/wild']);
  for (const re of LEAD_PRETESTED) {
    const lead = literalLead(re);
    assert.notEqual(lead.text, '', re.source);
    let matched = 0;
    for (const m of messages) {
      if (!re.test(m)) continue;
      matched++;
      assert.ok(mayMatchLead(lead, m), `${re.source} matches ${JSON.stringify(m)} but its lead ${JSON.stringify(lead)} turns it away`);
    }
    assert.ok(matched > 0, `no fixture line for ${re.source}`);
  }
});
