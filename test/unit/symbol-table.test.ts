// The symbol table (symbolTable.ts): System.map and /proc/kallsyms text with kallsyms-style sizes,
// same-named static functions told apart by size, Debian's System.map placeholder and hidden kallsyms
// addresses; ELF .symtab of objects gcc compiles here, checked against `nm -n`, plain and as
// .xz/.zst/.gz (objectFile.ts); module vermagic and the vmlinux banner; build-prefix stripping
// (sourcePath.ts).
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { ObjectFileError } from '../../server/src/symbolizer/byteSource.ts';
import { detectCompression, openObjectFile } from '../../server/src/symbolizer/objectFile.ts';
import { stripBuildPrefix } from '../../server/src/symbolizer/sourcePath.ts';
import { linuxBanner, moduleName, moduleVermagic, SymbolTable, SystemMapStubError } from '../../server/src/symbolizer/symbolTable.ts';

const SYSTEM_MAP = `0000000000000000 D __per_cpu_start
000000000000002a A some_absolute
ffffffff81000000 T _stext
ffffffff81000000 T startup_64
ffffffff81000070 T secondary_startup_64
ffffffff81000100 t show_it
ffffffff81000140 t helper
ffffffff81000180 W weak_hook
ffffffff810001a0 t show_it
ffffffff81000200 T _etext
ffffffff81200000 D some_data
ffffffff81200040 d other_data
`;

test('System.map: text symbols only, kallsyms sizes to the next address, release from the file name', () => {
  const t = SymbolTable.parseSystemMap(SYSTEM_MAP, '/usr/lib/debug/boot/System.map-6.1.0-99-amd64');
  assert.equal(t.count, 8);
  assert.equal(t.release, '6.1.0-99-amd64');
  assert.equal(t.source, '/usr/lib/debug/boot/System.map-6.1.0-99-amd64');
  const size = (name: string) => t.byName(name)?.symbol.size;
  assert.equal(size('startup_64'), 0x70n);
  assert.equal(size('_stext'), 0x70n, 'an alias gets the distance to the next higher address');
  assert.equal(size('secondary_startup_64'), 0x90n);
  assert.equal(size('helper'), 0x40n);
  assert.equal(size('weak_hook'), 0x20n);
  assert.equal(size('_etext'), 0x1ffe00n, 'a data symbol ends the last text symbol');
  assert.equal(t.byName('some_data'), null, 'data symbols are not text symbols');
  assert.equal(t.byName('nothing_like_it'), null);
});

test('System.map: same-named static functions are told apart by the printed size', () => {
  const t = SymbolTable.parseSystemMap(SYSTEM_MAP, 'System.map');
  const second = t.byName('show_it', 0x60n);
  assert.ok(second);
  assert.equal(second.symbol.address, 0xffffffff810001a0n);
  assert.equal(second.sizeMatches, true);
  assert.equal(second.candidates, 2);
  const first = t.byName('show_it', 0x40n);
  assert.equal(first?.symbol.address, 0xffffffff81000100n);
  const neither = t.byName('show_it', 0x99n);
  assert.equal(neither?.sizeMatches, false);
  assert.equal(neither?.symbol.address, 0xffffffff81000100n, 'no size match: the first one');
  assert.equal(t.byName('helper')?.sizeMatches, false, 'no size given');
  assert.equal(t.byName('helper', 0x40n)?.sizeMatches, true);
});

test('System.map: byAddress with bigint precision above 2^53, aliases and ends', () => {
  const t = SymbolTable.parseSystemMap(SYSTEM_MAP, 'System.map');
  const at = (a: bigint) => {
    const h = t.byAddress(a);
    return h ? `${h.symbol.name}+${h.offset.toString(16)}` : null;
  };
  assert.equal(at(0xffffffff810001a1n), 'show_it+1', 'one byte apart is still told apart (a Number would not)');
  assert.equal(at(0xffffffff8100019fn), 'weak_hook+1f');
  assert.equal(at(0xffffffff81000140n), 'helper+0');
  assert.equal(at(0xffffffff81000010n), 'startup_64+10', 'an alias: the one without leading underscores');
  assert.equal(at(0xffffffff80ffffffn), null, 'below the first text symbol');
  assert.equal(at(0xffffffff81200000n), null, 'past the end of the last text symbol');
  assert.equal(at(-1n), null);
  assert.equal(at(1n << 64n), null);
  assert.equal(t.byAddress(0xffffffff81000010n, 'ext4'), null, 'not in that module');
  assert.equal(t.byAddress(0xffffffff81000010n, null)?.symbol.name, 'startup_64');
});

