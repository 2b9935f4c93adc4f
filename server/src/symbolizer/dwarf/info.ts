// Units of .debug_info (DWARF 2-5 headers, DWARF64), abbreviation tables, and the walk from a unit's
// root DIE to the subprogram / inlined_subroutine DIEs that contain an address, skipping subtrees by
// DW_AT_sibling. Positions are section offsets unless named otherwise; every loop is bounded by the
// bytes it walks, nesting by MAX_DEPTH.
import { type AddressRange, type RangeContext, type SectionedAddress, rangesContain, readDebugRanges, readRnglist, rnglistxOffset } from './ranges.ts';
import {
  Cursor,
  DW_FORM,
  DwarfError,
  type FormContext,
  NeedMore,
  isAddrxForm,
  isConstantForm,
  isStrxForm,
  fixedFormSize,
  readNumberForm,
  skipForm,
  unitLength,
} from './reader.ts';
import type { DebugSection } from './sections.ts';

export const DW_TAG_compile_unit = 0x11;
export const DW_TAG_partial_unit = 0x3c;
export const DW_TAG_skeleton_unit = 0x4a;
export const DW_TAG_subprogram = 0x2e;
export const DW_TAG_inlined_subroutine = 0x1d;
export const DW_TAG_lexical_block = 0x0b;
/** Local copy: an imported binding may be a getter after transpiling to CommonJS. */
const F = { ...DW_FORM };
const TYPE_TAGS = new Set([0x01, 0x02, 0x04, 0x13, 0x15, 0x17]);

const DW_AT = {
  sibling: 0x01,
  name: 0x03,
  stmt_list: 0x10,
  low_pc: 0x11,
  high_pc: 0x12,
  comp_dir: 0x1b,
  abstract_origin: 0x31,
  specification: 0x47,
  ranges: 0x55,
  call_column: 0x57,
  call_file: 0x58,
  call_line: 0x59,
  str_offsets_base: 0x72,
  addr_base: 0x73,
  rnglists_base: 0x74,
  GNU_ranges_base: 0x2132,
  GNU_addr_base: 0x2133,
} as const;

const MAX_DEPTH = 1024;

/**
 * A unit's abbreviation table, flat (one array per unit rather than objects per abbreviation: a
 * kernel unit has hundreds, and a cache of units full of small objects is what the GC spends its
 * time on). At entry e = at(code): tag, children, fixed (bytes of the attributes when every form has
 * a size fixed by the unit, else -1), hasSibling, siblingAt (byte offset of the DW_AT_sibling value
 * when the forms before it are fixed, else -1), siblingForm, nSpecs, planLength; then nSpecs
 * (name, form, implicit const) triples; then the plan: n ≥ 0 skips n bytes, -form one value of a
 * variable-size form.
 */
export class Abbrevs {
  constructor(
    readonly data: Float64Array,
    private readonly dense: Int32Array,
    private readonly sparse: Map<number, number> | null,
    readonly size: number,
  ) {}
  /** The entry of `code`; -1 when there is none. */
  at(code: number): number {
    if (code < this.dense.length) return this.dense[code] - 1;
    return this.sparse?.get(code) ?? -1;
  }
}

const AB_TAG = 0;
const AB_CHILDREN = 1;
const AB_FIXED = 2;
const AB_HAS_SIBLING = 3;
const AB_SIBLING_AT = 4;
const AB_SIBLING_FORM = 5;
const AB_SPECS = 6;
const AB_PLAN = 7;
const AB_HEAD = 8;

export interface UnitHeader {
  offset: number;
  /** Offset one past the unit. */
  end: number;
  version: number;
  unitType: number;
  addressSize: number;
  offsetSize: number;
  abbrevOffset: number;
  /** Offset of the root DIE. */
  dieOffset: number;
}

