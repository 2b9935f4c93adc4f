// The language server: the only place that holds the LSP connection. It keeps documents in sync
// (incremental), publishes diagnostics after each analysis, and hands every request to the
// language service (service/languageService.ts). Started by main.ts (dist/server.js), which
// `node dist/server.js --stdio` and `kcrash lsp --stdio` run.
import {
  CodeActionKind,
  createConnection,
  DidChangeConfigurationNotification,
  ErrorCodes,
  LSPErrorCodes,
  MarkupKind,
  ResponseError,
  type CancellationToken,
  TextDocumentSyncKind,
  type ClientCapabilities,
  type CodeActionTriggerKind,
  type Diagnostic,
  type Connection,
  type InitializeParams,
  type InitializeResult,
  type Position,
  type Range,
  type WorkspaceEdit,
} from 'vscode-languageserver/node';
import { Lifecycle, REFUSED_REQUEST, refusalError } from './lifecycle.ts';
import type { LogAnalysis } from './service/analysis.ts';
import type { DiagnosticsCapabilities } from './service/diagnostics.ts';
import { MalformedChangeError, type DocumentVersion } from './service/document.ts';
import { createLanguageService, type KernelLogLanguageService } from './service/languageService.ts';
import type { Interruption } from './service/interruption.ts';
import type { Logger } from './service/logger.ts';
import {
  ClientCommands,
  Commands,
  FIX_ALL_KIND,
  NoiseRangesRequest,
  type NoiseRange,
  StatusNotification,
  SymbolStatusNotification,
  WorkspaceTrustNotification,
  type RemoveAllDuplicatesResult,
} from './protocol/protocol.ts';
import { defaultSettings, readSettings, type KernelLogSettings } from './service/settings.ts';
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { discoverSources } from './symbolizer/discover.ts';
import { warmUpParser } from './service/warmUp.ts';
import { modulesNamedIn, releaseNamedIn } from './symbolizer/query.ts';
import type { SymbolSourcesConfig } from './symbolizer/kernelSymbolizer.ts';
import { createSymbolService, type SymbolService } from './symbolizer/symbolService.ts';
import type { Symbolizer } from './symbolizer/types.ts';

/** package.json's version, put in by scripts/build.mjs (`dev` when the server runs from source). */
declare const KCRASH_VERSION: string | undefined;
export const SERVER_VERSION = typeof KCRASH_VERSION === 'string' ? KCRASH_VERSION : 'dev';

/** While a big document is parsed chunk by chunk, partial diagnostics go out at most this often. */
const PARTIAL_PUBLISH_INTERVAL_MS = 500;
/** How long the symbol files found for a document are trusted before they are looked for again. */
const SYMBOL_DISCOVERY_TTL_MS = 5000;

interface ClientSupport {
  configuration: boolean;
  dynamicConfiguration: boolean;
  documentChanges: boolean;
  diagnostics: DiagnosticsCapabilities;
  foldingRangeLimit: number | undefined;
  /** The client runs ClientCommands.foldLines (initializationOptions.clientCommands). */
  foldLines: boolean;
  /** Server-initiated progress (window/workDoneProgress/create). */
  progress: boolean;
  /** Hovers in markdown (`textDocument.hover.contentFormat` lists it); else in plain text. */
  markdownHover: boolean;
  /** The Outline as a tree (`hierarchicalDocumentSymbolSupport`); else a flat SymbolInformation[]. */
  hierarchicalSymbols: boolean;
  /** CodeAction literals (`codeActionLiteralSupport`); else Command objects (edits through Commands.applyEdit). */
  codeActionLiterals: boolean;
  /**
   * Where the findings' documentation is (`initializationOptions.findingsDocs`: a URI, the VS Code
   * client's packaged docs/findings.md); diagnostics link to its sections. None: no codeDescription.
   */
  docsBase: string | undefined;
  /** Where hovers link for more: the client's `findingsDocs`, else the docs packaged beside the server. */
  hoverDocs: string | undefined;
}

