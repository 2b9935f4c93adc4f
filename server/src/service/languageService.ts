// The language-service facade: documents in, LSP results out. No connection here (server.ts has
// it); IO that a feature needs (the symbolizer) is injected. Every feature gets a version of the
// document and its analysis (a Snapshot, parsed once per version; neither changes): given the open
// document instead, a feature reads its current version.
import type {
  CodeAction,
  CodeActionContext,
  Command,
  Diagnostic,
  DocumentLink,
  DocumentSymbol,
  FoldingRange,
  Hover,
  Location,
  Position,
  Range,
  SymbolInformation,
  WorkspaceEdit,
} from 'vscode-languageserver-types';
import type { TextDocumentContentChangeEvent } from 'vscode-languageserver-textdocument';
import type { LogAnalysis } from './analysis.ts';
import {
  allDuplicatesRemoval,
  codeActionsAsCommands,
  codesOn,
  fixAllWanted,
  getCodeActions,
  removeEdit,
  type CodeActionOptions,
  type EditOptions,
} from './codeActions.ts';
import {
  computeDiagnostics,
  countFindings,
  countPublished,
  sameDiagnostics,
  type DiagnosticsCapabilities,
  type DiagnosticsOptions,
  type DiagnosticsResult,
} from './diagnostics.ts';
import { KernelLogDocument, type DocumentVersion } from './document.ts';
import { DocumentCache, type Snapshot } from './documentCache.ts';
import { computeDefinition } from './definition.ts';
import { computeFolding } from './folding.ts';
import { computeDocumentLinks } from './links.ts';
import { computeHover, plainTextHover } from './hover.ts';
import { nullLogger, type Logger } from './logger.ts';
import type { NoiseRange, StatusParams } from '../protocol/protocol.ts';
import { defaultSettings, type KernelLogSettings } from './settings.ts';
import { DUPLICATE_CODES } from './queries.ts';
import { computeDocumentSymbols, flatSymbols } from './symbols.ts';
import type { Interruption } from './interruption.ts';
import type { CancellationLike, Symbolizer } from '../symbolizer/types.ts';

export interface LanguageServiceOptions {
  logger?: Logger;
  /** Source lines and disassembly for hover; none: hover explains without symbol info. */
  symbolizer?: Symbolizer;
  /** Lines per progressive parse step of a newly opened document. */
  chunkLines?: number;
}

/** A version of a document, or the open document (its current version is read). */
export type DocumentRef = DocumentVersion | KernelLogDocument;

function versionOf(document: DocumentRef): DocumentVersion {
  return document instanceof KernelLogDocument ? document.current : document;
}

export interface KernelLogLanguageService {
  readonly documents: DocumentCache;
  openDocument(uri: string, languageId: string, version: number, text: string): KernelLogDocument;
  changeDocument(uri: string, version: number, changes: readonly TextDocumentContentChangeEvent[]): KernelLogDocument | undefined;
  closeDocument(uri: string): void;
  getDocument(uri: string): KernelLogDocument | undefined;
  /** Complete analysis of the current version (parses what is missing). */
  getAnalysis(uri: string): LogAnalysis | undefined;
  /** The current version and its complete analysis (parses what is missing). */
  getSnapshot(uri: string): Snapshot | undefined;
  /** One progressive parse step; the analysis so far. */
  parseStep(uri: string): Snapshot | undefined;

