// Language-server benchmark over real LSP stdio against the bundled dist/server.js, driven as VS Code
// drives it. For each kind of log — `fixtures` (the fixtures of test/fixtures/ over and over, numbers
// varied) and `syzbot-dense` (the conformance corpus's syzkaller report bodies concatenated, binary
// bytes kept; left out when ../shared is absent, see scripts/bench-logs.mjs):
//   - open: didOpen of a ~10 MB log in a fresh server, then at once documentSymbol and foldingRange
//     (VS Code asks for the Outline and folding on open), a hover and a code action near the top
//     while the file is still parsed: time to the first and the complete diagnostics (targets 100 ms,
//     and complete within 2 s), and to each answer (hover and code action target 50 ms);
//   - edits: one-line edits in a ~50 MB log at the top, the middle and the end, the first edit in a
//     place and the five after it (target 30 ms), a documentSymbol cancelled after 20 ms (answered
//     RequestCancelled at once), and the server's RSS over the size of the text (target 3x);
//   - heap: 1,000 edits that type and delete one character in a ~10 MB log, the server's heap after a
//     full GC before, after 250, 500 and 1,000 of them (target: flat);
//   - code: after the full parse of a ~10 MB log, hovers on `Code:` lines (x86 disassembly, at least
//     200, spread over the file; the first one, which loads the disassembler, timed apart), p50/p99
//     (target p99 20 ms), and as the reference the same number of hovers on call-trace entries.
// `grep -c 'Call Trace'` on the same text, in the same run, is printed as the reference, and so is
// JSON.parse of the didOpen message (no server can see the text sooner).
// Prints a table on stderr and one JSON line on stdout.
// Usage: npm run build && node scripts/bench-lsp.mjs [--mb-open 10] [--mb-edit 50] [--repeat 3] [--edits 1000] [--kinds fixtures,syzbot-dense]
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import { syzbotBodies, syzbotDenseText } from './bench-logs.mjs';

const ROOT = path.resolve(import.meta.dirname, '..');
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const MB_OPEN = Number(option('--mb-open', 10));
const MB_EDIT = Number(option('--mb-edit', 50));
const REPEAT = Number(option('--repeat', 3));
const EDITS = Number(option('--edits', 1000));
const KINDS = option('--kinds', 'fixtures,syzbot-dense').split(',');
const SECTIONS = option('--sections', 'open,edit,heap,code').split(',');
const CODE_HOVERS = Number(option('--code-hovers', 250));
const TMP = mkdtempSync(path.join(os.tmpdir(), 'kcrash-bench-lsp-'));

/** ~`mb` MB of log: the fixtures over and over, time stamps moving on, PIDs and addresses varied. */
function fixturesLog(mb) {
  const fixtures = readdirSync(path.join(ROOT, 'test', 'fixtures'))
    .filter((f) => f.endsWith('.log'))
    .sort()
    .map((f) => readFileSync(path.join(ROOT, 'test', 'fixtures', f), 'utf8'))
    .map((t) => (t.endsWith('\n') ? t : t + '\n'));
  const parts = [];
  let size = 0;
  for (let i = 0; size < mb * 1e6; i++) {
    const base = fixtures[i % fixtures.length];
    const varied = base
      .replace(/\[ *(\d+)\.(\d{6})\]/g, (_, s, us) => `[${String(Number(s) + i * 17).padStart(6)}.${us}]`)
      .replace(/PID: (\d+)/g, (_, pid) => `PID: ${Number(pid) + (i % 9000)}`)
      .replace(/\+0x([0-9a-f]+)\/0x([0-9a-f]+)/g, (m, off, size) => (i % 3 === 0 ? m : `+0x${off}/0x${(parseInt(size, 16) + (i % 7) * 16).toString(16)}`));
    parts.push(varied);
    size += varied.length;
  }
  return parts.join('');
}

const LOGS = {
  fixtures: (mb) => fixturesLog(mb),
  'syzbot-dense': (mb) => syzbotDenseText(mb),
};

