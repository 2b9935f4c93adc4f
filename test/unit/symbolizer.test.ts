// The native symbolizer as hover and `kcrash decode` use it (server/src/symbolizer/kernelSymbolizer.ts),
// on objects gcc builds here: a "vmlinux" (an executable with a `Linux version` banner, two static
// functions of the same name in two files, an inlined helper) with its System.map from `nm -n`, and a
// "module" (`-c`, relocatable, gzip'ed as .ko.gz). Every source answer is checked against
// `addr2line -f -i` on the same object at the address the kernel's rules give: return address - 1
// for call-trace entries, exact for RIP, `__pfx_X+0x10/0x10` a pointer to X.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { after, describe, it } from 'node:test';
import { discoverSources, defaultSymbolSettings } from '../../server/src/symbolizer/discover.ts';
import { emptyConfig, KernelSymbolizer, type SymbolSourcesConfig } from '../../server/src/symbolizer/kernelSymbolizer.ts';
import { InProcessSymbolService } from '../../server/src/symbolizer/symbolService.ts';
import type { SymbolInfo, SymbolQuery } from '../../server/src/symbolizer/types.ts';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kcrash-symbolizer-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));
const tool = (name: string) => !spawnSync(name, ['--version']).error;
const skip = ['gcc', 'nm', 'addr2line'].filter((t) => !tool(t));
const SKIP = skip.length ? `needs ${skip.join(', ')} on PATH` : false;

const FILES: Record<string, string> = {
  'core.c': `const char linux_banner[] = "Linux version 9.9.9-kcrash (builder@host) (gcc) #1 SMP\\n";
static inline __attribute__((always_inline)) int scale(int x) { return x * 3 + (x >> 2); }
__attribute__((noinline)) int leaf(int n) { int s = 0; for (int i = 0; i < n; i++) s += scale(i ^ n); return s; }
__attribute__((noinline)) static int twin(int n) { return leaf(n) + 1; }
__attribute__((noinline)) int caller_a(int n) { return twin(n) * 2 + leaf(n + 1); }
__attribute__((noinline, noreturn)) void die(void) { for (;;) __asm__ volatile(""); }
__attribute__((noinline)) void ends_in_noreturn(int n) { if (n > 3) leaf(n); die(); }
`,
  'other.c': `extern int leaf(int);
__attribute__((noinline)) static int twin(int n) { int s = leaf(n); for (int i = 0; i < 8; i++) s ^= leaf(s + i) * 7; return s; }
__attribute__((noinline)) int caller_b(int n) { return twin(n) - 1; }
int caller_a(int);
void ends_in_noreturn(int);
int main(int argc, char **argv) { (void)argv; if (argc > 5) ends_in_noreturn(argc); return caller_a(argc) + caller_b(argc); }
`,
  'mod.c': `static inline __attribute__((always_inline)) int mod_helper(int *p, int v) { *p = v * 5; return v + 1; }
__attribute__((noinline)) int mod_inner(int *p, int v) { return mod_helper(p, v) + mod_helper(p + 1, v); }
__attribute__((noinline)) int mod_outer(int *p) { return mod_inner(p, 3) * 2; }
__attribute__((section(".init.text"), noinline)) int mod_init(int *p) { return mod_outer(p) + 1; }
`,
};

interface Sym {
  name: string;
  address: bigint;
  size: bigint;
}

let vmlinux = '';
let systemMap = '';
let moduleKo = '';
let moduleObj = '';
let symbols: Sym[] = [];
if (!SKIP) {
  for (const [name, text] of Object.entries(FILES)) fs.writeFileSync(path.join(tmp, name), text);
  vmlinux = path.join(tmp, 'vmlinux-9.9.9-kcrash');
  run('gcc', ['-O2', '-g', '-gdwarf-5', '-fno-pie', '-no-pie', '-o', vmlinux, 'core.c', 'other.c']);
  systemMap = path.join(tmp, 'System.map-9.9.9-kcrash');
  fs.writeFileSync(systemMap, run('nm', ['-n', vmlinux]));
  // kallsyms-style sizes: the distance to the next text symbol.
  const text = run('nm', ['-n', vmlinux])
    .split('\n')
    .filter((l) => / [Tt] /.test(l))
    .map((l) => l.split(' '));
  symbols = text.slice(0, -1).map(([a, , name], i) => ({ name, address: BigInt('0x' + a), size: BigInt('0x' + text[i + 1][0]) - BigInt('0x' + a) }));
  moduleObj = path.join(tmp, 'build', 'my-mod.o');
  fs.mkdirSync(path.dirname(moduleObj));
  run('gcc', ['-O2', '-g', '-gdwarf-4', '-c', '-o', moduleObj, 'mod.c']);
  moduleKo = path.join(tmp, 'modules', 'my-mod.ko.gz');
  fs.mkdirSync(path.dirname(moduleKo));
  fs.writeFileSync(moduleKo, zlib.gzipSync(fs.readFileSync(moduleObj)));
}

