// Client settings the service reads (section `kernelLog`), with defaults. Settings are per resource:
// the server asks the client for each document's settings (workspace/configuration), never keeps
// one global copy.
import { DEFAULT_SEVERITY } from '../analysis/analyze.ts';
import { FINDING_CODES, type FindingCode } from '../analysis/findings.ts';

export type SeverityLevel = 'off' | 'hint' | 'information' | 'warning' | 'error';

export interface KernelLogSettings {
  /** Severity of each diagnostic code; `off` hides it. */
  severity: Record<FindingCode, SeverityLevel>;
  /**
   * Most diagnostics published for one file. VS Code shows at most 1000 per file anyway; huge logs
   * would otherwise send megabytes of hints on every keystroke. Errors and warnings go first.
   */
  maxDiagnostics: number;
}

export const DEFAULT_MAX_DIAGNOSTICS = 1000;

export function defaultSettings(): KernelLogSettings {
  return { severity: { ...DEFAULT_SEVERITY }, maxDiagnostics: DEFAULT_MAX_DIAGNOSTICS };
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
  const max = diagnostics.maxNumberOfProblems ?? diagnostics.maxPerFile;
  if (typeof max === 'number' && Number.isFinite(max) && max >= 0) settings.maxDiagnostics = Math.floor(max);
  return settings;
}
