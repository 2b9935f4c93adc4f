// kcrash: the same parse and analysis as the language server, headless.
//   kcrash parse [--json] FILE...      an outline of each file, or NDJSON (one object per file)
//   kcrash check FILE... [--format text|json|sarif]
//   kcrash decode [--vmlinux F] [--system-map F] [--modules DIR]... [--source-root DIR] FILE
//                                      the log with source lines, as decode_stacktrace.sh prints them
//   kcrash lsp --stdio                 the language server
import fs from 'node:fs';
import v8 from 'node:v8';
import zlib from 'node:zlib';
import { analyze } from './analysis/analyze.ts';
import type { Finding } from './analysis/findings.ts';
import { Locator } from './analysis/location.ts';
import { findingJson, JsonStrings, problemRuns, reportJson } from './modelJson.ts';
import type { ParsedLog } from './parser/model.ts';
import { parseCrashLog } from './parser/parse.ts';
import { Output, OutputClosed } from './output.ts';
import { renderOutline } from './outline.ts';
import { SarifWriter } from './sarif.ts';

const USAGE = `usage: kcrash parse [--json] FILE...
       kcrash check [--format text|json|sarif] FILE...
       kcrash decode [--vmlinux F] [--system-map F] [--kallsyms F] [--modules DIR|F]... [--source-root DIR]
                     [--external off|auto|PATH] FILE
       kcrash lsp --stdio
FILE may be - for standard input; gzip-compressed files are read as they are.`;

const DECODE_INTERRUPT_BUDGET = 1_000_000;

interface LoadedFile {
  name: string;
  text: string;
}

/** A file that could not be read, and why (`no such file`, `empty file`, ...). */
interface Unreadable {
  name: string;
  error: string;
}

/** Reads a file, or says why it cannot be read (also on stderr: `kcrash: NAME: WHY`). */
function load(name: string): LoadedFile | Unreadable {
  const why = readFile(name);
  if (typeof why !== 'string') return why;
  process.stderr.write(`kcrash: ${name}: ${why}\n`);
  return { name, error: why };
}

function readFile(name: string): LoadedFile | string {
  let buf: Buffer;
  try {
    buf = name === '-' ? fs.readFileSync(0) : fs.readFileSync(name);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why = e.code === 'ENOENT' ? 'no such file' : e.code === 'EISDIR' ? 'is a directory' : e.code === 'EACCES' ? 'permission denied' : e.message;
    return `cannot read: ${why}`;
  }
  if (buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b) {
    // Bug-report attachments are often gzip'ed (`dmesg.gz`, rotated `kern.log.2.gz`).
    try {
      buf = zlib.gunzipSync(buf);
    } catch (err) {
      return `damaged gzip file: ${(err as Error).message}`;
    }
  }
  if (buf.length === 0) return 'empty file';
  if (looksBinary(buf)) return 'binary file (not a text log); decompress or extract the log first';
  return { name, text: buf.toString('utf8') };
}

function isUnreadable(file: LoadedFile | Unreadable): file is Unreadable {
  return 'error' in file;
}

/** A file is binary when its first 8 KiB hold many NULs or control bytes (a log with a few stray NULs is still text). */
function looksBinary(buf: Buffer): boolean {
  const n = Math.min(buf.length, 8192);
  let bad = 0;
  for (let i = 0; i < n; i++) {
    const b = buf[i];
    if (b === 0 || (b < 32 && b !== 9 && b !== 10 && b !== 13 && b !== 27 && b !== 12 && b !== 8)) bad++;
  }
  return bad > n * 0.1;
}

/** The findings of one file as a JSON array (`diagnostics`), in file order. */
function writeFindingsJson(out: Output, strings: JsonStrings, text: string, log: ParsedLog, findings: readonly Finding[]): void {
  const locator = new Locator(log.lineStarts, text.length);
  out.write('[');
  for (let i = 0; i < findings.length; i++) out.write((i === 0 ? '' : ',') + findingJson(findings[i], locator.locate(findings[i]), strings));
  out.write(']');
}

