// ELF headers, sections, symbols and the GNU build id, read at offsets (never the whole file).
// ELF32/64, little and big endian, executables (vmlinux) and relocatable objects (modules).
// Malformed input throws ObjectFileError with a message for the user; sizes are checked against
// the file before anything is allocated.
import { inflateSync } from 'node:zlib';
import { decompress as zstdDecompress } from 'fzstd';
import { ObjectFileError, type ByteSource } from './byteSource.ts';

export const ET_REL = 1;
export const ET_EXEC = 2;
export const ET_DYN = 3;
export const SHT_SYMTAB = 2;
export const SHT_STRTAB = 3;
export const SHT_RELA = 4;
export const SHT_NOBITS = 8;
export const SHT_REL = 9;
export const SHT_NOTE = 7;
export const SHF_ALLOC = 0x2;
export const SHF_EXECINSTR = 0x4;
export const SHF_COMPRESSED = 0x800;
export const STT_NOTYPE = 0;
export const STT_OBJECT = 1;
export const STT_FUNC = 2;
export const STT_SECTION = 3;
export const SHN_UNDEF = 0;
export const SHN_ABS = 0xfff1;
export const SHN_COMMON = 0xfff2;
export const EM_386 = 3;
export const EM_PPC64 = 21;
export const EM_S390 = 22;
export const EM_ARM = 40;
export const EM_X86_64 = 62;
export const EM_AARCH64 = 183;
export const EM_RISCV = 243;
export const EM_LOONGARCH = 258;

/** A decompressed section is never larger than this (a fuzzed header must not allocate gigabytes). */
const MAX_DECOMPRESSED = 1 << 30;
/** Output bytes per compressed byte a section header may claim. */
const MAX_RATIO = 1100;

export interface ElfSection {
  index: number;
  name: string;
  type: number;
  flags: number;
  addr: bigint;
  offset: number;
  size: number;
  link: number;
  info: number;
  entsize: number;
}

export interface ElfSymbol {
  name: string;
  value: bigint;
  size: number;
  type: number;
  bind: number;
  shndx: number;
}

/** Bytes of one section, read at offsets within it. */
export interface SectionView {
  readonly size: number;
  read(offset: number, length: number): Buffer;
  /** Optional: reads into the start of `target` without allocating. */
  readInto?(offset: number, length: number, target: Buffer): void;
}

export class ElfFile {
  readonly is64: boolean;
  readonly littleEndian: boolean;
  readonly type: number;
  readonly machine: number;
  readonly sections: ElfSection[];
  private readonly byName = new Map<string, ElfSection>();
  private symbolCache: ElfSymbol[] | null = null;
  private readonly decompressed = new Map<number, Buffer>();

  constructor(
    readonly source: ByteSource,
    readonly path = '(object)',
  ) {
    if (source.size < 52) throw new ObjectFileError(`${path}: not an ELF file (${source.size} bytes)`);
    const ident = source.read(0, 16);
    if (ident.readUInt32BE(0) !== 0x7f454c46) throw new ObjectFileError(`${path}: not an ELF file (no \\x7fELF magic)`);
    if (ident[4] !== 1 && ident[4] !== 2) throw new ObjectFileError(`${path}: unknown ELF class ${ident[4]}`);
    if (ident[5] !== 1 && ident[5] !== 2) throw new ObjectFileError(`${path}: unknown ELF data encoding ${ident[5]}`);
    this.is64 = ident[4] === 2;
    this.littleEndian = ident[5] === 1;
    const header = source.read(0, this.is64 ? 64 : 52);
    const r = this.reader(header);
    this.type = r.u16(16);
    this.machine = r.u16(18);
    const shoff = this.is64 ? r.offset(0x28) : r.u32(0x20);
    const shentsize = r.u16(this.is64 ? 0x3a : 0x2e);
    let shnum = r.u16(this.is64 ? 0x3c : 0x30);
    let shstrndx = r.u16(this.is64 ? 0x3e : 0x32);
    const want = this.is64 ? 64 : 40;
    if (shoff === 0) throw new ObjectFileError(`${path}: ELF file without section headers`);
    if (shentsize < want) throw new ObjectFileError(`${path}: section header entries of ${shentsize} bytes (want ${want})`);
    if (shoff >= source.size) throw new ObjectFileError(`${path}: truncated (section headers at ${shoff}, file has ${source.size} bytes)`);
    if (shnum === 0 || shstrndx === 0xffff) {
      // More than 0xff00 sections: the real counts are in section header 0.
      const first = this.reader(source.read(shoff, want));
      if (shnum === 0) shnum = this.is64 ? first.offset(0x20) : first.u32(0x14);
      if (shstrndx === 0xffff) shstrndx = first.u32(this.is64 ? 0x2c : 0x18);
    }
    if (shnum * shentsize > source.size - shoff) throw new ObjectFileError(`${path}: truncated (${shnum} section headers do not fit)`);
    const table = this.reader(source.read(shoff, shnum * shentsize));
    const raw: Omit<ElfSection, 'name'>[] & { nameOffset?: number }[] = [];
    const nameOffsets: number[] = [];
    for (let i = 0; i < shnum; i++) {
      const b = i * shentsize;
      nameOffsets.push(table.u32(b));
      raw.push(
        this.is64
          ? {
              index: i,
              type: table.u32(b + 4),
              flags: Number(table.u64(b + 8) & 0xffffffffn),
              addr: table.u64(b + 0x10),
              offset: table.offset(b + 0x18),
              size: table.offset(b + 0x20),
              link: table.u32(b + 0x28),
              info: table.u32(b + 0x2c),
              entsize: table.offset(b + 0x38),
            }
          : {
              index: i,
              type: table.u32(b + 4),
              flags: table.u32(b + 8),
              addr: BigInt(table.u32(b + 0xc)),
              offset: table.u32(b + 0x10),
              size: table.u32(b + 0x14),
              link: table.u32(b + 0x18),
              info: table.u32(b + 0x1c),
              entsize: table.u32(b + 0x24),
            },
      );
    }
    let names: Buffer | null = null;
    const strtab = raw[shstrndx];
    if (strtab && strtab.type !== SHT_NOBITS && strtab.offset + strtab.size <= source.size) names = source.read(strtab.offset, strtab.size);
    this.sections = raw.map((s, i) => ({ ...s, name: names ? cString(names, nameOffsets[i]) : '' }));
    for (const s of this.sections) if (s.name && !this.byName.has(s.name)) this.byName.set(s.name, s);
  }