function startServer() {
  const child = spawn(
    process.execPath,
    [
      ...(process.env.KCRASH_BENCH_SERVER_FLAGS?.split(' ').filter(Boolean) ?? []),
      '--expose-gc',
      '-r',
      path.join(ROOT, 'scripts', 'bench-lsp-heap.cjs'),
      path.join(ROOT, 'dist', 'server.js'),
      '--stdio',
    ],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  const connection = createMessageConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  connection.onRequest('workspace/configuration', (params) => params.items.map(() => ({})));
  connection.onRequest('client/registerCapability', () => null);
  connection.onRequest('window/workDoneProgress/create', () => null);
  const listeners = [];
  connection.onNotification((method, params) => {
    const now = performance.now();
    for (const l of [...listeners]) l(method, params, now);
  });
  connection.listen();
  /** Resolves with the time of the first notification that matches. */
  const next = (predicate) =>
    new Promise((resolve) => {
      const l = (method, params, now) => {
        if (!predicate(method, params)) return;
        listeners.splice(listeners.indexOf(l), 1);
        resolve({ at: now, params });
      };
      listeners.push(l);
    });
  // Heap lines come on stderr (see bench-lsp-heap.cjs); everything else there is passed through.
  const heapWaiters = [];
  let pending = '';
  child.stderr.on('data', (chunk) => {
    pending += chunk.toString();
    let nl;
    while ((nl = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      if (line.startsWith('KCRASH_HEAP ')) heapWaiters.shift()?.(JSON.parse(line.slice(12)));
      else process.stderr.write(line + '\n');
    }
  });
  /** The server's heap after a full GC (MB). */
  const heap = () =>
    new Promise((resolve) => {
      heapWaiters.push((m) => resolve({ heapMb: round(m.heapUsed / 1e6), rssMb: round(m.rss / 1e6) }));
      child.kill('SIGUSR2');
    });
  return { child, connection, next, heap };
}

async function initialize(server) {
  await server.connection.sendRequest('initialize', {
    processId: process.pid,
    rootUri: null,
    capabilities: {
      window: { workDoneProgress: true },
      workspace: { configuration: true, didChangeConfiguration: { dynamicRegistration: true } },
      textDocument: {
        publishDiagnostics: { relatedInformation: true, tagSupport: { valueSet: [1, 2] } },
        documentSymbol: { hierarchicalDocumentSymbolSupport: true },
        foldingRange: { lineFoldingOnly: true },
        hover: { contentFormat: ['markdown', 'plaintext'] },
      },
    },
  });
  await server.connection.sendNotification('initialized', {});
}

async function stop(server) {
  await server.connection.sendRequest('shutdown');
  await server.connection.sendNotification('exit');
  server.connection.dispose();
}

function rssMb(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return round(Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN) / 1024);
}

const round = (x) => Math.round(x * 10) / 10;
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

/** `grep -c 'Call Trace'` on the text, best of 3 (ms). */
function grepMs(text) {
  const file = path.join(TMP, 'grep.log');
  writeFileSync(file, text);
  let best = Infinity;
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    spawnSync('grep', ['-c', 'Call Trace', file]);
    best = Math.min(best, performance.now() - t0);
  }
  rmSync(file);
  return round(best);
}

/**
 * Decoding the didOpen message itself, best of 3 (ms): the server cannot see the text before
 * `JSON.parse` of the message is done, so first diagnostics take at least this long.
 */
function jsonDecodeMs(text) {
  const message = JSON.stringify({
    jsonrpc: '2.0',
    method: 'textDocument/didOpen',
    params: { textDocument: { uri: 'file:///x.log', languageId: 'kernel-log', version: 1, text } },
  });
  let best = Infinity;
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    JSON.parse(message);
    best = Math.min(best, performance.now() - t0);
  }
  return round(best);
}

/** The first line (0-based) at or after `from` that holds `needle`. */
function lineWith(text, needle, from = 0) {
  const at = text.indexOf(needle, nthLineStart(text, from));
  return at < 0 ? from : text.slice(0, at).split('\n').length - 1;
}
function nthLineStart(text, n) {
  let at = 0;
  for (let i = 0; i < n && at >= 0; i++) at = text.indexOf('\n', at) + 1;
  return Math.max(0, at);
}

