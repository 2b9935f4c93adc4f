// Code actions, for the lines of the range asked, from the analysis' findings (published or not:
// the diagnostics' cap and the one-diagnostic-per-line choice do not limit the fixes). Diagnostics of
// the context are matched on code + data only (never on message text) and checked against the current
// analysis (a stale diagnostic gets attached to no fix). A range that meets several reports gets each
// report's fixes titled with the report ("… in report 3: BUG: KASAN: …"). The first choice hides noise
// without touching the file (a client command that folds lines: the log may be evidence for a bug
// report); the second removes it, each removal one WorkspaceEdit (one undo step) that deletes whole
// lines, line breaks included. Codes set to `off` get no report-wide or file-wide fix, and the file
// is never edited on save unless `editor.codeActionsOnSave` names FIX_ALL_KIND itself.
import type { CodeAction, CodeActionContext, Command, Diagnostic, Range, TextEdit, WorkspaceEdit } from 'vscode-languageserver-types';
import { CodeActionKind, CodeActionTriggerKind } from 'vscode-languageserver-types';
import type { Finding, FindingCode } from '../analyzer/findings.ts';
import type { LogAnalysis } from './analysis.ts';
import type { DocumentVersion } from './document.ts';
import { noiseFoldsOfReport } from './folding.ts';
import { lspLastLineOf, lspLineOf, offsetAt, parserLineAt, rangeOf, wholeLinesRange } from './positions.ts';
import type { Span } from '../parser/model.ts';
import { firstWhere } from '../search.ts';
import { ClientCommands, Commands, DIAGNOSTIC_SOURCE, FIX_ALL_KIND } from '../protocol/codes.ts';
import type { FoldLinesParams, LinesToHide } from '../protocol/protocol.ts';
import { DUPLICATE_CODES, entrySpanToRemove, entrySpansToRemove, removableLineOf, removableLines, UNRELIABLE_CODES } from './queries.ts';
import { defaultSettings, type KernelLogSettings } from './settings.ts';

export interface EditOptions {
  /** The client takes `documentChanges` (versioned edits) in a WorkspaceEdit. */
  documentChanges: boolean;
}

export interface CodeActionOptions extends EditOptions {
  /** The client runs ClientCommands.foldLines itself: the hide actions are offered (default: no). */
  foldLines?: boolean;
}

/** The codes of `codes` that the settings do not turn off. */
export function codesOn(settings: KernelLogSettings, codes: readonly FindingCode[]): FindingCode[] {
  return codes.filter((code) => settings.severity[code] !== 'off');
}

/** Per-entry fixes offered for one request at most (a selection of a whole log asks for thousands). */
const MAX_ENTRY_FIXES = 10;
/** Reports whose report-wide fixes are offered for one request at most. */
const MAX_REPORTS = 10;

/**
 * The fixes for the lines of `range`, from the analysis' findings (whether or not they were published:
 * past kernelLog.diagnostics.maxNumberOfProblems, or one entry's other findings); the diagnostics of
 * the context that stand for a fixed finding are attached to its action.
 */
