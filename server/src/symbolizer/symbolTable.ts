// Text symbols of a kernel or module, from System.map, a /proc/kallsyms dump or an ELF .symtab, so a
// crash log's `func+0xoff/0xsize [mod]` can be turned into an address (and an address into `func+off`).
// Sizes are the kallsyms ones, the distance to the next symbol at a higher address in the same module
// (and, in an ELF file, the same section): the `/0xsize` an oops prints, which is not the ELF st_size
// and tells same-named static functions apart. Addresses are bigint: kernel addresses are above 2^53.
// Debian's 83-byte System.map placeholder and a kallsyms dump with hidden (zero) addresses are
// recognised and reported with what to do instead.
import { basename } from 'node:path';
import { ObjectFileError } from './byteSource.ts';
import { ET_REL, SHF_EXECINSTR, SHT_SYMTAB, STT_FUNC, STT_NOTYPE, type ElfFile } from './elf.ts';
import { upperBound, upperBoundPair } from '../search.ts';

export interface TextSymbol {
  name: string;
  address: bigint;
  /** Distance to the next symbol (kallsyms style); 0 when nothing follows it (extent unknown). */
  size: bigint;
  module: string | null;
  /** ELF section index, for relocatable objects (modules), whose addresses are section-relative. */
  section: number | null;
  sectionName: string | null;
}

/** Debian's /boot/System.map placeholder, with where the real map is. */
export class SystemMapStubError extends ObjectFileError {
  constructor(
    readonly path: string,
    readonly release: string | null,
    readonly dbgPackage: string,
    readonly realPath: string,
  ) {
    super(`${path} is Debian's placeholder, not a symbol map: the real System.map is in the ${dbgPackage} package, at ${realPath}`);
    this.name = 'SystemMapStubError';
  }
}

/**
 * Symbols as the parsers collect them, in columns (a System.map has 94k lines: one object, bigint or
 * even name string per line would cost more than the rest of the load). A name is a range of `text`,
 * the file itself or the ELF string table, sliced only when a symbol is handed out. A group is a module (System.map,
 * kallsyms) or an ELF section; non-text symbols are kept only to end the sizes of text ones.
 */
class Columns {
  hi: Uint32Array;
  lo: Uint32Array;
  group: Int32Array;
  /** 1 text, 2 weak. */
  flags: Uint8Array;
  nameStart: Uint32Array;
  nameEnd: Uint32Array;
  length = 0;
  textCount = 0;
  readonly groupModule: (string | null)[] = [null];
  readonly groupSection: (number | null)[] = [null];
  readonly groupSectionName: (string | null)[] = [null];
  private readonly moduleIds = new Map<string, number>();
  constructor(
    /** The file itself (System.map, kallsyms) or the ELF string table's bytes (names NUL-terminated there). */
    readonly text: string | Buffer,
    capacity: number,
  ) {
    capacity = Math.max(capacity, 16);
    this.nameStart = new Uint32Array(capacity);
    this.nameEnd = new Uint32Array(capacity);
    this.hi = new Uint32Array(capacity);
    this.lo = new Uint32Array(capacity);
    this.group = new Int32Array(capacity);
    this.flags = new Uint8Array(capacity);
  }
  add(hi: number, lo: number, group: number, flags: number, nameStart: number, nameEnd: number): void {
    const n = this.length;
    if (n === this.hi.length) this.grow();
    this.hi[n] = hi;
    this.lo[n] = lo;
    this.group[n] = group;
    this.flags[n] = flags;
    this.nameStart[n] = nameStart;
    this.nameEnd[n] = nameEnd;
    this.length = n + 1;
    this.textCount += flags & 1;
  }
  moduleGroup(module: string): number {
    let id = this.moduleIds.get(module);
    if (id === undefined) {
      id = this.groupModule.length;
      this.moduleIds.set(module, id);
      this.groupModule.push(module);
      this.groupSection.push(null);
      this.groupSectionName.push(null);
    }
    return id;
  }
  private grow(): void {
    const size = this.hi.length * 2;
    const grown = <T extends Uint32Array | Int32Array | Uint8Array>(a: T, b: T): T => (b.set(a), b);
    this.hi = grown(this.hi, new Uint32Array(size));
    this.lo = grown(this.lo, new Uint32Array(size));
    this.group = grown(this.group, new Int32Array(size));
    this.flags = grown(this.flags, new Uint8Array(size));
    this.nameStart = grown(this.nameStart, new Uint32Array(size));
    this.nameEnd = grown(this.nameEnd, new Uint32Array(size));
  }
}

const TEXT = 1;
const WEAK = 2;
/** nameEnd of an ELF name whose NUL has not been looked for yet. */
const NO_END = 0xffffffff;
const CRC = Buffer.from('__crc_', 'latin1');
const TWO32 = 4294967296;