async function benchOpen(server, uri, text) {
  const firstDiagnostics = server.next((m, p) => m === 'textDocument/publishDiagnostics' && p.uri === uri);
  const complete = server.next((m, p) => m === 'kernelLog/status' && p.uri === uri && p.complete);
  const c = server.connection;
  const timed = (promise, t0) => promise.then((r) => ({ ms: round(performance.now() - t0), r }));
  // A call-trace entry near the top, hovered while the rest is still parsed.
  const entryLine = lineWith(text, '+0x', 200);
  const entryColumn = text.split('\n', entryLine + 1)[entryLine].indexOf('+0x') - 2;
  const t0 = performance.now();
  await c.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'kernel-log', version: 1, text } });
  const doc = { textDocument: { uri } };
  const symbols = timed(c.sendRequest('textDocument/documentSymbol', doc), t0);
  const folding = timed(c.sendRequest('textDocument/foldingRange', doc), t0);
  const hover = timed(c.sendRequest('textDocument/hover', { ...doc, position: { line: entryLine, character: Math.max(0, entryColumn) } }), performance.now());
  const action = timed(
    c.sendRequest('textDocument/codeAction', {
      ...doc,
      range: { start: { line: entryLine, character: 0 }, end: { line: entryLine, character: 0 } },
      context: { diagnostics: [] },
    }),
    performance.now(),
  );
  const first = await firstDiagnostics;
  const done = await complete;
  const [s, f, h, a] = await Promise.all([symbols, folding, hover, action]);
  return {
    firstMs: round(first.at - t0),
    completeMs: round(done.at - t0),
    firstCount: first.params.diagnostics.length,
    reports: done.params.reports,
    documentSymbolMs: s.ms,
    documentSymbols: Array.isArray(s.r) ? s.r.length : -1,
    foldingRangeMs: f.ms,
    hoverMs: h.ms,
    hovered: h.r != null,
    codeActionMs: a.ms,
  };
}

async function benchEdit(server, uri, version, line, textLine, deleteChars = 0) {
  // The status goes out for every analysed version (the diagnostics only when they changed).
  const published = server.next((m, p) => m === 'kernelLog/status' && p.uri === uri && p.version === version);
  const t0 = performance.now();
  await server.connection.sendNotification('textDocument/didChange', {
    textDocument: { uri, version },
    contentChanges: [{ range: { start: { line, character: 0 }, end: { line, character: deleteChars } }, text: textLine }],
  });
  const result = await published;
  return round(result.at - t0);
}

async function openSection(kind, text) {
  const runs = [];
  for (let i = 0; i < REPEAT; i++) {
    const server = startServer();
    await initialize(server);
    runs.push(await benchOpen(server, `file:///bench/${kind}-open.log`, text));
    await stop(server);
  }
  const med = (k) => median(runs.map((r) => r[k]));
  return {
    mb: round(text.length / 1e6),
    reports: runs[0].reports,
    grepMs: grepMs(text),
    jsonDecodeMs: jsonDecodeMs(text),
    firstDiagnosticsCount: runs[0].firstCount,
    firstMs: med('firstMs'),
    completeMs: med('completeMs'),
    documentSymbolMs: med('documentSymbolMs'),
    foldingRangeMs: med('foldingRangeMs'),
    hoverMs: med('hoverMs'),
    hovered: runs.every((r) => r.hovered),
    codeActionMs: med('codeActionMs'),
    runs,
  };
}

async function editSection(kind, text) {
  const server = startServer();
  await initialize(server);
  const lines = text.split('\n').length;
  const uri = `file:///bench/${kind}-edit.log`;
  const open = await benchOpen(server, uri, text);
  const out = { mb: round(text.length / 1e6), lines, grepMs: grepMs(text), openFirstMs: open.firstMs, openCompleteMs: open.completeMs, reports: open.reports };
  out.rssMb = rssMb(server.child.pid);
  out.rssPerText = round(out.rssMb / (text.length / 1e6));
  // After a few idle seconds V8 gives back the pages the parse's garbage took.
  await new Promise((resolve) => setTimeout(resolve, 3000));
  out.rssMbIdle = rssMb(server.child.pid);
  out.rssIdlePerText = round(out.rssMbIdle / (text.length / 1e6));
  out.heapAfterGc = await server.heap();
  let version = 1;
  const places = { top: Math.floor(lines * 0.01), middle: Math.floor(lines * 0.5), end: lines - 50 };
  const dupLine = '[  731.413330]  [<ffffffff8129b350>] ? lookup_fast+0x3d0/0x3d0\n';
  for (const [name, line] of Object.entries(places)) {
    const first = await benchEdit(server, uri, ++version, line, dupLine);
    const next = [];
    for (let i = 0; i < 5; i++) next.push(await benchEdit(server, uri, ++version, line + i + 1, 'x'));
    out[name] = { firstEditMs: first, nextEditsMedianMs: median(next), nextEditsMs: next };
  }
  // A long request cancelled soon after it is sent gets RequestCancelled at once.
  {
    await benchEdit(server, uri, ++version, places.middle, 'y'); // the next request finds an edit to apply
    const source = { id: 0 };
    const t0 = performance.now();
    const request = server.connection.sendRequest(
      'textDocument/documentSymbol',
      { textDocument: { uri } },
      {
        onCancellationRequested: () => ({ dispose() {} }),
        get isCancellationRequested() {
          return source.id > 0;
        },
      },
    );
    let outcome;
    try {
      const r = await Promise.race([request, new Promise((resolve) => setTimeout(() => resolve('timer'), 20))]);
      outcome = r === 'timer' ? null : { answeredBeforeCancel: true, ms: round(performance.now() - t0) };
    } catch {}
    out.cancel = outcome ?? (await cancelled(server, uri, t0));
  }
  out.rssMbAfterEdits = rssMb(server.child.pid);
  await stop(server);
  return out;
}

