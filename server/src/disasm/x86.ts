// Disassembly of an x86 `Code:` line (x86-64 and i386), as the kernel's scripts/decodecode does it:
// the bytes before the marked byte (`<0f>`, or `(0f)`) need not start on an instruction boundary,
// so every start among them is tried and the one whose instructions land exactly on the marked byte
// is kept; from the marked byte on the bytes are decoded as they come.
// Pure: bytes in, listing lines (or a problem) out; no LSP types. The decoder (iced-x86, WebAssembly)
// is loaded on the first call only, so a server that is never asked pays nothing for it.
import type * as Iced from 'iced-x86';

export interface CodeLineBytes {
  bytes: Uint8Array;
  /** Index in `bytes` of the marked byte. */
  marker: number;
}

/** The bytes of a `Code:` line's message and its marked byte, or null (no marker, not hex bytes). */
export function codeLineBytes(message: string): CodeLineBytes | null {
  const at = message.indexOf('Code:');
  if (at < 0) return null;
  const tokens = message
    .slice(at + 5)
    .trim()
    .split(/\s+/);
  const bytes: number[] = [];
  let marker = -1;
  for (const token of tokens) {
    const m = /^(?:<([0-9a-fA-F]{2})>|\(([0-9a-fA-F]{2})\)|([0-9a-fA-F]{2}))$/.exec(token);
    if (!m) return null;
    if (m[1] !== undefined || m[2] !== undefined) {
      if (marker >= 0) return null;
      marker = bytes.length;
    }
    bytes.push(Number.parseInt(m[1] ?? m[2] ?? m[3], 16));
  }
  return marker >= 0 ? { bytes: Uint8Array.from(bytes), marker } : null;
}

export interface DisasmLine {
  /** Offset of the instruction's first byte from the first byte of the `Code:` line. */
  offset: number;
  /** The instruction's bytes as hex pairs. */
  bytes: string;
  /** AT&T syntax (as objdump prints it); `(bad)` for bytes that are no instruction. */
  text: string;
  /** The instruction at the marked byte. */
  marked: boolean;
  /** Its bytes end before the instruction does (the line stops mid-instruction). */
  truncated?: true;
}

export type Disasm =
  | {
      ok: true;
      lines: DisasmLine[];
      /** Bytes before the first listed instruction that no decoding landing on the marker could use. */
      skipped: number;
      /** The marked instruction is `ud2`: the trap of the kernel's BUG()/WARN() on x86. */
      ud2: boolean;
    }
  | { ok: false; problem: string };

type IcedModule = typeof Iced;
let iced: IcedModule | undefined;

function loadIced(): IcedModule {
  // A require, not an import: the bundle evaluates the package (and compiles its WebAssembly) here.
  iced ??= require('iced-x86') as IcedModule;
  return iced;
}

interface Decoded {
  offset: number;
  length: number;
  text: string;
  invalid: boolean;
  ud2: boolean;
  truncated: boolean;
}

/** Decodes bytes[from, to) (reading on to the end for an instruction that crosses `to`), one entry
 * per instruction; stops at the first instruction that starts at or after `to`. */
function decodeRun(lib: IcedModule, formatter: Iced.Formatter, bitness: 32 | 64, bytes: Uint8Array, from: number, to: number, format: boolean): Decoded[] {
  const decoder = new lib.Decoder(bitness, bytes.subarray(from), lib.DecoderOptions.None);
  const out: Decoded[] = [];
  try {
    decoder.ip = BigInt(from);
    let offset = from;
    while (offset < to) {
      const instr = decoder.decode();
      try {
        const truncated = decoder.lastError === lib.DecoderError.NoMoreBytes;
        const invalid = instr.isInvalid;
        // An invalid encoding is skipped a byte at a time, like objdump's `(bad)`.
        const length = invalid ? Math.max(1, truncated ? bytes.length - offset : 1) : instr.length;
        out.push({
          offset,
          length,
          text: invalid ? '(bad)' : format ? formatter.format(instr) : '',
          invalid: invalid && !truncated,
          ud2: !invalid && instr.mnemonic === lib.Mnemonic.Ud2,
          truncated,
        });
        offset += length;
        if (truncated) break;
        if (invalid) decoder.position = offset - from;
        decoder.ip = BigInt(offset);
      } finally {
        instr.free();
      }
    }
  } finally {
    decoder.free();
  }
  return out;
}

