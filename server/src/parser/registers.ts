// Register dumps: the instruction-pointer line that opens one (x86 RIP/EIP/IP, arm `pc :`/`PC is at`,
// powerpc NIP, riscv and mips epc, loongarch era, s390 PSW), the register lines that follow, and
// `Code:` bytes.
import { computeLineStarts, firstNonSpace, lineEnd, newPrefixScan, scanLinePrefix } from './lines.ts';
import type { Arch, Register, RegisterBlock } from './model.ts';

export interface IpLine {
  /** Position in the message where the symbol (or address) starts, or -1 when the line has none yet. */
  symbolPos: number;
  /** Address printed in `[<..>]` on the line, if any. */
  address: string | null;
  kind: 'full' | 'summary';
  user: boolean;
  arch: Arch | null;
  /** The line only opens a block; the IP comes on a later line (arm64 `pstate:`, powerpc `NIP:`). */
  opener: boolean;
  /** The instruction-pointer register as printed: RIP, IP, EIP, pc, NIP, epc, PSW. */
  register: string;
}

const RIP = /^\s*RIP: ([0-9a-f]{4}):(?:\[<([0-9a-f]{8,16})>\]\s+(?:\[<[ 0-9a-f]{8,16}(?:\(null\))?>\]\s+)?)?/;
const RIP_SUMMARY_OLD = /^\s*RIP\s+\[<([0-9a-f]{8,16})>\]\s+/;
const RIP_SUMMARY_MID = /^\s*RIP: (?=\S+\+0x[0-9a-f]+\/0x[0-9a-f]+ RSP: )/;
const IP_FAULT = /^\s*IP: (?:\[<([ 0-9a-f]{8,16}|\s*\(null\))>\]\s+)?/;
const EIP = /^\s*EIP: (?:([0-9a-f]{4}):)?(?:\[<([0-9a-f]{8})>\]\s*)?/;
const EIP_AT = /^\s*EIP is at /;
const PC_IS_AT = /^\s*PC is at /;
const PC = /^\s*pc : (?:\[<([0-9a-f]{8,16})>\])?/;
const NIP = /^\s*NIP \[([0-9a-f]{8,16})\] /;
// riscv `epc : func+0x1/0x2` (then `epc : ffffffff80001234 ra : ... sp : ...`); mips `epc   : 80123456
// func+0x1/0x2`; loongarch `era   : 9000000000123456 func+0x1/0x2` (≤6.0), `  ERA: 9000... func+0x1/0x2`.
const EPC = /^\s*(epc|era|ERA)\s*: (?:([0-9a-f]{8,16}) (?![a-z0-9]{2} ?: ))?/;
// The register rows that open a mips/loongarch dump (`$ 0   : 00000000 ...`), and the newer
// loongarch one (`pc 9000000000123456 ra 9000000000123456 tp ... sp ...`).
const GPR_ZERO = /^\s*\$ ?0\s*:/;
const LOONGARCH_PC_ROW = /^\s*pc [0-9a-f]{16} ra [0-9a-f]{16} /;
const PSW = /^\s*Krnl PSW : [0-9a-f]+ ([0-9a-f]+) \(/;

/** Recognises a line that opens a register dump (or carries the IP of the one just opened). */
export function parseIpLine(message: string): IpLine | null {
  const c = message.charCodeAt(firstNonSpace(message));
  let m: RegExpExecArray | null;
  switch (c) {
    case 82: // R
      if ((m = RIP.exec(message))) {
        const user = m[1] !== '0010' && m[1] !== '0060' && /^00[2-3][0-9a-f]$/.test(m[1]);
        return { symbolPos: m[0].length, address: m[2] ?? null, kind: 'full', user, arch: 'x86_64', opener: false, register: 'RIP' };
      }
      if ((m = RIP_SUMMARY_OLD.exec(message)))
        return { symbolPos: m[0].length, address: m[1], kind: 'summary', user: false, arch: 'x86_64', opener: false, register: 'RIP' };
      if ((m = RIP_SUMMARY_MID.exec(message)))
        return { symbolPos: m[0].length, address: null, kind: 'summary', user: false, arch: 'x86_64', opener: false, register: 'RIP' };
      return null;
    case 73: // I
      if ((m = IP_FAULT.exec(message))) {
        const a = m[1]?.trim();
        return {
          symbolPos: m[0].length,
          address: a && /^[0-9a-f]+$/.test(a) ? a : null,
          kind: 'summary',
          user: false,
          arch: null,
          opener: false,
          register: 'IP',
        };
      }
      return null;
    case 80: // P
      if ((m = PC_IS_AT.exec(message))) return { symbolPos: m[0].length, address: null, kind: 'full', user: false, arch: null, opener: false, register: 'pc' };
      return null;
    case 112: // p
      if ((m = PC.exec(message))) {
        const arch = m[1] === undefined ? null : m[1].length === 8 ? 'arm' : 'arm64';
        return { symbolPos: m[1] ? -1 : m[0].length, address: m[1] ?? null, kind: 'full', user: false, arch, opener: false, register: 'pc' };
      }
      if (LOONGARCH_PC_ROW.test(message)) return { symbolPos: -1, address: null, kind: 'full', user: false, arch: 'loongarch', opener: true, register: 'ERA' };
      if (/^\s*pstate: [0-9a-f]{8}/.test(message))
        return { symbolPos: -1, address: null, kind: 'full', user: false, arch: 'arm64', opener: true, register: 'pc' };
      return null;
    case 78: // N
      if ((m = NIP.exec(message))) return { symbolPos: m[0].length, address: m[1], kind: 'full', user: false, arch: 'powerpc', opener: false, register: 'NIP' };
      if (/^\s*NIP:\s+[0-9a-f]{8,16} /.test(message))
        return { symbolPos: -1, address: null, kind: 'full', user: false, arch: 'powerpc', opener: true, register: 'NIP' };
      return null;
    case 101: // e
    case 69: // E
      if ((m = EPC.exec(message))) {
        // mips and loongarch print the value, then the symbol; riscv the symbol, or values alone.
        const register = m[1];
        const valueThenSymbol = m[2] !== undefined;
        const arch: Arch = register !== 'epc' ? 'loongarch' : valueThenSymbol ? 'mips' : 'riscv';
        const hexOnly = !valueThenSymbol && /^[0-9a-f]{8,16}\s/.test(message.slice(m[0].length));
        return { symbolPos: hexOnly ? -1 : m[0].length, address: m[2] ?? null, kind: 'full', user: false, arch, opener: hexOnly, register };
      }
      if (c === 101) return null;
      if ((m = EIP_AT.exec(message))) return { symbolPos: m[0].length, address: null, kind: 'full', user: false, arch: 'i386', opener: false, register: 'EIP' };
      if ((m = EIP.exec(message))) {
        const summary = /SS:ESP/.test(message);
        const user = m[1] === '0073';
        return { symbolPos: m[0].length, address: m[2] ?? null, kind: summary ? 'summary' : 'full', user, arch: 'i386', opener: false, register: 'EIP' };
      }
      return null;
    case 75: // K
      // The PSW opens the s390 register dump; its address, `(func+0x1a/0x40)` after it, is the exact IP.
      if ((m = PSW.exec(message))) return { symbolPos: m[0].length, address: m[1], kind: 'full', user: false, arch: 's390', opener: false, register: 'PSW' };
      return null;
    case 36: // $
      // mips and loongarch open their dump with the general registers (`$ 0   : ...`); `epc`/`era` follows.
      if (GPR_ZERO.test(message)) return { symbolPos: -1, address: null, kind: 'full', user: false, arch: null, opener: true, register: 'epc' };
      return null;
    default:
      return null;
  }
}

// Register names a line of a dump starts with (x86, arm/arm64, powerpc, riscv, s390, mips, loongarch).
const REGISTER_NAMES = String.raw`R[A-Z0-9]{2,3}|E[A-Z]{2}|EFLAGS|ORIG_RAX|[CDEFGS]S|CR[0-4]|DR[0-7]|PKRU|x\d{1,2}|lr|sp|pc|pmr_save|pmr|ip|fp|r\d{1,2}|psr|GPR\d\d|MSR|XER|CTR|CFAR|DAR|DSISR|IRQMASK|SOFTE|TRAP|LR|DEAR|ESR|ra|gp|tp|t[0-6]|s\d{1,2}|a[0-7]|status|badaddr|cause|Krnl GPRS|R:[01] T|Flags|Control|REGS|\$ ?\d{1,2}|Hi|Lo|Status|Cause|BadVA|PrId|ExcCode|CSR [a-z]+|CRMD|PRMD|EUEN|ECFG|ESTAT|BADV|PRID`;
// loongarch (6.1+) names each value without a colon: `a0 0000000000000000 a1 ... a2 ... a3 ...`.
const NAMED_ROW_LINE = String.raw`^\s*[a-z][a-z0-9] [0-9a-f]{16}(?: [a-z][a-z0-9] [0-9a-f]{16}){3}\s*$`;
// powerpc: `TASK = cfa5d000[950] 'bash' THREAD: cf9ce000`.
const REG_LINE = new RegExp(String.raw`^\s*(?:${REGISTER_NAMES})\s*:|${NAMED_ROW_LINE}|^\s*TASK = [0-9a-f]+\[`);
const NAMED_ROW_LINE_RE = new RegExp(NAMED_ROW_LINE);
// mips `Hi    : 00000000`, loongarch `PrId  : 0014c010` line their names up with spaces.
const REG_TOKEN = /\b([A-Za-z][A-Za-z0-9_]{0,8}) *:\s*([0-9a-f]{4,16})\b/g;
const REG_TOKEN_COUNT = new RegExp(REG_TOKEN.source.replace(/\((?!\?)/g, '(?:'), 'g');

// The named registers of REG_LINE at a given offset of the whole text, without cutting the line out
// (the rows without a colon are never name: value pairs).
const REG_LINE_AT = new RegExp(String.raw`\s*(?:${REGISTER_NAMES})\s*:`, 'y');

// Rows of values without a name each: mips/loongarch `$ 4   : v v v v` ($4..$7), powerpc
// `GPR04: v v v v` (r4..r7), s390 `Krnl GPRS: v v v v` (r0..r3, then rows of four more values
// alone, r4..r15); and the pairs of NAMED_ROW_LINE.
const NUMBERED_ROW = /^\s*(?:\$ ?(\d{1,2})|GPR(\d\d)|Krnl GPRS)\s*:((?: +[0-9a-f]{8,16})+)\s*$/;
const NAMED_ROW = /([a-z][a-z0-9]) ([0-9a-f]{16})/g;
const VALUES_ROW = /^\s+[0-9a-f]{8,16}(?: [0-9a-f]{8,16}){3}\s*$/;
const VALUE = /[0-9a-f]{8,16}/g;

/** Lower-case register names that may follow the first one on a line (x86 `knlGS`, arm/arm64). */
const LOWER_NAMES = new Set(['knlGS', 'lr', 'sp', 'fp', 'ip', 'pmr', 'pmr_save']);
/**
 * Upper-case words that are report headers (`BUG:`, `INFO:` ...) or instruction-pointer lines
 * (`RIP:`, `EIP:`: parseIpLine takes those), never plain register names here.
 */
const NOT_PLAIN_NAMES = ['BUG', 'INFO', 'WARNING', 'UBSAN', 'SYZFAIL', 'SYZFATAL', 'VFS', 'PANIC', 'RIP', 'EIP', 'IP', 'NIP', 'ERA'];

/** Whether text[start, start + len) is one of NOT_PLAIN_NAMES (compared in place: no string is cut out). */
function isNotPlainName(text: string, start: number, len: number): boolean {
  for (const w of NOT_PLAIN_NAMES) if (w.length === len && text.startsWith(w, start)) return true;
  return false;
}

/**
 * The number of `name: value` pairs when text[from, to) is nothing but a register line (`RAX:
 * 0000000000000000 RBX: ...`, `FS:  00007f..(0000) GS:ffff..(0000) knlGS:0000..`, `RSP: 0018:ffff..
 * EFLAGS: 00010246`, `x29: ffff.. x28: 0000..`), or -1. Such a line is what isRegisterLine() and
 * countRegisters() say it is, and holds no report header, IP line, `? ` or stack start, so the parser
 * and titles take it without their other tests (test/unit/registers.test.ts checks all of this).
 */
export function registerPairs(text: string, from: number, to: number): number {
  REG_LINE_AT.lastIndex = from;
  if (!REG_LINE_AT.test(text) || REG_LINE_AT.lastIndex > to) return -1;
  let i = from;
  let pairs = 0;
  while (i < to) {
    // A name: an upper-case word (x86, powerpc), or one of a few lower-case ones, or x0..x30 / r0..r15.
    const nameStart = i;
    let lower = false;
    while (i < to && isNameChar(text.charCodeAt(i))) {
      if (text.charCodeAt(i) >= 97) lower = true;
      i++;
    }
    const nameLen = i - nameStart;
    if (nameLen === 0 || nameLen > 9 || !isLetter(text.charCodeAt(nameStart))) return -1;
    if (lower ? !isLowerName(text, nameStart, i) : isNotPlainName(text, nameStart, nameLen)) return -1;
    if (text.charCodeAt(i) === 32) i++;
    if (text.charCodeAt(i) !== 58 /* : */) return -1;
    i++;
    while (i < to && text.charCodeAt(i) === 32) i++;
    const value = i;
    while (i < to && isHex(text.charCodeAt(i))) i++;
    if (i - value < 4 || i - value > 16) return -1;
    // `0018:ffff...` (segment:offset) and `...(0000)` (selector) belong to the pair.
    if (text.charCodeAt(i) === 58 /* : */) {
      const more = ++i;
      while (i < to && isHex(text.charCodeAt(i))) i++;
      if (i - more < 4 || i - more > 16) return -1;
    } else if (text.charCodeAt(i) === 40 /* ( */) {
      const more = ++i;
      while (i < to && isHex(text.charCodeAt(i))) i++;
      if (i - more !== 4 || text.charCodeAt(i) !== 41 /* ) */) return -1;
      i++;
    }
    pairs++;
    if (i === to) break;
    if (text.charCodeAt(i) !== 32) return -1;
    while (i < to && text.charCodeAt(i) === 32) i++;
  }
  return pairs;
}

/** x0..x30, r0..r15, or one of LOWER_NAMES. */
function isLowerName(text: string, start: number, end: number): boolean {
  const c = text.charCodeAt(start);
  if ((c === 120 /* x */ || c === 114) /* r */ && end - start >= 2 && end - start <= 3) {
    let digits = true;
    for (let k = start + 1; k < end; k++) if (text.charCodeAt(k) < 48 || text.charCodeAt(k) > 57) digits = false;
    if (digits) return true;
  }
  return LOWER_NAMES.has(text.slice(start, end));
}

function isNameChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

function isLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 102);
}

