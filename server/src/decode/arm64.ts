// arm64 values as tables: the exception syndrome register ESR_ELx (exception class, IL, ISS; the
// data/instruction abort fields and fault status codes; the BRK immediate) and `pstate`.
// Sources: the kernel's arch/arm64/include/asm/esr.h (class names), arch/arm64/kernel/traps.c
// (esr_class_str), arch/arm64/mm/fault.c (fault_info[] texts), arch/arm64/include/asm/brk-imm.h,
// arch/arm64/kernel/process.c (__show_regs' pstate text) and the Arm ARM (ESR_EL1, SPSR_EL1).
// Pure: no LSP types. The hover words the answers.

export interface EsrClass {
  ec: number;
  /** The kernel's macro suffix: ESR_ELx_EC_<name>. */
  name: string;
  /** As the kernel prints it (`EC = 0x25: DABT (current EL)`). */
  text: string;
  meaning: string;
}

/** Every exception class esr.h names, by EC. */
export const ESR_CLASSES: readonly EsrClass[] = [
  { ec: 0x00, name: 'UNKNOWN', text: 'Unknown/Uncategorized', meaning: 'an unknown reason, often an undefined instruction (UNDEF)' },
  { ec: 0x01, name: 'WFx', text: 'WFI/WFE', meaning: 'a trapped WFI or WFE instruction' },
  { ec: 0x03, name: 'CP15_32', text: 'CP15 MCR/MRC', meaning: 'a trapped AArch32 MCR/MRC access to CP15' },
  { ec: 0x04, name: 'CP15_64', text: 'CP15 MCRR/MRRC', meaning: 'a trapped AArch32 MCRR/MRRC access to CP15' },
  { ec: 0x05, name: 'CP14_MR', text: 'CP14 MCR/MRC', meaning: 'a trapped AArch32 MCR/MRC access to CP14' },
  { ec: 0x06, name: 'CP14_LS', text: 'CP14 LDC/STC', meaning: 'a trapped AArch32 LDC/STC access to CP14' },
  { ec: 0x07, name: 'FP_ASIMD', text: 'ASIMD', meaning: 'an access to SIMD or floating point while it was disabled (lazy FP state)' },
  { ec: 0x08, name: 'CP10_ID', text: 'CP10 MRC/VMRS', meaning: 'a trapped VMRS access to a floating-point ID register (EL2)' },
  { ec: 0x09, name: 'PAC', text: 'PAC', meaning: 'a trapped pointer-authentication instruction (EL2 and above)' },
  { ec: 0x0a, name: 'OTHER', text: 'LD64B/ST64B', meaning: 'a trapped LD64B/ST64B or other instruction' },
  { ec: 0x0c, name: 'CP14_64', text: 'CP14 MCRR/MRRC', meaning: 'a trapped AArch32 MCRR/MRRC access to CP14' },
  {
    ec: 0x0d,
    name: 'BTI',
    text: 'BTI',
    meaning: 'a branch target identification exception: an indirect branch to an instruction that is no valid landing pad',
  },
  { ec: 0x0e, name: 'ILL', text: 'PSTATE.IL', meaning: 'an illegal execution state (PSTATE.IL set)' },
  { ec: 0x11, name: 'SVC32', text: 'SVC (AArch32)', meaning: 'an SVC instruction in AArch32 (a compat system call)' },
  { ec: 0x12, name: 'HVC32', text: 'HVC (AArch32)', meaning: 'an HVC instruction in AArch32' },
  { ec: 0x13, name: 'SMC32', text: 'SMC (AArch32)', meaning: 'an SMC instruction in AArch32' },
  { ec: 0x15, name: 'SVC64', text: 'SVC (AArch64)', meaning: 'an SVC instruction: a system call' },
  { ec: 0x16, name: 'HVC64', text: 'HVC (AArch64)', meaning: 'an HVC instruction: a hypervisor call' },
  { ec: 0x17, name: 'SMC64', text: 'SMC (AArch64)', meaning: 'an SMC instruction: a secure monitor call' },
  { ec: 0x18, name: 'SYS64', text: 'MSR/MRS (AArch64)', meaning: 'a trapped MSR, MRS or system instruction (an access to a system register not allowed here)' },
  { ec: 0x19, name: 'SVE', text: 'SVE', meaning: 'an SVE instruction while SVE was disabled' },
  { ec: 0x1a, name: 'ERET', text: 'ERET/ERETAA/ERETAB', meaning: 'a trapped ERET (EL2)' },
  { ec: 0x1c, name: 'FPAC', text: 'FPAC', meaning: 'a pointer-authentication failure (FEAT_FPAC): a corrupted or forged return address or pointer' },
  { ec: 0x1d, name: 'SME', text: 'SME', meaning: 'an SME instruction while SME was disabled' },
  { ec: 0x1f, name: 'IMP_DEF', text: 'EL3 IMP DEF', meaning: 'an implementation-defined exception to EL3' },
  {
    ec: 0x20,
    name: 'IABT_LOW',
    text: 'IABT (lower EL)',
    meaning: 'an instruction abort from a lower exception level (user space): a fault fetching an instruction',
  },
  {
    ec: 0x21,
    name: 'IABT_CUR',
    text: 'IABT (current EL)',
    meaning: 'an instruction abort in the kernel itself: a fault fetching an instruction (a jump to a bad address)',
  },
  { ec: 0x22, name: 'PC_ALIGN', text: 'PC Alignment', meaning: 'a misaligned program counter (a jump to an address not a multiple of 4)' },
  { ec: 0x24, name: 'DABT_LOW', text: 'DABT (lower EL)', meaning: 'a data abort from a lower exception level (user space): a fault on a load or store' },
  { ec: 0x25, name: 'DABT_CUR', text: 'DABT (current EL)', meaning: 'a data abort in the kernel itself: a fault on a load or store' },
  { ec: 0x26, name: 'SP_ALIGN', text: 'SP Alignment', meaning: 'a misaligned stack pointer' },
  { ec: 0x27, name: 'MOPS', text: 'MOPS', meaning: 'a memory copy/set (FEAT_MOPS) instruction exception' },
  { ec: 0x28, name: 'FP_EXC32', text: 'FP (AArch32)', meaning: 'a trapped floating-point exception in AArch32' },
  { ec: 0x2c, name: 'FP_EXC64', text: 'FP (AArch64)', meaning: 'a trapped floating-point exception' },
  { ec: 0x2d, name: 'GCS', text: 'GCS', meaning: 'a guarded control stack exception: a return address that does not match the shadow stack' },
  { ec: 0x2f, name: 'SERROR', text: 'SError', meaning: 'an SError interrupt: an asynchronous external abort, usually a hardware or bus error' },
  { ec: 0x30, name: 'BREAKPT_LOW', text: 'Breakpoint (lower EL)', meaning: 'a hardware breakpoint in a lower exception level' },
  { ec: 0x31, name: 'BREAKPT_CUR', text: 'Breakpoint (current EL)', meaning: 'a hardware breakpoint in the kernel' },
  { ec: 0x32, name: 'SOFTSTP_LOW', text: 'Software Step (lower EL)', meaning: 'a single step in a lower exception level' },
  { ec: 0x33, name: 'SOFTSTP_CUR', text: 'Software Step (current EL)', meaning: 'a single step in the kernel' },
  { ec: 0x34, name: 'WATCHPT_LOW', text: 'Watchpoint (lower EL)', meaning: 'a hardware watchpoint hit from a lower exception level' },
  { ec: 0x35, name: 'WATCHPT_CUR', text: 'Watchpoint (current EL)', meaning: 'a hardware watchpoint hit in the kernel' },
  { ec: 0x38, name: 'BKPT32', text: 'BKPT (AArch32)', meaning: 'a BKPT instruction in AArch32' },
  { ec: 0x3a, name: 'VECTOR32', text: 'Vector catch (AArch32)', meaning: 'a vector catch in AArch32 (EL2)' },
  {
    ec: 0x3c,
    name: 'BRK64',
    text: 'BRK (AArch64)',
    meaning: 'a BRK instruction: the trap the kernel uses for `BUG()`/`WARN()`, KASAN, UBSAN, kCFI and kprobes (see the immediate)',
  },
];