export interface DebugSections {
  info: DebugSection;
  abbrev: DebugSection;
  str: DebugSection | null;
  lineStr: DebugSection | null;
  strOffsets: DebugSection | null;
  addr: DebugSection | null;
  rnglists: DebugSection | null;
  ranges: DebugSection | null;
}

export const DW_UT_compile = 1;
export const DW_UT_type = 2;
export const DW_UT_partial = 3;
export const DW_UT_skeleton = 4;
export const DW_UT_split_compile = 5;
export const DW_UT_split_type = 6;

/** The header of the unit at `offset` (a few bytes read). */
export function readUnitHeader(info: DebugSection, offset: number): UnitHeader {
  const c = info.cursor(offset, Math.min(40, info.size - offset));
  const { length, offsetSize } = unitLength(c);
  const end = offset + c.pos + length;
  if (end > info.size) throw new DwarfError(`unit at ${offset} runs past .debug_info (${length} bytes)`);
  const version = c.u16();
  if (version < 2 || version > 5) throw new DwarfError(`unit at ${offset} has DWARF version ${version}`);
  let unitType = DW_UT_compile;
  let addressSize: number;
  let abbrevOffset: number;
  if (version >= 5) {
    unitType = c.u8();
    addressSize = c.u8();
    abbrevOffset = c.offset(offsetSize);
    if (unitType === DW_UT_skeleton || unitType === DW_UT_split_compile) c.skip(8);
    else if (unitType === DW_UT_type || unitType === DW_UT_split_type) c.skip(8 + offsetSize);
  } else {
    abbrevOffset = c.offset(offsetSize);
    addressSize = c.u8();
  }
  if (addressSize !== 4 && addressSize !== 8 && addressSize !== 2) throw new DwarfError(`unit at ${offset} has address size ${addressSize}`);
  const dieOffset = offset + c.pos;
  if (dieOffset > end) throw new DwarfError(`unit at ${offset} is shorter than its header`);
  return { offset, end, version, unitType, addressSize, offsetSize, abbrevOffset, dieOffset };
}

/** Scratch for parseAbbrevs (grown by doubling, copied out per table). */
let abOut: Float64Array = new Float64Array(1 << 14);
let abDense: Int32Array = new Int32Array(1 << 10);
const abPlan = new Float64Array(1024);