  section(name: string): ElfSection | undefined {
    return this.byName.get(name);
  }

  /** The section's bytes on demand; a compressed section (SHF_COMPRESSED) is inflated once and kept. */
  view(section: ElfSection): SectionView {
    if (section.type === SHT_NOBITS) return new BufferView(Buffer.alloc(0));
    if (section.offset + section.size > this.source.size)
      throw new ObjectFileError(`${this.path}: section ${section.name} runs past the end of the file (truncated?)`);
    if (section.flags & SHF_COMPRESSED) return new BufferView(this.decompress(section));
    const { source } = this;
    const base = section.offset;
    const size = section.size;
    return {
      size,
      read(offset: number, length: number): Buffer {
        if (offset < 0 || length < 0 || offset + length > size)
          throw new ObjectFileError(`${section.name}: read of ${length} bytes at ${offset} past its ${size} bytes`);
        return source.read(base + offset, length);
      },
      readInto: source.readInto
        ? (offset: number, length: number, target: Buffer): void => {
            if (offset < 0 || length < 0 || offset + length > size)
              throw new ObjectFileError(`${section.name}: read of ${length} bytes at ${offset} past its ${size} bytes`);
            source.readInto!(base + offset, length, target);
          }
        : undefined,
    };
  }

  /** The whole section (small ones: symbol and string tables, notes, a module's debug sections). */
  data(section: ElfSection): Buffer {
    const v = this.view(section);
    return v.read(0, v.size);
  }

  symbols(): ElfSymbol[] {
    if (this.symbolCache) return this.symbolCache;
    const symtab = this.sections.find((s) => s.type === SHT_SYMTAB);
    if (!symtab) return (this.symbolCache = []);
    const strtab = this.sections[symtab.link];
    if (!strtab) throw new ObjectFileError(`${this.path}: .symtab links to missing string table ${symtab.link}`);
    const names = this.data(strtab);
    const data = this.data(symtab);
    const size = this.is64 ? 24 : 16;
    const r = this.reader(data);
    const out: ElfSymbol[] = [];
    for (let b = 0; b + size <= data.length; b += size) {
      const info = this.is64 ? data[b + 4] : data[b + 12];
      out.push({
        name: cString(names, r.u32(b)),
        value: this.is64 ? r.u64(b + 8) : BigInt(r.u32(b + 4)),
        size: this.is64 ? r.offset(b + 16) : r.u32(b + 8),
        type: info & 0xf,
        bind: info >> 4,
        shndx: r.u16(this.is64 ? b + 6 : b + 14),
      });
    }
    return (this.symbolCache = out);
  }

