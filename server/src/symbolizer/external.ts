// The optional external symbolizer: file:line and inlined frames from the LLVM and binutils tools
// the user already has, for addresses the native DWARF reader cannot answer (or to cross-check it).
// It exists because those tools are mature and fast once started, but they are optional, may be
// missing, and each process holds 200-600 MB on a vmlinux; so they run only on request, one
// persistent process per object, stopped after an idle period.
//   * vmlinux and other executables: `llvm-symbolizer --obj=<file> --output-style=JSON`, one JSON
//     line per address.
//   * relocatable modules (.ko): `addr2line -f -i -a --section=<sec> -e <ko>`, never llvm-symbolizer,
//     which has no section option and gives wrong functions for ET_REL objects. The caller passes a
//     plain (decompressed) file.
// Processes are started with an argument array and never through a shell; only hex addresses
// formatted here are written to their stdin. No LSP or vscode types: the server and the CLI both use
// it. Whether the workspace is trusted is the caller's decision (`enabled`).
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { SourceLocation } from './location.ts';

export type { SourceLocation } from './location.ts';

/** The setting `kernelLog.symbolizer.external`: 'off', 'auto' (search PATH) or a tool's path or name. */
export type ExternalSetting = 'off' | 'auto' | string;

export interface ExternalSymbolizerOptions {
  /** A process with no request for this long is stopped (default 60 000). */
  idleMs?: number;
  /** Longest wait for one answer once the address is written (default 5 000); then the process is killed. */
  timeoutMs?: number;
  /** Environment for the PATH search and the processes (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** False (an untrusted workspace) acts as the setting 'off' (default true). */
  enabled?: boolean;
  /** Live processes kept at most; the least recently used idle ones are stopped first (default 4). */
  maxProcesses?: number;
  /** Why a process stopped or failed, for the output channel. */
  log?: (message: string) => void;
}

export interface ExternalTools {
  llvmSymbolizer: string | null;
  addr2line: string | null;
}

type Answer = SourceLocation[] | null;

const MAX_ADDRESS = (1n << 64n) - 1n;
/** Written after each addr2line address: past the end of every section, so it costs no DWARF lookup. */
const SENTINEL = '0xffffffffffffffff';
const MAX_TIMER = 0x7fffffff;

export class ExternalSymbolizer {
  private readonly idleMs: number;
  private readonly timeoutMs: number;
  private readonly env: NodeJS.ProcessEnv;
  private readonly enabled: boolean;
  private readonly maxProcesses: number;
  private readonly log: (message: string) => void;
  private readonly setting: string;
  private found: ExternalTools | null = null;
  private disposed = false;
  /** Live processes by tool and object, least recently used first. */
  private readonly processes = new Map<string, Coprocess>();

  constructor(setting: ExternalSetting, options: ExternalSymbolizerOptions = {}) {
    this.setting = setting.trim();
    this.idleMs = options.idleMs ?? 60_000;
    this.timeoutMs = options.timeoutMs ?? 5_000;
    this.env = options.env ?? process.env;
    this.enabled = options.enabled ?? true;
    this.maxProcesses = Math.max(1, options.maxProcesses ?? 4);
    this.log = options.log ?? (() => {});
  }

  /** Which tools it found (for the status bar / logs); null fields when absent. */
  tools(): ExternalTools {
    if (!this.active()) return { llvmSymbolizer: null, addr2line: null };
    this.found ??= findTools(this.setting, this.env);
    return { ...this.found };
  }

  /** How many tool processes are running now. */
  runningProcesses(): number {
    return this.processes.size;
  }

  /**
   * Source locations of `address` in vmlinux or another executable, innermost first, from a
   * persistent llvm-symbolizer process for that object (JSON output, --inlining --functions=short).
   * [] when the tool knows nothing of the address; null when the tool is missing, fails or times out,
   * or the object is not a readable file. A rebuilt object (new size, time or inode) gets a new process.
   */
  lookupExecutable(objectPath: string, address: bigint): Promise<Answer> {
    const tool = this.tools().llvmSymbolizer;
    if (!tool || !usableText(objectPath) || !usableAddress(address)) return Promise.resolve(null);
    const args = [`--obj=${objectPath}`, '--output-style=JSON', '--inlining', '--functions=short'];
    return this.request(`llvm-symbolizer\0${objectPath}`, objectPath, tool, args, this.env, () => new LlvmJsonDecoder(), address);
  }

