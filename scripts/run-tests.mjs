// `npm test`, in layers:
//   build          esbuild bundles into dist/ (the tests below spawn dist/server.js and dist/cli.js)
//   type check     tsc --noEmit, beside the tests (it reads no bundle)
//   lint           biome ci: lint rules and formatting (biome.jsonc), beside the tests
//   unit and LSP   every test/unit and test/lsp file, each in its own process: files are independent
//                  (no file uses another's output, none writes dist/), so they run side by side
//   grammar        vscode-tmgrammar-test snapshots, then test/grammar/*.test.ts
//   packaging      test/unit/package.test.ts: vsce reads dist/, after the unit and LSP layer
//   e2e            a real VS Code (code-server + headless Chromium), when KCRASH_E2E is not 0
//   Neovim         test/editors, against the real server (after e2e, whose setup installs Neovim;
//                  without Neovim the test is skipped)
// Everything before e2e shares one pool of as many workers as the machine has cores
// (KCRASH_TEST_JOBS=n overrides it): a task starts as soon as the layers it needs are done and a
// worker is free, the slowest files first. Each task's output is printed whole when it ends, and a
// table of the slowest tasks at the end says where the time went.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
process.chdir(root);
const pkg = JSON.parse(fs.readFileSync('package.json', 'utf8'));
const e2e = Boolean(pkg.scripts['test:e2e']) && process.env.KCRASH_E2E !== '0';
const jobs = Math.max(1, Number(process.env.KCRASH_TEST_JOBS) || os.availableParallelism?.() || os.cpus().length);
/** A file that runs longer than this is stopped and counted as failed (its own tests have shorter timeouts). */
const FILE_TIMEOUT_MS = 300_000;

// Test files run as `node --require tsx/cjs FILE`: the TypeScript is compiled to CommonJS on require
// (the package is CommonJS), without the ESM loader thread `--import tsx` starts in every process
// (~0.3 s of CPU per file). So a test imports .ts modules statically; `await import('./x.ts')`
// would need the ESM loader.
const NODE_TS = [process.execPath, '--require', 'tsx/cjs'];

/**
 * The files that take longest (CPU seconds on a 2-core machine), started first so that no long file
 * is left running alone at the end. The rest follow in name order.
 */
const SLOW_FIRST = [
  'test/lsp/incremental.test.ts', // ~13 s: edits on every fixture and the syzbot-style log, each checked against a full parse
  'test/unit/cli.test.ts', // ~11 s: dist/cli.js run ~35 times, on logs with outputs over 1 MiB too
  'test/unit/property.test.ts', // ~7 s: fast-check
  'test/unit/dwarf.test.ts', // ~5 s: gcc builds, every byte checked against llvm-symbolizer / addr2line
  'test/lsp/opening.test.ts', // ~5 s: an 8 MB log over stdio
  'test/unit/external-symbolizer.test.ts',
  'test/lsp/lifecycle.test.ts',
  'test/unit/symbolizer.test.ts',
  'test/lsp/codeActions.test.ts',
  'test/lsp/editing.test.ts',
  'test/lsp/symbols.test.ts',
];

function testFiles(dir) {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((n) => n.endsWith('.test.ts'))
    .sort()
    .map((n) => `${dir}/${n}`);
}

/**
 * `needs`: tasks or layers that must have passed first; `after`: ones that must have ended first.
 * @typedef {{ id: string, layer: string, cmd: string, args: string[], needs: string[], after?: string[], env?: Record<string, string> }} Task
 */
/** @type {Task[]} */
const tasks = [];
const PACKAGING = 'test/unit/package.test.ts';
const unitAndLsp = [...testFiles('test/unit'), ...testFiles('test/lsp')].filter((f) => f !== PACKAGING);
unitAndLsp.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
function rank(f) {
  const i = SLOW_FIRST.indexOf(f);
  return i < 0 ? SLOW_FIRST.length : i;
}

tasks.push({ id: 'build', layer: 'build', cmd: process.execPath, args: ['scripts/build.mjs'], needs: [] });
tasks.push({
  id: 'tsc --noEmit',
  layer: 'type check',
  cmd: process.execPath,
  args: [path.join('node_modules', 'typescript', 'bin', 'tsc'), '--noEmit', '-p', '.'],
  needs: [],
});
// Lint and format check (biome.jsonc): reads the sources only, beside the tests.
tasks.push({
  id: 'biome ci',
  layer: 'lint',
  cmd: process.execPath,
  args: [path.join('node_modules', '@biomejs', 'biome', 'bin', 'biome'), 'ci', '--reporter=summary'],
  needs: [],
});
for (const f of unitAndLsp)
  tasks.push({ id: f, layer: 'unit and LSP', cmd: NODE_TS[0], args: [...NODE_TS.slice(1), '--test-reporter=tap', f], needs: ['build'] });
// The grammar layer of `npm run test:grammar`, in the pool.
tasks.push({
  id: 'vscode-tmgrammar-test',
  layer: 'grammar',
  cmd: process.execPath,
  args: [
    path.join('node_modules', 'vscode-tmgrammar-test', 'dist', 'unit.js'),
    '-g',
    'test/grammar/fixtures/text-log.tmLanguage.json',
    'test/grammar/syntax/*.test.*',
  ],
  needs: [],
});
for (const f of testFiles('test/grammar'))
  tasks.push({ id: f, layer: 'grammar', cmd: NODE_TS[0], args: [...NODE_TS.slice(1), '--test-reporter=tap', f], needs: [] });
if (fs.existsSync(PACKAGING))
  tasks.push({
    id: PACKAGING,
    layer: 'packaging',
    cmd: NODE_TS[0],
    args: [...NODE_TS.slice(1), '--test-reporter=tap', PACKAGING],
    needs: ['build'],
    after: ['unit and LSP'],
  });