export function getCodeActions(
  document: DocumentVersion,
  analysis: LogAnalysis,
  range: Range,
  context: CodeActionContext,
  options: CodeActionOptions,
  settings: KernelLogSettings = defaultSettings(),
): CodeAction[] {
  const hides: CodeAction[] = [];
  const removals: CodeAction[] = [];
  const quickFixes = kindWanted(CodeActionKind.QuickFix, context.only);
  const reports = new Set<number>();
  const duplicateCodes = codesOn(settings, DUPLICATE_CODES);
  const unreliableCodes = codesOn(settings, UNRELIABLE_CODES);
  const noiseCodes = [...unreliableCodes, ...duplicateCodes];
  const startLine = parserLineAt(document, offsetAt(document, range.start));
  const endLine = parserLineAt(document, offsetAt(document, range.end));
  const matched = (context.diagnostics ?? []).map((d) => ({ diagnostic: d, match: matchDiagnostic(analysis, d) }));
  const diagnosticsOf = (f: Finding) => matched.filter((m) => m.match?.finding === f || sameFinding(m.match?.finding, f)).map((m) => m.diagnostic);

  const inRange = reportsInLines(analysis, startLine, endLine);
  const entryFixes: { k: number; finding: Finding }[] = [];
  for (const k of inRange) {
    for (const f of analysis.findingsOf(k)) {
      if (f.line < startLine || f.line > endLine || !noiseCodes.includes(f.code)) continue;
      reports.add(k);
      if (duplicateCodes.includes(f.code) && entryFixes.length < MAX_ENTRY_FIXES) entryFixes.push({ k, finding: f });
    }
  }
  for (const m of matched) if (m.match) reports.add(m.match.report);
  // Asked for explicitly (Ctrl+.), the report-wide fixes are offered anywhere in a report.
  if (context.triggerKind === CodeActionTriggerKind.Invoked) for (const k of inRange) reports.add(k);
  const chosen = [...reports].sort((a, b) => a - b).slice(0, MAX_REPORTS);
  const several = chosen.length > 1;

  if (quickFixes) {
    for (const { k, finding } of entryFixes) {
      const where = entryFixes.length > 1 ? ` on line ${lspLineOf(document, finding.line) + 1}` : '';
      const diagnostics = diagnosticsOf(finding);
      if (options.foldLines) {
        hides.push(hideAction(document, analysis, k, `Hide duplicate entry${where} (fold; the file is not changed)`, [finding.line], diagnostics));
      }
      const line = removableLineOf(analysis.report(k), finding);
      const span = line === null ? entrySpanToRemove(document, analysis.report(k), finding) : null;
      if (line !== null || span !== null) {
        removals.push({
          title: `Remove duplicate entry${where}`,
          kind: CodeActionKind.QuickFix,
          diagnostics,
          edit: removeEdit(document, line !== null ? [line] : [], span ? [span] : [], options),
        });
      }
    }
    for (const k of chosen) {
      const which = several ? inReport(analysis, k) : 'in this report';
      const ofReport = (codes: readonly FindingCode[]) =>
        matched.filter((m) => m.match?.report === k && codes.includes(m.match.finding.code)).map((m) => m.diagnostic);
      if (options.foldLines) {
        const lines = findingLines(analysis, k, noiseCodes);
        if (lines.length > 0) {
          const title = unreliableCodes.length > 0 ? `Hide duplicate and unreliable (?) entries ${which} (fold)` : `Hide duplicate entries ${which} (fold)`;
          hides.push(hideAction(document, analysis, k, title, lines, ofReport(noiseCodes)));
        }
      }
      const duplicates = duplicateCodes.length > 0 ? removableLines(analysis, k, duplicateCodes) : [];
      const duplicateSpans = duplicateCodes.length > 0 ? entrySpansToRemove(document, analysis, k, duplicateCodes) : [];
      if (duplicates.length + duplicateSpans.length > 0) {
        removals.push({
          title: `Remove all duplicate entries ${which}`,
          kind: CodeActionKind.QuickFix,
          diagnostics: ofReport(duplicateCodes),
          edit: removeEdit(document, duplicates, duplicateSpans, options),
        });
      }
      const unreliable = unreliableCodes.length > 0 ? removableLines(analysis, k, unreliableCodes) : [];
      const unreliableSpans = unreliableCodes.length > 0 ? entrySpansToRemove(document, analysis, k, unreliableCodes) : [];
      if (unreliable.length + unreliableSpans.length > 0) {
        removals.push({
          title: `Remove unreliable (?) entries ${which}`,
          kind: CodeActionKind.QuickFix,
          diagnostics: ofReport(unreliableCodes),
          edit: removeEdit(document, unreliable, unreliableSpans, options),
        });
      }
    }
  }
  // Hiding comes first (and is the preferred fix): it loses nothing.
  if (hides.length > 0) hides[0].isPreferred = true;
  else if (removals.length > 0 && removals[0].title.startsWith('Remove duplicate entry')) removals[0].isPreferred = true;
  const actions = [...hides, ...removals];

  // Source actions only when asked for by kind, never in the light bulb.
  if (fixAllWanted(context)) {
    const removal = allDuplicatesRemoval(document, analysis, duplicateCodes);
    if (removal.lines.length + removal.spans.length > 0) {
      actions.push({
        title: 'Remove all duplicate entries in the file',
        kind: FIX_ALL_KIND,
        edit: removeEdit(document, removal.lines, removal.spans, options),
      });
    }
  }
  return actions;
}