test('System.map: CRLF, blank lines, 32-bit addresses and garbage', () => {
  const t = SymbolTable.parseSystemMap('c1000000 T _text\r\n\r\nc1000010 t a_func\r\nc1000050 T b_func\r\nc1000090 D x\r\n', 'System.map-32');
  assert.equal(t.byName('a_func')?.symbol.size, 0x40n);
  assert.equal(t.byAddress(0xc1000055n)?.symbol.name, 'b_func');
  assert.throws(
    () => SymbolTable.parseSystemMap('hello world\nthis is not a map\n', 'notes.txt'),
    (e: Error) => e instanceof ObjectFileError && /not in nm format/.test(e.message),
  );
  assert.throws(() => SymbolTable.parseSystemMap('ffffffff81000000 D only_data\n', 'System.map'), ObjectFileError);
});

test("System.map: Debian's placeholder says where the real map is", () => {
  const stub = 'ffffffffffffffff B The real System.map is in the linux-image-<version>-dbg package\n';
  assert.throws(
    () => SymbolTable.parseSystemMap(stub, '/boot/System.map-6.1.0-56-amd64'),
    (e: Error) => {
      assert.ok(e instanceof SystemMapStubError && e instanceof ObjectFileError);
      assert.equal(e.release, '6.1.0-56-amd64');
      assert.equal(e.dbgPackage, 'linux-image-6.1.0-56-amd64-dbg');
      assert.equal(e.realPath, '/usr/lib/debug/boot/System.map-6.1.0-56-amd64');
      assert.match(e.message, /linux-image-6\.1\.0-56-amd64-dbg package, at \/usr\/lib\/debug\/boot\/System\.map-6\.1\.0-56-amd64/);
      return true;
    },
  );
  assert.throws(
    () => SymbolTable.parseSystemMap(stub, 'map.txt'),
    (e: Error) => e instanceof SystemMapStubError && e.release === null && /linux-image-<release>-dbg/.test(e.message),
  );
});

const KALLSYMS = [
  'ffffffff81000000 T _stext',
  'ffffffff81000000 T startup_64',
  'ffffffff81000070 T other',
  'ffffffff81001000 T _etext',
  'ffffffff82000000 D data_start',
  'ffffffffc0a00000 t mod_a_open\t[moda]',
  'ffffffffc0a00080 t mod_a_read\t[moda]',
  'ffffffffc0a00040 t mod_a_helper\t[moda]',
  'ffffffffc0a00100 d mod_a_data\t[moda]',
  'ffffffffc0b00000 T open_file\t[modb]',
  'ffffffffc0b00030 t other\t[modb]',
  '',
].join('\n');

test('kallsyms: module symbols keep their [module], sizes stay within the module', () => {
  const t = SymbolTable.parseKallsyms(KALLSYMS);
  assert.equal(t.count, 9);
  assert.equal(t.source, '/proc/kallsyms');
  assert.equal(t.byName('mod_a_open')?.symbol.size, 0x40n, 'unsorted module symbols are sorted first');
  assert.equal(t.byName('mod_a_read')?.symbol.size, 0x80n, 'a data symbol of the module ends it');
  assert.equal(t.byName('mod_a_read')?.symbol.module, 'moda');
  assert.equal(t.byName('open_file')?.symbol.size, 0x30n);
  assert.equal(t.byName('other', undefined, 'modb')?.symbol.module, 'modb');
  assert.equal(t.byName('other', undefined, null)?.symbol.address, 0xffffffff81000070n);
  assert.equal(t.byName('other')?.candidates, 2);
  assert.equal(t.byName('mod_a_open', undefined, 'modb'), null);
  const hit = t.byAddress(0xffffffffc0a00085n);
  assert.equal(hit?.symbol.name, 'mod_a_read');
  assert.equal(hit?.symbol.module, 'moda');
  assert.equal(hit?.offset, 5n);
  assert.equal(t.byAddress(0xffffffffc0a00085n, 'modb'), null);
  assert.equal(t.byAddress(0xffffffffc0b00030n)?.symbol.name, 'other', 'the last symbol of a module: its own address');
  assert.equal(t.byAddress(0xffffffffc0b00031n), null, '…but no extent past it');
});

test('kallsyms: addresses hidden by kptr_restrict are an error that says so', () => {
  const hidden = KALLSYMS.replace(/^[0-9a-f]{16}/gm, '0000000000000000');
  assert.throws(
    () => SymbolTable.parseKallsyms(hidden),
    (e: Error) => e instanceof ObjectFileError && /kptr_restrict/.test(e.message),
  );
});

