// The CLI's benchmark: `kcrash` as a user runs it, the whole process (start, read, parse, analyze,
// format, write), on the dense syzbot-style log (scripts/bench-logs.mjs), output to a file.
//
//   npm run bench:cli                   (= npm run build && node scripts/bench-cli.mjs)
//   node scripts/bench-cli.mjs --max-mb 10    only the 10 MB log
//   node scripts/bench-cli.mjs --keep-tmp     keep the logs and outputs (path printed on stderr)
//
// For the 10 MB and the 100 MB log it runs `node dist/cli.js check FILE`, `check --format json`,
// `check --format sarif` and `parse --json` (best of 3 for 10 MB, of 2 for 100 MB) and prints MB/s,
// the process's peak RSS and the output size, beside `grep -c 'Call Trace'` on the same file in the
// same run (best of as many runs) and the ratio of the two times. Times are reported, never asserted.
// The last line is one JSON object with every number.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeSyzbotDense } from './bench-logs.mjs';

const ROOT = path.resolve(import.meta.dirname, '..');
const CLI = path.join(ROOT, 'dist', 'cli.js');
const MB = 1e6;
const COMMANDS = [
  { name: 'check', args: ['check'] },
  { name: 'check --format json', args: ['check', '--format', 'json'] },
  { name: 'check --format sarif', args: ['check', '--format', 'sarif'] },
  { name: 'parse --json', args: ['parse', '--json'] },
];
const LOGS = [
  { mb: 10, runs: 3 },
  { mb: 100, runs: 2 },
];

const argv = process.argv.slice(2);
const maxMb = argv.includes('--max-mb') ? Number(argv[argv.indexOf('--max-mb') + 1]) : Infinity;
const keep = argv.includes('--keep-tmp');
const logs = LOGS.filter((l) => l.mb <= maxMb);

if (!fs.existsSync(CLI)) {
  console.error(`no ${path.relative(ROOT, CLI)}: run npm run build first (npm run bench:cli does)`);
  process.exit(2);
}
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kcrash-bench-cli-'));
const files = logs.map((l) => path.join(tmp, `dense-${l.mb}mb.log`));
if (
  !writeSyzbotDense(
    logs.map((l) => l.mb * MB),
    files,
  )
) {
  console.log('bench-cli: skipped: the dense syzbot-style log is built from ../shared/corpus, which is not beside the repository');
  fs.rmSync(tmp, { recursive: true, force: true });
  process.exit(0);
}
if (keep) console.error(`bench-cli: logs and outputs in ${tmp}`);

// The peak RSS of the CLI process itself: a preload writes process.resourceUsage() when it exits.
const usageFile = path.join(tmp, 'usage.json');
const preload = path.join(tmp, 'usage.cjs');
fs.writeFileSync(
  preload,
  `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(usageFile)}, JSON.stringify(process.resourceUsage())));\n`,
);

/** One run of `command` on `file`, stdout to a file: wall seconds, peak RSS (MB), output bytes, exit status. */
function run(command, file) {
  const outFile = path.join(tmp, 'out');
  const fd = fs.openSync(outFile, 'w');
  fs.rmSync(usageFile, { force: true });
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ['--require', preload, CLI, ...command.args, file], { stdio: ['ignore', fd, 'pipe'], maxBuffer: 1 << 26 });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  fs.closeSync(fd);
  const bytes = fs.statSync(outFile).size;
  if (!keep) fs.rmSync(outFile);
  if (r.status !== 0 && r.status !== 1) throw new Error(`${command.name} ${file}: exit ${r.status ?? r.signal}: ${r.stderr}`);
  const usage = JSON.parse(fs.readFileSync(usageFile, 'utf8'));
  return { seconds, rssMb: usage.maxRSS / 1024, bytes };
}

function grepSeconds(file) {
  const t0 = process.hrtime.bigint();
  spawnSync('grep', ['-c', 'Call Trace', file], { stdio: 'ignore' });
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

const result = { bench: 'cli', cpus: os.cpus().length, node: process.version, logs: [] };
for (let i = 0; i < logs.length; i++) {
  const { runs } = logs[i];
  const file = files[i];
  const size = fs.statSync(file).size;
  const grep = Math.min(...Array.from({ length: runs }, () => grepSeconds(file)));
  console.log(
    `\ndense syzbot-style log, ${(size / MB).toFixed(1)} MB (best of ${runs}); grep -c 'Call Trace': ${(grep * 1000).toFixed(0)} ms, ${(size / MB / grep).toFixed(0)} MB/s`,
  );
  console.log(
    `  ${'command'.padEnd(22)} ${'time'.padStart(8)} ${'MB/s'.padStart(7)} ${'x grep'.padStart(7)} ${'peak RSS'.padStart(9)} ${'output'.padStart(9)}`,
  );
  const entry = { mb: size / MB, runs, grepSeconds: grep, commands: [] };
  for (const command of COMMANDS) {
    const all = Array.from({ length: runs }, () => run(command, file));
    const best = all.reduce((a, b) => (b.seconds < a.seconds ? b : a));
    const rssMb = Math.max(...all.map((r) => r.rssMb));
    const mbps = size / MB / best.seconds;
    console.log(
      `  ${command.name.padEnd(22)} ${`${best.seconds.toFixed(2)} s`.padStart(8)} ${mbps.toFixed(1).padStart(7)} ${(best.seconds / grep).toFixed(0).padStart(7)} ${`${rssMb.toFixed(0)} MB`.padStart(9)} ${`${(best.bytes / MB).toFixed(1)} MB`.padStart(9)}`,
    );
    entry.commands.push({
      command: command.name,
      seconds: best.seconds,
      mbPerSecond: mbps,
      grepRatio: best.seconds / grep,
      peakRssMb: rssMb,
      outputBytes: best.bytes,
    });
  }
  result.logs.push(entry);
}
if (!keep) fs.rmSync(tmp, { recursive: true, force: true });
process.stdout.write(JSON.stringify(result) + '\n');