export function parseAbbrevs(sec: DebugSection, offset: number, u: FormContext): Abbrevs {
  return sec.parse(
    offset,
    (c) => {
      const buf = c.buf;
      const end = c.end;
      let pos = c.pos;
      const more = (): never => {
        if (c.partial && end === buf.length) throw new NeedMore();
        throw new DwarfError(`.debug_abbrev at ${offset}: table truncated`);
      };
      // LEB128 readers on raw bytes (the table is read byte by byte; a Cursor call per byte shows).
      const uleb = (): number => {
        let result = 0;
        let mul = 1;
        for (;;) {
          if (pos >= end) more();
          const b = buf[pos++];
          if (mul < 2 ** 64) result += (b & 0x7f) * mul;
          if (!(b & 0x80)) return result;
          mul *= 128;
        }
      };
      let out = abOut;
      let dense = abDense;
      let denseLength = 0;
      let n = 0;
      let sparse: Map<number, number> | null = null;
      let size = 0;
      for (;;) {
        const code = uleb();
        if (code === 0) break;
        const tag = uleb();
        if (pos >= end) more();
        const children = buf[pos++] !== 0 ? 1 : 0;
        const e = n;
        if (out.length < e + AB_HEAD) out = abOut = growF64(out, e + AB_HEAD);
        let w = e + AB_HEAD;
        let nSpecs = 0;
        let nPlan = 0;
        let fixed = 0;
        let sib = 0;
        let siblingAt = -1;
        let siblingForm = 0;
        let run = 0;
        for (;;) {
          const name = uleb();
          const form = uleb();
          if (name === 0 && form === 0) break;
          let implicit = 0;
          if (form === F.implicit_const) {
            c.pos = pos;
            implicit = c.sleb();
            pos = c.pos;
          }
          if (out.length < w + 3) out = abOut = growF64(out, w + 3);
          out[w] = name;
          out[w + 1] = form;
          out[w + 2] = implicit;
          w += 3;
          nSpecs++;
          if (name === DW_AT.sibling && !sib) {
            sib = 1;
            if (fixed >= 0 && form !== F.indirect && form !== F.implicit_const) {
              siblingAt = fixed;
              siblingForm = form;
            }
          }
          const size = fixedFormSize(form, u);
          if (size < 0) {
            fixed = -1;
            if (nPlan + 2 > abPlan.length) throw new DwarfError(`.debug_abbrev at ${offset}: abbreviation with too many attributes`);
            if (run) abPlan[nPlan++] = run;
            run = 0;
            abPlan[nPlan++] = -form;
          } else {
            run += size;
            if (fixed >= 0) fixed += size;
          }
        }
        if (run) {
          if (nPlan + 1 > abPlan.length) throw new DwarfError(`.debug_abbrev at ${offset}: abbreviation with too many attributes`);
          abPlan[nPlan++] = run;
        }
        // The first definition of a code wins.
        if (code < 1 << 16) {
          if (code < denseLength && dense[code] !== 0) continue;
          if (code >= dense.length) {
            const d = new Int32Array(Math.max(code + 1, dense.length * 2));
            d.set(dense);
            dense = abDense = d;
          }
          if (code >= denseLength) {
            dense.fill(0, denseLength, code + 1);
            denseLength = code + 1;
          }
          dense[code] = e + 1;
        } else {
          if (sparse?.has(code)) continue;
          (sparse ??= new Map()).set(code, e);
        }
        size++;
        if (out.length < w + nPlan) out = abOut = growF64(out, w + nPlan);
        out[e + AB_TAG] = tag;
        out[e + AB_CHILDREN] = children;
        out[e + AB_FIXED] = fixed;
        out[e + AB_HAS_SIBLING] = sib;
        out[e + AB_SIBLING_AT] = siblingAt;
        out[e + AB_SIBLING_FORM] = siblingForm;
        out[e + AB_SPECS] = nSpecs;
        out[e + AB_PLAN] = nPlan;
        for (let i = 0; i < nPlan; i++) out[w + i] = abPlan[i];
        n = w + nPlan;
      }
      c.pos = pos;
      return new Abbrevs(out.slice(0, n), dense.slice(0, denseLength), sparse, size);
    },
    4096,
  );
}

function growF64(a: Float64Array, need: number): Float64Array {
  const b = new Float64Array(Math.max(need, a.length * 2));
  b.set(a);
  return b;
}

/** What the walk needs of one DIE (names and strings left unresolved until asked for). */
export interface Die {
  offset: number;
  tag: number;
  children: boolean;
  /** Offset after its attributes (its first child, or its next sibling when it has no children). */
  next: number;
  sibling: number;
  nameForm: number;
  nameValue: number;
  lowPc: SectionedAddress | null;
  lowIndex: number;
  highPc: bigint;
  highForm: number;
  highIndex: number;
  rangesForm: number;
  rangesValue: number;
  origin: number;
  spec: number;
  callFile: number;
  callLine: number;
  callColumn: number;
  stmtList: number;
  compDirForm: number;
  compDirValue: number;
  strOffsetsBase: number;
  addrBase: number;
  rnglistsBase: number;
}

/** Per-unit index of the outermost subprogram / inlined / lexical DIEs with ranges, built on first use. */
interface UnitIndex {
  /** One row per range: lo, hi, section, entry. */
  lo: BigUint64Array;
  hi: BigUint64Array;
  sec: Int32Array;
  entry: Int32Array;
  /** Per entry: DIE offset and the offset after its subtree. */
  die: Float64Array;
  end: Float64Array;
}

