// A small LSP client for the tests: spawns the bundled server (`node dist/server.js --stdio`),
// frames JSON-RPC messages (Content-Length headers) by hand, answers the server's requests the way an
// editor does (workspace/configuration, client/registerCapability, workspace/applyEdit), and lets a
// test wait for notifications. It can also send raw bytes, to check malformed input.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';

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

/** An error response from the server. */
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

export class ResponseError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

interface Message {
  jsonrpc: '2.0';
  id?: number | string | null;
  method?: string;
  params?: unknown;
  result?: unknown;
  error?: { code: number; message: string };
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
    codeAction: { codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix', 'source', 'source.fixAll'] } }, dataSupport: true, isPreferredSupport: true },
    foldingRange: { rangeLimit: 5000, lineFoldingOnly: true },
    documentSymbol: { hierarchicalDocumentSymbolSupport: true },
  },
};

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
  private buffer = Buffer.alloc(0);
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private waiters: Waiter[] = [];
  private exited: Promise<number | null>;

  private constructor(options: ClientOptions) {
    const [cmd, ...args] = options.command ?? [process.execPath, SERVER, '--stdio'];
    this.process = spawn(cmd, args, { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    this.settings = options.settings ?? {};
    this.process.stdout.on('data', (chunk: Buffer) => this.onData(chunk));
    this.process.stderr.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.exited = new Promise((resolve) => this.process.on('exit', (code) => resolve(code)));
  }

  /** Spawns the server and runs initialize / initialized. */
  static async start(options: ClientOptions = {}): Promise<LspClient> {
    const client = new LspClient(options);
    await client.request('initialize', { processId: process.pid, rootUri: null, capabilities: options.capabilities ?? DEFAULT_CAPABILITIES, workspaceFolders: null, initializationOptions: options.initializationOptions });
    client.notify('initialized', {});
    return client;
  }

  request<R = unknown>(method: string, params?: unknown): Promise<R> {
    const id = this.nextId++;
    this.send({ jsonrpc: '2.0', id, method, params });
    return new Promise<R>((resolve, reject) => this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject }));
  }

  /** Sends a request and returns its id without waiting (for $/cancelRequest tests). */
  requestId(method: string, params?: unknown): { id: number; response: Promise<unknown> } {
    const id = this.nextId++;
    this.send({ jsonrpc: '2.0', id, method, params });
    const response = new Promise<unknown>((resolve, reject) => this.pending.set(id, { resolve, reject }));
    return { id, response };
  }

  notify(method: string, params?: unknown): void {
    this.send({ jsonrpc: '2.0', method, params });
  }

  /** Writes bytes as they are, framing included or not. */
  sendRaw(bytes: string): void {
    this.process.stdin.write(bytes);
  }

  /** Frames one JSON text (which may be malformed on purpose). */
  sendFramed(json: string): void {
    this.process.stdin.write(`Content-Length: ${Buffer.byteLength(json, 'utf8')}\r\n\r\n${json}`);
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

  kill(): void {
    this.process.kill();
  }

  private send(message: Message): void {
    this.sendFramed(JSON.stringify(message));
  }

  private onData(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const headerEnd = this.buffer.indexOf('\r\n\r\n');
      if (headerEnd < 0) return;
      const header = this.buffer.subarray(0, headerEnd).toString('ascii');
      const m = /Content-Length: (\d+)/i.exec(header);
      if (!m) throw new Error(`bad header from server: ${header}`);
      const length = Number(m[1]);
      if (this.buffer.length < headerEnd + 4 + length) return;
      const body = this.buffer.subarray(headerEnd + 4, headerEnd + 4 + length).toString('utf8');
      this.buffer = this.buffer.subarray(headerEnd + 4 + length);
      this.dispatch(JSON.parse(body) as Message);
    }
  }

  private dispatch(message: Message): void {
    if (message.method !== undefined && message.id !== undefined && message.id !== null) {
      this.serverRequests.push({ method: message.method, params: message.params });
      this.send({ jsonrpc: '2.0', id: message.id, result: this.answer(message.method, message.params) });
      return;
    }
    if (message.method !== undefined) {
      this.notifications.push({ method: message.method, params: message.params });
      for (const w of [...this.waiters]) {
        if (w.method === message.method && w.predicate(message.params)) {
          this.waiters = this.waiters.filter((x) => x !== w);
          w.resolve(message.params);
        }
      }
      return;
    }
    const pending = typeof message.id === 'number' ? this.pending.get(message.id) : undefined;
    if (!pending) return;
    this.pending.delete(message.id as number);
    if (message.error) pending.reject(new ResponseError(message.error.code, message.error.message));
    else pending.resolve(message.result);
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

/** Offsets of LSP line starts (`\n`, `\r\n` and lone `\r` end a line). */
function lspLineStarts(text: string): number[] {
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