/** "in report 3: BUG: KASAN: use-after-free in foo" (1-based, the title cut short). */
function inReport(analysis: LogAnalysis, k: number): string {
  const title = analysis.report(k).title;
  return `in report ${k + 1}${title ? `: ${title.length > 60 ? `${title.slice(0, 59)}…` : title}` : ''}`;
}

/** Reports whose lines meet [startLine, endLine], in order. */
function reportsInLines(analysis: LogAnalysis, startLine: number, endLine: number): number[] {
  const out: number[] = [];
  for (let k = firstWhere(0, analysis.reportCount, (i) => analysis.endLineOf(i) >= startLine); k < analysis.reportCount && analysis.lineOf(k) <= endLine; k++) {
    if (analysis.endLineOf(k) >= startLine) out.push(k);
  }
  return out;
}

function sameFinding(a: Finding | undefined, b: Finding): boolean {
  return a !== undefined && a.code === b.code && a.report === b.report && a.data.stack === b.data.stack && a.data.frame === b.data.frame;
}

/**
 * Whether the fix-all action is asked for. On save (`editor.codeActionsOnSave`) only when the user
 * named this kind: a global `"source.fixAll": "explicit"` (set up for another linter) must not
 * delete lines of a crash log. A plain `source.fixAll` or `source` is answered only when the user
 * asked by hand (the "Fix All" command, the Source Action menu: trigger kind Invoked).
 */
export function fixAllWanted(context: Pick<CodeActionContext, 'only' | 'triggerKind'>): boolean {
  const only = context.only;
  if (!only || only.length === 0) return false;
  if (only.some((o) => o === FIX_ALL_KIND)) return true;
  return context.triggerKind === CodeActionTriggerKind.Invoked && only.some((o) => o === CodeActionKind.SourceFixAll || o === CodeActionKind.Source);
}

/** A quick fix that folds `lines` (parser lines of report k) without editing the document. */
function hideAction(
  document: DocumentVersion,
  analysis: LogAnalysis,
  k: number,
  title: string,
  lines: readonly number[],
  diagnostics: Diagnostic[],
): CodeAction {
  const params: FoldLinesParams = { uri: document.uri, ranges: linesToHide(document, analysis, k, lines) };
  return { title, kind: CodeActionKind.QuickFix, diagnostics, command: { title, command: ClientCommands.foldLines, arguments: [params] } };
}

/** Parser lines as runs of LSP lines to hide, each with the server's folding range that hides it exactly, if any. */
export function linesToHide(document: DocumentVersion, analysis: LogAnalysis, k: number, lines: readonly number[]): LinesToHide[] {
  const sorted = [...new Set(lines)].filter((l) => l > 0 && l < document.lineStarts.length).sort((a, b) => a - b);
  const folds = new Map<number, number>(); // fold start line → end line
  for (const f of noiseFoldsOfReport(document, analysis, k)) folds.set(f.startLine, f.endLine);
  const ranges: LinesToHide[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    const startLine = lspLineOf(document, sorted[i]);
    const endLine = lspLastLineOf(document, sorted[j]);
    const foldEnd = folds.get(startLine - 1);
    ranges.push({ startLine, endLine, fold: foldEnd === endLine ? { startLine: startLine - 1, endLine } : null });
    i = j + 1;
  }
  return ranges;
}

/** Lines of the findings of report k with one of `codes`, sorted, without repeats. */
function findingLines(analysis: LogAnalysis, k: number, codes: readonly FindingCode[]): number[] {
  if (codes.length === 0) return [];
  const lines = new Set<number>();
  for (const f of analysis.findingsOf(k)) if (codes.includes(f.code)) lines.add(f.line);
  return [...lines].sort((a, b) => a - b);
}

/**
 * What removing every duplicate entry of the document deletes (fix-all and the removeAllDuplicates
 * command): their lines, and the entry alone where its line holds a context marker or stack header.
 */
