// Parsing in pieces must give exactly what one full parse gives: random edits (incremental
// re-parse) and small chunks (progressive parse) on the fixtures, compared with parseCrashLog +
// analyze of the whole text. Runs on the service directly (the LSP tests drive the same code).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { computeLineStarts } from '../../server/src/parser/lines.ts';
import type { Finding } from '../../server/src/analyzer/findings.ts';
import type { LogAnalysis } from '../../server/src/service/analysis.ts';
import { DocumentCache } from '../../server/src/service/documentCache.ts';
import { analyzeWhole } from '../../server/src/service/reparse.ts';
import { ROOT, type Position, type Range } from './client.ts';
// @ts-expect-error: a plain script module of the benchmarks, without types
import { syzbotBodies } from '../../scripts/bench-logs.mjs';

const FIXTURES = path.join(ROOT, 'test', 'fixtures');
const LOGS = readdirSync(FIXTURES)
  .filter((f) => f.endsWith('.log'))
  .sort()
  .map((f) => readFileSync(path.join(FIXTURES, f), 'utf8'));
const ALL_LINES = LOGS.join('\n').split('\n');
/** The syzkaller reports of the conformance corpus beside the repository (another project's data:
 * read from there when it is present, never copied): the dense syzbot-style log of the benchmarks. */
const SYZBOT_BODIES: string[] | null = syzbotBodies().bodies?.map((b: Buffer) => b.toString('utf8')) ?? null;

/**
 * The LSP range of offsets `start` <= `end` of `text` (a line ends at `\n`, `\r\n` or a lone `\r`, as
 * client.ts positionOf counts): one scan up to `end`, not a table of every line of the text per call.
 */
function rangeOf(text: string, start: number, end: number): Range {
  const breaks = /\r\n?|\n/g;
  let line = 0;
  let lineStart = 0;
  let startPos: Position | null = null;
  for (let m = breaks.exec(text); m && m.index + m[0].length <= end; m = breaks.exec(text)) {
    if (!startPos && m.index + m[0].length > start) startPos = { line, character: start - lineStart };
    line++;
    lineStart = m.index + m[0].length;
  }
  return { start: startPos ?? { line, character: start - lineStart }, end: { line, character: end - lineStart } };
}

/** A small deterministic generator (tests must be repeatable). */
function random(seed: number): (n: number) => number {
  let s = seed >>> 0 || 1;
  return (n) => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) % n;
  };
}

function assertSameAsFullParse(analysis: LogAnalysis, text: string, label: string): void {
  const full = analyzeWhole(text, computeLineStarts(text));
  assert.deepEqual(Array.from(analysis.lineStarts), Array.from(full.lineStarts), `${label}: line starts`);
  assert.deepEqual(analysis.log.reports, full.log.reports, `${label}: reports`);
  assert.deepEqual(analysis.problems, full.problems, `${label}: problems`);
  assert.deepEqual(analysis.allFindings().map(asRead), full.allFindings().map(asRead), `${label}: findings`);
}

/** What a finding says when read (a finding of a report moved since is a wrapper over the one made then). */
function asRead(f: Finding) {
  const { code, severity, message, line, start, end, data, related, unnecessary, report } = f;
  return { code, severity, message, line, start, end, data, related, unnecessary, report };
}

/** A random edit of `text`: delete, insert lines taken from the fixtures, retype a few characters. */
function randomChange(text: string, rnd: (n: number) => number, binary = false): { start: number; end: number; insert: string } {
  if (binary && rnd(3) === 0) {
    // A line with binary bytes (a serial console's noise, or U+FFFD where a tool replaced them).
    const at = rnd(text.length + 1);
    const line = ALL_LINES[rnd(ALL_LINES.length)];
    const cut = rnd(line.length + 1);
    return { start: at, end: at, insert: line.slice(0, cut) + (rnd(2) ? '\0\0' : '\ufffd') + line.slice(cut) + '\n' };
  }
  const start = rnd(text.length + 1);
  switch (rnd(6)) {
    case 0:
      return { start, end: Math.min(text.length, start + rnd(400)), insert: '' };
    case 1:
      return { start, end: start, insert: ALL_LINES[rnd(ALL_LINES.length)] + '\n' };
    case 2:
      return { start, end: Math.min(text.length, start + rnd(20)), insert: 'x?<[ '.slice(0, rnd(5)) };
    case 3: {
      // A whole line out, a whole line in (the usual quick-fix shapes).
      const lineStart = text.lastIndexOf('\n', start - 1) + 1;
      const lineEnd = text.indexOf('\n', start);
      return { start: lineStart, end: lineEnd < 0 ? text.length : lineEnd + 1, insert: rnd(2) ? '' : ALL_LINES[rnd(ALL_LINES.length)] + '\n' };
    }
    case 4: {
      const from = rnd(ALL_LINES.length);
      return { start, end: start, insert: ALL_LINES.slice(from, from + 1 + rnd(40)).join('\n') + '\n' };
    }
    default:
      return { start, end: Math.min(text.length, start + rnd(3000)), insert: rnd(2) ? '\n' : '' };
  }
}

