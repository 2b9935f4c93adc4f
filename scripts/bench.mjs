// Parser and analyzer benchmark: throughput, linearity, memory, pathological inputs.
//
//   npm run bench                       (= npm run build && node --expose-gc scripts/bench.mjs)
//   node scripts/bench.mjs --mb 20      smaller main log (default 100 MB)
//   node scripts/bench.mjs --profile    also CPU-profile one parse+analyze of the main log and list the hot spots
//   node scripts/bench.mjs --skip-pathological
//   node scripts/bench.mjs --limit 30  time limit per pathological child process, seconds (default 30)
//   node scripts/bench.mjs --keep-tmp   keep the generated logs and the bundle (path printed on stderr)
//
// What it does:
//  1. Bundles server/src/parser/parse.ts + server/src/analyzer/analyze.ts with esbuild into a temporary
//     CommonJS file (dist/cli.js is a CLI, not a library).
//  2. Builds three kinds of log of --mb MB (and 10 MB each) in os.tmpdir(), two from the repository's own logs:
//       - console: whole boot consoles of a real Debian kernel (test/fixtures/real-debian-console-*.log:
//         the boot messages, then the crash). About one line in eight belongs to a report, as in the
//         console logs of the conformance corpus (median 8% over its logs of 20 KB and more).
//       - crash-dense: every other fixture (test/fixtures/*.log, examples/*.log): cut-out reports, so
//         almost every line belongs to one. The worst case: each line costs the most work.
//     The files are concatenated over and over in a seeded random order, each copy with its own time
//     stamps (a running clock), PIDs / printk caller ids and data addresses, so the text is not one
//     block repeated verbatim.
//       - syzbot-dense: the report bodies of the conformance corpus (../shared/corpus/syzkaller/report,
//         read from beside the repository, never copied into it) over and over, bytes as they are
//         (scripts/bench-logs.mjs). Left out, with one line saying so, when the corpus is absent.
//  3. Every measurement runs in a child process (`node --expose-gc`, pinned to one CPU with taskset
//     when available), so that heaps do not carry over and a runaway case can be killed:
//       - throughput, for each kind: parse+analyze of the whole file, one warm-up run, then best of 3;
//         the same file is counted by `grep -c 'Call Trace'` (best of 3, also pinned) as the reference;
//       - linearity, for each kind: the same for the 10 MB file, and the 100 MB / 10 MB time ratio;
//       - memory, for each kind: see measureMemory() below for what is counted;
//       - pathological inputs at 1 MB and 10 MB each (a warm-up run, then best of 2), time per MB and
//         the 10 MB / 1 MB ratio (a case that takes longer than the time limit is killed and reported).
//  4. Prints a table and, as the last line, one JSON object with every number. Deletes its temp files.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire, SourceMap } from 'node:module';
import { SYZBOT_REPORTS, syzbotBodies, writeSyzbotDense } from './bench-logs.mjs';

const ROOT = path.resolve(import.meta.dirname, '..');
const SELF = path.join(ROOT, 'scripts', 'bench.mjs');
const MB = 1024 * 1024;

// ------------------------------------------------------------------------------------------------
// Child mode: `node --expose-gc scripts/bench.mjs --child <task> <entry.cjs> <file> [args]`. Prints one JSON line.

if (process.argv[2] === '--child') {
  await child(process.argv[3], process.argv[4], process.argv[5], process.argv.slice(6));
  process.exit(0);
}

async function child(task, entry, file, rest) {
  const { parseCrashLog, analyze } = createRequire(import.meta.url)(entry);
  const gc = globalThis.gc ?? (() => {});
  const run = (text) => {
    const t0 = process.hrtime.bigint();
    const log = parseCrashLog(text);
    const findings = analyze(log);
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    return { ms, log, findings };
  };
  const out = (o) => process.stdout.write(JSON.stringify(o) + '\n');

  if (task === 'time') {
    // rest: [repeats, warmup(0|1)]
    const repeats = Number(rest[0] ?? 3);
    const warmup = rest[1] !== '0';
    const text = fs.readFileSync(file, 'utf8');
    const bytes = fs.statSync(file).size;
    const times = [];
    let reports = 0;
    let frames = 0;
    let reportLines = 0;
    let findings = 0;
    if (warmup) run(text);
    for (let i = 0; i < repeats; i++) {
      gc();
      const r = run(text);
      times.push(r.ms);
      reports = r.log.reports.length;
      frames = r.log.reports.reduce((n, x) => n + x.stacks.reduce((m, s) => m + s.frames.length, 0), 0);
      reportLines = r.log.reports.reduce((n, x) => n + x.endLine - x.line + 1, 0);
      findings = r.findings.length;
    }
    out({ bytes, chars: text.length, lines: text.split('\n').length, times, best: Math.min(...times), reports, reportLines, frames, findings });
    return;
  }

  if (task === 'memory') {
    out(measureMemory(file, run, gc));
    return;
  }
  throw new Error(`unknown child task ${task}`);
}