  /**
   * Source locations of `offset` in section `sectionName` of a relocatable module (.ko, plain ELF),
   * innermost first, from `addr2line -f -i -a --section=<sectionName> -e <ko>` (names as in the debug
   * information: no demangling). [] when nothing is known; null on failure.
   */
  lookupRelocatable(objectPath: string, sectionName: string, offset: bigint): Promise<Answer> {
    const tool = this.tools().addr2line;
    if (!tool || !usableText(objectPath) || !usableText(sectionName) || !usableAddress(offset)) return Promise.resolve(null);
    const args = ['-f', '-i', '-a', `--section=${sectionName}`, '-e', objectPath];
    return this.request(`addr2line\0${objectPath}\0${sectionName}`, objectPath, tool, args, { ...this.env, LC_ALL: 'C' }, () => new Addr2lineDecoder(), offset);
  }

  /** Stops every process; pending requests get null and later ones null at once. */
  dispose(): void {
    this.disposed = true;
    for (const p of [...this.processes.values()]) p.stop();
    this.processes.clear();
  }

  private active(): boolean {
    return this.enabled && !this.disposed && this.setting !== 'off' && this.setting !== '';
  }

  private request(
    key: string,
    objectPath: string,
    tool: string,
    args: string[],
    env: NodeJS.ProcessEnv,
    decoder: () => Decoder,
    address: bigint,
  ): Promise<Answer> {
    // The tools read an object once and keep it: a rebuilt file needs a new process.
    let stamp: string;
    try {
      const st = statSync(objectPath);
      if (!st.isFile()) return Promise.resolve(null);
      stamp = `${st.size}:${st.mtimeMs}:${st.ino}`;
    } catch {
      return Promise.resolve(null);
    }
    let p = this.processes.get(key);
    if (p?.alive && p.stamp === stamp) {
      this.processes.delete(key);
      this.processes.set(key, p);
      return p.request(address);
    }
    p?.stop();
    try {
      p = new Coprocess(stamp, path.basename(tool), tool, args, env, decoder(), this.timeoutMs, this.idleMs, this.log, (ended) => {
        if (this.processes.get(key) === ended) this.processes.delete(key);
      });
    } catch (e) {
      this.log(`${path.basename(tool)}: cannot start: ${(e as Error).message}`);
      return Promise.resolve(null);
    }
    if (!p.alive) return Promise.resolve(null);
    this.processes.set(key, p);
    for (const q of [...this.processes.values()]) {
      if (this.processes.size <= this.maxProcesses) break;
      if (q !== p && q.idle) q.stop();
    }
    return p.request(address);
  }
}

// ---------------------------------------------------------------------------------------------
// One tool process: requests are written one at a time and matched to the lines that answer them.

/** Reads one tool's output: lines in, answers out. */
interface Decoder {
  /** The text written for one address. */
  encode(address: bigint): string;
  /**
   * One output line (without the newline). Returns the answer of the request in flight when this
   * line completes it, undefined when more lines are needed; throws on output that fits no request.
   */
  feed(line: string, inFlight: bigint | null): Answer | undefined;
}

interface Job {
  address: bigint;
  resolve(answer: Answer): void;
}

class Coprocess {
  alive = true;
  private readonly child: ChildProcess;
  private readonly queue: Job[] = [];
  private inFlight: Job | null = null;
  private answerTimer: NodeJS.Timeout | null = null;
  private idleTimer: NodeJS.Timeout | null = null;
  private stdoutRest = '';
  private stderrTail = '';

