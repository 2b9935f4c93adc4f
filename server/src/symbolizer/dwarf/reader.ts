// Bounded reads of DWARF data: fixed-size integers, LEB128, strings and attribute forms. Every read
// checks the bytes it has; running off the end throws (DwarfError, or NeedMore when the buffer is
// only a window on a longer section and a larger window may succeed).
import { ObjectFileError } from '../byteSource.ts';

export class DwarfError extends ObjectFileError {}

/** The window ended before the structure did; the caller may retry with a larger window. */
export class NeedMore extends Error {}

export class Cursor {
  pos: number;
  constructor(
    readonly buf: Buffer,
    pos: number,
    public end: number,
    readonly le: boolean,
    /** The window stops before the section does (running out throws NeedMore, not DwarfError). */
    readonly partial = false,
  ) {
    this.pos = pos;
    if (end > buf.length) this.end = buf.length;
  }
  private need(n: number): number {
    const at = this.pos;
    if (at + n > this.end) {
      if (this.partial && this.end === this.buf.length) throw new NeedMore();
      throw new DwarfError(`DWARF data truncated (wants ${n} bytes at ${at}, has ${this.end - at})`);
    }
    this.pos = at + n;
    return at;
  }
  get left(): number {
    return this.end - this.pos;
  }
  u8(): number {
    return this.buf[this.need(1)];
  }
  i8(): number {
    return this.buf.readInt8(this.need(1));
  }
  u16(): number {
    const at = this.need(2);
    return this.le ? this.buf.readUInt16LE(at) : this.buf.readUInt16BE(at);
  }
  u24(): number {
    const at = this.need(3);
    return this.le ? this.buf.readUIntLE(at, 3) : this.buf.readUIntBE(at, 3);
  }
  u32(): number {
    const at = this.need(4);
    return this.le ? this.buf.readUInt32LE(at) : this.buf.readUInt32BE(at);
  }
  u64(): bigint {
    const at = this.need(8);
    return this.le ? this.buf.readBigUInt64LE(at) : this.buf.readBigUInt64BE(at);
  }
  /** A 64-bit offset or length; larger than a JS number means broken data. */
  u64n(): number {
    const v = this.u64();
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new DwarfError(`DWARF offset ${v} too large`);
    return Number(v);
  }
  offset(size: number): number {
    return size === 8 ? this.u64n() : this.u32();
  }
  /** An address of `size` bytes (1, 2, 4 or 8). */
  addr(size: number): bigint {
    switch (size) {
      case 8:
        return this.u64();
      case 4:
        return BigInt(this.u32());
      case 2:
        return BigInt(this.u16());
      case 1:
        return BigInt(this.u8());
      default:
        throw new DwarfError(`address size ${size}`);
    }
  }
  uleb(): number {
    let result = 0;
    let mul = 1;
    for (;;) {
      const b = this.buf[this.need(1)];
      if (mul < 2 ** 64) result += (b & 0x7f) * mul;
      if (!(b & 0x80)) return result;
      mul *= 128;
    }
  }
  ulebBig(): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const b = this.buf[this.need(1)];
      if (shift < 64n) result |= BigInt(b & 0x7f) << shift;
      shift += 7n;
      if (!(b & 0x80)) return result & 0xffffffffffffffffn;
    }
  }
  sleb(): number {
    let result = 0;
    let mul = 1;
    for (;;) {
      const b = this.buf[this.need(1)];
      if (mul < 2 ** 64) result += (b & 0x7f) * mul;
      mul *= 128;
      if (!(b & 0x80)) {
        if (b & 0x40 && mul <= 2 ** 64) result -= mul;
        return result;
      }
    }
  }
  skip(n: number): void {
    if (!(n >= 0)) throw new DwarfError(`negative skip ${n}`);
    this.need(n);
  }
  cstr(): string {
    const from = this.pos;
    const nul = this.buf.indexOf(0, from);
    if (nul < 0 || nul >= this.end) {
      this.need(this.end - from + 1);
      return '';
    }
    this.pos = nul + 1;
    return this.buf.toString('utf8', from, nul);
  }
}

/** A unit header's initial length: 4 bytes, or 0xffffffff then 8 (DWARF64). */
export function unitLength(c: Cursor): { length: number; offsetSize: number } {
  const l = c.u32();
  if (l === 0xffffffff) return { length: c.u64n(), offsetSize: 8 };
  if (l >= 0xfffffff0) throw new DwarfError(`reserved unit length 0x${l.toString(16)}`);
  return { length: l, offsetSize: 4 };
}