describe('incremental re-parse equals a full parse', () => {
  // Seeds 101-104 also type lines with binary bytes: a problem of their own line only, they do not
  // stop incremental parsing.
  for (const seed of [1, 2, 3, 4, 5, 6, 101, 102, 103, 104]) {
    const binary = seed > 100;
    it(`random edits, seed ${seed}${binary ? ', with binary lines' : ''}`, () => {
      const rnd = random(seed * 7919);
      for (let round = 0; round < 6; round++) {
        const pieces = Array.from({ length: 2 + rnd(4) }, () => LOGS[rnd(LOGS.length)]);
        let text = pieces.join(rnd(2) ? '' : 'some unrelated line\n');
        const cache = new DocumentCache({ chunkLines: 50 + rnd(400) });
        const uri = `test://edits/${seed}/${round}`;
        const doc = cache.open(uri, 'kernel-log', 1, text);
        // A version held on to (as a request that waits does) while the later ones are made and read.
        let held: { analysis: LogAnalysis; text: string; edit: number } | null = null;
        for (let edit = 0; edit < 25; edit++) {
          // One didChange with one to three changes, each relative to the text the previous left.
          const changes: { range: Range; text: string }[] = [];
          for (let c = 1 + rnd(3); c > 0; c--) {
            const change = randomChange(text, rnd, binary);
            // An editor never puts a position between the \r and \n of a line break.
            const outsideCrLf = (o: number) => (text.charCodeAt(o - 1) === 13 && text.charCodeAt(o) === 10 ? o - 1 : o);
            change.start = outsideCrLf(change.start);
            change.end = Math.max(change.start, outsideCrLf(change.end));
            changes.push({ range: rangeOf(text, change.start, change.end), text: change.insert });
            text = text.slice(0, change.start) + change.insert + text.slice(change.end);
          }
          cache.change(uri, doc.version + 1, changes);
          assert.equal(doc.text.toString(), text);
          // Sometimes let edits pile up (moves owed by reports add up), or step a progressive parse.
          const action = rnd(6);
          if (action === 0) continue;
          if (action === 1) {
            cache.step(uri);
            continue;
          }
          assertSameAsFullParse(cache.analysisOf(uri)!, text, `seed ${seed} round ${round} edit ${edit}`);
          if (!held && edit >= 5) held = { analysis: cache.analysisOf(uri)!, text, edit };
        }
        assertSameAsFullParse(cache.analysisOf(uri)!, text, `seed ${seed} round ${round} end`);
        if (held) assertSameAsFullParse(held.analysis, held.text, `seed ${seed} round ${round}: the version of edit ${held.edit}, read again at the end`);
      }
    });
  }
});

/** A change that types or deletes one character at the start of a line (a prefix lost or mangled). */
function lineStartChange(text: string, rnd: (n: number) => number): { start: number; end: number; insert: string } {
  const start = text.lastIndexOf('\n', rnd(text.length + 1) - 1) + 1;
  return rnd(2) ? { start, end: start, insert: 'x' } : { start, end: Math.min(text.length, start + 1), insert: '' };
}