export class SymbolTable {
  readonly count: number;
  // The address-ordered arrays (see order()): built on the first byAddress/symbols() of a kernel
  // table, at once for a relocatable one. A kernel table answers byName from the parsed columns.
  private hi!: Uint32Array;
  private lo!: Uint32Array;
  private sizes!: Float64Array;
  private group!: Int32Array;
  private weak!: Uint8Array;
  /**
   * Names are text[nameStart[k], nameEnd[k]): a string (System.map, kallsyms) or the bytes of an ELF
   * string table, decoded only when a symbol is handed out. nameEnd is NO_END until an ELF name's NUL
   * has been looked for (most never are).
   */
  private readonly text: string | Buffer;
  private nameStart!: Uint32Array;
  private nameEnd!: Uint32Array;
  /**
   * Name index, built on the first byName: an open hash of the names (a Map of 50k strings costs
   * ~40 ms to build, this a few). buckets[hash & mask] is the highest-addressed symbol of that hash,
   * chainNext the next lower one. For a kernel table the index is over the columns (column order).
   */
  private buckets: Int32Array | null = null;
  private chainNext: Int32Array | null = null;
  /** Index ranges [start, end) of each group in relocatable tables; the whole table otherwise. */
  private readonly ranges = new Map<number, [number, number]>();
  private readonly groupModule: (string | null)[];
  private readonly groupSection: (number | null)[];
  private readonly groupSectionName: (string | null)[];
  /** The parsed columns while the address order has not been built (kernel tables). */
  private columns: Columns | null;
  /** Column-indexed kallsyms sizes found so far by byName of a kernel table (NaN: not yet). */
  private columnSizes: Float64Array | null = null;
  /** See groupKeys(); undefined until first needed. */
  private keys: Float64Array | null | undefined = undefined;
  private ordered = false;

  private constructor(
    c: Columns,
    /** What the table was read from, for status messages. */
    readonly source: string,
    /** The kernel release when the source names it (System.map-<release>, a module's vermagic). */
    readonly release: string | null,
    readonly relocatable: boolean,
  ) {
    this.groupModule = c.groupModule;
    this.groupSection = c.groupSection;
    this.groupSectionName = c.groupSectionName;
    this.text = c.text;
    this.count = c.textCount;
    this.columns = c;
    // Sorting 50k symbols and sizing them is most of a load: a decode needs neither (byName works on
    // the columns), so only relocatable tables (per-section ranges) are ordered now.
    if (relocatable) this.order();
  }

  /** The address-ordered arrays (and per-group ranges of a relocatable table). */
  private order(): void {
    if (this.ordered) return;
    this.ordered = true;
    const c = this.columns!;
    const relocatable = this.relocatable;
    let { text, sizes } = kallsymsSizes(c);
    const n = text.length;
    // A kernel and its modules share one address space: one order by address, regardless of module.
    if (!relocatable && c.groupModule.length > 1) text = sortedOrder(c, false, text);
    const hi = (this.hi = new Uint32Array(n));
    const lo = (this.lo = new Uint32Array(n));
    const size = (this.sizes = new Float64Array(n));
    const group = (this.group = new Int32Array(n));
    const weak = (this.weak = new Uint8Array(n));
    const nameStart = (this.nameStart = new Uint32Array(n));
    const nameEnd = (this.nameEnd = new Uint32Array(n));
    const { hi: chi, lo: clo, group: cgroup, flags: cflags, nameStart: cstart, nameEnd: cend } = c;
    for (let k = 0; k < n; k++) {
      const j = text[k];
      hi[k] = chi[j];
      lo[k] = clo[j];
      size[k] = sizes[j];
      group[k] = cgroup[j];
      weak[k] = cflags[j] & WEAK ? 1 : 0;
      nameStart[k] = cstart[j];
      nameEnd[k] = cend[j];
    }
    if (relocatable) {
      for (let k = 0; k < n; ) {
        let end = k + 1;
        while (end < n && this.group[end] === this.group[k]) end++;
        this.ranges.set(this.group[k], [k, end]);
        k = end;
      }
      // byName of a relocatable table works on these arrays.
      this.columns = null;
    }
  }