/** Sends documentSymbol with a token, cancels it after 20 ms, and times the answer. */
async function cancelled(server, uri, _t0) {
  const { CancellationTokenSource } = await import('vscode-jsonrpc');
  const source = new CancellationTokenSource();
  const start = performance.now();
  const request = server.connection.sendRequest('textDocument/documentSymbol', { textDocument: { uri } }, source.token);
  setTimeout(() => source.cancel(), 20);
  try {
    const r = await request;
    return { cancelled: false, items: Array.isArray(r) ? r.length : -1, ms: round(performance.now() - start) };
  } catch (err) {
    return { cancelled: true, code: err?.code, ms: round(performance.now() - start) };
  }
}

async function heapSection(kind, text) {
  const server = startServer();
  await initialize(server);
  const uri = `file:///bench/${kind}-heap.log`;
  await benchOpen(server, uri, text);
  const lines = text.split('\n').length;
  const samples = [{ edits: 0, ...(await server.heap()) }];
  let version = 1;
  const times = [];
  for (let i = 1; i <= EDITS; i++) {
    // Type a character at the start of a line, then delete it: the text is the same every other edit.
    const line = Math.floor((((i + 1) >> 1) * 7919) % lines);
    times.push(await benchEdit(server, uri, ++version, line, i % 2 ? 'x' : '', i % 2 ? 0 : 1));
    if (i === 250 || i === 500 || i === EDITS) samples.push({ edits: i, ...(await server.heap()) });
  }
  await stop(server);
  return { mb: round(text.length / 1e6), samples, editMedianMs: median(times), editP95Ms: [...times].sort((a, b) => a - b)[Math.floor(times.length * 0.95)] };
}

/** Lines (0-based) holding `re`, `n` of them spread evenly over the text, with the column of the match. */
function spreadLines(text, re, n) {
  const all = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = re.exec(lines[i]);
    if (m) all.push({ line: i, character: m.index + 1 });
  }
  if (all.length <= n) return all;
  return Array.from({ length: n }, (_, k) => all[Math.floor((k * all.length) / n)]);
}

const percentile = (xs, p) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
};

async function codeSection(kind, text) {
  const server = startServer();
  await initialize(server);
  const uri = `file:///bench/${kind}-code.log`;
  await benchOpen(server, uri, text);
  const c = server.connection;
  const hoverMs = async (position) => {
    const t0 = performance.now();
    const r = await c.sendRequest('textDocument/hover', { textDocument: { uri }, position });
    return { ms: performance.now() - t0, ok: r != null };
  };
  // x86 `Code:` lines (a `<xx>` marked byte): the ones the disassembler decodes.
  const code = spreadLines(text, /Code: (?=.*<[0-9a-f]{2}>)/, CODE_HOVERS + 1);
  const entries = spreadLines(text, /\s\S+\+0x[0-9a-f]+\/0x[0-9a-f]+/, CODE_HOVERS);
  const cold = await hoverMs(code[0]);
  const times = [];
  let empty = 0;
  for (const p of code.slice(1)) {
    const h = await hoverMs(p);
    times.push(h.ms);
    if (!h.ok) empty++;
  }
  const ref = [];
  for (const p of entries) ref.push((await hoverMs(p)).ms);
  await stop(server);
  const p50 = round(percentile(times, 50));
  const p99 = round(percentile(times, 99));
  const refP50 = round(percentile(ref, 50));
  return {
    mb: round(text.length / 1e6),
    hovers: times.length,
    empty,
    coldMs: round(cold.ms),
    p50Ms: p50,
    p99Ms: p99,
    maxMs: round(Math.max(...times)),
    entryHovers: ref.length,
    entryP50Ms: refP50,
    entryP99Ms: round(percentile(ref, 99)),
    p50RatioToEntry: round(p50 / refP50),
  };
}