/**
 * Memory of one parse+analyze, relative to the file size.
 *
 * Baseline: after the file has been read into a JS string and the read buffer collected (gc()), so the
 * input text itself (a one-byte V8 string, 1 byte per character for ASCII/Latin-1 text) is NOT counted;
 * neither is the bundled code. Counted against it:
 *  - peakRss: the process's RSS high-water mark (getrusage ru_maxrss, kept by the kernel, so it is a true
 *    peak, not a sample) during parse+analyze, minus the RSS at the baseline. This includes everything the
 *    parser allocates and has not yet been collected (sliced strings, regex match arrays, the result),
 *    plus V8's heap slack (new-space semi-spaces, old-space pages reserved ahead).
 *  - heapAfter: V8 heapUsed right after parse+analyze returned (result alive, garbage not yet collected)
 *    minus the baseline heapUsed.
 *  - retained: heapUsed after a full gc() with the result (ParsedLog + findings) still referenced, minus
 *    the baseline: the size of the result itself.
 * The ratios divide these by the file size in bytes.
 */
function measureMemory(file, run, gc) {
  const bytes = fs.statSync(file).size;
  let text = fs.readFileSync(file, 'utf8');
  gc();
  gc();
  const base = process.memoryUsage();
  const baseMaxRss = process.resourceUsage().maxRSS * 1024; // maxRSS is in KiB
  const r = run(text);
  const after = process.memoryUsage();
  const peakRss = process.resourceUsage().maxRSS * 1024;
  gc();
  gc();
  const retained = process.memoryUsage();
  const keep = [r.log.reports.length, r.findings.length]; // keep the result alive up to here
  text = null;
  return {
    bytes,
    ms: r.ms,
    baseRss: base.rss,
    baseHeap: base.heapUsed,
    baseMaxRss,
    peakRss,
    peakRssDelta: peakRss - Math.max(base.rss, 0),
    heapAfterDelta: after.heapUsed - base.heapUsed,
    retainedDelta: retained.heapUsed - base.heapUsed,
    rssAfter: after.rss,
    kept: keep,
  };
}

// ------------------------------------------------------------------------------------------------
// Parent mode.

const argv = process.argv.slice(2);
const flag = (name) => argv.includes(name);
const opt = (name, def) => {
  const i = argv.indexOf(name);
  return i >= 0 && i + 1 < argv.length ? argv[i + 1] : def;
};
const MAIN_MB = Number(opt('--mb', process.env.BENCH_MB ?? 100));
const SMALL_MB = Math.min(10, MAIN_MB);
const TIME_LIMIT_MS = Number(opt('--limit', 30)) * 1000; // per child run of a pathological case
/** A 10 MB run faster than this is linear enough whatever the ratio says (the 1 MB time is then mostly noise). */
const FAST_MS = 100;
const HAS_TASKSET = spawnSync('taskset', ['-c', '0', 'true']).status === 0;
const CPU = String(Math.max(0, os.cpus().length - 1)); // the last CPU; leaves CPU 0 to the OS and this process

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kcrash-bench-'));
let cleaned = false;
const cleanup = () => {
  if (cleaned) return;
  cleaned = true;
  if (flag('--keep-tmp')) process.stderr.write(`kept ${tmp}\n`);
  else fs.rmSync(tmp, { recursive: true, force: true });
};
process.on('exit', cleanup);
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => (cleanup(), process.exit(130)));

const pinned = (cmd, args) => (HAS_TASKSET ? ['taskset', ['-c', CPU, cmd, ...args]] : [cmd, args]);