  /** One diagnostic per entry line (the most telling finding), the most severe first up to the cap. */
  computeDiagnostics(
    document: DocumentRef,
    analysis: LogAnalysis,
    settings: KernelLogSettings,
    capabilities: DiagnosticsCapabilities,
    options?: DiagnosticsOptions,
  ): DiagnosticsResult;
  /** Whether two lists of diagnostics are the same (a publish can be left out). */
  sameDiagnostics(a: readonly Diagnostic[], b: readonly Diagnostic[]): boolean;
  /** Code actions; `settings` (default: the defaults) turn codes off for the report- and file-wide fixes. */
  getCodeActions(
    document: DocumentRef,
    analysis: LogAnalysis,
    range: Range,
    context: CodeActionContext,
    options: CodeActionOptions,
    settings?: KernelLogSettings,
  ): CodeAction[];
  /** Whether the code actions asked for read the whole file (fix-all); the others read the range's report only. */
  codeActionsReadWholeFile(context: Pick<CodeActionContext, 'only' | 'triggerKind'>): boolean;
  /** `symbolizer` (default: the one given at creation) resolves entries to source lines. */
  getHover(
    document: DocumentRef,
    analysis: LogAnalysis,
    position: Position,
    token?: CancellationLike,
    symbolizer?: Symbolizer,
    docsBase?: string,
  ): Promise<Hover | null>;
  /** The source line of the entry under the cursor (needs a symbolizer and the source file on disk). */
  getDefinition(
    document: DocumentRef,
    analysis: LogAnalysis,
    position: Position,
    token?: CancellationLike,
    symbolizer?: Symbolizer,
  ): Promise<Location[] | null>;
  /** The long requests work in slices; null when `interruption` stopped them (cancelled, or the document changed). */
  getFoldingRanges(document: DocumentRef, analysis: LogAnalysis, rangeLimit?: number, interruption?: Interruption): Promise<FoldingRange[] | null>;
  getNoiseRanges(document: DocumentRef, analysis: LogAnalysis, interruption?: Interruption): Promise<NoiseRange[] | null>;
  getDocumentSymbols(document: DocumentRef, analysis: LogAnalysis, interruption?: Interruption): Promise<DocumentSymbol[] | null>;
  /** Links on the reports' `file:line` references to the files that exist under `sourceRoots` (first match). */
  getDocumentLinks(document: DocumentRef, analysis: LogAnalysis, sourceRoots: readonly string[], interruption?: Interruption): Promise<DocumentLink[] | null>;
  /** The edit that removes every duplicate entry of the codes not turned off (null when there is none), and how many entries (lines, or entries beside a context marker). */
  getRemoveAllDuplicatesEdit(
    document: DocumentRef,
    analysis: LogAnalysis,
    options: EditOptions,
    settings?: KernelLogSettings,
  ): { edit: WorkspaceEdit; lines: number } | null;
  /** The status bar's numbers; `published`: the diagnostics sent for this version (what Problems lists). */
  getStatus(document: DocumentRef, analysis: LogAnalysis, complete: boolean, diagnosticsTruncated: boolean, published?: readonly Diagnostic[]): StatusParams;

  // The answers above for clients that lack a capability:
  /** A hover in plain text (no markdown in `textDocument.hover.contentFormat`). */
  plainTextHover(hover: Hover | null): Hover | null;
  /** The Outline as a flat list (no `hierarchicalDocumentSymbolSupport`). */
  flatSymbols(uri: string, symbols: readonly DocumentSymbol[]): SymbolInformation[];
  /** Code actions as commands (no `codeActionLiteralSupport`); edits run through Commands.applyEdit. */
  codeActionsAsCommands(actions: readonly CodeAction[]): Command[];
}

export function createLanguageService(options: LanguageServiceOptions = {}): KernelLogLanguageService {
  const logger = options.logger ?? nullLogger;
  const documents = new DocumentCache({ logger, chunkLines: options.chunkLines });
  return {
    documents,
    openDocument: (uri, languageId, version, text) => documents.open(uri, languageId, version, text),
    changeDocument: (uri, version, changes) => documents.change(uri, version, changes),
    closeDocument: (uri) => documents.close(uri),
    getDocument: (uri) => documents.get(uri),
    getAnalysis: (uri) => documents.analysisOf(uri),
    getSnapshot: (uri) => documents.snapshotOf(uri),
    parseStep: (uri) => documents.step(uri),

    computeDiagnostics: (document, ...rest) => computeDiagnostics(versionOf(document), ...rest),
    sameDiagnostics,
    getCodeActions: (document, ...rest) => getCodeActions(versionOf(document), ...rest),
    codeActionsReadWholeFile: fixAllWanted,
    getHover: (document, analysis, position, token, symbolizer = options.symbolizer, docsBase?: string) =>
      computeHover(versionOf(document), analysis, position, { symbolizer, token, docsBase }),
    getDefinition: (document, analysis, position, token, symbolizer = options.symbolizer) =>
      computeDefinition(versionOf(document), analysis, position, symbolizer, token),
    getFoldingRanges: async (document, analysis, rangeLimit, interruption) =>
      (await computeFolding(versionOf(document), analysis, rangeLimit, interruption))?.ranges ?? null,
    getNoiseRanges: async (document, analysis, interruption) => (await computeFolding(versionOf(document), analysis, undefined, interruption))?.noise ?? null,
    getDocumentSymbols: (document, ...rest) => computeDocumentSymbols(versionOf(document), ...rest),
    getDocumentLinks: (document, ...rest) => computeDocumentLinks(versionOf(document), ...rest),
    getRemoveAllDuplicatesEdit(document, analysis, editOptions, settings = defaultSettings()) {
      const version = versionOf(document);
      const { lines, spans } = allDuplicatesRemoval(version, analysis, codesOn(settings, DUPLICATE_CODES));
      return lines.length + spans.length ? { edit: removeEdit(version, lines, spans, editOptions), lines: lines.length + spans.length } : null;
    },
    getStatus: (document, analysis, complete, diagnosticsTruncated, published) => ({
      uri: document.uri,
      version: document.version,
      reports: analysis.reportCount,
      findingsByCode: countFindings(analysis),
      ...(published ? countPublished(published) : {}),
      complete,
      diagnosticsTruncated,
    }),
    plainTextHover,
    flatSymbols,
    codeActionsAsCommands,
  };
}