export function esrClass(ec: number): EsrClass | null {
  return ESR_CLASSES.find((c) => c.ec === ec) ?? null;
}

export interface FaultStatus {
  code: number;
  /** As the kernel's fault_info[] prints it (`level 0 translation fault`). */
  text: string;
  meaning: string;
  /** The translation level, -1..3, when the code names one. */
  level?: number;
}

function levels(base: number, from: number, kind: string, meaning: string): FaultStatus[] {
  const out: FaultStatus[] = [];
  for (let level = from; level <= 3; level++) out.push({ code: base + level, text: `level ${level} ${kind}`, meaning, level });
  return out;
}

/** The data/instruction fault status codes (DFSC/IFSC, ISS bits 5:0). */
export const FAULT_STATUS: readonly FaultStatus[] = [
  ...levels(0x00, 0, 'address size fault', 'an address wider than the configured physical or virtual address size (a corrupt page table or pointer)'),
  ...levels(
    0x04,
    0,
    'translation fault',
    'no valid mapping at this level of the page tables: the address is not mapped (a NULL or wild pointer, or an unmapped page)',
  ),
  ...levels(0x08, 0, 'access flag fault', 'the page is mapped but its access flag is clear (normally handled silently by the kernel)'),
  ...levels(
    0x0c,
    0,
    'permission fault',
    'the page is mapped but the access is not allowed: a write to read-only memory, execution of non-executable memory, or a PAN violation (kernel access to user memory)',
  ),
  { code: 0x10, text: 'synchronous external abort', meaning: 'the memory system returned an error for this access (a bus or device error)' },
  {
    code: 0x11,
    text: 'synchronous tag check fault',
    meaning: 'the MTE tag of the pointer does not match the memory (KASAN hardware tags or MTE): a use after free or out-of-bounds access',
  },
  { code: 0x13, text: 'level -1 (translation table walk)', meaning: 'an external abort on a translation table walk', level: -1 },
  ...levels(0x14, 0, 'synchronous abort (translation table walk)', 'an external abort while walking the page tables'),
  { code: 0x18, text: 'synchronous parity or ECC error', meaning: 'a parity or ECC error on the memory access (a hardware error)' },
  { code: 0x1b, text: 'level -1 synchronous parity error (translation table walk)', meaning: 'a parity or ECC error while walking the page tables', level: -1 },
  ...levels(0x1c, 0, 'synchronous parity error (translation table walk)', 'a parity or ECC error while walking the page tables'),
  { code: 0x21, text: 'alignment fault', meaning: 'a misaligned access to memory that requires alignment (device memory, exclusives, atomics)' },
  {
    code: 0x23,
    text: 'level -1 granule protection fault (translation table walk)',
    meaning: 'a granule protection check failed (Realm Management Extension)',
    level: -1,
  },
  ...levels(
    0x24,
    0,
    'granule protection fault (translation table walk)',
    'a granule protection check failed on a page-table walk (Realm Management Extension)',
  ),
  { code: 0x28, text: 'granule protection fault', meaning: 'a granule protection check failed (Realm Management Extension)' },
  { code: 0x29, text: 'level -1 address size fault', meaning: 'an address wider than the configured size (52-bit VA tables)', level: -1 },
  { code: 0x2b, text: 'level -1 translation fault', meaning: 'no valid mapping at level -1 (52-bit VA tables)', level: -1 },
  { code: 0x30, text: 'TLB conflict abort', meaning: 'several TLB entries matched the address (a page-table update without the break-before-make sequence)' },
  {
    code: 0x31,
    text: 'Unsupported atomic hardware update fault',
    meaning: 'an atomic update of a page-table entry (access flag, dirty state) the memory does not support',
  },
  { code: 0x34, text: 'implementation fault (lockdown abort)', meaning: 'an IMPLEMENTATION DEFINED fault (lockdown)' },
  {
    code: 0x35,
    text: 'implementation fault (unsupported exclusive)',
    meaning: 'an IMPLEMENTATION DEFINED fault (an exclusive or atomic access the memory does not support)',
  },
  { code: 0x3d, text: 'section domain fault', meaning: 'a domain fault on a section (AArch32 short descriptors)' },
  { code: 0x3e, text: 'page domain fault', meaning: 'a domain fault on a page (AArch32 short descriptors)' },
];

