// Line breaks as LSP counts them: `\n`, `\r\n` and a `\r` no `\n` follows end a line, for the parser
// too (a serial capture's `\r\r\n` stays one line break to the parser, two to LSP). A log whose lines
// end in `\r` alone reads as the same log with `\n`; the document's line tables stay right through edits.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { analyze } from '../../server/src/analyzer/analyze.ts';
import { computeLineStarts, firstLoneCR, lineEnd, lineOfOffset } from '../../server/src/parser/lines.ts';
import { parseCrashLog } from '../../server/src/parser/parse.ts';
import { registersInText } from '../../server/src/parser/registers.ts';
import { KernelLogDocument } from '../../server/src/service/document.ts';
import { lspLineStarts } from '../lsp/client.ts';
import { fixtureLogs } from './fixture-logs.ts';

/** The parser's line starts, written the slow and obvious way. */
function parserLineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) starts.push(i + 1);
    else if (c === 13) {
      let j = i + 1;
      while (text.charCodeAt(j) === 13) j++;
      if (text.charCodeAt(j) === 10) {
        starts.push(j + 1); // `\r...\r\n`: one line break
        i = j;
      } else {
        for (let k = i; k < j; k++) starts.push(k + 1); // each `\r` a line break of its own
        i = j - 1;
      }
    }
  }
  return starts;
}

const breaky = fc.array(fc.constantFrom('a', 'b c', '\r', '\n', '\r\n', '\r\r\n', '\r\r'), { maxLength: 30 }).map((parts) => parts.join(''));

test('computeLineStarts: `\\n`, and each `\\r` of a run no `\\n` ends', () => {
  fc.assert(
    fc.property(breaky, (text) => {
      assert.deepEqual([...computeLineStarts(text)], parserLineStarts(text));
      assert.equal(firstLoneCR(text, 0, text.length) !== -1, /\r(?!\r*\n)/.test(text));
    }),
    { numRuns: 3000 },
  );
  assert.deepEqual([...computeLineStarts('a\rb\r\nc\r\r\nd\re\r')], [0, 2, 5, 9, 11, 13]);
  // Without `\r\r`, the parser's lines are LSP's.
  fc.assert(
    fc.property(breaky, (text) => {
      if (!text.includes('\r\r')) assert.deepEqual([...computeLineStarts(text)], lspLineStarts(text));
    }),
  );
});

test('lineEnd leaves every line break out, a lone `\\r` too', () => {
  const text = 'one\rtwo\r\nthree\r\r\nfour\r\rfive';
  const starts = computeLineStarts(text);
  const lines = Array.from(starts, (s, i) => text.slice(s, lineEnd(text, starts, i)));
  assert.deepEqual(lines, ['one', 'two', 'three', 'four', '', 'five']);
});

test('a log with lines ended by `\\r` alone parses as the same log with `\\n`', () => {
  for (const { name, text } of fixtureLogs()) {
    if (text.includes('\r')) continue; // the CRLF captures: their own snapshots
    const crOnly = text.replace(/\n/g, '\r');
    // Each `\n` replaced by one character: same offsets, same lines.
    const lf = parseCrashLog(text);
    const cr = parseCrashLog(crOnly);
    assert.deepEqual(Array.from(cr.lineStarts), Array.from(lf.lineStarts), `${name}: lines`);
    assert.deepEqual(cr.reports, lf.reports, `${name}: reports`);
    assert.deepEqual(cr.problems, lf.problems, `${name}: problems`);
    assert.deepEqual(analyze(cr), analyze(lf), `${name}: findings`);
  }
});

test('a log whose line ends are mixed reads the same', () => {
  const logs = fixtureLogs().filter((l) => !l.text.includes('\r'));
  fc.assert(
    fc.property(fc.nat(logs.length - 1), fc.integer(), (i, seed) => {
      const { text } = logs[i];
      let n = seed;
      const mixed = text.replace(/\n/g, () => ((n = (n * 1103515245 + 12345) & 0x7fffffff) % 3 === 0 ? '\r' : '\n'));
      const lf = parseCrashLog(text);
      const cr = parseCrashLog(mixed);
      assert.deepEqual(cr.reports, lf.reports);
      assert.deepEqual(analyze(cr), analyze(lf));
    }),
    { numRuns: 30 },
  );
});

