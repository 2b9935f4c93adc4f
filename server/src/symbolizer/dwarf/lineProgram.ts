// One unit's line-number program (.debug_line, DWARF 2-5): the header's directory and file tables
// joined into paths as llvm-symbolizer joins them, and every row (not only is_stmt rows) kept in
// per-sequence typed arrays for binary search. Addresses are a bigint base per sequence plus number
// offsets, so kernel addresses above 2^53 stay exact.
import { Cursor, DW_FORM, DwarfError, isStrxForm, readNumberForm, skipForm, unitLength, type FormContext } from './reader.ts';
import type { DebugSection } from './sections.ts';
import { upperBound } from '../../search.ts';

const DW_LNCT_path = 1;
const DW_LNCT_directory_index = 2;

/** Rows of the sequence being decoded (grown as needed, shared by all tables). */
const scratch = { offs: new Float64Array(4096), files: new Uint32Array(4096), lines: new Uint32Array(4096), cols: new Uint32Array(4096) };

function growScratch(): void {
  const size = scratch.offs.length * 2;
  const grow = <T extends Float64Array | Uint32Array>(a: T, b: T): T => {
    b.set(a);
    return b;
  };
  scratch.offs = grow(scratch.offs, new Float64Array(size));
  scratch.files = grow(scratch.files, new Uint32Array(size));
  scratch.lines = grow(scratch.lines, new Uint32Array(size));
  scratch.cols = grow(scratch.cols, new Uint32Array(size));
}

interface Sequence {
  sec: number;
  base: bigint;
  /** End address (exclusive) minus base. */
  end: number;
  offs: Float64Array | Uint32Array;
  files: Uint32Array | Uint16Array;
  lines: Uint32Array;
  cols: Uint32Array | Uint16Array;
}

/** The first n values in the smallest array type that holds them. */
function compact(a: Uint32Array, n: number): Uint32Array | Uint16Array {
  let max = 0;
  for (let i = 0; i < n; i++) if (a[i] > max) max = a[i];
  if (max >= 0x10000) return a.slice(0, n);
  // set() converts natively; TypedArray.from goes through the iterator protocol.
  const out = new Uint16Array(n);
  out.set(a.subarray(0, n));
  return out;
}

/** The first n offsets as a Uint32Array (they are below 2^32). */
function narrow(a: Float64Array, n: number): Uint32Array {
  const out = new Uint32Array(n);
  out.set(a.subarray(0, n));
  return out;
}

/** A directory or file entry; a name in a string section is decoded when first asked for. */
interface Entry {
  name: string | null;
  sec: DebugSection | null;
  off: number;
  dir: number;
}

export interface LineRow {
  file: string | null;
  line: number;
  column: number;
}

export interface LineContext {
  line: DebugSection;
  lineStr: DebugSection | null;
  str: DebugSection | null;
  compDir: string | null;
  /** The unit's address size, for DWARF < 5 headers that do not carry one. */
  addressSize: number;
}

export class LineTable {
  readonly version: number;
  private readonly dirs: Entry[] = [];
  private readonly fileNames: Entry[] = [];
  private readonly joined = new Map<number, string | null>();
  private readonly sequences: Sequence[] = [];
  readonly bytes: number;