function runChild(task, entry, file, args = [], { timeout = 0, nodeFlags = [] } = {}) {
  const [cmd, cargs] = pinned(process.execPath, ['--expose-gc', '--max-old-space-size=8192', ...nodeFlags, SELF, '--child', task, entry, file, ...args]);
  const r = spawnSync(cmd, cargs, { encoding: 'utf8', timeout: timeout || undefined, maxBuffer: 64 * MB, killSignal: 'SIGKILL' });
  if (r.error && r.error.code === 'ETIMEDOUT') return { timedOut: true };
  if (r.signal === 'SIGKILL' && timeout) return { timedOut: true };
  if (r.status !== 0) throw new Error(`child ${task} ${path.basename(file)} failed (${r.status ?? r.signal}):\n${r.stderr}`);
  const last = r.stdout.trim().split('\n').pop();
  return JSON.parse(last);
}

function log(s = '') {
  process.stderr.write(s + '\n');
}

// 1. Bundle the parser and analyzer. -----------------------------------------------------------------

const { build } = await import(path.join(ROOT, 'node_modules', 'esbuild', 'lib', 'main.js'));
const ENTRY = path.join(tmp, 'bench-entry.cjs');
await build({
  stdin: {
    contents: `export { parseCrashLog } from './server/src/parser/parse.ts';\nexport { analyze } from './server/src/analyzer/analyze.ts';\n`,
    resolveDir: ROOT,
    loader: 'ts',
    sourcefile: 'bench-entry.ts',
  },
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node18',
  outfile: ENTRY,
  sourcemap: 'linked', // the CPU profile maps back to server/src/... through it
  sourcesContent: false,
  logLevel: 'warning',
});

// 2. The test logs. ---------------------------------------------------------------------------------

/** xorshift32: the corpus is the same on every run. */
function rng(seed) {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 0x100000000;
  };
}

/** The fixtures, by kind of benchmark log (see the top of this file). */
function loadSources() {
  const out = [];
  for (const dir of ['test/fixtures', 'examples']) {
    const abs = path.join(ROOT, dir);
    if (!fs.existsSync(abs)) continue;
    for (const n of fs.readdirSync(abs).sort()) {
      if (n.endsWith('.log')) out.push({ name: `${dir}/${n}`, text: fs.readFileSync(path.join(abs, n), 'utf8').replace(/\r\n/g, '\n') });
    }
  }
  const isConsole = (s) => /\/real-debian-console-[^/]*\.log$/.test(s.name);
  return { console: out.filter(isConsole), 'crash-dense': out.filter((s) => !isConsole(s)) };
}

/**
 * Writes `sizes` (bytes, ascending) files that are prefixes of one generated stream: copies of the source
 * logs with a running clock, fresh PIDs/caller ids and shifted data addresses per copy.
 */
function writeConsoleLogs(sources, sizes, files) {
  const rand = rng(0x5eed);
  const fds = files.map((f) => fs.openSync(f, 'w'));
  const written = sizes.map(() => 0);
  let clock = 5.0;
  const target = sizes[sizes.length - 1];
  let total = 0;
  const hex4 = () =>
    Math.floor(rand() * 0x10000)
      .toString(16)
      .padStart(4, '0');
  while (total < target) {
    const src = sources[Math.floor(rand() * sources.length)];
    const pid = 100 + Math.floor(rand() * 30000);
    const cpu = Math.floor(rand() * 8);
    const salt = hex4();
    let first = null;
    let last = clock;
    let text = src.text
      .replace(/\[( *)(\d+)\.(\d{6})\]/g, (_m, pad, s, us) => {
        const t = Number(s) + Number(us) / 1e6;
        if (first === null) first = t;
        const now = clock + Math.max(0, t - first);
        last = Math.max(last, now);
        const str = now.toFixed(6);
        return `[${str.padStart(pad.length + s.length + 7)}]`;
      })
      .replace(/\[ *T\d+\]/g, `[${('T' + pid).padStart(6)}]`)
      .replace(/\b(PID: |pid:\s*|Pid: )\d+/g, (_m, p) => p + pid)
      .replace(/\bCPU: \d+/g, `CPU: ${cpu}`)
      .replace(/\bffff88([0-9a-f]{4})/g, `ffff88${salt}`);
    clock = last + 0.5 + rand() * 30;
    if (!text.endsWith('\n')) text += '\n';
    const buf = Buffer.from(text, 'utf8');
    for (let i = 0; i < sizes.length; i++) {
      if (written[i] >= sizes[i]) continue;
      // Cut the last copy at a line end so that every file ends with a whole line.
      let chunk = buf;
      if (written[i] + buf.length > sizes[i]) {
        const room = sizes[i] - written[i];
        const nl = buf.lastIndexOf(10, room - 1);
        chunk = buf.subarray(0, nl >= 0 ? nl + 1 : room);
        written[i] = sizes[i];
      } else {
        written[i] += buf.length;
      }
      fs.writeSync(fds[i], chunk);
    }
    total += buf.length;
  }
  fds.forEach((fd) => fs.closeSync(fd));
}

