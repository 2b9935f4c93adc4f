// kcrash: the same parse and analysis as the language server, headless.
//   kcrash parse [--json] FILE...      an outline of each file, or NDJSON (one object per file)
//   kcrash check FILE... [--format text|json|sarif]
//   kcrash check --group [--format text|json] FILE|DIR...
//                                      the reports of many logs grouped by signature, largest group first
//   kcrash decode [--vmlinux F] [--system-map F] [--modules DIR]... [--source-root DIR] FILE
//                                      the log with source lines, as decode_stacktrace.sh prints them
//   kcrash lsp --stdio                 the language server
//   kcrash --version                   the version of package.json (put in by scripts/build.mjs)
import fs from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import v8 from 'node:v8';
import zlib from 'node:zlib';
import { analyze } from './analyzer/analyze.ts';
import type { Finding } from './analyzer/findings.ts';
import { Locator } from './analyzer/location.ts';
import { findingJson, JsonStrings, problemRuns, reportJson } from './modelJson.ts';
import type { ParsedLog } from './parser/model.ts';
import { parseCrashLog } from './parser/parse.ts';
import { Output, OutputClosed } from './output.ts';
import { renderOutline } from './outline.ts';
import { SarifWriter } from './sarif.ts';
import { expandInputs, groupJson, Grouping, groupText } from './group.ts';

/** package.json's version, put in by scripts/build.mjs (as for the server's initialize result); `dev` unbundled. */
declare const KCRASH_VERSION: string | undefined;
const version = typeof KCRASH_VERSION === 'string' ? KCRASH_VERSION : 'dev';

const USAGE = `usage: kcrash parse [--json] FILE...
       kcrash check [--format text|json|sarif] FILE...
       kcrash check --group [--format text|json] FILE|DIR...
       kcrash decode [--vmlinux F] [--system-map F] [--kallsyms F] [--modules DIR|F]... [--source-root DIR]
                     [--external off|auto|PATH] FILE
       kcrash lsp --stdio
       kcrash --version
FILE may be - for standard input; gzip-compressed files are read as they are.
--group reads every file below a DIR (hidden ones left out; binary or empty ones passed over) and
groups the reports of all files by signature: title and the functions of the reliable stack entries
(\`? \` entries, offsets, addresses and compiler suffixes left out); a crash report without one by
its title. Text: per group its count, title, top frames and where it occurs (file:line). JSON: one
object {"files":N,"reports":N,"groups":[{"count":N,"title":"...","frames":["..."],
"occurrences":[{"file":"...","line":N}]}],"passedOver":["..."]}, groups largest first.
Exit status of check: 2 when a file named could not be read, else 1 when any finding is a warning
or an error, else 0.`;

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

/** `check --group`: the reports of all files grouped by signature (group.ts); exit status as `check`'s. */
function cmdCheckGroup(args: string[], format: string): number {
  const out = new Output(1);
  const grouping = new Grouping();
  const passedOver: string[] = [];
  let worst = 0;
  let ioError = false;
  for (const input of expandInputs(args)) {
    const file = readFile(input.name);
    if (typeof file === 'string') {
      // A directory's binary or empty files are no logs: passed over. A file named, or one that cannot be read, is an error.
      if (input.found && !file.startsWith('cannot read')) {
        passedOver.push(input.name);
        continue;
      }
      process.stderr.write(`kcrash: ${input.name}: ${file}\n`);
      ioError = true;
      continue;
    }
    const log = parseCrashLog(file.text);
    if (worst === 0 && analyze(log).some((f) => f.severity === 'warning' || f.severity === 'error')) worst = 1;
    grouping.add(input.name, log.reports);
  }
  const groups = grouping.sorted();
  if (format === 'json') {
    out.write(`{"files":${grouping.files},"reports":${grouping.reports},"groups":[`);
    for (let i = 0; i < groups.length; i++) out.write((i === 0 ? '' : ',') + groupJson(groups[i]));
    out.write(`],"passedOver":${JSON.stringify(passedOver)}}\n`);
  } else {
    for (const g of groups) out.write(groupText(g));
  }
  out.flush();
  const over = passedOver.length > 0 ? `; ${passedOver.length} file(s) passed over (binary or empty)` : '';
  if (format !== 'json') process.stderr.write(`${grouping.reports} report(s) in ${grouping.files} file(s): ${groups.length} group(s)${over}\n`);
  return ioError ? 2 : worst;
}

