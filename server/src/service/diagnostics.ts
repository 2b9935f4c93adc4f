// Findings → LSP diagnostics: one per stack entry (its most telling finding, rules/index.ts
// MOST_TELLING_FIRST; the entry's other findings in its related information), code = finding code,
// source 'kernel-log', data = the finding's data, related information to the RIP line or the twin
// entry, a codeDescription link to the code's documentation when the client gave its place, and the
// Unnecessary tag (faded) on noise. Severity per code comes from the settings. Only what is
// published changes: the findings (CLI, SARIF, hovers, quick fixes) are all kept.
import type { Diagnostic, DiagnosticRelatedInformation } from 'vscode-languageserver-types';
import { DiagnosticSeverity, DiagnosticTag } from 'vscode-languageserver-types';
import { FINDING_CODES, type Finding, type FindingCode } from '../analyzer/findings.ts';
import { MOST_TELLING_FIRST, RULE_BY_CODE, ruleOf, type EntryRule } from '../analyzer/rules/index.ts';
import type { Report } from '../parser/model.ts';
import type { LogAnalysis } from './analysis.ts';
import type { DocumentVersion } from './document.ts';
import { spanRange } from './positions.ts';
import { DIAGNOSTIC_SOURCE } from '../protocol/codes.ts';
import type { KernelLogSettings, SeverityLevel } from './settings.ts';

/** What the client said it can show (textDocument.publishDiagnostics capabilities). */
export interface DiagnosticsCapabilities {
  relatedInformation: boolean;
  unnecessaryTag: boolean;
}

export interface DiagnosticsResult {
  diagnostics: Diagnostic[];
  /** Some findings were left out to stay within settings.maxDiagnostics. */
  truncated: boolean;
}

const SEVERITY: Record<Exclude<SeverityLevel, 'off'>, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

function severityOf(settings: KernelLogSettings, code: FindingCode): DiagnosticSeverity | null {
  const level = settings.severity[code] ?? 'warning';
  return level === 'off' ? null : SEVERITY[level];
}

/** Where the per-code documentation is (docs/findings.md as the client ships it), for codeDescription links. */
export interface DiagnosticsOptions {
  /** A URI (no fragment); each diagnostic links to `<docsBase>#<rule anchor>`. None: no codeDescription. */
  docsBase?: string;
}

/** Rank of each code in MOST_TELLING_FIRST (lower: more telling); codes not listed come last. */
const RANK = new Map<string, number>(MOST_TELLING_FIRST.map((r, i) => [r.code, i]));
const rankOf = (code: FindingCode) => RANK.get(code) ?? MOST_TELLING_FIRST.length;

/**
 * One diagnostic per stack entry: the findings of report k grouped by entry (the analyzer makes an
 * entry's findings one after the other), each group as [published finding, the entry's other findings].
 * A group's finding is published when its code is not `off` and, on a `? ` entry, its rule does not
 * keep quiet there (rules/: quietOnUnreliable) unless the settings turn it on; of those, the first
 * in MOST_TELLING_FIRST.
 */
function publishedOfReport(analysis: LogAnalysis, k: number, settings: KernelLogSettings): { finding: Finding; others: Finding[] }[] {
  const findings = analysis.findingsOf(k);
  const out: { finding: Finding; others: Finding[] }[] = [];
  let report: Report | undefined;
  for (let i = 0; i < findings.length; ) {
    const first = findings[i];
    const { stack, frame } = first.data;
    let j = i + 1;
    if (stack !== undefined) while (j < findings.length && findings[j].data.stack === stack && findings[j].data.frame === frame) j++;
    let best: Finding | null = null;
    for (let g = i; g < j; g++) {
      const f = findings[g];
      if (severityOf(settings, f.code) === null) continue;
      if (stack !== undefined && frame !== undefined && ruleOf(f.code)?.subject === 'entry') {
        const rule = RULE_BY_CODE[f.code] as EntryRule;
        if (rule.quietOnUnreliable && settings.onUnreliableEntries[f.code] !== true) {
          report ??= analysis.report(k);
          if (report.stacks[stack]?.frames[frame]?.reliable === false) continue;
        }
      }
      if (best === null || rankOf(f.code) < rankOf(best.code)) best = f;
    }
    if (best !== null) {
      const others: Finding[] = [];
      for (let g = i; g < j; g++) if (findings[g] !== best && severityOf(settings, findings[g].code) !== null) others.push(findings[g]);
      out.push({ finding: best, others });
    }
    i = j;
  }
  return out;
}

