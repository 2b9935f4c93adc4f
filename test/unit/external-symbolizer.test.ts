// The optional external symbolizer (server/src/symbolizer/external.ts) against the real tools: a small
// C program with an inlined helper is compiled here (-O2 -g) as an executable and as an object, and
// the answers are compared with direct runs of llvm-symbolizer and addr2line. Fake tools (node
// scripts) stand for a tool that hangs, crashes or prints nonsense. Skips when gcc,
// llvm-symbolizer or addr2line is missing.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { FileSource } from '../../server/src/symbolizer/byteSource.ts';
import { ElfFile, STT_FUNC } from '../../server/src/symbolizer/elf.ts';
import { ExternalSymbolizer } from '../../server/src/symbolizer/external.ts';
import type { SourceLocation } from '../../server/src/symbolizer/location.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kcrash-external-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const SOURCE = `#include <stdio.h>
#include <stdlib.h>
static inline __attribute__((always_inline)) int helper(int x)
{
	if (x > 100)
		x = x * 3 + 7;
	return x ^ (x >> 3);
}
__attribute__((noinline)) int compute(int n)
{
	int s = 0;
	for (int i = 0; i < n; i++)
		s += helper(i * n);
	return s;
}
int main(int argc, char **argv)
{
	printf("%d\\n", compute(argc > 1 ? atoi(argv[1]) : 10));
	return 0;
}
`;

const found = new ExternalSymbolizer('auto').tools();
const gcc = !spawnSync('gcc', ['--version']).error;
const missing = [!gcc && 'gcc', !found.llvmSymbolizer && 'llvm-symbolizer', !found.addr2line && 'addr2line'].filter(Boolean);
const skip = missing.length ? `needs ${missing.join(', ')} on PATH` : false;

const exe = path.join(tmp, 'prog');
const obj = path.join(tmp, 'prog.o');
/** An object for the fake tools, which never read it. */
const dummy = path.join(tmp, 'dummy.o');
fs.writeFileSync(dummy, 'not read');
let exeAddresses: bigint[] = [];
let objOffsets: bigint[] = [];
let startupOffsets: bigint[] = [];
if (!skip) {
  fs.writeFileSync(path.join(tmp, 'prog.c'), SOURCE);
  for (const args of [
    ['-o', exe],
    ['-c', '-o', obj],
  ]) {
    const r = spawnSync('gcc', ['-O2', '-g', ...args, 'prog.c'], { cwd: tmp, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  }
  exeAddresses = [...functionBytes(exe, 'compute', '.text'), ...functionBytes(exe, 'main', '.text')];
  objOffsets = functionBytes(obj, 'compute', '.text');
  startupOffsets = functionBytes(obj, 'main', '.text.startup'); // gcc -O2 puts main there
}

/** Every byte address of a function (in an object: its offsets in the section). */
function functionBytes(file: string, name: string, section: string): bigint[] {
  const elf = new ElfFile(new FileSource(file), file);
  try {
    const s = elf.symbols().find((s) => s.type === STT_FUNC && s.name === name);
    assert.ok(s && s.size > 10, `${file}: ${name}`);
    assert.equal(elf.sections[s.shndx].name, section);
    return Array.from({ length: s.size }, (_, i) => s.value + BigInt(i));
  } finally {
    elf.close();
  }
}

const hex = (a: bigint) => `0x${a.toString(16)}`;
const known = (l: SourceLocation) => l.function !== null || l.file !== null;

/** A direct `llvm-symbolizer` run over all addresses, mapped the documented way. */
function llvmDirect(file: string, addresses: bigint[]): SourceLocation[][] {
  const r = spawnSync(found.llvmSymbolizer!, [`--obj=${file}`, '--output-style=JSON', '--inlining', '--functions=short'], {
    input: addresses.map(hex).join('\n') + '\n',
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines.length, addresses.length);
  return lines.map((l) =>
    JSON.parse(l)
      .Symbol.map((s: { FunctionName: string; FileName: string; Line: number; Column: number }) => ({
        function: s.FunctionName || null,
        file: s.FileName || null,
        line: s.Line || null,
        column: s.Column || null,
      }))
      .filter(known),
  );
}

/** A direct `addr2line --section=<section>` run over all offsets (as arguments). */
function addr2lineDirect(file: string, offsets: bigint[], section = '.text'): SourceLocation[][] {
  const r = spawnSync(found.addr2line!, ['-f', '-i', '-a', `--section=${section}`, '-e', file, ...offsets.map(hex)], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const blocks: string[][] = [];
  for (const line of r.stdout.trimEnd().split('\n')) {
    if (/^0x[0-9a-f]+$/.test(line)) blocks.push([]);
    else blocks[blocks.length - 1].push(line);
  }
  assert.equal(blocks.length, offsets.length);
  return blocks.map((b) => {
    const frames: SourceLocation[] = [];
    for (let i = 0; i < b.length; i += 2) {
      const m = /^(.*):(\d+|\?)/.exec(b[i + 1])!;
      const file = m[1] === '??' ? null : m[1];
      frames.push({ function: b[i] === '??' ? null : b[i], file, line: file && Number(m[2]) ? Number(m[2]) : null, column: null });
    }
    return frames.filter(known);
  });
}

/** A fake tool: a node script; `body` runs with `log(text)` appending to `<name>.log`. */
function fakeTool(name: string, body: string, dir = tmp): string {
  const file = path.join(dir, name);
  const log = `${file}.log`;
  fs.writeFileSync(file, `#!${process.execPath}\nconst log = (t) => require('fs').appendFileSync(${JSON.stringify(log)}, t + '\\n');\n${body}\n`, {
    mode: 0o755,
  });
  return file;
}
const starts = (tool: string) => (fs.existsSync(`${tool}.log`) ? fs.readFileSync(`${tool}.log`, 'utf8').split('\n').filter(Boolean).length : 0);