  constructor(
    offset: number,
    private readonly ctx: LineContext,
  ) {
    const sec = ctx.line;
    const head = sec.cursor(offset, Math.min(12, sec.size - offset));
    const { length, offsetSize } = unitLength(head);
    const total = head.pos + length;
    if (offset + total > sec.size) throw new DwarfError(`line program at ${offset} runs past .debug_line`);
    const c = new Cursor(sec.transient(offset, total), 0, total, sec.littleEndian);
    c.pos = head.pos;
    const version = c.u16();
    if (version < 2 || version > 5) throw new DwarfError(`line program version ${version}`);
    this.version = version;
    let addressSize = ctx.addressSize;
    if (version >= 5) {
      addressSize = c.u8();
      c.u8(); // segment selector size
    }
    const headerLength = c.offset(offsetSize);
    const programStart = c.pos + headerLength;
    if (programStart > total) throw new DwarfError('line program header longer than its unit');
    const minInst = c.u8();
    const maxOps = version >= 4 ? c.u8() || 1 : 1;
    const defaultIsStmt = c.u8();
    void defaultIsStmt;
    const lineBase = c.i8();
    const lineRange = c.u8();
    const opcodeBase = c.u8();
    if (lineRange === 0) throw new DwarfError('line program with line_range 0');
    const opLengths: number[] = [0];
    for (let i = 1; i < opcodeBase; i++) opLengths.push(c.u8());
    const form: FormContext = { version: 5, addressSize, offsetSize };
    if (version >= 5) {
      const readEntries = (): Entry[] => {
        const fmtCount = c.u8();
        const fmt: number[] = [];
        for (let i = 0; i < fmtCount; i++) fmt.push(c.uleb(), c.uleb());
        const count = c.uleb();
        if (count > c.left) throw new DwarfError(`line program claims ${count} entries`);
        const out: Entry[] = [];
        for (let n = 0; n < count; n++) {
          const e: Entry = { name: '', sec: null, off: 0, dir: 0 };
          for (let i = 0; i < fmt.length; i += 2) {
            const kind = fmt[i];
            const f = fmt[i + 1];
            if (kind === DW_LNCT_path) this.readString(c, f, form, e);
            else if (kind === DW_LNCT_directory_index) e.dir = readNumberForm(c, f, form, 0);
            else skipForm(c, f, form);
          }
          out.push(e);
        }
        return out;
      };
      this.dirs.push(...readEntries());
      this.fileNames.push(...readEntries());
    } else {
      for (;;) {
        const d = c.cstr();
        if (!d) break;
        this.dirs.push({ name: d, sec: null, off: 0, dir: 0 });
      }
      this.fileNames.push({ name: '', sec: null, off: 0, dir: 0 }); // file numbers start at 1
      for (;;) {
        const name = c.cstr();
        if (!name) break;
        const dir = c.uleb();
        c.uleb();
        c.uleb();
        this.fileNames.push({ name, sec: null, off: 0, dir });
      }
    }
    c.pos = programStart;
    this.run(c, { minInst, maxOps, lineBase, lineRange, opcodeBase, opLengths, addressSize, offset });
    this.sequences.sort((a, b) => a.sec - b.sec || (a.base < b.base ? -1 : a.base > b.base ? 1 : 0));
    let bytes = 200 + this.fileNames.length * 64;
    for (const s of this.sequences) bytes += 96 + s.offs.byteLength + s.files.byteLength + s.lines.byteLength + s.cols.byteLength;
    this.bytes = bytes;
  }

  private readString(c: Cursor, form: number, u: FormContext, e: Entry): void {
    e.name = '';
    if (form === DW_FORM.string) e.name = c.cstr();
    else if (form === DW_FORM.line_strp || form === DW_FORM.strp) {
      const at = c.offset(u.offsetSize);
      const s = form === DW_FORM.line_strp ? this.ctx.lineStr : this.ctx.str;
      if (!s) throw new DwarfError('line program names a string section the object lacks');
      e.name = null;
      e.sec = s;
      e.off = at;
    } else if (isStrxForm(form)) readNumberForm(c, form, u, 0);
    else skipForm(c, form, u);
  }

  private static entryName(e: Entry): string {
    if (e.name === null) e.name = e.sec!.cstr(e.off);
    return e.name;
  }

