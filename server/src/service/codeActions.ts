// Code actions. They match diagnostics on code + data only (never on message text), check the data
// against the current analysis (a stale diagnostic gets no fix), and each is one WorkspaceEdit —
// one undo step — that deletes whole lines, line breaks included.
import type { CodeAction, CodeActionContext, Diagnostic, Range, TextEdit, WorkspaceEdit } from 'vscode-languageserver-types';
import { CodeActionKind, CodeActionTriggerKind } from 'vscode-languageserver-types';
import type { FindingCode } from '../analysis/findings.ts';
import type { LogAnalysis } from './analysis.ts';
import type { KernelLogDocument } from './document.ts';
import { offsetAt, wholeLinesRange } from './positions.ts';
import { DIAGNOSTIC_SOURCE, FIX_ALL_KIND } from './protocol.ts';
import { DUPLICATE_CODES, isDuplicateCode, removableLineOf, removableLines, reportIndexAt } from './queries.ts';

export interface EditOptions {
  /** The client takes `documentChanges` (versioned edits) in a WorkspaceEdit. */
  documentChanges: boolean;
}

const UNRELIABLE_CODES: readonly FindingCode[] = ['unreliable-frame'];

export function getCodeActions(document: KernelLogDocument, analysis: LogAnalysis, range: Range, context: CodeActionContext, options: EditOptions): CodeAction[] {
  const actions: CodeAction[] = [];
  const quickFixes = kindWanted(CodeActionKind.QuickFix, context.only);
  const reports = new Set<number>();

  for (const diagnostic of context.diagnostics ?? []) {
    const match = matchDiagnostic(analysis, diagnostic);
    if (!match) continue;
    reports.add(match.report);
    if (!quickFixes || !isDuplicateCode(diagnostic.code) || match.line === null) continue;
    actions.push({
      title: 'Remove duplicate entry',
      kind: CodeActionKind.QuickFix,
      diagnostics: [diagnostic],
      isPreferred: true,
      edit: removeLinesEdit(document, [match.line], options),
    });
  }
  // Asked for explicitly (Ctrl+.), the report-wide fixes are offered anywhere in a report.
  if (context.triggerKind === CodeActionTriggerKind.Invoked) {
    const k = reportIndexAt(document, analysis, offsetAt(document, range.start));
    if (k >= 0) reports.add(k);
  }

  if (quickFixes) {
    for (const k of [...reports].sort((a, b) => a - b)) {
      const duplicates = removableLines(analysis, k, DUPLICATE_CODES);
      if (duplicates.length > 0) {
        actions.push({
          title: 'Remove all duplicate entries in this report',
          kind: CodeActionKind.QuickFix,
          diagnostics: (context.diagnostics ?? []).filter((d) => isDuplicateCode(d.code) && matchDiagnostic(analysis, d)?.report === k),
          edit: removeLinesEdit(document, duplicates, options),
        });
      }
      const unreliable = removableLines(analysis, k, UNRELIABLE_CODES);
      if (unreliable.length > 0) {
        actions.push({
          title: 'Remove unreliable (?) entries in this report',
          kind: CodeActionKind.QuickFix,
          diagnostics: (context.diagnostics ?? []).filter((d) => d.code === 'unreliable-frame' && matchDiagnostic(analysis, d)?.report === k),
          edit: removeLinesEdit(document, unreliable, options),
        });
      }
    }
  }

  // Source actions only when asked for by kind (on save, or "Fix All"): never in the light bulb.
  if (context.only && kindWanted(FIX_ALL_KIND, context.only)) {
    const lines = allDuplicateLines(analysis);
    if (lines.length > 0) {
      actions.push({ title: 'Remove all duplicate entries in the file', kind: FIX_ALL_KIND, edit: removeLinesEdit(document, lines, options) });
    }
  }
  return actions;
}

/** Every duplicate entry's line in the document (fix-all and the removeAllDuplicates command). */
export function allDuplicateLines(analysis: LogAnalysis): number[] {
  const lines: number[] = [];
  for (let k = 0; k < analysis.reportCount; k++) {
    if (DUPLICATE_CODES.every((code) => analysis.countOf(k, code) === 0)) continue;
    lines.push(...removableLines(analysis, k, DUPLICATE_CODES));
  }
  return [...new Set(lines)].sort((a, b) => a - b);
}

/** The current finding a diagnostic stands for, checked on code + data; null for stale or foreign ones. */
function matchDiagnostic(analysis: LogAnalysis, diagnostic: Diagnostic): { report: number; line: number | null } | null {
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
  return { report: k, line: removableLineOf(analysis.report(k), finding) };
}

/** One edit that deletes the given parser lines (whole lines; neighbours merged into one range). */
export function removeLinesEdit(document: KernelLogDocument, lines: readonly number[], options: EditOptions): WorkspaceEdit {
  const sorted = [...new Set(lines)].filter((l) => l >= 0 && l < document.lineStarts.length).sort((a, b) => a - b);
  const edits: TextEdit[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    edits.push({ range: wholeLinesRange(document, sorted[i], sorted[j]), newText: '' });
    i = j + 1;
  }
  if (options.documentChanges) {
    return { documentChanges: [{ textDocument: { uri: document.uri, version: document.version }, edits }] };
  }
  return { changes: { [document.uri]: edits } };
}

/** Whether an action of `kind` is wanted by a request's `only` filter (none: everything but source actions). */
function kindWanted(kind: string, only: readonly string[] | undefined): boolean {
  if (!only || only.length === 0) return !kind.startsWith('source');
  return only.some((o) => kind === o || kind.startsWith(o + '.'));
}