  /**
   * `func+off/size [module]` → the symbol. Among same-named symbols the one whose size equals `size`;
   * `sizeMatches` is false when none does, or no size was given (then the first one). `module`
   * undefined means any module, null the kernel itself. null when the name is unknown.
   */
  byName(name: string, size?: bigint, module?: string | null): { symbol: TextSymbol; sizeMatches: boolean; candidates: number } | null {
    if (this.columns && !this.relocatable) return this.byNameInColumns(this.columns, name, size, module);
    let first = -1;
    let match = -1;
    let candidates = 0;
    const { buckets, chainNext } = this.nameIndex();
    // The chain runs from the highest address down: the last hits are the first symbols.
    for (let k = buckets[hashRange(name, 0, name.length) & (buckets.length - 1)]; k >= 0; k = chainNext[k]) {
      if (!this.nameIs(k, name)) continue;
      if (module !== undefined && this.groupModule[this.group[k]] !== module) continue;
      candidates++;
      first = k;
      if (size !== undefined && BigInt(this.sizes[k]) === size) match = k;
    }
    if (first < 0) return null;
    return { symbol: this.symbolAt(match >= 0 ? match : first), sizeMatches: match >= 0, candidates };
  }

  /**
   * byName of a kernel table on the parsed columns: the same answer as on the ordered arrays (among
   * equals the lowest address, then the first parsed), each candidate sized by one scan of its group.
   */
  private byNameInColumns(
    c: Columns,
    name: string,
    size: bigint | undefined,
    module: string | null | undefined,
  ): { symbol: TextSymbol; sizeMatches: boolean; candidates: number } | null {
    const { buckets, chainNext } = this.columnIndex(c);
    let first = -1;
    let match = -1;
    let candidates = 0;
    const before = (a: number, b: number): boolean =>
      b < 0 || c.hi[a] < c.hi[b] || (c.hi[a] === c.hi[b] && (c.lo[a] < c.lo[b] || (c.lo[a] === c.lo[b] && a < b)));
    for (let j = buckets[hashRange(name, 0, name.length) & (buckets.length - 1)]; j >= 0; j = chainNext[j]) {
      if (!nameAt(c.text, c.nameStart, c.nameEnd, j, name)) continue;
      if (module !== undefined && this.groupModule[c.group[j]] !== module) continue;
      candidates++;
      if (before(j, first)) first = j;
      if (size !== undefined && BigInt(this.columnSize(c, j)) === size && before(j, match)) match = j;
    }
    if (first < 0) return null;
    const k = match >= 0 ? match : first;
    return { symbol: this.symbolOf(c, k, this.columnSize(c, k)), sizeMatches: match >= 0, candidates };
  }

  /** The kallsyms size of column j: the distance to the next higher address in its group, 0 when none. */
  private columnSize(c: Columns, j: number): number {
    const sizes = (this.columnSizes ??= new Float64Array(c.length).fill(NaN));
    if (!Number.isNaN(sizes[j])) return sizes[j];
    const { hi, lo, group } = c;
    const g = group[j];
    const h = hi[j];
    const l = lo[j];
    const keys = this.groupKeys(c);
    if (keys) {
      // The first key above (g, l): the next address in the group when it is in the group.
      const key = g * TWO32 + l;
      const a = upperBound(keys, key);
      return (sizes[j] = a < keys.length && Math.floor(keys[a] / TWO32) === g ? keys[a] - key : 0);
    }
    let bh = -1;
    let bl = 0;
    for (let i = 0, n = c.length; i < n; i++) {
      if (group[i] !== g) continue;
      const ih = hi[i];
      const il = lo[i];
      if (ih < h || (ih === h && il <= l)) continue;
      if (bh < 0 || ih < bh || (ih === bh && il < bl)) {
        bh = ih;
        bl = il;
      }
    }
    return (sizes[j] = bh < 0 ? 0 : (bh - h) * TWO32 + (bl - l));
  }

  /**
   * Every column's group * 2^32 + low address bits, sorted (a native sort of doubles: a few ms for a
   * vmlinux), when every address shares its high 32 bits (a kernel's do); null otherwise.
   */
  private groupKeys(c: Columns): Float64Array | null {
    if (this.keys !== undefined) return this.keys;
    const { hi, lo, group } = c;
    const n = c.length;
    let keys: Float64Array | null = new Float64Array(n);
    const h0 = n ? hi[0] : 0;
    for (let i = 0; i < n; i++) {
      if (hi[i] !== h0 || group[i] >= 1 << 20) {
        keys = null;
        break;
      }
      keys[i] = group[i] * TWO32 + lo[i];
    }
    keys?.sort();
    return (this.keys = keys);
  }

  /** The name hash index over the columns' text symbols (column order; ELF name ends found on the way). */
  private columnIndex(c: Columns): { buckets: Int32Array; chainNext: Int32Array } {
    if (this.buckets && this.chainNext) return { buckets: this.buckets, chainNext: this.chainNext };
    const { buckets, chainNext } = hashNames(c.text, c.nameStart, c.nameEnd, c.length, c.flags);
    this.buckets = buckets;
    this.chainNext = chainNext;
    return { buckets, chainNext };
  }

