// registerPairs() lets the parser and titles take a register line without their other tests: on
// every line it accepts, it must agree with the full classifiers — fixture lines, and generated
// register lines (with header words, IP names, odd values and separators mixed in).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { parseMarkerLine } from '../../server/src/parser/frames.ts';
import { matchReportHeader } from '../../server/src/parser/headers.ts';
import { firstNonSpace } from '../../server/src/parser/lines.ts';
import { fixtureMessages } from './fixture-logs.ts';
import { countRegisters, isRegisterLine, parseIpLine, registerPairs } from '../../server/src/parser/registers.ts';
import { findOopsKind, INFO_WITH_STACK } from '../../server/src/parser/title/formats.ts';
import { isStackStart } from '../../server/src/parser/title/patterns.ts';


/** What the full classifiers say about a line registerPairs() accepted. */
function checkAccepted(message: string): void {
  const pairs = registerPairs(message, 0, message.length);
  if (pairs < 0) return;
  assert.equal(pairs, countRegisters(message), `pairs of ${JSON.stringify(message)}`);
  assert.ok(isRegisterLine(message), `register line: ${message}`);
  assert.equal(parseIpLine(message), null, `no IP line: ${message}`);
  assert.equal(matchReportHeader(message), null, `no header: ${message}`);
  assert.equal(parseMarkerLine(message, 0), null, `no marker: ${message}`);
  // What titles test (title/report-text.ts): no next report, no `? ` entry, no stack start, no
  // lock-debugging or NMI notes.
  assert.equal(findOopsKind(message), null, `no oops kind: ${message}`);
  assert.ok(!INFO_WITH_STACK.test(message), `no info-with-stack: ${message}`);
  assert.ok(!message.includes('?') && !message.endsWith(' (unreliable)'), `not questionable: ${message}`);
  assert.ok(!isStackStart(message), `no stack start: ${message}`);
  assert.ok(!message.includes('Disabling lock debugging') && !message.includes('Sending NMI from CPU'), message);
}

test('fixture register lines: registerPairs agrees with the full classifiers', () => {
  let accepted = 0;
  for (const m of fixtureMessages()) {
    checkAccepted(m);
    if (registerPairs(m, 0, m.length) >= 0) accepted++;
  }
  assert.ok(accepted > 50, `only ${accepted} fixture lines were taken as register lines`);
});

test('generated register lines: registerPairs agrees with the full classifiers', () => {
  const name = fc.constantFrom('RAX', 'RBX', 'R08', 'RSP', 'RIP', 'EIP', 'IP', 'NIP', 'FS', 'GS', 'knlGS', 'CS', 'CR2', 'EFLAGS', 'ORIG_RAX', 'x29', 'x3', 'lr', 'sp', 'pc', 'r10', 'ip', 'fp', 'pmr_save', 'BUG', 'INFO', 'WARNING', 'UBSAN', 'Trace', 'badaddr', 'status', 'Oops', 'GPR00', 'PKRU', 'DR7', 'int3', 'panic');
  const hex = fc.stringMatching(/^[0-9a-f]{1,18}$/);
  const sep = fc.constantFrom(' ', '  ', ' : ', ':', ': ', ' ? ', '(0000)', ':0010');
  const pair = fc.tuple(name, fc.constantFrom(': ', ':', ' : ', ':  '), hex, fc.constantFrom('', '(0000)', ':ffffc90000a9fe58', '(00)'));
  fc.assert(
    fc.property(fc.array(fc.tuple(pair, sep), { minLength: 1, maxLength: 5 }), (items) => {
      const line = items.map(([[n, colon, v, suffix], s], k) => `${n}${colon}${v}${suffix}${k < items.length - 1 ? s : ''}`).join('');
      checkAccepted(line);
    }),
    { numRuns: 3000 },
  );
});

test('firstNonSpace is where \\S first matches', () => {
  const ch = fc.constantFrom(' ', '\t', '\u00a0', '\u2003', '\ufeff', '\r', 'a', '<', 'C', '\u3000', '\u200b');
  fc.assert(
    fc.property(fc.array(ch, { maxLength: 8 }), (chars) => {
      const s = chars.join('');
      const at = s.search(/\S/);
      assert.equal(firstNonSpace(s), at < 0 ? s.length : at);
    }),
    { numRuns: 2000 },
  );
});
