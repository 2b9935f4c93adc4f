// One .debug_* section as the DWARF reader sees it: positional reads (an executable's sections stay
// on disk) or a relocated buffer (a module's), plus the relocation targets of its addresses.
import type { SectionView } from '../elf.ts';
import { Cursor, DwarfError, NeedMore } from './reader.ts';

/** Small reads (strings, range lists, abbreviations, .debug_addr slots) go through aligned blocks. */
const BLOCK = 16 << 10;
const MAX_BLOCKS = 32;
/** The buffer behind transient() reads (grown to the largest one). */
let shared = Buffer.alloc(0);

export class DebugSection {
  private readonly blocks = new Map<number, Buffer>();

  constructor(
    readonly name: string,
    private readonly view: SectionView,
    readonly littleEndian: boolean,
    /** ET_REL only: offset of a relocated address → the ELF section it points into. */
    readonly targets: Map<number, number> | null = null,
    /** Keep a small LRU of aligned blocks (sections read from disk in many small pieces). */
    private readonly blockCache = false,
  ) {}

  /** The cached block holding `offset` (read on a miss). */
  private block(offset: number): { buf: Buffer; start: number } {
    const start = offset - (offset % BLOCK);
    let buf = this.blocks.get(start);
    if (buf) {
      this.blocks.delete(start);
      this.blocks.set(start, buf);
    } else {
      buf = this.view.read(start, Math.min(BLOCK, this.view.size - start));
      this.blocks.set(start, buf);
      if (this.blocks.size > MAX_BLOCKS) this.blocks.delete(this.blocks.keys().next().value as number);
    }
    return { buf, start };
  }

  /** Bytes held by the block cache. */
  get cachedBytes(): number {
    return this.blocks.size * BLOCK;
  }

  get size(): number {
    return this.view.size;
  }

  /** Exactly `length` bytes at `offset`. */
  read(offset: number, length: number): Buffer {
    if (!(offset >= 0 && length >= 0 && offset + length <= this.view.size)) {
      throw new DwarfError(`${this.name}: ${length} bytes at ${offset} run past its ${this.view.size} bytes`);
    }
    if (this.blockCache && length <= BLOCK && (offset % BLOCK) + length <= BLOCK) {
      const { buf, start } = this.block(offset);
      return buf.subarray(offset - start, offset - start + length);
    }
    return this.view.read(offset, length);
  }

  /** Copies `length` bytes at `offset` into the start of `target` (no allocation when reading from a file). */
  readInto(offset: number, length: number, target: Buffer): void {
    if (!(offset >= 0 && length >= 0 && offset + length <= this.view.size)) {
      throw new DwarfError(`${this.name}: ${length} bytes at ${offset} run past its ${this.view.size} bytes`);
    }
    if (this.view.readInto) this.view.readInto(offset, length, target);
    else this.view.read(offset, length).copy(target, 0);
  }

  /**
   * Like read(), but the bytes may live in a buffer shared by every section and reused by the next
   * transient() call: for data decoded at once and never kept.
   */
  transient(offset: number, length: number): Buffer {
    if (!this.view.readInto || length <= BLOCK) return this.read(offset, length);
    if (!(offset >= 0 && length >= 0 && offset + length <= this.view.size)) {
      throw new DwarfError(`${this.name}: ${length} bytes at ${offset} run past its ${this.view.size} bytes`);
    }
    if (shared.length < length) shared = Buffer.allocUnsafeSlow(Math.max(length, shared.length * 2, 1 << 20));
    this.view.readInto(offset, length, shared);
    return shared.subarray(0, length);
  }

  /** A cursor over [offset, offset + length) (checked against the section). */
  cursor(offset: number, length: number): Cursor {
    return new Cursor(this.read(offset, length), 0, length, this.littleEndian);
  }

  /**
   * Runs `fn` on a window starting at `offset` for a structure whose length is not known before it is
   * parsed (a string, a range list, an abbreviation table): the window grows until `fn` fits.
   * Cursor positions handed to `fn` are relative to `offset`.
   */
  parse<T>(offset: number, fn: (c: Cursor) => T, first = 256): T {
    if (!(offset >= 0 && offset < this.view.size)) throw new DwarfError(`${this.name}: offset ${offset} outside its ${this.view.size} bytes`);
    if (this.blockCache) {
      // First try the rest of the cached block holding `offset`.
      const { buf, start } = this.block(offset);
      const length = buf.length - (offset - start);
      const partial = offset + length < this.view.size;
      const c = new Cursor(buf.subarray(offset - start), 0, length, this.littleEndian, partial);
      try {
        return fn(c);
      } catch (e) {
        if (!(e instanceof NeedMore) || !partial) throw e;
      }
      first = Math.max(first, length * 2);
    }
    for (let want = first; ; want *= 16) {
      const length = Math.min(want, this.view.size - offset);
      const partial = offset + length < this.view.size;
      const c = new Cursor(this.view.read(offset, length), 0, length, this.littleEndian, partial);
      try {
        return fn(c);
      } catch (e) {
        if (!(e instanceof NeedMore) || !partial) throw e;
      }
    }
  }

  cstr(offset: number): string {
    return this.parse(offset, (c) => c.cstr(), 128);
  }

  /** The section an address stored at `offset` points into; -1 when unknown or not relocatable. */
  targetOf(offset: number): number {
    return this.targets?.get(offset) ?? -1;
  }
}
