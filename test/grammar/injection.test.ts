// The injection grammar (text.log.kernel-injection): kernel crash lines in a file that VS Code opened in its
// "Log" language (scope text.log). Uses vscode-textmate + vscode-oniguruma with a registry that wires
// injections the way VS Code does for package.json `injectTo`, over a small stand-in for the Log grammar
// (test/grammar/fixtures/text-log.tmLanguage.json).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import type { IGrammar } from 'vscode-textmate';
import { assertScopes, createRegistry, loadGrammar, ROOT, tokenize, type TokenizedLine } from './helpers.ts';

const K = (...names: string[]) => names.map((n) => `${n}.kernel-log`);

const LOG = [
  '2025-03-01 12:00:00 INFO worker pool started "default" version 2.4.1',
  '[  930.551204][ T2210] RIP: 0010:fsnotify_flush_queue.part.0+0x4a/0x1b0 [fsnote]',
  '[  930.551211][ T2210] RSP: 0018:ffffc90003a7bd40 EFLAGS: 00010282',
  '[  930.551215][ T2210] RAX: 0000000000000000 RBX: ffff888104c2e800 RCX: 0000000000000001',
  '[  930.551219][ T2210] Call Trace:',
  '[  930.551221][ T2210]  <IRQ>',
  '[  930.551224][ T2210]  fsnotify_tick+0x21/0x60',
  '[  930.551227][ T2210]  </IRQ>',
  '[  930.551229][ T2210]  ? __pfx_fsnotify_flush_queue+0x10/0x10 [fsnote]',
  '[  168.509569]  <EOI> [  168.511621]  [<ffffffff81ee2a47>] ? zero_user_range+0x7/0x10',
  '[  930.551240][ T2210] Oops: 0000 [#1] PREEMPT SMP PTI',
  '[  930.551244][ T2210] Code: 48 89 df e8 10 00 00 00 <0f> 0b 90 5b c3',
  '2025-03-01 12:00:05 WARNING queue "jobs" is 95.5% full; Code: 503',
].join('\n');

