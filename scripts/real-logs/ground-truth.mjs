#!/usr/bin/env node
// Ground truth for symbolizing the real Debian logs (test/fixtures/real-debian-*.log): for every
// `func+0xoff/0xsize [mod]` entry, the address looked up and the function, file:line and inline
// chain (innermost first) that llvm-symbolizer (vmlinux) or addr2line --section (the module) give.
// Writes test/fixtures/real-debian/ground-truth.json. Plain Node, no dependencies; needs
// `scripts/real-logs/make.sh debug` first (vmlinux in the cache) and binutils.
//
//   node scripts/real-logs/ground-truth.mjs [--out FILE]
//
// Environment: KCRASH_REAL_CACHE (/var/cache/kcrash-real), RELEASE (6.1.0-56-amd64), VERSION
// (6.1.192-2), LLVM_SYMBOLIZER (llvm-symbolizer-19 when on PATH, else llvm-symbolizer).
//
// Rules (docs: symbolization.md sections 4.4 and 5):
// - vmlinux symbols from System.map; among same-named text symbols the one whose distance to the next
//   symbol (kallsyms' size) equals the printed size. Addresses are link-time (no KASLR).
// - Call-trace entries (%pB) are looked up at address-1; `RIP:`, `WARNING: ... at ... func+off` and
//   `idling at` (%pS) exactly. `? __pfx_X+0x10/0x10` is a pointer to X: X's address, exactly.
// - Module symbols from the .ko's .symtab (value and section); addr2line -a -f -i --section=SEC with
//   the section-relative address (llvm-symbolizer cannot tell .text from .init.text in a .ko).
// - Paths: `debian/build/build_amd64_none_amd64/` and `/build/reproducible-path/linux-<ver>/` are
//   stripped (paths relative to the kernel source tree); in the module, headers under
//   `.../usr/src/linux-headers-<x>/` become relative to the kernel tree too, and the module's own
//   source keeps its absolute path (/var/cache/kcrash-real/module/kcrash_test.c, as in WARNING lines).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync, mkdirSync, openSync, readSync, closeSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const started = process.hrtime.bigint();
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const CACHE = process.env.KCRASH_REAL_CACHE || '/var/cache/kcrash-real';
const RELEASE = process.env.RELEASE || '6.1.0-56-amd64';
const VERSION = process.env.VERSION || '6.1.192-2';
const FIXTURES = join(ROOT, 'test/fixtures');
const DEST_DIR = join(FIXTURES, 'real-debian');
const outArg = process.argv.indexOf('--out');
const OUT = outArg > 0 ? resolve(process.argv[outArg + 1]) : join(DEST_DIR, 'ground-truth.json');
const KDIR = join(CACHE, `kernel-${RELEASE}-${VERSION}`);
const VMLINUX = join(KDIR, `vmlinux-${RELEASE}`);
const SYSMAP = [join(DEST_DIR, `System.map-${RELEASE}`), join(KDIR, `System.map-${RELEASE}`)].find(existsSync);
const MODULE = [join(DEST_DIR, 'kcrash_test.ko'), join(CACHE, 'module/kcrash_test.ko')].find(existsSync);
const MODULE_NAME = 'kcrash_test';

function which(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).stdout.trim() || null;
}
const LLVM = process.env.LLVM_SYMBOLIZER || which('llvm-symbolizer-19') || which('llvm-symbolizer');
for (const [what, p] of [
  ['vmlinux (run scripts/real-logs/make.sh debug)', VMLINUX],
  ['System.map', SYSMAP],
  ['kcrash_test.ko', MODULE],
]) {
  if (!p || !existsSync(p)) {
    console.error(`missing ${what}: ${p ?? ''}`);
    process.exit(1);
  }
}
if (!LLVM) {
  console.error('missing llvm-symbolizer (apt-get install llvm-19)');
  process.exit(1);
}
const run = (cmd, args, input) => execFileSync(cmd, args, { input, encoding: 'utf8', maxBuffer: 1 << 28 });
const hex = (n) => '0x' + n.toString(16);

