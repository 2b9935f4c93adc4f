// The DWARF reader (server/src/symbolizer/dwarf) against the system's own tools: small C programs are
// compiled with gcc here (DWARF 4 and 5, executables and relocatable -c objects like kernel modules,
// zlib-compressed debug sections), and for every byte of every text section the inline chain
// (function, file, line) is compared with llvm-symbolizer (executables) and addr2line (-c objects,
// with --section). Then a seeded fuzz: truncated and bit-flipped objects either work or throw
// ObjectFileError from open(), and lookup() never throws or hangs.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { BufferSource, ObjectFileError } from '../../server/src/symbolizer/byteSource.ts';
import { ET_REL, ElfFile, SHF_EXECINSTR } from '../../server/src/symbolizer/elf.ts';
import { DwarfReader, type SourceLocation } from '../../server/src/symbolizer/dwarf/index.ts';
import { Cursor, DwarfError, unitLength } from '../../server/src/symbolizer/dwarf/reader.ts';

const has = (tool: string): boolean => spawnSync(tool, ['--version'], { stdio: 'ignore' }).status === 0;
const GCC = has('gcc');
const ADDR2LINE = has('addr2line');
const LLVM = has('llvm-symbolizer');
const skip = !GCC || !ADDR2LINE ? 'gcc and addr2line are needed to build and check the DWARF fixtures' : false;

const HEADER = `
static inline int hdr_mix(int a, int b) {
  int r = a * 31 + b;
  if (r & 1)
    r ^= 0x55;
  return r;
}
int shared_in_header(int x);
`;

const PROGRAM = `#include <stdlib.h>
#include <stdio.h>
#include "helper.h"

volatile int sink;

static inline int square(int x) { return x * x + sink; }
static inline int twice(int x) {
  return square(x) +
         square(x + 1);
}

__attribute__((noinline)) int compute(int n) {
  int acc = 0;
  for (int i = 0; i < n; i++)
    acc += twice(i) + hdr_mix(i, acc);
  return acc;
}

__attribute__((noreturn, noinline)) void die_now(const char *m) {
  fprintf(stderr, "%s\\n", m);
  abort();
}

__attribute__((noinline)) int checked(int v) {
  if (v < 0)
    die_now("negative");
  return twice(v);
}

__attribute__((section(".init.text"), noinline)) int init_thing(int v) {
  return hdr_mix(v, 3) + square(v);
}

__attribute__((section(".text.unlikely"), noinline, cold)) int rarely(int v) {
  if (v > 1000)
    die_now("big");
  return twice(v) - 1;
}

__attribute__((noinline)) int branchy(int v) {
  if (__builtin_expect(v == 77, 0)) {
    sink = twice(v);
    die_now("77");
  }
  return hdr_mix(v, v + 1);
}

int shared_in_header(int x) { return hdr_mix(x, x); }

int main(int argc, char **argv) {
  int v = argc > 1 ? atoi(argv[1]) : 5;
  sink = compute(v) + checked(v) + init_thing(v) + rarely(v) + shared_in_header(v) + branchy(v);
  if (sink == 42)
    die_now("unlucky");
  return 0;
}
`;

const OTHER = `#include "helper.h"
extern volatile int sink;
static inline int other_inline(int v) { return hdr_mix(v, 9) * 3; }
__attribute__((noinline)) int other_unit(int v) { return other_inline(v) + sink; }
`;

interface Build {
  name: string;
  file: string;
  relocatable: boolean;
  version: number;
}