  private symbolOf(c: Columns, j: number, size: number): TextSymbol {
    const g = c.group[j];
    const { text } = c;
    let end = c.nameEnd[j];
    if (end === NO_END) {
      end = (text as Buffer).indexOf(0, c.nameStart[j]);
      if (end < 0) end = text.length;
      c.nameEnd[j] = end;
    }
    return {
      name: typeof text === 'string' ? text.slice(c.nameStart[j], end) : text.toString('latin1', c.nameStart[j], end),
      address: (BigInt(c.hi[j]) << 32n) | BigInt(c.lo[j]),
      size: BigInt(size),
      module: this.groupModule[g],
      section: this.groupSection[g],
      sectionName: this.groupSectionName[g],
    };
  }

  /**
   * The symbol holding an address (the last one at or below it, within its size), with the offset.
   * A symbol whose extent is unknown (size 0: nothing follows it) holds only its own address. In a
   * relocatable object (a module) addresses are section-relative: `section` (name or index) picks the
   * section, `.text` when omitted.
   */
  byAddress(address: bigint, module?: string | null, section?: string | number): { symbol: TextSymbol; offset: bigint } | null {
    if (address < 0n || address > 0xffffffffffffffffn) return null;
    const qhi = Number(address >> 32n);
    const qlo = Number(address & 0xffffffffn);
    this.order();
    if (!this.relocatable) return this.hitIn(0, this.count, qhi, qlo, address, module);
    for (const [g, [start, end]] of this.ranges) {
      if (module !== undefined && this.groupModule[g] !== module) continue;
      if (typeof section === 'number' ? this.groupSection[g] !== section : this.groupSectionName[g] !== (section ?? '.text')) continue;
      const found = this.hitIn(start, end, qhi, qlo, address, module);
      if (found) return found;
    }
    return null;
  }

  /** Every symbol in address order (per section in a relocatable object), for tests and listings. */
  symbols(): TextSymbol[] {
    this.order();
    const out: TextSymbol[] = [];
    for (let k = 0; k < this.count; k++) out.push(this.symbolAt(k));
    return out;
  }

  private hitIn(
    start: number,
    end: number,
    qhi: number,
    qlo: number,
    address: bigint,
    module: string | null | undefined,
  ): { symbol: TextSymbol; offset: bigint } | null {
    const { hi, lo } = this;
    let k = upperBoundPair(hi, lo, qhi, qlo, start, end) - 1;
    if (k < start) return null;
    // Among aliases (same address) the one kallsyms prints: strong before weak, fewer leading underscores.
    let best = k;
    while (k > start && hi[k - 1] === hi[best] && lo[k - 1] === lo[best]) {
      k--;
      if (this.rank(k) <= this.rank(best)) best = k;
    }
    if (module !== undefined && this.groupModule[this.group[best]] !== module) return null;
    const symbol = this.symbolAt(best);
    const offset = address - symbol.address;
    if (offset !== 0n && offset >= symbol.size) return null;
    return { symbol, offset };
  }

  private rank(k: number): number {
    const { text } = this;
    const end = this.nameEndOf(k);
    let at = this.nameStart[k];
    if (typeof text === 'string') while (at < end && text.charCodeAt(at) === 95) at++;
    else while (at < end && text[at] === 95) at++;
    return this.weak[k] * 100 + at - this.nameStart[k];
  }

  /** The end of symbol k's name (found on first use in an ELF string table). */
  private nameEndOf(k: number): number {
    let end = this.nameEnd[k];
    if (end !== NO_END) return end;
    const text = this.text as Buffer;
    end = text.indexOf(0, this.nameStart[k]);
    if (end < 0) end = text.length;
    return (this.nameEnd[k] = end);
  }

  private nameIs(k: number, name: string): boolean {
    const start = this.nameStart[k];
    const { text } = this;
    if (typeof text === 'string') return this.nameEnd[k] - start === name.length && text.startsWith(name, start);
    const n = name.length;
    if (start + n > text.length) return false;
    for (let i = 0; i < n; i++) if (text[start + i] !== name.charCodeAt(i)) return false;
    if (start + n < text.length && text[start + n] !== 0) return false;
    this.nameEnd[k] = start + n;
    return true;
  }

  /** The name hash index (built on first use; ELF name ends are found on the way). */
  private nameIndex(): { buckets: Int32Array; chainNext: Int32Array } {
    if (this.buckets && this.chainNext) return { buckets: this.buckets, chainNext: this.chainNext };
    const { buckets, chainNext } = hashNames(this.text, this.nameStart, this.nameEnd, this.count, null);
    this.buckets = buckets;
    this.chainNext = chainNext;
    return { buckets, chainNext };
  }