/** True for a line of a register dump (`RAX: ...`, `x29: ...`, `GPR00: ...`). */
export function isRegisterLine(message: string): boolean {
  return REG_LINE.test(message);
}

/** Number of `name: value` pairs on a register line (what the parser keeps). */
export function countRegisters(message: string): number {
  const row = rowValues(message);
  if (row !== null) return row.values.length;
  let n = 0;
  REG_TOKEN_COUNT.lastIndex = 0;
  // test() on a global regexp walks the matches without building match arrays.
  while (REG_TOKEN_COUNT.test(message)) n++;
  return n;
}

/** The registers of a block, read again from the text (lines of other printk callers included). */
export function registersOf(text: string, lineStarts: ArrayLike<number>, block: RegisterBlock): Register[] {
  const base = lineStarts[block.line];
  return registersInText(text.slice(base, lineEnd(text, lineStarts, Math.min(block.endLine, lineStarts.length - 1))), base);
}

/** The registers on the lines of `blockText`, whose first character is at document offset `base`. */
export function registersInText(blockText: string, base: number): Register[] {
  const out: Register[] = [];
  const scan = newPrefixScan();
  let nextGpr = -1; // s390: the next general register a row of values alone continues with
  const starts = computeLineStarts(blockText);
  for (let line = 0; line < starts.length; line++) {
    const end = lineEnd(blockText, starts, line);
    scanLinePrefix(blockText, starts[line], end, scan);
    const message = blockText.slice(scan.textStart, end);
    if (isRegisterLine(message)) {
      const regs = parseRegisters(message, base + scan.textStart);
      out.push(...regs);
      nextGpr = /^\s*Krnl GPRS/.test(message) ? regs.length : -1;
    } else if (nextGpr >= 0 && VALUES_ROW.test(message)) {
      const regs = rowRegisters(message, base + scan.textStart, (i) => `r${nextGpr + i}`);
      out.push(...regs);
      nextGpr += regs.length;
    } else nextGpr = -1;
  }
  return out;
}

