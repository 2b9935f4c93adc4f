// Broken object files through the ELF reader (elf.ts), the symbol table (symbolTable.ts) and
// openObjectFile (objectFile.ts): truncations, seeded bit flips and forged header fields of
// executables and objects gcc builds here (64-bit, 32-bit when gcc can, and a big-endian header made
// by flipping EI_DATA), and corrupted .xz/.zst/.gz archives. Each variant either works or throws
// ObjectFileError with a message: never another exception, never a hang, never a huge allocation.
// Deterministic: the same seed gives the same variants; a failure names the variant.
// Run: node --import tsx --test test/unit/elf-fuzz.test.ts   (about 2 s)
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { BufferSource, ObjectFileError } from '../../server/src/symbolizer/byteSource.ts';
import { ElfFile } from '../../server/src/symbolizer/elf.ts';
import { openObjectFile } from '../../server/src/symbolizer/objectFile.ts';
import { linuxBanner, moduleVermagic, SymbolTable } from '../../server/src/symbolizer/symbolTable.ts';

const gcc = spawnSync('gcc', ['--version']).status === 0;
const skip = gcc ? false : 'gcc is not installed';
const dir = mkdtempSync(join(tmpdir(), 'kcrash-elf-fuzz-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const SOURCE = `
int printf(const char *, ...);
__attribute__((noinline)) static int twice(int x) { return 2 * x; }
__attribute__((section(".init.text"))) int early(void) { return 4; }
__attribute__((section(".modinfo"), used)) static const char vm[] = "vermagic=6.1.0-99-test SMP ";
int main(int argc, char **argv) { printf("%s %d\\n", argv[0], twice(argc) + early()); return 0; }
`;

/** Base objects: name → bytes. Those gcc cannot make here are left out (and said so). */
function bases(): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const src = join(dir, 'f.c');
  writeFileSync(src, SOURCE);
  const make = (name: string, args: string[]) => {
    const file = join(dir, name);
    const r = spawnSync('gcc', ['-O1', '-g1', '-Wl,--build-id', ...args, '-o', file, src]);
    if (r.status === 0) out.set(name, readFileSync(file));
    else if (!args.includes('-Wl,--build-id')) process.stdout.write(`# elf-fuzz: gcc ${args.join(' ')} failed here; ${name} left out\n`);
  };
  make('exe64', []);
  make('obj64', ['-c']);
  make('obj32', ['-m32', '-c']);
  make('exe32', ['-m32']);
  for (const name of ['exe64', 'obj64']) {
    const be = Buffer.from(out.get(name)!);
    be[5] = 2; // EI_DATA: big endian, every field now read the other way round
    out.set(`${name}-be`, be);
  }
  return out;
}
const BASES = gcc ? bases() : new Map<string, Buffer>();

/** mulberry32: a small seeded generator, so the variants are the same on every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Variant {
  name: string;
  bytes: Buffer;
}

/** Where the section header table is (from the intact file), to aim flips at it. */
function headerTable(b: Buffer): { at: number; size: number } {
  const is64 = b[4] === 2;
  const le = b[5] === 1;
  const u16 = (o: number) => (le ? b.readUInt16LE(o) : b.readUInt16BE(o));
  const shoff = is64 ? Number(le ? b.readBigUInt64LE(0x28) : b.readBigUInt64BE(0x28)) : le ? b.readUInt32LE(0x20) : b.readUInt32BE(0x20);
  const size = u16(is64 ? 0x3a : 0x2e) * u16(is64 ? 0x3c : 0x30);
  return shoff > 0 && shoff + size <= b.length ? { at: shoff, size } : { at: 0, size: 64 };
}

function truncations(name: string, b: Buffer): Variant[] {
  const lengths = new Set([0, 1, 4, 15, 16, 51, 52, 53, 63, 64, 65, b.length - 1, b.length - 64]);
  for (let i = 1; i < 24; i++) lengths.add(Math.floor((b.length * i) / 24));
  const { at } = headerTable(b);
  for (const d of [-1, 0, 1, 64, 65]) lengths.add(at + d);
  return [...lengths].filter((n) => n >= 0 && n < b.length).map((n) => ({ name: `${name} cut at ${n}`, bytes: b.subarray(0, n) }));
}

function bitFlips(name: string, b: Buffer, count: number, seed: number): Variant[] {
  const rand = prng(seed);
  const table = headerTable(b);
  const out: Variant[] = [];
  for (let v = 0; v < count; v++) {
    const bytes = Buffer.from(b);
    const flips = 1 + Math.floor(rand() * 6);
    for (let f = 0; f < flips; f++) {
      // Most flips where a reader trusts the file: the ELF header and the section header table.
      const where = rand();
      const at = where < 0.3 ? Math.floor(rand() * 64) : where < 0.8 ? table.at + Math.floor(rand() * table.size) : Math.floor(rand() * b.length);
      bytes[at] ^= 1 << Math.floor(rand() * 8);
    }
    out.push({ name: `${name} flips seed ${seed} #${v}`, bytes });
  }
  return out;
}