export const DW_FORM = {
  addr: 0x01,
  block2: 0x03,
  block4: 0x04,
  data2: 0x05,
  data4: 0x06,
  data8: 0x07,
  string: 0x08,
  block: 0x09,
  block1: 0x0a,
  data1: 0x0b,
  flag: 0x0c,
  sdata: 0x0d,
  strp: 0x0e,
  udata: 0x0f,
  ref_addr: 0x10,
  ref1: 0x11,
  ref2: 0x12,
  ref4: 0x13,
  ref8: 0x14,
  ref_udata: 0x15,
  indirect: 0x16,
  sec_offset: 0x17,
  exprloc: 0x18,
  flag_present: 0x19,
  strx: 0x1a,
  addrx: 0x1b,
  ref_sup4: 0x1c,
  strp_sup: 0x1d,
  data16: 0x1e,
  line_strp: 0x1f,
  ref_sig8: 0x20,
  implicit_const: 0x21,
  loclistx: 0x22,
  rnglistx: 0x23,
  ref_sup8: 0x24,
  strx1: 0x25,
  strx2: 0x26,
  strx3: 0x27,
  strx4: 0x28,
  addrx1: 0x29,
  addrx2: 0x2a,
  addrx3: 0x2b,
  addrx4: 0x2c,
  GNU_addr_index: 0x1f01,
  GNU_str_index: 0x1f02,
  GNU_ref_alt: 0x1f20,
  GNU_strp_alt: 0x1f21,
} as const;

/** What a unit's forms need to be sized. */
export interface FormContext {
  version: number;
  addressSize: number;
  offsetSize: number;
}

/** Skips one attribute value (DW_FORM_indirect resolved, at most a few levels). */
export function skipForm(c: Cursor, form: number, u: FormContext): void {
  for (let depth = 0; depth < 4; depth++) {
    switch (form) {
      case DW_FORM.flag_present:
      case DW_FORM.implicit_const:
        return;
      case DW_FORM.data1:
      case DW_FORM.ref1:
      case DW_FORM.flag:
      case DW_FORM.strx1:
      case DW_FORM.addrx1:
        c.skip(1);
        return;
      case DW_FORM.data2:
      case DW_FORM.ref2:
      case DW_FORM.strx2:
      case DW_FORM.addrx2:
        c.skip(2);
        return;
      case DW_FORM.strx3:
      case DW_FORM.addrx3:
        c.skip(3);
        return;
      case DW_FORM.data4:
      case DW_FORM.ref4:
      case DW_FORM.ref_sup4:
      case DW_FORM.strx4:
      case DW_FORM.addrx4:
        c.skip(4);
        return;
      case DW_FORM.data8:
      case DW_FORM.ref8:
      case DW_FORM.ref_sig8:
      case DW_FORM.ref_sup8:
        c.skip(8);
        return;
      case DW_FORM.data16:
        c.skip(16);
        return;
      case DW_FORM.addr:
        c.skip(u.addressSize);
        return;
      case DW_FORM.ref_addr:
        c.skip(u.version <= 2 ? u.addressSize : u.offsetSize);
        return;
      case DW_FORM.strp:
      case DW_FORM.sec_offset:
      case DW_FORM.line_strp:
      case DW_FORM.strp_sup:
      case DW_FORM.GNU_ref_alt:
      case DW_FORM.GNU_strp_alt:
        c.skip(u.offsetSize);
        return;
      case DW_FORM.sdata:
      case DW_FORM.udata:
      case DW_FORM.ref_udata:
      case DW_FORM.strx:
      case DW_FORM.addrx:
      case DW_FORM.loclistx:
      case DW_FORM.rnglistx:
      case DW_FORM.GNU_addr_index:
      case DW_FORM.GNU_str_index:
        c.uleb();
        return;
      case DW_FORM.string:
        c.cstr();
        return;
      case DW_FORM.block1:
        c.skip(c.u8());
        return;
      case DW_FORM.block2:
        c.skip(c.u16());
        return;
      case DW_FORM.block4:
        c.skip(c.u32());
        return;
      case DW_FORM.block:
      case DW_FORM.exprloc:
        c.skip(c.uleb());
        return;
      case DW_FORM.indirect:
        form = c.uleb();
        continue;
      default:
        throw new DwarfError(`unknown DWARF form 0x${form.toString(16)}`);
    }
  }
  throw new DwarfError('DW_FORM_indirect nested too deep');
}