test('lookupExecutable answers as llvm-symbolizer does, inlined helper first', { skip }, async () => {
  const expected = llvmDirect(exe, exeAddresses);
  const s = new ExternalSymbolizer('auto');
  try {
    for (let i = 0; i < exeAddresses.length; i++) assert.deepEqual(await s.lookupExecutable(exe, exeAddresses[i]), expected[i], hex(exeAddresses[i]));
    const inlined = expected.find((frames) => frames.length === 2)!;
    assert.deepEqual([inlined[0].function, inlined[1].function, path.basename(inlined[0].file!)], ['helper', 'compute', 'prog.c']);
    assert.ok(inlined[0].line && inlined[0].column);
    assert.deepEqual(await s.lookupExecutable(exe, 0x10n), [], 'no debug information there');
    assert.equal(await s.lookupExecutable(path.join(tmp, 'no-such-file'), 0x10n), null);
    assert.equal(await s.lookupExecutable(tmp, 0x10n), null, 'a directory');
    assert.equal(s.runningProcesses(), 1);
  } finally {
    s.dispose();
  }
  assert.equal(s.runningProcesses(), 0);
  assert.equal(await s.lookupExecutable(exe, exeAddresses[0]), null, 'after dispose');
});

test('lookupRelocatable answers as addr2line --section=<sec> does, in .text and .text.startup', { skip }, async () => {
  const expected = addr2lineDirect(obj, objOffsets);
  const startup = addr2lineDirect(obj, startupOffsets, '.text.startup');
  const s = new ExternalSymbolizer('auto');
  try {
    for (let i = 0; i < objOffsets.length; i++) assert.deepEqual(await s.lookupRelocatable(obj, '.text', objOffsets[i]), expected[i], hex(objOffsets[i]));
    assert.ok(expected.some((f) => f.length === 2 && f[0].function === 'helper' && f[1].function === 'compute'));
    for (let i = 0; i < startupOffsets.length; i++) {
      assert.deepEqual(await s.lookupRelocatable(obj, '.text.startup', startupOffsets[i]), startup[i], hex(startupOffsets[i]));
    }
    assert.ok(startup.every((f) => f.at(-1)?.function === 'main'));
    assert.deepEqual(await s.lookupRelocatable(obj, '.text', 0x100000n), [], 'past the section: ??:0');
    assert.equal(await s.lookupRelocatable(obj, '.no-such-section', 0n), null, 'addr2line exits');
    assert.equal(await s.lookupRelocatable(path.join(tmp, 'no-such-file'), '.text', 0n), null);
    assert.equal(s.runningProcesses(), 2);
  } finally {
    s.dispose();
  }
});