function run(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { cwd: tmp, encoding: 'utf8' });
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** addr2line's inline chain at an address (innermost first), names short, paths as DWARF has them. */
function addr2line(obj: string, address: bigint, section?: string): { function: string; file: string; line: number }[] {
  return addr2lineAll(obj, [address], section)[0];
}

/** addr2line's chains at many addresses, from one run (`-a` prints each address before its chain). */
function addr2lineAll(obj: string, addresses: bigint[], section?: string): { function: string; file: string; line: number }[][] {
  const out = run('addr2line', ['-a', '-f', '-i', '-e', obj, ...(section ? [`--section=${section}`] : []), ...addresses.map((a) => '0x' + a.toString(16))]);
  const blocks: string[][] = [];
  for (const line of out.trimEnd().split('\n')) {
    if (/^0x[0-9a-f]+$/.test(line)) blocks.push([]);
    else blocks[blocks.length - 1].push(line);
  }
  assert.equal(blocks.length, addresses.length, 'one addr2line answer per address');
  return blocks.map((b) => {
    const frames = [];
    for (let i = 0; i + 1 < b.length; i += 2) {
      const [file, line] = b[i + 1].replace(/ \(discriminator \d+\)$/, '').split(':');
      frames.push({ function: b[i], file, line: Number(line) });
    }
    return frames;
  });
}

const sym = (name: string, nth = 0) => symbols.filter((s) => s.name === name)[nth];

function query(over: Partial<SymbolQuery>): SymbolQuery {
  return {
    function: null,
    offset: null,
    size: null,
    module: null,
    address: null,
    buildId: null,
    exact: false,
    arch: 'x86_64',
    release: '9.9.9-kcrash',
    ...over,
  };
}

function config(over: Partial<SymbolSourcesConfig> = {}): SymbolSourcesConfig {
  return { ...emptyConfig(), vmlinux: { path: vmlinux, foundBy: 'setting' }, ...over };
}

function shape(info: SymbolInfo | null) {
  return (info?.frames ?? []).map((f) => ({ function: f.function, file: f.file, line: f.line }));
}

/** The same file as addr2line prints it: the symbolizer gives paths relative to the build. */
function sameFiles(got: ReturnType<typeof shape>, want: ReturnType<typeof addr2line>) {
  assert.deepEqual(
    got.map((f) => [f.function, path.basename(f.file ?? '??'), f.line]),
    want.map((f) => [f.function, path.basename(f.file), f.line]),
  );
}