/** A constant-class or reference-class value as a number (large or signed values approximately). */
export function readNumberForm(c: Cursor, form: number, u: FormContext, implicit: number): number {
  switch (form) {
    case DW_FORM.data1:
    case DW_FORM.ref1:
    case DW_FORM.flag:
    case DW_FORM.strx1:
    case DW_FORM.addrx1:
      return c.u8();
    case DW_FORM.data2:
    case DW_FORM.ref2:
    case DW_FORM.strx2:
    case DW_FORM.addrx2:
      return c.u16();
    case DW_FORM.strx3:
    case DW_FORM.addrx3:
      return c.u24();
    case DW_FORM.data4:
    case DW_FORM.ref4:
    case DW_FORM.ref_sup4:
    case DW_FORM.strx4:
    case DW_FORM.addrx4:
      return c.u32();
    case DW_FORM.data8:
    case DW_FORM.ref8:
    case DW_FORM.ref_sup8: {
      const v = c.u64();
      return v > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(v);
    }
    case DW_FORM.sdata:
      return c.sleb();
    case DW_FORM.udata:
    case DW_FORM.ref_udata:
    case DW_FORM.strx:
    case DW_FORM.addrx:
    case DW_FORM.loclistx:
    case DW_FORM.rnglistx:
    case DW_FORM.GNU_addr_index:
    case DW_FORM.GNU_str_index:
      return c.uleb();
    case DW_FORM.ref_addr:
      return c.offset(u.version <= 2 ? u.addressSize : u.offsetSize);
    case DW_FORM.strp:
    case DW_FORM.sec_offset:
    case DW_FORM.line_strp:
    case DW_FORM.strp_sup:
    case DW_FORM.GNU_ref_alt:
    case DW_FORM.GNU_strp_alt:
      return c.offset(u.offsetSize);
    case DW_FORM.implicit_const:
      return implicit;
    case DW_FORM.flag_present:
      return 1;
    default:
      skipForm(c, form, u);
      return NaN;
  }
}

export function isStrxForm(form: number): boolean {
  return form === DW_FORM.strx || (form >= DW_FORM.strx1 && form <= DW_FORM.strx4) || form === DW_FORM.GNU_str_index;
}

export function isAddrxForm(form: number): boolean {
  return form === DW_FORM.addrx || (form >= DW_FORM.addrx1 && form <= DW_FORM.addrx4) || form === DW_FORM.GNU_addr_index;
}

export function isConstantForm(form: number): boolean {
  return (
    form === DW_FORM.data1 ||
    form === DW_FORM.data2 ||
    form === DW_FORM.data4 ||
    form === DW_FORM.data8 ||
    form === DW_FORM.sdata ||
    form === DW_FORM.udata ||
    form === DW_FORM.implicit_const
  );
}

/** The size of a value of `form` when the unit fixes it; -1 for variable-size forms. */
export function fixedFormSize(form: number, u: FormContext): number {
  switch (form) {
    case DW_FORM.flag_present:
    case DW_FORM.implicit_const:
      return 0;
    case DW_FORM.data1:
    case DW_FORM.ref1:
    case DW_FORM.flag:
    case DW_FORM.strx1:
    case DW_FORM.addrx1:
      return 1;
    case DW_FORM.data2:
    case DW_FORM.ref2:
    case DW_FORM.strx2:
    case DW_FORM.addrx2:
      return 2;
    case DW_FORM.strx3:
    case DW_FORM.addrx3:
      return 3;
    case DW_FORM.data4:
    case DW_FORM.ref4:
    case DW_FORM.ref_sup4:
    case DW_FORM.strx4:
    case DW_FORM.addrx4:
      return 4;
    case DW_FORM.data8:
    case DW_FORM.ref8:
    case DW_FORM.ref_sig8:
    case DW_FORM.ref_sup8:
      return 8;
    case DW_FORM.data16:
      return 16;
    case DW_FORM.addr:
      return u.addressSize;
    case DW_FORM.ref_addr:
      return u.version <= 2 ? u.addressSize : u.offsetSize;
    case DW_FORM.strp:
    case DW_FORM.sec_offset:
    case DW_FORM.line_strp:
    case DW_FORM.strp_sup:
    case DW_FORM.GNU_ref_alt:
    case DW_FORM.GNU_strp_alt:
      return u.offsetSize;
    default:
      return -1;
  }
}
