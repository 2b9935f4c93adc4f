// Extension activation benchmark in a real VS Code (target: activate() <= 50 ms).
//
// Packages the extension once (npm run package: builds dist/client.js and dist/kernel-crash-log.vsix),
// then runs test/e2e/bench-activation.ts, which for each run starts a fresh code-server with the
// .vsix installed (the e2e harness), opens a kernel log and reads the activation times VS Code
// records itself (no instrumentation of the extension):
//   activation     "Activation: N ms" of "Developer: Show Running Extensions" = load code + call activate
//   load code      require() of dist/client.js (from "Developer: Startup Performance")
//   call activate  the synchronous part of activate(), up to the promise it returns
//   finish activate  until that promise resolves (includes starting the language server when a
//                  kernel-log document is open: asynchronous, not part of the target)
// Prints a min/median/max table and, last, one JSON line.
//
// Usage: node scripts/bench-activation.mjs [--runs 5] [--file bench.dmesg|crash.log] [--no-package] [--check]
//   --file crash.log  activates through onLanguage:log (then detection switches the file)
//   --no-package      reuse dist/kernel-crash-log.vsix (or $KCRASH_E2E_VSIX)
//   --check           exit 1 when the median activation is over the target
// Needs the e2e cache (scripts/e2e-setup.sh, run here first; a warm run takes under a second).
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TARGET_MS = 50;
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] ? args[i + 1] : fallback;
};
const RUNS = Number(option('--runs', '5'));
const FILE = option('--file', 'bench.dmesg');

function runSync(cmd, cmdArgs) {
  const r = spawnSync(cmd, cmdArgs, { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) {
    console.error(`${cmd} ${cmdArgs.join(' ')} failed (${r.status})`);
    process.exit(1);
  }
}

runSync('bash', ['scripts/e2e-setup.sh']);
const vsix = process.env.KCRASH_E2E_VSIX ?? path.join(ROOT, 'dist', 'kernel-crash-log.vsix');
if (!args.includes('--no-package') && !process.env.KCRASH_E2E_VSIX) runSync('npm', ['run', '--silent', 'package']);

const child = spawn(process.execPath, ['--import', 'tsx', 'test/e2e/bench-activation.ts', '--runs', String(RUNS), '--file', FILE], {
  cwd: ROOT,
  env: { ...process.env, KCRASH_E2E_VSIX: vsix },
  stdio: ['ignore', 'pipe', 'inherit'],
});
let out = '';
child.stdout.on('data', (chunk) => {
  out += chunk;
  process.stderr.write(chunk); // progress
});
const code = await new Promise((resolve) => child.on('close', resolve));
const last = out.trim().split('\n').pop() ?? '';
if (code !== 0 || !last.startsWith('{')) {
  console.error(`bench-activation.ts failed (exit ${code})`);
  process.exit(1);
}
const { runs } = JSON.parse(last);

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const metrics = {
  activation: runs.map((r) => r.runningExtensionsMs),
  loadCode: runs.map((r) => r.loadCodeMs),
  callActivate: runs.map((r) => r.callActivateMs),
  finishActivate: runs.map((r) => r.finishActivateMs),
};
const summary = Object.fromEntries(Object.entries(metrics).map(([k, xs]) => [k, { min: Math.min(...xs), median: median(xs), max: Math.max(...xs), runs: xs }]));
const events = [...new Set(runs.map((r) => r.event))];

console.log(`\nActivation of kernel-crash-log in code-server (${runs.length} runs, file ${FILE}, event ${events.join(', ')}), ms:`);
console.log('metric            min  median    max  runs');
for (const [k, s] of Object.entries(summary)) {
  console.log(`${k.padEnd(15)} ${String(s.min).padStart(5)} ${String(s.median).padStart(7)} ${String(s.max).padStart(6)}  ${s.runs.join(' ')}`);
}
const ok = summary.activation.median <= TARGET_MS;
console.log(`activation (load code + call activate) median ${summary.activation.median} ms: ${ok ? 'within' : 'OVER'} the ${TARGET_MS} ms target`);
console.log(JSON.stringify({ file: FILE, events, targetMs: TARGET_MS, ...summary }));
if (args.includes('--check') && !ok) process.exit(1);
