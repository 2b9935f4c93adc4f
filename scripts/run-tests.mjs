// `npm test`: the cheap layers first (build, type check, unit/property/fixture tests, grammar
// tests, LSP protocol tests over stdio), then the end-to-end tests in a real VS Code
// (code-server + headless Chromium) when KCRASH_E2E is not 0, then Neovim against the server.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
process.chdir(root);

// Totals of node's test runner summaries (`# pass N`, `# fail N`) over every layer.
const totals = { pass: 0, fail: 0 };

function run(title, cmd, args) {
  process.stdout.write(`\n== ${title}: ${cmd} ${args.join(' ')}\n`);
  const r = spawnSync(cmd, args, { stdio: ['inherit', 'pipe', 'inherit'], env: process.env, maxBuffer: 1 << 28 });
  const out = r.stdout?.toString() ?? '';
  process.stdout.write(out);
  for (const m of out.matchAll(/^# (pass|fail) (\d+)$/gm)) totals[m[1]] += Number(m[2]);
  if (r.status !== 0) {
    process.stdout.write(`\n== ${title} failed (exit ${r.status ?? r.signal})\n${totals.pass} passed, ${Math.max(totals.fail, 1)} failed\n`);
    process.exit(r.status || 1);
  }
}

function testFiles(dir) {
  const abs = path.join(root, dir);
  if (!fs.existsSync(abs)) return [];
  return fs.readdirSync(abs).filter((n) => n.endsWith('.test.ts')).sort().map((n) => path.join(dir, n));
}

const pkg = JSON.parse(fs.readFileSync('package.json', 'utf8'));
run('build', 'node', ['scripts/build.mjs']);
run('type check', 'npx', ['tsc', '--noEmit', '-p', '.']);
const files = [...testFiles('test/unit'), ...testFiles('test/lsp')];
run('unit, fixture, property and LSP tests', 'node', ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-timeout=180000', ...files]);
if (pkg.scripts['test:grammar']) run('grammar tests', 'npm', ['run', '--silent', 'test:grammar']);
if (pkg.scripts['test:e2e'] && process.env.KCRASH_E2E !== '0') run('end-to-end tests (code-server)', 'npm', ['run', '--silent', 'test:e2e']);
// Other editors over the real server (the e2e setup installs Neovim; without it the test is skipped).
run('other editors (Neovim)', 'node', ['--import', 'tsx', '--test', ...testFiles('test/editors')]);
process.stdout.write(`\ntotal: ${totals.pass} passed, ${totals.fail} failed\n`);