function clientSupport(capabilities: ClientCapabilities, initializationOptions?: unknown): ClientSupport {
  const publish = capabilities.textDocument?.publishDiagnostics;
  const hoverFormats: unknown = capabilities.textDocument?.hover?.contentFormat;
  const clientCommands = isRecord(initializationOptions) && Array.isArray(initializationOptions.clientCommands) ? initializationOptions.clientCommands : [];
  return {
    foldLines: clientCommands.includes(ClientCommands.foldLines),
    configuration: capabilities.workspace?.configuration === true,
    dynamicConfiguration: capabilities.workspace?.didChangeConfiguration?.dynamicRegistration === true,
    documentChanges: capabilities.workspace?.workspaceEdit?.documentChanges === true,
    diagnostics: {
      relatedInformation: publish?.relatedInformation === true,
      unnecessaryTag: publish?.tagSupport?.valueSet?.includes(1) === true,
    },
    foldingRangeLimit: capabilities.textDocument?.foldingRange?.rangeLimit,
    progress: capabilities.window?.workDoneProgress === true,
    markdownHover: Array.isArray(hoverFormats) && hoverFormats.includes(MarkupKind.Markdown),
    hierarchicalSymbols: capabilities.textDocument?.documentSymbol?.hierarchicalDocumentSymbolSupport === true,
    codeActionLiterals: isRecord(capabilities.textDocument?.codeAction?.codeActionLiteralSupport),
    docsBase: docsBaseOf(initializationOptions, capabilities),
    hoverDocs: findingsDocsOf(initializationOptions) ?? packagedFindingsDocs(),
  };
}