export function faultStatus(code: number): FaultStatus | null {
  return FAULT_STATUS.find((f) => f.code === code) ?? null;
}

export interface BrkMeaning {
  imm: number;
  /** brk-imm.h's name. */
  name: string;
  meaning: string;
}

const BRK_EXACT = new Map<number, [string, string]>([
  [0x004, ['KPROBES_BRK_IMM', 'a kprobe']],
  [0x005, ['UPROBES_BRK_IMM', 'a uprobe']],
  [0x006, ['KPROBES_BRK_SS_IMM', 'a kprobe single step']],
  [0x007, ['KRETPROBES_BRK_IMM', 'a kretprobe trampoline']],
  [0x100, ['FAULT_BRK_IMM', 'a fault trap the kernel plants (e.g. in an unpatched alternative or a BPF image)']],
  [0x400, ['KGDB_DYN_DBG_BRK_IMM', 'a KGDB dynamic breakpoint']],
  [0x401, ['KGDB_COMPILED_DBG_BRK_IMM', 'a KGDB compiled-in breakpoint']],
  [0x800, ['BUG_BRK_IMM', '`BUG()` or `WARN()`: a bug site (the report names it)']],
]);

/** The BRK immediates of arch/arm64/include/asm/brk-imm.h (ranges: their base). */
export function brkMeaning(imm: number): BrkMeaning {
  const hit = BRK_EXACT.get(imm);
  if (hit) return { imm, name: hit[0], meaning: hit[1] };
  if ((imm & ~0xff) === 0x900) {
    const size = 1 << (imm & 0xf);
    return {
      imm,
      name: 'KASAN_BRK_IMM',
      meaning: `a KASAN software-tag check failed: a ${imm & 0x10 ? 'write' : 'read'} of ${size} byte${size > 1 ? 's' : ''}${imm & 0x20 ? ' (recoverable)' : ''} with a pointer whose tag does not match the memory`,
    };
  }
  if ((imm & ~0xff) === 0x5500) return { imm, name: 'UBSAN_BRK_IMM', meaning: `a UBSAN check (type ${imm & 0xff}) in trap mode: undefined behaviour` };
  if (imm >= 0x8000 && imm <= 0x83ff)
    return { imm, name: 'CFI_BRK_IMM_BASE', meaning: 'a kCFI check failed: an indirect call to a function whose type does not match (control-flow integrity)' };
  return { imm, name: '', meaning: 'an immediate the kernel does not define (a BRK left in code, or a debugger’s)' };
}

