// The language-service facade: documents in, LSP results out. No connection here (server.ts has
// it); IO that a feature needs (the symbolizer) is injected. Every feature gets the document and its
// cached analysis, parsed once per version.
import type { CodeAction, CodeActionContext, Command, Diagnostic, DocumentSymbol, FoldingRange, Hover, Location, Position, Range, SymbolInformation, WorkspaceEdit } from 'vscode-languageserver-types';
import type { TextDocumentContentChangeEvent } from 'vscode-languageserver-textdocument';
import type { LogAnalysis } from './analysis.ts';
import { allDuplicateLines, codeActionsAsCommands, codesOn, fixAllWanted, getCodeActions, removeLinesEdit, type CodeActionOptions, type EditOptions } from './codeActions.ts';
import { computeDiagnostics, countFindings, sameDiagnostics, type DiagnosticsCapabilities, type DiagnosticsResult } from './diagnostics.ts';
import type { KernelLogDocument } from './document.ts';
import { DocumentCache } from './documentCache.ts';
import { computeDefinition } from './definition.ts';
import { computeFolding } from './folding.ts';
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

export interface KernelLogLanguageService {
  readonly documents: DocumentCache;
  openDocument(uri: string, languageId: string, version: number, text: string): KernelLogDocument;
  changeDocument(uri: string, version: number, changes: readonly TextDocumentContentChangeEvent[]): KernelLogDocument | undefined;
  closeDocument(uri: string): void;
  getDocument(uri: string): KernelLogDocument | undefined;
  /** Complete analysis of the current version (parses what is missing). */
  getAnalysis(uri: string): LogAnalysis | undefined;
  /** One progressive parse step; the analysis so far. */
  parseStep(uri: string): { analysis: LogAnalysis; complete: boolean } | undefined;

  computeDiagnostics(document: KernelLogDocument, analysis: LogAnalysis, settings: KernelLogSettings, capabilities: DiagnosticsCapabilities): DiagnosticsResult;
  /** Whether two lists of diagnostics are the same (a publish can be left out). */
  sameDiagnostics(a: readonly Diagnostic[], b: readonly Diagnostic[]): boolean;
  /** Code actions; `settings` (default: the defaults) turn codes off for the report- and file-wide fixes. */
  getCodeActions(document: KernelLogDocument, analysis: LogAnalysis, range: Range, context: CodeActionContext, options: CodeActionOptions, settings?: KernelLogSettings): CodeAction[];
  /** Whether the code actions asked for read the whole file (fix-all); the others read the range's report only. */
  codeActionsReadWholeFile(context: Pick<CodeActionContext, 'only' | 'triggerKind'>): boolean;
  /** `symbolizer` (default: the one given at creation) resolves entries to source lines. */
  getHover(document: KernelLogDocument, analysis: LogAnalysis, position: Position, token?: CancellationLike, symbolizer?: Symbolizer): Promise<Hover | null>;
  /** The source line of the entry under the cursor (needs a symbolizer and the source file on disk). */
  getDefinition(document: KernelLogDocument, analysis: LogAnalysis, position: Position, token?: CancellationLike, symbolizer?: Symbolizer): Promise<Location[] | null>;
  /** The long requests work in slices; null when `interruption` stopped them (cancelled, or the document changed). */
  getFoldingRanges(document: KernelLogDocument, analysis: LogAnalysis, rangeLimit?: number, interruption?: Interruption): Promise<FoldingRange[] | null>;
  getNoiseRanges(document: KernelLogDocument, analysis: LogAnalysis, interruption?: Interruption): Promise<NoiseRange[] | null>;
  getDocumentSymbols(document: KernelLogDocument, analysis: LogAnalysis, interruption?: Interruption): Promise<DocumentSymbol[] | null>;
  /** The edit that removes every duplicate entry of the codes not turned off (null when there is none), and how many lines. */
  getRemoveAllDuplicatesEdit(document: KernelLogDocument, analysis: LogAnalysis, options: EditOptions, settings?: KernelLogSettings): { edit: WorkspaceEdit; lines: number } | null;
  getStatus(document: KernelLogDocument, analysis: LogAnalysis, complete: boolean, diagnosticsTruncated: boolean): StatusParams;

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
    parseStep: (uri) => documents.step(uri),

    computeDiagnostics,
    sameDiagnostics,
    getCodeActions,
    codeActionsReadWholeFile: fixAllWanted,
    getHover: (document, analysis, position, token, symbolizer = options.symbolizer) => computeHover(document, analysis, position, { symbolizer, token }),
    getDefinition: (document, analysis, position, token, symbolizer = options.symbolizer) => computeDefinition(document, analysis, position, symbolizer, token),
    getFoldingRanges: async (document, analysis, rangeLimit, interruption) => (await computeFolding(document, analysis, rangeLimit, interruption))?.ranges ?? null,
    getNoiseRanges: async (document, analysis, interruption) => (await computeFolding(document, analysis, undefined, interruption))?.noise ?? null,
    getDocumentSymbols: computeDocumentSymbols,
    getRemoveAllDuplicatesEdit(document, analysis, editOptions, settings = defaultSettings()) {
      const lines = allDuplicateLines(analysis, codesOn(settings, DUPLICATE_CODES));
      return lines.length ? { edit: removeLinesEdit(document, lines, editOptions), lines: lines.length } : null;
    },
    getStatus: (document, analysis, complete, diagnosticsTruncated) => ({
      uri: document.uri,
      version: document.version,
      reports: analysis.reportCount,
      findingsByCode: countFindings(analysis),
      complete,
      diagnosticsTruncated,
    }),
    plainTextHover,
    flatSymbols,
    codeActionsAsCommands,
  };
}