/** `initializationOptions.findingsDocs` without a fragment, when it is a URI. */
function findingsDocsOf(initializationOptions: unknown): string | undefined {
  const base = isRecord(initializationOptions) ? initializationOptions.findingsDocs : undefined;
  return typeof base === 'string' && /^[a-z][a-z0-9+.-]*:/i.test(base) ? base.replace(/#.*$/, '') : undefined;
}

/** docs/findings.md of the package the server runs from (dist/server.js sits one folder below it). */
function packagedFindingsDocs(): string | undefined {
  if (typeof __dirname !== 'string') return undefined;
  const file = join(__dirname, '..', 'docs', 'findings.md');
  return existsSync(file) ? pathToFileURL(file).href : undefined;
}

/** `initializationOptions.findingsDocs` without a fragment, when the client shows codeDescription links. */
function docsBaseOf(initializationOptions: unknown, capabilities: ClientCapabilities): string | undefined {
  if (capabilities.textDocument?.publishDiagnostics?.codeDescriptionSupport !== true) return undefined;
  return findingsDocsOf(initializationOptions);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function invalidParams(message: string): ResponseError<void> {
  return new ResponseError(ErrorCodes.InvalidParams, message);
}

/** The `textDocument.uri` of a request, or an InvalidParams error. */
function uriOf(params: unknown): string {
  const doc = isRecord(params) ? params.textDocument : undefined;
  if (!isRecord(doc) || typeof doc.uri !== 'string') throw invalidParams('missing textDocument.uri');
  return doc.uri;
}

/** A request's position: line and character are integers ≥ 0 (a negative one is InvalidParams; one past the end is clamped). */
function positionOf(params: unknown): Position {
  const position = isRecord(params) ? params.position : undefined;
  if (!isRecord(position) || !isUinteger(position.line) || !isUinteger(position.character))
    throw invalidParams('missing or malformed position (line and character are integers ≥ 0)');
  return { line: position.line, character: position.character };
}

function isUinteger(n: unknown): n is number {
  return Number.isInteger(n) && (n as number) >= 0;
}

/** The line a request is about (its position, or its range's end), if the params are well formed. */
function lineOf(params: unknown, end?: 'end'): number | undefined {
  try {
    return end ? rangeOf(params).end.line : positionOf(params).line;
  } catch {
    return undefined;
  }
}

function rangeOf(params: unknown): Range {
  const range = isRecord(params) ? params.range : undefined;
  if (!isRecord(range)) throw invalidParams('missing range');
  const start = positionOf({ position: range.start });
  const end = positionOf({ position: range.end });
  // A range given end first is the same range.
  return end.line < start.line || (end.line === start.line && end.character < start.character) ? { start: end, end: start } : { start, end };
}

/** Input a client should not have sent: logged as a warning (no stack: nothing failed in the server). */
function isMalformedInput(err: unknown): err is Error {
  return (err instanceof ResponseError && err.code === ErrorCodes.InvalidParams) || err instanceof MalformedChangeError;
}

export class KernelLogServer {
  private readonly service: KernelLogLanguageService;
  private support: ClientSupport = clientSupport({});
  /** Settings per document (the client is asked once per document until the configuration changes). */
  private readonly settings = new Map<string, Promise<KernelLogSettings>>();
  /** Settings pushed with didChangeConfiguration, for clients without workspace/configuration. */
  private pushedSettings: KernelLogSettings = defaultSettings();
  /** Documents with an analysis run pending; `again` asks for one more run after it. */
  private readonly runs = new Map<string, { again: boolean }>();
  private readonly lastPartialPublish = new Map<string, number>();
  /** The diagnostics last sent for each document (an unchanged list is not sent again). */
  private readonly published = new Map<string, Diagnostic[]>();
  private readonly logger: Logger;
  private readonly symbols: SymbolService;
  private workspaceFolders: string[] = [];
  private trusted = true;
  private readonly symbolConfigs = new Map<
    string,
    { settings: KernelLogSettings; release: string | null; trusted: boolean; at: number; config: SymbolSourcesConfig }
  >();
  /** The symbol-file configuration each document's last status was sent for. */
  private readonly symbolStatusKey = new Map<string, string>();

  constructor(
    private readonly connection: Connection,
    symbols?: SymbolService,
  ) {
    this.logger = {
      info: (m) => connection.console.info(m),
      warn: (m) => connection.console.warn(m),
      error: (m) => connection.console.error(m),
    };
    this.service = createLanguageService({ logger: this.logger });
    this.symbols = symbols ?? createSymbolService(typeof __dirname === 'string' ? __dirname : undefined);
    this.symbols.onLoad((event) => this.loadProgress(event));
  }

  listen(): void {
    const c = this.connection;
    c.onInitialize((params) => this.initialize(params));
    c.onInitialized(() => {
      if (this.support.dynamicConfiguration) void c.client.register(DidChangeConfigurationNotification.type, { section: 'kernelLog' });
      // While the client sends the documents it has open (a big one takes a while), not in their way.
      setImmediate(() => warmUpParser());
    });
    c.onDidChangeConfiguration((params) => {
      this.guardNotification('didChangeConfiguration', () => {
        const settings = isRecord(params) && isRecord(params.settings) ? params.settings.kernelLog : undefined;
        if (!this.support.configuration) this.pushedSettings = readSettings(settings);
        this.settings.clear();
        for (const uri of this.service.documents.uris()) this.schedule(uri);
      });
    });

    c.onDidOpenTextDocument((params) => {
      this.guardNotification('didOpen', () => {
        const doc = params.textDocument;
        if (!isRecord(doc) || typeof doc.uri !== 'string' || typeof doc.text !== 'string')
          throw invalidParams('malformed didOpen: textDocument needs a uri and a text');
        this.service.openDocument(doc.uri, String(doc.languageId ?? ''), Number(doc.version ?? 0), doc.text);
        this.published.delete(doc.uri);
        this.symbolStatusKey.delete(doc.uri);
        void this.settingsFor(doc.uri); // ask the client while the first chunk is parsed
        this.schedule(doc.uri);
      });
    });
    c.onDidChangeTextDocument((params) => {
      this.guardNotification('didChange', () => {
        const uri = uriOf(params);
        if (!Array.isArray(params.contentChanges)) throw invalidParams('malformed didChange: contentChanges is not a list');
        const version: unknown = params.textDocument.version;
        if (!Number.isInteger(version)) throw invalidParams(`malformed didChange of ${uri}: no version`);
        const current = this.service.getDocument(uri);
        if (!current) throw invalidParams(`didChange for a document that is not open: ${uri}`);
        // Versions increase with every change (VS Code counts them up); one that does not is a change
        // out of order or sent twice: applying it would analyse a text the client does not have.
        if ((version as number) <= current.version) {
          this.logger.warn(`didChange of ${uri} refused: its version ${String(version)} is not after the document's ${current.version}`);
          return;
        }
        this.service.changeDocument(uri, version as number, params.contentChanges);
        this.schedule(uri);
      });
    });
    c.onDidCloseTextDocument((params) => {
      this.guardNotification('didClose', () => {
        const uri = uriOf(params);
        this.service.closeDocument(uri);
        this.settings.delete(uri);
        this.lastPartialPublish.delete(uri);
        this.published.delete(uri);
        this.symbolStatusKey.delete(uri);
        this.symbolConfigs.delete(uri);
        this.wakeParseWaiters(uri);
        void c.sendDiagnostics({ uri, diagnostics: [] });
      });
    });

    // The snapshot first, the symbolizer (which waits for the settings) after: the answer is for the version asked on.
    c.onHover((params, token) =>
      this.guardRequest(
        'hover',
        params,
        async (doc, analysis) => {
          const hover = await this.service.getHover(doc, analysis, positionOf(params), token, await this.symbolizerFor(params), this.support.hoverDocs);
          return this.support.markdownHover ? hover : this.service.plainTextHover(hover);
        },
        token,
        lineOf(params),
      ),
    );
    c.onDefinition((params, token) =>
      this.guardRequest(
        'definition',
        params,
        async (doc, analysis) => this.service.getDefinition(doc, analysis, positionOf(params), token, await this.symbolizerFor(params)),
        token,
        lineOf(params),
      ),
    );
    c.onNotification(WorkspaceTrustNotification.type, (params) => {
      this.guardNotification('workspaceTrust', () => {
        this.trusted = isRecord(params) && params.trusted === true;
        this.symbolStatusKey.clear();
      });
    });
    c.onCodeAction((params, token) =>
      // The snapshot first, the settings (a round trip to the client) after: the fixes are for the version asked on.
      this.guardRequest(
        'codeAction',
        params,
        async (doc, analysis) => {
          const settings = await this.settingsFor(uriOf(params));
          const range = rangeOf(params);
          const raw = isRecord(params.context) ? params.context : { diagnostics: [] };
          const diagnostics = Array.isArray(raw.diagnostics) ? raw.diagnostics.filter(isRecord) : [];
          const only = Array.isArray(raw.only) ? raw.only.filter((k): k is string => typeof k === 'string') : undefined;
          const triggerKind = typeof raw.triggerKind === 'number' ? raw.triggerKind : undefined;
          const context = { diagnostics: diagnostics as unknown as Diagnostic[], only, triggerKind: triggerKind as CodeActionTriggerKind | undefined };
          const actions = this.service.getCodeActions(
            doc,
            analysis,
            range,
            context,
            { documentChanges: this.support.documentChanges, foldLines: this.support.foldLines },
            settings,
          );
          return this.support.codeActionLiterals ? actions : this.service.codeActionsAsCommands(actions);
        },
        token,
        isRecord(params.context) && this.service.codeActionsReadWholeFile(params.context) ? undefined : lineOf(params, 'end'),
      ),
    );
    c.onFoldingRanges((params, token) =>
      this.guardRequest(
        'foldingRange',
        params,
        (doc, analysis, interruption) => this.service.getFoldingRanges(doc, analysis, this.support.foldingRangeLimit, interruption),
        token,
      ),
    );
    c.onDocumentSymbol((params, token) =>
      this.guardRequest(
        'documentSymbol',
        params,
        async (doc, analysis, interruption) => {
          const symbols = await this.service.getDocumentSymbols(doc, analysis, interruption);
          return symbols && !this.support.hierarchicalSymbols ? this.service.flatSymbols(doc.uri, symbols) : symbols;
        },
        token,
      ),
    );
    c.onDocumentLinks((params, token) =>
      this.guardRequest(
        'documentLink',
        params,
        async (doc, analysis, interruption) => {
          // The symbolizer's source roots: the kernelLog.sourceRoot setting, then the workspace folders.
          const roots = this.symbolConfig(doc.uri, await this.settingsFor(doc.uri), analysis).sourceRoots;
          return this.service.getDocumentLinks(doc, analysis, roots, interruption);
        },
        token,
      ),
    );
    c.onRequest(NoiseRangesRequest.type, (params, token) =>
      this.guardRequest(
        NoiseRangesRequest.method,
        params,
        (doc, analysis, interruption) => this.service.getNoiseRanges(doc, analysis, interruption) as Promise<NoiseRange[]>,
        token,
      ),
    ); // null only when stopped: guardRequest answers with an error then
    c.onExecuteCommand(async (params) => {
      try {
        if (params.command === Commands.applyEdit && !this.support.codeActionLiterals) return await this.applyEdit(params.arguments);
        if (params.command !== Commands.removeAllDuplicates) return new ResponseError(ErrorCodes.InvalidParams, `unknown command ${String(params.command)}`);
        return await this.removeAllDuplicates(params.arguments);
      } catch (err) {
        return this.failure('executeCommand', err);
      }
    });
    c.onShutdown(() => {
      this.runs.clear();
      this.symbols.dispose();
    });
    c.listen();
  }

  private initialize(params: InitializeParams): InitializeResult {
    this.support = clientSupport(
      isRecord(params) && isRecord(params.capabilities) ? params.capabilities : {},
      isRecord(params) ? params.initializationOptions : undefined,
    );
    const options = isRecord(params) && isRecord(params.initializationOptions) ? params.initializationOptions : {};
    this.trusted = options.trustedWorkspace !== false;
    const folders =
      isRecord(params) && Array.isArray(params.workspaceFolders)
        ? params.workspaceFolders.map((f) => (isRecord(f) ? f.uri : null))
        : [isRecord(params) ? params.rootUri : null];
    this.workspaceFolders = folders.map((u) => (typeof u === 'string' ? filePath(u) : null)).filter((p): p is string => p !== null);
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
        hoverProvider: true,
        definitionProvider: true,
        documentLinkProvider: { resolveProvider: false },
        foldingRangeProvider: true,
        documentSymbolProvider: { label: 'Kernel crash log' },
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, FIX_ALL_KIND], resolveProvider: false },
        executeCommandProvider: {
          commands: this.support.codeActionLiterals ? [Commands.removeAllDuplicates] : [Commands.removeAllDuplicates, Commands.applyEdit],
        },
      },
      serverInfo: { name: 'kernel-crash-log', version: SERVER_VERSION },
    };
  }

  // ----------------------------------------------------------------------------------------------
  // Analysis runs and publishing

  /** Makes sure the document gets analyzed (and its diagnostics published) soon. */
  private schedule(uri: string): void {
    const pending = this.runs.get(uri);
    if (pending) {
      pending.again = true;
      return;
    }
    this.runs.set(uri, { again: false });
    setImmediate(() => void this.run(uri));
  }

  private async run(uri: string): Promise<void> {
    let again = false;
    try {
      const settings = await this.settingsFor(uri);
      if (this.service.getDocument(uri)) {
        if (this.service.documents.isParsingProgressively(uri)) {
          const step = this.service.parseStep(uri);
          if (step && !step.complete) {
            again = true;
            const last = this.lastPartialPublish.get(uri);
            const now = Date.now();
            if (last === undefined || now - last >= PARTIAL_PUBLISH_INTERVAL_MS) {
              this.lastPartialPublish.set(uri, now);
              await this.publish(step.document, step.analysis, settings, false);
            }
          } else if (step) {
            await this.publish(step.document, step.analysis, settings, true);
            this.sendSymbolStatus(uri, settings, step.analysis);
          }
        } else {
          const snapshot = this.service.getSnapshot(uri);
          if (snapshot) await this.publish(snapshot.document, snapshot.analysis, settings, true);
          if (snapshot) this.sendSymbolStatus(uri, settings, snapshot.analysis);
        }
      }
    } catch (err) {
      this.logger.error(`analysis of ${uri} failed: ${err instanceof Error ? err.stack : String(err)}`);
    }
    this.wakeParseWaiters(uri);
    const state = this.runs.get(uri);
    if (state && (again || state.again) && this.service.getDocument(uri)) {
      state.again = false;
      setImmediate(() => void this.run(uri));
    } else {
      this.runs.delete(uri);
    }
  }

  /**
   * Sends the diagnostics and the status; resolves when they are written. (The writer sends from a
   * setImmediate; without waiting, the next parse chunk would run before the message leaves.)
   */
  private async publish(doc: DocumentVersion, analysis: LogAnalysis, settings: KernelLogSettings, complete: boolean): Promise<void> {
    const { diagnostics, truncated } = this.service.computeDiagnostics(doc, analysis, settings, this.support.diagnostics, { docsBase: this.support.docsBase });
    const status = this.service.getStatus(doc, analysis, complete, truncated, diagnostics);
    // The status goes out for every version (it says which one was analysed); the diagnostics only when they differ.
    const previous = this.published.get(doc.uri);
    // Diagnostics first: a client reading the status finds the list it describes already there.
    const sent: Promise<void>[] = [];
    if (!previous || !this.service.sameDiagnostics(previous, diagnostics)) {
      this.published.set(doc.uri, diagnostics);
      sent.push(this.connection.sendDiagnostics({ uri: doc.uri, version: doc.version, diagnostics }));
    }
    sent.push(this.connection.sendNotification(StatusNotification.type, status));
    await Promise.all(sent);
  }

  private settingsFor(uri: string): Promise<KernelLogSettings> {
    if (!this.support.configuration) return Promise.resolve(this.pushedSettings);
    let settings = this.settings.get(uri);
    if (!settings) {
      settings = this.connection.workspace.getConfiguration({ scopeUri: uri, section: 'kernelLog' }).then(
        (section: unknown) => readSettings(section),
        (err: unknown) => {
          this.logger.warn(`could not read settings for ${uri}, using defaults: ${String(err)}`);
          return defaultSettings();
        },
      );
      this.settings.set(uri, settings);
    }
    return settings;
  }

  // ----------------------------------------------------------------------------------------------
  // Symbols

  /** The symbol files of a document: its settings, then what is found beside it and in the workspace. */
  private symbolConfig(uri: string, settings: KernelLogSettings, analysis: LogAnalysis | undefined): SymbolSourcesConfig {
    // Discovery stats a dozen paths: done again only when the inputs change or after a few seconds
    // (a vmlinux copied beside the log is found without reopening it), not on every hover.
    const release = analysis ? releaseNamedIn(firstReports(analysis)) : null;
    const hit = this.symbolConfigs.get(uri);
    const now = Date.now();
    if (hit && hit.settings === settings && hit.release === release && hit.trusted === this.trusted && now - hit.at < SYMBOL_DISCOVERY_TTL_MS)
      return hit.config;
    const config = discoverSources(settings.symbols, { logPath: filePath(uri), workspaceFolders: this.workspaceFolders, release, trusted: this.trusted });
    this.symbolConfigs.set(uri, { settings, release, trusted: this.trusted, at: now, config });
    return config;
  }

  /** A symbolizer for the document of a request, or undefined when it has no symbol files. */
  private async symbolizerFor(params: unknown): Promise<Symbolizer | undefined> {
    try {
      const uri = uriOf(params);
      const settings = await this.settingsFor(uri);
      // What is parsed so far names the release: a request must not parse a big log at once.
      const config = this.symbolConfig(uri, settings, this.service.documents.analysisSoFar(uri));
      if (!hasSymbols(config)) return undefined;
      return { symbolize: (query) => this.symbols.symbolize(config, query) };
    } catch {
      return undefined;
    }
  }

  private sendSymbolStatus(uri: string, settings: KernelLogSettings, analysis: LogAnalysis): void {
    const config = this.symbolConfig(uri, settings, analysis);
    const key = JSON.stringify(config);
    if (this.symbolStatusKey.get(uri) === key) return;
    this.symbolStatusKey.set(uri, key);
    const release = releaseNamedIn(firstReports(analysis));
    const status = hasSymbols(config)
      ? this.symbols.status(config, release, modulesNamedIn(firstReports(analysis)))
      : Promise.resolve({ sources: [], summary: 'no symbols', matches: null });
    void status.then(
      (s) => this.connection.sendNotification(SymbolStatusNotification.type, { uri, status: s }),
      (err) => this.logger.warn(`symbol status of ${uri}: ${String(err)}`),
    );
  }

  private readonly progress = new Map<string, Promise<{ done(): void; report?(message: string): void } | null>>();

  /** Loading a large vmlinux takes a while: say so in the editor's progress area. */
  private loadProgress(event: { path: string; phase: 'start' | 'end'; error?: string }): void {
    if (event.phase === 'start') {
      if (!this.support.progress) return;
      const p = this.connection.window.createWorkDoneProgress().then(
        (progress) => {
          progress.begin('Kernel Log', undefined, `Loading symbols from ${basename(event.path)}`);
          return progress;
        },
        () => null,
      );
      this.progress.set(event.path, p);
      return;
    }
    if (event.error) this.logger.warn(event.error);
    const p = this.progress.get(event.path);
    this.progress.delete(event.path);
    void p?.then((progress) => progress?.done());
  }

  // ----------------------------------------------------------------------------------------------
  // Commands

  private async removeAllDuplicates(args: unknown[] | undefined): Promise<RemoveAllDuplicatesResult | ResponseError<void>> {
    const first = args?.[0];
    const uri =
      typeof first === 'string'
        ? first
        : isRecord(first) && typeof first.uri === 'string'
          ? first.uri
          : isRecord(first) && isRecord(first.textDocument) && typeof first.textDocument.uri === 'string'
            ? first.textDocument.uri
            : undefined;
    if (!uri) return invalidParams(`${Commands.removeAllDuplicates} needs a document uri as its argument`);
    const settings = await this.settingsFor(uri);
    const snapshot = this.service.getSnapshot(uri);
    if (!snapshot) return invalidParams(`unknown document: ${uri}`);
    const removal = this.service.getRemoveAllDuplicatesEdit(snapshot.document, snapshot.analysis, { documentChanges: this.support.documentChanges }, settings);
    if (!removal) return { applied: true, removedLines: 0 };
    const result = await this.connection.workspace.applyEdit({ label: 'Remove all duplicate entries', edit: removal.edit });
    return { applied: result.applied, removedLines: result.applied ? removal.lines : 0 };
  }

  /** Commands.applyEdit: a code action's edit, sent as a command to a client without code action literals. */
  private async applyEdit(args: unknown[] | undefined): Promise<{ applied: boolean } | ResponseError<void>> {
    const edit = args?.[0];
    if (!isRecord(edit) || !(isRecord(edit.changes) || Array.isArray(edit.documentChanges)))
      return invalidParams(`${Commands.applyEdit} needs a WorkspaceEdit as its argument`);
    const result = await this.connection.workspace.applyEdit(edit as WorkspaceEdit);
    return { applied: result.applied };
  }

  // ----------------------------------------------------------------------------------------------
  // Robustness: no handler may take the server down.

  /**
   * Runs a request's handler on a snapshot of the document: the version the request was made on and
   * its analysis, which no later edit changes. `throughLine`: the request reads lines up to this one
   * only (hover, code actions), so it is answered from a partial parse that has got past it.
   */
  private async guardRequest<R>(
    name: string,
    params: unknown,
    handler: (doc: DocumentVersion, analysis: LogAnalysis, interruption: Interruption) => R | Promise<R>,
    token?: CancellationToken,
    throughLine?: number,
  ): Promise<R | ResponseError<void>> {
    try {
      const uri = uriOf(params);
      const documents = this.service.documents;
      const asked = this.service.getDocument(uri)?.current; // the version the request was made on
      // A big document still being parsed in chunks: wait for it between chunks (diagnostics go out
      // and other requests are answered meanwhile) instead of parsing the rest at once here; a request
      // about one place waits only until the parse has got past it.
      const partial = () => (throughLine !== undefined ? documents.snapshotThrough(uri, throughLine) : undefined);
      let snapshot = documents.isParsingProgressively(uri) ? partial() : undefined;
      if (!snapshot && documents.isParsingProgressively(uri)) {
        await this.parsed(uri, token, throughLine === undefined ? undefined : () => documents.parsedThrough(uri, throughLine));
        snapshot = documents.isParsingProgressively(uri) ? partial() : undefined;
      }
      if (token?.isCancellationRequested) return new ResponseError(LSPErrorCodes.RequestCancelled, `${name} cancelled`);
      const doc = this.service.getDocument(uri);
      if (!doc || !asked) return invalidParams(`unknown document: ${uri} (not open)`);
      // Edited while the request waited for the parse: its positions are of a text that is gone.
      if (doc.current !== asked) return new ResponseError(LSPErrorCodes.ContentModified, `${name}: the document changed`);
      snapshot ??= this.service.getSnapshot(uri);
      if (!snapshot) return invalidParams(`unknown document: ${uri} (not open)`);
      // A long handler stops when the request is cancelled or the document changes under it.
      const version = snapshot.document.version;
      const changed = () => this.service.getDocument(uri) !== doc || doc.version !== version;
      const interruption: Interruption = {
        get stopped() {
          return token?.isCancellationRequested === true || changed();
        },
        // Two turns: the connection handles one queued message per turn, after the turn it is queued in.
        pause: () => new Promise((resolve) => setImmediate(() => setImmediate(resolve))),
      };
      const result = await handler(snapshot.document, snapshot.analysis, interruption);
      if (result === null && interruption.stopped) {
        return changed()
          ? new ResponseError(LSPErrorCodes.ContentModified, `${name}: the document changed`)
          : new ResponseError(LSPErrorCodes.RequestCancelled, `${name} cancelled`);
      }
      return result;
    } catch (err) {
      return this.failure(name, err);
    }
  }

  /** Requests waiting for a document's progressive parse; `ready`, when given, may end the wait early. */
  private readonly parseWaiters = new Map<string, Set<{ wake(): void; ready?: () => boolean }>>();

  /** Resolves when the document's progressive parse is done or `ready()` (or it is closed, or the request cancelled). */
  private parsed(uri: string, token?: CancellationToken, ready?: () => boolean): Promise<void> {
    // A cancel read together with the request is already set when the handler starts (no event follows).
    if (token?.isCancellationRequested) return Promise.resolve();
    return new Promise((resolve) => {
      let waiters = this.parseWaiters.get(uri);
      if (!waiters) this.parseWaiters.set(uri, (waiters = new Set()));
      const waiter = {
        wake: () => {
          waiters.delete(waiter);
          listener?.dispose();
          resolve();
        },
        ready,
      };
      waiters.add(waiter);
      const listener = token?.onCancellationRequested(waiter.wake);
      if (!this.runs.has(uri)) this.schedule(uri);
    });
  }

  /** After a parse step: wakes the requests it has served (all of them once the parse is complete or the document gone). */
  private wakeParseWaiters(uri: string): void {
    const waiters = this.parseWaiters.get(uri);
    if (!waiters) return;
    const done = !this.service.getDocument(uri) || !this.service.documents.isParsingProgressively(uri);
    for (const w of [...waiters]) if (done || w.ready?.()) w.wake();
    if (waiters.size === 0) this.parseWaiters.delete(uri);
  }

  private failure(name: string, err: unknown): ResponseError<void> {
    if (err instanceof ResponseError) return err;
    this.logger.error(`${name} failed: ${err instanceof Error ? err.stack : String(err)}`);
    return new ResponseError(ErrorCodes.InternalError, `${name} failed: ${err instanceof Error ? err.message : String(err)}`);
  }

  private guardNotification(name: string, handler: () => void): void {
    try {
      handler();
    } catch (err) {
      if (isMalformedInput(err)) this.logger.warn(`${name} ignored: ${err.message}`);
      else this.logger.error(`${name} failed: ${err instanceof Error ? err.stack : String(err)}`);
    }
  }
}