export interface EsrField {
  name: string;
  value: number;
  /** What the value says. */
  text: string;
}

export interface EsrDecoded {
  value: bigint;
  ec: number;
  cls: EsrClass | null;
  /** 32-bit instruction (IL = 1) or 16-bit (Thumb). */
  il32: boolean;
  iss: number;
  iss2: number;
  /** For aborts: the ISS fields, in the order the kernel prints them; empty otherwise. */
  fields: EsrField[];
  fault: FaultStatus | null;
  /** For BRK64: the immediate's meaning. */
  brk: BrkMeaning | null;
  /** A data abort (DABT_LOW/DABT_CUR). */
  dataAbort: boolean;
  /** A data abort that wrote (WnR = 1 and not a cache maintenance). */
  write: boolean;
}

const bits = (v: number, hi: number, lo: number) => (v >>> lo) & ((1 << (hi - lo + 1)) - 1);

/** What one ISS field of an abort means at its value (the hover's words). */
export function abortFieldText(name: string, value: number): string | null {
  switch (name) {
    case 'ISV':
      return value
        ? 'instruction syndrome valid: SAS, SSE, SRT, SF and AR describe the access'
        : 'no instruction syndrome (SAS, SSE, SRT, SF, AR are not valid)';
    case 'SAS':
      return `access size: ${['byte', 'halfword (2 bytes)', 'word (4 bytes)', 'doubleword (8 bytes)'][value & 3]}`;
    case 'SSE':
      return value ? 'the loaded value is sign-extended' : 'no sign extension';
    case 'SRT':
      return `the register transferred: x${value}/w${value}`;
    case 'SF':
      return value ? 'a 64-bit register (x)' : 'a 32-bit register (w)';
    case 'AR':
      return value ? 'acquire/release semantics (ldar/stlr)' : 'no acquire/release semantics';
    case 'VNCR':
      return value ? 'a VNCR_EL2 access (nested virtualization)' : 'not a VNCR_EL2 access';
    case 'SET':
      return `synchronous error type: ${['recoverable (UER)', 'uncontainable (UC)', 'restartable (UEO)', 'corrected (CE)'][value & 3]} (valid for external aborts)`;
    case 'FnV':
      return value ? 'FAR is not valid: the faulting address is unknown' : 'FAR is valid: the faulting address printed is the real one';
    case 'EA':
      return value ? 'an external abort (the memory system reported an error)' : 'not an external abort';
    case 'CM':
      return value ? 'a cache maintenance or address translation instruction faulted' : 'not a cache maintenance instruction';
    case 'S1PTW':
      return value ? 'the fault was on a stage 2 walk for a stage 1 page-table access' : 'not on a stage 2 walk of a stage 1 table';
    case 'WnR':
      return value ? 'a **write** (or a read-modify-write)' : 'a **read**';
    case 'TnD':
      return value ? 'a tag access fault (MTE tag not accessible)' : 'not a tag-not-data fault';
    case 'TagAccess':
      return value ? 'the access was an MTE tag access' : 'not an MTE tag access';
    case 'GCS':
      return value ? 'a guarded control stack access' : 'not a guarded control stack access';
    case 'Overlay':
      return value ? 'a permission overlay (POE) fault' : 'not a permission overlay fault';
    case 'DirtyBit':
      return value ? 'the fault was on the dirty state of a page (hardware dirty bit management)' : 'not a dirty-state fault';
    case 'Xs':
      return `extended syndrome ${value}`;
    case 'IL':
      return value ? 'a 32-bit instruction' : 'a 16-bit instruction (AArch32 Thumb)';
    default:
      return null;
  }
}