/**
 * Disassembles a `Code:` line's bytes. For the bytes before the marker every start is tried; the
 * decoding whose instructions end exactly on the marker with the longest run of valid instructions
 * (counted in bytes, the earliest start on a tie) is kept, as scripts/decodecode keeps the first
 * start that lands on the trapping instruction. Bytes before that run are reported as skipped.
 */
export function disassembleX86(bytes: Uint8Array, marker: number, bitness: 32 | 64): Disasm {
  if (marker < 0 || marker >= bytes.length) return { ok: false, problem: 'no marked byte' };
  // A hover asked again on the same line (the mouse resting on it, a log repeating its oops) is
  // answered from the last few listings; the answers are never changed after they are made.
  const key = `${bitness}:${marker}:${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')}`;
  const hit = recent.get(key);
  if (hit) {
    recent.delete(key);
    recent.set(key, hit);
    return hit;
  }
  const result = disassembleUncached(bytes, marker, bitness);
  if (result.ok) {
    recent.set(key, result);
    if (recent.size > RECENT) recent.delete(recent.keys().next().value as string);
  }
  return result;
}

const RECENT = 64;
const recent = new Map<string, Disasm>();

function disassembleUncached(bytes: Uint8Array, marker: number, bitness: 32 | 64): Disasm {
  let lib: IcedModule;
  try {
    lib = loadIced();
  } catch (e) {
    return { ok: false, problem: `the disassembler could not be loaded (${e instanceof Error ? e.message : String(e)})` };
  }
  const formatter = new lib.Formatter(lib.FormatterSyntax.Gas);
  try {
    // As objdump prints it: lowercase hex, `$0x3`, `je 0x1eb`.
    formatter.spaceAfterOperandSeparator = false;
    formatter.uppercaseHex = false;
    formatter.smallHexNumbersInDecimal = false;
    formatter.branchLeadingZeros = false;
    let bestStart = marker;
    let bestRun = 0;
    for (let start = 0; start < marker; start++) {
      const run = decodeRun(lib, formatter, bitness, bytes, start, marker, false);
      const last = run[run.length - 1];
      if (!last || last.offset + last.length !== marker || last.truncated) continue;
      // The valid instructions that end at the marker: after the last `(bad)`.
      let k = run.length;
      while (k > 0 && !run[k - 1].invalid) k--;
      const runStart = k < run.length ? run[k].offset : marker;
      if (marker - runStart > bestRun) {
        bestRun = marker - runStart;
        bestStart = runStart;
      }
      if (bestRun === marker) break;
    }
    const before = bestRun > 0 ? decodeRun(lib, formatter, bitness, bytes, bestStart, marker, true) : [];
    const after = decodeRun(lib, formatter, bitness, bytes, marker, bytes.length, true);
    const hex = (d: Decoded) =>
      Array.from(bytes.subarray(d.offset, Math.min(bytes.length, d.offset + d.length)), (b) => b.toString(16).padStart(2, '0')).join(' ');
    const lines: DisasmLine[] = [...before, ...after].map((d) => ({
      offset: d.offset,
      bytes: hex(d),
      text: d.truncated ? '(truncated)' : d.text,
      marked: d.offset === marker,
      ...(d.truncated ? { truncated: true as const } : {}),
    }));
    return { ok: true, lines, skipped: bestStart, ud2: after[0]?.ud2 ?? false };
  } finally {
    formatter.free();
  }
}
