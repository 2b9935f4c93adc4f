// Address ranges of a DIE: DW_AT_low_pc/high_pc, or DW_AT_ranges through .debug_rnglists (DWARF 5,
// incl. DW_FORM_rnglistx) or .debug_ranges (DWARF 2-4). Every entry carries the ELF section its
// addresses point into (relocatable objects; -1 otherwise).
import { type Cursor, DwarfError } from './reader.ts';
import type { DebugSection } from './sections.ts';

export interface AddressRange {
  sec: number;
  lo: bigint;
  hi: bigint;
}

/** An address and the section it points into. */
export interface SectionedAddress {
  value: bigint;
  sec: number;
}

export interface RangeContext {
  version: number;
  addressSize: number;
  offsetSize: number;
  /** The unit's base address (its DW_AT_low_pc). */
  base: SectionedAddress;
  rnglists: DebugSection | null;
  ranges: DebugSection | null;
  /** The address at index `i` of the unit's .debug_addr contribution. */
  addrx(i: number): SectionedAddress;
}

/** At most this many entries in one list (a corrupt list must not run on). */
const MAX_ENTRIES = 1 << 20;

/** The ranges of a DWARF 5 range list at `offset` in .debug_rnglists. */
export function readRnglist(ctx: RangeContext, offset: number): AddressRange[] {
  const sec = ctx.rnglists;
  if (!sec) throw new DwarfError('DW_AT_ranges without .debug_rnglists');
  return sec.parse(offset, (c: Cursor) => {
    const out: AddressRange[] = [];
    let base = ctx.base;
    const addr = (): SectionedAddress => {
      const at = offset + c.pos;
      return { value: c.addr(ctx.addressSize), sec: sec.targetOf(at) };
    };
    for (let n = 0; n < MAX_ENTRIES; n++) {
      const kind = c.u8();
      switch (kind) {
        case 0: // end_of_list
          return out;
        case 1: // base_addressx
          base = ctx.addrx(c.uleb());
          break;
        case 2: {
          // startx_endx
          const a = ctx.addrx(c.uleb());
          const b = ctx.addrx(c.uleb());
          out.push({ sec: a.sec, lo: a.value, hi: b.value });
          break;
        }
        case 3: {
          // startx_length
          const a = ctx.addrx(c.uleb());
          out.push({ sec: a.sec, lo: a.value, hi: a.value + c.ulebBig() });
          break;
        }
        case 4: {
          // offset_pair
          const lo = c.ulebBig();
          const hi = c.ulebBig();
          out.push({ sec: base.sec, lo: base.value + lo, hi: base.value + hi });
          break;
        }
        case 5: // base_address
          base = addr();
          break;
        case 6: {
          // start_end
          const a = addr();
          const b = addr();
          out.push({ sec: a.sec, lo: a.value, hi: b.value });
          break;
        }
        case 7: {
          // start_length
          const a = addr();
          out.push({ sec: a.sec, lo: a.value, hi: a.value + c.ulebBig() });
          break;
        }
        default:
          throw new DwarfError(`unknown range list entry ${kind}`);
      }
    }
    throw new DwarfError('range list too long');
  });
}

/** The ranges of a DWARF 2-4 list at `offset` in .debug_ranges. */
export function readDebugRanges(ctx: RangeContext, offset: number): AddressRange[] {
  const sec = ctx.ranges;
  if (!sec) throw new DwarfError('DW_AT_ranges without .debug_ranges');
  const size = ctx.addressSize;
  const max = size === 8 ? 0xffffffffffffffffn : (1n << BigInt(size * 8)) - 1n;
  return sec.parse(
    offset,
    (c: Cursor) => {
      const out: AddressRange[] = [];
      let base = ctx.base;
      for (let n = 0; n < MAX_ENTRIES; n++) {
        const at = offset + c.pos;
        const lo = c.addr(size);
        const hi = c.addr(size);
        if (lo === 0n && hi === 0n && sec.targetOf(at) === -1) return out;
        if (lo === max) {
          base = { value: hi, sec: sec.targetOf(at + size) };
          continue;
        }
        const s = sec.targetOf(at);
        out.push({ sec: s !== -1 ? s : base.sec, lo: base.value + lo, hi: base.value + hi });
      }
      throw new DwarfError('range list too long');
    },
    512,
  );
}

/** Reads the rnglistx-th offset of the unit's .debug_rnglists offset table. */
export function rnglistxOffset(sec: DebugSection, rnglistsBase: number, offsetSize: number, index: number): number {
  const at = rnglistsBase + index * offsetSize;
  const c = sec.cursor(at, offsetSize);
  return rnglistsBase + c.offset(offsetSize);
}

export function rangesContain(ranges: AddressRange[], address: bigint, sec: number): boolean {
  for (const r of ranges) {
    if (address >= r.lo && address < r.hi && (sec === -1 || r.sec === -1 || r.sec === sec)) return true;
  }
  return false;
}