const editors = testFiles('test/editors').map((f) => ({
  id: f,
  layer: 'Neovim',
  cmd: NODE_TS[0],
  args: [...NODE_TS.slice(1), '--test-reporter=tap', f],
  needs: ['build'],
}));
if (!e2e) tasks.push(...editors);

// Totals of node's test runner summaries (`# pass N`, `# fail N`) over every task.
const totals = { pass: 0, fail: 0 };
/** @type {{ id: string, layer: string, ms: number, ok: boolean }[]} */
const done = [];
const started = Date.now();
const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;

function report(task, ms, code, out) {
  const ok = code === 0;
  for (const m of out.matchAll(/^# (pass|fail) (\d+)$/gm)) totals[m[1]] += Number(m[2]);
  done.push({ id: task.id, layer: task.layer, ms, ok });
  process.stdout.write(`\n== ${task.layer}: ${task.id} (${seconds(ms)}${ok ? '' : `, failed: exit ${code}`})\n${out}`);
}

/** Runs the tasks on `jobs` workers; resolves when all ran or could not run (a layer they need failed). */
function runPool(list) {
  const pending = [...list];
  const layerOf = new Map(list.map((t) => [t.id, t.layer]));
  const left = (layer) => pending.some((t) => t.layer === layer || t.id === layer) || running.some((t) => t.layer === layer || t.id === layer);
  const failed = new Set();
  /** @type {Task[]} */
  const running = [];
  const children = new Map();
  return new Promise((resolve) => {
    const next = () => {
      for (let i = 0; i < pending.length && running.length < jobs; ) {
        const t = pending[i];
        if (t.needs.some((n) => failed.has(n) || failed.has(layerOf.get(n)))) {
          pending.splice(i, 1);
          failed.add(t.id);
          failed.add(t.layer);
          process.stdout.write(`\n== ${t.layer}: ${t.id} not run: a layer it needs failed\n`);
          continue;
        }
        if ([...t.needs, ...(t.after ?? [])].some(left)) {
          i++;
          continue;
        }
        pending.splice(i, 1);
        running.push(t);
        start(t);
      }
      if (running.length === 0 && pending.length === 0) resolve(failed.size === 0);
      // Nothing runnable and nothing running would be a cycle in `needs`; it cannot happen with the list above.
    };
    const start = (t) => {
      const t0 = Date.now();
      const child = spawn(t.cmd, t.args, { env: { ...process.env, ...t.env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
      children.set(t, child);
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (out += d));
      const timer = setTimeout(() => {
        out += `\n(stopped after ${seconds(FILE_TIMEOUT_MS)})\n`;
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {}
      }, FILE_TIMEOUT_MS);
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        running.splice(running.indexOf(t), 1);
        children.delete(t);
        const status = code ?? signal ?? 1;
        if (status !== 0) {
          failed.add(t.id);
          failed.add(t.layer);
        }
        report(t, Date.now() - t0, status, out);
        next();
      });
    };
    // Ctrl-C or a CI timeout: stop every test process (each leads a process group of its own, with
    // the servers and CLIs it started), which a signal to this one's group would not reach.
    for (const [signal, status] of [
      ['SIGINT', 130],
      ['SIGTERM', 143],
    ]) {
      process.once(signal, () => {
        for (const child of children.values()) {
          try {
            process.kill(-child.pid, 'SIGTERM');
          } catch {}
        }
        process.exit(status);
      });
    }
    next();
  });
}

/** A layer run in the foreground, its output as it comes (e2e takes minutes). */
function runForeground(layer, cmd, args) {
  process.stdout.write(`\n== ${layer}: ${cmd} ${args.join(' ')}\n`);
  const t0 = Date.now();
  const r = spawnSync(cmd, args, { stdio: ['inherit', 'pipe', 'inherit'], env: process.env, maxBuffer: 1 << 28 });
  const out = r.stdout?.toString() ?? '';
  process.stdout.write(out);
  for (const m of out.matchAll(/^# (pass|fail) (\d+)$/gm)) totals[m[1]] += Number(m[2]);
  done.push({ id: `${cmd} ${args.join(' ')}`, layer, ms: Date.now() - t0, ok: r.status === 0 });
  return r.status === 0;
}

function finish(ok) {
  const layers = new Map();
  for (const d of done) layers.set(d.layer, (layers.get(d.layer) ?? 0) + d.ms);
  const slowest = [...done].sort((a, b) => b.ms - a.ms).slice(0, 12);
  process.stdout.write(
    `\n== time: ${seconds(Date.now() - started)} wall on ${jobs} worker(s); busy time per layer: ${[...layers].map(([l, ms]) => `${l} ${seconds(ms)}`).join(', ')}\n`,
  );
  process.stdout.write(`slowest: ${slowest.map((d) => `\n  ${seconds(d.ms).padStart(7)}  ${d.id}${d.ok ? '' : '  (failed)'}`).join('')}\n`);
  const failed = done.filter((d) => !d.ok).map((d) => d.id);
  if (failed.length) process.stdout.write(`failed: ${failed.join(', ')}\n`);
  process.stdout.write(`\ntotal: ${totals.pass} passed, ${ok ? totals.fail : Math.max(totals.fail, 1)} failed\n`);
  process.exit(ok ? 0 : 1);
}

let ok = await runPool(tasks);
if (ok && e2e) {
  ok = runForeground('end-to-end tests (code-server)', 'npm', ['run', '--silent', 'test:e2e']);
  if (ok) ok = await runPool(editors);
}
finish(ok);