function filePath(uri: string): string | null {
  try {
    return uri.startsWith('file:') ? fileURLToPath(uri) : null;
  } catch {
    return null;
  }
}

function hasSymbols(config: SymbolSourcesConfig): boolean {
  return config.vmlinux !== null || config.systemMap !== null || config.kallsyms !== null || config.modulePaths.length > 0;
}

function* firstReports(analysis: LogAnalysis, limit = 50) {
  for (let k = 0; k < Math.min(analysis.reportCount, limit); k++) yield analysis.report(k);
}

let started = false;

/** Starts the server on stdio (or on the transport given on the command line: --node-ipc, --socket=N, --pipe=NAME). */
export function startServer(): void {
  if (started) return;
  started = true;
  const transport = process.argv.some((a) => a === '--stdio' || a === '--node-ipc' || a.startsWith('--socket') || a.startsWith('--pipe'));
  // The lifecycle sees every message before it is dispatched: requests before initialize or after
  // shutdown are answered with an error (under REFUSED_REQUEST), notifications then dropped.
  const lifecycle = new Lifecycle((message) => connection.console.warn(message));
  const options = { messageStrategy: lifecycle };
  const connection = transport ? createConnection(options) : createConnection(process.stdin, process.stdout, options);
  connection.onRequest(REFUSED_REQUEST, (params) => refusalError(params));
  const server = new KernelLogServer(connection);
  // Last resort: log and carry on; the editor must not lose its language server over one bad input.
  process.on('uncaughtException', (err) => connection.console.error(`uncaught: ${err.stack ?? String(err)}`));
  process.on('unhandledRejection', (reason) => connection.console.error(`unhandled rejection: ${String(reason)}`));
  server.listen();
}
