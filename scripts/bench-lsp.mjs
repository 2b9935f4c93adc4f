// Language-server benchmark over real LSP stdio against the bundled dist/server.js:
//   - time to the first diagnostics after didOpen of a ~10 MB log (target <= 100 ms), and to the
//     complete ones (a big file is parsed in chunks; the first chunk's diagnostics go out early);
//   - time to diagnostics after a one-line edit in a ~50 MB log (target <= 30 ms), at the top, the
//     middle and the end, the first edit in a place and the edits after it;
//   - the server's RSS with the 50 MB log open.
// The logs repeat the fixtures of test/fixtures/ with varied numbers. Prints one JSON line.
// Usage: npm run build && node scripts/bench-lsp.mjs [--mb-open 10] [--mb-edit 50] [--repeat 5]
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const MB_OPEN = option('--mb-open', 10);
const MB_EDIT = option('--mb-edit', 50);
const REPEAT = option('--repeat', 5);

/** ~`mb` MB of log: the fixtures over and over, time stamps moving on, PIDs and addresses varied. */
function buildLog(mb) {
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

function startServer() {
  const child = spawn(process.execPath, [path.join(ROOT, 'dist', 'server.js'), '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const connection = createMessageConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  connection.onRequest('workspace/configuration', (params) => params.items.map(() => ({})));
  connection.onRequest('client/registerCapability', () => null);
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
  return { child, connection, next };
}

async function initialize(server) {
  await server.connection.sendRequest('initialize', {
    processId: process.pid,
    rootUri: null,
    capabilities: {
      workspace: { configuration: true, didChangeConfiguration: { dynamicRegistration: true } },
      textDocument: { publishDiagnostics: { relatedInformation: true, tagSupport: { valueSet: [1, 2] } } },
    },
  });
  await server.connection.sendNotification('initialized', {});
}

function rssMb(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  return Math.round(kb / 1024);
}

const round = (x) => Math.round(x * 10) / 10;
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

async function benchOpen(server, uri, text) {
  const firstDiagnostics = server.next((m, p) => m === 'textDocument/publishDiagnostics' && p.uri === uri);
  const complete = server.next((m, p) => m === 'kernelLog/status' && p.uri === uri && p.complete);
  const t0 = performance.now();
  await server.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'kernel-log', version: 1, text } });
  const first = await firstDiagnostics;
  const done = await complete;
  return { firstMs: round(first.at - t0), completeMs: round(done.at - t0), firstCount: first.params.diagnostics.length, reports: done.params.reports };
}

async function benchEdit(server, uri, version, line, textLine) {
  const published = server.next((m, p) => m === 'textDocument/publishDiagnostics' && p.uri === uri && p.version === version);
  const t0 = performance.now();
  await server.connection.sendNotification('textDocument/didChange', {
    textDocument: { uri, version },
    contentChanges: [{ range: { start: { line, character: 0 }, end: { line, character: 0 } }, text: textLine }],
  });
  const result = await published;
  return round(result.at - t0);
}

async function main() {
  // The machine may be shared: record how busy it was.
  const result = { node: process.version, loadAverage: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).map(Number) };

  // 1. didOpen of a ~10 MB log, each time in a fresh server (cold, as when an editor opens it).
  {
    const text = buildLog(MB_OPEN);
    const runs = [];
    for (let i = 0; i < REPEAT; i++) {
      const server = startServer();
      await initialize(server);
      runs.push(await benchOpen(server, 'file:///bench/open.log', text));
      await server.connection.sendRequest('shutdown');
      await server.connection.sendNotification('exit');
    }
    result.open = {
      mb: round(text.length / 1e6),
      lines: text.split('\n').length,
      reports: runs[0].reports,
      firstDiagnosticsCount: runs[0].firstCount,
      firstMsMedian: median(runs.map((r) => r.firstMs)),
      completeMsMedian: median(runs.map((r) => r.completeMs)),
      firstMs: runs.map((r) => r.firstMs),
      completeMs: runs.map((r) => r.completeMs),
    };
  }

  // 2. One-line edits in a ~50 MB log, and the RSS with it open.
  {
    const server = startServer();
    await initialize(server);
    const text = buildLog(MB_EDIT);
    const lines = text.split('\n').length;
    const uri = 'file:///bench/edit.log';
    const open = await benchOpen(server, uri, text);
    result.edit = { mb: round(text.length / 1e6), lines, openFirstMs: open.firstMs, openCompleteMs: open.completeMs, reports: open.reports };
    result.rssMb = rssMb(server.child.pid);
    let version = 1;
    const places = { top: Math.floor(lines * 0.01), middle: Math.floor(lines * 0.5), end: lines - 50 };
    const dupLine = '[  731.413330]  [<ffffffff8129b350>] ? lookup_fast+0x3d0/0x3d0\n';
    for (const [name, line] of Object.entries(places)) {
      const first = await benchEdit(server, uri, ++version, line, dupLine);
      const next = [];
      for (let i = 0; i < 5; i++) next.push(await benchEdit(server, uri, ++version, line + i + 1, 'x'));
      result.edit[name] = { firstEditMs: first, nextEditsMedianMs: median(next), nextEditsMs: next };
    }
    result.rssMbAfterEdits = rssMb(server.child.pid);
    await server.connection.sendRequest('shutdown');
    await server.connection.sendNotification('exit');
  }
  result.targets = {
    firstDiagnostics10MbMs: 100,
    editDiagnostics50MbMs: 30,
    openFirstMet: result.open.firstMsMedian <= 100,
    editMet: Object.values(result.edit).every((v) => typeof v !== 'object' || v.nextEditsMedianMs <= 30),
  };
  process.stdout.write(JSON.stringify(result) + '\n');
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`bench-lsp: ${err.stack ?? err}\n`);
    process.exit(1);
  },
);
