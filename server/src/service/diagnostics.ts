// Findings → LSP diagnostics: one per entry line (its most telling finding, rules/index.ts
// MOST_TELLING_FIRST; the entry's other findings in its related information), code = finding code,
// source 'kernel-log', data = the finding's data, related information to the RIP line or the twin
// entry, a codeDescription link to the code's documentation when the client gave its place, and the
// Unnecessary tag (faded) on noise. Severity per code comes from the settings. Only what is
// published changes: the findings (CLI, SARIF, hovers, quick fixes) are all kept.
import type { Diagnostic, DiagnosticRelatedInformation } from 'vscode-languageserver-types';
import { DiagnosticSeverity, DiagnosticTag } from 'vscode-languageserver-types';
import { FINDING_CODES, type Finding, type FindingCode } from '../analyzer/findings.ts';
import { MOST_TELLING_FIRST, RULE_BY_CODE, ruleOf, unreliableFrame, type Rule } from '../analyzer/rules/index.ts';
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
const UNRELIABLE = unreliableFrame.code;

/** What publishing needs of each code under the settings, read once per computation. */
interface CodeChoice {
  severity: DiagnosticSeverity | null;
  rank: number;
  /** Left out on `? ` entries (the rule's quietOnUnreliable, not turned on by the settings). */
  quietOnUnreliable: boolean;
}

function codeChoices(settings: KernelLogSettings): Map<string, CodeChoice> {
  const choices = new Map<string, CodeChoice>();
  for (const code of FINDING_CODES) {
    const rule = RULE_BY_CODE[code] as Rule;
    choices.set(code, {
      severity: severityOf(settings, code),
      rank: RANK.get(code) ?? MOST_TELLING_FIRST.length,
      quietOnUnreliable: rule.subject === 'entry' && rule.quietOnUnreliable === true && settings.onUnreliableEntries[code] !== true,
    });
  }
  return choices;
}

/**
 * One diagnostic per entry line: the findings of report k grouped by line (the analyzer makes an
 * entry's findings one after the other), each group as [published finding, the line's other
 * findings]. A finding is published when its code is not `off` and, on a `? ` entry (one with an
 * unreliable-frame finding), its rule does not keep quiet there unless the settings turn it on; of
 * those, the first in MOST_TELLING_FIRST. Lines whose choice is of a severity not `wantedSeverity` are left out.
 */
function publishedOfReport(
  analysis: LogAnalysis,
  k: number,
  choices: Map<string, CodeChoice>,
  wantedSeverity: (s: DiagnosticSeverity) => boolean,
): { finding: Finding; others: Finding[] }[] {
  const findings = analysis.findingsOf(k);
  const out: { finding: Finding; others: Finding[] }[] = [];
  for (let i = 0; i < findings.length; ) {
    const line = findings[i].line;
    let j = i + 1;
    while (j < findings.length && findings[j].line === line) j++;
    let best: Finding | null = null;
    let bestRank = Number.POSITIVE_INFINITY;
    for (let g = i; g < j; g++) {
      const f = findings[g];
      const choice = choices.get(f.code)!;
      if (choice.severity === null || choice.rank >= bestRank) continue;
      if (choice.quietOnUnreliable && onUnreliableEntry(findings, i, j, f)) continue;
      best = f;
      bestRank = choice.rank;
    }
    // A line whose diagnostic would not be kept (its severity's room is full) is passed over.
    if (best !== null && wantedSeverity(choices.get(best.code)!.severity!)) {
      const others: Finding[] = [];
      for (let g = i; g < j; g++) if (findings[g] !== best && choices.get(findings[g].code)!.severity !== null) others.push(findings[g]);
      out.push({ finding: best, others });
    }
    i = j;
  }
  return out;
}

/**
 * Whether finding f (of findings[i, j), one line's) is about a `? ` entry: one with an unreliable-frame
 * finding, whose range (the whole entry) holds f's.
 */
function onUnreliableEntry(findings: readonly Finding[], i: number, j: number, f: Finding): boolean {
  for (let g = i; g < j; g++) {
    const u = findings[g];
    if (u.code === UNRELIABLE && u.start <= f.start && f.end <= u.end) return true;
  }
  return false;
}

