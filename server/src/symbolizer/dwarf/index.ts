// Address → source file:line and inlined frames from DWARF 2-5, read lazily: at open only
// .debug_aranges; per lookup the one unit holding the address (positional reads) and its line
// program, kept in a bounded LRU. Relocatable objects (kernel modules) have their debug sections
// relocated and are looked up by (section, offset) like `addr2line --section`.
import { ObjectFileError } from '../byteSource.ts';
import { ET_REL, type ElfFile, type SectionView } from '../elf.ts';
import {
  DW_TAG_compile_unit,
  DW_TAG_partial_unit,
  DW_TAG_skeleton_unit,
  DW_TAG_subprogram,
  type DebugSections,
  type Die,
  Unit,
  readUnitHeader,
} from './info.ts';
import { LineTable } from './lineProgram.ts';
import { Cursor, DwarfError, unitLength } from './reader.ts';
import { relocateDebugSections } from './relocations.ts';
import { DebugSection } from './sections.ts';
import { upperBound, upperBoundPair } from '../../search.ts';

export interface SourceLocation {
  function: string | null;
  file: string | null;
  line: number | null;
  column: number | null;
}

const SECTION_NAMES = [
  '.debug_info',
  '.debug_abbrev',
  '.debug_line',
  '.debug_str',
  '.debug_line_str',
  '.debug_str_offsets',
  '.debug_addr',
  '.debug_rnglists',
  '.debug_ranges',
  '.debug_aranges',
];

/**
 * Sorted ranges of one section (ET_REL) or of the whole address space (-1): lo, hi (exclusive; up to
 * 2^64) and unit offset. Addresses are kept as 32-bit halves (high, low) in numbers: an index of
 * thousands of ranges is built at open, and bigints would cost an allocation per value.
 */
interface RangeIndex {
  loH: Float64Array;
  loL: Float64Array;
  hiH: Float64Array;
  hiL: Float64Array;
  unit: Float64Array;
}

/** Ranges before sorting, as halves, in typed arrays grown by doubling; n used. */
interface RangeList extends RangeIndex {
  n: number;
}

const hostLittleEndian = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

function newRangeList(capacity = 64): RangeList {
  const a = (): Float64Array => new Float64Array(capacity);
  return { loH: a(), loL: a(), hiH: a(), hiL: a(), unit: a(), n: 0 };
}

function addRange(l: RangeList, loH: number, loL: number, hiH: number, hiL: number, unit: number): void {
  if (l.n === l.loH.length) {
    const grow = (x: Float64Array): Float64Array => {
      const y = new Float64Array(x.length * 2);
      y.set(x);
      return y;
    };
    l.loH = grow(l.loH);
    l.loL = grow(l.loL);
    l.hiH = grow(l.hiH);
    l.hiL = grow(l.hiL);
    l.unit = grow(l.unit);
  }
  const i = l.n++;
  l.loH[i] = loH;
  l.loL[i] = loL;
  l.hiH[i] = hiH;
  l.hiL[i] = hiL;
  l.unit[i] = unit;
}

function pushBig(list: RangeList, lo: bigint, hi: bigint, unit: number): void {
  addRange(list, Number(lo >> 32n), Number(lo & 0xffffffffn), Number(hi >> 32n), Number(hi & 0xffffffffn), unit);
}

const MAX_NAME_HOPS = 16;

export class DwarfReader {
  private readonly s: DebugSections;
  private readonly line: DebugSection;
  private readonly isRel: boolean;
  private readonly defaultSection: number;
  private readonly aranges = new Map<number, RangeIndex>();
  private readonly arangesUnits = new Set<number>();
  private fallback: Map<number, RangeIndex> | null = null;
  private unitOffsets: number[] | null = null;
  private readonly cache = new Map<string, { value: Unit | LineTable | null; bytes: number }>();
  private readonly cacheLimit: number;
  private held = 0;