function cmdParse(files: string[], json: boolean): number {
  const out = new Output(1);
  const strings = new JsonStrings();
  let status = 0;
  for (const name of files) {
    const file = load(name);
    if (isUnreadable(file)) {
      status = 2;
      continue;
    }
    const log = parseCrashLog(file.text);
    const findings = analyze(log);
    if (!json) {
      out.write(renderOutline(name, log, findings));
      continue;
    }
    // One object per line: {"file", "reports", "diagnostics", "problems"}, written a part at a time.
    out.write(`{"file":${JSON.stringify(name)},"reports":[`);
    for (let i = 0; i < log.reports.length; i++) out.write((i === 0 ? '' : ',') + reportJson(log.reports[i], strings));
    out.write('],"diagnostics":');
    writeFindingsJson(out, strings, file.text, log, findings);
    out.write(`,"problems":${JSON.stringify(problemRuns(log.problems))}}\n`);
  }
  out.flush();
  return status;
}

/** Each file's output is written before the next file is read, so only one file is held at a time. */
function cmdCheck(files: string[], format: string): number {
  const out = new Output(1);
  const strings = new JsonStrings();
  const sarif = format === 'sarif' ? new SarifWriter(out, strings) : null;
  let worst = 0;
  let ioError = false;
  for (const name of files) {
    const file = load(name);
    if (isUnreadable(file)) {
      ioError = true;
      sarif?.unreadable(name, file.error);
      continue;
    }
    const log = parseCrashLog(file.text);
    const findings = analyze(log);
    if (findings.some((f) => f.severity === 'warning' || f.severity === 'error')) worst = 1;
    if (sarif) {
      sarif.add({ name, text: file.text, log, findings });
    } else if (format === 'json') {
      out.write(`{"file":${JSON.stringify(name)},"diagnostics":`);
      writeFindingsJson(out, strings, file.text, log, findings);
      out.write('}\n');
    } else {
      const locator = new Locator(log.lineStarts, file.text.length);
      for (const f of findings) {
        const at = locator.locate(f);
        out.write(`${name}:${at.line}:${at.column}: ${f.severity} ${f.code} ${f.message}\n`);
      }
      const counts = new Map<string, number>();
      for (const f of findings) counts.set(f.code, (counts.get(f.code) ?? 0) + 1);
      const summary = [...counts].map(([k, v]) => `${v} ${k}`).join(', ') || 'no findings';
      out.flush(); // the summary after the file's findings, on a terminal too
      process.stderr.write(`${name}: ${log.reports.length} report(s); ${summary}\n`);
    }
  }
  sarif?.end();
  out.flush();
  return ioError ? 2 : worst;
}

const DECODE_OPTIONS: Record<string, 'vmlinux' | 'systemMap' | 'kallsyms' | 'modules' | 'sourceRoot' | 'external'> = {
  '--vmlinux': 'vmlinux',
  '--system-map': 'systemMap',
  '--kallsyms': 'kallsyms',
  '--modules': 'modules',
  '--source-root': 'sourceRoot',
  '--external': 'external',
};