/** Writes `bytes` bytes of `gen(i)` output (strings) to a file, cut to the size at a character boundary. */
function writeGenerated(file, bytes, gen) {
  const fd = fs.openSync(file, 'w');
  let n = 0;
  let buf = [];
  let bufLen = 0;
  for (let i = 0; n < bytes; i++) {
    const piece = Buffer.from(gen(i), 'utf8');
    const take = Math.min(piece.length, bytes - n);
    buf.push(take === piece.length ? piece : piece.subarray(0, take));
    bufLen += take;
    n += take;
    if (bufLen > 4 * MB) {
      fs.writeSync(fd, Buffer.concat(buf));
      buf = [];
      bufLen = 0;
    }
  }
  if (buf.length) fs.writeSync(fd, Buffer.concat(buf));
  fs.closeSync(fd);
}

const PATHOLOGICAL = [
  {
    id: 'single-line',
    what: 'one line, no newline: kernel-ish tokens',
    gen: () => 'RIP: 0010:do_thing+0x1/0x2 [<ffffffff81000000>] ? bar+0x3/0x4 Code: 48 8b <0f> 0b <IRQ> ',
  },
  {
    id: 'binary',
    what: 'random bytes with NULs (decoded as UTF-8)',
    bytesGen: (bytes) => {
      const r = rng(42);
      const b = Buffer.alloc(bytes);
      for (let i = 0; i < bytes; i++) b[i] = r() < 0.05 ? 0 : Math.floor(r() * 256);
      return b;
    },
  },
  {
    id: 'question-lines',
    what: '`? ` lines, distinct entries, one stack',
    gen: (i) => (i === 0 ? 'Call Trace:\n' : '') + ` ? fn_${i % 50000}+0x${(i % 4093).toString(16)}/0x${(4096 + (i % 777)).toString(16)}\n`,
  },
  {
    id: 'question-lines-same',
    what: '`? ` lines, all the same entry',
    gen: (i) => (i === 0 ? 'Call Trace:\n' : '') + ' ? do_thing+0x1f/0x80\n',
  },
  {
    id: 'register-lines',
    what: 'register lines only (one block after a RIP line)',
    gen: (i) =>
      (i === 0 ? 'BUG: kernel NULL pointer dereference, address: 0000000000000008\nRIP: 0010:do_thing+0x1f/0x80\n' : '') +
      [
        'RAX: 0000000000000000 RBX: ffff88810c3a2800 RCX: ffffffff8a1d9f31\n',
        'RDX: ffff888104a8a4c0 RSI: ffffffff8a1da5a2 RDI: 0000000000000005\n',
        'R13: 0000000000000600 R14: ffff888107e61e00 R15: dffffc0000000000\n',
      ][i % 3],
  },
  {
    id: 'addr-lines',
    what: '`[<ffffffff81000000>] ` one per line',
    gen: () => '[<ffffffff81000000>] \n',
  },
  {
    id: 'addr-one-line',
    what: '`[<ffffffff81000000>] ` repeated, no newline',
    gen: () => '[<ffffffff81000000>] ',
  },
  {
    id: 'code-after-regs',
    what: 'RIP blocks whose Code line comes 3 lines later (one report)',
    gen: (i) => (i === 0 ? 'BUG: soft lockup - CPU#1 stuck for 23s! [x:1]\n' : '') + `RIP: 0010:fn_${i}+0x1/0x2\nPGD 0\nPGD 0\nPGD 0\nCode: 48 8b <0f> 0b\n`,
  },
  {
    id: 'rip-and-question',
    what: 'RIP lines alternating with `? ` entries (one report)',
    gen: (i) => (i === 0 ? 'BUG: soft lockup - CPU#1 stuck for 23s! [x:1]\n' : '') + `RIP: 0010:fn_${i}+0x1/0x2\n ? other_${i}+0x3/0x4\n`,
  },
  {
    id: 'unclosed-markers',
    what: '`Call Trace:`, ` <IRQ>` lines, then ` </NMI>` lines that close nothing',
    twoHalves: [' <IRQ>\n', ' </NMI>\n'],
    head: 'Call Trace:\n',
  },
];