  private constructor(elf: ElfFile, options: { cacheBytes?: number }) {
    this.cacheLimit = options.cacheBytes ?? 64 << 20;
    this.isRel = elf.type === ET_REL;
    this.defaultSection = elf.section('.text')?.index ?? -1;
    const le = elf.littleEndian;
    const sections = new Map<string, DebugSection>();
    if (this.isRel) {
      for (const [name, r] of relocateDebugSections(elf, SECTION_NAMES)) sections.set(name, new DebugSection(name, bufferView(r.data), le, r.targets));
    } else {
      for (const name of SECTION_NAMES) {
        const sec = elf.section(name);
        if (sec) sections.set(name, new DebugSection(name, elf.view(sec), le, null, name !== '.debug_info' && name !== '.debug_line'));
      }
    }
    const need = (name: string): DebugSection => {
      const s = sections.get(name);
      if (!s) throw new ObjectFileError(`${elf.path}: has ${'.debug_info'} but no ${name}`);
      return s;
    };
    this.s = {
      info: need('.debug_info'),
      abbrev: need('.debug_abbrev'),
      str: sections.get('.debug_str') ?? null,
      lineStr: sections.get('.debug_line_str') ?? null,
      strOffsets: sections.get('.debug_str_offsets') ?? null,
      addr: sections.get('.debug_addr') ?? null,
      rnglists: sections.get('.debug_rnglists') ?? null,
      ranges: sections.get('.debug_ranges') ?? null,
    };
    this.line = need('.debug_line');
    if (this.s.info.size > 0) readUnitHeader(this.s.info, 0); // a broken first header: the object as a whole is unusable
    const ar = sections.get('.debug_aranges');
    if (ar) {
      try {
        this.readAranges(ar);
      } catch (e) {
        if (!(e instanceof ObjectFileError)) throw e;
        // Broken aranges: what was read stays; units not covered are found by their own ranges.
      }
    }
  }

  /** null when the object has no .debug_info/.debug_line. Throws ObjectFileError for malformed headers. */
  static open(elf: ElfFile, options: { cacheBytes?: number } = {}): DwarfReader | null {
    if (!elf.section('.debug_info') || !elf.section('.debug_line')) return null;
    try {
      return new DwarfReader(elf, options);
    } catch (e) {
      if (e instanceof ObjectFileError) throw e;
      throw new ObjectFileError(`${elf.path}: unreadable DWARF (${(e as Error).message})`);
    }
  }

  /** Heap-ish bytes held by caches (for benchmarks/tests). */
  get cachedBytes(): number {
    return this.held;
  }

  /**
   * Innermost first: the inlined frames, then the function holding the address (the last one).
   * `section` is the ELF section index for relocatable objects (the address is an offset in it;
   * default .text); ignored for executables. Never throws: returns [] for an unknown address.
   */
  lookup(address: bigint, section?: number): SourceLocation[] {
    try {
      const sec = this.isRel ? (section ?? this.defaultSection) : -1;
      address = BigInt.asUintN(64, address);
      const tried = new Set<number>();
      for (const round of [0, 1]) {
        const units = round === 0 ? this.find(this.aranges, address, sec) : this.find(this.fallbackIndex(), address, sec);
        for (const offset of units) {
          if (tried.has(offset)) continue;
          tried.add(offset);
          const frames = this.lookupInUnit(offset, address, sec);
          if (frames.length) return frames;
        }
      }
      return [];
    } catch {
      return [];
    }
  }

  private lookupInUnit(offset: number, address: bigint, sec: number): SourceLocation[] {
    const unit = this.unit(offset);
    if (!unit) return [];
    let chain = unit.chainFor(address, sec);
    // Cut at the innermost subprogram (a nested function is a frame of its own, not an inline).
    for (let i = chain.length - 1; i >= 0; i--) {
      if (chain[i].tag === DW_TAG_subprogram) {
        chain = chain.slice(i);
        break;
      }
    }
    const table = this.lineTable(unit);
    const row = table ? table.lookup(address, sec) : null;
    if (!chain.length) {
      if (!row) return [];
      return [{ function: null, file: row.file, line: row.line || null, column: row.column || null }];
    }
    const frames: SourceLocation[] = [];
    const n = chain.length;
    frames.push({ function: this.nameOf(unit, chain[n - 1]), file: row?.file ?? null, line: row?.line || null, column: row?.column || null });
    for (let i = n - 2; i >= 0; i--) {
      const callee = chain[i + 1];
      frames.push({
        function: this.nameOf(unit, chain[i]),
        file: table ? table.fileName(callee.callFile) : null,
        line: callee.callLine || null,
        column: callee.callColumn || null,
      });
    }
    return frames;
  }