/** A window of .debug_info: `buf[0]` is at section offset `at`. */
interface Window {
  buf: Buffer;
  at: number;
}

export class Unit {
  readonly abbrevs: Abbrevs;
  readonly root: Die;
  readonly strOffsetsBase: number;
  readonly addrBase: number;
  readonly rnglistsBase: number;
  readonly base: SectionedAddress;
  readonly compDir: string | null;
  readonly stmtList: number;
  private rangeCtx: RangeContext;
  private index: UnitIndex | null = null;
  /** The bytes being walked (set only during a walk). */
  private win: Window | null = null;

  constructor(
    readonly h: UnitHeader,
    readonly s: DebugSections,
  ) {
    this.abbrevs = parseAbbrevs(s.abbrev, h.abbrevOffset, h);
    const root = this.readDie(h.dieOffset);
    if (!root) throw new DwarfError(`unit at ${h.offset} has no root DIE`);
    this.root = root;
    this.strOffsetsBase = root.strOffsetsBase >= 0 ? root.strOffsetsBase : h.version >= 5 && s.strOffsets ? 8 : 0;
    this.addrBase = Math.max(root.addrBase, 0);
    this.rnglistsBase = Math.max(root.rnglistsBase, 0);
    if (!root.lowPc && root.lowIndex >= 0) root.lowPc = this.addrx(root.lowIndex);
    this.base = root.lowPc ?? { value: 0n, sec: -1 };
    this.compDir = root.compDirForm >= 0 ? this.string(root.compDirForm, root.compDirValue) : null;
    this.stmtList = root.stmtList;
    this.rangeCtx = {
      version: h.version,
      addressSize: h.addressSize,
      offsetSize: h.offsetSize,
      base: this.base,
      rnglists: s.rnglists,
      ranges: s.ranges,
      addrx: (i: number) => this.addrx(i),
    };
  }

  get byteSize(): number {
    const ix = this.index;
    return this.abbrevs.data.byteLength + this.abbrevs.size * 4 + 1024 + (ix ? ix.lo.length * 24 + ix.die.length * 16 + 256 : 0);
  }

  contains(offset: number): boolean {
    return offset >= this.h.dieOffset && offset < this.h.end;
  }

  addrx(index: number): SectionedAddress {
    const sec = this.s.addr;
    if (!sec) throw new DwarfError('DW_FORM_addrx without .debug_addr');
    const at = this.addrBase + index * this.h.addressSize;
    const c = sec.cursor(at, this.h.addressSize);
    return { value: c.addr(this.h.addressSize), sec: sec.targetOf(at) };
  }

  /** A string-class value read by readDie (nameForm/nameValue, compDirForm/compDirValue). */
  string(form: number, value: number): string | null {
    const s = this.s;
    if (form === F.string) {
      if (value < this.h.offset || value >= this.h.end) return null;
      return s.info.parse(
        value,
        (c) => {
          c.end = Math.min(c.end, this.h.end - value);
          return c.cstr();
        },
        128,
      );
    }
    if (form === F.strp) return s.str ? s.str.cstr(value) : null;
    if (form === F.line_strp) return s.lineStr ? s.lineStr.cstr(value) : null;
    if (isStrxForm(form)) {
      if (!s.strOffsets || !s.str) return null;
      const at = this.strOffsetsBase + value * this.h.offsetSize;
      return s.str.cstr(s.strOffsets.cursor(at, this.h.offsetSize).offset(this.h.offsetSize));
    }
    return null;
  }

  /** The DIE at section offset `offset` in this unit; null for a null entry. */
  readDie(offset: number): Die | null {
    const w = this.win;
    if (w && offset >= w.at && offset < w.at + w.buf.length) {
      return this.decodeDie(new Cursor(w.buf, offset - w.at, w.buf.length, this.s.info.littleEndian), w.at, offset);
    }
    const h = this.h;
    if (offset < h.offset || offset >= h.end) throw new DwarfError(`DIE offset ${offset} outside its unit`);
    return this.s.info.parse(
      offset,
      (c) => {
        c.end = Math.min(c.end, h.end - offset);
        return this.decodeDie(c, offset, offset);
      },
      256,
    );
  }