// ---- ELF objects compiled here -------------------------------------------------------------------

const gcc = spawnSync('gcc', ['--version']).status === 0 && spawnSync('nm', ['--version']).status === 0;
const skip = gcc ? false : 'gcc or nm is not installed';
const dir = mkdtempSync(join(tmpdir(), 'kcrash-symtab-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const SOURCE_A = `
static int show(int x) { return x * 3 + 1; }
int entry_a(int x) { return show(x) + 7; }
__attribute__((weak)) int hook(int x) { return x; }
__attribute__((section(".init.text"))) int setup_a(void) { return entry_a(2) + 40; }
__attribute__((section(".modinfo"), used)) static const char vermagic[] = "vermagic=6.1.0-99-test SMP preempt mod_unload modversions ";
__attribute__((section(".modinfo"), used)) static const char modname[] = "name=my_mod";
`;
const SOURCE_B = `
static volatile int sink;
static int show(int x) { for (int i = 0; i < x; i++) sink += i * x; return sink ^ x; }
int entry_b(int x) { return show(x) - 1; }
int entry_a(int);
int hook(int);
int main(int argc, char **argv) { (void)argv; return entry_a(argc) + entry_b(argc) + hook(argc); }
`;

function build(): { object: string; exe: string } {
  writeFileSync(join(dir, 'a.c'), SOURCE_A);
  writeFileSync(join(dir, 'b.c'), SOURCE_B);
  const object = join(dir, 'my-mod.o');
  const exe = join(dir, 'prog');
  execFileSync('gcc', ['-O1', '-fno-inline', '-c', '-o', object, join(dir, 'a.c')]);
  execFileSync('gcc', ['-O1', '-fno-inline', '-o', exe, join(dir, 'a.c'), join(dir, 'b.c')]);
  return { object, exe };
}
const built = gcc ? build() : { object: '', exe: '' };

/** `nm -n` text symbols (T t W w) as `name@hexaddress`. */
function nmText(path: string): string[] {
  return (
    execFileSync('nm', ['-n', path], { encoding: 'utf8' })
      .split('\n')
      .map((l) => /^([0-9a-f]+) ([TtWw]) (\S+)$/.exec(l))
      .filter((m): m is RegExpExecArray => m !== null)
      // nm prints W for any weak symbol: crt1's weak data_start is in .data, not text.
      .filter((m) => m[3] !== 'data_start')
      .map((m) => `${m[3]}@${BigInt('0x' + m[1]).toString(16)}`)
      .sort()
  );
}

function tableText(t: SymbolTable): string[] {
  return t
    .symbols()
    .map((s) => `${s.name}@${s.address.toString(16)}`)
    .sort();
}

test('fromElf on an executable: the text symbols of nm -n, duplicates told apart by kallsyms size', { skip }, async () => {
  const elf = await openObjectFile(built.exe);
  try {
    const t = SymbolTable.fromElf(elf);
    assert.deepEqual(tableText(t), nmText(built.exe));
    const shows = t.symbols().filter((s) => s.name === 'show');
    assert.equal(shows.length, 2, 'two static show() from two files');
    assert.notEqual(shows[0].size, shows[1].size);
    for (const s of shows) {
      const hit = t.byName('show', s.size);
      assert.equal(hit?.sizeMatches, true);
      assert.equal(hit?.symbol.address, s.address);
      assert.equal(hit?.candidates, 2);
      assert.equal(t.byAddress(s.address + s.size - 1n)?.symbol.address, s.address);
    }
    // Sizes are distances to the next text symbol: consecutive symbols of nm -n in .text.
    const sorted = t.symbols().sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
    const main = sorted.findIndex((s) => s.name === 'main');
    const next = sorted.slice(main + 1).find((s) => s.address > sorted[main].address);
    if (next) assert.equal(sorted[main].size, next.address - sorted[main].address);
    assert.equal(t.byName('main')?.symbol.module, null);
    assert.equal(t.byName('main')?.symbol.section, null);
  } finally {
    elf.close();
  }
});

test('fromElf on a relocatable object: section-relative values, section kept, module from .modinfo', { skip }, async () => {
  const elf = await openObjectFile(built.object);
  try {
    const t = SymbolTable.fromElf(elf);
    assert.deepEqual(tableText(t), nmText(built.object));
    assert.equal(t.relocatable, true);
    assert.equal(moduleName(elf), 'my_mod');
    assert.equal(moduleVermagic(elf), '6.1.0-99-test SMP preempt mod_unload modversions');
    assert.equal(t.release, '6.1.0-99-test');
    const setup = t.byName('setup_a', undefined, 'my_mod');
    assert.ok(setup);
    assert.equal(setup.symbol.sectionName, '.init.text');
    assert.equal(setup.symbol.address, 0n);
    const sectionSize = BigInt(elf.section('.init.text')!.size);
    assert.equal(setup.symbol.size, sectionSize, 'alone in its section: sized to the section end');
    assert.equal(t.byAddress(3n, 'my_mod', '.init.text')?.symbol.name, 'setup_a');
    assert.equal(t.byAddress(3n, 'my_mod', setup.symbol.section!)?.symbol.name, 'setup_a');
    const inText = t.byAddress(t.byName('entry_a')!.symbol.address + 1n);
    assert.equal(inText?.symbol.name, 'entry_a', '.text is the default section');
    assert.equal(inText?.symbol.sectionName, '.text');
    assert.equal(t.byAddress(0n, 'other_mod'), null);
    assert.equal(SymbolTable.fromElf(elf, 'renamed').byName('entry_a')?.symbol.module, 'renamed');
  } finally {
    elf.close();
  }
});

const compressors: [string, string[]][] = [
  ['xz', ['xz', '-z', '-c', '--check=crc32', '--lzma2=dict=1MiB']],
  ['zst', ['zstd', '-q', '-c']],
  ['gz', ['gzip', '-c']],
];

for (const [ext, [cmd, ...args]] of compressors) {
  const missing = !gcc ? skip : spawnSync(cmd, ['--version']).error ? `${cmd} is not installed` : false;
  test(`.ko.${ext}: opens to the same symbols; truncated or bounded archives are ObjectFileErrors`, { skip: missing }, async () => {
    const plain = readFileSync(built.object);
    const packed = execFileSync(cmd, args, { input: plain, maxBuffer: 1 << 26 });
    const path = join(dir, `my-mod.ko.${ext}`);
    writeFileSync(path, packed);
    assert.notEqual(detectCompression(packed), 'none');
    const elf = await openObjectFile(path);
    const reference = await openObjectFile(built.object);
    try {
      assert.deepEqual(elf.source.read(0, elf.source.size), plain);
      assert.deepEqual(SymbolTable.fromElf(elf).symbols(), SymbolTable.fromElf(reference).symbols());
      assert.equal(moduleVermagic(elf), moduleVermagic(reference));
    } finally {
      elf.close();
      reference.close();
    }
    const cut = join(dir, `cut.ko.${ext}`);
    writeFileSync(cut, packed.subarray(0, Math.floor(packed.length / 2)));
    await assert.rejects(openObjectFile(cut), (e: Error) => e instanceof ObjectFileError && e.message.includes(cut));
    await assert.rejects(openObjectFile(path, 100), (e: Error) => e instanceof ObjectFileError && /more than/.test(e.message));
    // The decompressor is still usable after a failure (xz-decompress serialises its contexts).
    const again = await openObjectFile(path);
    assert.equal(again.source.size, plain.length);
    again.close();
  });
}

test('openObjectFile: magic bytes over names, clear errors', { skip }, async () => {
  const misnamed = join(dir, 'plain.ko.xz');
  writeFileSync(misnamed, readFileSync(built.object));
  await assert.rejects(openObjectFile(misnamed), (e: Error) => e instanceof ObjectFileError && /not xz data/.test(e.message));
  const renamed = join(dir, 'packed.ko');
  writeFileSync(renamed, execFileSync('gzip', ['-c'], { input: readFileSync(built.object) }));
  const elf = await openObjectFile(renamed);
  assert.equal(SymbolTable.fromElf(elf).byName('entry_a')?.symbol.name, 'entry_a');
  elf.close();
  await assert.rejects(openObjectFile(join(dir, 'missing.ko')), (e: Error) => e instanceof ObjectFileError && /ENOENT/.test(e.message));
  const text = join(dir, 'notes.ko');
  writeFileSync(text, 'just some text, long enough to have an ELF header size........');
  await assert.rejects(openObjectFile(text), (e: Error) => e instanceof ObjectFileError && /not an ELF file/.test(e.message));
  const empty = join(dir, 'empty.ko');
  writeFileSync(empty, '');
  await assert.rejects(openObjectFile(empty), ObjectFileError);
  // A zstd frame header claiming a 2 GB window is refused before anything is allocated.
  const bomb = join(dir, 'bomb.ko.zst');
  writeFileSync(bomb, Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, 0xf8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
  await assert.rejects(openObjectFile(bomb), (e: Error) => e instanceof ObjectFileError && /more than/.test(e.message));
});

test('linuxBanner: found in .rodata across a 1 MB read boundary, format strings skipped', { skip }, () => {
  const src = join(dir, 'banner.c');
  // One packed object, first in .rodata: the real banner starts 6 bytes before the 1 MB read boundary.
  writeFileSync(
    src,
    `const struct __attribute__((packed)) { char fmt[24]; char pad[${(1 << 20) - 6 - 24}]; char banner[100]; } blob = {
  "Linux version %s (%s)", { 1 },
  "Linux version 6.1.0-99-test (builder@example) (gcc) #1 SMP PREEMPT_DYNAMIC Debian 6.1.999-1\\n" };
`,
  );
  const obj = join(dir, 'banner.o');
  execFileSync('gcc', ['-O0', '-fno-toplevel-reorder', '-fno-data-sections', '-c', '-o', obj, src]);
  return openObjectFile(obj).then((elf) => {
    const found = linuxBanner(elf);
    assert.equal(found?.release, '6.1.0-99-test');
    assert.equal(found?.banner, 'Linux version 6.1.0-99-test (builder@example) (gcc) #1 SMP PREEMPT_DYNAMIC Debian 6.1.999-1');
    assert.equal(elf.data(elf.section('.rodata')!).indexOf('Linux version 6'), (1 << 20) - 6);
    elf.close();
  });
});

test('linuxBanner and vermagic: null when the object has none', { skip }, async () => {
  const obj = join(dir, 'plain.o');
  execFileSync('gcc', ['-c', '-o', obj, join(dir, 'b.c')]);
  const elf = await openObjectFile(obj);
  assert.equal(linuxBanner(elf), null);
  assert.equal(moduleVermagic(elf), null);
  elf.close();
});

// ---- source paths ---------------------------------------------------------------------------------

const PATHS: [string, string, string | null][] = [
  ['debian/build/build_amd64_none_amd64/drivers/net/veth.c', 'drivers/net/veth.c', 'debian/build/build_amd64_none_amd64/'],
  ['/srv/kernel/debian/build/build_arm64_none_arm64/fs/ext4/inode.c', 'fs/ext4/inode.c', '/srv/kernel/debian/build/build_arm64_none_arm64/'],
  ['debian/build/build_amd64_rt_amd64/kernel/sched/core.c', 'kernel/sched/core.c', 'debian/build/build_amd64_rt_amd64/'],
  ['/build/reproducible-path/linux-6.1.192/arch/x86/entry/entry_64.S', 'arch/x86/entry/entry_64.S', '/build/reproducible-path/linux-6.1.192/'],
  ['/build/linux-5.10.0/kernel//fork.c', 'kernel/fork.c', '/build/linux-5.10.0/'],
  ['/usr/src/linux-6.6.1/mm/./slub.c', 'mm/slub.c', '/usr/src/linux-6.6.1/'],
  ['/usr/src/kernels/6.5.6-300.fc39.x86_64/include/linux/list.h', 'include/linux/list.h', '/usr/src/kernels/6.5.6-300.fc39.x86_64/'],
  ['/home/dev/src/linux/net/ipv4/tcp.c', 'net/ipv4/tcp.c', '/home/dev/src/linux/'],
  ['/lib/modules/6.1.0-56-amd64/build/include/linux/sched.h', 'include/linux/sched.h', '/lib/modules/6.1.0-56-amd64/build/'],
  ['/work/linux/io_uring/io_uring.c', 'io_uring/io_uring.c', '/work/linux/'],
  ['fs/ext4/inode.c', 'fs/ext4/inode.c', null],
  ['/home/dev/mydriver/main.c', '/home/dev/mydriver/main.c', null],
  ['/usr/lib/gcc/x86_64-linux-gnu/12/include/stdarg.h', '/usr/lib/gcc/x86_64-linux-gnu/12/include/stdarg.h', null],
  ['/usr/include/linux/types.h', '/usr/include/linux/types.h', null],
  ['/mm/oops.c', '/mm/oops.c', null],
  ['<built-in>', '<built-in>', null],
];

test('stripBuildPrefix: build directories, any absolute prefix before a kernel directory, out-of-tree paths kept', () => {
  for (const [path, relative, stripped] of PATHS) assert.deepEqual(stripBuildPrefix(path), { relative, stripped }, path);
});