test('50 requests at once, to both tools, are all answered in order', { skip }, async () => {
  const pick = <T>(xs: T[]) => Array.from({ length: 25 }, (_, i) => xs[(i * 7) % xs.length]);
  const exeSet = pick(exeAddresses);
  const objSet = pick(objOffsets);
  const [llvm, binutils] = [llvmDirect(exe, exeSet), addr2lineDirect(obj, objSet)];
  const s = new ExternalSymbolizer('auto');
  try {
    const answers = await Promise.all([...exeSet.map((a) => s.lookupExecutable(exe, a)), ...objSet.map((o) => s.lookupRelocatable(obj, '.text', o))]);
    assert.deepEqual(answers, [...llvm, ...binutils]);
  } finally {
    s.dispose();
  }
});

test('an idle process is stopped, and the next request starts a new one', { skip }, async () => {
  const s = new ExternalSymbolizer('auto', { idleMs: 80 });
  try {
    const first = await s.lookupExecutable(exe, exeAddresses[5]);
    assert.ok(first && first.length > 0);
    assert.equal(s.runningProcesses(), 1);
    await new Promise((r) => setTimeout(r, 250));
    assert.equal(s.runningProcesses(), 0);
    assert.deepEqual(await s.lookupExecutable(exe, exeAddresses[5]), first);
    assert.equal(s.runningProcesses(), 1);
  } finally {
    s.dispose();
  }
});

test('a tool that never answers: null after the timeout for every pending request, killed, restarted later', async () => {
  const tool = fakeTool('hanging-symbolizer', 'process.stdin.resume();');
  const messages: string[] = [];
  const s = new ExternalSymbolizer(tool, { timeoutMs: 300, log: (m) => messages.push(m) });
  try {
    assert.equal(s.tools().llvmSymbolizer, tool);
    const t0 = performance.now();
    assert.deepEqual(await Promise.all([s.lookupExecutable(dummy, 1n), s.lookupExecutable(dummy, 2n)]), [null, null]);
    const ms = performance.now() - t0;
    assert.ok(ms >= 290 && ms < 3000, `${ms} ms`);
    assert.equal(s.runningProcesses(), 0);
    assert.match(messages.join('\n'), /no answer for 0x1 within 300 ms/);
    const again = s.lookupExecutable(dummy, 3n);
    assert.equal(s.runningProcesses(), 1, 'started again');
    assert.equal(await again, null);
    assert.equal(s.runningProcesses(), 0);
  } finally {
    s.dispose();
  }
});

test('a tool that exits at once or prints nonsense gives null, and is started again on the next request', async () => {
  const crashing = fakeTool('crashing-symbolizer', "log('start'); process.exit(3);");
  const s = new ExternalSymbolizer(crashing, { timeoutMs: 3000 });
  try {
    assert.deepEqual(await Promise.all([1n, 2n, 3n].map((a) => s.lookupExecutable(dummy, a))), [null, null, null]);
    assert.equal(await s.lookupExecutable(dummy, 4n), null);
    assert.equal(starts(crashing), 2);
    assert.equal(s.runningProcesses(), 0);
  } finally {
    s.dispose();
  }
  const chatty = fakeTool('chatty-symbolizer', "process.stdin.on('data', () => process.stdout.write('hello\\n'));");
  const wrong = fakeTool('wrong-address-symbolizer', 'process.stdin.on(\'data\', () => process.stdout.write(\'{"Address":"0x99","Symbol":[]}\\n\'));');
  const liar = fakeTool('lying-addr2line', "process.stdin.on('data', () => process.stdout.write('main\\n'));");
  const messages: string[] = [];
  for (const tool of [chatty, wrong]) {
    const t = new ExternalSymbolizer(tool, { timeoutMs: 3000, log: (m) => messages.push(m) });
    assert.equal(await t.lookupExecutable(dummy, 1n), null, path.basename(tool));
    t.dispose();
  }
  const t = new ExternalSymbolizer(liar, { timeoutMs: 3000, log: (m) => messages.push(m) });
  assert.equal(t.tools().addr2line, liar);
  assert.equal(await t.lookupRelocatable(dummy, '.text', 1n), null);
  t.dispose();
  assert.deepEqual(messages, [
    'chatty-symbolizer: unexpected output "hello"',
    `wrong-address-symbolizer: unexpected output ${JSON.stringify('{"Address":"0x99","Symbol":[]}')}`,
    'lying-addr2line: unexpected output "main"',
  ]);
});