  /** DW_AT_name of the DIE or, failing that, of its abstract origin / specification (transitively). */
  private nameOf(unit: Unit, die: Die): string | null {
    const seen = new Set<number>();
    const work: { unit: Unit; die: Die }[] = [{ unit, die }];
    for (let hops = 0; work.length && hops < MAX_NAME_HOPS; hops++) {
      const { unit: u, die: d } = work.shift()!;
      if (d.nameForm >= 0) return u.string(d.nameForm, d.nameValue);
      for (const ref of [d.origin, d.spec]) {
        if (ref < 0 || seen.has(ref)) continue;
        seen.add(ref);
        const owner = u.contains(ref) ? u : this.unitContaining(ref);
        const target = owner?.readDie(ref);
        if (owner && target) work.push({ unit: owner, die: target });
      }
    }
    return null;
  }

  private lineTable(unit: Unit): LineTable | null {
    if (unit.stmtList < 0) return null;
    const key = `l${unit.stmtList}:${unit.compDir ?? ''}`;
    const hit = this.cached(key);
    if (hit !== undefined) return hit as LineTable | null;
    let table: LineTable | null = null;
    try {
      table = new LineTable(unit.stmtList, {
        line: this.line,
        lineStr: this.s.lineStr,
        str: this.s.str,
        compDir: unit.compDir,
        addressSize: unit.h.addressSize,
      });
    } catch (e) {
      if (!(e instanceof ObjectFileError)) throw e;
    }
    this.remember(key, table, table ? table.bytes : 64);
    return table;
  }

  private unit(offset: number): Unit | null {
    const key = `u${offset}`;
    const hit = this.cached(key);
    if (hit !== undefined) return hit as Unit | null;
    let unit: Unit | null = null;
    try {
      const h = readUnitHeader(this.s.info, offset);
      unit = new Unit(h, this.s);
      const tag = unit.root.tag;
      if (tag !== DW_TAG_compile_unit && tag !== DW_TAG_partial_unit && tag !== DW_TAG_skeleton_unit) unit = null;
    } catch (e) {
      if (!(e instanceof ObjectFileError)) throw e;
    }
    this.remember(key, unit, unit ? unit.byteSize : 64);
    return unit;
  }

  private cached(key: string): Unit | LineTable | null | undefined {
    const e = this.cache.get(key);
    if (!e) return undefined;
    this.cache.delete(key);
    this.cache.set(key, e);
    return e.value;
  }

  private remember(key: string, value: Unit | LineTable | null, bytes: number): void {
    this.cache.set(key, { value, bytes });
    this.held += bytes;
    for (const [k, e] of this.cache) {
      if (this.held <= this.cacheLimit || this.cache.size <= 2) break;
      this.cache.delete(k);
      this.held -= e.bytes;
    }
  }

  /**
   * Offsets of every unit (headers only; built when aranges do not cover an address, or for
   * ref_addr): one 12-byte positional read per unit into a reused buffer.
   */
  private units(): number[] {
    if (this.unitOffsets) return this.unitOffsets;
    const out: number[] = [];
    const info = this.s.info;
    const le = info.littleEndian;
    const head = Buffer.alloc(12);
    for (let at = 0; at + 11 <= info.size; ) {
      const n = Math.min(12, info.size - at);
      info.readInto(at, n, head);
      const l = le ? head.readUInt32LE(0) : head.readUInt32BE(0);
      let end: number;
      if (l === 0xffffffff) {
        const l64 = le ? head.readBigUInt64LE(4) : head.readBigUInt64BE(4);
        if (l64 > BigInt(info.size)) break;
        end = at + 12 + Number(l64);
      } else if (l >= 0xfffffff0) break;
      else end = at + 4 + l;
      if (end > info.size || end <= at) break;
      out.push(at);
      at = end;
    }
    return (this.unitOffsets = out);
  }