function writePathological(c, file, bytes) {
  if (c.bytesGen) fs.writeFileSync(file, c.bytesGen(bytes));
  else if (c.twoHalves) writeGenerated(file, bytes, (i) => (i === 0 ? c.head : '') + (i * c.twoHalves[0].length < bytes / 2 ? c.twoHalves[0] : c.twoHalves[1]));
  else writeGenerated(file, bytes, c.gen);
}

// 3. Measurements. -----------------------------------------------------------------------------------

function grepTime(file, repeats = 3) {
  const times = [];
  let count = null;
  for (let i = 0; i < repeats; i++) {
    const [cmd, args] = pinned('grep', ['-c', 'Call Trace', file]);
    const t0 = process.hrtime.bigint();
    const r = spawnSync(cmd, args, { encoding: 'utf8' });
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    count = Number(r.stdout.trim());
  }
  return { best: Math.min(...times), times, count };
}

/** MB/s parse+analyze should reach, by kind of log (a console log is mostly boot lines, cheaper to pass over). */
const THROUGHPUT_TARGET = { console: 150, 'crash-dense': 100, 'syzbot-dense': 100 };

const fmt = (n, d = 1) => (n === null || n === undefined || Number.isNaN(n) ? '-' : n.toFixed(d));
const mbps = (bytes, ms) => bytes / MB / (ms / 1000);