export function computeDiagnostics(
  document: DocumentVersion,
  analysis: LogAnalysis,
  settings: KernelLogSettings,
  capabilities: DiagnosticsCapabilities,
  options: DiagnosticsOptions = {},
): DiagnosticsResult {
  const max = Math.max(0, settings.maxDiagnostics);
  const choices = codeChoices(settings);
  // At most how many diagnostics of each severity are left in the reports not read yet (from the
  // counts; nothing is read or moved): an entry's findings make one diagnostic, so fewer may come.
  // And at least how many: the findings that are always published (a report's, or of the most
  // telling code, when not kept quiet).
  const left = [0, 0, 0, 0, 0];
  const sure = [0, 0, 0, 0, 0];
  const isSure = (code: FindingCode) => {
    const c = choices.get(code)!;
    return c.severity !== null && !c.quietOnUnreliable && (ruleOf(code)?.subject === 'report' || c.rank === 0);
  };
  // Per code, by its index in FINDING_CODES (the loop below runs over every report of a big log).
  const codeSeverity = FINDING_CODES.map((code) => choices.get(code)!.severity);
  const codeSure = FINDING_CODES.map(isSure);
  /** Adds `counts` (times `sign`) to `left`, and to `sure` with `andSure`. */
  const countDown = (counts: (i: number) => number, sign: number, andSure: boolean) => {
    for (let i = 0; i < codeSeverity.length; i++) {
      const severity = codeSeverity[i];
      if (severity === null) continue;
      const n = counts(i);
      if (n === 0) continue;
      if (sign > 0 || !andSure) left[severity] += sign * n;
      if (andSure && codeSure[i]) sure[severity] += sign * n;
    }
  };
  countDown((i) => analysis.totals[i], 1, true);
  // The diagnostics kept of each severity (at most `max` each), with their place in the document.
  const kept: { diagnostic: Diagnostic; at: number }[][] = [[], [], [], [], []];
  let truncated = false;
  let at = 0;
  /**
   * Whether more diagnostics of severity s can still be published: some may be left, and those kept
   * so far do not fill the room the more severe ones leave (those kept and those sure to come; later
   * ones of s come after the ones kept).
   */
  const open = (s: number) => {
    let room = max;
    for (let t = DiagnosticSeverity.Error; t < s; t++) room -= kept[t].length + sure[t];
    return left[s] > 0 && kept[s].length < room;
  };
  const settled = () => {
    for (let s = DiagnosticSeverity.Error; s <= DiagnosticSeverity.Hint; s++) if (open(s)) return false;
    return true;
  };
  /** Whether the report in `row` may hold a diagnostic of a severity that is still open. */
  const wanted = () => {
    for (let s = DiagnosticSeverity.Error; s <= DiagnosticSeverity.Hint; s++) {
      if (!open(s)) continue;
      for (let i = 0; i < codeSeverity.length; i++) if (codeSeverity[i] === s && row[i] > 0) return true;
    }
    return false;
  };
  // Report k's counts, read once: the loop below runs over every report of a big log.
  const row = new Uint32Array(codeSeverity.length);
  const rowAt = (i: number) => row[i];
  let k = 0;
  for (; k < analysis.reportCount && !settled(); k++) {
    let any = false;
    for (let i = 0; i < row.length; i++) if ((row[i] = codeSeverity[i] === null ? 0 : analysis.countAt(k, i)) > 0) any = true;
    if (!any) continue;
    // Report k's sure findings are counted as they are kept (a room reckoned too large only costs
    // work: the final cut below is exact).
    countDown(rowAt, -1, true);
    if (wanted()) {
      // A line passed over for want of room is a diagnostic left out (its severity still has findings here).
      const room = (severity: DiagnosticSeverity) => open(severity) || !(truncated = true);
      for (const { finding, others } of publishedOfReport(analysis, k, choices, room)) {
        const severity = severityOf(settings, finding.code)!;
        if (open(severity)) kept[severity].push({ diagnostic: toDiagnostic(document, finding, others, severity, capabilities, options), at: at++ });
        else truncated = true;
      }
    }
    countDown(rowAt, -1, false);
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
  // (A duplicate's message already calls its entry unreliable: that finding is not listed again.)
  const told = rule?.subject === 'entry' && rule.saysUnreliable ? others.filter((o) => ruleOf(o.code)?.fixes !== 'unreliable') : others;
  if (capabilities.relatedInformation) {
    const related = finding.related.map(
      (r): DiagnosticRelatedInformation => ({ location: { uri: document.uri, range: spanRange(document, r) }, message: r.message }),
    );
    // The entry's other findings, on its own range.
    for (const o of told) related.push({ location: { uri: document.uri, range: spanRange(document, o) }, message: `${o.code}: ${o.message}` });
    if (related.length > 0) diagnostic.relatedInformation = related;
  } else if (told.length > 0) {
    diagnostic.message += ` (Also: ${told.map((o) => o.code).join(', ')}.)`;
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