/** Forged fields: huge sizes and offsets, bad links and counts, a forged compressed section. */
function forged(name: string, b: Buffer): Variant[] {
  const is64 = b[4] === 2;
  const le = b[5] === 1;
  if (!le) return [];
  const { at: shoff } = headerTable(b);
  const entsize = is64 ? 64 : 40;
  const count = b.readUInt16LE(is64 ? 0x3c : 0x30);
  const out: Variant[] = [];
  const edit = (label: string, fn: (x: Buffer) => void) => {
    const x = Buffer.from(b);
    fn(x);
    out.push({ name: `${name} ${label}`, bytes: x });
  };
  const put = (x: Buffer, at: number, v: bigint, wide: boolean) => (wide ? x.writeBigUInt64LE(v, at) : x.writeUInt32LE(Number(v & 0xffffffffn), at));
  for (let i = 1; i < count; i++) {
    const h = shoff + i * entsize;
    const sizeAt = h + (is64 ? 0x20 : 0x14);
    const offAt = h + (is64 ? 0x18 : 0x10);
    const type = b.readUInt32LE(h + 4);
    edit(`section ${i} size 2^40`, (x) => put(x, sizeAt, 1n << 40n, is64));
    edit(`section ${i} size 2^32-1`, (x) => put(x, sizeAt, 0xffffffffn, is64));
    edit(`section ${i} offset 2^62`, (x) => put(x, offAt, 1n << 62n, is64));
    edit(`section ${i} link 0xffffffff`, (x) => x.writeUInt32LE(0xffffffff, h + (is64 ? 0x28 : 0x18)));
    if (type === 2 /* SYMTAB */ || type === 7 /* NOTE */ || i === 1) {
      // SHF_COMPRESSED with a header claiming a huge output (zlib and zstd).
      for (const kind of [1, 2]) {
        edit(`section ${i} compressed type ${kind} claiming 900 MB`, (x) => {
          const flagsAt = h + 8;
          x.writeUInt32LE(x.readUInt32LE(flagsAt) | 0x800, flagsAt);
          const data = is64 ? Number(x.readBigUInt64LE(offAt)) : x.readUInt32LE(offAt);
          if (data + 24 > x.length) return;
          x.writeUInt32LE(kind, data);
          if (is64) x.writeBigUInt64LE(900n << 20n, data + 8);
          else x.writeUInt32LE(900 << 20, data + 4);
        });
      }
    }
  }
  edit('shnum 0xffff', (x) => x.writeUInt16LE(0xffff, is64 ? 0x3c : 0x30));
  edit('shnum 0 (count in section 0), huge', (x) => {
    x.writeUInt16LE(0, is64 ? 0x3c : 0x30);
    put(x, shoff + (is64 ? 0x20 : 0x14), 0xffffffffn, is64);
  });
  edit('shstrndx 0xffff (in section 0), huge', (x) => {
    x.writeUInt16LE(0xffff, is64 ? 0x3e : 0x32);
    x.writeUInt32LE(0xfffffff0, shoff + (is64 ? 0x2c : 0x18));
  });
  edit('shentsize 0xffff', (x) => x.writeUInt16LE(0xffff, is64 ? 0x3a : 0x2e));
  edit('shoff past the end', (x) => put(x, is64 ? 0x28 : 0x20, BigInt(b.length + 10), is64));
  edit('class 3', (x) => (x[4] = 3));
  // Every note's name and descriptor sizes near 2^32 (alignment arithmetic must not go backwards).
  for (let i = 1; i < count; i++) {
    const h = shoff + i * entsize;
    if (b.readUInt32LE(h + 4) !== 7) continue;
    const data = is64 ? Number(b.readBigUInt64LE(h + 0x18)) : b.readUInt32LE(h + 0x10);
    for (const v of [0xfffffff0, 0xfffffffd, 0x7ffffffe]) {
      edit(`note ${i} namesz ${v.toString(16)}`, (x) => x.writeUInt32LE(v, data));
      edit(`note ${i} descsz ${v.toString(16)}`, (x) => x.writeUInt32LE(v, data + 4));
    }
  }
  return out;
}

/** Everything a symbolizer does with an object; returns what failed, or null. */
function exercise(bytes: Buffer, name: string): string | null {
  const started = performance.now();
  try {
    const elf = new ElfFile(new BufferSource(bytes), name);
    elf.symbols();
    elf.buildId();
    elf.debugLink();
    for (const s of elf.sections) {
      try {
        const v = elf.view(s);
        if (v.size > 0) v.read(0, Math.min(16, v.size));
      } catch (e) {
        if (!(e instanceof ObjectFileError)) throw e;
      }
    }
    const table = SymbolTable.fromElf(elf);
    for (const s of table.symbols().slice(0, 20)) {
      table.byName(s.name, s.size);
      table.byAddress(s.address + 1n, s.module, s.section ?? undefined);
    }
    moduleVermagic(elf);
    linuxBanner(elf);
  } catch (e) {
    if (!(e instanceof ObjectFileError)) return `${name}: ${(e as Error)?.name}: ${(e as Error)?.message}\n${(e as Error)?.stack}`;
    if (!e.message) return `${name}: ObjectFileError without a message`;
  }
  const took = performance.now() - started;
  return took > 250 ? `${name}: took ${took.toFixed(0)} ms` : null;
}