const result = {
  node: process.version,
  cpus: os.cpus().length,
  cpuModel: os.cpus()[0]?.model ?? '?',
  pinned: HAS_TASKSET ? `taskset -c ${CPU}` : 'no',
  sources: [],
};
const t0 = Date.now();
try {
  const kinds = loadSources();
  for (const [kind, sources] of Object.entries(kinds)) {
    if (!sources.length) throw new Error(`no fixtures for the ${kind} log`);
    result.sources.push(...sources.map((s) => s.name));
  }
  result.kinds = {};
  // Each kind: its source names and a writer of prefixes of one stream (sizes ascending).
  const builders = Object.entries(kinds).map(([kind, sources]) => ({
    kind,
    sources: sources.map((s) => s.name),
    write: (sizes, files) => (writeConsoleLogs(sources, sizes, files), true),
  }));
  const syzbot = syzbotBodies();
  if (syzbot.bodies) {
    builders.push({
      kind: 'syzbot-dense',
      sources: [`${path.relative(ROOT, SYZBOT_REPORTS)} (${syzbot.bodies.length} report bodies)`],
      write: writeSyzbotDense,
    });
  } else {
    // Said once, in the table below (and in the JSON).
    result.skippedKinds = { 'syzbot-dense': syzbot.reason };
  }
  for (const { kind, sources, write } of builders) {
    const R = (result.kinds[kind] = { sources });
    const mainFile = path.join(tmp, `${kind}-${MAIN_MB}mb.log`);
    const smallFile = path.join(tmp, `${kind}-${SMALL_MB}mb.log`);
    log(`${kind}: building ${MAIN_MB} MB and ${SMALL_MB} MB logs from ${sources.length} source(s) in ${tmp} ...`);
    if (SMALL_MB < MAIN_MB) write([SMALL_MB * MB, MAIN_MB * MB], [smallFile, mainFile]);
    else write([MAIN_MB * MB], [mainFile]);

    // Throughput on the main log, and grep as the reference.
    log(`${kind}: throughput, warm-up + best of 3 ...`);
    const big = runChild('time', ENTRY, mainFile, ['3', '1']);
    const grep = grepTime(mainFile);
    R.throughput = {
      file: `${MAIN_MB} MB`,
      bytes: big.bytes,
      lines: big.lines,
      reportLines: big.reportLines,
      reports: big.reports,
      frames: big.frames,
      findings: big.findings,
      timesMs: big.times.map((t) => +t.toFixed(1)),
      bestMs: +big.best.toFixed(1),
      mbPerS: +mbps(big.bytes, big.best).toFixed(1),
      target: THROUGHPUT_TARGET[kind] ?? 100,
      grepMs: +grep.best.toFixed(1),
      grepCount: grep.count,
      grepMbPerS: +mbps(big.bytes, grep.best).toFixed(1),
      slowerThanGrep: +(big.best / grep.best).toFixed(1),
    };

    // Linearity.
    if (SMALL_MB < MAIN_MB) {
      log(`${kind}: linearity, ${SMALL_MB} MB, warm-up + best of 3 ...`);
      const small = runChild('time', ENTRY, smallFile, ['3', '1']);
      R.linearity = {
        smallMs: +small.best.toFixed(1),
        bigMs: +big.best.toFixed(1),
        sizeRatio: +(big.bytes / small.bytes).toFixed(2),
        timeRatio: +(big.best / small.best).toFixed(2),
        target: 11,
      };
    }

    // Memory.
    log(`${kind}: memory, one parse+analyze in a fresh process ...`);
    const mem = runChild('memory', ENTRY, mainFile);
    R.memory = {
      bytes: mem.bytes,
      baseRssMB: +(mem.baseRss / MB).toFixed(1),
      peakRssMB: +(mem.peakRss / MB).toFixed(1),
      peakRssDeltaMB: +(mem.peakRssDelta / MB).toFixed(1),
      heapAfterDeltaMB: +(mem.heapAfterDelta / MB).toFixed(1),
      retainedDeltaMB: +(mem.retainedDelta / MB).toFixed(1),
      peakRssRatio: +(mem.peakRssDelta / mem.bytes).toFixed(2),
      heapAfterRatio: +(mem.heapAfterDelta / mem.bytes).toFixed(2),
      retainedRatio: +(mem.retainedDelta / mem.bytes).toFixed(2),
      totalPeakRssRatio: +(mem.peakRss / mem.bytes).toFixed(2),
      target: 3,
    };
    if (!flag('--keep-tmp')) fs.rmSync(smallFile, { force: true });
    R.mainFile = mainFile;
  }
  // The profile is of the crash-dense log, where the parser works hardest.
  const mainFile = result.kinds['crash-dense'].mainFile;
  for (const R of Object.values(result.kinds)) delete R.mainFile;

  // CPU profile (optional).
  if (flag('--profile')) {
    log('profile: one parse+analyze under --cpu-prof ...');
    const profDir = path.join(tmp, 'prof');
    fs.mkdirSync(profDir);
    runChild('time', ENTRY, mainFile, ['1', '0'], { nodeFlags: ['--cpu-prof', `--cpu-prof-dir=${profDir}`] });
    const prof = JSON.parse(fs.readFileSync(path.join(profDir, fs.readdirSync(profDir)[0]), 'utf8'));
    result.profile = topSelf(prof, 20);
    if (opt('--keep-profile', null)) fs.copyFileSync(path.join(profDir, fs.readdirSync(profDir)[0]), opt('--keep-profile'));
  }
  if (!flag('--keep-tmp')) for (const kind of Object.keys(result.kinds)) fs.rmSync(path.join(tmp, `${kind}-${MAIN_MB}mb.log`), { force: true });

  // Pathological inputs.
  if (!flag('--skip-pathological')) {
    result.pathological = [];
    const timeCase = (c, label, mb, args) => {
      const file = path.join(tmp, `${c.id}-${label}.log`);
      writePathological(c, file, Math.round(mb * MB));
      log(`pathological: ${c.id} ${label} ...`);
      try {
        return runChild('time', ENTRY, file, args, { timeout: TIME_LIMIT_MS });
      } finally {
        fs.rmSync(file, { force: true });
      }
    };
    for (const c of PATHOLOGICAL) {
      const row = { id: c.id, what: c.what, ms1MB: null, ms10MB: null, ratio: null, ok: false };
      // Both sizes: one warm-up run, then best of 2, so that the ratio compares warm code with warm
      // code (a cold 10 MB run against a warm 1 MB one made the ratio look worse than the growth).
      // A child process is killed at the time limit.
      const one = timeCase(c, '1MB', 1, ['2', '1']);
      if (one.timedOut) {
        // Already too slow at 1 MB: time 0.1 MB to show how it grows.
        row.timedOut1MB = true;
        const tenth = timeCase(c, '0.1MB', 0.1, ['1', '1']);
        if (!tenth.timedOut) {
          row.ms01MB = +tenth.best.toFixed(1);
          row.ratio = `>${(TIME_LIMIT_MS / tenth.best).toFixed(0)} (1MB/0.1MB)`;
        }
      } else {
        row.ms1MB = +one.best.toFixed(1);
        row.msPerMB1MB = +one.best.toFixed(2);
        if (one.best * 10 * 3 > TIME_LIMIT_MS) {
          // Even linear 10 MB runs (warm-up and two timed) would pass the limit: not run; the time per
          // MB already says enough.
          row.skipped10MB = true;
          row.ratio = 'not run';
        } else {
          const ten = timeCase(c, '10MB', 10, ['2', '1']);
          if (ten.timedOut) {
            row.timedOut10MB = true;
            row.ratio = `>${(TIME_LIMIT_MS / 3 / one.best).toFixed(1)}`;
          } else {
            row.ms10MB = +ten.best.toFixed(1);
            row.msPerMB10MB = +(ten.best / 10).toFixed(2);
            row.ratio = +(ten.best / one.best).toFixed(1);
            row.ok = row.ratio <= 11 || ten.best < FAST_MS;
          }
        }
      }
      result.pathological.push(row);
    }
  }
} finally {
  cleanup();
}
result.benchSeconds = Math.round((Date.now() - t0) / 1000);