export function computeDiagnostics(
  document: DocumentVersion,
  analysis: LogAnalysis,
  settings: KernelLogSettings,
  capabilities: DiagnosticsCapabilities,
  options: DiagnosticsOptions = {},
): DiagnosticsResult {
  // At most how many diagnostics of each severity are left in the reports not read yet (from the
  // counts; nothing is read or moved): an entry's findings make one diagnostic, so fewer may come.
  const left = [0, 0, 0, 0, 0];
  FINDING_CODES.forEach((code, i) => {
    const severity = severityOf(settings, code);
    if (severity !== null) left[severity] += analysis.totals[i];
  });
  const max = Math.max(0, settings.maxDiagnostics);
  // The diagnostics kept of each severity (at most `max` each), with their place in the document.
  const kept: { diagnostic: Diagnostic; at: number }[][] = [[], [], [], [], []];
  let truncated = false;
  let at = 0;
  /**
   * Whether more diagnostics of severity s can still be published: some may be left, and those kept
   * so far do not fill the room the more severe ones leave (later ones of s come after them).
   */
  const open = (s: number) => {
    let room = max;
    for (let t = DiagnosticSeverity.Error; t < s; t++) room -= kept[t].length;
    return left[s] > 0 && kept[s].length < room;
  };
  const settled = () => {
    for (let s = DiagnosticSeverity.Error; s <= DiagnosticSeverity.Hint; s++) if (open(s)) return false;
    return true;
  };
  /** Whether report k may hold a diagnostic of a severity that is still open. */
  const wanted = (k: number) => {
    for (let s = DiagnosticSeverity.Error; s <= DiagnosticSeverity.Hint; s++) {
      if (open(s) && FINDING_CODES.some((code) => severityOf(settings, code) === s && analysis.countOf(k, code) > 0)) return true;
    }
    return false;
  };
  let k = 0;
  for (; k < analysis.reportCount && !settled(); k++) {
    if (wanted(k)) {
      for (const { finding, others } of publishedOfReport(analysis, k, settings)) {
        const severity = severityOf(settings, finding.code)!;
        if (kept[severity].length < max)
          kept[severity].push({ diagnostic: toDiagnostic(document, finding, others, severity, capabilities, options), at: at++ });
        else truncated = true;
      }
    }
    FINDING_CODES.forEach((code) => {
      const severity = severityOf(settings, code);
      if (severity !== null) left[severity] -= analysis.countOf(k, code);
    });
  }
  // Stopped early with findings left: some may have been diagnostics.
  if (k < analysis.reportCount && left.some((n) => n > 0)) truncated = true;
  const chosen: { diagnostic: Diagnostic; at: number }[] = [];
  for (let s = DiagnosticSeverity.Error; s <= DiagnosticSeverity.Hint; s++) {
    const room = max - chosen.length;
    if (kept[s].length > room) truncated = true;
    chosen.push(...kept[s].slice(0, Math.max(0, room)));
  }
  chosen.sort((a, b) => a.at - b.at);
  return { diagnostics: chosen.map((c) => c.diagnostic), truncated };
}

function toDiagnostic(
  document: DocumentVersion,
  finding: Finding,
  others: readonly Finding[],
  severity: DiagnosticSeverity,
  capabilities: DiagnosticsCapabilities,
  options: DiagnosticsOptions,
): Diagnostic {
  const diagnostic: Diagnostic = {
    range: spanRange(document, finding),
    severity,
    code: finding.code,
    source: DIAGNOSTIC_SOURCE,
    message: finding.message,
    data: { ...finding.data },
  };
  const rule = ruleOf(finding.code);
  if (options.docsBase && rule) diagnostic.codeDescription = { href: `${options.docsBase}#${rule.anchor}` };
  if (finding.unnecessary && capabilities.unnecessaryTag) diagnostic.tags = [DiagnosticTag.Unnecessary];
  if (capabilities.relatedInformation) {
    const related = finding.related.map(
      (r): DiagnosticRelatedInformation => ({ location: { uri: document.uri, range: spanRange(document, r) }, message: r.message }),
    );
    // The entry's other findings, on its own range.
    for (const o of others) related.push({ location: { uri: document.uri, range: spanRange(document, o) }, message: `${o.code}: ${o.message}` });
    if (related.length > 0) diagnostic.relatedInformation = related;
  } else if (others.length > 0) {
    diagnostic.message += ` (Also: ${others.map((o) => o.code).join(', ')}.)`;
  }
  return diagnostic;
}

/** Findings per code over the whole document (for the status notification). */
export function countFindings(analysis: LogAnalysis): Record<FindingCode, number> {
  const counts = {} as Record<FindingCode, number>;
  FINDING_CODES.forEach((code, i) => (counts[code] = analysis.totals[i]));
  return counts;
}

/**
 * The published diagnostics per code: those VS Code lists in Problems (severity information and
 * above) and the hints it shows in the editor only.
 */
export function countPublished(diagnostics: readonly Diagnostic[]): {
  problemsByCode: Partial<Record<FindingCode, number>>;
  hintsByCode: Partial<Record<FindingCode, number>>;
} {
  const problemsByCode: Partial<Record<FindingCode, number>> = {};
  const hintsByCode: Partial<Record<FindingCode, number>> = {};
  for (const d of diagnostics) {
    const into = d.severity === DiagnosticSeverity.Hint ? hintsByCode : problemsByCode;
    const code = d.code as FindingCode;
    into[code] = (into[code] ?? 0) + 1;
  }
  return { problemsByCode, hintsByCode };
}

/**
 * Whether two lists of diagnostics are the same, field by field. An edit inside one line, or a parse
 * chunk after the cap is reached, often leaves every published diagnostic as it was: the server then
 * sends only the status, and the editor does not redraw 1,000 markers per keystroke.
 */
export function sameDiagnostics(a: readonly Diagnostic[], b: readonly Diagnostic[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!sameValue(a[i], b[i])) return false;
  return true;
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) if (!sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  return true;
}
