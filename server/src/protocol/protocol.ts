// The custom part of the protocol, declared once for the server and the client: the requests and
// notifications (built on vscode-languageserver-protocol, which both sides have) and their
// parameters. The plain values (codes, kinds, command names) are in ./codes.ts, re-exported here;
// the VS Code client imports those from ./codes.ts, and the message types only where it starts the
// language client (client/src/languageClient.ts, loaded lazily).
import { NotificationType, RequestType } from 'vscode-languageserver-protocol';
import type { TextDocumentIdentifier } from 'vscode-languageserver-types';
import type { SymbolStatus } from '../symbolizer/types.ts';
import type { FindingCode } from './codes.ts';

export * from './codes.ts';

/** Lines to hide (0-based LSP lines, inclusive). */
export interface LinesToHide {
  startLine: number;
  endLine: number;
  /**
   * A folding range of textDocument/foldingRange around these lines, or null. The client folds it
   * when it hides exactly these lines (it starts on the line before them and ends on the last);
   * otherwise it makes a folding range of its own.
   */
  fold: { startLine: number; endLine: number } | null;
}

export interface FoldLinesParams {
  uri: string;
  ranges: LinesToHide[];
}

export interface RemoveAllDuplicatesResult {
  /** Whether the client applied the edit. */
  applied: boolean;
  /** Number of entries removed: whole lines, or the entry alone beside a context marker (0 when there was nothing to remove). */
  removedLines: number;
}

export interface NoiseRangesParams {
  textDocument: TextDocumentIdentifier;
}

/** A run of consecutive unreliable (`? `) or duplicate entries. */
export interface NoiseRange {
  /** First and last line of the run (0-based, inclusive). */
  startLine: number;
  endLine: number;
  /** How many of the entries are duplicates (they are all unreliable). */
  duplicates: number;
  /**
   * The folding range (also in textDocument/foldingRange, kind `comment`) that hides the run: it
   * starts on the line before the run, which stays visible. Null when the answer holds none (another
   * range starts or ends on that line): the client folds the run with a range of its own.
   */
  fold: { startLine: number; endLine: number } | null;
}

/**
 * Lines of unreliable and duplicate entries, for "Fold Unreliable and Duplicate Entries": the client
 * folds each `fold` range (e.g. `editor.fold` with `selectionLines` = the fold start lines).
 */
export namespace NoiseRangesRequest {
  export const method = 'kernelLog/noiseRanges';
  export const type = new RequestType<NoiseRangesParams, NoiseRange[], void>(method);
}

export interface StatusParams {
  uri: string;
  version: number;
  /** Number of reports in the document. */
  reports: number;
  /** Findings per code (all of them, whatever their configured severity). */
  findingsByCode: Record<FindingCode, number>;
  /**
   * Diagnostics published per code that VS Code lists in Problems (severity information and above,
   * one per entry line, after kernelLog.diagnostics.maxNumberOfProblems). Absent from older servers.
   */
  problemsByCode?: Partial<Record<FindingCode, number>>;
  /** Hints published per code: shown in the editor (faded, dotted), not listed in Problems. */
  hintsByCode?: Partial<Record<FindingCode, number>>;
  /** False while a big document is still being parsed (the numbers are for its first part). */
  complete: boolean;
  /** Some diagnostics were left out (see kernelLog.diagnostics.maxNumberOfProblems). */
  diagnosticsTruncated: boolean;
}

/** Sent by the server after each analysis of a document, for the status bar. */
export namespace StatusNotification {
  export const method = 'kernelLog/status';
  export const type = new NotificationType<StatusParams>(method);
}

export interface SymbolStatusParams {
  uri: string;
  status: SymbolStatus;
}

/** Sent by the server when a document's symbol files are known (and again when they change), for the status bar. */
export namespace SymbolStatusNotification {
  export const method = 'kernelLog/symbolStatus';
  export const type = new NotificationType<SymbolStatusParams>(method);
}

/**
 * Whether the workspace is trusted (external symbolizer processes run only then). The client sends
 * it in `initializationOptions.trustedWorkspace` and with this notification when trust is granted.
 * Clients that do not say are taken as trusted (the user started the server).
 */
export namespace WorkspaceTrustNotification {
  export const method = 'kernelLog/workspaceTrust';
  export const type = new NotificationType<{ trusted: boolean }>(method);
}