describe('native symbolizer on gcc-built objects', { skip: SKIP }, () => {
  it('looks up call-trace entries at address - 1 and RIP exactly, keeping the printed entry', async () => {
    const s = new KernelSymbolizer(config());
    const leaf = sym('caller_a');
    // addr2line at every byte of the function and the one after it: return address - 1 and exact.
    const want = addr2lineAll(
      vmlinux,
      Array.from({ length: Number(leaf.size) + 1 }, (_, i) => leaf.address + BigInt(i)),
    );
    for (let off = 1n; off < leaf.size; off++) {
      const ret = await s.symbolize(query({ function: 'caller_a', offset: Number(off), size: Number(leaf.size) }));
      sameFiles(shape(ret), want[Number(off) - 1]);
      assert.equal(ret!.lookup, 'return-address-1');
      assert.equal(ret!.symbol!.address, (leaf.address + off).toString(16));
      const rip = await s.symbolize(query({ function: 'caller_a', offset: Number(off), size: Number(leaf.size), exact: true }));
      sameFiles(shape(rip), want[Number(off)]);
    }
    s.dispose();
  });

  it('gives the inline chain, innermost first', async () => {
    const s = new KernelSymbolizer(config());
    const leaf = sym('leaf');
    const want = addr2lineAll(
      vmlinux,
      Array.from({ length: Number(leaf.size) }, (_, i) => leaf.address + BigInt(i)),
    );
    let inlined = 0;
    for (let off = 0n; off < leaf.size; off++) {
      const info = await s.symbolize(query({ function: 'leaf', offset: Number(off), size: Number(leaf.size), exact: true }));
      sameFiles(shape(info), want[Number(off)]);
      if (info!.frames.length > 1) {
        inlined++;
        assert.equal(info!.frames[0].function, 'scale');
        assert.equal(info!.frames[0].inline, true);
        assert.equal(info!.frames.at(-1)!.inline, false);
      }
    }
    assert.ok(inlined > 0, 'scale() is inlined into leaf() at -O2');
    s.dispose();
  });

  it('tells two static functions of the same name apart by their size, as kallsyms prints it', async () => {
    const [a, b] = [sym('twin', 0), sym('twin', 1)];
    assert.ok(a && b && a.size !== b.size, 'two twins of different sizes');
    for (const t of [a, b]) {
      for (const s of [new KernelSymbolizer(config()), new KernelSymbolizer({ ...emptyConfig(), systemMap: { path: systemMap, foundBy: 'setting' } })]) {
        const info = await s.symbolize(query({ function: 'twin', offset: 2, size: Number(t.size) }));
        assert.equal(info!.symbol!.address, (t.address + 2n).toString(16));
        assert.match(info!.note ?? '', /2 functions are named `twin`/);
      }
    }
  });

  it('reads `? __pfx_X+0x10/0x10` as a pointer to X', async () => {
    const s = new KernelSymbolizer(config());
    const info = await s.symbolize(query({ function: '__pfx_caller_b', offset: 0x10, size: 0x10 }));
    assert.equal(info!.lookup, 'function-pointer');
    assert.equal(info!.symbol!.name, 'caller_b');
    assert.equal(info!.symbol!.address, sym('caller_b').address.toString(16));
    sameFiles(shape(info), addr2line(vmlinux, sym('caller_b').address));
  });

  it('uses a raw address with the KASLR offset the log prints, or one inferred from an address printed with its symbol', async () => {
    const s = new KernelSymbolizer(config());
    const target = sym('caller_b');
    const kaslr = 0x1c000000n;
    const runtime = (target.address + 5n + kaslr).toString(16);
    const printed = await s.symbolize(query({ address: runtime, exact: true, kernelOffset: kaslr.toString(16) }));
    assert.equal(printed!.symbol!.name, 'caller_b');
    assert.equal(printed!.symbol!.offset, 5);
    const anchor = { address: (sym('leaf').address + 7n + kaslr).toString(16), function: 'leaf', offset: 7, module: null };
    const inferred = await s.symbolize(query({ address: runtime, exact: true, anchors: [anchor] }));
    assert.equal(inferred!.symbol!.address, (target.address + 5n).toString(16));
    const unknown = await s.symbolize(query({ address: runtime, exact: true }));
    assert.match(unknown!.note!, /KASLR offset/);
  });

  it('finds a module by its printed name in a folder (my-mod.ko.gz for [my_mod]) and looks up by section', async () => {
    const s = new KernelSymbolizer({ ...emptyConfig(), modulePaths: [{ path: path.dirname(moduleKo), foundBy: 'setting' }] });
    const nm = run('nm', ['-S', moduleObj]);
    for (const [name, section] of [
      ['mod_inner', '.text'],
      ['mod_init', '.init.text'],
    ]) {
      const [value, size] = new RegExp(`^([0-9a-f]+) ([0-9a-f]+) [Tt] ${name}$`, 'm')
        .exec(nm)!
        .slice(1)
        .map((h) => BigInt('0x' + h));
      const want = addr2lineAll(
        moduleObj,
        Array.from({ length: Number(size) }, (_, i) => value + BigInt(i)),
        section,
      );
      for (let off = 1n; off < size; off++) {
        const info = await s.symbolize(query({ function: name, offset: Number(off), size: Number(size), module: 'my_mod' }));
        assert.equal(info!.symbol!.section, section);
        sameFiles(shape(info), want[Number(off) - 1]);
      }
    }
    const missing = await s.symbolize(query({ function: 'x', offset: 1, size: 2, module: 'other_mod' }));
    assert.match(missing!.note!, /`other_mod` not found/);
  });

  it('says when the files are for another release, and what is wrong with a file', async () => {
    const s = new KernelSymbolizer(config());
    const other = await s.symbolize(query({ function: 'leaf', offset: 3, size: Number(sym('leaf').size), release: '6.1.0-56-amd64' }));
    assert.match(other!.note!, /vmlinux is 9\.9\.9-kcrash, the log says 6\.1\.0-56-amd64/);
    assert.ok(other!.frames.length > 0, 'still answers, with the warning');
    const status = await s.status('6.1.0-56-amd64');
    assert.equal(status.matches, false);
    assert.equal((await s.status('9.9.9-kcrash')).matches, true);

    const stub = path.join(tmp, 'System.map-6.1.0-56-amd64');
    fs.writeFileSync(stub, 'ffffffffffffffff B The real System.map is in the linux-image-<version>-dbg package\n');
    const fromStub = await new KernelSymbolizer({ ...emptyConfig(), systemMap: { path: stub, foundBy: 'setting' } }).symbolize(
      query({ function: 'leaf', offset: 1, size: 2 }),
    );
    assert.match(fromStub!.note!, /linux-image-6\.1\.0-56-amd64-dbg/);

    const truncated = path.join(tmp, 'vmlinux-truncated');
    fs.writeFileSync(truncated, fs.readFileSync(vmlinux).subarray(0, 3000));
    const broken = await new KernelSymbolizer(config({ vmlinux: { path: truncated, foundBy: 'setting' } })).symbolize(
      query({ function: 'leaf', offset: 1, size: 2 }),
    );
    assert.match(broken!.note!, /vmlinux-truncated/);
    const absent = await new KernelSymbolizer(config({ vmlinux: { path: path.join(tmp, 'nope'), foundBy: 'setting' } })).symbolize(
      query({ function: 'leaf', offset: 1, size: 2 }),
    );
    assert.match(absent!.note!, /does not exist/);
  });

  it('finds source files under the source root, an out-of-tree path by its trailing components', async () => {
    const root = path.join(tmp, 'src');
    fs.mkdirSync(root, { recursive: true });
    // The build folder is gone (a module built elsewhere): its file is found under the root.
    fs.renameSync(path.join(tmp, 'mod.c'), path.join(root, 'mod.c'));
    const s = new KernelSymbolizer({ ...emptyConfig(), modulePaths: [{ path: moduleKo, foundBy: 'setting' }], sourceRoots: [root] });
    const info = await s.symbolize(query({ function: 'mod_outer', offset: 4, size: 8, module: 'my_mod' }));
    assert.equal(info!.frames.at(-1)!.path, path.join(root, 'mod.c'));
  });
});