  private run(
    c: Cursor,
    h: { minInst: number; maxOps: number; lineBase: number; lineRange: number; opcodeBase: number; opLengths: number[]; addressSize: number; offset: number },
  ): void {
    const targets = this.ctx.line;
    let sec = -1;
    let base = 0n;
    let addr = 0; // offset from base
    let opIndex = 0;
    let file = 1;
    let line = 1;
    let column = 0;
    let n = 0; // rows of the open sequence, in the scratch arrays
    const close = (endAt: number): void => {
      if (n && endAt > scratch.offs[0]) {
        // Rows from the first one at or after base only (a backwards advance would be garbage).
        this.sequences.push({
          sec,
          base,
          end: endAt,
          offs: endAt < 2 ** 32 ? narrow(scratch.offs, n) : scratch.offs.slice(0, n),
          files: compact(scratch.files, n),
          lines: scratch.lines.slice(0, n),
          cols: compact(scratch.cols, n),
        });
      }
      n = 0;
    };
    const reset = (): void => {
      sec = -1;
      base = 0n;
      addr = 0;
      opIndex = 0;
      file = 1;
      line = 1;
      column = 0;
    };
    const { minInst, maxOps, lineBase, lineRange, opcodeBase } = h;
    const buf = c.buf;
    let offs = scratch.offs;
    let files = scratch.files;
    let lines = scratch.lines;
    let cols = scratch.cols;
    const emit = (): void => {
      if (n === offs.length) {
        growScratch();
        ({ offs, files, lines, cols } = scratch);
      }
      offs[n] = addr;
      files[n] = file;
      lines[n] = line;
      cols[n] = column;
      n++;
    };
    const advance = (opAdvance: number): void => {
      if (maxOps === 1) addr += minInst * opAdvance;
      else {
        addr += minInst * Math.floor((opIndex + opAdvance) / maxOps);
        opIndex = (opIndex + opAdvance) % maxOps;
      }
    };
    const end = c.end;
    while (c.pos < end) {
      const op = buf[c.pos];
      if (op >= opcodeBase) {
        // Special opcode (the hot path): advance, add to line, emit a row.
        c.pos++;
        const adj = op - opcodeBase;
        if (maxOps === 1) addr += minInst * ((adj / lineRange) | 0);
        else advance((adj / lineRange) | 0);
        line += lineBase + (adj % lineRange);
        if (!(addr >= 0 && addr <= 2 ** 52)) throw new DwarfError('line program address out of range');
        if (n === offs.length) {
          growScratch();
          ({ offs, files, lines, cols } = scratch);
        }
        offs[n] = addr;
        files[n] = file;
        lines[n] = line;
        cols[n] = column;
        n++;
        continue;
      }
      c.pos++;
      switch (op) {
        case 0: {
          const len = c.uleb();
          if (len === 0 || len > c.left) throw new DwarfError('bad extended line opcode length');
          const next = c.pos + len;
          const sub = c.u8();
          if (sub === 1) {
            emit();
            close(addr);
            reset();
          } else if (sub === 2) {
            const at = h.offset + c.pos;
            const size = len - 1;
            const value = size === 8 || size === 4 || size === 2 || size === 1 ? c.addr(size) : c.addr(h.addressSize);
            const s = targets.targetOf(at);
            const delta = value - base;
            if (n && (s !== sec || delta < BigInt(addr) || delta > 2n ** 52n)) {
              // Not a forward move within this sequence: keep what we have as its own sequence.
              close(addr);
            }
            if (!n) {
              base = value;
              sec = s;
              addr = 0;
            } else addr = Number(delta);
            opIndex = 0;
          } else if (sub === 3) {
            const name = c.cstr();
            const dir = c.uleb();
            this.fileNames.push({ name, sec: null, off: 0, dir });
          }
          c.pos = next;
          break;
        }
        case 1: // copy
          emit();
          break;
        case 2:
          advance(c.uleb());
          break;
        case 3:
          line += c.sleb();
          break;
        case 4:
          file = c.uleb();
          break;
        case 5:
          column = c.uleb();
          break;
        case 8:
          advance(Math.floor((255 - h.opcodeBase) / h.lineRange));
          break;
        case 9:
          addr += c.u16();
          opIndex = 0;
          break;
        case 6:
        case 7:
        case 10:
        case 11:
          break;
        case 12:
          c.uleb();
          break;
        default:
          for (let i = 0; i < (h.opLengths[op] ?? 0); i++) c.uleb();
      }
      if (!(addr >= 0 && addr <= 2 ** 52)) throw new DwarfError('line program address out of range');
    }
  }

  /** The row covering the address: the last row at or before it in its sequence. */
  lookup(address: bigint, sec: number): LineRow | null {
    for (const s of this.sequences) {
      if (sec !== -1 && s.sec !== -1 && s.sec !== sec) continue;
      if (address < s.base) continue;
      const d = address - s.base;
      if (d >= BigInt(s.end)) continue;
      const x = Number(d);
      const o = s.offs;
      const i = upperBound(o, x) - 1; // the last row at or below x
      if (i < 0) continue;
      return { file: this.fileName(s.files[i]), line: s.lines[i], column: s.cols[i] };
    }
    return null;
  }

  /** The path of DWARF file number `index`, joined like llvm-symbolizer (absolute file path kind). */
  fileName(index: number): string | null {
    const hit = this.joined.get(index);
    if (hit !== undefined) return hit;
    const entry = this.fileNames[index];
    let result: string | null = null;
    if (entry && (this.version >= 5 || index > 0)) {
      const name = LineTable.entryName(entry);
      if (name.startsWith('/')) result = name;
      else {
        let includeDir = '';
        if (this.version >= 5) {
          if (entry.dir < this.dirs.length) includeDir = LineTable.entryName(this.dirs[entry.dir]);
        } else if (entry.dir > 0 && entry.dir <= this.dirs.length) includeDir = LineTable.entryName(this.dirs[entry.dir - 1]);
        const compDir = this.ctx.compDir ?? '';
        const parts: string[] = [];
        if ((this.version < 5 || entry.dir !== 0) && compDir && !includeDir.startsWith('/')) parts.push(compDir);
        result = appendPath(appendPath('', parts), [includeDir, name]);
      }
    }
    this.joined.set(index, result);
    return result;
  }
}

/** llvm::sys::path::append (POSIX style). */
function appendPath(path: string, components: string[]): string {
  for (const comp of components) {
    if (path.endsWith('/')) {
      path += comp.replace(/^\/+/, '');
      continue;
    }
    if (!comp.startsWith('/') && path !== '') path += '/';
    path += comp;
  }
  return path;
}
