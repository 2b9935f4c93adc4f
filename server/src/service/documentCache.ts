// Open documents and their analysis, parsed once per (uri, version). A new document is parsed
// progressively (the server can publish the first chunk's diagnostics and answer requests between
// chunks); an edited one is re-parsed around the edit only. Asking for the analysis of a document
// always returns the complete analysis of its current version.
import type { TextDocumentContentChangeEvent } from 'vscode-languageserver-textdocument';
import { KernelLogDocument, lineEditOf } from './document.ts';
import type { LogAnalysis } from './analysis.ts';
import { analyzeWhole, ProgressiveParse, reparseEdited } from './reparse.ts';
import type { Logger } from './logger.ts';

/** Lines per progressive parse step (about 1–2 MB of log; tens of milliseconds). */
export const DEFAULT_CHUNK_LINES = 16384;
/** The first steps are smaller (the parser's code is not optimized yet), so the first diagnostics come early. */
const FIRST_CHUNK_LINES = 128;

interface Entry {
  document: KernelLogDocument;
  /** The complete analysis and the version it belongs to, or null while a progressive parse runs. */
  analysis: LogAnalysis | null;
  analyzedVersion: number;
  progressive: ProgressiveParse | null;
  /** Progressive steps taken (each one may parse more lines than the one before). */
  steps: number;
}

export interface DocumentCacheOptions {
  logger?: Logger;
  chunkLines?: number;
}

export class DocumentCache {
  private readonly entries = new Map<string, Entry>();
  private readonly logger: Logger | undefined;
  private readonly chunkLines: number;

  constructor(options: DocumentCacheOptions = {}) {
    this.logger = options.logger;
    this.chunkLines = options.chunkLines ?? DEFAULT_CHUNK_LINES;
  }

  open(uri: string, languageId: string, version: number, text: string): KernelLogDocument {
    const document = new KernelLogDocument(uri, languageId, version, text);
    this.entries.set(uri, { document, analysis: null, analyzedVersion: -1, progressive: new ProgressiveParse(), steps: 0 });
    return document;
  }

  /** Applies didChange content changes; parsing waits until someone asks for the analysis. */
  change(uri: string, version: number, changes: readonly TextDocumentContentChangeEvent[]): KernelLogDocument | undefined {
    const entry = this.entries.get(uri);
    if (!entry) return undefined;
    entry.document.update(changes, version);
    return entry.document;
  }

  close(uri: string): void {
    this.entries.delete(uri);
  }

  get(uri: string): KernelLogDocument | undefined {
    return this.entries.get(uri)?.document;
  }

  uris(): string[] {
    return [...this.entries.keys()];
  }

  /** True while a newly opened document is still being parsed chunk by chunk. */
  isParsingProgressively(uri: string): boolean {
    return this.entries.get(uri)?.progressive != null;
  }

  /**
   * Advances the parse of a document by one chunk. Returns the partial analysis so far (lines before
   * the frontier), or the complete one once done. For progressive publishing only; features use analysisOf().
   */
  step(uri: string): { analysis: LogAnalysis; complete: boolean } | undefined {
    const entry = this.entries.get(uri);
    if (!entry) return undefined;
    if (entry.progressive === null) return { analysis: this.analysis(entry), complete: true };
    this.reconcileProgressive(entry);
    const progressive = entry.progressive as ProgressiveParse;
    const document = entry.document;
    progressive.step(document.text, document.lineStarts, Math.min(this.chunkLines, FIRST_CHUNK_LINES * 2 ** entry.steps++));
    if (progressive.complete) return { analysis: this.finishProgressive(entry), complete: true };
    return { analysis: progressive.result(document.lineStarts), complete: false };
  }

  /**
   * The analysis so far, without parsing more, when every line up to `line` is final in it: the
   * complete analysis, or the partial one of a document still parsed in chunks whose frontier is past
   * `line`. Undefined when `line` has not been parsed yet (the caller waits for the parse).
   */
  analysisThrough(uri: string, line: number): LogAnalysis | undefined {
    const entry = this.entries.get(uri);
    if (!entry) return undefined;
    if (!entry.progressive) return this.analysis(entry);
    this.reconcileProgressive(entry);
    const progressive = entry.progressive as ProgressiveParse;
    if (!progressive.complete && line >= progressive.frontier) return undefined;
    return progressive.complete ? this.finishProgressive(entry) : progressive.result(entry.document.lineStarts);
  }

  /** Whether every line up to `line` is final in the analysis so far (see analysisThrough). */
  parsedThrough(uri: string, line: number): boolean {
    const entry = this.entries.get(uri);
    if (!entry?.progressive) return entry !== undefined;
    this.reconcileProgressive(entry);
    const progressive = entry.progressive as ProgressiveParse;
    return progressive.complete || line < progressive.frontier;
  }

  /** The analysis so far, without parsing more (the reports parsed yet, while a parse runs in chunks). */
  analysisSoFar(uri: string): LogAnalysis | undefined {
    const entry = this.entries.get(uri);
    if (!entry) return undefined;
    if (!entry.progressive) return this.analysis(entry);
    this.reconcileProgressive(entry);
    const progressive = entry.progressive as ProgressiveParse;
    return progressive.complete ? this.finishProgressive(entry) : progressive.result(entry.document.lineStarts);
  }

  /** The complete analysis of the document's current version (parses what is missing, synchronously). */
  analysisOf(uri: string): LogAnalysis | undefined {
    const entry = this.entries.get(uri);
    return entry ? this.analysis(entry) : undefined;
  }

  private analysis(entry: Entry): LogAnalysis {
    const document = entry.document;
    if (entry.analysis && entry.analyzedVersion === document.version) return entry.analysis;
    if (entry.progressive) {
      this.reconcileProgressive(entry);
      const progressive = entry.progressive;
      while (!progressive.complete) progressive.step(document.text, document.lineStarts, this.chunkLines * 4);
      return this.finishProgressive(entry);
    }
    const hull = document.takeEditHull();
    let analysis: LogAnalysis | null = hull === null ? entry.analysis : null; // a version bump without text changes
    if (hull && !hull.replacedAll && entry.analysis) {
      try {
        analysis = reparseEdited(entry.analysis, document.text, document.lineStarts, lineEditOf(hull, document.lineStarts));
      } catch (err) {
        // A bug in the incremental path must cost speed, not correctness.
        this.logger?.error(`incremental re-parse of ${document.uri} failed, parsing all: ${err instanceof Error ? err.stack : String(err)}`);
      }
    }
    analysis ??= analyzeWhole(document.text.toString(), document.lineStarts);
    entry.analysis = analysis;
    entry.analyzedVersion = document.version;
    return analysis;
  }

  /** Brings a running progressive parse in line with edits made since its last step. */
  private reconcileProgressive(entry: Entry): void {
    const progressive = entry.progressive;
    if (!progressive) return;
    const hull = entry.document.takeEditHull();
    if (!hull) return;
    if (hull.replacedAll) {
      entry.progressive = new ProgressiveParse();
      entry.steps = 0;
    }
    else progressive.invalidateFrom(lineEditOf(hull, entry.document.lineStarts).firstLine);
  }

  private finishProgressive(entry: Entry): LogAnalysis {
    const analysis = (entry.progressive as ProgressiveParse).result(entry.document.lineStarts);
    entry.progressive = null;
    entry.analysis = analysis;
    entry.analyzedVersion = entry.document.version;
    return analysis;
  }
}