/** Top functions by self time from a .cpuprofile, mapped back to server/src/... through the bundle's source map. */
function topSelf(prof, n) {
  let map = null;
  try {
    map = new SourceMap(JSON.parse(fs.readFileSync(ENTRY + '.map', 'utf8')));
  } catch {}
  const where = (cf) => {
    if (!cf.url) return '(native)';
    if (map && cf.url.endsWith('bench-entry.cjs') && cf.lineNumber >= 0) {
      const e = map.findEntry(cf.lineNumber, cf.columnNumber);
      if (e?.originalSource) return `${path.relative(ROOT, e.originalSource.replace(/^file:\/\//, ''))}:${e.originalLine + 1}`;
    }
    return `${path.basename(cf.url)}:${cf.lineNumber + 1}`;
  };
  const self = new Map();
  const byId = new Map(prof.nodes.map((x) => [x.id, x]));
  const dt = prof.timeDeltas;
  for (let i = 0; i < prof.samples.length; i++) {
    const node = byId.get(prof.samples[i]);
    const cf = node.callFrame;
    const key = `${cf.functionName || '(anonymous)'} ${where(cf)}`;
    self.set(key, (self.get(key) ?? 0) + (dt[i] ?? 0));
  }
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  return [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([k, us]) => ({ fn: k, ms: +(us / 1000).toFixed(1), pct: +((100 * us) / total).toFixed(1) }));
}

// 4. Report. ----------------------------------------------------------------------------------------

const out = [];
out.push('');
out.push(`kcrash parser benchmark  (node ${result.node}, ${result.cpus} CPUs, ${result.cpuModel}; child processes pinned: ${result.pinned})`);
out.push('');
out.push(`${'measure'.padEnd(44)}  ${'value'.padEnd(22)}  ${'target'.padEnd(7)}  verdict`);
out.push(`${'-'.repeat(44)}  ${'-'.repeat(22)}  ${'-'.repeat(7)}  -------`);
const row = (name, value, target, ok) =>
  out.push(`${name.padEnd(44)}  ${String(value).padEnd(22)}  ${String(target).padEnd(7)}  ${ok === null ? '' : ok ? 'ok' : 'MISS'}`.trimEnd());
