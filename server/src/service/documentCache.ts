// Open documents and their analysis, parsed once per (uri, version). A new document is parsed
// progressively (the server can publish the first chunk's diagnostics and answer requests between
// chunks); an edited one is re-parsed around the edit only. Asking for the analysis of a document
// always returns the complete analysis of its current version. A Snapshot pairs a version's text
// with its analysis; neither ever changes, so a request holds on to the one it started with.
import type { TextDocumentContentChangeEvent } from 'vscode-languageserver-textdocument';
import { type DocumentVersion, KernelLogDocument, lineEditOf } from './document.ts';
import type { LogAnalysis } from './analysis.ts';
import { analyzeWhole, ProgressiveParse, reparseEdited } from './reparse.ts';
import type { Logger } from './logger.ts';

/** Lines per progressive parse step (about 1–2 MB of log; tens of milliseconds). */
export const DEFAULT_CHUNK_LINES = 16384;
/** The first steps are smaller (the parser's code is not optimized yet), so the first diagnostics come early. */
const FIRST_CHUNK_LINES = 128;

/** One version of a document and its analysis (complete, or the reports parsed so far). Never changes. */
export interface Snapshot {
  readonly document: DocumentVersion;
  readonly analysis: LogAnalysis;
  /** False while the document is still parsed in chunks: the analysis holds the lines parsed so far. */
  readonly complete: boolean;
}

interface Entry {
  document: KernelLogDocument;
  /** The complete analysis of a version, or null while a progressive parse runs. */
  snapshot: Snapshot | null;
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
    this.entries.set(uri, { document, snapshot: null, progressive: new ProgressiveParse(), steps: 0 });
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
  step(uri: string): Snapshot | undefined {
    const entry = this.entries.get(uri);
    if (!entry) return undefined;
    if (entry.progressive === null) return this.snapshot(entry);
    this.reconcileProgressive(entry);
    const progressive = entry.progressive as ProgressiveParse;
    const document = entry.document.current;
    progressive.step(document.text, document.lineStarts, Math.min(this.chunkLines, FIRST_CHUNK_LINES * 2 ** entry.steps++));
    if (progressive.complete) return this.finishProgressive(entry);
    return { document, analysis: progressive.result(document.lineStarts), complete: false };
  }

  /**
   * The analysis so far, without parsing more, when every line up to `line` is final in it: the
   * complete analysis, or the partial one of a document still parsed in chunks whose frontier is past
   * `line`. Undefined when `line` has not been parsed yet (the caller waits for the parse).
   */
  analysisThrough(uri: string, line: number): LogAnalysis | undefined {
    return this.snapshotThrough(uri, line)?.analysis;
  }

  /** The snapshot of analysisThrough(). */
  snapshotThrough(uri: string, line: number): Snapshot | undefined {
    const entry = this.entries.get(uri);
    if (!entry) return undefined;
    if (!entry.progressive) return this.snapshot(entry);
    this.reconcileProgressive(entry);
    const progressive = entry.progressive as ProgressiveParse;
    if (!progressive.complete && line >= progressive.frontier) return undefined;
    return this.progressSoFar(entry);
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
    return this.snapshotSoFar(uri)?.analysis;
  }

  /** The snapshot of analysisSoFar(). */
  snapshotSoFar(uri: string): Snapshot | undefined {
    const entry = this.entries.get(uri);
    if (!entry) return undefined;
    if (!entry.progressive) return this.snapshot(entry);
    this.reconcileProgressive(entry);
    return this.progressSoFar(entry);
  }

  /** The complete analysis of the document's current version (parses what is missing, synchronously). */
  analysisOf(uri: string): LogAnalysis | undefined {
    return this.snapshotOf(uri)?.analysis;
  }

  /** The current version of a document with its complete analysis (parses what is missing, synchronously). */
  snapshotOf(uri: string): Snapshot | undefined {
    const entry = this.entries.get(uri);
    return entry ? this.snapshot(entry) : undefined;
  }

  private snapshot(entry: Entry): Snapshot {
    const document = entry.document.current;
    const previous = entry.snapshot;
    if (previous && previous.document === document) return previous;
    if (entry.progressive) {
      this.reconcileProgressive(entry);
      const progressive = entry.progressive;
      while (!progressive.complete) progressive.step(document.text, document.lineStarts, this.chunkLines * 4);
      return this.finishProgressive(entry);
    }
    const hull = entry.document.takeEditHull();
    let analysis: LogAnalysis | null = hull === null && previous ? previous.analysis : null; // a version bump without text changes
    if (hull && !hull.replacedAll && previous) {
      try {
        analysis = reparseEdited(previous.analysis, document.text, document.lineStarts, lineEditOf(hull, document.lineStarts));
      } catch (err) {
        // A bug in the incremental path must cost speed, not correctness.
        this.logger?.error(`incremental re-parse of ${document.uri} failed, parsing all: ${err instanceof Error ? err.stack : String(err)}`);
      }
    }
    analysis ??= analyzeWhole(document.text.toString(), document.lineStarts);
    entry.snapshot = { document, analysis, complete: true };
    return entry.snapshot;
  }

  /** The progressive parse's analysis so far (complete once it is done), of the current version. */
  private progressSoFar(entry: Entry): Snapshot {
    const progressive = entry.progressive as ProgressiveParse;
    if (progressive.complete) return this.finishProgressive(entry);
    const document = entry.document.current;
    return { document, analysis: progressive.result(document.lineStarts), complete: false };
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
    } else progressive.invalidateFrom(lineEditOf(hull, entry.document.lineStarts).firstLine);
  }

  private finishProgressive(entry: Entry): Snapshot {
    const document = entry.document.current;
    entry.snapshot = { document, analysis: (entry.progressive as ProgressiveParse).result(document.lineStarts), complete: true };
    entry.progressive = null;
    return entry.snapshot;
  }
}
