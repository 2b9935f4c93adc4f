// The language service without a connection: the symbolizer slot of hover, and line breaks that
// LSP counts differently from the parser (a lone `\r`, as serial consoles write `\r\r\n`).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLanguageService } from '../../server/src/service/languageService.ts';
import { defaultSettings } from '../../server/src/service/settings.ts';
import type { SymbolQuery, Symbolizer } from '../../server/src/symbolizer/types.ts';
import { applyEdits, fixture, positionAtText, rangeOfText } from './client.ts';

describe('hover symbolizer slot', () => {
  it('asks the symbolizer with address - 1 semantics for return addresses and shows its answer', async () => {
    const queries: SymbolQuery[] = [];
    const symbolizer: Symbolizer = {
      async symbolize(query) {
        queries.push(query);
        return { frames: [{ function: 'lookup_fast', file: 'fs/namei.c', line: 1612, inline: false }], disassembly: 'call __stack_chk_fail' };
      },
    };
    const text = await fixture('lsp-seed-pt-regs.log');
    const service = createLanguageService({ symbolizer });
    const doc = service.openDocument('test://seed', 'kernel-log', 1, text);
    const analysis = service.getAnalysis('test://seed')!;
    const hover = await service.getHover(doc, analysis, positionAtText(text, 'lookup_fast+0x3d0'));
    const md = (hover!.contents as { value: string }).value;
    assert.match(md, /\*\*Source\*\* \(of the call: address − 1\)/);
    assert.match(md, /`fs\/namei\.c:1612`/);
    assert.match(md, /```asm\ncall __stack_chk_fail\n```/);
    const { anchors, kernelOffset, ...asked } = queries[0];
    assert.equal(kernelOffset, null); // the log prints no `Kernel Offset:`
    assert.deepEqual(anchors![0], { address: 'ffffffff810fb0a4', function: 'watchdog_timer_fn', offset: 420, module: null }); // raw address + symbol: KASLR can be inferred
    assert.deepEqual(asked, {
      function: 'lookup_fast',
      offset: 0x3d0,
      size: 0x3d0,
      module: null,
      buildId: null,
      address: 'ffffffff8129b350',
      exact: false,
      arch: 'x86_64',
      release: '4.7.0-rc7-dumpstack+',
    });
    const rip = await service.getHover(doc, analysis, positionAtText(text, 'path_init+0x0/0x750', 2));
    assert.equal(queries[1].exact, true);
    assert.match((rip!.contents as { value: string }).value, /\*\*Source\*\*\n/);
  });

  it('answers for the version it was asked on when the document is edited during the wait', async () => {
    const text = await fixture('lsp-seed-pt-regs.log');
    let release!: () => void;
    const symbolizer: Symbolizer = {
      symbolize: () =>
        new Promise((resolve) => (release = () => resolve({ frames: [{ function: 'lookup_fast', file: 'fs/namei.c', line: 1612, inline: false }] }))),
    };
    const service = createLanguageService({ symbolizer });
    const doc = service.openDocument('test://slow', 'kernel-log', 1, text);
    const at = positionAtText(text, 'lookup_fast+0x3d0');
    const expected = rangeOfText(text, 'lookup_fast+0x3d0/0x3d0');
    const pending = service.getHover(doc, service.getAnalysis('test://slow')!, at);
    // Three lines typed above the entry while the symbolizer works.
    service.changeDocument('test://slow', 2, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: 'a\nb\nc\n' }]);
    service.getAnalysis('test://slow');
    await new Promise((r) => setTimeout(r, 10));
    release();
    const hover = await pending;
    assert.equal(hover!.range!.start.line, at.line);
    assert.deepEqual(hover!.range!.start, { line: expected.start.line, character: hover!.range!.start.character });
    assert.match((hover!.contents as { value: string }).value, /fs\/namei\.c:1612/);
  });

  it('answers without symbol info when the symbolizer hangs or fails', async () => {
    const text = await fixture('lsp-seed-pt-regs.log');
    for (const symbolizer of [{ symbolize: () => new Promise<null>(() => {}) }, { symbolize: () => Promise.reject(new Error('no vmlinux')) }]) {
      const service = createLanguageService({ symbolizer });
      const doc = service.openDocument('test://seed', 'kernel-log', 1, text);
      const started = Date.now();
      const hover = await service.getHover(doc, service.getAnalysis('test://seed')!, positionAtText(text, 'filename_lookup'));
      assert.ok(Date.now() - started < 5000);
      assert.doesNotMatch((hover!.contents as { value: string }).value, /\*\*Source\*\*/);
    }
  });
});

describe('line breaks LSP counts differently', () => {
  it('maps ranges and whole-line fixes in a `\\r\\r\\n` capture', async () => {
    const text = (await fixture('lsp-seed-pt-regs.log')).replace(/\n/g, '\r\r\n');
    const service = createLanguageService();
    const doc = service.openDocument('test://crcrlf', 'kernel-log', 1, text);
    const analysis = service.getAnalysis('test://crcrlf')!;
    const { diagnostics } = service.computeDiagnostics(doc, analysis, defaultSettings(), { relatedInformation: true, unnecessaryTag: true });
    const dup = diagnostics.find((d) => d.code === 'duplicate-regs-ip')!;
    assert.deepEqual(dup.range, rangeOfText(text, '[<ffffffff8129b350>] ? lookup_fast+0x3d0/0x3d0'));
    assert.equal(dup.range.start.line, 62); // parser line 31, two LSP lines per parser line
    const actions = service.getCodeActions(doc, analysis, dup.range, { diagnostics: [dup] }, { documentChanges: false });
    const edit = actions.find((a) => a.title === 'Remove duplicate entry')!.edit!;
    assert.equal(applyEdits(text, edit.changes!['test://crcrlf']), text.replace('[  731.413330]  [<ffffffff8129b350>] ? lookup_fast+0x3d0/0x3d0\r\r\n', ''));
    const folds = (await service.getFoldingRanges(doc, analysis))!;
    assert.deepEqual(folds[0], { startLine: 0, endLine: 78, kind: 'region' });
  });
});