  /** Decodes the DIE at c.pos (section offset `offset`; c.buf[0] is at section offset `at`). */
  private decodeDie(c: Cursor, at: number, offset: number): Die | null {
    const h = this.h;
    const base = h.offset;
    const code = c.uleb();
    if (code === 0) return null;
    const e = this.abbrevs.at(code);
    if (e < 0) throw new DwarfError(`DIE at ${offset}: unknown abbreviation ${code}`);
    const A = this.abbrevs.data;
    const d: Die = {
      offset,
      tag: A[e + AB_TAG],
      children: A[e + AB_CHILDREN] === 1,
      next: 0,
      sibling: -1,
      nameForm: -1,
      nameValue: 0,
      lowPc: null,
      lowIndex: -1,
      highPc: 0n,
      highForm: -1,
      highIndex: -1,
      rangesForm: -1,
      rangesValue: 0,
      origin: -1,
      spec: -1,
      callFile: 0,
      callLine: 0,
      callColumn: 0,
      stmtList: -1,
      compDirForm: -1,
      compDirValue: 0,
      strOffsetsBase: -1,
      addrBase: -1,
      rnglistsBase: -1,
    };
    const specsEnd = e + AB_HEAD + A[e + AB_SPECS] * 3;
    for (let i = e + AB_HEAD; i < specsEnd; i += 3) {
      const name = A[i];
      let form = A[i + 1];
      if (form === F.indirect) form = c.uleb();
      const implicit = A[i + 2];
      switch (name) {
        case DW_AT.sibling: {
          const v = readNumberForm(c, form, h, implicit);
          d.sibling = form === F.ref_addr ? v : base + v;
          break;
        }
        case DW_AT.name:
          d.nameForm = form;
          if (form === F.string) {
            d.nameValue = at + c.pos;
            c.cstr();
          } else d.nameValue = readNumberForm(c, form, h, implicit);
          break;
        case DW_AT.comp_dir:
          d.compDirForm = form;
          if (form === F.string) {
            d.compDirValue = at + c.pos;
            c.cstr();
          } else d.compDirValue = readNumberForm(c, form, h, implicit);
          break;
        case DW_AT.low_pc:
          if (form === F.addr) {
            const where = at + c.pos;
            d.lowPc = { value: c.addr(h.addressSize), sec: this.s.info.targetOf(where) };
          } else if (isAddrxForm(form)) {
            d.lowIndex = readNumberForm(c, form, h, implicit);
            if (this.root) d.lowPc = this.addrx(d.lowIndex);
          } else skipForm(c, form, h);
          break;
        case DW_AT.high_pc:
          d.highForm = form;
          if (form === F.addr) d.highPc = c.addr(h.addressSize);
          else if (isAddrxForm(form)) {
            d.highIndex = readNumberForm(c, form, h, implicit);
          } else if (isConstantForm(form)) {
            if (form === F.data8) d.highPc = c.u64();
            else d.highPc = BigInt(readNumberForm(c, form, h, implicit));
          } else {
            skipForm(c, form, h);
            d.highForm = -1;
          }
          break;
        case DW_AT.ranges:
          d.rangesForm = form;
          d.rangesValue = readNumberForm(c, form, h, implicit);
          break;
        case DW_AT.abstract_origin:
        case DW_AT.specification: {
          let v = readNumberForm(c, form, h, implicit);
          if (form === F.ref1 || form === F.ref2 || form === F.ref4 || form === F.ref8 || form === F.ref_udata) v += base;
          else if (form !== F.ref_addr) v = -1;
          if (name === DW_AT.abstract_origin) d.origin = v;
          else d.spec = v;
          break;
        }
        case DW_AT.call_file:
          d.callFile = readNumberForm(c, form, h, implicit);
          break;
        case DW_AT.call_line:
          d.callLine = readNumberForm(c, form, h, implicit);
          break;
        case DW_AT.call_column:
          d.callColumn = readNumberForm(c, form, h, implicit);
          break;
        case DW_AT.stmt_list:
          d.stmtList = readNumberForm(c, form, h, implicit);
          break;
        case DW_AT.str_offsets_base:
          d.strOffsetsBase = readNumberForm(c, form, h, implicit);
          break;
        case DW_AT.addr_base:
        case DW_AT.GNU_addr_base:
          d.addrBase = readNumberForm(c, form, h, implicit);
          break;
        case DW_AT.rnglists_base:
          d.rnglistsBase = readNumberForm(c, form, h, implicit);
          break;
        default:
          skipForm(c, form, h);
      }
    }
    d.next = at + c.pos;
    return d;
  }

