// A small LSP client for the tests: spawns the bundled server (`node dist/server.js --stdio`), speaks
// JSON-RPC through vscode-jsonrpc (the framing and the connection an editor's client uses), answers
// the server's requests the way an editor does (workspace/configuration, client/registerCapability,
// workspace/applyEdit), and lets a test wait for notifications. It can also write raw bytes to the
// server's stdin, in order with the messages, to check malformed input.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import { createMessageConnection, Message, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';

export { ResponseError } from 'vscode-jsonrpc/node';

export const ROOT = path.resolve(import.meta.dirname, '..', '..');
export const SERVER = path.join(ROOT, 'dist', 'server.js');

export interface Position {
  line: number;
  character: number;
}
export interface Range {
  start: Position;
  end: Position;
}
export interface TextEdit {
  range: Range;
  newText: string;
}
export interface Diagnostic {
  range: Range;
  severity?: number;
  code?: string | number;
  source?: string;
  message: string;
  tags?: number[];
  relatedInformation?: { location: { uri: string; range: Range }; message: string }[];
  data?: unknown;
}
export interface PublishDiagnosticsParams {
  uri: string;
  version?: number;
  diagnostics: Diagnostic[];
}
export interface WorkspaceEdit {
  changes?: Record<string, TextEdit[]>;
  documentChanges?: { textDocument: { uri: string; version: number | null }; edits: TextEdit[] }[];
}

/** A command (of a code action, or a code action sent as one to a client without code action literals). */
export interface Command {
  title: string;
  command: string;
  arguments?: unknown[];
}

/** A code action as the server sends it (edit or command). */
export interface CodeAction {
  title: string;
  kind?: string;
  diagnostics?: Diagnostic[];
  isPreferred?: boolean;
  edit?: WorkspaceEdit;
  command?: Command;
}

interface Waiter {
  method: string;
  predicate: (params: unknown) => boolean;
  resolve: (params: unknown) => void;
}

export interface ClientOptions {
  /** Command line; default: the bundled server with --stdio. */
  command?: string[];
  /** The `kernelLog` section returned for workspace/configuration. */
  settings?: Record<string, unknown>;
  /** Capabilities override (default: an editor like VS Code). */
  capabilities?: Record<string, unknown>;
  /** initializationOptions of the initialize request (the VS Code client sends `{ clientCommands }`). */
  initializationOptions?: unknown;
}

export const DEFAULT_CAPABILITIES = {
  workspace: {
    configuration: true,
    didChangeConfiguration: { dynamicRegistration: true },
    workspaceEdit: { documentChanges: true },
    applyEdit: true,
    executeCommand: { dynamicRegistration: false },
  },
  textDocument: {
    synchronization: { didSave: false, dynamicRegistration: false },
    publishDiagnostics: { relatedInformation: true, tagSupport: { valueSet: [1, 2] }, versionSupport: true, codeDescriptionSupport: true, dataSupport: true },
    hover: { contentFormat: ['markdown', 'plaintext'] },
    codeAction: {
      codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix', 'source', 'source.fixAll'] } },
      dataSupport: true,
      isPreferredSupport: true,
    },
    foldingRange: { rangeLimit: 5000, lineFoldingOnly: true },
    documentSymbol: { hierarchicalDocumentSymbolSupport: true },
  },
};

/**
 * The writer of the client's connection, with two things the tests need: the id of the request it
 * last wrote (for $/cancelRequest sent by hand), and raw bytes written in order with the messages.
 */
class TestWriter extends StreamMessageWriter {
  lastRequestId: number | string | null = null;
  /** Params to send as they are (null, a string...) in the next request, which vscode-jsonrpc would wrap in an array. */
  verbatimParams: { value: unknown } | undefined;
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly stream: NodeJS.WritableStream) {
    super(stream);
  }

  override write(msg: Message): Promise<void> {
    if (Message.isRequest(msg)) {
      this.lastRequestId = msg.id;
      if (this.verbatimParams) msg.params = this.verbatimParams.value as typeof msg.params;
      this.verbatimParams = undefined;
    }
    return this.enqueue(() => super.write(msg));
  }

  writeRaw(bytes: string): Promise<void> {
    return this.enqueue(() => new Promise<void>((resolve) => this.stream.write(bytes, () => resolve())));
  }

  private enqueue(write: () => Promise<void>): Promise<void> {
    const written = this.queue.then(write, write);
    this.queue = written.catch(() => undefined);
    return written;
  }
}

function isNamedParams(params: unknown): boolean {
  return typeof params === 'object' && params !== null && !Array.isArray(params);
}