async function cmdDecode(args: string[]): Promise<number> {
  const given: Partial<Record<'vmlinux' | 'systemMap' | 'kallsyms' | 'sourceRoot' | 'external', string>> & { modules: string[] } = { modules: [] };
  const files: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const eq = a.indexOf('=');
    const name = a.startsWith('--') && eq > 0 ? a.slice(0, eq) : a;
    const key = DECODE_OPTIONS[name];
    if (key) {
      const value = eq > 0 && a.startsWith('--') ? a.slice(eq + 1) : args[++i];
      if (value === undefined) {
        process.stderr.write(`kcrash decode: ${name} needs a value\n`);
        return 2;
      }
      if (key === 'modules') given.modules.push(value);
      else given[key] = value;
    } else if (a.startsWith('--')) {
      process.stderr.write(`kcrash: unknown option ${a}\n${USAGE}\n`);
      return 2;
    } else files.push(a);
  }
  if (files.length !== 1) {
    process.stderr.write(`kcrash decode: give one log file (or - for standard input)\n${USAGE}\n`);
    return 2;
  }
  const file = load(files[0]);
  if (isUnreadable(file)) return 2;
  const log = parseCrashLog(file.text);
  const { modulesNamedIn, releaseNamedIn } = await import('./symbolizer/query.ts');
  const release = releaseNamedIn(log.reports);
  const { discoverSources } = await import('./symbolizer/discover.ts');
  const { KernelSymbolizer } = await import('./symbolizer/kernelSymbolizer.ts');
  const { decodeLog } = await import('./decode.ts');
  const config = discoverSources(
    { vmlinux: given.vmlinux ?? null, systemMap: given.systemMap ?? null, modulePaths: given.modules, sourceRoot: given.sourceRoot ?? null, external: given.external ?? 'auto' },
    { logPath: files[0] === '-' ? null : files[0], workspaceFolders: [], release, trusted: true, base: process.cwd() },
  );
  if (given.kallsyms) config.kallsyms = { path: given.kallsyms, foundBy: 'command-line' };
  for (const s of [config.vmlinux, config.systemMap, config.kallsyms, ...config.modulePaths]) if (s?.foundBy === 'setting') s.foundBy = 'command-line';
  const symbolizer = new KernelSymbolizer(config);
  try {
    const status = await symbolizer.status(release, modulesNamedIn(log.reports, Infinity));
    if (!status.sources.some((s) => s.kind !== 'source-root')) process.stderr.write(`kcrash decode: no symbol files: give --vmlinux (with debug info), --system-map or --modules${release ? `, or install linux-image-${release}-dbg` : ''}\n`);
    for (const s of status.sources) {
      if (s.ok === false) process.stderr.write(`kcrash decode: ${s.error ?? `${s.path}: unusable`}\n`);
      else if (s.matches === false) process.stderr.write(`kcrash decode: ${s.path} is for ${s.release}, the log for ${release}: lines may be wrong\n`);
    }
    const result = await decodeLog(file.text, symbolizer, log);
    process.stdout.write(result.text);
    for (const note of result.notes.filter((n) => n.startsWith('⚠') || n.startsWith('Symbolizer')).slice(0, 10)) process.stderr.write(`kcrash decode: ${note.replace(/^⚠\s*/, '').replace(/`/g, '')}\n`);
    process.stderr.write(`kcrash decode: ${result.resolved} of ${result.entries} entries resolved to source lines\n`);
    return 0;
  } finally {
    symbolizer.dispose();
  }
}

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === 'lsp') {
    // The server's entry (dist/server.js beside dist/cli.js in the bundles): loading it starts the server.
    await import('./main.ts');
    return -1;
  }
  if (cmd === '--help' || cmd === '-h' || cmd === 'help') {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  if (cmd === 'parse') {
    const files = rest.filter((a) => a !== '--json');
    const unknown = files.find((a) => a.startsWith('--'));
    if (unknown || files.length === 0) {
      process.stderr.write(unknown ? `kcrash: unknown option ${unknown}\n${USAGE}\n` : `kcrash parse: no files given\n${USAGE}\n`);
      return 2;
    }
    return cmdParse(files, rest.includes('--json'));
  }
  if (cmd === 'decode') {
    // A decode is a few hundred ms of code that runs a few thousand times (DWARF walks, line
    // programs): with V8's default tier-up budget TurboFan compiles a dozen large functions that
    // the run ends before it pays back (~150 ms of compile on one core for a 40-frame oops). A
    // budget ~15x the default (67,584) leaves them in the baseline tiers and still optimizes what
    // runs long (1,000 addresses: no slower). Only this process, only V8's counter.
    v8.setFlagsFromString(`--interrupt-budget=${DECODE_INTERRUPT_BUDGET}`);
    return cmdDecode(rest);
  }
  if (cmd === 'check') {
    let format = 'text';
    const files: string[] = [];
    for (let i = 0; i < rest.length; i++) {
      const a = rest[i];
      if (a === '--format') format = rest[++i] ?? '';
      else if (a.startsWith('--format=')) format = a.slice(9);
      else if (a.startsWith('--') ) {
        process.stderr.write(`kcrash: unknown option ${a}\n${USAGE}\n`);
        return 2;
      } else files.push(a);
    }
    if (!['text', 'json', 'sarif'].includes(format)) {
      process.stderr.write(`kcrash check: --format must be text, json or sarif, not "${format}"\n`);
      return 2;
    }
    if (files.length === 0) {
      process.stderr.write(`kcrash check: no files given\n${USAGE}\n`);
      return 2;
    }
    return cmdCheck(files, format);
  }
  process.stderr.write(cmd ? `kcrash: unknown command ${cmd}\n${USAGE}\n` : `${USAGE}\n`);
  return 2;
}

if (require.main === module) {
  // `kcrash check big.log | head`: a closed pipe ends the output quietly, not with a stack trace.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
  main(process.argv.slice(2)).then(
    (code) => {
      if (code >= 0) process.exitCode = code;
    },
    (err) => {
      if (err instanceof OutputClosed) {
        process.exitCode = 0; // the reader has what it wanted (`| head`), as when stdout's EPIPE ends decode
        return;
      }
      process.stderr.write(`kcrash: ${err instanceof Error ? err.stack : String(err)}\n`);
      process.exitCode = 2;
    },
  );
}