  /**
   * Skips the DIE at `pos` of the current window without building it: its tag, whether it has
   * children, its sibling (-1 when absent) and the offset after its attributes. null for a null entry.
   */
  private peek(pos: number, out: { tag: number; children: boolean; sibling: number; next: number }): boolean {
    const w = this.win!;
    const h = this.h;
    const c = new Cursor(w.buf, pos - w.at, w.buf.length, this.s.info.littleEndian);
    const code = c.uleb();
    if (code === 0) return false;
    const e = this.abbrevs.at(code);
    if (e < 0) throw new DwarfError(`DIE at ${pos}: unknown abbreviation ${code}`);
    const A = this.abbrevs.data;
    const children = A[e + AB_CHILDREN] === 1;
    const needSibling = children && A[e + AB_HAS_SIBLING] === 1;
    out.tag = A[e + AB_TAG];
    out.children = children;
    out.sibling = -1;
    const fixed = A[e + AB_FIXED];
    const specsEnd = e + AB_HEAD + A[e + AB_SPECS] * 3;
    if (fixed >= 0 && !needSibling) {
      c.skip(fixed);
    } else if (!needSibling || A[e + AB_SIBLING_AT] >= 0) {
      if (needSibling) {
        const at = c.pos;
        const form = A[e + AB_SIBLING_FORM];
        c.pos = at + A[e + AB_SIBLING_AT];
        const v = readNumberForm(c, form, h, 0);
        out.sibling = form === F.ref_addr ? v : h.offset + v;
        c.pos = at;
      }
      if (fixed >= 0) c.skip(fixed);
      else c.pos = skipPlanned(A, specsEnd, A[e + AB_PLAN], c.buf, c.pos, c.end, c, h);
    } else {
      for (let i = e + AB_HEAD; i < specsEnd; i += 3) {
        let form = A[i + 1];
        if (form === F.indirect) form = c.uleb();
        if (A[i] === DW_AT.sibling) {
          const v = readNumberForm(c, form, h, A[i + 2]);
          out.sibling = form === F.ref_addr ? v : h.offset + v;
        } else skipForm(c, form, h);
      }
    }
    out.next = w.at + c.pos;
    return true;
  }

  /** Address ranges of a DIE: null when it has none (no low/high pc, no DW_AT_ranges). */
  ranges(d: Die): AddressRange[] | null {
    if (d.rangesForm >= 0) {
      if (this.h.version >= 5) {
        if (!this.s.rnglists) return [];
        const offset = d.rangesForm === F.rnglistx ? rnglistxOffset(this.s.rnglists, this.rnglistsBase, this.h.offsetSize, d.rangesValue) : d.rangesValue;
        return readRnglist(this.rangeCtx, offset);
      }
      return readDebugRanges(this.rangeCtx, d.rangesValue);
    }
    if (!d.lowPc || d.highForm < 0) return null;
    let hi: bigint;
    if (d.highForm === F.addr) hi = d.highPc;
    else if (d.highIndex >= 0) hi = this.addrx(d.highIndex).value;
    else hi = d.lowPc.value + d.highPc;
    return [{ sec: d.lowPc.sec, lo: d.lowPc.value, hi }];
  }