export class LspClient {
  readonly process: ChildProcessWithoutNullStreams;
  /** The `kernelLog` settings section the client reports. */
  settings: Record<string, unknown>;
  /** Notifications received, in order. */
  readonly notifications: { method: string; params: unknown }[] = [];
  /** Requests the server sent to the client. */
  readonly serverRequests: { method: string; params: unknown }[] = [];
  /** Answer to workspace/applyEdit (a test may replace it). */
  onApplyEdit: (edit: WorkspaceEdit) => { applied: boolean } = () => ({ applied: true });
  stderr = '';
  /** What vscode-jsonrpc logged about the connection (e.g. a response it could not match). */
  readonly connectionLog: string[] = [];
  private readonly connection: MessageConnection;
  private readonly writer: TestWriter;
  private waiters: Waiter[] = [];
  private exited: Promise<number | null>;

  private constructor(options: ClientOptions) {
    const [cmd, ...args] = options.command ?? [process.execPath, SERVER, '--stdio'];
    this.process = spawn(cmd, args, { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    this.settings = options.settings ?? {};
    this.process.stderr.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    // Writes after the server exited (a test that kills it) fail quietly, as they would for an editor.
    this.process.stdin.on('error', () => {});
    this.exited = new Promise((resolve) => this.process.on('exit', (code) => resolve(code)));
    this.writer = new TestWriter(this.process.stdin);
    const log = (m: string) => this.connectionLog.push(m);
    this.connection = createMessageConnection(new StreamMessageReader(this.process.stdout), this.writer, { error: log, warn: log, info: log, log });
    this.connection.onRequest((method, params) => {
      this.serverRequests.push({ method, params });
      return this.answer(method, params);
    });
    this.connection.onNotification((method, params) => this.received(method, params));
    // vscode-jsonrpc keeps $/progress for its own progress handlers: recorded like the rest here.
    this.connection.onNotification('$/progress', (params: unknown) => this.received('$/progress', params));
    this.connection.onError(([err]) => log(`connection error: ${err.message}`));
    this.connection.listen();
    void this.exited.then(() => this.connection.dispose());
  }

  /** Spawns the server and runs initialize / initialized. */
  static async start(options: ClientOptions = {}): Promise<LspClient> {
    const client = new LspClient(options);
    await client.request('initialize', {
      processId: process.pid,
      rootUri: null,
      capabilities: options.capabilities ?? DEFAULT_CAPABILITIES,
      workspaceFolders: null,
      initializationOptions: options.initializationOptions,
    });
    client.notify('initialized', {});
    return client;
  }

  /** Spawns the server without initializing it (lifecycle tests). */
  static spawn(options: ClientOptions = {}): LspClient {
    return new LspClient(options);
  }

  request<R = unknown>(method: string, params?: unknown): Promise<R> {
    return this.requestId<R>(method, params).response;
  }

  /** Sends a request and returns its id without waiting (for $/cancelRequest tests). */
  requestId<R = unknown>(method: string, params?: unknown): { id: number; response: Promise<R> } {
    if (params !== undefined && !isNamedParams(params)) this.writer.verbatimParams = { value: params };
    const response = params === undefined ? this.connection.sendRequest<R>(method) : this.connection.sendRequest<R>(method, params);
    return { id: this.writer.lastRequestId as number, response };
  }

  notify(method: string, params?: unknown): void {
    const sent = params === undefined ? this.connection.sendNotification(method) : this.connection.sendNotification(method, params);
    sent.catch((err: Error) => this.connectionLog.push(`notification ${method} not sent: ${err.message}`));
  }

  /** Writes bytes as they are, framing included or not (after the messages sent before). */
  sendRaw(bytes: string): void {
    void this.writer.writeRaw(bytes);
  }

  /** Frames one JSON text (which may be malformed on purpose). */
  sendFramed(json: string): void {
    this.sendRaw(`Content-Length: ${Buffer.byteLength(json, 'utf8')}\r\n\r\n${json}`);
  }

  /** Resolves with the params of the next notification `method` (after the call) that matches. */
  waitFor<T = unknown>(method: string, predicate: (params: T) => boolean = () => true, timeoutMs = 10000): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`timed out waiting for ${method}; stderr: ${this.stderr.slice(-2000)}`));
      }, timeoutMs);
      const waiter: Waiter = {
        method,
        predicate: (p) => predicate(p as T),
        resolve: (p) => {
          clearTimeout(timer);
          resolve(p as T);
        },
      };
      this.waiters.push(waiter);
    });
  }

  /**
   * The diagnostics of the next complete analysis of a document (version): the server sends them
   * just before its kernelLog/status notification; partial publishes of big files are skipped.
   */
  async waitForDiagnostics(uri: string, version?: number, timeoutMs = 10000): Promise<PublishDiagnosticsParams> {
    let published: PublishDiagnosticsParams | undefined;
    await this.waitFor<{ uri: string; version: number; complete: boolean }>(
      'kernelLog/status',
      (p) => {
        if (p.uri !== uri || !p.complete || (version !== undefined && p.version !== version)) return false;
        const all = this.notifications.filter((n) => n.method === 'textDocument/publishDiagnostics' && (n.params as PublishDiagnosticsParams).uri === uri);
        published = all[all.length - 1]?.params as PublishDiagnosticsParams | undefined;
        return true;
      },
      timeoutMs,
    );
    if (!published) throw new Error(`no diagnostics before the status of ${uri}`);
    return published;
  }

  open(uri: string, text: string, version = 1, languageId = 'kernel-log'): void {
    this.notify('textDocument/didOpen', { textDocument: { uri, languageId, version, text } });
  }

  change(uri: string, version: number, contentChanges: ({ range: Range; text: string } | { text: string })[]): void {
    this.notify('textDocument/didChange', { textDocument: { uri, version }, contentChanges });
  }

  close(uri: string): void {
    this.notify('textDocument/didClose', { textDocument: { uri } });
  }

  /** shutdown + exit; resolves with the exit code. */
  async shutdown(): Promise<number | null> {
    await this.request('shutdown');
    this.notify('exit');
    return this.exited;
  }

  /** Resolves with the exit code once the server has exited. */
  exit(): Promise<number | null> {
    return this.exited;
  }

  kill(): void {
    this.process.kill();
  }

  private received(method: string, params: unknown): void {
    this.notifications.push({ method, params });
    for (const w of [...this.waiters]) {
      if (w.method === method && w.predicate(params)) {
        this.waiters = this.waiters.filter((x) => x !== w);
        w.resolve(params);
      }
    }
  }

  private answer(method: string, params: unknown): unknown {
    switch (method) {
      case 'workspace/configuration': {
        const items = (params as { items: { section?: string }[] }).items;
        return items.map((item) => (item.section === 'kernelLog' ? this.settings : null));
      }
      case 'workspace/applyEdit':
        return this.onApplyEdit((params as { edit: WorkspaceEdit }).edit);
      default:
        return null;
    }
  }
}

