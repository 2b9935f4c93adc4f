// The one `func+off/size` formatter, and the outlines that use it (kcrash parse, LSP document
// symbols): an entry or instruction pointer without offset, size or address never prints
// `undefined` or `null`.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { analyze } from '../../server/src/analyzer/analyze.ts';
import { entryText, frameLabel, offsetText, symbolText } from '../../server/src/analyzer/frameText.ts';
import { parseCrashLog } from '../../server/src/parser/parse.ts';
import type { DocumentSymbol } from 'vscode-languageserver-types';
import { renderOutline } from '../../server/src/outline.ts';
import { DocumentCache } from '../../server/src/service/documentCache.ts';
import { computeDocumentSymbols } from '../../server/src/service/symbols.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const SEED = readFileSync(path.join(ROOT, 'examples/seed-pt-regs-on-stack.log'), 'utf8');
const base = { function: 'foo', offset: 0x10, size: 0x40, address: 'ffffffff81000010', module: null, context: null, reliable: true };

describe('symbolText / frameLabel / entryText', () => {
  it('prints what the kernel prints when everything is there', () => {
    assert.equal(symbolText(base), 'foo+0x10/0x40');
    assert.equal(frameLabel({ ...base, module: 'ext4' }), 'foo+0x10/0x40 [ext4]');
    assert.equal(entryText({ ...base, reliable: false, context: 'IRQ' }), '<IRQ> ? foo+0x10/0x40');
    assert.equal(offsetText(0x3d0, 0x3d0), '+0x3d0/0x3d0');
  });

  it('leaves out what is missing', () => {
    assert.equal(symbolText({ ...base, offset: null, size: null }), 'foo');
    assert.equal(symbolText({ ...base, offset: null }), 'foo');
    assert.equal(symbolText({ ...base, size: null }), 'foo+0x10');
    assert.equal(offsetText(0x10, null), '+0x10');
    assert.equal(symbolText({ ...base, function: null }), '0xffffffff81000010');
    assert.equal(symbolText({ ...base, function: null, address: null }), '?');
    assert.equal(frameLabel({ ...base, offset: null, size: null, address: null, module: 'mod' }), 'foo [mod]');
  });
});

interface Stripped {
  offset: number | null;
  size: number | null;
  address: string | null;
  function: string | null;
}

/**
 * The seed log's model with an entry and the first IP stripped of offset, size and address, and
 * the second report's IP of its symbol and address too.
 */
function strip(log: { reports: { regs: { ip: Stripped | null }[]; stacks: { frames: Stripped[] }[] }[] }) {
  const [first, second] = log.reports;
  const frame = first.stacks.find((s) => s.frames.length > 0)!.frames[1];
  frame.offset = null;
  frame.size = null;
  frame.address = null;
  const ip = first.regs[0].ip!;
  ip.offset = null;
  ip.size = null;
  ip.address = null;
  const other = second.regs[0].ip!;
  other.function = null;
  other.address = null;
}

describe('outlines of entries with null offset, size and address', () => {
  it('kcrash parse', () => {
    const log = parseCrashLog(SEED);
    strip(log);
    const text = renderOutline('seed.log', log, analyze(log));
    assert.doesNotMatch(text, /undefined|\bnull\b|0xnull|NaN/);
    assert.match(text, /RIP path_init {2}full register block/);
    assert.match(text, /RIP \? {2}full register block/);
    assert.match(text, /\n {6}21 {2}<IRQ> __hrtimer_run_queues\n/);
  });

  it('LSP document symbols', async () => {
    const cache = new DocumentCache();
    const doc = cache.open('test://seed', 'kernel-log', 1, SEED);
    const analysis = cache.analysisOf('test://seed')!;
    strip(analysis.log);
    const names: string[] = [];
    const walk = (symbols: DocumentSymbol[]) => {
      for (const s of symbols) {
        names.push(s.name, s.detail ?? '');
        walk(s.children ?? []);
      }
    };
    walk((await computeDocumentSymbols(doc.current, analysis))!);
    assert.ok(names.includes('RIP: path_init'), names.join(' | '));
    for (const n of names) assert.doesNotMatch(n, /undefined|\bnull\b|0xnull|NaN/);
    // The messages of the findings use the same formatter.
    for (const f of analyze(analysis.log)) assert.doesNotMatch(f.message, /undefined|\bnull\b|0xnull|NaN/);
  });
});
