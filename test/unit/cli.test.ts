// kcrash as a user runs it: the bundled dist/cli.js (npm test builds it first), real files. The
// command-line errors, which end before any file is read, are checked on main() in this process.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import zlib from 'node:zlib';
import { main } from '../../server/src/cli.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const CLI = path.join(ROOT, 'dist/cli.js');
const SEED = path.join(ROOT, 'examples/seed-pt-regs-on-stack.log');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kcrash-cli-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

function kcrash(args: string[], input?: string) {
  return spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', input, cwd: ROOT });
}

test('parse --json: one object per file in input order, 1-based lines, the contract fields', () => {
  const r = kcrash(['parse', '--json', SEED, path.join(ROOT, 'test/fixtures/arm64-6.12-null-deref.log')]);
  assert.equal(r.status, 0, r.stderr);
  const docs = r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.deepEqual(
    docs.map((d) => path.basename(d.file)),
    ['seed-pt-regs-on-stack.log', 'arm64-6.12-null-deref.log'],
  );
  const [first] = docs[0].reports;
  assert.equal(first.title, 'BUG: soft lockup in path_init');
  assert.equal(first.startLine, 1);
  assert.equal(first.arch, 'x86_64');
  assert.deepEqual(first.regs[0].ip, {
    line: 6,
    function: 'path_init',
    offset: 0,
    size: 0x750,
    module: null,
    address: 'ffffffff8129b350',
    reliable: true,
    context: null,
  });
  const dup = docs[0].diagnostics.find((d: { code: string }) => d.code === 'duplicate-regs-ip');
  assert.deepEqual([dup.line, dup.severity], [26, 'warning']);
  assert.equal(docs[1].reports[0].arch, 'arm64');
});

test('check: text lines, exit 1 on warnings, 0 without, SARIF 2.1.0, stdin', () => {
  const warn = kcrash(['check', SEED]);
  assert.equal(warn.status, 1);
  assert.match(warn.stdout, /seed-pt-regs-on-stack\.log:26:17: warning duplicate-regs-ip /);
  const clean = kcrash(['check', path.join(ROOT, 'test/fixtures/arm64-6.12-null-deref.log')]);
  assert.equal(clean.status, 0);
  const sarif = kcrash(['check', '--format', 'sarif', '-'], fs.readFileSync(SEED, 'utf8'));
  const doc = JSON.parse(sarif.stdout);
  assert.equal(doc.version, '2.1.0');
  const result = doc.runs[0].results.find((x: { ruleId: string }) => x.ruleId === 'duplicate-regs-ip');
  assert.deepEqual(result.locations[0].physicalLocation.region.startLine, 26);
});

test('bad input: one clear line per file on stderr, exit 2, the other files still processed', () => {
  const empty = path.join(tmp, 'empty.log');
  fs.writeFileSync(empty, '');
  const binary = path.join(tmp, 'vmcore');
  fs.writeFileSync(binary, Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7) % 256)));
  const r = kcrash(['parse', '--json', path.join(tmp, 'missing.log'), empty, binary, SEED]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /missing\.log: cannot read: no such file/);
  assert.match(r.stderr, /empty\.log: empty file/);
  assert.match(r.stderr, /vmcore: binary file/);
  assert.equal(r.stdout.trim().split('\n').length, 1);
  assert.equal(kcrash(['check', '--format', 'xml', SEED]).status, 2);
  assert.equal(kcrash(['frobnicate']).status, 2);
});

test('gzip-compressed logs are read as they are', () => {
  const gz = path.join(tmp, 'dmesg.gz');
  fs.writeFileSync(gz, zlib.gzipSync(fs.readFileSync(SEED)));
  const r = kcrash(['parse', '--json', gz]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).reports.length, 2);
  fs.writeFileSync(gz, zlib.gzipSync(fs.readFileSync(SEED)).subarray(0, 50));
  const broken = kcrash(['check', gz]);
  assert.equal(broken.status, 2);
  assert.match(broken.stderr, /damaged gzip file/);
});