  /** The offset after the subtree of the DIE at `pos` (in the current window). */
  private skipFrom(children: boolean, sibling: number, pos: number, next: number): number {
    if (!children) return next;
    if (sibling > pos && sibling <= this.h.end) return sibling;
    const e = { tag: 0, children: false, sibling: -1, next: 0 };
    let at = next;
    let depth = 1;
    while (depth > 0) {
      if (at >= this.h.end) throw new DwarfError(`DIE children at ${pos} run past their unit`);
      if (!this.peek(at, e)) {
        depth--;
        at++;
        continue;
      }
      if (e.children && e.sibling > at && e.sibling <= this.h.end) at = e.sibling;
      else if (e.children) {
        if (++depth > MAX_DEPTH) throw new DwarfError('DIEs nested too deep');
        at = e.next;
      } else at = e.next;
    }
    return at;
  }

  /** Walks the whole unit once (attributes of uninteresting DIEs skipped) to list the outermost DIEs with ranges. */
  private buildIndex(): UnitIndex {
    const h = this.h;
    const root = this.root;
    const lo: bigint[] = [];
    const hi: bigint[] = [];
    const secs: number[] = [];
    const entry: number[] = [];
    const die: number[] = [];
    const end: number[] = [];
    if (root.children) {
      const e = { tag: 0, children: false, sibling: -1, next: 0 };
      let pos = root.next;
      let depth = 1;
      while (depth > 0 && pos < h.end) {
        if (!this.peek(pos, e)) {
          depth--;
          pos++;
          continue;
        }
        const t = e.tag;
        let descend = e.children;
        if (t === DW_TAG_subprogram || t === DW_TAG_inlined_subroutine || t === DW_TAG_lexical_block) {
          const d = this.readDie(pos)!;
          const r = this.ranges(d);
          if (r) {
            const after = this.skipFrom(d.children, d.sibling, pos, d.next);
            const n = die.length;
            die.push(pos);
            end.push(after);
            for (const x of r) {
              lo.push(BigInt.asUintN(64, x.lo));
              hi.push(BigInt.asUintN(64, x.hi));
              secs.push(x.sec);
              entry.push(n);
            }
            pos = after;
            continue;
          } else if (t === DW_TAG_subprogram) descend = false;
        } else if (TYPE_TAGS.has(t)) descend = false;
        if (descend) {
          if (++depth > MAX_DEPTH) throw new DwarfError('DIEs nested too deep');
          pos = e.next;
        } else pos = this.skipFrom(e.children, e.sibling, pos, e.next);
      }
    }
    return {
      lo: BigUint64Array.from(lo),
      hi: BigUint64Array.from(hi),
      sec: Int32Array.from(secs),
      entry: Int32Array.from(entry),
      die: Float64Array.from(die),
      end: Float64Array.from(end),
    };
  }

  /**
   * The subprogram and inlined_subroutine DIEs whose ranges contain the address, outermost first
   * (as llvm-symbolizer's inlined chain, before it is cut at the innermost subprogram).
   */
  chainFor(address: bigint, sec: number): Die[] {
    const h = this.h;
    let full: Window | null = null;
    if (!this.index) {
      full = { buf: this.s.info.transient(h.offset, h.end - h.offset), at: h.offset };
      this.win = full;
      try {
        this.index = this.buildIndex();
      } finally {
        this.win = null;
      }
    }
    const ix = this.index;
    const tried = new Set<number>();
    for (let i = 0; i < ix.lo.length; i++) {
      if (!(address >= ix.lo[i] && address < ix.hi[i])) continue;
      const s = ix.sec[i];
      if (!(sec === -1 || s === -1 || s === sec)) continue;
      const n = ix.entry[i];
      if (tried.has(n)) continue;
      tried.add(n);
      const from = ix.die[n];
      const to = ix.end[n];
      this.win = full ?? { buf: this.s.info.transient(from, to - from), at: from };
      try {
        const chain = this.walk(from, to, address, sec);
        if (chain.length) return chain;
      } finally {
        this.win = null;
      }
    }
    return [];
  }

