// One .debug_* section as the DWARF reader sees it: positional reads (an executable's sections stay
// on disk) or a relocated buffer (a module's), plus the relocation targets of its addresses.
import type { SectionView } from '../elf.ts';
import { Cursor, DwarfError, NeedMore } from './reader.ts';

export class DebugSection {
  constructor(
    readonly name: string,
    private readonly view: SectionView,
    readonly littleEndian: boolean,
    /** ET_REL only: offset of a relocated address → the ELF section it points into. */
    readonly targets: Map<number, number> | null = null,
  ) {}

  get size(): number {
    return this.view.size;
  }

  /** Exactly `length` bytes at `offset`. */
  read(offset: number, length: number): Buffer {
    if (!(offset >= 0 && length >= 0 && offset + length <= this.view.size)) {
      throw new DwarfError(`${this.name}: ${length} bytes at ${offset} run past its ${this.view.size} bytes`);
    }
    return this.view.read(offset, length);
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