function run(variants: Variant[]): void {
  const failures: string[] = [];
  for (const v of variants) {
    const f = exercise(v.bytes, v.name);
    if (f) failures.push(f);
  }
  assert.deepEqual(failures.slice(0, 5), [], `${failures.length} of ${variants.length} variants failed`);
}

test('the intact bases parse, with text symbols and a build id', { skip }, () => {
  for (const [name, b] of BASES) {
    if (name.endsWith('-be')) continue;
    const elf = new ElfFile(new BufferSource(b), name);
    assert.ok(SymbolTable.fromElf(elf).byName('twice'), `${name}: twice()`);
    if (name.startsWith('exe')) assert.match(elf.buildId() ?? '', /^[0-9a-f]{40}$/, `${name}: build id`);
  }
});

test('truncated objects: ObjectFileError or a usable prefix', { skip }, () => {
  run([...BASES].flatMap(([name, b]) => truncations(name, b)));
});

test('seeded bit flips in headers and anywhere: ObjectFileError or a usable object', { skip }, () => {
  run([...BASES].flatMap(([name, b], i) => bitFlips(name, b, name.endsWith('-be') ? 40 : 90, 1000 + i)));
});

test('forged sizes, offsets, links and counts: no huge allocation, no loop', { skip }, () => {
  const peak = process.resourceUsage().maxRSS;
  const variants = [...BASES].flatMap(([name, b]) => forged(name, b));
  assert.ok(variants.length > 50);
  run(variants);
  const grew = (process.resourceUsage().maxRSS - peak) / 1024;
  assert.ok(grew < 200, `peak RSS grew by ${grew.toFixed(0)} MB`);
});

test('a compressed section claiming 900 MB is refused before allocating', { skip }, () => {
  const variants = forged('obj64', BASES.get('obj64')!).filter((v) => /compressed type \d claiming/.test(v.name));
  assert.ok(variants.length >= 2);
  for (const v of variants) {
    const elf = new ElfFile(new BufferSource(v.bytes), v.name);
    const section = elf.sections.find((s) => s.flags & 0x800 && v.name.includes(`section ${s.index} `));
    assert.ok(section, v.name);
    assert.throws(
      () => elf.view(section),
      (e: Error) => e instanceof ObjectFileError && /claims 943718400 bytes/.test(e.message),
      v.name,
    );
  }
});

test('openObjectFile on broken files and corrupted archives: ObjectFileError', { skip }, async () => {
  const base = BASES.get('obj64')!;
  const variants = [...truncations('obj64', base).filter((_, i) => i % 3 === 0), ...bitFlips('obj64', base, 12, 7)];
  const packers: [string, string[]][] = [
    ['xz', ['xz', '-z', '-c', '--check=crc32']],
    ['zst', ['zstd', '-q', '-c']],
    ['gz', ['gzip', '-c', '-n']],
  ];
  const rand = prng(99);
  for (const [ext, [cmd, ...args]] of packers) {
    if (spawnSync(cmd, ['--version']).error) continue;
    const packed = execFileSync(cmd, args, { input: base });
    for (let v = 0; v < 12; v++) {
      const bytes = Buffer.from(packed);
      for (let f = 0; f < 1 + (v % 3); f++) bytes[Math.floor(rand() * bytes.length)] ^= 1 << Math.floor(rand() * 8);
      variants.push({ name: `obj64.${ext} flips #${v}`, bytes });
    }
    for (const n of [0, 3, 6, 12, Math.floor(packed.length / 2), packed.length - 1])
      variants.push({ name: `obj64.${ext} cut at ${n}`, bytes: packed.subarray(0, n) });
  }
  const failures: string[] = [];
  for (const [i, v] of variants.entries()) {
    const ext = /\.(xz|zst|gz) /.exec(v.name)?.[1];
    const file = join(dir, `v${i}.ko${ext ? '.' + ext : ''}`);
    writeFileSync(file, v.bytes);
    const started = performance.now();
    try {
      const elf = await openObjectFile(file);
      SymbolTable.fromElf(elf);
      elf.buildId();
      elf.close();
    } catch (e) {
      if (!(e instanceof ObjectFileError) || !e.message) failures.push(`${v.name}: ${(e as Error)?.name}: ${(e as Error)?.message}`);
    }
    if (performance.now() - started > 500) failures.push(`${v.name}: took ${(performance.now() - started).toFixed(0)} ms`);
  }
  assert.deepEqual(failures, []);
});