  constructor(
    /** Size, time and inode of the object when the process started. */
    readonly stamp: string,
    private readonly name: string,
    command: string,
    args: string[],
    env: NodeJS.ProcessEnv,
    private readonly decoder: Decoder,
    private readonly timeoutMs: number,
    private readonly idleMs: number,
    private readonly log: (message: string) => void,
    private readonly onEnd: (p: Coprocess) => void,
  ) {
    this.child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], env, shell: false, windowsHide: true });
    const { stdin, stdout, stderr } = this.child;
    if (!stdin || !stdout || !stderr) throw new Error('no pipes');
    this.child.on('error', (e) => this.fail(`cannot run: ${e.message}`));
    this.child.on('exit', (code, signal) => this.fail(`exited (${signal ?? `code ${code}`})`));
    stdin.on('error', () => {}); // EPIPE when the process died: 'exit' reports it
    stdout.setEncoding('utf8');
    stdout.on('data', (chunk: string) => this.onStdout(chunk));
    stderr.setEncoding('utf8');
    stderr.on('data', (chunk: string) => {
      this.stderrTail = (this.stderrTail + chunk).slice(-1000);
    });
  }

  /** No request in flight or waiting. */
  get idle(): boolean {
    return this.inFlight === null && this.queue.length === 0;
  }

  request(address: bigint): Promise<Answer> {
    if (!this.alive) return Promise.resolve(null);
    return new Promise((resolve) => {
      this.queue.push({ address, resolve });
      this.pump();
    });
  }

  /** Stops the process (idle, disposed or evicted); pending requests get null. */
  stop(): void {
    if (!this.alive) return;
    this.end();
    this.child.stdin?.end();
    this.child.kill('SIGTERM');
  }

  private pump(): void {
    if (!this.alive || this.inFlight) return;
    clearTimer(this.idleTimer);
    this.idleTimer = null;
    const job = this.queue.shift();
    if (!job) {
      // Nothing to do: let a CLI exit without dispose(), and stop after idleMs.
      this.setRef(false);
      if (Number.isFinite(this.idleMs)) this.idleTimer = setTimeout(() => this.stop(), Math.min(Math.max(this.idleMs, 0), MAX_TIMER)).unref();
      return;
    }
    this.inFlight = job;
    this.setRef(true);
    if (Number.isFinite(this.timeoutMs)) {
      this.answerTimer = setTimeout(
        () => this.fail(`no answer for 0x${job.address.toString(16)} within ${this.timeoutMs} ms`),
        Math.min(Math.max(this.timeoutMs, 0), MAX_TIMER),
      );
    }
    this.child.stdin?.write(this.decoder.encode(job.address));
  }

  private onStdout(chunk: string): void {
    const lines = (this.stdoutRest + chunk).split('\n');
    this.stdoutRest = lines.pop() ?? '';
    if (this.stdoutRest.length > 1 << 20) {
      this.fail('an output line longer than 1 MB');
      return;
    }
    for (const raw of lines) {
      if (!this.alive) return;
      const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
      let answer: Answer | undefined;
      try {
        answer = this.decoder.feed(line, this.inFlight?.address ?? null);
      } catch {
        this.fail(`unexpected output ${JSON.stringify(line.slice(0, 200))}`);
        return;
      }
      if (answer !== undefined && this.inFlight) {
        const job = this.inFlight;
        this.inFlight = null;
        clearTimer(this.answerTimer);
        this.answerTimer = null;
        job.resolve(answer);
      }
    }
    this.pump();
  }

  /** A crash, hang or garbled output: kill, and null for everything pending. */
  private fail(reason: string): void {
    if (!this.alive) return;
    const stderr = this.stderrTail.trim();
    this.log(`${this.name}: ${reason}${stderr ? `; stderr: ${stderr}` : ''}`);
    this.end();
    this.child.kill('SIGKILL');
  }

  private end(): void {
    this.alive = false;
    clearTimer(this.answerTimer);
    clearTimer(this.idleTimer);
    this.answerTimer = this.idleTimer = null;
    const pending = this.inFlight ? [this.inFlight, ...this.queue] : [...this.queue];
    this.inFlight = null;
    this.queue.length = 0;
    for (const job of pending) job.resolve(null);
    this.setRef(false);
    this.onEnd(this);
  }

  /** Keeps the event loop alive only while an answer is awaited. */
  private setRef(on: boolean): void {
    const handles = [this.child, this.child.stdin, this.child.stdout, this.child.stderr] as unknown as ({ ref?(): void; unref?(): void } | null)[];
    for (const h of handles) {
      if (on) h?.ref?.();
      else h?.unref?.();
    }
  }
}

function clearTimer(timer: NodeJS.Timeout | null): void {
  if (timer) clearTimeout(timer);
}

// ---------------------------------------------------------------------------------------------
// llvm-symbolizer --output-style=JSON: one line per address,
// {"Address":"0x11ad","ModuleName":"…","Symbol":[{"FunctionName":"…","FileName":"…","Line":5,"Column":3,…},…]}
// or {"Address":…,"Error":{"Message":"No such file or directory"},…}. Unknown parts are "" and 0.

class LlvmJsonDecoder implements Decoder {
  encode(address: bigint): string {
    return `0x${address.toString(16)}\n`;
  }

  feed(line: string, inFlight: bigint | null): Answer | undefined {
    if (line.trim() === '') return undefined;
    if (inFlight === null) throw new Error('an answer without a request');
    const v: unknown = JSON.parse(line);
    if (!isRecord(v) || typeof v.Address !== 'string' || BigInt(v.Address) !== inFlight) throw new Error('not the answer to the request');
    if (v.Error !== undefined) return null;
    if (!Array.isArray(v.Symbol)) throw new Error('no Symbol array');
    return v.Symbol.filter(isRecord).map(llvmFrame).filter(known);
  }
}

function llvmFrame(s: Record<string, unknown>): SourceLocation {
  return {
    function: name(s.FunctionName),
    file: name(s.FileName),
    line: positive(s.Line),
    column: positive(s.Column),
  };
}

function name(v: unknown): string | null {
  return typeof v === 'string' && v !== '' && v !== '??' ? v : null;
}

