// Symbolizer benchmark on a real Debian vmlinux (DWARF 5, 633 MB), beside llvm-symbolizer in the
// same run. Needs `scripts/real-logs/make.sh debug` (the -dbg package in the cache); skips with a
// message otherwise.
//
//   npm run bench:symbolizer            (= npm run build && node scripts/bench-symbolizer.mjs)
//   KCRASH_REAL_CACHE=/path ...         where make.sh put the package (default /var/cache/kcrash-real)
//
// Every measurement is a fresh child process (its own heap, its own peak RSS from /usr/bin/time or
// process.resourceUsage), pinned to one CPU when taskset is there:
//   - symbol table load: vmlinux .symtab and System.map, in-process time;
//   - first file:line (open vmlinux + DWARF indexes + one lookup), in-process time;
//   - warm lookups: 1,000 addresses after a first pass over them, p50/p99 per address;
//   - 1,000 addresses from a fresh process, whole process: ours vs `llvm-symbolizer --inlining`;
//   - hover in the language server (dist/server.js over stdio): the first one with source lines after
//     opening the oops, every entry's first hover (its unit read), then 10 warm rounds, p50/p99;
//   - `kcrash decode` of a real oops fixture (40 entries) as a fresh process vs llvm-symbolizer given
//     the same addresses (decode_stacktrace.sh runs one addr2line per frame: ~6 s on such a trace).
// Addresses: 1,000 call sites (return address - 1) and function starts from System.map, seeded.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';

const ROOT = path.resolve(import.meta.dirname, '..');
const SELF = path.join(ROOT, 'scripts', 'bench-symbolizer.mjs');
const RELEASE = process.env.RELEASE || '6.1.0-56-amd64';
const VERSION = process.env.VERSION || '6.1.192-2';
const CACHE = process.env.KCRASH_REAL_CACHE || '/var/cache/kcrash-real';
const VMLINUX = path.join(CACHE, `kernel-${RELEASE}-${VERSION}`, `vmlinux-${RELEASE}`);
const SYSTEM_MAP = path.join(ROOT, 'test/fixtures/real-debian', `System.map-${RELEASE}`);
const OOPS = path.join(ROOT, 'test/fixtures/real-debian-break-l-busy.log'); // 40 entries, 30 of them distinct

// ------------------------------------------------------------------------------------------------
// Child mode: node scripts/bench-symbolizer.mjs --child TASK ENTRY ARGS... → one JSON line.
if (process.argv[2] === '--child') {
  const [task, entry, ...args] = process.argv.slice(3);
  const lib = createRequire(import.meta.url)(entry);
  const out = (o) => process.stdout.write(JSON.stringify({ ...o, maxRssMB: process.resourceUsage().maxRSS / 1024 }) + '\n');
  const now = () => Number(process.hrtime.bigint()) / 1e6;
  if (task === 'load') {
    const t0 = now();
    const elf = await lib.openObjectFile(VMLINUX);
    const table = lib.SymbolTable.fromElf(elf, VMLINUX);
    const t1 = now();
    const map = lib.SymbolTable.parseSystemMap(fs.readFileSync(SYSTEM_MAP, 'latin1'), SYSTEM_MAP);
    const t2 = now();
    out({ vmlinuxSymtabMs: t1 - t0, vmlinuxSymbols: table.count, systemMapMs: t2 - t1, systemMapSymbols: map.count });
  } else if (task === 'lookups') {
    const addresses = fs
      .readFileSync(args[0], 'utf8')
      .trim()
      .split('\n')
      .map((a) => BigInt(a));
    const t0 = now();
    const elf = await lib.openObjectFile(VMLINUX);
    const dwarf = lib.DwarfReader.open(elf);
    const tOpen = now();
    const first = dwarf.lookup(addresses[0]);
    const tFirst = now();
    const cold = [];
    let frames = 0;
    for (const a of addresses) {
      const s = now();
      frames += dwarf.lookup(a).length;
      cold.push(now() - s);
    }
    const tAll = now();
    const warm = [];
    for (const a of addresses) {
      const s = now();
      dwarf.lookup(a);
      warm.push(now() - s);
    }
    const pct = (xs, p) => [...xs].sort((x, y) => x - y)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))];
    out({
      openMs: tOpen - t0,
      firstLookupMs: tFirst - tOpen,
      firstFrames: first.length,
      allColdMs: tAll - tOpen,
      frames,
      coldP50: pct(cold, 50),
      coldP99: pct(cold, 99),
      warmP50: pct(warm, 50),
      warmP99: pct(warm, 99),
      cachedMB: dwarf.cachedBytes / 1048576,
    });
  }
  process.exit(0);
}