describe('broken symbol files, as hover and decode meet them', { skip: SKIP }, () => {
  it('truncated and bit-flipped vmlinux and modules give an answer with a note, never an exception or a hang', async () => {
    let seed = 7;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const good = { vm: fs.readFileSync(vmlinux), mod: fs.readFileSync(moduleObj) };
    const leaf = sym('leaf');
    let noted = 0;
    let answered = 0;
    const heap0 = process.memoryUsage().rss;
    for (let i = 0; i < 120; i++) {
      const which = i % 2 ? 'mod' : 'vm';
      const bytes = Buffer.from(good[which]);
      const broken = i % 3 === 0 ? bytes.subarray(0, Math.floor(rand() * bytes.length)) : bytes;
      if (i % 3 !== 0) for (let k = 0; k < 1 + Math.floor(rand() * 40); k++) broken[Math.floor(rand() * broken.length)] ^= 1 << Math.floor(rand() * 8);
      const file = path.join(tmp, `fuzz-${i}${which === 'mod' ? '.ko' : ''}`);
      fs.writeFileSync(file, broken);
      const s = new KernelSymbolizer(
        which === 'vm' ? config({ vmlinux: { path: file, foundBy: 'setting' } }) : { ...emptyConfig(), modulePaths: [{ path: file, foundBy: 'setting' }] },
      );
      const started = Date.now();
      const q =
        which === 'vm'
          ? query({ function: 'leaf', offset: 5, size: Number(leaf.size) })
          : query({ function: 'mod_inner', offset: 5, size: 0x40, module: `fuzz_${i}` });
      const info = await s.symbolize(q);
      const status = await s.status('9.9.9-kcrash', which === 'mod' ? [{ name: `fuzz_${i}`, buildId: null }] : []);
      s.dispose();
      assert.ok(Date.now() - started < 2000, `case ${i} took ${Date.now() - started} ms`);
      assert.ok(status.summary.length > 0);
      if (info?.frames.length) answered++;
      else if (info?.note) noted++;
      fs.rmSync(file);
    }
    assert.ok(noted > 20 && answered > 5, `noted ${noted}, answered ${answered}`);
    assert.ok(process.memoryUsage().rss - heap0 < 300 * 1024 * 1024, 'memory stays bounded');
  });
});