  /** The GNU build id (hex), from the notes; null when there is none. */
  buildId(): string | null {
    for (const s of this.sections) {
      if (s.type !== SHT_NOTE || s.size > 1 << 20) continue;
      const data = this.data(s);
      const r = this.reader(data);
      for (let b = 0; b + 12 <= data.length; ) {
        const namesz = r.u32(b);
        const descsz = r.u32(b + 4);
        const type = r.u32(b + 8);
        const nameAt = b + 12;
        const descAt = nameAt + align4(namesz);
        if (descAt + descsz > data.length) break;
        if (type === 3 && namesz === 4 && data.toString('latin1', nameAt, nameAt + 3) === 'GNU') return data.toString('hex', descAt, descAt + descsz);
        b = descAt + align4(descsz);
      }
    }
    return null;
  }

  /** The file name from `.gnu_debuglink`, if any (a stripped object naming its debug file). */
  debugLink(): string | null {
    const s = this.section('.gnu_debuglink');
    return s ? cString(this.data(s), 0) || null : null;
  }

  close(): void {
    this.decompressed.clear();
    this.source.close();
  }

  reader(buffer: Buffer): FieldReader {
    return new FieldReader(buffer, this.littleEndian);
  }

  private decompress(section: ElfSection): Buffer {
    const hit = this.decompressed.get(section.index);
    if (hit) return hit;
    const raw = this.source.read(section.offset, section.size);
    const hsize = this.is64 ? 24 : 12;
    if (raw.length < hsize) throw new ObjectFileError(`${this.path}: compressed section ${section.name} is truncated`);
    const r = this.reader(raw);
    const kind = r.u32(0);
    const size = this.is64 ? r.offset(8) : r.u32(4);
    // zlib cannot expand more than ~1032:1; debug sections compress ~3-10:1 with zstd too. A claim
    // beyond that is a broken header, refused before `size` bytes are allocated for the output.
    if (size > MAX_DECOMPRESSED || size > raw.length * MAX_RATIO + (1 << 20))
      throw new ObjectFileError(`${this.path}: compressed section ${section.name} claims ${size} bytes from ${raw.length}`);
    let out: Buffer;
    try {
      if (kind === 1) out = inflateSync(raw.subarray(hsize), { maxOutputLength: Math.max(size, 1) });
      else if (kind === 2) out = Buffer.from(zstdDecompress(raw.subarray(hsize), new Uint8Array(size)));
      else throw new ObjectFileError(`${this.path}: section ${section.name} uses compression type ${kind} (known: 1 zlib, 2 zstd)`);
    } catch (e) {
      if (e instanceof ObjectFileError) throw e;
      throw new ObjectFileError(`${this.path}: compressed section ${section.name} does not decompress (${(e as Error).message})`);
    }
    if (out.length !== size) throw new ObjectFileError(`${this.path}: section ${section.name} decompressed to ${out.length} bytes, header says ${size}`);
    this.decompressed.set(section.index, out);
    return out;
  }
}

export class FieldReader {
  constructor(
    readonly buffer: Buffer,
    readonly littleEndian: boolean,
  ) {}
  u8(at: number): number {
    return this.buffer.readUInt8(at);
  }
  u16(at: number): number {
    return this.littleEndian ? this.buffer.readUInt16LE(at) : this.buffer.readUInt16BE(at);
  }
  u32(at: number): number {
    return this.littleEndian ? this.buffer.readUInt32LE(at) : this.buffer.readUInt32BE(at);
  }
  u64(at: number): bigint {
    return this.littleEndian ? this.buffer.readBigUInt64LE(at) : this.buffer.readBigUInt64BE(at);
  }
  /** A 64-bit file offset or size: must fit a JS number (larger means a broken file). */
  offset(at: number): number {
    const v = this.u64(at);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new ObjectFileError(`an offset or size of ${v} bytes (a broken ELF file)`);
    return Number(v);
  }
}

export function cString(buffer: Buffer, at: number): string {
  if (at < 0 || at >= buffer.length) return '';
  const end = buffer.indexOf(0, at);
  return buffer.toString('latin1', at, end < 0 ? buffer.length : end);
}

/** Arithmetic, not bitwise: note sizes are u32, and `& ~3` on 2^31 and above goes negative. */
function align4(n: number): number {
  return n + ((4 - (n % 4)) % 4);
}

class BufferView implements SectionView {
  constructor(private readonly buffer: Buffer) {}
  get size(): number {
    return this.buffer.length;
  }
  read(offset: number, length: number): Buffer {
    if (offset < 0 || length < 0 || offset + length > this.buffer.length)
      throw new ObjectFileError(`read of ${length} bytes at ${offset} past ${this.buffer.length}`);
    return this.buffer.subarray(offset, offset + length);
  }
}