/** Decodes an ESR_ELx value (hex digits, with or without 0x). Null when it is no hex number. */
export function decodeEsr(hex: string): EsrDecoded | null {
  const t = hex.replace(/^0x/i, '');
  if (!/^[0-9a-f]{1,16}$/i.test(t)) return null;
  const value = BigInt('0x' + t);
  const low = Number(value & 0xffffffffn);
  const iss2 = Number((value >> 32n) & 0xffffffn);
  const ec = bits(low, 31, 26);
  const iss = bits(low, 24, 0);
  const dataAbort = ec === 0x24 || ec === 0x25;
  const instrAbort = ec === 0x20 || ec === 0x21;
  const fields: EsrField[] = [];
  const add = (name: string, v: number) => fields.push({ name, value: v, text: abortFieldText(name, v) ?? '' });
  let fault: FaultStatus | null = null;
  if (dataAbort || instrAbort) {
    if (dataAbort) {
      const isv = bits(iss, 24, 24);
      add('ISV', isv);
      if (isv) {
        add('SAS', bits(iss, 23, 22));
        add('SSE', bits(iss, 21, 21));
        add('SRT', bits(iss, 20, 16));
        add('SF', bits(iss, 15, 15));
        add('AR', bits(iss, 14, 14));
      }
    }
    add('SET', bits(iss, 12, 11));
    add('FnV', bits(iss, 10, 10));
    add('EA', bits(iss, 9, 9));
    if (dataAbort) add('CM', bits(iss, 8, 8));
    add('S1PTW', bits(iss, 7, 7));
    if (dataAbort) add('WnR', bits(iss, 6, 6));
    if (dataAbort && iss2) {
      add('TnD', bits(iss2, 10, 10));
      add('TagAccess', bits(iss2, 9, 9));
      add('GCS', bits(iss2, 8, 8));
      add('Overlay', bits(iss2, 6, 6));
      add('DirtyBit', bits(iss2, 5, 5));
      add('Xs', bits(iss2, 4, 0));
    }
    fault = faultStatus(bits(iss, 5, 0));
  }
  const cm = dataAbort && bits(iss, 8, 8) === 1;
  return {
    value,
    ec,
    cls: esrClass(ec),
    il32: bits(low, 25, 25) === 1,
    iss,
    iss2,
    fields,
    fault,
    brk: ec === 0x3c ? brkMeaning(iss & 0xffff) : null,
    dataAbort,
    write: dataAbort && !cm && bits(iss, 6, 6) === 1,
  };
}