/** The `name: value` pairs of a register line; `base` is the message's offset in the document. */
export function parseRegisters(message: string, base: number): Register[] {
  const row = rowValues(message);
  if (row !== null) return row.named ? namedRowRegisters(message, base) : rowRegisters(message, base, (i) => `${row.prefix}${row.first + i}`);
  const out: Register[] = [];
  REG_TOKEN.lastIndex = 0;
  for (let m = REG_TOKEN.exec(message); m; m = REG_TOKEN.exec(message)) {
    const nameStart = base + m.index;
    const valueStart = base + m.index + m[0].length - m[2].length;
    out.push({
      name: m[1],
      value: m[2],
      nameSpan: { start: nameStart, end: nameStart + m[1].length },
      valueSpan: { start: valueStart, end: valueStart + m[2].length },
    });
  }
  return out;
}

/** The values of a row of registers without a name each (NUMBERED_ROW, NAMED_ROW), or null. */
function rowValues(message: string): { values: string[]; prefix: string; first: number; named: boolean } | null {
  const c = message.charCodeAt(firstNonSpace(message));
  if (c === 36 /* $ */ || c === 71 /* G */ || c === 75 /* K */) {
    const m = NUMBERED_ROW.exec(message);
    if (m !== null) return { values: m[3].trim().split(/ +/), prefix: m[1] !== undefined ? '$' : 'r', first: Number(m[1] ?? m[2] ?? 0), named: false };
  } else if (c >= 97 && c <= 122 && NAMED_ROW_LINE_RE.test(message)) {
    return { values: [...message.matchAll(NAMED_ROW)].map((x) => x[2]), prefix: '', first: 0, named: true };
  }
  return null;
}

