// Findings → LSP diagnostics: code = finding code, source 'kernel-log', data = the finding's data
// (code actions need nothing else), related information to the RIP line or the twin entry, and the
// Unnecessary tag (faded) on noise. Severity per code comes from the settings.
import type { Diagnostic, DiagnosticRelatedInformation } from 'vscode-languageserver-types';
import { DiagnosticSeverity, DiagnosticTag } from 'vscode-languageserver-types';
import { FINDING_CODES, type Finding, type FindingCode } from '../analyzer/findings.ts';
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

export function computeDiagnostics(
  document: DocumentVersion,
  analysis: LogAnalysis,
  settings: KernelLogSettings,
  capabilities: DiagnosticsCapabilities,
): DiagnosticsResult {
  // How many findings of each severity there are (from the counts; nothing is read or moved), to
  // keep the most severe ones when there are more than the client should get.
  const countBySeverity = [0, 0, 0, 0, 0];
  FINDING_CODES.forEach((code, i) => {
    const severity = severityOf(settings, code);
    if (severity !== null) countBySeverity[severity] += analysis.totals[i];
  });
  const quota = [0, 0, 0, 0, 0];
  let left = Math.max(0, settings.maxDiagnostics);
  let truncated = false;
  for (let s = DiagnosticSeverity.Error; s <= DiagnosticSeverity.Hint; s++) {
    quota[s] = Math.min(countBySeverity[s], left);
    if (quota[s] < countBySeverity[s]) truncated = true;
    left -= quota[s];
  }
  let remaining = quota.reduce((a, b) => a + b, 0);

  // Convert, in document order, until every quota is used.
  const wantedCodes = () =>
    FINDING_CODES.filter((code) => {
      const severity = severityOf(settings, code);
      return severity !== null && quota[severity] > 0;
    });
  let wanted = wantedCodes();
  const diagnostics: Diagnostic[] = [];
  for (let k = 0; k < analysis.reportCount && remaining > 0; k++) {
    if (!wanted.some((code) => analysis.countOf(k, code) > 0)) continue;
    for (const f of analysis.findingsOf(k)) {
      const severity = severityOf(settings, f.code);
      if (severity === null || quota[severity] === 0) continue;
      quota[severity]--;
      remaining--;
      diagnostics.push(toDiagnostic(document, f, severity, capabilities));
      if (quota[severity] === 0) wanted = wantedCodes();
    }
  }
  return { diagnostics, truncated };
}

function toDiagnostic(document: DocumentVersion, finding: Finding, severity: DiagnosticSeverity, capabilities: DiagnosticsCapabilities): Diagnostic {
  const diagnostic: Diagnostic = {
    range: spanRange(document, finding),
    severity,
    code: finding.code,
    source: DIAGNOSTIC_SOURCE,
    message: finding.message,
    data: { ...finding.data },
  };
  if (finding.unnecessary && capabilities.unnecessaryTag) diagnostic.tags = [DiagnosticTag.Unnecessary];
  if (finding.related.length > 0 && capabilities.relatedInformation) {
    diagnostic.relatedInformation = finding.related.map(
      (r): DiagnosticRelatedInformation => ({ location: { uri: document.uri, range: spanRange(document, r) }, message: r.message }),
    );
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