// ------------------------------------------------------------------------------------------------
// Applying edits the way an editor does

/** Offsets of LSP line starts (`\n`, `\r\n` and lone `\r` end a line): the editor's own reading, for tests. */
export function lspLineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 13 && text.charCodeAt(i + 1) === 10) i++;
    if (c === 13 || c === 10) starts.push(i + 1);
  }
  return starts;
}

export function offsetOf(text: string, position: Position): number {
  const starts = lspLineStarts(text);
  if (position.line >= starts.length) return text.length;
  return Math.min(starts[position.line] + position.character, position.line + 1 < starts.length ? starts[position.line + 1] : text.length);
}

export function positionOf(text: string, offset: number): Position {
  const starts = lspLineStarts(text);
  let line = 0;
  while (line + 1 < starts.length && starts[line + 1] <= offset) line++;
  return { line, character: offset - starts[line] };
}

/** Applies non-overlapping edits (all relative to the original text), as an editor does. */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const withOffsets = edits.map((e) => ({ start: offsetOf(text, e.range.start), end: offsetOf(text, e.range.end), newText: e.newText }));
  withOffsets.sort((a, b) => b.start - a.start);
  for (let i = 1; i < withOffsets.length; i++) if (withOffsets[i].end > withOffsets[i - 1].start) throw new Error('overlapping edits');
  let out = text;
  for (const e of withOffsets) out = out.slice(0, e.start) + e.newText + out.slice(e.end);
  return out;
}

/** The edits of a WorkspaceEdit for one document. */
export function editsFor(edit: WorkspaceEdit, uri: string): TextEdit[] {
  if (edit.documentChanges) return edit.documentChanges.filter((d) => d.textDocument.uri === uri).flatMap((d) => d.edits);
  return edit.changes?.[uri] ?? [];
}

/** Range of the first occurrence of `needle` in `text` (after `from`), for readable tests. */
export function rangeOfText(text: string, needle: string, from = 0): Range {
  const at = text.indexOf(needle, from);
  if (at < 0) throw new Error(`not in text: ${needle}`);
  return { start: positionOf(text, at), end: positionOf(text, at + needle.length) };
}

/** Position of `needle` plus `delta` characters. */
export function positionAtText(text: string, needle: string, delta = 0, from = 0): Position {
  const at = text.indexOf(needle, from);
  if (at < 0) throw new Error(`not in text: ${needle}`);
  return positionOf(text, at + delta);
}

/** A fixture's text (test/fixtures). */
export async function fixture(name: string): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  return readFile(path.join(ROOT, 'test', 'fixtures', name), 'utf8');
}

/** The markdown of a hover result. */
export function hoverText(hover: unknown): string {
  const contents = (hover as { contents?: { value?: string } } | null)?.contents;
  return contents?.value ?? '';
}