test('a rebuilt object gets a new process; the old one is stopped', async () => {
  const tool = fakeTool(
    'echo-symbolizer',
    `log('start');
require('readline').createInterface({ input: process.stdin }).on('line', (a) =>
  console.log(JSON.stringify({ Address: a, Symbol: [{ FunctionName: 'f', FileName: 'f.c', Line: 7, Column: 0 }, { FunctionName: '', FileName: '', Line: 0, Column: 0 }] })));`,
  );
  const object = path.join(tmp, 'rebuilt.bin');
  fs.writeFileSync(object, 'one');
  const s = new ExternalSymbolizer(tool);
  try {
    const want = [{ function: 'f', file: 'f.c', line: 7, column: null }];
    assert.deepEqual(await s.lookupExecutable(object, 0x10n), want);
    assert.deepEqual(await s.lookupExecutable(object, 0x20n), want);
    assert.equal(starts(tool), 1);
    fs.writeFileSync(object, 'two, longer');
    assert.deepEqual(await s.lookupExecutable(object, 0x30n), want);
    assert.deepEqual([starts(tool), s.runningProcesses()], [2, 1]);
  } finally {
    s.dispose();
  }
});

test("'off' and enabled: false find nothing and start nothing; 'auto' searches PATH", async () => {
  const bin = fs.mkdtempSync(path.join(tmp, 'bin-'));
  const llvm = fakeTool('llvm-symbolizer', "log('start'); process.exit(0);", bin);
  const binutils = fakeTool('addr2line', "log('start'); process.exit(0);", bin);
  const env = { ...process.env, PATH: bin };
  for (const s of [new ExternalSymbolizer('off', { env }), new ExternalSymbolizer('auto', { env, enabled: false })]) {
    assert.deepEqual(s.tools(), { llvmSymbolizer: null, addr2line: null });
    assert.equal(await s.lookupExecutable(dummy, 1n), null);
    assert.equal(await s.lookupRelocatable(dummy, '.text', 1n), null);
    s.dispose();
  }
  assert.deepEqual([starts(llvm), starts(binutils)], [0, 0]);
  assert.deepEqual(new ExternalSymbolizer('auto', { env }).tools(), { llvmSymbolizer: llvm, addr2line: binutils });

  // Without a plain llvm-symbolizer, the highest llvm-symbolizer-NN (by number, not by text).
  const versioned = fs.mkdtempSync(path.join(tmp, 'bin-'));
  for (const v of ['9', '15', '14']) fakeTool(`llvm-symbolizer-${v}`, '', versioned);
  fs.writeFileSync(path.join(versioned, 'llvm-symbolizer-99'), 'not executable', { mode: 0o644 });
  const venv = { ...process.env, PATH: `${versioned}${path.delimiter}${bin}` };
  assert.equal(new ExternalSymbolizer('auto', { env: { PATH: versioned } }).tools().llvmSymbolizer, path.join(versioned, 'llvm-symbolizer-15'));
  // A bare name is searched on PATH; a relative or missing path finds nothing.
  assert.deepEqual(new ExternalSymbolizer('llvm-symbolizer-14', { env: venv }).tools(), {
    llvmSymbolizer: path.join(versioned, 'llvm-symbolizer-14'),
    addr2line: binutils,
  });
  assert.equal(new ExternalSymbolizer('bin/llvm-symbolizer', { env: venv }).tools().llvmSymbolizer, null);
  assert.equal(new ExternalSymbolizer(path.join(tmp, 'nothing-here'), { env: venv }).tools().llvmSymbolizer, null);
});

test('a CLI that forgets dispose() still exits once its answers are in', { skip }, () => {
  const script = path.join(tmp, 'forgetful.mts');
  fs.writeFileSync(
    script,
    `import { ExternalSymbolizer } from ${JSON.stringify(path.join(ROOT, 'server/src/symbolizer/external.ts'))};
const s = new ExternalSymbolizer('auto');
const a = await s.lookupExecutable(${JSON.stringify(exe)}, ${exeAddresses[3]}n);
const b = await s.lookupRelocatable(${JSON.stringify(obj)}, '.text', ${objOffsets[3]}n);
console.log(JSON.stringify([a, b, s.runningProcesses()]));
`,
  );
  const r = spawnSync(process.execPath, ['--import', 'tsx', script], { cwd: ROOT, encoding: 'utf8', timeout: 5000 });
  assert.equal(r.status, 0, r.stderr || String(r.error));
  const [a, b, running] = JSON.parse(r.stdout);
  assert.ok(a.length > 0 && b.length > 0);
  assert.equal(running, 2);
});
