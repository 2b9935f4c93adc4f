// Bits of x86 control registers and of the page-fault error code (Intel SDM vol. 3, the kernel's
// arch/x86/include/uapi/asm/processor-flags.h and asm/trap_pf.h). Pure: no LSP types.

export interface BitName {
  bit: number;
  name: string;
  meaning: string;
}

export const CR0_BITS: readonly BitName[] = [
  { bit: 0, name: 'PE', meaning: 'protected mode' },
  { bit: 1, name: 'MP', meaning: 'monitor coprocessor' },
  { bit: 2, name: 'EM', meaning: 'x87 emulation' },
  { bit: 3, name: 'TS', meaning: 'task switched (lazy FPU)' },
  { bit: 4, name: 'ET', meaning: 'extension type' },
  { bit: 5, name: 'NE', meaning: 'native x87 error reporting' },
  { bit: 16, name: 'WP', meaning: 'write protect: supervisor writes honour read-only pages' },
  { bit: 18, name: 'AM', meaning: 'alignment mask' },
  { bit: 29, name: 'NW', meaning: 'not write-through' },
  { bit: 30, name: 'CD', meaning: 'cache disable' },
  { bit: 31, name: 'PG', meaning: 'paging' },
];

export const CR4_BITS: readonly BitName[] = [
  { bit: 0, name: 'VME', meaning: 'virtual-8086 mode extensions' },
  { bit: 1, name: 'PVI', meaning: 'protected-mode virtual interrupts' },
  { bit: 2, name: 'TSD', meaning: 'time stamp disable (RDTSC privileged)' },
  { bit: 3, name: 'DE', meaning: 'debugging extensions' },
  { bit: 4, name: 'PSE', meaning: 'page size extensions' },
  { bit: 5, name: 'PAE', meaning: 'physical address extension' },
  { bit: 6, name: 'MCE', meaning: 'machine-check enable' },
  { bit: 7, name: 'PGE', meaning: 'page global enable' },
  { bit: 8, name: 'PCE', meaning: 'performance-counter enable (RDPMC in user mode)' },
  { bit: 9, name: 'OSFXSR', meaning: 'OS supports FXSAVE/FXRSTOR' },
  { bit: 10, name: 'OSXMMEXCPT', meaning: 'OS supports unmasked SIMD exceptions' },
  { bit: 11, name: 'UMIP', meaning: 'user-mode instruction prevention' },
  { bit: 12, name: 'LA57', meaning: '5-level paging' },
  { bit: 13, name: 'VMXE', meaning: 'VMX enable' },
  { bit: 14, name: 'SMXE', meaning: 'SMX enable' },
  { bit: 16, name: 'FSGSBASE', meaning: 'RDFSBASE/WRGSBASE instructions' },
  { bit: 17, name: 'PCIDE', meaning: 'process-context identifiers' },
  { bit: 18, name: 'OSXSAVE', meaning: 'XSAVE and extended states' },
  { bit: 20, name: 'SMEP', meaning: 'supervisor-mode execution prevention' },
  { bit: 21, name: 'SMAP', meaning: 'supervisor-mode access prevention' },
  { bit: 22, name: 'PKE', meaning: 'protection keys for user pages' },
  { bit: 23, name: 'CET', meaning: 'control-flow enforcement' },
  { bit: 24, name: 'PKS', meaning: 'protection keys for supervisor pages' },
];

/** The x86 page-fault error code (pushed by the CPU, printed as `#PF: error_code(0x…)`). */
export const PF_ERROR_BITS: readonly BitName[] = [
  { bit: 0, name: 'P', meaning: 'protection violation (clear: the page was not present)' },
  { bit: 1, name: 'W/R', meaning: 'write access (clear: read)' },
  { bit: 2, name: 'U/S', meaning: 'user-mode access (clear: kernel mode)' },
  { bit: 3, name: 'RSVD', meaning: 'a reserved bit was set in a page-table entry' },
  { bit: 4, name: 'I/D', meaning: 'instruction fetch' },
  { bit: 5, name: 'PK', meaning: 'protection-key violation' },
  { bit: 6, name: 'SS', meaning: 'shadow-stack access' },
  { bit: 15, name: 'SGX', meaning: 'SGX access-control violation' },
  { bit: 31, name: 'RMP', meaning: 'RMP violation (AMD SEV-SNP)' },
];

export interface DecodedBits {
  set: BitName[];
  /** Bits set that the table does not name. */
  unknown: number[];
}

/** The named bits set in a value (hex digits, no 0x); null when the text is no hex number. */
export function decodeBits(hex: string, table: readonly BitName[]): DecodedBits | null {
  const t = hex.replace(/^0x/i, '');
  if (!/^[0-9a-f]{1,16}$/i.test(t)) return null;
  const v = BigInt('0x' + t);
  const set = table.filter((b) => (v >> BigInt(b.bit)) & 1n);
  const unknown: number[] = [];
  for (let i = 0; i < 64; i++) if ((v >> BigInt(i)) & 1n && !table.some((b) => b.bit === i)) unknown.push(i);
  return { set, unknown };
}

/** `#PF: error_code(0x0002)` in a line: the value's span (in the line) and its digits. */
export function pfErrorCodeIn(line: string): { start: number; end: number; value: string } | null {
  const m = /#PF: error_code\((0x[0-9a-f]+)\)/i.exec(line);
  if (!m) return null;
  return { start: m.index, end: m.index + m[0].length, value: m[1].slice(2) };
}

/** A page-fault error code in words: `kernel-mode write to a not-present page`. */
export function pfErrorSummary(hex: string): string | null {
  const d = decodeBits(hex, PF_ERROR_BITS);
  if (!d) return null;
  const has = (n: string) => d.set.some((b) => b.name === n);
  const access = has('I/D') ? 'instruction fetch' : has('W/R') ? 'write' : 'read';
  return `${has('U/S') ? 'user' : 'kernel'}-mode ${access}${has('P') ? ', a protection violation on a present page' : ' of a not-present page'}${has('RSVD') ? ', reserved bit set in a page-table entry' : ''}${has('PK') ? ', protection-key violation' : ''}${has('SS') ? ', shadow-stack access' : ''}${has('SGX') ? ', SGX violation' : ''}`;
}