export interface ValueAt {
  /** Offsets in the line's text. */
  start: number;
  end: number;
}

export interface Arm64LineField extends ValueAt {
  /** ESR, EC, FSC, ISS, ISS2 or an abort field (ISV, WnR, ...). */
  name: string;
  /** The value as printed (hex with 0x, or decimal). */
  value: string;
}

const ESR_VALUE = /\b(?:ESR|esr)(?: = | |: |=)(0x[0-9a-f]{1,16})\b/g;
const ESR_AS_CODE = /\bInternal error: [A-Za-z][\w /-]*: ([0-9a-f]{8}|[0-9a-f]{16})(?= \[#)/;
const BAD_MODE = /(?:\bBad mode in [A-Za-z ]+ handler detected on CPU\d+|\bSError Interrupt on CPU\d+), code (0x[0-9a-f]{8,16})\b/;
// The lines under `Mem abort info:`/`Data abort info:` start with one of these (after the prefix).
const ABORT_INFO_LINE = /(?:^|[\]:]\s*|\s{2})(?:EC|FSC|ISV|SET|EA|CM|GCS|SAS|TnD) = (?:0x[0-9a-f]+|\d)/;
const FIELD = /\b(EC|FSC|DFSC|IFSC|ISS2?|ISV|SAS|SSE|SRT|SF|AR|VNCR|SET|FnV|EA|CM|S1PTW|WnR|TnD|TagAccess|GCS|Overlay|DirtyBit|Xs|LST) = (0x[0-9a-f]+|\d+)\b/g;

/**
 * The arm64 fault fields of a line: `ESR = 0x96000004`, `esr 0x…`, and the kernel's own decoding
 * printed under `Mem abort info:` / `Data abort info:` (`EC = 0x25: DABT (current EL), IL = 32 bits`,
 * `FSC = 0x04: …`, `WnR = 0`). `EC`'s span runs to the line's end (its text and `IL`).
 */
export function arm64FieldsIn(line: string, arm64 = false): Arm64LineField[] {
  const out: Arm64LineField[] = [];
  for (const m of line.matchAll(ESR_VALUE)) {
    const start = (m.index as number) + m[0].length - m[1].length;
    out.push({ name: 'ESR', value: m[1], start: m.index as number, end: start + m[1].length });
  }
  // arm64's die() prints the ESR as the error code: `Internal error: Oops: 0000000096000004 [#1]`,
  // `Oops - BUG: 00000000f2000800`; so do `Bad mode in … handler … code 0x…` and SError reports.
  const own = arm64 ? (ESR_AS_CODE.exec(line) ?? BAD_MODE.exec(line)) : null;
  if (own) {
    const start = (own.index as number) + own[0].length - own[1].length;
    out.push({ name: 'ESR', value: own[1].startsWith('0x') ? own[1] : `0x${own[1]}`, start, end: start + own[1].length });
  }
  if (out.length) return out;
  if (!ABORT_INFO_LINE.test(line)) return out;
  for (const m of line.matchAll(FIELD)) {
    const start = m.index as number;
    let end = start + m[0].length;
    if (m[1] === 'EC' || m[1] === 'FSC') {
      // `EC = 0x25: DABT (current EL), IL = 32 bits`, `FSC = 0x04: level 0 translation fault`: the text after.
      end = line.trimEnd().length;
    }
    out.push({ name: m[1], value: m[2], start, end });
  }
  return out;
}

// ------------------------------------------------------------------------------------------------
// pstate

export interface PstateDecoded {
  value: number;
  /** N, Z, C, V set. */
  flags: { N: boolean; Z: boolean; C: boolean; V: boolean };
  /** D, A, I, F masked. */
  masks: { D: boolean; A: boolean; I: boolean; F: boolean };
  pan: boolean;
  uao: boolean;
  tco: boolean;
  dit: boolean;
  ssbs: boolean;
  /** BTYPE 0..3 and the kernel's text for it (`--`, `jc`, `-c`, `j-`). */
  btype: number;
  btypeText: string;
  /** Single step (SS) and illegal execution state (IL). */
  ss: boolean;
  il: boolean;
  /** AArch32 state (M[4] set): the kernel prints such a state differently. */
  aarch32: boolean;
  /** EL0t, EL1h, ... */
  mode: string;
  /** What the mode means. */
  modeText: string;
}

const MODES = new Map<number, [string, string]>([
  [0x0, ['EL0t', 'user space (EL0)']],
  [0x4, ['EL1t', 'the kernel (EL1) on SP_EL0']],
  [0x5, ['EL1h', 'the kernel (EL1) on its own stack pointer (SP_EL1)']],
  [0x8, ['EL2t', 'the hypervisor level (EL2) on SP_EL0']],
  [0x9, ['EL2h', 'the hypervisor level (EL2): a VHE kernel runs here']],
  [0xc, ['EL3t', 'the secure monitor (EL3) on SP_EL0']],
  [0xd, ['EL3h', 'the secure monitor (EL3)']],
]);

/** Decodes a `pstate:` value (8 or 16 hex digits). Null when it is no hex number. */
export function decodePstate(hex: string): PstateDecoded | null {
  if (!/^[0-9a-f]{1,16}$/i.test(hex)) return null;
  const v = Number(BigInt('0x' + hex) & 0xffffffffn);
  const bit = (n: number) => ((v >>> n) & 1) === 1;
  const btype = (v >>> 10) & 3;
  const aarch32 = bit(4);
  const m = MODES.get(v & 0xf);
  return {
    value: v,
    flags: { N: bit(31), Z: bit(30), C: bit(29), V: bit(28) },
    masks: { D: bit(9), A: bit(8), I: bit(7), F: bit(6) },
    pan: bit(22),
    uao: bit(23),
    tco: bit(25),
    dit: bit(24),
    ssbs: bit(12),
    btype,
    btypeText: ['--', 'jc', '-c', 'j-'][btype],
    ss: bit(21),
    il: bit(20),
    aarch32,
    mode: aarch32 ? 'AArch32' : (m?.[0] ?? `mode ${v & 0xf}`),
    modeText: aarch32 ? 'a 32-bit (compat) task in AArch32 state' : (m?.[1] ?? 'a reserved mode value'),
  };
}