test('kcrash lsp --stdio answers initialize like dist/server.js', async () => {
  const { spawn } = await import('node:child_process');
  const child = spawn(process.execPath, [CLI, 'lsp', '--stdio'], { cwd: ROOT });
  const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { processId: null, rootUri: null, capabilities: {} } });
  child.stdin.write(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  let out = '';
  const reply = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no reply: ${out}`)), 10_000);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const at = out.indexOf('\r\n\r\n');
      const len = Number(/Content-Length: (\d+)/.exec(out)?.[1]);
      if (at >= 0 && Buffer.byteLength(out.slice(at + 4)) >= len) {
        clearTimeout(timer);
        resolve(out.slice(at + 4));
      }
    });
  });
  child.kill();
  const result = JSON.parse(reply).result;
  assert.ok(result.capabilities.hoverProvider);
  assert.ok(result.capabilities.codeActionProvider.codeActionKinds.includes('source.fixAll.kernel-log'));
});

test('parse prints every entry and IP whole: never `undefined` or `null` for an offset, size or address', () => {
  const logs = ['arm32-ppc-old-formats', 'arm-6.x-oops', 'mips-4.x-oops', 'loongarch-5.19-oops', 's390-4.x-oops', 'powerpc-5.x-oops', 'x86-6.8-decoded-trace'];
  const r = kcrash(['parse', ...logs.map((name) => path.join(ROOT, `test/fixtures/${name}.log`))]);
  assert.equal(r.status, 0, r.stderr);
  assert.doesNotMatch(r.stdout, /undefined|0xnull|\bnull\b/);
  // An arm entry without an offset on its line prints its name alone; decoded entries their source line.
  assert.match(r.stdout, /\d+ {2}blink_toggle \[blinker\]\n/);
  assert.match(r.stdout, /dump_stack_lvl \(lib\/dump_stack\.c:117\)/);
});

test('decode: each entry that resolves gets its source line, as decode_stacktrace.sh prints it; the rest stays as it was', () => {
  const real = path.join(ROOT, 'test/fixtures/real-debian');
  const log = path.join(ROOT, 'test/fixtures/real-debian-module-warn-in-nmi.log');
  const r = kcrash(['decode', '--system-map', path.join(real, 'System.map-6.1.0-56-amd64'), '--modules', real, '--external', 'off', log]);
  assert.equal(r.status, 0, r.stderr);
  const original = fs.readFileSync(log, 'utf8').split('\n');
  const out = r.stdout.split('\n');
  // The exact RIP of the module, with its inline chain on the next line (innermost first).
  const rip = out.findIndex((l) => l.includes('RIP: 0010:kcrash_nmi+0x1f/0x30'));
  assert.equal(out[rip], '[    1.423183] RIP: 0010:kcrash_nmi+0x1f/0x30 (/var/cache/kcrash-real/module/kcrash_test.c:82) [kcrash_test]');
  assert.equal(out[rip + 1], '[    1.423183] RIP: 0010:kcrash_nmi (/var/cache/kcrash-real/module/kcrash_test.c:86) (inlined)');
  // Kernel entries: System.map has their symbols but no lines; they are printed unchanged.
  const kernelLines = original.filter((l) => /\b(?:nmi_handle|default_do_nmi)\+0x/.test(l));
  assert.ok(kernelLines.length > 0);
  for (const l of kernelLines) assert.ok(out.includes(l), l);
  // Without the inserted parts and the inline lines, the log is unchanged.
  assert.deepEqual(
    out.filter((l) => !l.endsWith('(inlined)')).map((l) => l.replace(/ \([^()]*:\d+\)/, '')),
    original,
  );
  assert.match(r.stderr, /kcrash decode: \d+ of \d+ entries resolved to source lines/);
});

test('decode: a file it cannot use gets one clear line on stderr', () => {
  const bad = path.join(tmp, 'vmlinux-broken');
  fs.writeFileSync(bad, Buffer.from('\x7fELF\x02\x01\x01garbage'));
  const r = kcrash(['decode', '--vmlinux', bad, '--external', 'off', path.join(ROOT, 'test/fixtures/real-debian-sysrq-c.log')]);
  assert.equal(r.status, 0);
  assert.equal(r.stdout, fs.readFileSync(path.join(ROOT, 'test/fixtures/real-debian-sysrq-c.log'), 'utf8'));
  assert.match(r.stderr, new RegExp(`^kcrash decode: ${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: .+\n`, 'm'));
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  const none = kcrash(['decode', '--external', 'off', path.join(ROOT, 'test/fixtures/real-debian-sysrq-c.log')]);
  assert.match(none.stderr, /no symbol files: give --vmlinux \(with debug info\), --system-map or --modules, or install linux-image-6\.1\.0-56-amd64-dbg/);
  assert.equal(kcrash(['decode']).status, 2);
});

test('parse --json: a run of binary lines is one problem with its last line', () => {
  const r = kcrash(['parse', '--json', '-'], '[ 1.0] a\0b\n[ 2.0] c\ufffdd\n[ 3.0] ok\n[ 4.0] e\0\n');
  assert.equal(r.status, 0, r.stderr);
  const problems = JSON.parse(r.stdout).problems;
  assert.deepEqual(
    problems.map((p: { line: number; endLine?: number; code: string }) => [p.code, p.line, p.endLine]),
    [
      ['binary-data', 1, 2],
      ['binary-data', 4, undefined],
    ],
  );
});

/** A log of `copies` copies of the seed oops: thousands of findings. */
function bigLog(copies: number): string {
  const file = path.join(tmp, `big-${copies}.log`);
  if (!fs.existsSync(file)) fs.writeFileSync(file, fs.readFileSync(SEED, 'utf8').repeat(copies));
  return file;
}

/**
 * Each output with a log just big enough for it to pass the CLI's 1 MiB buffer (with a margin): a
 * copy of the seed oops gives about 2.5 kB of text, 3.3 kB of JSON, 8.6 kB of SARIF and 9 kB of
 * `parse --json`.
 */
const BIG_OUTPUTS: { args: string[]; copies: number }[] = [
  { args: ['check'], copies: 520 },
  { args: ['check', '--format', 'json'], copies: 400 },
  { args: ['check', '--format', 'sarif'], copies: 160 },
  { args: ['parse', '--json'], copies: 160 },
];

test('big outputs come out whole through a pipe read slowly, the same bytes as to a file', async () => {
  const { spawn } = await import('node:child_process');
  for (const { args, copies } of BIG_OUTPUTS) {
    const log = bigLog(copies);
    const toFile = path.join(tmp, 'out.txt');
    const fd = fs.openSync(toFile, 'w');
    const direct = spawnSync(process.execPath, [CLI, ...args, log], { stdio: ['ignore', fd, 'pipe'], cwd: ROOT });
    fs.closeSync(fd);
    const expected = fs.readFileSync(toFile);
    assert.ok(expected.length > 1 << 20, `${args.join(' ')}: ${expected.length} bytes (give the log more copies)`);
    const child = spawn(process.execPath, [CLI, ...args, log], { cwd: ROOT });
    const chunks: Buffer[] = [];
    child.stdout.pause(); // the reader falls behind: the writer must wait for it, not drop or fail
    setTimeout(() => child.stdout.resume(), 300);
    child.stdout.on('data', (d: Buffer) => chunks.push(d));
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
    assert.equal(status, direct.status, stderr);
    assert.ok(Buffer.concat(chunks).equals(expected), `${args.join(' ')}: piped output differs`);
    if (args.length > 1) JSON.parse(expected.toString('utf8')); // one file: one JSON document
  }
});

test('a reader that stops early (`kcrash check big.log | head`) ends the output quietly', async () => {
  const { spawn } = await import('node:child_process');
  for (const { args, copies } of BIG_OUTPUTS.filter((o) => o.args.join(' ') !== 'check --format json')) {
    const child = spawn(process.execPath, [CLI, ...args, bigLog(copies)], { cwd: ROOT });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.stdout.once('data', () => child.stdout.destroy());
    const [status, signal] = await new Promise<[number | null, string | null]>((resolve) => child.on('close', (c, s) => resolve([c, s])));
    assert.equal(signal, null);
    assert.equal(status, 0, stderr);
    assert.doesNotMatch(stderr, /EPIPE|Error|\n\s+at /, `${args.join(' ')}: ${stderr}`);
  }
});

test('JSON and SARIF written a part at a time read back to the same text JSON.stringify gives', () => {
  const quiet = path.join(tmp, 'quiet.log');
  fs.writeFileSync(quiet, 'nothing to see\n');
  const logs = [SEED, path.join(ROOT, 'test/fixtures/kasan-6.6-use-after-free-stacks.log'), quiet];
  const sarif = kcrash(['check', '--format', 'sarif', ...logs]).stdout;
  assert.equal(sarif, JSON.stringify(JSON.parse(sarif), null, 2) + '\n');
  assert.ok(JSON.parse(sarif).runs[0].results.length > 0);
  const none = kcrash(['check', '--format', 'sarif', quiet]).stdout;
  assert.equal(none, JSON.stringify(JSON.parse(none), null, 2) + '\n');
  assert.deepEqual(JSON.parse(none).runs[0].results, []);
  for (const args of [
    ['check', '--format', 'json'],
    ['parse', '--json'],
  ]) {
    const lines = kcrash([...args, ...logs]).stdout.split('\n');
    assert.equal(lines.pop(), '');
    assert.equal(lines.length, logs.length);
    for (const line of lines) assert.equal(line, JSON.stringify(JSON.parse(line)));
  }
});

/** main() on a command line that ends before any file is read: its status and what it printed. */
async function mainIn(args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  const out = { stdout: '', stderr: '' };
  const { write: stdout } = process.stdout;
  const { write: stderr } = process.stderr;
  process.stdout.write = ((s: string) => ((out.stdout += s), true)) as typeof process.stdout.write;
  process.stderr.write = ((s: string) => ((out.stderr += s), true)) as typeof process.stderr.write;
  let status: Promise<number>;
  try {
    // These paths print before main's first await: only their output is taken, not the test runner's.
    status = main(args);
  } finally {
    process.stdout.write = stdout;
    process.stderr.write = stderr;
  }
  return { status: await status, ...out };
}

test('--version prints the version of package.json, put into dist/cli.js by the build', () => {
  const { version } = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  const r = kcrash(['--version']);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, `${version}\n`);
  // The version alone: the bundle does not carry the rest of the manifest.
  assert.doesNotMatch(fs.readFileSync(CLI, 'utf8'), /"contributes"|galleryBanner/);
});

test('--help and -h, on their own or after a command, print the usage on stdout and exit 0', async () => {
  for (const args of [['--help'], ['-h'], ['help'], ['check', '--help'], ['parse', '-h'], ['decode', '--help'], ['lsp', '--help']]) {
    const r = await mainIn(args);
    assert.match(r.stdout, /^usage: kcrash parse \[--json\] FILE\.\.\.\n[\s\S]*kcrash --version\n/, args.join(' '));
    assert.equal(r.stderr, '', args.join(' '));
  }
});

test('an unknown option, a missing value or an unknown command: one line saying which, the usage, exit 2', async () => {
  const cases: [string[], RegExp][] = [
    [['check', '--frob', 'x.log'], /^kcrash check: unknown option --frob \(a file whose name starts with - goes after --: kcrash check -- --frob\)\n/],
    [['check', '--json', 'x.log'], /^kcrash check: unknown option --json /],
    [['parse', '-x', 'x.log'], /^kcrash parse: unknown option -x /],
    [['parse', '--json=yes', 'x.log'], /^kcrash parse: Option '--json' does not take an argument\n/],
    [['decode', '--vmlinux=v', '--frob', 'x.log'], /^kcrash decode: unknown option --frob /],
    [['lsp', '--stdio', '--frob'], /^kcrash lsp: unknown option --frob\n/],
    [['lsp', 'x.log'], /^kcrash lsp: unexpected argument x\.log\n/],
    [['check', '--format'], /^kcrash check: --format needs a value\n/],
    [['decode', '--vmlinux'], /^kcrash decode: --vmlinux needs a value\n/],
    [['decode', '--modules', '--vmlinux', 'v', 'x.log'], /^kcrash decode: Option '--modules' argument is ambiguous\. Did you forget/],
    [['check', '--format', 'xml', 'x.log'], /^kcrash check: --format must be text, json or sarif, not "xml"\n/],
    [['check'], /^kcrash check: no files given\n/],
    [['parse', '--json'], /^kcrash parse: no files given\n/],
    [['decode', 'a.log', 'b.log'], /^kcrash decode: give one log file/],
    [['--frob'], /^kcrash: unknown option --frob\n/],
    [['frobnicate'], /^kcrash: unknown command frobnicate\n/],
    [[], /^usage: kcrash/],
  ];
  for (const [args, message] of cases) {
    const r = await mainIn(args);
    assert.equal(r.status, 2, args.join(' '));
    assert.match(r.stderr, message, args.join(' '));
    assert.match(r.stderr, /usage: kcrash parse/, `${args.join(' ')}: the usage follows`);
    assert.equal(r.stdout, '', args.join(' '));
  }
  assert.equal(kcrash(['check', '--frob', SEED]).status, 2, 'the same status from the bundled CLI');
});

test('options in --name=value form, repeated --modules, and a file named like an option after --', () => {
  const odd = path.join(tmp, '--odd.log');
  fs.copyFileSync(SEED, odd);
  const r = spawnSync(process.execPath, [CLI, 'check', '--format=json', '--', '--odd.log'], { encoding: 'utf8', cwd: tmp });
  assert.equal(r.status, 1, r.stderr);
  assert.equal(JSON.parse(r.stdout).file, '--odd.log');
  const real = path.join(ROOT, 'test/fixtures/real-debian');
  const decoded = kcrash([
    'decode',
    `--system-map=${path.join(real, 'System.map-6.1.0-56-amd64')}`,
    '--modules',
    path.join(tmp, 'nothing-here'),
    `--modules=${real}`,
    '--external=off',
    path.join(ROOT, 'test/fixtures/real-debian-module-warn-in-nmi.log'),
  ]);
  assert.equal(decoded.status, 0, decoded.stderr);
  assert.match(decoded.stdout, /RIP: 0010:kcrash_nmi\+0x1f\/0x30 \(\/var\/cache\/kcrash-real\/module\/kcrash_test\.c:82\) \[kcrash_test\]/);
});