  private symbolAt(k: number): TextSymbol {
    const g = this.group[k];
    const { text } = this;
    return {
      name: typeof text === 'string' ? text.slice(this.nameStart[k], this.nameEnd[k]) : text.toString('latin1', this.nameStart[k], this.nameEndOf(k)),
      address: (BigInt(this.hi[k]) << 32n) | BigInt(this.lo[k]),
      size: BigInt(this.sizes[k]),
      module: this.groupModule[g],
      section: this.groupSection[g],
      sectionName: this.groupSectionName[g],
    };
  }

  /** System.map (`nm -n` format: `ffffffff81000000 T _stext`). Throws SystemMapStubError for Debian's placeholder. */
  static parseSystemMap(text: string, path: string): SymbolTable {
    const release = /System\.map-(.+)$/.exec(basename(path))?.[1] ?? null;
    const stub = text.length < 512 ? /^\s*[0-9a-f]+\s+\S\s+The real System\.map is in the (\S+) package/i.exec(text) : null;
    if (stub) {
      const rel = release ?? '<release>';
      const pkg = stub[1].replace('<version>', rel);
      throw new SystemMapStubError(path, release, pkg, `/usr/lib/debug/boot/System.map-${rel}`);
    }
    const c = parseNmLines(text, path, false);
    if (c.textCount === 0) throw new ObjectFileError(`${path}: no text symbols (not a System.map?)`);
    return new SymbolTable(c, path, release, false);
  }

  /** A /proc/kallsyms dump, module symbols carrying their `[module]`. */
  static parseKallsyms(text: string, source = '/proc/kallsyms'): SymbolTable {
    const c = parseNmLines(text, source, true);
    if (c.textCount === 0) throw new ObjectFileError(`${source}: no text symbols (not a kallsyms dump?)`);
    if (c.hi.every((h, i) => i >= c.length || (h === 0 && c.lo[i] === 0))) {
      throw new ObjectFileError(
        `${source}: every address is 0: kernel.kptr_restrict hid them from an unprivileged reader; read /proc/kallsyms as root (or with sysctl kernel.kptr_restrict=0)`,
      );
    }
    return new SymbolTable(c, source, null, false);
  }

  /**
   * FUNC and text NOTYPE symbols of an ELF .symtab. In a relocatable object (a module) the address is
   * the section-relative value, with the section index and name kept; sizes stop at the section end.
   */
  static fromElf(elf: ElfFile, module?: string | null): SymbolTable {
    const relocatable = elf.type === ET_REL;
    const mod = module !== undefined ? module : relocatable ? moduleName(elf) : null;
    const sections = elf.sections;
    // The .symtab is read here rather than through elf.symbols(): a vmlinux has 130k symbols of which
    // 50k are text, and one object and bigint per symbol would cost more than the table (~300 ms).
    const symtab = sections.find((s) => s.type === SHT_SYMTAB);
    const strtab = symtab ? sections[symtab.link] : undefined;
    if (symtab && !strtab) throw new ObjectFileError(`${elf.path}: .symtab links to missing string table ${symtab.link}`);
    const view = symtab ? elf.view(symtab) : null;
    const symtabSize = view ? view.size : 0;
    // Names stay bytes: decoding the 2.7 MB string table of a vmlinux would cost more than the rest.
    const strings = strtab ? elf.data(strtab) : Buffer.alloc(0);
    const entry = elf.is64 ? 24 : 16;
    const c = new Columns(strings, Math.floor(symtabSize / entry) + sections.length);
    // Group 0 is unused; group i + 1 is section i.
    for (const s of sections) {
      c.groupModule.push(mod);
      c.groupSection.push(relocatable ? s.index : null);
      c.groupSectionName.push(relocatable ? s.name : null);
    }
    const le = elf.littleEndian;
    const shnum = sections.length;
    const exec = new Uint8Array(shnum);
    for (let i = 0; i < shnum; i++) exec[i] = sections[i].flags & SHF_EXECINSTR ? 1 : 0;
    const used = new Uint8Array(shnum);
    // The .symtab goes through one small buffer: fresh memory is what a 3 MB read costs most.
    const chunkSize = entry * 4096;
    const chunk = view?.readInto ? Buffer.allocUnsafeSlow(Math.min(chunkSize, symtabSize)) : null;
    // A 64-bit little-endian .symtab on a little-endian host is read as 32-bit words (the chunk is
    // its own, aligned ArrayBuffer): the hot loop of a vmlinux load (130k symbols).
    const words = chunk && elf.is64 && le && HOST_LE ? new Uint32Array(chunk.buffer, chunk.byteOffset, chunk.length >> 2) : null;
    const whole = Math.floor(symtabSize / entry) * entry;
    for (let from = 0; from < whole; from += chunkSize) {
      const length = Math.min(chunkSize, whole - from);
      let data: Buffer;
      if (chunk) {
        view!.readInto!(from, length, chunk);
        data = chunk;
      } else data = view!.read(from, length);
      if (words) {
        scanSymtab64(c, data, words, length, exec, used, strings);
        continue;
      }
      const r = elf.reader(data);
      for (let b = 0; b + entry <= length; b += entry) {
        const info = data[elf.is64 ? b + 4 : b + 12];
        const type = info & 0xf;
        if (type !== STT_FUNC && type !== STT_NOTYPE) continue;
        const shndx = r.u16(elf.is64 ? b + 6 : b + 14);
        if (shndx === 0 || shndx >= 0xff00 || shndx >= shnum) continue;
        if (!exec[shndx]) continue;
        const at = r.u32(b);
        if (at >= strings.length) continue;
        if (skipName(strings, at)) continue;
        const hi = elf.is64 ? r.u32(le ? b + 12 : b + 8) : 0;
        const lo = elf.is64 ? r.u32(le ? b + 8 : b + 12) : r.u32(b + 4);
        used[shndx] = 1;
        c.add(hi, lo, shndx + 1, TEXT | (info >> 4 === 2 ? WEAK : 0), at, NO_END);
      }
    }
    // The end of each section bounds its last symbol.
    for (let i = 0; i < shnum; i++) {
      if (!used[i]) continue;
      const end = ((relocatable ? 0n : sections[i].addr) + BigInt(sections[i].size)) & 0xffffffffffffffffn;
      c.add(Number(end >> 32n), Number(end & 0xffffffffn), i + 1, 0, 0, 0);
    }
    const release = relocatable ? (moduleVermagic(elf)?.split(' ')[0] ?? null) : null;
    return new SymbolTable(c, elf.path, release, relocatable);
  }
}

