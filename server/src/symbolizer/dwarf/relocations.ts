// Relocatable objects (kernel modules, ET_REL): every reference in a .debug_* section is a
// relocation. The debug sections are read whole, the .rela/.rel entries applied (S + A), and for each
// patched address the section it points into is recorded, so that addresses are (section, offset)
// pairs like `addr2line --section`. Never used for executables (their relocations are for loading).
import { ObjectFileError } from '../byteSource.ts';
import { EM_386, EM_AARCH64, EM_ARM, EM_LOONGARCH, EM_PPC64, EM_RISCV, EM_S390, EM_X86_64, SHF_ALLOC, SHT_REL, SHT_RELA, type ElfFile } from '../elf.ts';

export interface RelocatedSection {
  data: Buffer;
  /** Offset in this section → ELF index of the section its relocated address points into. */
  targets: Map<number, number>;
}

/** Section indexes from here on are special (SHN_ABS, SHN_COMMON, ...). */
const SHN_LORESERVE = 0xff00;

type Op = 'set' | 'add' | 'sub' | 'set6' | 'sub6';
/** Relocation type → [size in bytes, operation]; absent types are left alone. */
const TYPES: Record<number, Record<number, [number, Op]>> = {
  [EM_X86_64]: { 1: [8, 'set'], 10: [4, 'set'], 11: [4, 'set'], 17: [8, 'set'], 21: [4, 'set'] },
  [EM_386]: { 1: [4, 'set'], 35: [4, 'set'] },
  [EM_AARCH64]: { 257: [8, 'set'], 258: [4, 'set'], 259: [2, 'set'] },
  [EM_ARM]: { 2: [4, 'set'] },
  [EM_PPC64]: { 1: [4, 'set'], 38: [8, 'set'] },
  [EM_S390]: { 4: [4, 'set'], 22: [8, 'set'] },
  [EM_RISCV]: {
    1: [4, 'set'],
    2: [8, 'set'],
    33: [1, 'add'],
    34: [2, 'add'],
    35: [4, 'add'],
    36: [8, 'add'],
    37: [1, 'sub'],
    38: [2, 'sub'],
    39: [4, 'sub'],
    40: [8, 'sub'],
    52: [1, 'sub6'],
    53: [1, 'set6'],
    54: [1, 'set'],
    55: [2, 'set'],
    56: [4, 'set'],
  },
  [EM_LOONGARCH]: {
    1: [4, 'set'],
    2: [8, 'set'],
    47: [1, 'add'],
    48: [2, 'add'],
    50: [4, 'add'],
    51: [8, 'add'],
    52: [1, 'sub'],
    53: [2, 'sub'],
    55: [4, 'sub'],
    56: [8, 'sub'],
  },
};

/** Reads each named debug section whole and applies its relocations. */
export function relocateDebugSections(elf: ElfFile, names: string[]): Map<string, RelocatedSection> {
  const out = new Map<string, RelocatedSection>();
  const byIndex = new Map<number, RelocatedSection>();
  for (const name of names) {
    const s = elf.section(name);
    if (!s) continue;
    const r: RelocatedSection = { data: Buffer.from(elf.data(s)), targets: new Map() };
    out.set(name, r);
    byIndex.set(s.index, r);
  }
  const types = TYPES[elf.machine] ?? {};
  let symbols: ReturnType<ElfFile['symbols']> | null = null;
  for (const rel of elf.sections) {
    if (rel.type !== SHT_RELA && rel.type !== SHT_REL) continue;
    const target = byIndex.get(rel.info);
    if (!target) continue;
    symbols ??= elf.symbols();
    const rela = rel.type === SHT_RELA;
    const entsize = elf.is64 ? (rela ? 24 : 16) : rela ? 12 : 8;
    const raw = elf.data(rel);
    const f = elf.reader(raw);
    const data = target.data;
    for (let b = 0; b + entsize <= raw.length; b += entsize) {
      let offset: number;
      let sym: number;
      let type: number;
      let addend = 0n;
      if (elf.is64) {
        const off = f.u64(b);
        if (off > BigInt(data.length)) continue;
        offset = Number(off);
        const info = f.u64(b + 8);
        sym = Number(info >> 32n);
        type = Number(info & 0xffffffffn);
        if (rela) addend = BigInt.asIntN(64, f.u64(b + 16));
      } else {
        offset = f.u32(b);
        const info = f.u32(b + 4);
        sym = info >>> 8;
        type = info & 0xff;
        if (rela) addend = BigInt(elf.littleEndian ? raw.readInt32LE(b + 8) : raw.readInt32BE(b + 8));
      }
      const how = types[type];
      if (!how) continue;
      const [size, op] = how;
      if (offset + size > data.length) continue;
      const s = symbols[sym];
      if (!s) continue;
      const value = s.value;
      if (!rela) addend = readValue(data, offset, size, elf.littleEndian);
      let v: bigint;
      switch (op) {
        case 'set':
          v = value + addend;
          break;
        case 'add':
          v = readValue(data, offset, size, elf.littleEndian) + value + addend;
          break;
        case 'sub':
          v = readValue(data, offset, size, elf.littleEndian) - value - addend;
          break;
        case 'set6':
          v = BigInt(data[offset] & 0xc0) | ((value + addend) & 0x3fn);
          break;
        case 'sub6':
          v = BigInt(data[offset] & 0xc0) | ((BigInt(data[offset] & 0x3f) - value - addend) & 0x3fn);
          break;
      }
      writeValue(data, offset, size, v, elf.littleEndian);
      if (op === 'set' && size >= 4 && s.shndx !== 0 && s.shndx < SHN_LORESERVE) {
        const sec = elf.sections[s.shndx];
        if (sec && sec.flags & SHF_ALLOC) target.targets.set(offset, s.shndx);
      }
    }
  }
  return out;
}

function readValue(data: Buffer, at: number, size: number, le: boolean): bigint {
  switch (size) {
    case 1:
      return BigInt(data[at]);
    case 2:
      return BigInt(le ? data.readUInt16LE(at) : data.readUInt16BE(at));
    case 4:
      return BigInt(le ? data.readUInt32LE(at) : data.readUInt32BE(at));
    case 8:
      return le ? data.readBigUInt64LE(at) : data.readBigUInt64BE(at);
  }
  throw new ObjectFileError(`relocation of ${size} bytes`);
}

function writeValue(data: Buffer, at: number, size: number, v: bigint, le: boolean): void {
  const u = BigInt.asUintN(size * 8, v);
  switch (size) {
    case 1:
      data[at] = Number(u);
      return;
    case 2:
      if (le) data.writeUInt16LE(Number(u), at);
      else data.writeUInt16BE(Number(u), at);
      return;
    case 4:
      if (le) data.writeUInt32LE(Number(u), at);
      else data.writeUInt32BE(Number(u), at);
      return;
    case 8:
      if (le) data.writeBigUInt64LE(u, at);
      else data.writeBigUInt64BE(u, at);
  }
}