let dir = '';
const builds: Build[] = [];
after(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

function buildAll(): void {
  if (dir) return;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kcrash-dwarf-'));
  fs.writeFileSync(path.join(dir, 'helper.h'), HEADER);
  fs.writeFileSync(path.join(dir, 'prog.c'), PROGRAM);
  fs.writeFileSync(path.join(dir, 'other.c'), OTHER);
  const gcc = (args: string[]): void => void execFileSync('gcc', args, { cwd: dir, stdio: 'pipe' });
  // Each unit is compiled once per set of flags; the executable is linked from the same objects
  // (what `gcc -o exe prog.c other.c` does with temporary ones), so the -c object is the module.
  for (const version of [4, 5]) {
    // zlib-compressed debug sections; DWARF64 unit lengths and offsets.
    for (const [tag, extra] of [
      [`v${version}`, []],
      [`v${version}z`, ['-gz=zlib']],
      [`v${version}-64`, ['-gdwarf64']],
    ] as const) {
      const flags = ['-O2', '-g', `-gdwarf-${version}`, ...extra];
      gcc([...flags, '-c', '-o', `obj-${tag}.o`, 'prog.c']);
      gcc([...flags, '-c', '-o', `other-${tag}.o`, 'other.c']);
      gcc([...flags, '-o', `exe-${tag}`, `obj-${tag}.o`, `other-${tag}.o`]);
      builds.push({ name: `exe-${tag}`, file: path.join(dir, `exe-${tag}`), relocatable: false, version });
      builds.push({ name: `obj-${tag}.o`, file: path.join(dir, `obj-${tag}.o`), relocatable: true, version });
    }
  }
  gcc(['-O2', '-o', 'nodebug', 'prog.c', 'other.c']);
}

function open(file: string): { elf: ElfFile; dwarf: DwarfReader } {
  const elf = new ElfFile(new BufferSource(fs.readFileSync(file)), file);
  const dwarf = DwarfReader.open(elf);
  assert.ok(dwarf, `${file} has DWARF`);
  return { elf, dwarf };
}

/** Text sections of the object and every byte offset / address in them. */
function textSections(elf: ElfFile): { index: number; name: string; addr: bigint; size: number }[] {
  return elf.sections.filter((s) => s.flags & SHF_EXECINSTR && s.size > 0).map((s) => ({ index: s.index, name: s.name, addr: s.addr, size: s.size }));
}

type Frame = [string, string, number];

function ours(frames: SourceLocation[]): Frame[] {
  return frames.map((f) => [f.function ?? '??', f.file ? path.posix.normalize(f.file) : '??', f.line ?? 0]);
}

/** addr2line -f -i -a output, one chain per address. */
function parseAddr2line(out: string): Frame[][] {
  const chains: Frame[][] = [];
  const lines = out.split('\n');
  for (let i = 0; i < lines.length; ) {
    if (!/^0x[0-9a-f]+$/.test(lines[i])) {
      i++;
      continue;
    }
    i++;
    const chain: Frame[] = [];
    while (i + 1 < lines.length && !/^0x[0-9a-f]+$/.test(lines[i]) && lines[i] !== '') {
      const fn = lines[i];
      const loc = lines[i + 1].replace(/ \(discriminator \d+\)$/, '');
      const colon = loc.lastIndexOf(':');
      const file = loc.slice(0, colon);
      const line = Number(loc.slice(colon + 1)) || 0;
      chain.push([fn, file === '??' ? '??' : path.posix.normalize(file), line]);
      i += 2;
    }
    chains.push(chain);
  }
  return chains;
}

function addr2line(file: string, section: string | null, addrs: bigint[]): Frame[][] {
  const args = ['-f', '-i', '-a', '-e', file, ...(section ? [`--section=${section}`] : [])];
  const out = execFileSync('addr2line', args, { input: addrs.map((a) => `0x${a.toString(16)}`).join('\n') + '\n', maxBuffer: 1 << 28 }).toString();
  const chains = parseAddr2line(out);
  assert.equal(chains.length, addrs.length, 'one addr2line answer per address');
  // addr2line prints one "?? ??:0" frame for an address it knows nothing of.
  return chains.map((c) => (c.length === 1 && c[0][0] === '??' && c[0][1] === '??' ? [] : c));
}

function llvmSymbolizer(file: string, addrs: bigint[]): Frame[][] {
  const out = execFileSync('llvm-symbolizer', ['--inlining', '--functions=short', '--output-style=JSON', `--obj=${file}`], {
    input: addrs.map((a) => `0x${a.toString(16)}`).join('\n') + '\n',
    maxBuffer: 1 << 28,
  }).toString();
  const chains = out
    .trim()
    .split('\n')
    .map((l) =>
      (JSON.parse(l).Symbol as { FunctionName: string; FileName: string; Line: number }[]).map(
        (s): Frame => [s.FunctionName || '??', s.FileName ? path.posix.normalize(s.FileName) : '??', s.Line],
      ),
    );
  assert.equal(chains.length, addrs.length, 'one llvm-symbolizer answer per address');
  return chains.map((c) => (c.length === 1 && c[0][0] === '??' && c[0][1] === '??' ? [] : c));
}

/**
 * addr2line names a function from the ELF symbol table when DWARF has none for the address
 * (alignment padding after a function in a -c object); the DWARF reader leaves the name null.
 */
function symtabFallback(got: Frame[], want: Frame[]): boolean {
  return got.length === 1 && want.length === 1 && got[0][0] === '??' && want[0][0] !== '??' && got[0][1] === want[0][1] && got[0][2] === want[0][2];
}

/**
 * binutils 2.40 reads no line rows from a DWARF 5 + DWARF64 relocatable object (every answer is line
 * 0), so that object is checked against addr2line's answers for the same code built without
 * -gdwarf64 (same instructions, same line table).
 */
function reference(b: Build): Build {
  return b.relocatable && b.version === 5 && b.name.endsWith('-64.o') ? builds.find((x) => x.name === 'obj-v5.o')! : b;
}

function compare(b: Build): { total: number; same: number; symtab: number; deepest: number; inlined: number; diffs: string[] } {
  const { elf, dwarf } = open(b.file);
  assert.equal(elf.type === ET_REL, b.relocatable);
  let total = 0;
  let same = 0;
  let symtab = 0;
  let deepest = 0;
  let inlined = 0;
  const diffs: string[] = [];
  const sections = textSections(elf).map((sec) => ({ sec, addrs: Array.from({ length: sec.size }, (_, i) => (b.relocatable ? 0n : sec.addr) + BigInt(i)) }));
  // An executable's addresses are one space: one tool run for all its sections (each run of
  // llvm-symbolizer costs ~0.1 s to start). A -c object is asked section by section (--section).
  const all = b.relocatable ? [] : sections.flatMap((s) => s.addrs);
  const answers = b.relocatable ? [] : LLVM ? llvmSymbolizer(b.file, all) : addr2line(b.file, null, all);
  let first = 0;
  for (const { sec, addrs } of sections) {
    const expected = b.relocatable ? addr2line(reference(b).file, sec.name, addrs) : answers.slice(first, (first += addrs.length));
    addrs.forEach((a, i) => {
      const got = ours(dwarf.lookup(a, b.relocatable ? sec.index : undefined));
      total++;
      deepest = Math.max(deepest, got.length);
      if (got.length > 1) inlined++;
      if (JSON.stringify(got) === JSON.stringify(expected[i])) same++;
      else if (symtabFallback(got, expected[i])) symtab++;
      else if (diffs.length < 8) diffs.push(`${sec.name}+0x${a.toString(16)}: ours ${JSON.stringify(got)} tool ${JSON.stringify(expected[i])}`);
    });
  }
  return { total, same, symtab, deepest, inlined, diffs };
}

test('LEB128, DWARF64 lengths and truncation', () => {
  const c = (bytes: number[]): Cursor => new Cursor(Buffer.from(bytes), 0, bytes.length, true);
  assert.equal(c([0xe5, 0x8e, 0x26]).uleb(), 624485);
  assert.equal(c([0xc0, 0xbb, 0x78]).sleb(), -123456);
  assert.equal(c([0x7f]).sleb(), -1);
  assert.equal(c([0x80, 0x01]).sleb(), 128);
  assert.equal(c([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]).ulebBig(), 0xffffffffffffffffn);
  assert.deepEqual(unitLength(c([0xff, 0xff, 0xff, 0xff, 0x10, 0, 0, 0, 0, 0, 0, 0])), { length: 16, offsetSize: 8 });
  assert.throws(() => c([0x80, 0x80]).uleb(), DwarfError);
  assert.throws(() => c([0x41, 0x42]).cstr(), DwarfError);
  assert.throws(() => unitLength(c([0xf0, 0xff, 0xff, 0xff])), DwarfError);
});

test('the -gz fixtures have compressed debug sections', { skip }, () => {
  buildAll();
  for (const b of builds.filter((x) => /v\dz/.test(x.name))) {
    const out = execFileSync('readelf', ['-S', '-W', b.file]).toString();
    const line = out.split('\n').find((l) => l.includes(' .debug_info '));
    assert.match(line ?? '', / [A-Z]*C[A-Z]* /, `${b.name}: .debug_info has the C flag`);
  }
});

test('DWARF line tables and inline chains agree with llvm-symbolizer / addr2line', { skip }, () => {
  buildAll();
  for (const b of builds) {
    const r = compare(b);
    const tool = b.relocatable ? `addr2line --section${reference(b) !== b ? ` (on ${reference(b).name})` : ''}` : LLVM ? 'llvm-symbolizer' : 'addr2line';
    const note = r.symtab ? ` (+${r.symtab} where DWARF has no function and ${tool} names the ELF symbol)` : '';
    console.log(
      `# ${b.name} (DWARF ${b.version}, ${b.relocatable ? '-c object' : 'executable'}): ${r.same}/${r.total} addresses identical to ${tool}${note}; ${r.inlined} in inlined code, up to ${r.deepest} frames`,
    );
    for (const d of r.diffs) console.log(`#   ${d}`);
    assert.equal(r.same + r.symtab, r.total, `${b.name}: ${r.diffs.join('\n')}`);
    assert.ok(r.deepest >= 3 && r.inlined > 50, `${b.name}: the fixture has inlined frames`);
  }
});

test('no DWARF: open() gives null; addresses outside every unit give []', { skip }, () => {
  buildAll();
  const elf = new ElfFile(new BufferSource(fs.readFileSync(path.join(dir, 'nodebug'))), 'nodebug');
  assert.equal(DwarfReader.open(elf), null);
  const { dwarf } = open(builds[0].file);
  for (const a of [0n, 1n, 0xffffffffffffffffn, 0xffffffff81000000n, -5n]) assert.deepEqual(dwarf.lookup(a), []);
});

/** The object with .debug_aranges renamed away: units are then found by their own ranges. */
test("without .debug_aranges the same chains come from the units' own ranges", { skip }, () => {
  buildAll();
  for (const b of builds.filter((x) => !/v\dz/.test(x.name))) {
    const bytes = fs.readFileSync(b.file);
    const hidden = Buffer.from(bytes);
    let at = -1;
    while ((at = hidden.indexOf('.debug_aranges\0', at + 1)) >= 0) hidden.write('.debug_arangex', at, 'latin1');
    const plain = open(b.file);
    const elf = new ElfFile(new BufferSource(hidden), b.file);
    assert.equal(elf.section('.debug_aranges'), undefined);
    const dwarf = DwarfReader.open(elf)!;
    let n = 0;
    for (const sec of textSections(elf)) {
      for (let i = 0; i < sec.size; i += 3) {
        const a = (b.relocatable ? 0n : sec.addr) + BigInt(i);
        const s = b.relocatable ? sec.index : undefined;
        assert.deepEqual(dwarf.lookup(a, s), plain.dwarf.lookup(a, s), `${b.name} ${sec.name}+${i}`);
        n++;
      }
    }
    assert.ok(n > 100);
  }
});

/** mulberry32: a small seeded generator, so every run fuzzes the same variants. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test('fuzz: truncated and bit-flipped objects open or throw ObjectFileError, lookups return arrays quickly', { skip }, () => {
  buildAll();
  const rnd = random(20261202);
  const pick = (n: number): number => Math.floor(rnd() * n);
  let cases = 0;
  let opened = 0;
  let refused = 0;
  let answered = 0;
  let slowest = 0;
  const heapBefore = process.memoryUsage().heapUsed;
  for (const b of builds.filter((x) => ['exe-v5', 'obj-v5.o', 'exe-v4z', 'obj-v4.o', 'obj-v5z.o'].includes(x.name))) {
    const original = fs.readFileSync(b.file);
    const elf0 = new ElfFile(new BufferSource(original), b.file);
    const debug = elf0.sections.filter((s) => s.name.startsWith('.debug_') || s.name.startsWith('.rela.debug_'));
    const texts = textSections(elf0);
    for (let v = 0; v < 70; v++) {
      const bytes = Buffer.from(original);
      let data: Buffer = bytes;
      if (v % 5 === 0) data = bytes.subarray(0, pick(bytes.length));
      else {
        // Flip bits, mostly inside the debug sections (flips in ELF headers are the ELF reader's business).
        const flips = 1 + pick(v % 3 === 0 ? 40 : 6);
        for (let i = 0; i < flips; i++) {
          const s = debug[pick(debug.length)];
          const at = rnd() < 0.9 && s.size > 0 ? s.offset + pick(s.size) : pick(bytes.length);
          bytes[at] ^= 1 << pick(8);
        }
      }
      cases++;
      const t0 = performance.now();
      let dwarf: DwarfReader | null = null;
      try {
        dwarf = DwarfReader.open(new ElfFile(new BufferSource(data), `${b.name}#${v}`), { cacheBytes: 1 << 20 });
        opened++;
      } catch (e) {
        assert.ok(e instanceof ObjectFileError, `${b.name}#${v}: ${(e as Error).stack}`);
        refused++;
      }
      if (dwarf) {
        for (let k = 0; k < 40; k++) {
          const sec = texts[pick(texts.length)];
          const a = (b.relocatable ? 0n : sec.addr) + BigInt(pick(sec.size + 16));
          const r = dwarf.lookup(a, b.relocatable ? sec.index : undefined);
          assert.ok(Array.isArray(r));
          if (r.length) answered++;
        }
        assert.ok(dwarf.cachedBytes <= 2 << 20, `${b.name}#${v}: cache holds ${dwarf.cachedBytes} bytes`);
      }
      const ms = performance.now() - t0;
      slowest = Math.max(slowest, ms);
      assert.ok(ms < 1000, `${b.name}#${v} took ${ms.toFixed(0)} ms`);
    }
  }
  const grown = (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20;
  console.log(
    `# fuzz: ${cases} variants, ${opened} opened, ${refused} refused with ObjectFileError, ${answered} lookups answered, slowest ${slowest.toFixed(1)} ms, heap +${grown.toFixed(1)} MB`,
  );
  assert.ok(grown < 256, `heap grew by ${grown} MB`);
});