/**
 * An open hash of names [nameStart, nameEnd) of `text` (FNV-1a, see hashRange; an ELF name runs to its
 * NUL, and nameEnd is set on the way); only entries with the TEXT flag when `flags` is given. Each
 * bucket holds the last entry hashed into it, chainNext the one before.
 */
function hashNames(
  text: string | Buffer,
  nameStart: Uint32Array,
  nameEnd: Uint32Array,
  n: number,
  flags: Uint8Array | null,
): { buckets: Int32Array; chainNext: Int32Array } {
  const chainNext = new Int32Array(n);
  const buckets = new Int32Array(bucketCount(flags ? n / 2 : n)).fill(-1);
  const mask = buckets.length - 1;
  if (typeof text === 'string') {
    for (let k = 0; k < n; k++) {
      if (flags && !(flags[k] & TEXT)) continue;
      const b = hashRange(text, nameStart[k], nameEnd[k]) & mask;
      chainNext[k] = buckets[b];
      buckets[b] = k;
    }
  } else {
    const len = text.length;
    for (let k = 0; k < n; k++) {
      if (flags && !(flags[k] & TEXT)) continue;
      // FNV-1a as hashRange, over the bytes up to the NUL (latin1: a byte is its code unit).
      let h = 0x811c9dc5;
      let i = nameStart[k];
      for (let ch = text[i]; i < len && ch !== 0; ch = text[++i]) h = Math.imul(h ^ ch, 0x01000193);
      nameEnd[k] = i;
      const b = (h >>> 0) & mask;
      chainNext[k] = buckets[b];
      buckets[b] = k;
    }
  }
  return { buckets, chainNext };
}

/** Whether entry k's name is `name` (an ELF name's end is set when it matches). */
function nameAt(text: string | Buffer, nameStart: Uint32Array, nameEnd: Uint32Array, k: number, name: string): boolean {
  const start = nameStart[k];
  if (typeof text === 'string') return nameEnd[k] - start === name.length && text.startsWith(name, start);
  const n = name.length;
  if (start + n > text.length) return false;
  for (let i = 0; i < n; i++) if (text[start + i] !== name.charCodeAt(i)) return false;
  if (start + n < text.length && text[start + n] !== 0) return false;
  nameEnd[k] = start + n;
  return true;
}

const HOST_LE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Empty names, .L locals, $x mapping symbols, __crc_ versions: not functions. */
function skipName(strings: Buffer, at: number): boolean {
  const c0 = strings[at];
  return c0 === 0 || c0 === 36 /* $ */ || (c0 === 46 /* . */ && strings[at + 1] === 76) /* L */ || (c0 === 95 && hasPrefix(strings, at, CRC));
}

/** fromElf's loop for Elf64 little-endian entries in `words` (data as 32-bit words). */
function scanSymtab64(c: Columns, data: Buffer, words: Uint32Array, length: number, exec: Uint8Array, used: Uint8Array, strings: Buffer): void {
  const shnum = exec.length;
  const nstr = strings.length;
  for (let b = 0; b + 24 <= length; b += 24) {
    const info = data[b + 4];
    const type = info & 0xf;
    if (type !== STT_FUNC && type !== STT_NOTYPE) continue;
    const shndx = data[b + 6] | (data[b + 7] << 8);
    if (shndx === 0 || shndx >= 0xff00 || shndx >= shnum || !exec[shndx]) continue;
    const w = b >> 2;
    const at = words[w];
    if (at >= nstr || skipName(strings, at)) continue;
    used[shndx] = 1;
    c.add(words[w + 3], words[w + 2], shndx + 1, TEXT | (info >> 4 === 2 ? WEAK : 0), at, NO_END);
  }
}