export function allDuplicatesRemoval(
  document: DocumentVersion,
  analysis: LogAnalysis,
  codes: readonly FindingCode[] = DUPLICATE_CODES,
): { lines: number[]; spans: Span[] } {
  const spans: Span[] = [];
  if (codes.length > 0) {
    for (let k = 0; k < analysis.reportCount; k++) {
      if (codes.every((code) => analysis.countOf(k, code) === 0)) continue;
      spans.push(...entrySpansToRemove(document, analysis, k, codes));
    }
  }
  return { lines: allDuplicateLines(analysis, codes), spans };
}

/** Every duplicate entry's line in the document (fix-all and the removeAllDuplicates command). */
export function allDuplicateLines(analysis: LogAnalysis, codes: readonly FindingCode[] = DUPLICATE_CODES): number[] {
  const lines: number[] = [];
  if (codes.length === 0) return lines;
  for (let k = 0; k < analysis.reportCount; k++) {
    if (codes.every((code) => analysis.countOf(k, code) === 0)) continue;
    lines.push(...removableLines(analysis, k, codes));
  }
  return [...new Set(lines)].sort((a, b) => a - b);
}

/** The current finding a diagnostic stands for, checked on code + data; null for stale or foreign ones. */
function matchDiagnostic(analysis: LogAnalysis, diagnostic: Diagnostic): { report: number; finding: Finding; line: number | null } | null {
  if (diagnostic.source !== DIAGNOSTIC_SOURCE || typeof diagnostic.code !== 'string') return null;
  const data: unknown = diagnostic.data;
  if (typeof data !== 'object' || data === null) return null;
  const d = data as Record<string, unknown>;
  const k = d.report;
  if (typeof k !== 'number' || !Number.isInteger(k) || k < 0 || k >= analysis.reportCount) return null;
  const finding = analysis
    .findingsOf(k)
    .find((f) => f.code === diagnostic.code && f.data.stack === d.stack && f.data.frame === d.frame && f.data.removableLine === d.removableLine);
  if (!finding) return null;
  return { report: k, finding, line: removableLineOf(analysis.report(k), finding) };
}

/** One edit that deletes the given parser lines (whole lines; neighbours merged into one range). */
export function removeLinesEdit(document: DocumentVersion, lines: readonly number[], options: EditOptions): WorkspaceEdit {
  return removeEdit(document, lines, [], options);
}

/**
 * One edit that deletes whole lines and, on other lines, spans of text (an entry that shares its line
 * with a context marker or the stack header: the marker stays).
 */
export function removeEdit(document: DocumentVersion, lines: readonly number[], spans: readonly Span[], options: EditOptions): WorkspaceEdit {
  const sorted = [...new Set(lines)].filter((l) => l >= 0 && l < document.lineStarts.length).sort((a, b) => a - b);
  const edits: TextEdit[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    edits.push({ range: wholeLinesRange(document, sorted[i], sorted[j]), newText: '' });
    i = j + 1;
  }
  const whole = new Set(sorted);
  for (const span of spans) {
    if (whole.has(parserLineAt(document, span.start))) continue;
    edits.push({ range: rangeOf(document, span.start, span.end), newText: '' });
  }
  edits.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
  if (options.documentChanges) {
    return { documentChanges: [{ textDocument: { uri: document.uri, version: document.version }, edits }] };
  }
  return { changes: { [document.uri]: edits } };
}

/**
 * Code actions as the Command objects a client without code action literals takes: an action's own
 * command as it is, an edit as Commands.applyEdit with the action's title.
 */
export function codeActionsAsCommands(actions: readonly CodeAction[]): Command[] {
  const commands: Command[] = [];
  for (const action of actions) {
    if (action.command) commands.push({ ...action.command, title: action.title });
    else if (action.edit) commands.push({ title: action.title, command: Commands.applyEdit, arguments: [action.edit] });
  }
  return commands;
}

/** Whether an action of `kind` is wanted by a request's `only` filter (none: everything but source actions). */
function kindWanted(kind: string, only: readonly string[] | undefined): boolean {
  if (!only || only.length === 0) return !kind.startsWith('source');
  return only.some((o) => kind === o || kind.startsWith(o + '.'));
}