const KIND_TITLES = {
  console: 'console log: whole boot consoles of a real Debian kernel',
  'crash-dense': 'crash-dense log: cut-out reports only (the worst case)',
  'syzbot-dense': "syzbot-dense log: the syzkaller corpus's report bodies, bytes as they are",
};
for (const [kind, R] of Object.entries(result.kinds ?? {})) {
  out.push(`${KIND_TITLES[kind] ?? kind}  [${R.sources.length} source logs]`);
  const T = R.throughput;
  if (T) {
    row(`  parse+analyze ${T.file}, best of 3`, `${fmt(T.bestMs / 1000, 2)} s`, '', null);
    row('    throughput', `${fmt(T.mbPerS)} MB/s`, `>= ${T.target}`, T.mbPerS >= T.target);
    out.push(`    (${T.lines} lines, ${fmt((100 * T.reportLines) / T.lines)}% of them in ${T.reports} reports; ${T.frames} frames, ${T.findings} findings)`);
    row("  grep -c 'Call Trace' (same file)", `${fmt(T.grepMs)} ms`, '', null);
    row('    grep throughput', `${fmt(T.grepMbPerS)} MB/s`, '', null);
    row('    parse+analyze / grep time', `${fmt(T.slowerThanGrep)}x`, '', null);
  }
  if (R.linearity) {
    const L = R.linearity;
    row(
      `  time ${MAIN_MB} MB / ${SMALL_MB} MB (size x${L.sizeRatio})`,
      `${fmt(L.timeRatio, 2)} (${fmt(L.bigMs, 0)}/${fmt(L.smallMs, 0)} ms)`,
      '<= 11',
      L.timeRatio <= 11,
    );
  }
  if (R.memory) {
    const M = R.memory;
    row('  peak RSS over baseline / file size', `${fmt(M.peakRssRatio, 2)}x (${fmt(M.peakRssDeltaMB, 0)} MB)`, '<= 3', M.peakRssRatio <= 3);
    row('  heap right after parse / file size', `${fmt(M.heapAfterRatio, 2)}x (${fmt(M.heapAfterDeltaMB, 0)} MB)`, '', null);
    row('  retained result (after gc) / file size', `${fmt(M.retainedRatio, 2)}x (${fmt(M.retainedDeltaMB, 0)} MB)`, '', null);
    row('  total peak RSS incl. input / file size', `${fmt(M.totalPeakRssRatio, 2)}x (${fmt(M.peakRssMB, 0)} MB)`, '', null);
  }
}
for (const why of Object.values(result.skippedKinds ?? {})) out.push(why);
if (result.pathological) {
  out.push('');
  const rows = [['pathological input', '1 MB: ms/MB', '10 MB: ms/MB', '10MB/1MB time', 'verdict']];
  for (const p of result.pathological) {
    const one = p.timedOut1MB ? `> ${TIME_LIMIT_MS} (killed; 0.1 MB took ${fmt(p.ms01MB, 0)} ms)` : fmt(p.msPerMB1MB, 2);
    const ten = p.timedOut10MB ? `> ${TIME_LIMIT_MS / 10} (killed)` : p.skipped10MB || p.timedOut1MB ? '(not run)' : fmt(p.msPerMB10MB, 2);
    const verdict = p.ok ? (typeof p.ratio === 'number' && p.ratio > 11 ? `ok (10 MB in < ${FAST_MS} ms)` : 'ok') : 'MISS';
    rows.push([p.id, one, ten, String(p.ratio), verdict]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  rows.splice(
    1,
    0,
    widths.map((w) => '-'.repeat(w)),
  );
  for (const r of rows)
    out.push(
      r
        .map((c, i) => c.padEnd(widths[i]))
        .join('  ')
        .trimEnd(),
    );
  out.push(`(each size: a warm-up run, then best of 2; time limit ${TIME_LIMIT_MS / 1000} s per size; target: 10MB/1MB <= ~11)`);
  for (const p of result.pathological) out.push(`  ${p.id}: ${p.what}`);
}
if (result.profile) {
  out.push('');
  out.push('CPU profile of one parse+analyze (self time, by function; file:line of the function):');
  for (const p of result.profile) out.push(`  ${fmt(p.pct).padStart(5)}%  ${fmt(p.ms, 0).padStart(6)} ms  ${p.fn}`);
}
out.push('');
out.push(`bench took ${result.benchSeconds} s`);
process.stdout.write(out.join('\n') + '\n');
process.stdout.write(JSON.stringify(result) + '\n');