function positive(v: unknown): number | null {
  return typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : null;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// ---------------------------------------------------------------------------------------------
// addr2line -f -i -a: for each address its line "0x000000000000001d", then pairs of lines
// "function" / "file:line" (innermost first; "??" and "??:0" when unknown, "file:?" without a line,
// sometimes " (discriminator N)" after the line). The number of pairs varies, so SENTINEL follows
// each address: its own address line ends the real answer, and its "??" / "??:0" are skipped.

class Addr2lineDecoder implements Decoder {
  private state: 'start' | 'answer' | 'sentinel' = 'start';
  private lines: string[] = [];

  encode(address: bigint): string {
    return `0x${address.toString(16)}\n${SENTINEL}\n`;
  }

  feed(line: string, inFlight: bigint | null): Answer | undefined {
    const address = /^0x([0-9a-fA-F]+)$/.exec(line);
    if (address) {
      if (this.state === 'answer') {
        if (!/^f+$/i.test(address[1])) throw new Error('not the sentinel');
        this.state = 'sentinel';
        const frames = addr2lineFrames(this.lines);
        this.lines = [];
        return frames;
      }
      const digits = address[1];
      if (inFlight === null || (inFlight & ((1n << BigInt(4 * digits.length)) - 1n)) !== BigInt(`0x${digits}`))
        throw new Error('not the answer to the request');
      this.state = 'answer';
      return undefined;
    }
    if (line === '' || this.state === 'sentinel') return undefined;
    if (this.state === 'answer') {
      this.lines.push(line);
      return undefined;
    }
    throw new Error('output before any address');
  }
}

function addr2lineFrames(lines: string[]): SourceLocation[] {
  const frames: SourceLocation[] = [];
  for (let i = 0; i < lines.length; i += 2) {
    const where = /^(.*):(\d+|\?)(?: \(discriminator \d+\))?$/.exec(lines[i + 1] ?? '');
    const file = where ? name(where[1]) : null;
    frames.push({ function: name(lines[i]), file, line: file && where ? positive(Number(where[2])) : null, column: null });
  }
  return frames.filter(known);
}

function known(l: SourceLocation): boolean {
  return l.function !== null || l.file !== null;
}

// ---------------------------------------------------------------------------------------------
// Finding the tools.

function usableAddress(a: bigint): boolean {
  return typeof a === 'bigint' && a >= 0n && a <= MAX_ADDRESS;
}

function usableText(s: string): boolean {
  return typeof s === 'string' && s !== '' && !s.includes('\0');
}

/**
 * 'auto': `llvm-symbolizer`, else the highest `llvm-symbolizer-NN`, and `addr2line`, on PATH.
 * A path or a bare name: that binary is GNU addr2line when its name says so, llvm-symbolizer
 * otherwise (llvm-addr2line is llvm-symbolizer and is used as such); the other tool is still
 * searched on PATH. A path must be absolute.
 */
function findTools(setting: string, env: NodeJS.ProcessEnv): ExternalTools {
  const dirs = pathDirs(env);
  const auto: ExternalTools = {
    llvmSymbolizer: which('llvm-symbolizer', dirs) ?? highestVersioned('llvm-symbolizer', dirs),
    addr2line: which('addr2line', dirs),
  };
  if (setting === 'auto') return auto;
  const explicit = /[\\/]/.test(setting) ? (path.isAbsolute(setting) && executable(setting) ? setting : null) : which(setting, dirs);
  const base = path.basename(setting).toLowerCase();
  if (base.includes('addr2line') && !base.includes('llvm')) return { llvmSymbolizer: auto.llvmSymbolizer, addr2line: explicit };
  return { llvmSymbolizer: explicit, addr2line: auto.addr2line };
}

function pathDirs(env: NodeJS.ProcessEnv): string[] {
  const key = Object.keys(env).find((k) => k.toUpperCase() === 'PATH');
  return (key ? (env[key] ?? '') : '').split(path.delimiter).filter((d) => d !== '' && path.isAbsolute(d));
}

function extensions(): string[] {
  // Only real executables: spawn() without a shell cannot start .cmd or .bat files.
  return process.platform === 'win32' ? ['.exe', ''] : [''];
}

function which(command: string, dirs: string[]): string | null {
  for (const dir of dirs) {
    for (const ext of extensions()) {
      const candidate = path.join(dir, command + ext);
      if (executable(candidate)) return candidate;
    }
  }
  return null;
}

function highestVersioned(command: string, dirs: string[]): string | null {
  const pattern = new RegExp(`^${command}-(\\d+)(?:\\.exe)?$`, 'i');
  let best: { version: number; file: string } | null = null;
  for (const dir of dirs) {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    for (const n of names) {
      const m = pattern.exec(n);
      if (!m || (best && Number(m[1]) <= best.version)) continue;
      const file = path.join(dir, n);
      if (executable(file)) best = { version: Number(m[1]), file };
    }
  }
  return best?.file ?? null;
}

function executable(file: string): boolean {
  try {
    if (!statSync(file).isFile()) return false;
    if (process.platform !== 'win32') accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