function randomEdits(
  text: string,
  seed: number,
  edits: number,
  change: (text: string, rnd: (n: number) => number) => { start: number; end: number; insert: string },
): void {
  const rnd = random(seed);
  const cache = new DocumentCache({ chunkLines: 100 + rnd(2000) });
  const uri = `test://dense/${seed}`;
  const doc = cache.open(uri, 'kernel-log', 1, text);
  for (let edit = 0; edit < edits; edit++) {
    const c = change(text, rnd);
    const outsideCrLf = (o: number) => (text.charCodeAt(o - 1) === 13 && text.charCodeAt(o) === 10 ? o - 1 : o);
    c.start = outsideCrLf(c.start);
    c.end = Math.max(c.start, outsideCrLf(c.end));
    cache.change(uri, doc.version + 1, [{ range: rangeOf(text, c.start, c.end), text: c.insert }]);
    text = text.slice(0, c.start) + c.insert + text.slice(c.end);
    if (rnd(4) === 0) cache.step(uri);
    else assertSameAsFullParse(cache.analysisOf(uri)!, text, `seed ${seed} edit ${edit}`);
  }
  assertSameAsFullParse(cache.analysisOf(uri)!, text, `seed ${seed} end`);
}

describe('dense logs: every line in a report, printk caller ids, characters typed at line starts', () => {
  // Typing at the start of a line takes its prefix away: a report of one caller is then set aside
  // by another's, and the region of the edit has to go on to a later resync point.
  it('the fixtures back to back', () => {
    const text = LOGS.join('');
    for (const seed of [11, 12, 13]) randomEdits(text, seed, 30, (t, rnd) => (rnd(3) ? lineStartChange(t, rnd) : randomChange(t, rnd, true)));
  });

  // Many short runs on windows of 20 bodies find more than a few long ones on bigger windows, for
  // the time a full parse per edit costs.
  it('the syzbot-style log (when ../shared is present)', { skip: SYZBOT_BODIES ? false : 'no ../shared/corpus' }, () => {
    const bodies = SYZBOT_BODIES ?? [];
    for (let seed = 21; seed <= 52; seed++) {
      const rnd = random(seed);
      const from = rnd(bodies.length);
      const text = Array.from({ length: 20 }, (_, i) => bodies[(from + i) % bodies.length]).join('');
      randomEdits(text, seed, 12, (t, r) => (r(2) ? lineStartChange(t, r) : randomChange(t, r, true)));
    }
  });
});

describe('progressive parse equals a full parse', () => {
  it('for every fixture and several chunk sizes', () => {
    const text = LOGS.join('');
    for (const chunkLines of [1, 7, 64, 300, 5000]) {
      const cache = new DocumentCache({ chunkLines });
      cache.open('test://chunks', 'kernel-log', 1, text);
      let steps = 0;
      for (let r = cache.step('test://chunks'); r && !r.complete; r = cache.step('test://chunks')) steps++;
      assertSameAsFullParse(cache.analysisOf('test://chunks')!, text, `chunks of ${chunkLines}`);
      if (chunkLines <= 64) assert.ok(steps > 3, 'parsed in several steps');
    }
  });

  // Reports of several printk callers interleaved and set aside: a chunk's last reports are parsed
  // again with every one still open or set aside beside them.
  it('windows of the syzbot-style log (when ../shared is present)', { skip: SYZBOT_BODIES ? false : 'no ../shared/corpus' }, () => {
    const bodies = SYZBOT_BODIES ?? [];
    for (const from of [259, 296, 304]) {
      const text = Array.from({ length: 40 }, (_, i) => bodies[(from + i) % bodies.length]).join('');
      for (const chunkLines of [1, 64, 300]) {
        const cache = new DocumentCache({ chunkLines });
        cache.open('test://syzbot-chunks', 'kernel-log', 1, text);
        for (let r = cache.step('test://syzbot-chunks'); r && !r.complete; r = cache.step('test://syzbot-chunks'));
        assertSameAsFullParse(cache.analysisOf('test://syzbot-chunks')!, text, `syzbot-style log from body ${from}, chunks of ${chunkLines}`);
      }
    }
  });

  it('a log without any report is parsed in steps too', () => {
    const text = Array.from({ length: 5000 }, (_, i) => `[ ${i}.000000] e1000: eth0 link event ${i}\n`).join('') + LOGS[0];
    const cache = new DocumentCache({ chunkLines: 100 });
    cache.open('test://quiet', 'kernel-log', 1, text);
    let steps = 0;
    for (let r = cache.step('test://quiet'); r && !r.complete; r = cache.step('test://quiet')) steps++;
    assert.ok(steps >= 40, `${steps} steps`);
    assertSameAsFullParse(cache.analysisOf('test://quiet')!, text, 'quiet log');
  });
});