  /** The walk of one indexed subtree [from, to) (in the current window). */
  private walk(from: number, to: number, address: bigint, sec: number): Die[] {
    const chain: Die[] = [];
    const depths: number[] = [];
    const e = { tag: 0, children: false, sibling: -1, next: 0 };
    let pos = from;
    let depth = 1;
    while (depth > 0 && pos < to) {
      if (!this.peek(pos, e)) {
        depth--;
        pos++;
        if (depths.length && depth <= depths[depths.length - 1]) break;
        continue;
      }
      let descend = e.children;
      const t = e.tag;
      if (t === DW_TAG_subprogram || t === DW_TAG_inlined_subroutine || t === DW_TAG_lexical_block) {
        const d = this.readDie(pos)!;
        const r = this.ranges(d);
        if (r) {
          if (!rangesContain(r, address, sec)) descend = false;
          else if (t !== DW_TAG_lexical_block) {
            chain.push(d);
            depths.push(depth);
            if (!d.children) break;
          }
        } else if (t === DW_TAG_subprogram) descend = false;
      } else if (TYPE_TAGS.has(t)) descend = false;
      if (descend) {
        if (++depth > MAX_DEPTH) throw new DwarfError('DIEs nested too deep');
        pos = e.next;
      } else pos = this.skipFrom(e.children, e.sibling, pos, e.next);
    }
    return chain;
  }

  /** The unit's own ranges (root DIE); null when it has none. */
  rootRanges(): AddressRange[] | null {
    return this.ranges(this.root);
  }
}

/**
 * Skips the attributes of an abbreviation at buf[pos] by its plan (plan[from, from + length)); the
 * position after them. Forms other than LEB128, strings and blocks go through skipForm.
 */
function skipPlanned(plan: Float64Array, from: number, length: number, buf: Buffer, pos: number, end: number, c: Cursor, u: FormContext): number {
  for (let i = from; i < from + length; i++) {
    const op = plan[i];
    if (op >= 0) {
      pos += op;
      continue;
    }
    const form = -op;
    switch (form) {
      case F.udata:
      case F.sdata:
      case F.ref_udata:
      case F.strx:
      case F.addrx:
      case F.loclistx:
      case F.rnglistx:
      case F.GNU_addr_index:
      case F.GNU_str_index:
        while (pos < end && buf[pos] & 0x80) pos++;
        pos++;
        break;
      case F.string: {
        const nul = buf.indexOf(0, pos);
        if (nul < 0 || nul >= end) throw new DwarfError('DWARF string runs past its unit');
        pos = nul + 1;
        break;
      }
      case F.exprloc:
      case F.block: {
        let len = 0;
        let mul = 1;
        for (;;) {
          if (pos >= end) throw new DwarfError('DWARF data truncated');
          const b = buf[pos++];
          len += (b & 0x7f) * mul;
          if (!(b & 0x80)) break;
          mul *= 128;
        }
        pos += len;
        break;
      }
      case F.block1:
        if (pos >= end) throw new DwarfError('DWARF data truncated');
        pos += 1 + buf[pos];
        break;
      default:
        if (pos > end) throw new DwarfError('DWARF data truncated');
        c.pos = pos;
        skipForm(c, form, u);
        pos = c.pos;
    }
  }
  if (pos > end) throw new DwarfError(`DWARF data truncated (attributes run to ${pos}, data ends at ${end})`);
  return pos;
}