// --- symbols -------------------------------------------------------------------------------------
// System.map: sorted by address; kallsyms' size of a symbol = distance to the next higher address.
const map = readFileSync(SYSMAP, 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((l) => {
    const [a, type, name] = l.split(' ');
    return { addr: BigInt('0x' + a), type, name };
  });
const addrs = [...new Set(map.map((s) => s.addr))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
function nextAddr(a) {
  let lo = 0,
    hi = addrs.length;
  while (lo < hi) {
    const m = (lo + hi) >> 1;
    if (addrs[m] <= a) lo = m + 1;
    else hi = m;
  }
  return lo < addrs.length ? addrs[lo] : null;
}
const byName = new Map();
for (const s of map) {
  if (!/^[tTwW]$/.test(s.type)) continue;
  (byName.get(s.name) ?? byName.set(s.name, []).get(s.name)).push(s);
}
function namesAt(a) {
  return map.filter((s) => s.addr === a && /^[tTwW]$/.test(s.type)).map((s) => s.name);
}
const vmSymbolCache = new Map();
function vmlinuxSymbol(name, size) {
  const key = `${name}/${size}`;
  if (vmSymbolCache.has(key)) return vmSymbolCache.get(key);
  const cands = (byName.get(name) ?? []).filter((s) => nextAddr(s.addr) - s.addr === size);
  const r = cands.length === 1 ? cands[0].addr : null;
  if (cands.length !== 1)
    console.error(`${name}/0x${size.toString(16)}: ${cands.length} System.map candidates of that size (of ${(byName.get(name) ?? []).length})`);
  vmSymbolCache.set(key, r);
  return r;
}

// The module: FUNC symbols with their section (readelf -sW), section names and sizes (readelf -SW).
const sections = new Map(); // index -> {name, size, offset}
for (const l of run('readelf', ['-SW', MODULE]).split('\n')) {
  const m = /^\s*\[\s*(\d+)\]\s+(\S+)\s+\S+\s+[0-9a-f]+\s+([0-9a-f]+)\s+([0-9a-f]+)/.exec(l);
  if (m) sections.set(+m[1], { name: m[2], offset: parseInt(m[3], 16), size: parseInt(m[4], 16) });
}
const modSyms = [];
for (const l of run('readelf', ['-sW', MODULE]).split('\n')) {
  const m = /^\s*\d+:\s+([0-9a-f]+)\s+(\d+)\s+(FUNC|NOTYPE|OBJECT)\s+\S+\s+\S+\s+(\d+)\s+(\S+)$/.exec(l);
  if (m) modSyms.push({ value: parseInt(m[1], 16), stSize: +m[2], type: m[3], shndx: +m[4], name: m[5] });
}
function moduleSymbol(name, size) {
  const s = modSyms.find((x) => x.name === name && x.type === 'FUNC');
  if (!s) {
    console.error(`${name}: not in ${MODULE}`);
    return null;
  }
  const sec = sections.get(s.shndx);
  // kallsyms' size for a module symbol: to the next symbol of the same section, or the section end.
  const next = Math.min(sec.size, ...modSyms.filter((x) => x.shndx === s.shndx && x.value > s.value).map((x) => x.value));
  if (next - s.value !== Number(size)) console.error(`${name}: printed size 0x${size.toString(16)}, module gives 0x${(next - s.value).toString(16)}`);
  return { value: s.value, section: sec.name, kallsymsSize: next - s.value };
}

// --- entries -------------------------------------------------------------------------------------
const SYM = String.raw`([A-Za-z_][A-Za-z0-9_.$]*)\+0x([0-9a-f]+)/0x([0-9a-f]+)(?: \[([A-Za-z0-9_]+)\])?`;
const PATTERNS = [
  { kind: 'rip', exact: true, re: new RegExp(String.raw`^RIP: [0-9a-f]{4}:${SYM}$`) },
  { kind: 'warning', exact: true, re: new RegExp(String.raw`^WARNING: CPU: \d+ PID: \d+ at \S+ ${SYM}$`) },
  { kind: 'idling', exact: true, re: new RegExp(String.raw`idling at ${SYM}$`) },
  { kind: 'trace', exact: false, re: new RegExp(String.raw`^ +(?:\? )?${SYM}$`) },
];
const entries = [];
const fixtures = readdirSync(FIXTURES)
  .filter((f) => /^real-debian-.*\.log$/.test(f))
  .sort();
for (const fixture of fixtures) {
  readFileSync(join(FIXTURES, fixture), 'utf8')
    .split('\n')
    .forEach((raw, i) => {
      const text = raw.replace(/\r$/, '').replace(/^\[ *\d+\.\d+\] ?/, '');
      for (const p of PATTERNS) {
        const m = p.re.exec(text);
        if (!m) continue;
        const [, fn, off, size, mod] = m;
        entries.push({
          fixture,
          line: i + 1,
          text: text.trim(),
          kind: p.kind,
          function: fn,
          offset: BigInt('0x' + off),
          size: BigInt('0x' + size),
          module: mod ?? null,
          exact: p.exact,
        });
        break;
      }
    });
}

// Resolve addresses.
for (const e of entries) {
  const pfx = /^__pfx_(.+)$/.exec(e.function);
  if (!e.exact && pfx && e.offset === 0x10n && e.size === 0x10n) {
    e.exact = true;
    e.pointerTo = pfx[1];
  }
  if (e.module) {
    if (e.module !== MODULE_NAME) {
      e.skip = `module ${e.module} not available`;
      continue;
    }
    const s = moduleSymbol(e.function, e.size);
    if (!s) {
      e.skip = 'symbol not in module';
      continue;
    }
    e.section = s.section;
    e.lookup = BigInt(s.value) + e.offset - (e.exact ? 0n : 1n);
    if (e.offset === e.size) {
      const at = modSyms.filter((x) => x.type === 'FUNC' && sections.get(x.shndx).name === s.section && BigInt(x.value) === BigInt(s.value) + e.offset);
      e.nextSymbol = at[0]?.name ?? null;
    }
  } else {
    const base = vmlinuxSymbol(e.function, e.size);
    if (base === null) {
      e.skip = 'no System.map symbol of that size';
      continue;
    }
    e.symbolAddress = base + e.offset;
    if (e.pointerTo)
      e.lookup = base + e.offset; // = the address of X
    else e.lookup = base + e.offset - (e.exact ? 0n : 1n);
    if (e.offset === e.size) e.nextSymbol = namesAt(base + e.offset)[0] ?? null;
  }
}

// --- symbolizers ---------------------------------------------------------------------------------
function normPath(p) {
  if (!p) return p;
  p = p.replace(/\/\/+/g, '/').replace(/\/\.\//g, '/');
  p = p.replace(/^(?:.*\/)?debian\/build\/build_amd64_none_amd64\//, '');
  p = p.replace(/^\/build\/reproducible-path\/linux-[^/]+\//, '');
  p = p.replace(/^.*\/usr\/src\/linux-headers-[^/]+\//, '');
  return p;
}
function llvmFrames(addrsList) {
  const out = run(LLVM, [`--obj=${VMLINUX}`, '--inlining', '--functions=short', '--output-style=JSON'], addrsList.map(hex).join('\n') + '\n');
  return out
    .split('\n')
    .filter(Boolean)
    .map((l) =>
      JSON.parse(l).Symbol.map((s) => {
        const f = { function: s.FunctionName || null, file: normPath(s.FileName) || null, line: s.Line };
        if (s.Column) f.column = s.Column;
        return f;
      }),
    );
}
// addr2line -a -f -i: `0xADDR` then (function, file:line) per frame, innermost first.
function addr2lineFrames(file, addrsList, section) {
  const args = ['-a', '-f', '-i', '-e', file];
  if (section) args.push(`--section=${section}`);
  const lines = run('addr2line', args, addrsList.map(hex).join('\n') + '\n')
    .split('\n')
    .filter(Boolean);
  const res = [];
  let cur = null;
  for (let i = 0; i < lines.length; i++) {
    if (/^0x[0-9a-f]+$/.test(lines[i])) {
      cur = [];
      res.push(cur);
      continue;
    }
    const fn = lines[i],
      loc = lines[++i].replace(/ \(discriminator \d+\)$/, '');
    const m = /^(.*):(\d+|\?)$/.exec(loc);
    const file = m ? m[1] : loc;
    cur.push({ function: fn === '??' ? null : fn, file: file === '??' ? null : normPath(file), line: m && m[2] !== '?' ? +m[2] : 0 });
  }
  return res;
}

const vm = entries.filter((e) => !e.skip && !e.module);
const uniq = (xs) => [...new Set(xs.map(String))].map(BigInt);
const vmAddrs = uniq(vm.map((e) => e.lookup));
const llvm = new Map(llvmFrames(vmAddrs).map((f, i) => [vmAddrs[i], f]));
for (const e of vm) e.frames = llvm.get(e.lookup);

const mod = entries.filter((e) => !e.skip && e.module);
for (const sec of new Set(mod.map((e) => e.section))) {
  const es = mod.filter((e) => e.section === sec);
  const as = uniq(es.map((e) => e.lookup));
  const fr = addr2lineFrames(MODULE, as, sec);
  for (const e of es) e.frames = fr[as.indexOf(e.lookup)];
}
// addr2line names the ELF symbol where no DWARF subprogram covers the address; llvm-symbolizer's JSON
// (used for vmlinux) gives no name there. Same convention for the module: past the symbol's st_size
// (alignment padding; in this module every subprogram's low_pc/high_pc equals st_value/st_size) the
// function is null.
for (const e of mod) {
  const s = modSyms.find((x) => x.name === e.function && x.type === 'FUNC');
  if (e.lookup >= BigInt(s.value + s.stSize) && e.frames.length === 1) e.frames[0].function = null;
}

// --- cross-checks (stderr only) ------------------------------------------------------------------
const same = (a, b) => JSON.stringify(a.map((f) => [f.function, f.file, f.line])) === JSON.stringify(b.map((f) => [f.function, f.file, f.line]));
// addr2line names the ELF symbol where no DWARF subprogram covers the address (assembly, padding);
// llvm-symbolizer's JSON output leaves the name empty there (its GNU output is not consistent).
const sameButFallback = (l, a) =>
  l.length === a.length && l.every((f, i) => (f.function === null || f.function === a[i].function) && f.file === a[i].file && f.line === a[i].line);
const show = (fs) => fs.map((f) => `${f.function} ${f.file}:${f.line}`).join(' <- ');
const notes = [];
// addr2line on vmlinux against llvm-symbolizer.
const a2l = addr2lineFrames(VMLINUX, vmAddrs);
let fallbackOnly = 0;
vmAddrs.forEach((a, i) => {
  if (same(llvm.get(a), a2l[i])) return;
  if (sameButFallback(llvm.get(a), a2l[i])) {
    fallbackOnly++;
    return;
  }
  notes.push(`vmlinux ${hex(a)}: llvm-symbolizer ${show(llvm.get(a))}\n    addr2line ${show(a2l[i])}`);
});
// Call-trace entries: what the unadjusted return address would give.
const trace = vm.filter((e) => !e.exact);
const retAddrs = uniq(trace.map((e) => e.lookup + 1n));
const atRet = new Map(llvmFrames(retAddrs).map((f, i) => [retAddrs[i], f]));
let retDiff = 0,
  retDiffFn = 0;
const seenRet = new Set();
for (const e of trace) {
  if (seenRet.has(e.lookup)) continue;
  seenRet.add(e.lookup);
  const r = atRet.get(e.lookup + 1n);
  if (!same(r, e.frames)) {
    retDiff++;
    if (r.at(-1).function !== e.frames.at(-1).function) retDiffFn++;
  }
}
const modTrace = mod.filter((e) => !e.exact);
let modRetDiff = 0;
for (const sec of new Set(modTrace.map((e) => e.section))) {
  const es = modTrace.filter((e) => e.section === sec);
  const as = uniq(es.map((e) => e.lookup + 1n));
  const fr = addr2lineFrames(MODULE, as, sec);
  const m1 = addr2lineFrames(
    MODULE,
    as.map((a) => a - 1n),
    sec,
  );
  as.forEach((_a, i) => {
    if (!same(fr[i], m1[i])) modRetDiff++;
  });
}
// The outermost frame should be the printed function (the kernel looked it up at the same address).
for (const e of [...vm, ...mod]) {
  const outer = e.frames.at(-1).function;
  if (outer === null) continue;
  const want = e.pointerTo ?? e.function;
  if (outer !== want && outer !== want.replace(/\.(?:cold|isra\.\d+|constprop\.\d+|part\.\d+|\d+)+$/, ''))
    notes.push(`${e.fixture}:${e.line} ${e.text}: outermost frame is ${outer}`);
}
// Module `Code:` bytes against the .ko's bytes at the RIP (bytes under a relocation are skipped).
const codeChecks = [];
{
  const relocs = new Map(); // section -> Set of byte offsets written by relocations
  let cur = null;
  for (const l of run('readelf', ['-rW', MODULE]).split('\n')) {
    const h = /^Relocation section '\.rela(\S+)'/.exec(l);
    if (h) {
      cur = new Set();
      relocs.set(h[1], cur);
      continue;
    }
    const m = /^([0-9a-f]{16})\s+[0-9a-f]+\s+(R_X86_64_\S+)\s+[0-9a-f]+\s+(\S+)/.exec(l);
    if (m && cur) {
      const o = parseInt(m[1], 16),
        n = /64$/.test(m[2]) ? 8 : 4;
      for (let k = 0; k < n; k++) cur.add(o + k);
      // Patched when loaded: `call __fentry__` becomes a 5-byte NOP, `jmp __x86_return_thunk` a `ret; int3`.
      if (m[3] === '__fentry__' || m[3] === '__x86_return_thunk') cur.add(`op${o - 1}`);
    }
  }
  const fd = openSync(MODULE, 'r');
  for (const fixture of fixtures) {
    const lines = readFileSync(join(FIXTURES, fixture), 'utf8')
      .split('\n')
      .map((l) => l.replace(/\r$/, '').replace(/^\[ *\d+\.\d+\] ?/, ''));
    lines.forEach((_l, i) => {
      const e = mod.find((x) => x.fixture === fixture && x.line === i + 1 && x.kind === 'rip');
      const c = /^Code: (.*)$/.exec(lines[i + 1] ?? '');
      if (!e || !c) return;
      const bytes = c[1].trim().split(/\s+/);
      const at = bytes.findIndex((b) => b.startsWith('<'));
      const sec = [...sections.values()].find((s) => s.name === e.section);
      const rel = relocs.get(e.section) ?? new Set();
      let ok = 0,
        bad = 0,
        skipped = 0,
        patched = 0;
      bytes.forEach((b, k) => {
        const off = Number(e.lookup) + k - at;
        if (off < 0 || off >= sec.size) {
          skipped++;
          return;
        }
        if (rel.has(off)) {
          skipped++;
          return;
        }
        const buf = Buffer.alloc(1);
        readSync(fd, buf, 0, 1, sec.offset + off);
        if (buf[0] === parseInt(b.replace(/[<>]/g, ''), 16)) ok++;
        else if (rel.has(`op${off}`)) patched++;
        else bad++;
      });
      codeChecks.push(
        `${fixture}:${i + 1} ${e.text}: ${ok} bytes equal, ${patched} patched at load (ftrace NOP, return thunk), ${skipped} relocated or outside, ${bad} differ`,
      );
    });
  }
  closeSync(fd);
}

// --- output --------------------------------------------------------------------------------------
const json = entries
  .filter((e) => !e.skip)
  .map((e) => {
    const o = {
      fixture: e.fixture,
      line: e.line,
      text: e.text,
      function: e.function,
      offset: hex(e.offset),
      size: hex(e.size),
      module: e.module,
      exact: e.exact,
      address: e.module ? `${e.section}+${hex(e.lookup)}` : hex(e.lookup),
    };
    if (e.module) o.section = e.section;
    if (e.pointerTo) o.pointerTo = e.pointerTo;
    if (e.nextSymbol !== undefined) o.nextSymbol = e.nextSymbol;
    o.frames = e.frames;
    return o;
  });
mkdirSync(dirname(OUT), { recursive: true });
writeFileSync(OUT, '[\n' + json.map((o) => '  ' + JSON.stringify(o)).join(',\n') + '\n]\n');

const skipped = entries.filter((e) => e.skip);
const ms = Number(process.hrtime.bigint() - started) / 1e6;
console.error(
  `${json.length} entries with ground truth (${vm.length} vmlinux, ${mod.length} module; ${vmAddrs.length} distinct vmlinux addresses) from ${fixtures.length} fixtures -> ${OUT}`,
);
for (const e of skipped) console.error(`skipped ${e.fixture}:${e.line} ${e.text}: ${e.skip}`);
console.error(
  `symbolizers: ${LLVM} (${run(LLVM, ['--version'])
    .split('\n')
    .find((l) => /version/i.test(l))
    .trim()}), ${run('addr2line', ['--version']).split('\n')[0]}`,
);
console.error(
  `call-trace entries whose unadjusted return address gives other frames: vmlinux ${retDiff} of ${seenRet.size} distinct (${retDiffFn} with another outermost function), module ${modRetDiff} of ${modTrace.length ? uniq(modTrace.map((e) => e.lookup)).length : 0} distinct`,
);
console.error(
  `llvm-symbolizer vs addr2line on vmlinux: ${notes.filter((n) => n.startsWith('vmlinux')).length} of ${vmAddrs.length} addresses differ (${fallbackOnly} more only by addr2line's ELF-symbol name where llvm has none)`,
);
for (const n of notes) console.error('  ' + n);
for (const c of codeChecks) console.error('Code: ' + c);
console.error(`time: ${(ms / 1000).toFixed(1)} s`);