type Options = NonNullable<ParseArgsConfig['options']>;
const HELP = { help: { type: 'boolean', short: 'h' } } as const;
/** The options of each command (util.parseArgs); anything else is an error (exit 2). */
const OPTIONS = {
  parse: { ...HELP, json: { type: 'boolean' } },
  check: { ...HELP, format: { type: 'string', default: 'text' }, group: { type: 'boolean' } },
  decode: {
    ...HELP,
    vmlinux: { type: 'string' },
    'system-map': { type: 'string' },
    kallsyms: { type: 'string' },
    modules: { type: 'string', multiple: true, default: [] },
    'source-root': { type: 'string' },
    external: { type: 'string' },
  },
  // The transports vscode-languageserver reads from the command line (stdio when none is given).
  lsp: {
    ...HELP,
    stdio: { type: 'boolean' },
    'node-ipc': { type: 'boolean' },
    socket: { type: 'string' },
    pipe: { type: 'string' },
    clientProcessId: { type: 'string' },
  },
} satisfies Record<string, Options>;

/**
 * The options and files of a command line (`run` calls util.parseArgs with the command's OPTIONS),
 * or the exit status after a message: 0 for --help (the usage on stdout), 2 for anything
 * util.parseArgs refuses (one line saying what, then the usage).
 */
function parseCommand<T extends { values: { help?: boolean } }>(cmd: keyof typeof OPTIONS, run: () => T): T | number {
  let parsed: T;
  try {
    parsed = run();
  } catch (err) {
    const e = err as Error & { code?: string };
    const named = /'(-[^' ]*)/.exec(e.message)?.[1];
    const why =
      e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && named
        ? `unknown option ${named}${cmd === 'lsp' ? '' : ` (a file whose name starts with - goes after --: kcrash ${cmd} -- ${named})`}`
        : e.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && named && / argument missing$/.test(e.message)
          ? `${named} needs a value`
          : e.code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL'
            ? `unexpected argument ${/'([^']*)'/.exec(e.message)?.[1] ?? ''}`.trimEnd()
            : e.message.replace(/\s*\n\s*/g, ' ');
    process.stderr.write(`kcrash ${cmd}: ${why}\n${USAGE}\n`);
    return 2;
  }
  if (parsed.values.help) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  return parsed;
}

interface DecodeOptions {
  vmlinux?: string;
  'system-map'?: string;
  kallsyms?: string;
  modules: string[];
  'source-root'?: string;
  external?: string;
}