  private unitContaining(offset: number): Unit | null {
    const all = this.units();
    const lo = upperBound(all, offset);
    if (lo === 0) return null;
    const u = this.unit(all[lo - 1]);
    return u?.contains(offset) ? u : null;
  }

  /** .debug_aranges in one read (a kernel's is ~180 KB), decoded in place; ranges read before a broken set are kept. */
  private readAranges(sec: DebugSection): void {
    const lists = new Map<number, RangeList>();
    try {
      const buf = sec.read(0, sec.size);
      const le = sec.littleEndian;
      const c = new Cursor(buf, 0, buf.length, le);
      // Little-endian words read straight from a 4-byte aligned view when the host is little-endian too.
      const words = le && hostLittleEndian && buf.byteOffset % 4 === 0 ? new Uint32Array(buf.buffer, buf.byteOffset, buf.length >>> 2) : null;
      for (let at = 0; at < buf.length; ) {
        c.pos = at;
        c.end = buf.length;
        const { length, offsetSize } = unitLength(c);
        const end = c.pos + length;
        if (end > buf.length || length === 0) throw new DwarfError('.debug_aranges set runs past its section');
        c.end = end;
        const version = c.u16();
        const unit = c.offset(offsetSize);
        const addressSize = c.u8();
        const segSize = c.u8();
        if (version !== 2 || (addressSize !== 4 && addressSize !== 8)) throw new DwarfError(`.debug_aranges version ${version}`);
        const tuple = 2 * addressSize + segSize;
        this.arangesUnits.add(unit);
        const first = at + Math.ceil((c.pos - at) / tuple) * tuple;
        readArangeTuples(buf, words, sec, this.isRel, lists, first, end, addressSize, segSize, unit);
        at = end;
      }
    } finally {
      for (const [s, list] of lists) this.aranges.set(s, sortedIndex(list));
    }
  }

  /** Ranges of the units that .debug_aranges does not list, from their root DIEs. */
  private fallbackIndex(): Map<number, RangeIndex> {
    if (this.fallback) return this.fallback;
    const lists = new Map<number, RangeList>();
    for (const offset of this.units()) {
      if (this.arangesUnits.has(offset)) continue;
      try {
        const u = this.unit(offset);
        const ranges = u?.rootRanges();
        if (!ranges) continue;
        for (const r of ranges) {
          if (r.hi <= r.lo) continue;
          const s = this.isRel ? r.sec : -1;
          let list = lists.get(s);
          if (!list) lists.set(s, (list = newRangeList()));
          pushBig(list, BigInt.asUintN(64, r.lo), r.hi, offset);
        }
      } catch (e) {
        if (!(e instanceof ObjectFileError)) throw e;
      }
    }
    const out = new Map<number, RangeIndex>();
    for (const [s, list] of lists) out.set(s, sortedIndex(list));
    return (this.fallback = out);
  }

  /** Units whose ranges contain the address (normally one). */
  private find(index: Map<number, RangeIndex>, address: bigint, sec: number): number[] {
    const out: number[] = [];
    const aH = Number(address >> 32n);
    const aL = Number(address & 0xffffffffn);
    const lists = sec === -1 ? [...index.values()] : [index.get(sec), index.get(-1)];
    for (const ix of lists) {
      if (!ix) continue;
      const lo = upperBoundPair(ix.loH, ix.loL, aH, aL);
      // Ranges are sorted by start; a few overlapping ones (discarded code at 0) are looked at too.
      for (let i = lo - 1, n = 0; i >= 0 && n < 64; i--, n++) {
        const below = aH < ix.hiH[i] || (aH === ix.hiH[i] && aL < ix.hiL[i]);
        if (below && !out.includes(ix.unit[i])) out.push(ix.unit[i]);
      }
    }
    return out;
  }
}

/**
 * The (address, length) tuples of one .debug_aranges set, [first, end), into `lists` by section.
 * Kept small: it runs thousands of times at open, and a large function costs more to optimize
 * than it saves.
 */