test('registers are read from lines ended by `\\r` alone', () => {
  const lf = 'RAX: 0000000000000001 RBX: 0000000000000002\nRDX: 0000000000000003\n';
  const cr = lf.replace(/\n/g, '\r');
  assert.deepEqual(registersInText(cr, 100), registersInText(lf, 100));
  assert.equal(registersInText(cr, 0).length, 3);
});

/** A random edit of a text full of line breaks: [start, end) replaced, positions as an editor sends them. */
const edit = fc.record({
  at: fc.nat(),
  length: fc.nat(6),
  insert: fc.array(fc.constantFrom('x', '\r', '\n', '\r\n', 'y\r', '\r\r'), { maxLength: 4 }).map((p) => p.join('')),
});

test('the document keeps its line tables (parser and LSP) right through edits around `\\r`s', () => {
  fc.assert(
    fc.property(breaky, fc.array(edit, { minLength: 1, maxLength: 12 }), (initial, edits) => {
      const doc = new KernelLogDocument('test://breaks', 'kernel-log', 1, initial);
      let text = initial;
      for (const e of edits) {
        const lsp = lspLineStarts(text);
        const position = (offset: number) => {
          const line = lineOfOffset(lsp, offset);
          return { line, character: offset - lsp[line] };
        };
        // Positions that LSP can express (never between the `\r` and the `\n` of a CRLF).
        const inside = (o: number) => (text.charCodeAt(o - 1) === 13 && text.charCodeAt(o) === 10 ? o - 1 : o);
        const start = inside(e.at % (text.length + 1));
        const end = inside(Math.min(text.length, start + e.length));
        const oldStarts = [...doc.lineStarts];
        doc.update([{ range: { start: position(start), end: position(end) }, text: e.insert }], doc.version + 1);
        text = text.slice(0, start) + e.insert + text.slice(Math.max(start, end));
        assert.equal(doc.getText(), text);
        assert.deepEqual([...doc.lineStarts], parserLineStarts(text), JSON.stringify(text));
        assert.deepEqual([...doc.lspLineStarts], lspLineStarts(text), JSON.stringify(text));
        // The edit hull covers every line whose break changed: before it the lines are the old ones,
        // after it the old ones moved.
        const hull = doc.takeEditHull()!;
        const newStarts = [...doc.lineStarts];
        assert.deepEqual(
          newStarts.filter((s) => s <= hull.start),
          oldStarts.filter((s) => s <= hull.start),
        );
        assert.deepEqual(
          newStarts.filter((s) => s > hull.newEnd),
          oldStarts.filter((s) => s > hull.oldEnd).map((s) => s + hull.newEnd - hull.oldEnd),
        );
      }
    }),
    { numRuns: 2000 },
  );
});

test('a change range given end first is the same range', () => {
  const doc = new KernelLogDocument('test://reversed', 'kernel-log', 1, 'one\ntwo\nthree\n');
  doc.update([{ range: { start: { line: 1, character: 3 }, end: { line: 0, character: 1 } }, text: 'X' }], 2);
  assert.equal(doc.getText(), 'oX\nthree\n');
});

test('a change with a negative position is refused whole', () => {
  const doc = new KernelLogDocument('test://negative', 'kernel-log', 1, 'one\ntwo\n');
  assert.throws(
    () => doc.update([{ text: 'ok' }, { range: { start: { line: -1, character: 0 }, end: { line: 0, character: 0 } }, text: 'X' }], 2),
    /malformed range/,
  );
  assert.equal(doc.getText(), 'one\ntwo\n');
  assert.equal(doc.version, 1);
});