describe('text.log with the kernel-log injection', () => {
  let log: IGrammar;
  let lines: TokenizedLine[];

  before(async () => {
    log = await loadGrammar('text.log'); // the registry maps text.log -> [text.log.kernel-injection]
    lines = tokenize(log, LOG);
  });

  test('the injection grammar is injected with L: priority into text.log', () => {
    const inj = JSON.parse(readFileSync(path.join(ROOT, 'syntaxes', 'kernel-log-injection.tmLanguage.json'), 'utf8'));
    assert.equal(inj.scopeName, 'text.log.kernel-injection');
    assert.match(inj.injectionSelector, /^L:text\.log(\s|$)/);
  });

  test('RIP: keyword, CS selector and the symbol with offset, size and module', () => {
    const l = lines[1];
    assertScopes(l, 'RIP', ['text.log', ...K('meta.register.ip', 'variable.other.constant.label.register.ip')]);
    assertScopes(l, '0010', K('constant.numeric.hex.segment'));
    assertScopes(l, 'fsnotify_flush_queue.part.0', K('meta.symbol', 'entity.name.function'), {
      absent: ['constant.language.dotted.test-log'],
    });
    assertScopes(l, '+', K('punctuation.separator.offset'));
    assertScopes(l, '0x4a', K('constant.numeric.hex.offset'));
    assertScopes(l, '/', K('punctuation.separator.size'));
    assertScopes(l, '0x1b0', K('constant.numeric.hex.size'));
    assertScopes(l, 'fsnote', K('entity.name.type.module'));
    assertScopes(l, '930.551204', K('meta.prefix', 'comment.other.timestamp'));
    assertScopes(l, 'T2210', K('constant.other.caller-id.task'));
  });

  test('RSP:, EFLAGS and general registers', () => {
    const l = lines[2];
    assertScopes(l, 'RSP', K('meta.register.sp', 'variable.other.constant.label.register.sp'));
    assertScopes(l, '0018', K('constant.numeric.hex.segment'));
    assertScopes(l, 'ffffc90003a7bd40', K('constant.numeric.hex.register'));
    assertScopes(l, 'EFLAGS', K('variable.other.constant.label.register.flags'));
    assertScopes(l, '00010282', K('constant.numeric.hex.register'), { absent: ['constant.numeric.test-log'] });
    assertScopes(lines[3], 'RBX', K('variable.other.register'));
    assertScopes(lines[3], '0000000000000000', K('constant.numeric.hex.register'), { absent: ['constant.numeric.test-log'] });
  });

  test('Call Trace:, context markers and frames', () => {
    assertScopes(lines[4], 'Call Trace', K('variable.other.constant.label.call-trace'));
    assertScopes(lines[5], 'IRQ', K('keyword.control.context.begin'));
    assertScopes(lines[6], 'fsnotify_tick', K('meta.symbol', 'entity.name.function'));
    assertScopes(lines[6], '0x21', K('constant.numeric.hex.offset'));
    assertScopes(lines[6], '0x60', K('constant.numeric.hex.size'));
    assertScopes(lines[7], 'IRQ', K('keyword.control.context.end'));
  });

  test('"? " unreliable frames', () => {
    const l = lines[8];
    assertScopes(l, '?', K('meta.frame.unreliable', 'comment.line.unreliable', 'keyword.operator.unreliable'));
    assertScopes(l, '__pfx_fsnotify_flush_queue', K('entity.name.function', 'comment.line.unreliable'));
    assertScopes(l, '0x10', K('constant.numeric.hex.offset', 'comment.line.unreliable'));
    assertScopes(l, 'fsnote', K('entity.name.type.module', 'comment.line.unreliable'));
  });

  test('inline 4.9-style <EOI> with an embedded timestamp and [<address>]', () => {
    const l = lines[9];
    assertScopes(l, '<', K('keyword.control.context.end', 'punctuation.definition.tag.begin'));
    assertScopes(l, 'EOI', K('keyword.control.context.end'));
    assertScopes(l, '  168.511621', K('comment.other.timestamp'));
    assertScopes(l, 'ffffffff81ee2a47', K('meta.frame.unreliable', 'constant.numeric.hex.address'));
    assertScopes(l, '?', K('keyword.operator.unreliable'));
    assertScopes(l, 'zero_user_range', K('entity.name.function', 'comment.line.unreliable'));
  });

  test('inside a header the header rules win over the injection (error code, die flags)', () => {
    const l = lines[10];
    assertScopes(l, 'Oops', K('markup.heading.report', 'keyword.other.report.oops'));
    assertScopes(l, '0000', K('constant.numeric.hex.error-code'), { absent: K('constant.numeric.hex') });
    assertScopes(l, ' PREEMPT SMP PTI', K('storage.modifier.die-flags'));
    assertScopes(lines[11], '0f', K('meta.code.trap', 'invalid.illegal.trapping-instruction'));
  });

  test('ordinary log lines keep the Log grammar and get no kernel scopes', () => {
    for (const l of [lines[0], lines[12]]) {
      for (const t of l.tokens) {
        assert.ok(!t.scopes.some((s) => s.endsWith('.kernel-log')), `${JSON.stringify(t.text)}: ${t.scopes.join(' ')}`);
      }
    }
    assertScopes(lines[0], '2025-03-01', ['text.log', 'comment.date.test-log']);
    assertScopes(lines[0], 'INFO', ['markup.inserted.log-level.test-log']);
    assertScopes(lines[12], 'WARNING', ['markup.deleted.log-level.test-log']);
  });

  test('without the injection registered, text.log has no kernel scopes', async () => {
    const plain = await loadGrammar('text.log', createRegistry({}));
    for (const l of tokenize(plain, LOG)) {
      for (const t of l.tokens) assert.ok(!t.scopes.some((s) => s.endsWith('.kernel-log')), t.scopes.join(' '));
    }
  });
});
