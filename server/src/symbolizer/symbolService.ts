// The symbolizer as the language server uses it: one KernelSymbolizer per set of symbol files
// (a few kept, least recently used first out), run in a worker thread so that loading a 600 MB
// vmlinux or walking a large compile unit never holds up the server's main loop. The same
// interface runs in-process for tests and for a server started without its worker file.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { KernelSymbolizer, messageOf, type LoadListener, type SymbolSourcesConfig } from './kernelSymbolizer.ts';
import type { ModuleRef } from './query.ts';
import type { SymbolInfo, SymbolQuery, SymbolStatus } from './types.ts';

export interface SymbolService {
  symbolize(config: SymbolSourcesConfig, query: SymbolQuery): Promise<SymbolInfo | null>;
  status(config: SymbolSourcesConfig, release: string | null, modules: readonly ModuleRef[]): Promise<SymbolStatus>;
  /** Slow loads (a vmlinux), for a progress notification. */
  onLoad(listener: LoadListener): void;
  dispose(): void;
}

/** Symbolizers kept at once; each holds a vmlinux's symbol table (~10 MB) and a bounded DWARF cache. */
const MAX_SYMBOLIZERS = 4;

export class InProcessSymbolService implements SymbolService {
  private readonly pool = new Map<string, KernelSymbolizer>();
  private listeners: LoadListener[] = [];

  symbolize(config: SymbolSourcesConfig, query: SymbolQuery): Promise<SymbolInfo | null> {
    return this.get(config).symbolize(query);
  }
  status(config: SymbolSourcesConfig, release: string | null, modules: readonly ModuleRef[]): Promise<SymbolStatus> {
    return this.get(config).status(release, modules);
  }
  onLoad(listener: LoadListener): void {
    this.listeners.push(listener);
  }
  dispose(): void {
    for (const s of this.pool.values()) s.dispose();
    this.pool.clear();
  }

  private get(config: SymbolSourcesConfig): KernelSymbolizer {
    const key = JSON.stringify(config);
    let s = this.pool.get(key);
    if (s?.isStale()) {
      // A rebuilt vmlinux or module: read it again.
      this.pool.delete(key);
      s.dispose();
      s = undefined;
    }
    if (s) {
      this.pool.delete(key);
    } else {
      s = new KernelSymbolizer(config, (e) => this.listeners.forEach((l) => l(e)));
      if (this.pool.size >= MAX_SYMBOLIZERS) {
        const [oldest, evicted] = this.pool.entries().next().value as [string, KernelSymbolizer];
        this.pool.delete(oldest);
        evicted.dispose();
      }
    }
    this.pool.set(key, s);
    return s;
  }
}

type RequestBody =
  | { method: 'symbolize'; config: SymbolSourcesConfig; query: SymbolQuery }
  | { method: 'status'; config: SymbolSourcesConfig; release: string | null; modules: ModuleRef[] };
type Request = RequestBody & { id: number };
type Reply = { id: number; result?: unknown; error?: string } | { load: Parameters<LoadListener>[0] };

/** Runs the symbolizer in a worker thread (dist/symbolizerWorker.js beside the server bundle). */
export class WorkerSymbolService implements SymbolService {
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void }>();
  private listeners: LoadListener[] = [];

  constructor(private readonly script: string) {}

  symbolize(config: SymbolSourcesConfig, query: SymbolQuery): Promise<SymbolInfo | null> {
    return this.call({ method: 'symbolize', config, query }, null) as Promise<SymbolInfo | null>;
  }
  status(config: SymbolSourcesConfig, release: string | null, modules: readonly ModuleRef[]): Promise<SymbolStatus> {
    const fallback: SymbolStatus = { sources: [], summary: 'symbolizer unavailable', matches: null };
    return this.call({ method: 'status', config, release, modules: [...modules] }, fallback) as Promise<SymbolStatus>;
  }
  onLoad(listener: LoadListener): void {
    this.listeners.push(listener);
  }
  dispose(): void {
    void this.worker?.terminate();
    this.worker = null;
    for (const p of this.pending.values()) p.resolve(null);
    this.pending.clear();
  }

  private call(request: RequestBody, fallback: unknown): Promise<unknown> {
    const worker = this.start();
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, { resolve: (v) => resolve(v ?? fallback) });
      worker.postMessage({ ...request, id });
    });
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(this.script);
    worker.unref();
    worker.on('message', (reply: Reply) => {
      if ('load' in reply) {
        this.listeners.forEach((l) => l(reply.load));
        return;
      }
      const p = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      p?.resolve(reply.error ? { frames: [], note: `Symbolizer: ${reply.error}` } : reply.result);
    });
    const fail = () => {
      // A crashed worker answers nothing more; the next request starts a new one.
      if (this.worker === worker) this.worker = null;
      for (const p of this.pending.values()) p.resolve(null);
      this.pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', fail);
    this.worker = worker;
    return worker;
  }
}

/** The worker thread's side: answers requests with an in-process service. */
export function serveInWorker(port: { on(event: 'message', l: (r: Request) => void): void; postMessage(m: Reply): void }): void {
  const service = new InProcessSymbolService();
  service.onLoad((load) => port.postMessage({ load }));
  port.on('message', (request) => {
    const answer =
      request.method === 'symbolize' ? service.symbolize(request.config, request.query) : service.status(request.config, request.release, request.modules);
    answer.then(
      (result) => port.postMessage({ id: request.id, result }),
      (err) => port.postMessage({ id: request.id, error: messageOf(err) }),
    );
  });
}

/** The worker when the server runs from its bundle (dist/server.js beside dist/symbolizerWorker.js), else in-process. */
export function createSymbolService(bundleDir: string | undefined): SymbolService {
  const script = bundleDir ? join(bundleDir, 'symbolizerWorker.js') : null;
  const service = script && existsSync(script) ? new WorkerSymbolService(script) : new InProcessSymbolService();
  const delayMs = Number(process.env[TEST_SYMBOLIZE_DELAY_ENV] ?? 0);
  return delayMs > 0 ? delayedForTests(service, delayMs) : service;
}

/**
 * For tests only: milliseconds every symbolizer answer is held back, so that a test over LSP can edit
 * the document while a hover waits for one (test/lsp/snapshot.test.ts). Unset (the default): no delay.
 */
export const TEST_SYMBOLIZE_DELAY_ENV = 'KERNEL_LOG_TEST_SYMBOLIZE_DELAY_MS';

function delayedForTests(service: SymbolService, delayMs: number): SymbolService {
  return {
    symbolize: (config, query) => new Promise((resolve) => setTimeout(resolve, delayMs)).then(() => service.symbolize(config, query)),
    status: (config, release, modules) => service.status(config, release, modules),
    onLoad: (listener) => service.onLoad(listener),
    dispose: () => service.dispose(),
  };
}