/** The values after the colon (or all of a row of values alone), named by `name(i)`. */
function rowRegisters(message: string, base: number, name: (i: number) => string): Register[] {
  const colon = message.indexOf(':');
  const out: Register[] = [];
  VALUE.lastIndex = colon + 1;
  for (let m = VALUE.exec(message), i = 0; m; m = VALUE.exec(message), i++) {
    const at = base + m.index;
    // A name printed once for the row: each register's name span is the row's label.
    const label = colon >= 0 ? { start: base + firstNonSpace(message), end: base + colon } : { start: at, end: at };
    out.push({ name: name(i), value: m[0], nameSpan: label, valueSpan: { start: at, end: at + m[0].length } });
  }
  return out;
}

function namedRowRegisters(message: string, base: number): Register[] {
  const out: Register[] = [];
  for (const m of message.matchAll(NAMED_ROW)) {
    const at = base + (m.index as number);
    out.push({ name: m[1], value: m[2], nameSpan: { start: at, end: at + 2 }, valueSpan: { start: at + 3, end: at + 3 + m[2].length } });
  }
  return out;
}

/** Values alone on a line (s390's general registers after `Krnl GPRS:`), or -1. */
export function continuedRegisterRow(message: string): number {
  return VALUES_ROW.test(message) ? 4 : -1;
}

const CODE = /^\s*(?:Code|Krnl Code|Instruction dump):/;

export function isCodeLine(message: string): boolean {
  return CODE.test(message);
}

/** Offset in the message of the marked trapping byte/word (`<0f>`, `(f9400674)`), or -1. */
export function trappingOffset(message: string): number {
  const m = /<[0-9a-f]{2,8}>|\([0-9a-f]{4,8}\)/.exec(message);
  return m ? m.index : -1;
}
