// Loads the extension's TextMate grammars into VS Code's own engine (vscode-textmate + vscode-oniguruma)
// and tokenizes text, for the node:test grammar tests.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as oniguruma from 'vscode-oniguruma';
import * as vsctm from 'vscode-textmate';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const GRAMMAR_DIR = path.join(ROOT, 'test', 'grammar');

/** scopeName -> grammar file (relative to ROOT). The text.log grammar is a minimal stand-in for VS Code's. */
export const GRAMMAR_FILES: Record<string, string> = {
  'text.kernel-log': 'syntaxes/kernel-log.tmLanguage.json',
  'text.log.kernel-injection': 'syntaxes/kernel-log-injection.tmLanguage.json',
  'text.log': 'test/grammar/fixtures/text-log.tmLanguage.json',
};

let onigLib: Promise<vsctm.IOnigLib> | undefined;
function loadOnig(): Promise<vsctm.IOnigLib> {
  if (!onigLib) {
    const require = createRequire(import.meta.url);
    const wasmPath = path.join(path.dirname(require.resolve('vscode-oniguruma')), 'onig.wasm');
    const wasm = readFileSync(wasmPath);
    onigLib = oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength)).then(() => ({
      createOnigScanner: (patterns: string[]) => new oniguruma.OnigScanner(patterns),
      createOnigString: (s: string) => new oniguruma.OnigString(s),
    }));
  }
  return onigLib;
}

/** A registry like VS Code's: injections come from package.json-style `injectTo` lists. */
export function createRegistry(injectTo: Record<string, string[]> = { 'text.log': ['text.log.kernel-injection'] }) {
  return new vsctm.Registry({
    onigLib: loadOnig(),
    loadGrammar: async (scopeName) => {
      const file = GRAMMAR_FILES[scopeName];
      if (!file) return null;
      const abs = path.join(ROOT, file);
      return vsctm.parseRawGrammar(readFileSync(abs, 'utf8'), abs);
    },
    getInjections: (scopeName) => injectTo[scopeName],
  });
}

export interface Token {
  text: string;
  start: number;
  end: number;
  scopes: string[];
}

export interface TokenizedLine {
  line: string;
  tokens: Token[];
}

export async function loadGrammar(scopeName: string, registry = createRegistry()): Promise<vsctm.IGrammar> {
  const grammar = await registry.loadGrammar(scopeName);
  if (!grammar) throw new Error(`grammar ${scopeName} not found`);
  return grammar;
}

export function tokenize(grammar: vsctm.IGrammar, text: string): TokenizedLine[] {
  let state = vsctm.INITIAL;
  const out: TokenizedLine[] = [];
  for (const line of text.split(/\r?\n/)) {
    const r = grammar.tokenizeLine(line, state);
    if (r.stoppedEarly) throw new Error(`tokenization stopped early on: ${line}`);
    state = r.ruleStack;
    out.push({
      line,
      tokens: r.tokens.map((t) => ({
        text: line.slice(t.startIndex, t.endIndex),
        start: t.startIndex,
        end: Math.min(t.endIndex, line.length),
        scopes: t.scopes,
      })),
    });
  }
  return out;
}

/** The tokens covering `needle` (the `occurrence`-th match) in a tokenized line. */
export function tokensAt(line: TokenizedLine, needle: string, occurrence = 0): Token[] {
  let idx = -1;
  for (let i = 0; i <= occurrence; i++) {
    idx = line.line.indexOf(needle, idx + 1);
    if (idx < 0) throw new Error(`"${needle}" not found in: ${line.line}`);
  }
  const end = idx + needle.length;
  return line.tokens.filter((t) => t.start < end && t.end > idx);
}

/** Pretty form for failure messages and debugging. */
export function dump(lines: TokenizedLine[]): string {
  return lines.map((l) => [l.line, ...l.tokens.map((t) => `  ${JSON.stringify(t.text)}  ${t.scopes.slice(1).join(' ')}`)].join('\n')).join('\n');
}

/** True when `expected` appears in `scopes` in the same order (like vscode-tmgrammar-test's `^` assertions). */
export function hasScopes(scopes: string[], expected: string[]): boolean {
  let i = 0;
  for (const s of scopes) if (s === expected[i]) i++;
  return i === expected.length;
}

/** Fails unless every token covering `needle` in `line` carries `expected` (in order) and none of `absent`. */
export function assertScopes(line: TokenizedLine, needle: string, expected: string[], { occurrence = 0, absent = [] as string[] } = {}): void {
  const tokens = tokensAt(line, needle, occurrence);
  if (tokens.length === 0) throw new Error(`no token for "${needle}" in: ${line.line}`);
  for (const t of tokens) {
    const missing = !hasScopes(t.scopes, expected);
    const unwanted = absent.filter((a) => t.scopes.includes(a));
    if (missing || unwanted.length) {
      throw new Error(
        `"${needle}" (token ${JSON.stringify(t.text)}) in: ${line.line}\n` +
          `  expected: ${expected.join(' ')}${absent.length ? `\n  absent:   ${absent.join(' ')}` : ''}\n` +
          `  actual:   ${t.scopes.join(' ')}`,
      );
    }
  }
}

/** The first tokenized line containing `needle` (after `from`). */
export function findLine(lines: TokenizedLine[], needle: string, from = 0): TokenizedLine {
  for (let i = from; i < lines.length; i++) if (lines[i].line.includes(needle)) return lines[i];
  throw new Error(`no line contains "${needle}"`);
}

/** Every scope name (split on spaces) that a grammar can produce: rule names, content names and capture names. */
export function grammarScopes(grammar: unknown): Set<string> {
  const out = new Set<string>();
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach(walk);
      return;
    }
    if (!node || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node)) {
      if ((key === 'name' || key === 'contentName') && typeof value === 'string') {
        value
          .split(/\s+/)
          .filter(Boolean)
          .forEach((s) => out.add(s));
      } else if (key !== 'scopeName') {
        walk(value);
      }
    }
  };
  const g = grammar as { patterns?: unknown; repository?: unknown };
  walk(g.patterns);
  walk(g.repository);
  return out;
}
