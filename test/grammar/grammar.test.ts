// The kernel-log TextMate grammar, run through VS Code's own engine (vscode-textmate + vscode-oniguruma).
// Run: node --import tsx --test test/grammar/*.test.ts   (or npm run test:grammar)
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { IGrammar } from 'vscode-textmate';
import { assertScopes, findLine, GRAMMAR_DIR, grammarScopes, loadGrammar, ROOT, tokenize, tokensAt, type TokenizedLine } from './helpers.ts';

const K = (...names: string[]) => names.map((n) => `${n}.kernel-log`);
const FIXTURE = path.join(GRAMMAR_DIR, 'fixtures', 'realistic.kernel-log');
const MAIN_FILE = path.join(ROOT, 'syntaxes', 'kernel-log.tmLanguage.json');
const INJECTION_FILE = path.join(ROOT, 'syntaxes', 'kernel-log-injection.tmLanguage.json');

describe('generated grammar files', () => {
  test('syntaxes/*.tmLanguage.json match the output of scripts/gen-grammar.mjs', async () => {
    const gen = await import(pathToFileURL(path.join(ROOT, 'scripts', 'gen-grammar.mjs')).href);
    const outputs: Record<string, string> = gen.generate();
    assert.deepEqual(Object.keys(outputs).sort(), [INJECTION_FILE, MAIN_FILE].sort());
    for (const [file, text] of Object.entries(outputs)) {
      assert.equal(readFileSync(file, 'utf8'), text, `${path.relative(ROOT, file)} is stale: run "node scripts/gen-grammar.mjs" and commit the result`);
    }
  });

  test('package.json registers both grammars with the scope names in the files', () => {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    const grammars: Array<{ language?: string; scopeName: string; path: string; injectTo?: string[] }> = pkg.contributes.grammars;
    const main = grammars.find((g) => g.scopeName === 'text.kernel-log');
    assert.ok(main, 'text.kernel-log is registered');
    assert.equal(main.language, 'kernel-log');
    assert.equal(path.resolve(ROOT, main.path), MAIN_FILE);
    const injection = grammars.find((g) => g.scopeName === 'text.log.kernel-injection');
    assert.ok(injection, 'text.log.kernel-injection is registered');
    assert.deepEqual(injection.injectTo, ['text.log']);
    assert.equal(path.resolve(ROOT, injection.path), INJECTION_FILE);
    assert.ok(pkg.contributes.languages.some((l: { id: string }) => l.id === 'kernel-log'));

    const mainJson = JSON.parse(readFileSync(MAIN_FILE, 'utf8'));
    const injJson = JSON.parse(readFileSync(INJECTION_FILE, 'utf8'));
    assert.equal(mainJson.scopeName, 'text.kernel-log');
    assert.equal(injJson.scopeName, 'text.log.kernel-injection');
    assert.match(injJson.injectionSelector, /^L:text\.log(\s|$)/);
  });

  test('every scope of each grammar is asserted by a vscode-tmgrammar-test fixture', () => {
    const syntaxDir = path.join(GRAMMAR_DIR, 'syntax');
    const asserted = (suffix: string) => {
      const out = new Set<string>();
      for (const f of readdirSync(syntaxDir).filter((n) => n.endsWith(suffix))) {
        for (const line of readFileSync(path.join(syntaxDir, f), 'utf8').split('\n')) {
          if (!/^#\s*(\^|<~*-)/.test(line)) continue;
          const positive = line.replace(/^#\s*(\^+|<~*-+)\s*/, '').split(/\s-\s/)[0];
          for (const s of positive.split(/\s+/)) if (s) out.add(s);
        }
      }
      return out;
    };
    const check = (file: string, suffix: string) => {
      const scopes = grammarScopes(JSON.parse(readFileSync(file, 'utf8')));
      const covered = asserted(suffix);
      const missing = [...scopes].filter((s) => !covered.has(s)).sort();
      assert.deepEqual(missing, [], `scopes of ${path.basename(file)} never asserted in test/grammar/syntax/*${suffix}`);
    };
    check(MAIN_FILE, '.test.kernel-log');
    check(INJECTION_FILE, '.test.log');
  });
});

describe('text.kernel-log on a realistic log', () => {
  let grammar: IGrammar;
  let lines: TokenizedLine[];
  const errors: unknown[][] = [];
  const originalError = console.error;

  before(async () => {
    // vscode-textmate reports grammar loops ("Grammar is in an endless loop") through console.error
    console.error = (...args: unknown[]) => {
      errors.push(args);
    };
    grammar = await loadGrammar('text.kernel-log');
    lines = tokenize(grammar, readFileSync(FIXTURE, 'utf8'));
  });
  after(() => {
    console.error = originalError;
  });

  test('no engine errors (including on empty and prefix-only lines)', () => {
    tokenize(grammar, '\n\n[ 1.000000][ T1] \n[ 2.000000] \n\n');
    assert.deepEqual(errors, []);
  });

  test('line prefixes: dmesg time and caller id (task and cpu)', () => {
    const l = lines[0];
    assertScopes(l, '[', K('meta.prefix', 'comment.other.timestamp', 'punctuation.definition.timestamp.begin'));
    assertScopes(l, ' 1402.118203', K('comment.other.timestamp'));
    assertScopes(l, 'T7310', K('comment.other.caller-id', 'constant.other.caller-id.task'));
    assertScopes(findLine(lines, 'link down'), 'C3', K('constant.other.caller-id.cpu'));
    // the interleaved line from another CPU is plain text after its prefix
    assertScopes(findLine(lines, 'link down'), 'eth2: link down', [], { absent: K('markup.heading.report') });
  });

  test('report headers and markers', () => {
    assertScopes(findLine(lines, 'cut here'), '------------[ cut here ]------------', K('keyword.control.cut-here'));
    const warn = findLine(lines, 'WARNING:');
    assertScopes(warn, 'WARNING', K('markup.heading.report', 'keyword.other.report.warning'));
    assertScopes(warn, 'drivers/net/ethernet/acme/acme_tx.c', K('string.unquoted.path'));
    assertScopes(warn, '611', K('constant.numeric.line'));
    assertScopes(warn, 'acme_tx_timeout', K('markup.heading.report', 'entity.name.function'));
    const soft = findLine(lines, 'soft lockup');
    assertScopes(soft, 'watchdog', K('support.type.subsystem'));
    assertScopes(soft, 'BUG', K('keyword.other.report.bug'));
    assertScopes(soft, 'soft lockup', K('keyword.other.report.lockup'));
    assertScopes(findLine(lines, 'NMI backtrace for cpu 0'), 'NMI backtrace for cpu', K('keyword.other.report.nmi-backtrace'));
    assertScopes(findLine(lines, 'Kernel panic - not syncing: softlockup'), 'Kernel panic - not syncing', K('keyword.other.report.panic'));
    const end = findLine(lines, '---[ end trace');
    assertScopes(end, '0000000000000000', K('keyword.control.end-trace', 'constant.numeric.hex.trace-id'));
    assertScopes(findLine(lines, '---[ end Kernel panic'), 'softlockup: hung tasks', K('keyword.control.end-trace', 'string.unquoted.panic-message'));
  });

  test('identification, taint and modules', () => {
    const cpu = findLine(lines, 'Comm: kworker/1:3');
    assertScopes(cpu, 'Comm', K('meta.identification', 'variable.other.constant.label.field'));
    assertScopes(cpu, 'kworker/1:3', K('string.unquoted.comm'));
    assertScopes(cpu, 'Tainted', K('meta.taint', 'variable.other.constant.label.taint.tainted'));
    assertScopes(cpu, 'G', K('constant.language.taint'));
    assertScopes(cpu, 'O', K('constant.language.taint'), { occurrence: 0 });
    assertScopes(cpu, '6.17.0-rc2-acme', K('string.unquoted.release'), { absent: K('meta.taint') });
    assertScopes(cpu, 'PREEMPT(lazy)', K('storage.modifier.preempt-model'));
    const verbose = findLine(lines, 'Tainted: [O]');
    assertScopes(verbose, 'OOT_MODULE', K('support.constant.taint-name'));
    const mods = findLine(lines, 'Modules linked in:');
    assertScopes(mods, 'Modules linked in', K('meta.modules', 'variable.other.constant.label.modules'));
    assertScopes(mods, 'mdio_acme', K('entity.name.type.module'));
    assertScopes(mods, 'O', K('constant.language.taint.module'), { occurrence: 0 });
    assertScopes(mods, 'acme_dbg', K('meta.last-unloaded', 'entity.name.type.module'));
    assertScopes(findLine(lines, 'Hardware name'), 'Acme Corp.', K('string.unquoted.hardware-name'));
  });

  test('instruction pointer, stack pointer, flags, registers and Code', () => {
    const rip = findLine(lines, 'RIP: 0010:acme_tx_timeout');
    assertScopes(rip, 'RIP', K('meta.register.ip', 'variable.other.constant.label.register.ip'));
    assertScopes(rip, '0010', K('constant.numeric.hex.segment'));
    assertScopes(rip, 'acme_tx_timeout', K('meta.symbol', 'entity.name.function'));
    assertScopes(rip, '0x1c4', K('constant.numeric.hex.offset'));
    assertScopes(rip, '0x2f0', K('constant.numeric.hex.size'));
    assertScopes(rip, 'acme_eth', K('entity.name.type.module'));
    const rsp = findLine(lines, 'RSP: 0018:ffffc9000a1f3d58');
    assertScopes(rsp, 'RSP', K('variable.other.constant.label.register.sp'));
    assertScopes(rsp, '0018', K('constant.numeric.hex.segment'));
    assertScopes(rsp, 'ffffc9000a1f3d58', K('constant.numeric.hex.register'));
    assertScopes(rsp, 'EFLAGS', K('variable.other.constant.label.register.flags'));
    assertScopes(rsp, '00010246', K('constant.numeric.hex.register'));
    for (const reg of ['RAX', 'RBX', 'R08', 'R15', 'FS', 'GS', 'knlGS', 'CS', 'CR0', 'CR2', 'CR4', 'PKRU']) {
      assertScopes(findLine(lines, ` ${reg}:`), reg, K('variable.other.register'));
    }
    assertScopes(findLine(lines, 'R13: ffff88810c4e2000'), 'ffff88810c4e2000', K('constant.numeric.hex.register'));
    const code = findLine(lines, 'Code: 48 8b 43 28');
    assertScopes(code, 'Code', K('meta.code', 'variable.other.constant.label.code'));
    assertScopes(code, '48', K('constant.numeric.hex.code'));
    assertScopes(code, '0f', K('meta.code.trap', 'invalid.illegal.trapping-instruction'), { occurrence: 0 });
    const trap = tokensAt(code, '<0f>');
    assert.deepEqual(
      trap.map((t) => t.text),
      ['<', '0f', '>'],
    );
  });

  test('stack entries: reliable, unreliable ("? "), modules with build id, context markers', () => {
    const entry = /^\[[^\]]+\]\[[^\]]+\] {2}(\? )?([A-Za-z_][\w.$]*)\+0x/;
    let reliable = 0;
    let unreliable = 0;
    for (const l of lines) {
      const m = entry.exec(l.line);
      if (!m) continue;
      const fn = m[2];
      if (m[1]) {
        unreliable++;
        assertScopes(l, '?', K('meta.frame.unreliable', 'keyword.operator.unreliable'));
        // every token of the entry ends with comment.line.unreliable, so themes fade the whole entry
        for (const t of l.tokens.filter((t) => t.start > l.line.indexOf('?'))) {
          assert.equal(t.scopes.at(-1), 'comment.line.unreliable.kernel-log', `${JSON.stringify(t.text)} in ${l.line}`);
        }
        assertScopes(l, fn, K('entity.name.function', 'comment.line.unreliable'));
      } else {
        reliable++;
        assertScopes(l, fn, K('meta.symbol', 'entity.name.function'), { absent: K('comment.line.unreliable') });
      }
    }
    assert.ok(reliable >= 20 && unreliable >= 15, `${reliable} reliable / ${unreliable} unreliable entries`);

    const withId = findLine(lines, 'acme_watchdog_fn+0x7b');
    assertScopes(withId, 'acme_eth', K('meta.symbol', 'entity.name.type.module'));
    assertScopes(withId, '3c9a1f07b2e45d6c8e0f1a2b3c4d5e6f7a8b9c0d', K('constant.other.build-id'));
    assertScopes(findLine(lines, 'acme_ring_reap'), 'acme_ring_reap.constprop.0', K('entity.name.function'));
    assertScopes(findLine(lines, '? __pfx_worker_thread'), '__pfx_worker_thread', K('entity.name.function'));

    for (const [marker, kind] of [
      ['<TASK>', 'begin'],
      ['</TASK>', 'end'],
      ['<IRQ>', 'begin'],
      ['</IRQ>', 'end'],
      ['<NMI>', 'begin'],
      ['</NMI>', 'end'],
    ] as const) {
      const l = findLine(lines, ` ${marker}`);
      assertScopes(l, marker.replace(/[<>/]/g, ''), K(`keyword.control.context.${kind}`));
      assertScopes(l, '<', K(`keyword.control.context.${kind}`, 'punctuation.definition.tag.begin'));
    }
    assertScopes(findLine(lines, 'Call Trace:'), 'Call Trace', K('variable.other.constant.label.call-trace'));
    const stamp = findLine(lines, 'hardirqs last  enabled');
    assertScopes(stamp, 'ffffffff8e01c2a6', K('meta.address', 'constant.numeric.hex.address'));
    assertScopes(stamp, 'asm_sysvec_call_function', K('entity.name.function'));
  });

  test('a 10,000-line log tokenizes completely', (t) => {
    const text = readFileSync(FIXTURE, 'utf8');
    const copies = Math.ceil(10_000 / text.split('\n').length);
    const big = Array.from({ length: copies }, () => text).join('\n');
    const started = performance.now();
    const out = tokenize(grammar, big); // throws if the engine stops early on a line
    t.diagnostic(`${out.length} lines in ${Math.round(performance.now() - started)} ms`);
    assert.ok(out.length >= 10_000);
  });
});