// ------------------------------------------------------------------------------------------------
if (!fs.existsSync(VMLINUX)) {
  console.log(`bench-symbolizer: skipped: no ${VMLINUX} (run scripts/real-logs/make.sh debug, or set KCRASH_REAL_CACHE)`);
  process.exit(0);
}
const HAS_TASKSET = spawnSync('taskset', ['-c', '0', 'true']).status === 0;
const CPU = String(Math.max(0, os.cpus().length - 1));
const HAS_TIME = fs.existsSync('/usr/bin/time');
const LLVM = ['llvm-symbolizer-19', 'llvm-symbolizer'].find((t) => spawnSync(t, ['--version']).status === 0) ?? null;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kcrash-bench-sym-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));

/** Runs a command pinned to one CPU; wall time and peak RSS of the whole process. */
function timed(cmd, args, input) {
  const wrapped = HAS_TIME
    ? ['/usr/bin/time', ['-f', '%e %M', ...(HAS_TASKSET ? ['taskset', '-c', CPU] : []), cmd, ...args]]
    : HAS_TASKSET
      ? ['taskset', ['-c', CPU, cmd, ...args]]
      : [cmd, args];
  const t0 = process.hrtime.bigint();
  const r = spawnSync(wrapped[0], wrapped[1], { input, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr.slice(-2000)}`);
  const m = HAS_TIME ? /(\d+(?:\.\d+)?) (\d+)\s*$/.exec(r.stderr) : null;
  return { ms, rssMB: m ? Number(m[2]) / 1024 : null, stdout: r.stdout, stderr: r.stderr };
}
const best = (n, f) => {
  const runs = Array.from({ length: n }, f);
  return runs.reduce((a, b) => (b.ms < a.ms ? b : a));
};

const { build } = await import(path.join(ROOT, 'node_modules', 'esbuild', 'lib', 'main.js'));
const ENTRY = path.join(tmp, 'symbolizer.cjs');
fs.writeFileSync(
  path.join(tmp, 'entry.ts'),
  [
    `export { openObjectFile } from ${JSON.stringify(path.join(ROOT, 'server/src/symbolizer/objectFile.ts'))};`,
    `export { SymbolTable } from ${JSON.stringify(path.join(ROOT, 'server/src/symbolizer/symbolTable.ts'))};`,
    `export { DwarfReader } from ${JSON.stringify(path.join(ROOT, 'server/src/symbolizer/dwarf/index.ts'))};`,
  ].join('\n'),
);
await build({ entryPoints: [path.join(tmp, 'entry.ts')], bundle: true, platform: 'node', format: 'cjs', outfile: ENTRY, logLevel: 'warning' });

// 1,000 addresses: half call sites (a return address - 1 inside a function), half function starts.
const text = fs
  .readFileSync(SYSTEM_MAP, 'latin1')
  .split('\n')
  .filter((l) => / [Tt] /.test(l))
  .map((l) => BigInt('0x' + l.slice(0, 16)));
let seed = 12345;
const rand = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
const addresses = [];
while (addresses.length < 1000) {
  const i = Math.floor(rand() * (text.length - 1));
  const size = text[i + 1] - text[i];
  if (size <= 1n || size > 0x10000n) continue;
  addresses.push(addresses.length % 2 ? text[i] : text[i] + BigInt(Math.floor(rand() * Number(size - 1n))) + 1n);
}
const addrFile = path.join(tmp, 'addresses.txt');
fs.writeFileSync(addrFile, addresses.map((a) => '0x' + a.toString(16)).join('\n') + '\n');

const child = (task, ...args) => {
  const r = timed(process.execPath, [SELF, '--child', task, ENTRY, ...args]);
  return { ...JSON.parse(r.stdout.trim().split('\n').pop()), processMs: r.ms, processRssMB: r.rssMB };
};

const result = { node: process.version, vmlinux: VMLINUX, llvm: LLVM, pinned: HAS_TASKSET ? `taskset -c ${CPU}` : 'no' };
const load = best(3, () => ({
  ...child('load'),
  get ms() {
    return this.vmlinuxSymtabMs;
  },
}));
result.load = load;
const lookups = best(3, () => ({
  ...child('lookups', addrFile),
  get ms() {
    return this.processMs;
  },
}));
result.lookups = lookups;
if (LLVM) {
  const llvmArgs = ['--obj=' + VMLINUX, '--inlining', '--functions=short', '--output-style=JSON'];
  result.llvm1000 = best(3, () => timed(LLVM, llvmArgs, fs.readFileSync(addrFile, 'utf8')));
  delete result.llvm1000.stdout;
  delete result.llvm1000.stderr;
}
// kcrash decode of a real oops as a fresh process, and llvm-symbolizer on the same frames.
const cli = path.join(ROOT, 'dist', 'cli.js');
const decode = best(3, () => timed(process.execPath, [cli, 'decode', '--vmlinux', VMLINUX, '--external', 'off', OOPS]));
const frames = (decode.stderr.match(/(\d+) of (\d+) entries/) ?? []).slice(1).map(Number);
result.decode = { ms: decode.ms, rssMB: decode.rssMB, resolved: frames[0], entries: frames[1] };
if (LLVM) {
  const gt = JSON.parse(fs.readFileSync(path.join(ROOT, 'test/fixtures/real-debian/ground-truth.json'), 'utf8')).filter(
    (e) => e.fixture === path.basename(OOPS) && !e.module,
  );
  const input = gt.map((e) => e.address).join('\n') + '\n';
  const r = best(3, () => timed(LLVM, ['--obj=' + VMLINUX, '--inlining', '--functions=short'], input));
  result.decodeLlvm = { ms: r.ms, rssMB: r.rssMB, addresses: gt.length };
}

// Hover in the language server as VS Code asks for it (dist/server.js over stdio, its symbolizer in a
// worker thread): the first hover with source lines after opening the log (vmlinux loaded on demand),
// then every entry of the log hovered 10 times (warm), p50/p99.
result.lsp = await lspHovers();

async function lspHovers() {
  const { spawn } = await import('node:child_process');
  const server = spawn(process.execPath, [path.join(ROOT, 'dist', 'server.js'), '--stdio'], { stdio: ['pipe', 'pipe', 'ignore'] });
  let buffer = Buffer.alloc(0);
  let nextId = 1;
  const pending = new Map();
  const send = (m) => {
    const json = JSON.stringify({ jsonrpc: '2.0', ...m });
    server.stdin.write(`Content-Length: ${Buffer.byteLength(json)}\r\n\r\n${json}`);
  };
  const request = (method, params) =>
    new Promise((resolve) => {
      const id = nextId++;
      pending.set(id, resolve);
      send({ id, method, params });
    });
  const settings = { vmlinux: VMLINUX, symbolizer: { external: 'off' } };
  server.stdout.on('data', (chunk) => {
    buffer = Buffer.concat([buffer, chunk]);
    for (;;) {
      const head = buffer.indexOf('\r\n\r\n');
      if (head < 0) return;
      const length = Number(/Content-Length: (\d+)/i.exec(buffer.subarray(0, head).toString())[1]);
      if (buffer.length < head + 4 + length) return;
      const msg = JSON.parse(buffer.subarray(head + 4, head + 4 + length).toString());
      buffer = buffer.subarray(head + 4 + length);
      if (msg.id !== undefined && msg.method)
        send({ id: msg.id, result: msg.method === 'workspace/configuration' ? msg.params.items.map(() => settings) : null });
      else if (msg.id !== undefined) pending.get(msg.id)?.(msg.result), pending.delete(msg.id);
    }
  });
  await request('initialize', {
    processId: process.pid,
    rootUri: null,
    capabilities: { workspace: { configuration: true } },
    initializationOptions: { trustedWorkspace: true },
  });
  send({ method: 'initialized', params: {} });
  const text = fs.readFileSync(OOPS, 'utf8');
  const uri = 'file:///bench/oops.log';
  send({ method: 'textDocument/didOpen', params: { textDocument: { uri, languageId: 'kernel-log', version: 1, text } } });
  const lines = text.split('\n');
  const positions = [];
  lines.forEach((l, line) => {
    const m = /(?:^|\s|:)([A-Za-z_][\w.]*\+0x[0-9a-f]+\/0x[0-9a-f]+)/.exec(l);
    if (m) positions.push({ line, character: m.index + m[0].indexOf(m[1]) + 1 });
  });
  const hover = async (position) => {
    const t0 = process.hrtime.bigint();
    const r = await request('textDocument/hover', { textDocument: { uri }, position });
    return { ms: Number(process.hrtime.bigint() - t0) / 1e6, source: /\*\*Source\*\*/.test(r?.contents?.value ?? '') };
  };
  const first = await hover(positions[0]);
  // The first hover of each entry reads its unit (cold); then 10 rounds over all of them (warm).
  const cold = [];
  let withSource = 0;
  for (const p of positions) {
    const h = await hover(p);
    cold.push(h.ms);
    if (h.source) withSource++;
  }
  const warm = [];
  for (let round = 0; round < 10; round++) for (const p of positions) warm.push((await hover(p)).ms);
  warm.sort((a, b) => a - b);
  cold.sort((a, b) => a - b);
  await request('shutdown');
  send({ method: 'exit' });
  return {
    firstMs: first.ms,
    firstHasSource: first.source,
    entries: positions.length,
    withSource,
    coldP50: cold[Math.floor(cold.length / 2)],
    coldMax: cold.at(-1),
    warmP50: warm[Math.floor(warm.length / 2)],
    warmP99: warm[Math.floor(warm.length * 0.99)],
  };
}

const f = (n, d = 1) => (n === null || n === undefined ? '-' : Number(n).toFixed(d));
console.log(`symbolizer benchmark — ${path.basename(VMLINUX)}, node ${process.version}, pinned: ${result.pinned}, llvm: ${LLVM ?? 'not found'}`);
console.log(
  `  symbol table load      vmlinux .symtab ${f(load.vmlinuxSymtabMs)} ms (${load.vmlinuxSymbols} symbols), System.map ${f(load.systemMapMs)} ms (${load.systemMapSymbols})   target ≤ 100 ms`,
);
console.log(
  `  first file:line        open ${f(lookups.openMs)} ms + first lookup ${f(lookups.firstLookupMs)} ms = ${f(lookups.openMs + lookups.firstLookupMs)} ms   target ≤ 300 ms`,
);
console.log(
  `  lookups, cold          p50 ${f(lookups.coldP50, 2)} ms, p99 ${f(lookups.coldP99, 2)} ms; warm p50 ${f(lookups.warmP50, 3)} ms, p99 ${f(lookups.warmP99, 3)} ms   target warm p99 ≤ 10 ms`,
);
console.log(
  `  1,000 addresses        ours ${f(lookups.processMs)} ms, ${f(lookups.processRssMB)} MB peak   llvm-symbolizer ${f(result.llvm1000?.ms)} ms, ${f(result.llvm1000?.rssMB)} MB   ratio ${f(lookups.processMs / (result.llvm1000?.ms ?? NaN), 2)} (target ≤ 0.5, ≤ 200 MB)`,
);
console.log(
  `  kcrash decode (${path.basename(OOPS)}) ${f(decode.ms)} ms, ${f(decode.rssMB)} MB, ${result.decode.resolved}/${result.decode.entries} entries   llvm-symbolizer same ${result.decodeLlvm?.addresses ?? '-'} addresses ${f(result.decodeLlvm?.ms)} ms   target ≤ 300 ms and ≤ llvm`,
);
console.log(
  `  LSP hover (server + worker)  first with source ${f(result.lsp.firstMs)} ms (${result.lsp.firstHasSource ? 'with' : 'WITHOUT'} source lines); each entry's first p50 ${f(result.lsp.coldP50, 2)} ms, max ${f(result.lsp.coldMax)} ms; warm p50 ${f(result.lsp.warmP50, 2)} ms, p99 ${f(result.lsp.warmP99, 2)} ms over ${result.lsp.entries} entries × 10 (${result.lsp.withSource} with source)   target first ≤ 300 ms, warm p99 ≤ 10 ms`,
);
console.log(JSON.stringify(result));
