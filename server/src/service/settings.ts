// Client settings the service reads (section `kernelLog`), with defaults. Settings are per resource:
// the server asks the client for each document's settings (workspace/configuration), never keeps
// one global copy.
import { DEFAULT_SEVERITY, FINDING_CODES, QUIET_ON_UNRELIABLE, SEVERITIES, type FindingCode, type Severity } from '../analyzer/rules/index.ts';
import { defaultSymbolSettings, type SymbolSettings } from '../symbolizer/discover.ts';

export type SeverityLevel = 'off' | Severity;

/** The values of `kernelLog.diagnostics.severity.<code>` (package.json's enum, checked by test/unit/rules.test.ts). */
export const SEVERITY_LEVELS: readonly SeverityLevel[] = ['off', ...SEVERITIES];

export interface KernelLogSettings {
  /** Severity of each diagnostic code; `off` hides it. */
  severity: Record<FindingCode, SeverityLevel>;
  /**
   * Codes published on `? ` entries too (`kernelLog.diagnostics.onUnreliableEntries`), for the rules
   * that keep quiet there by default (rules/: `quietOnUnreliable`).
   */
  onUnreliableEntries: Partial<Record<FindingCode, boolean>>;
  /**
   * Most diagnostics published for one file. VS Code shows at most 1000 per file anyway; huge logs
   * would otherwise send megabytes of hints on every keystroke. Errors and warnings go first.
   */
  maxDiagnostics: number;
  /** Symbol files and the source tree for hover and go to definition (paths as the user typed them). */
  symbols: SymbolSettings;
}

export const DEFAULT_MAX_DIAGNOSTICS = 1000;

export function defaultSettings(): KernelLogSettings {
  return { severity: { ...DEFAULT_SEVERITY }, onUnreliableEntries: {}, maxDiagnostics: DEFAULT_MAX_DIAGNOSTICS, symbols: defaultSymbolSettings() };
}

const LEVEL_ALIASES: Record<string, SeverityLevel> = {
  off: 'off',
  none: 'off',
  ignore: 'off',
  hint: 'hint',
  info: 'information',
  information: 'information',
  warn: 'warning',
  warning: 'warning',
  error: 'error',
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Reads the `kernelLog` section as a client returns it (`{ diagnostics: { severity: {...} } }`), or
 * a flat `{ 'diagnostics.severity': {...} }`. Anything malformed falls back to the default.
 */
export function readSettings(section: unknown): KernelLogSettings {
  const settings = defaultSettings();
  if (!isRecord(section)) return settings;
  const diagnostics = isRecord(section.diagnostics) ? section.diagnostics : {};
  const severity = isRecord(diagnostics.severity) ? diagnostics.severity : isRecord(section['diagnostics.severity']) ? section['diagnostics.severity'] : {};
  for (const code of FINDING_CODES) {
    const raw = severity[code];
    const level = typeof raw === 'string' ? LEVEL_ALIASES[raw.trim().toLowerCase()] : undefined;
    if (level) settings.severity[code] = level;
  }
  const onUnreliable = isRecord(diagnostics.onUnreliableEntries) ? diagnostics.onUnreliableEntries : {};
  for (const code of QUIET_ON_UNRELIABLE) if (typeof onUnreliable[code] === 'boolean') settings.onUnreliableEntries[code] = onUnreliable[code];
  const max = diagnostics.maxNumberOfProblems ?? diagnostics.maxPerFile;
  if (typeof max === 'number' && Number.isFinite(max) && max >= 0) settings.maxDiagnostics = Math.floor(max);
  settings.symbols = readSymbolSettings(section);
  return settings;
}

/** `kernelLog.vmlinux`, `.systemMap`, `.modulePaths`, `.sourceRoot`, `.symbolizer.external`. */
function readSymbolSettings(section: Record<string, unknown>): SymbolSettings {
  const symbols = defaultSymbolSettings();
  const text = (v: unknown): string | null => (typeof v === 'string' && v.trim() ? v.trim() : null);
  symbols.vmlinux = text(section.vmlinux);
  symbols.systemMap = text(section.systemMap);
  symbols.sourceRoot = text(section.sourceRoot);
  const modules = section.modulePaths;
  symbols.modulePaths = Array.isArray(modules) ? modules.map(text).filter((p): p is string => p !== null) : text(modules) ? [text(modules)!] : [];
  const symbolizer = isRecord(section.symbolizer) ? section.symbolizer : {};
  const external = text(symbolizer.external ?? section['symbolizer.external']);
  if (external) symbols.external = external;
  return symbols;
}