function readArangeTuples(
  buf: Buffer,
  words: Uint32Array | null,
  sec: DebugSection,
  isRel: boolean,
  lists: Map<number, RangeList>,
  first: number,
  end: number,
  addressSize: number,
  segSize: number,
  unit: number,
): void {
  const tuple = 2 * addressSize + segSize;
  const le = sec.littleEndian;
  for (let p = first + segSize; p - segSize + tuple <= end; p += tuple) {
    let loH = 0;
    let loL: number;
    let nH = 0;
    let nL: number;
    if (words && addressSize === 8 && p % 4 === 0) {
      const w = p >>> 2;
      loL = words[w];
      loH = words[w + 1];
      nL = words[w + 2];
      nH = words[w + 3];
    } else if (addressSize === 8) {
      loL = le ? buf.readUInt32LE(p) : buf.readUInt32BE(p + 4);
      loH = le ? buf.readUInt32LE(p + 4) : buf.readUInt32BE(p);
      nL = le ? buf.readUInt32LE(p + 8) : buf.readUInt32BE(p + 12);
      nH = le ? buf.readUInt32LE(p + 12) : buf.readUInt32BE(p + 8);
    } else {
      loL = le ? buf.readUInt32LE(p) : buf.readUInt32BE(p);
      nL = le ? buf.readUInt32LE(p + 4) : buf.readUInt32BE(p + 4);
    }
    if (loH === 0 && loL === 0 && nH === 0 && nL === 0 && sec.targetOf(p) === -1) break;
    if (nH === 0 && nL === 0) continue;
    const s = isRel ? sec.targetOf(p) : -1;
    let list = lists.get(s);
    if (!list) lists.set(s, (list = newRangeList(s === -1 ? buf.length >>> 4 : 64)));
    const sumL = loL + nL;
    const carry = sumL >= 2 ** 32 ? 1 : 0;
    addRange(list, loH, loL, loH + nH + carry, sumL - carry * 2 ** 32, unit);
  }
}

/** The list sorted by start, ties in list order (already sorted costs one pass). */
function sortedIndex(l: RangeList): RangeIndex {
  const n = l.n;
  const loH = l.loH.subarray(0, n);
  const loL = l.loL.subarray(0, n);
  let sorted = true;
  for (let i = 1; i < n && sorted; i++) if (loH[i - 1] > loH[i] || (loH[i - 1] === loH[i] && loL[i - 1] > loL[i])) sorted = false;
  if (sorted) return { loH, loL, hiH: l.hiH.subarray(0, n), hiL: l.hiL.subarray(0, n), unit: l.unit.subarray(0, n) };
  let order: ArrayLike<number>;
  // Native sort of exact number keys (rank of the high word, low word, position) when they fit in
  // 53 bits — a few distinct high words, as in a kernel; else a comparator sort.
  const highs = [...new Set(loH)].sort((a, b) => a - b);
  const posBits = Math.max(1, Math.ceil(Math.log2(n + 1)));
  const rankBits = Math.max(1, Math.ceil(Math.log2(highs.length + 1)));
  if (rankBits + 32 + posBits <= 53) {
    const rank = new Map(highs.map((h, i) => [h, i]));
    const keys = new Float64Array(n);
    const pos = 2 ** posBits;
    let last = -1;
    let r = 0;
    for (let i = 0; i < n; i++) {
      if (loH[i] !== last) r = rank.get((last = loH[i]))!;
      keys[i] = (r * 2 ** 32 + loL[i]) * pos + i;
    }
    keys.sort();
    const o = new Uint32Array(n);
    for (let i = 0; i < n; i++) o[i] = keys[i] % pos;
    order = o;
  } else {
    order = Array.from(loH.keys()).sort((a, b) => loH[a] - loH[b] || loL[a] - loL[b] || a - b);
  }
  const pick = (xs: Float64Array): Float64Array => {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = xs[order[i]];
    return out;
  };
  return { loH: pick(loH), loL: pick(loL), hiH: pick(l.hiH), hiL: pick(l.hiL), unit: pick(l.unit) };
}

function bufferView(buffer: Buffer): SectionView {
  return {
    size: buffer.length,
    read(offset: number, length: number): Buffer {
      if (offset < 0 || length < 0 || offset + length > buffer.length) throw new DwarfError(`read of ${length} bytes at ${offset} past ${buffer.length}`);
      return buffer.subarray(offset, offset + length);
    },
  };
}