function hasPrefix(buf: Buffer, at: number, prefix: Buffer): boolean {
  if (at + prefix.length > buf.length) return false;
  for (let i = 0; i < prefix.length; i++) if (buf[at + i] !== prefix[i]) return false;
  return true;
}

function bucketCount(n: number): number {
  let size = 16;
  while (size < n * 2) size *= 2;
  return size;
}

/** FNV-1a over the UTF-16 code units of s[from, to). */
function hashRange(s: string, from: number, to: number): number {
  let h = 0x811c9dc5;
  for (let i = from; i < to; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/**
 * The text symbols' indices in (group, address) order, and every symbol's size: the distance to the
 * next higher address in its group, 0 when none follows.
 */
function kallsymsSizes(c: Columns): { text: Uint32Array; sizes: Float64Array } {
  const all = sortedOrder(c, true);
  const { hi, lo, group, flags } = c;
  const text = new Uint32Array(c.textCount);
  const sizes = new Float64Array(c.length);
  const count = all.length;
  let t = 0;
  for (let k = 0; k < count; ) {
    const i = all[k];
    const g = group[i];
    const h = hi[i];
    const l = lo[i];
    let run = k + 1;
    while (run < count && group[all[run]] === g && hi[all[run]] === h && lo[all[run]] === l) run++;
    let size = 0;
    if (run < count && group[all[run]] === g) size = (hi[all[run]] - h) * TWO32 + (lo[all[run]] - l);
    for (let m = k; m < run; m++) {
      const j = all[m];
      if (flags[j] & TEXT) {
        sizes[j] = size;
        text[t++] = j;
      }
    }
    k = run;
  }
  return { text, sizes };
}

/**
 * Indices sorted by (group, address) or by address alone, ties by index; `subset` (or the identity)
 * itself when already in order. When every address shares its high 32 bits (a kernel's do) and the
 * group rank, low 32 bits and index fit 53 bits, it is a native sort of Float64 keys: a comparator
 * sort of 50k symbols costs tens of milliseconds before the JIT has warmed up.
 */
function sortedOrder(c: Columns, byGroup: boolean, subset?: Uint32Array): Uint32Array {
  const { hi, lo, group } = c;
  const n = subset ? subset.length : c.length;
  const present = new Uint8Array(c.groupModule.length);
  let sorted = true;
  let sameHi = true;
  let x = -1;
  for (let k = 0; k < n; k++) {
    const y = subset ? subset[k] : k;
    present[group[y]] = 1;
    if (x >= 0) {
      if (hi[x] !== hi[y]) sameHi = false;
      if (sorted && ((byGroup ? group[x] - group[y] : 0) || hi[x] - hi[y] || lo[x] - lo[y] || x - y) > 0) sorted = false;
    }
    x = y;
  }
  let order = subset;
  if (!order) {
    order = new Uint32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
  }
  if (sorted) return order;
  const rank = new Float64Array(present.length);
  let groups = 0;
  for (let g = 0; g < present.length; g++) if (present[g]) rank[g] = groups++;
  const mult = 2 ** Math.ceil(Math.log2(c.length + 1));
  const rankMult = TWO32 * mult;
  if (!sameHi || (byGroup ? groups : 1) * rankMult > 2 ** 53) {
    return Uint32Array.from(order).sort((x, y) => (byGroup ? group[x] - group[y] : 0) || hi[x] - hi[y] || lo[x] - lo[y] || x - y);
  }
  const keys = new Float64Array(n);
  if (byGroup) for (let k = 0; k < n; k++) keys[k] = rank[group[order[k]]] * rankMult + lo[order[k]] * mult + order[k];
  else for (let k = 0; k < n; k++) keys[k] = lo[order[k]] * mult + order[k];
  keys.sort();
  const out = new Uint32Array(n);
  for (let k = 0; k < n; k++) out[k] = keys[k] % mult;
  return out;
}

/** nm/kallsyms lines into columns; text symbols are types T t W w. */
function parseNmLines(text: string, source: string, kallsyms: boolean): Columns {
  let lines = 1;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lines++;
  const c = new Columns(text, lines);
  let bad = 0;
  let at = 0;
  const n = text.length;
  while (at < n) {
    let end = text.indexOf('\n', at);
    if (end < 0) end = n;
    const line = at;
    at = end + 1;
    if (end > line && text.charCodeAt(end - 1) === 13) end--;
    const sp = text.indexOf(' ', line);
    const len = sp - line;
    if (sp < 0 || len < 1 || len > 16 || sp + 3 > end || text.charCodeAt(sp + 2) !== 32) {
      if (text.slice(line, end).trim()) bad++;
      continue;
    }
    const hi = len > 8 ? parseHex(text, line, sp - 8) : 0;
    const lo = parseHex(text, Math.max(line, sp - 8), sp);
    if (hi < 0 || lo < 0) {
      bad++;
      continue;
    }
    const lower = text.charCodeAt(sp + 1) | 32;
    if (lower === 117 /* U */ || lower === 118 /* v */) continue;
    const isText = lower === 116 /* t */ || lower === 119 /* w */;
    let nameEnd = end;
    let group = 0;
    // A bounded search: indexOf would run to the end of a file without tabs on every line.
    let tab = sp + 3;
    while (tab < end && text.charCodeAt(tab) !== 9) tab++;
    if (tab < end) {
      nameEnd = tab;
      if (kallsyms) {
        const m = /^\s*\[([^\]\s]+)\]/.exec(text.slice(tab, end));
        if (m) group = c.moduleGroup(m[1]);
      }
    }
    while (nameEnd > sp + 3 && text.charCodeAt(nameEnd - 1) === 32) nameEnd--;
    if (nameEnd === sp + 3) continue;
    c.add(hi, lo, group, (isText ? TEXT : 0) | (lower === 119 ? WEAK : 0), sp + 3, nameEnd);
  }
  if (c.textCount === 0 && bad > 0) throw new ObjectFileError(`${source}: ${bad} lines are not in nm format (address type name)`);
  return c;
}

/** Hex digits [from, to) (at most 8) as a number; -1 when one is not a hex digit. */
function parseHex(s: string, from: number, to: number): number {
  let v = 0;
  for (let i = from; i < to; i++) {
    const ch = s.charCodeAt(i);
    const d = ch >= 48 && ch <= 57 ? ch - 48 : (ch | 32) >= 97 && (ch | 32) <= 102 ? (ch | 32) - 87 : -1;
    if (d < 0) return -1;
    v = v * 16 + d;
  }
  return v;
}

/** The `.modinfo` strings of a module (`name=ext4`, `vermagic=…`), empty for other objects. */
export function modinfo(elf: ElfFile): Map<string, string> {
  const out = new Map<string, string>();
  const s = elf.section('.modinfo');
  if (!s || s.size > 1 << 20) return out;
  for (const field of elf.data(s).toString('latin1').split('\0')) {
    const eq = field.indexOf('=');
    if (eq > 0 && !out.has(field.slice(0, eq))) out.set(field.slice(0, eq), field.slice(eq + 1));
  }
  return out;
}

/** A module's vermagic, e.g. `6.1.0-56-amd64 SMP preempt mod_unload modversions` (release first); null if none. */
export function moduleVermagic(elf: ElfFile): string | null {
  return modinfo(elf).get('vermagic')?.trim() || null;
}

/** A module's name as the kernel prints it in `[name]`: .modinfo `name=`, else the file name with `-` as `_`. */
export function moduleName(elf: ElfFile): string {
  const named = modinfo(elf).get('name');
  if (named) return named;
  return basename(elf.path)
    .replace(/\.ko(\.(xz|zst|gz))?$/, '')
    .replace(/\.(o|elf)$/, '')
    .replace(/-/g, '_');
}

const BANNER = Buffer.from('Linux version ', 'latin1');
const CHUNK = 1 << 20;

/**
 * The `Linux version <release> (…) #1 SMP … Debian …` banner of a vmlinux, from .rodata read in 1 MB
 * pieces (it is ~20 MB in a distro kernel); null when there is none.
 */
export function linuxBanner(elf: ElfFile): { banner: string; release: string } | null {
  const s = elf.section('.rodata');
  if (!s) return null;
  const view = elf.view(s);
  const overlap = BANNER.length - 1;
  for (let at = 0; at < view.size; at += CHUNK) {
    const chunk = view.read(at, Math.min(CHUNK + overlap, view.size - at));
    let i = chunk.indexOf(BANNER);
    while (i >= 0) {
      const start = at + i;
      const tail = view.read(start, Math.min(512, view.size - start));
      let end = tail.indexOf(0);
      if (end < 0) end = tail.length;
      const banner = tail.toString('latin1', 0, end).replace(/\n$/, '');
      const release = /^Linux version (\S+)/.exec(banner)?.[1];
      // `Linux version %s` format strings are skipped: the banner has the release itself.
      if (release && !release.includes('%')) return { banner, release };
      i = chunk.indexOf(BANNER, i + 1);
    }
  }
  return null;
}