async function main() {
  const result = { node: process.version, loadAverage: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).map(Number), kinds: {} };
  for (const kind of KINDS) {
    if (kind === 'syzbot-dense' && !syzbotBodies().bodies) {
      process.stderr.write(`bench-lsp: ${syzbotBodies().reason}\n`);
      continue;
    }
    const R = (result.kinds[kind] = {});
    if (SECTIONS.includes('open')) R.open = await openSection(kind, LOGS[kind](MB_OPEN));
    if (SECTIONS.includes('edit')) R.edit = await editSection(kind, LOGS[kind](MB_EDIT));
    if (SECTIONS.includes('heap')) R.heap = await heapSection(kind, LOGS[kind](MB_OPEN));
    if (SECTIONS.includes('code')) R.code = await codeSection(kind, LOGS[kind](MB_OPEN));
  }
  printTable(result);
  process.stdout.write(JSON.stringify(result) + '\n');
}

function printTable(result) {
  const kinds = Object.keys(result.kinds);
  const rows = [];
  const row = (label, f) => {
    const cells = kinds.map((k) => {
      try {
        return String(f(result.kinds[k]) ?? '');
      } catch {
        return '';
      }
    });
    if (cells.some((c) => c !== '')) rows.push([label, ...cells]);
  };
  row('open ~10 MB: MB', (R) => R.open.mb);
  row('  grep -c Call Trace, ms', (R) => R.open.grepMs);
  row('  JSON.parse of the didOpen message, ms', (R) => R.open.jsonDecodeMs);
  row('  first diagnostics, ms (target 100)', (R) => R.open.firstMs);
  row('  complete diagnostics, ms', (R) => R.open.completeMs);
  row('  documentSymbol answered, ms', (R) => R.open.documentSymbolMs);
  row('  foldingRange answered, ms', (R) => R.open.foldingRangeMs);
  row('  hover while parsing, ms (target 50)', (R) => `${R.open.hoverMs}${R.open.hovered ? '' : ' (empty)'}`);
  row('  code action while parsing, ms (target 50)', (R) => R.open.codeActionMs);
  row('edits ~50 MB: MB', (R) => R.edit.mb);
  row('  open: first / complete diagnostics, ms', (R) => `${R.edit.openFirstMs} / ${R.edit.openCompleteMs}`);
  for (const place of ['top', 'middle', 'end'])
    row(`  ${place}: first edit / next (median), ms (target 30)`, (R) => `${R.edit[place].firstEditMs} / ${R.edit[place].nextEditsMedianMs}`);
  row('  cancelled documentSymbol answered, ms', (R) => `${R.edit.cancel.ms}${R.edit.cancel.cancelled ? ' (cancelled)' : ' (NOT cancelled)'}`);
  row('  server RSS, MB (x text; target 3)', (R) => `${R.edit.rssMb} (${R.edit.rssPerText}x)`);
  row('  server RSS 3 s later, MB (x text)', (R) => `${R.edit.rssMbIdle} (${R.edit.rssIdlePerText}x)`);
  row('  server heap after a full GC, MB', (R) => R.edit.heapAfterGc.heapMb);
  row('  server RSS after edits, MB', (R) => R.edit.rssMbAfterEdits);
  row(`heap over ${EDITS} edits, ~10 MB: heap MB`, (R) => R.heap.samples.map((s) => s.heapMb).join(' → '));
  row('  edit median / p95, ms', (R) => `${R.heap.editMedianMs} / ${R.heap.editP95Ms}`);
  row('Code: hovers after the parse, ~10 MB: count', (R) => `${R.code.hovers}${R.code.empty ? ` (${R.code.empty} empty)` : ''}`);
  row('  first (loads the disassembler), ms', (R) => R.code.coldMs);
  row('  p50 / p99 / max, ms (target p99 20)', (R) => `${R.code.p50Ms} / ${R.code.p99Ms} / ${R.code.maxMs}`);
  row('  call-trace entry hovers p50 / p99, ms (reference)', (R) => `${R.code.entryP50Ms} / ${R.code.entryP99Ms}`);
  row('  Code: p50 / entry p50', (R) => R.code.p50RatioToEntry);
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length), i === 0 ? 0 : kinds[i - 1].length));
  const line = (cells) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[0]) : c.padStart(widths[i]))).join('  ');
  process.stderr.write(line(['', ...kinds]) + '\n');
  for (const r of rows) process.stderr.write(line(r) + '\n');
}

main().then(
  () => {
    rmSync(TMP, { recursive: true, force: true });
    process.exit(0);
  },
  (err) => {
    process.stderr.write(`bench-lsp: ${err.stack ?? err}\n`);
    rmSync(TMP, { recursive: true, force: true });
    process.exit(1);
  },
);