async function cmdDecode(given: DecodeOptions, files: string[]): Promise<number> {
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
    {
      vmlinux: given.vmlinux ?? null,
      systemMap: given['system-map'] ?? null,
      modulePaths: given.modules,
      sourceRoot: given['source-root'] ?? null,
      external: given.external ?? 'auto',
    },
    { logPath: files[0] === '-' ? null : files[0], workspaceFolders: [], release, trusted: true, base: process.cwd() },
  );
  if (given.kallsyms) config.kallsyms = { path: given.kallsyms, foundBy: 'command-line' };
  for (const s of [config.vmlinux, config.systemMap, config.kallsyms, ...config.modulePaths]) if (s?.foundBy === 'setting') s.foundBy = 'command-line';
  const symbolizer = new KernelSymbolizer(config);
  try {
    const status = await symbolizer.status(release, modulesNamedIn(log.reports, Infinity));
    if (!status.sources.some((s) => s.kind !== 'source-root'))
      process.stderr.write(
        `kcrash decode: no symbol files: give --vmlinux (with debug info), --system-map or --modules${release ? `, or install linux-image-${release}-dbg` : ''}\n`,
      );
    for (const s of status.sources) {
      if (s.ok === false) process.stderr.write(`kcrash decode: ${s.error ?? `${s.path}: unusable`}\n`);
      else if (s.matches === false) process.stderr.write(`kcrash decode: ${s.path} is for ${s.release}, the log for ${release}: lines may be wrong\n`);
    }
    const result = await decodeLog(file.text, symbolizer, log);
    process.stdout.write(result.text);
    for (const note of result.notes.filter((n) => n.startsWith('⚠') || n.startsWith('Symbolizer')).slice(0, 10))
      process.stderr.write(`kcrash decode: ${note.replace(/^⚠\s*/, '').replace(/`/g, '')}\n`);
    process.stderr.write(`kcrash decode: ${result.resolved} of ${result.entries} entries resolved to source lines\n`);
    return 0;
  } finally {
    symbolizer.dispose();
  }
}

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === '--help' || cmd === '-h' || cmd === 'help') {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  if (cmd === '--version') {
    process.stdout.write(`${version}\n`);
    return 0;
  }
  if (cmd === 'lsp') {
    // vscode-languageserver reads the transport from process.argv itself.
    const parsed = parseCommand('lsp', () => parseArgs({ args: rest, options: OPTIONS.lsp, strict: true }));
    if (typeof parsed === 'number') return parsed;
    // The server's entry (dist/server.js beside dist/cli.js in the bundles): loading it starts the server.
    await import('./main.ts');
    return -1;
  }
  if (cmd === 'parse') {
    const parsed = parseCommand('parse', () => parseArgs({ args: rest, options: OPTIONS.parse, allowPositionals: true, strict: true }));
    if (typeof parsed === 'number') return parsed;
    if (parsed.positionals.length === 0) {
      process.stderr.write(`kcrash parse: no files given\n${USAGE}\n`);
      return 2;
    }
    return cmdParse(parsed.positionals, parsed.values.json === true);
  }
  if (cmd === 'decode') {
    const parsed = parseCommand('decode', () => parseArgs({ args: rest, options: OPTIONS.decode, allowPositionals: true, strict: true }));
    if (typeof parsed === 'number') return parsed;
    // A decode is a few hundred ms of code that runs a few thousand times (DWARF walks, line
    // programs): with V8's default tier-up budget TurboFan compiles a dozen large functions that
    // the run ends before it pays back (~150 ms of compile on one core for a 40-frame oops). A
    // budget ~15x the default (67,584) leaves them in the baseline tiers and still optimizes what
    // runs long (1,000 addresses: no slower). Only this process, only V8's counter.
    v8.setFlagsFromString(`--interrupt-budget=${DECODE_INTERRUPT_BUDGET}`);
    return cmdDecode(parsed.values, parsed.positionals);
  }
  if (cmd === 'check') {
    const parsed = parseCommand('check', () => parseArgs({ args: rest, options: OPTIONS.check, allowPositionals: true, strict: true }));
    if (typeof parsed === 'number') return parsed;
    const format = parsed.values.format;
    if (!['text', 'json', 'sarif'].includes(format)) {
      process.stderr.write(`kcrash check: --format must be text, json or sarif, not "${format}"\n${USAGE}\n`);
      return 2;
    }
    if (parsed.values.group && format === 'sarif') {
      process.stderr.write(`kcrash check: --group prints text or json, not sarif\n${USAGE}\n`);
      return 2;
    }
    if (parsed.positionals.length === 0) {
      process.stderr.write(`kcrash check: no files given\n${USAGE}\n`);
      return 2;
    }
    return parsed.values.group ? cmdCheckGroup(parsed.positionals, format) : cmdCheck(parsed.positionals, format);
  }
  if (cmd?.startsWith('-')) process.stderr.write(`kcrash: unknown option ${cmd}\n${USAGE}\n`);
  else process.stderr.write(cmd ? `kcrash: unknown command ${cmd}\n${USAGE}\n` : `${USAGE}\n`);
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