describe('a rebuilt symbol file', { skip: SKIP }, () => {
  it('is read again by the service that pools symbolizers', async () => {
    const copy = path.join(tmp, 'vmlinux-rebuilt');
    fs.copyFileSync(vmlinux, copy);
    const service = new InProcessSymbolService();
    const cfg = config({ vmlinux: { path: copy, foundBy: 'setting' } });
    const q = query({ function: 'leaf', offset: 3, size: Number(sym('leaf').size) });
    assert.ok((await service.symbolize(cfg, q))!.frames.length > 0);
    fs.writeFileSync(copy, 'not an ELF file any more');
    fs.utimesSync(copy, new Date(), new Date(Date.now() + 5000));
    await new Promise((r) => setTimeout(r, 1100));
    assert.match((await service.symbolize(cfg, q))!.note!, /not an ELF file/);
    service.dispose();
  });
});

describe('finding symbol files without settings', { skip: SKIP }, () => {
  it('looks beside the log, in the workspace, then in the debug paths of the release', () => {
    const logDir = path.join(tmp, 'logs');
    fs.mkdirSync(logDir, { recursive: true });
    fs.copyFileSync(vmlinux, path.join(logDir, 'vmlinux-9.9.9-kcrash'));
    fs.copyFileSync(moduleObj, path.join(logDir, 'my_mod.ko'));
    const beside = discoverSources(defaultSymbolSettings(), {
      logPath: path.join(logDir, 'dmesg.txt'),
      workspaceFolders: [],
      release: '9.9.9-kcrash',
      trusted: false,
    });
    assert.deepEqual(beside.vmlinux, { path: path.join(logDir, 'vmlinux-9.9.9-kcrash'), foundBy: 'beside-log' });
    assert.deepEqual(beside.modulePaths, [{ path: logDir, foundBy: 'beside-log' }]);
    assert.equal(beside.external, 'auto');

    const debugRoot = path.join(tmp, 'root');
    fs.mkdirSync(path.join(debugRoot, 'usr/lib/debug/boot'), { recursive: true });
    fs.mkdirSync(path.join(debugRoot, 'usr/lib/debug/lib/modules/9.9.9-kcrash'), { recursive: true });
    fs.copyFileSync(vmlinux, path.join(debugRoot, 'usr/lib/debug/boot/vmlinux-9.9.9-kcrash'));
    const debug = discoverSources(defaultSymbolSettings(), {
      logPath: path.join(tmp, 'elsewhere', 'x.log'),
      workspaceFolders: [],
      release: '9.9.9-kcrash',
      trusted: true,
      debugRoot,
    });
    assert.equal(debug.vmlinux?.foundBy, 'debug-path');
    assert.deepEqual(debug.modulePaths, [{ path: path.join(debugRoot, 'usr/lib/debug/lib/modules/9.9.9-kcrash'), foundBy: 'debug-path' }]);
    const noRelease = discoverSources(defaultSymbolSettings(), { logPath: null, workspaceFolders: [], release: null, trusted: true, debugRoot });
    assert.equal(noRelease.vmlinux, null);

    const set = discoverSources(
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the setting's own ${workspaceFolder}, not a template
      { ...defaultSymbolSettings(), vmlinux: 'k/vmlinux', sourceRoot: '${workspaceFolder}/linux' },
      { logPath: null, workspaceFolders: ['/ws'], release: null, trusted: true },
    );
    assert.deepEqual(set.vmlinux, { path: '/ws/k/vmlinux', foundBy: 'setting' });
    assert.deepEqual(set.sourceRoots, ['/ws/linux', '/ws']);
  });
});
