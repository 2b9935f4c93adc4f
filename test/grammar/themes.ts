// VS Code's default colour themes (read from the code-server install that scripts/e2e-setup.sh
// caches), resolved the way VS Code does it (`include` chains, tokenColors), and the foreground
// colour VS Code's own engine (vscode-textmate's theme matching) gives each token.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import * as vsctm from 'vscode-textmate';
import { createRegistry } from './helpers.ts';

const cacheDir = process.env.KCRASH_E2E_CACHE ?? path.join(homedir(), '.cache', 'kernel-crash-log-e2e');
export const THEMES_DIR = path.join(cacheDir, 'cs', 'node_modules', 'code-server', 'lib', 'vscode', 'extensions', 'theme-defaults', 'themes');

/** The default themes the extension is checked against: label → file. */
export const DEFAULT_THEMES: Record<string, string> = {
  'Light Modern': 'light_modern.json',
  'Dark Modern': 'dark_modern.json',
  'Light 2026': '2026-light.json',
  'Dark 2026': '2026-dark.json',
  'High Contrast': 'hc_black.json',
  'High Contrast Light': 'hc_light.json',
};

export const themesAvailable = (): boolean => existsSync(path.join(THEMES_DIR, 'light_modern.json'));

/** JSON with comments and trailing commas (the theme files are JSONC). */
function parseJsonc(text: string): unknown {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j;
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
      out += '\n';
    } else if (c === '/' && text[i + 1] === '*') {
      i = text.indexOf('*/', i + 2) + 1;
    } else out += c;
  }
  return JSON.parse(out.replace(/,(\s*[}\]])/g, '$1'));
}

interface ThemeFile {
  include?: string;
  colors?: Record<string, string>;
  tokenColors?: vsctm.IRawTheme['settings'];
}

/** A theme with its includes resolved: editor colours and token rules (the included file's first). */
export function loadTheme(file: string): { colors: Record<string, string>; settings: vsctm.IRawTheme['settings'] } {
  const json = parseJsonc(readFileSync(path.join(THEMES_DIR, file), 'utf8')) as ThemeFile;
  const base = json.include ? loadTheme(json.include) : { colors: {}, settings: [] };
  return { colors: { ...base.colors, ...json.colors }, settings: [...base.settings, ...(json.tokenColors ?? [])] };
}

export interface ColouredToken {
  text: string;
  foreground: string;
  fontStyle: number;
}

/** Tokenizes `text` with the kernel-log grammar under a theme; the foreground of every token, upper case. */
export async function colourise(themeFile: string, text: string, scopeName = 'text.kernel-log'): Promise<ColouredToken[][]> {
  const theme = loadTheme(themeFile);
  const registry = createRegistry();
  const fg = theme.colors['editor.foreground'] ?? '#000000';
  registry.setTheme({ settings: [{ settings: { foreground: fg, background: theme.colors['editor.background'] ?? '#ffffff' } }, ...theme.settings] });
  const grammar = await registry.loadGrammar(scopeName);
  if (!grammar) throw new Error(`grammar ${scopeName} not found`);
  const colours = registry.getColorMap();
  let state = vsctm.INITIAL;
  const out: ColouredToken[][] = [];
  for (const line of text.split(/\r?\n/)) {
    const r = grammar.tokenizeLine2(line, state);
    state = r.ruleStack;
    const tokens: ColouredToken[] = [];
    for (let i = 0; i < r.tokens.length; i += 2) {
      const start = r.tokens[i];
      const end = i + 2 < r.tokens.length ? r.tokens[i + 2] : line.length;
      const meta = r.tokens[i + 1];
      tokens.push({
        text: line.slice(start, end),
        foreground: colours[(meta >>> 15) & 0x1ff].toUpperCase(),
        fontStyle: (meta >>> 11) & 0xf,
      });
    }
    out.push(tokens);
  }
  return out;
}