describe('a serial capture with `\\r\\r\\n` line ends', () => {
  // The parser and the service read a line the same way (parser/lines.ts lineEnd): all the `\r`
  // before the `\n` are left out, so a report titled again after an edit or at a chunk's edge
  // reads the same text as a full parse.
  const serial = (s: string) => s.replace(/\r?\n/g, '\r\r\n');
  const text = serial(LOGS.join(''));

  it('chunked parse equals a full parse', () => {
    for (const chunkLines of [1, 7, 64, 300]) {
      const cache = new DocumentCache({ chunkLines });
      cache.open('test://serial', 'kernel-log', 1, text);
      for (let r = cache.step('test://serial'); r && !r.complete; r = cache.step('test://serial'));
      assertSameAsFullParse(cache.analysisOf('test://serial')!, text, `\\r\\r\\n, chunks of ${chunkLines}`);
    }
  });

  it('incremental re-parse equals a full parse', () => {
    const rnd = random(4242);
    let current = text;
    const cache = new DocumentCache({ chunkLines: 200 });
    const doc = cache.open('test://serial-edits', 'kernel-log', 1, current);
    cache.analysisOf('test://serial-edits');
    for (let edit = 0; edit < 30; edit++) {
      // Whole lines out or in (the quick-fix shapes), in the capture's own line ends.
      const lineStart = current.lastIndexOf('\n', rnd(current.length)) + 1;
      const next = current.indexOf('\n', lineStart);
      const end = next < 0 ? current.length : next + 1;
      const insert = rnd(2) ? '' : serial(ALL_LINES[rnd(ALL_LINES.length)] + '\n');
      cache.change('test://serial-edits', doc.version + 1, [{ range: rangeOf(current, lineStart, end), text: insert }]);
      current = current.slice(0, lineStart) + insert + current.slice(end);
      assertSameAsFullParse(cache.analysisOf('test://serial-edits')!, current, `\\r\\r\\n edit ${edit}`);
    }
  });
});

describe('pastes as people make them (test/fixtures/wild)', () => {
  // Indented, quoted, wrapped, double-spaced and vendor-prefixed logs: a paste shape is learned
  // from a report's header and a wrapped line is read with the lines after it, so parsing in
  // pieces must see the same neighbours a full parse sees.
  const WILD = path.join(FIXTURES, 'wild');
  const wild = readdirSync(WILD)
    .filter((f) => f.endsWith('.log'))
    .sort()
    .map((f) => readFileSync(path.join(WILD, f), 'utf8'));

  it('progressive parse equals a full parse', () => {
    const text = wild.join('\n');
    for (const chunkLines of [1, 13, 200]) {
      const cache = new DocumentCache({ chunkLines });
      cache.open('test://wild', 'kernel-log', 1, text);
      for (let r = cache.step('test://wild'); r && !r.complete; r = cache.step('test://wild'));
      assertSameAsFullParse(cache.analysisOf('test://wild')!, text, `wild, chunks of ${chunkLines}`);
    }
  });

  it('random edits equal a full parse', () => {
    const rnd = random(4242);
    for (let round = 0; round < 8; round++) {
      let text = Array.from({ length: 2 + rnd(3) }, () => wild[rnd(wild.length)]).join('\n');
      const cache = new DocumentCache({ chunkLines: 20 + rnd(200) });
      const uri = `test://wild-edits/${round}`;
      const doc = cache.open(uri, 'kernel-log', 1, text);
      for (let edit = 0; edit < 15; edit++) {
        const change = randomChange(text, rnd);
        const outsideCrLf = (o: number) => (text.charCodeAt(o - 1) === 13 && text.charCodeAt(o) === 10 ? o - 1 : o);
        change.start = outsideCrLf(change.start);
        change.end = Math.max(change.start, outsideCrLf(change.end));
        cache.change(uri, doc.version + 1, [{ range: rangeOf(text, change.start, change.end), text: change.insert }]);
        text = text.slice(0, change.start) + change.insert + text.slice(change.end);
        if (rnd(3) === 0) cache.step(uri);
        else assertSameAsFullParse(cache.analysisOf(uri)!, text, `wild round ${round} edit ${edit}`);
      }
    }
  });
});
