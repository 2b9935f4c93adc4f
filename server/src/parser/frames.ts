// Stack entries, instruction-pointer lines and context markers: the line grammars of every era
// and architecture (x86 `[<addr>] ? func+off/size [mod]`, arm `(f) from [<pc>] (g+off/size)` and
// `f from g+off/size`, powerpc `[sp] [pc] func+off/size (unreliable)`, s390 `([<pc>] func+off/size)`,
// syzbot's re-symbolized `func file:line [inline]`, decode_stacktrace.sh's `func (file:line)`).
import type { StackEntry, Span } from './model.ts';
import { isRegExpSpace } from './lines.ts';

// Greedy on purpose: `+` ends a name, so nothing to backtrack over.
const SYM = String.raw`[A-Za-z_.$][\w.$@~-]*`;
const OFF = String.raw`\+0x([0-9a-f]+)\/0x([0-9a-f]+)`;
const MOD = String.raw`(?:\s+\[([\w.-]+)(?:\s+([0-9a-f]{16,64}))?\])?`;
// A source location a symbolizer added: `fs/file.c:104`, `./include/linux/x.h:12`.
const LOC = String.raw`[\w./+-]+\.\w+:\d+`;
// decode_stacktrace.sh's location list: `(fs/file.c:104)`, `(lib/x.c:117 (discriminator 1))`, and
// for inlined code the callee's line first, the entry's own function's line last
// (`(mm/slub.c:3748 mm/slub.c:3992)`).
const LOC_ITEM = String.raw`${LOC}(?: \(discriminator \d+\))?(?: \[inline\])?`;
const DECODED = String.raw`\((${LOC_ITEM}(?: ${LOC_ITEM})*)\)(?: \[inline\])?`;
// What decode_stacktrace.sh prints after the location: the module, in brackets or (some versions) bare.
const DECODED_MOD = String.raw`(?:\s+\[([\w.-]+)\]|\s+([\w-]+))?\s*$`;
const LOCS = new RegExp(LOC, 'g');

// x86, arm64, riscv, s390, i386, mips, loongarch: `[<addr>]` (up to twice, s390 in parentheses)
// then `? ` then the symbol.
const X86 = new RegExp(
  String.raw`^(\s*(?:<(?:IRQ|EOI|NMI|EOE|<EOE>|SOFTIRQ|#DF|#DB|#MC)>\s*)*)((\(\s*)?(?:\[<([0-9a-f]{4,16})>\]\s*)?(?:\[<[0-9a-f]{4,16}>\]\s*)?(\?\s+)?)(?:(${SYM})${OFF}|(0x[0-9a-f]{6,16})\b)${MOD}`,
);
// What may follow an entry: arm64 `(P)` source markers, old `F`/`K` flags, s390's closing
// parenthesis, `(unreliable)`, `(inline)`, a symbolizer's location (group 1: syzbot `file:line`,
// group 2: decode_stacktrace.sh `(file:line ...)`, then its module in group 3 or 4).
const TRAILER = new RegExp(String.raw`^\s*(?:$|(${LOC})(?: \[inline\])?\s*$|${DECODED}${DECODED_MOD}|\([A-Z]\)|[FK]$|\)|\S+:\d+|\(unreliable\)|\(inline\))`);

// 32-bit ARM, one entry per line named by its left function: `[<pc>] (f+off/size [mod]) from
// [<lr>] (g+off/size [mod])` (≤4.x; `(f)` without offset from 4.x on), 6.x `f [mod] from
// g+off/size [mod]`, `f from 0x0`, decoded `f from g (file:line)`. Groups: 1 leading space, 2 pc,
// 3 `(`, 4-7 f (name, offset, size, module), 8-11 g (name, offset, size, module) or 12 a bare
// address, 13 the location list.
const ARM = new RegExp(
  String.raw`^(\s*)(?:\[<([0-9a-f]{8})>\]\s*)?(\()?(${SYM})(?:${OFF})?(?:\s+\[([\w.-]+)\])?\)? +from +(?:\[<[0-9a-f]{8}>\]\s*)?\(?(?:(${SYM})(?:${OFF})?(?:\s+\[([\w.-]+)\])?|(0x[0-9a-f]+))\)?(?:\s+${DECODED})?`,
);
// powerpc: `[c0000000fb5efd10] [c00000000001c5f4] .show_stack+0x70/0x1b0 [mod] (unreliable)`.
const PPC = new RegExp(String.raw`^(\s*)\[[0-9a-f]{8,16}\] \[([0-9a-f]{8,16})\] (?:(${SYM})${OFF}|(0x[0-9a-f]+))${MOD}(\s+\(unreliable\))?`);
// syzbot re-symbolized inline frames: ` __dump_stack lib/dump_stack.c:77 [inline]`.
const INLINE = new RegExp(String.raw`^(\s*)(\?\s+)?(${SYM}) (${LOC}) \[inline\]`);
// decode_stacktrace.sh entries without an offset: ` ? dump_stack_lvl (lib/dump_stack.c:117) [mod]`.
const DECODED_ENTRY = new RegExp(String.raw`^(\s*)(\?\s+)?(${SYM}) ${DECODED}${DECODED_MOD}`);

/** Context names that open a stack context (`<IRQ>`), and the closers. */
const MARKER = /<(\/)?(IRQ|NMI|TASK|SOFTIRQ|#DF|#DB\d?|#MC|#VC2?|#BP|DB\d?|ENTRY_TRAMPOLINE|EOI|EOE|<EOE>)>/g;
const MARKER_LINE = /^\s*(?:<\/?(?:IRQ|NMI|TASK|SOFTIRQ|#DF|#DB\d?|#MC|#VC2?|#BP|DB\d?|ENTRY_TRAMPOLINE|EOI|EOE|<EOE>)>\s*)+$/;

export interface MarkerToken extends Span {
  name: string;
  role: 'open' | 'close';
}

function markerToken(m: RegExpExecArray, base: number): MarkerToken {
  const name = m[2] === '<EOE>' ? 'EOE' : m[2];
  const closer = m[1] === '/' || name === 'EOI' || name === 'EOE';
  return { name, role: closer ? 'close' : 'open', start: base + m.index, end: base + m.index + m[0].length };
}

/** Markers on a line that holds nothing else (`<IRQ>`, `</TASK>`), or null. */
export function parseMarkerLine(message: string, base: number): MarkerToken[] | null {
  if (!MARKER_LINE.test(message)) return null;
  const out: MarkerToken[] = [];
  MARKER.lastIndex = 0;
  for (let m = MARKER.exec(message); m; m = MARKER.exec(message)) out.push(markerToken(m, base));
  return out;
}

export interface ParsedEntry {
  frame: StackEntry;
  /** Inline markers in front of the entry (4.x ` <IRQ>  [<..>] func`, `<EOI>  [<..>] ? func`). */
  markers: MarkerToken[];
  /** 32-bit ARM: the caller on the right of ` from `, whose offset belongs to the next line's entry. */
  caller?: ArmCaller;
}

/** The right-hand side of an ARM entry (`from g+0x10/0x20 [mod]`): where g was when it called. */
export interface ArmCaller {
  function: string;
  offset: number | null;
  size: number | null;
  module: string | null;
  source: string | undefined;
}

// Symbol and module names repeat across a log (kthread, ret_from_fork, the same driver), and so do
// the return addresses of an x86 trace (the same call sites, stack after stack): one string per
// distinct text keeps the model small. Bounded, as the server runs for days. Keyed by the text
// alone, so every parse gets the same answers whatever parsed before it.
class InternTable {
  private readonly known = new Map<string, string>();

  get(text: string): string {
    const known = this.known.get(text);
    if (known !== undefined) return known;
    if (this.known.size >= MAX_INTERNED) this.known.clear();
    // A flat copy, not a slice that would keep the whole line (or log) alive.
    const flat = (' ' + text).slice(1);
    this.known.set(flat, flat);
    return flat;
  }
}

const MAX_INTERNED = 1 << 16;
const NAMES = new InternTable();
const ADDRESSES = new InternTable();

function intern(name: string): string {
  return NAMES.get(name);
}

function hex(s: string | undefined): number | null {
  if (s === undefined) return null;
  // A loop beats parseInt here (called for every offset and size); long values fall back to it.
  if (s.length > 12) return parseInt(s, 16);
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    n = n * 16 + (c <= 57 ? c - 48 : (c | 32) - 87);
  }
  return n;
}

/**
 * `func+0xOFF/0xSIZE` with the digits as the line prints them, to find where an entry's symbol
 * stands in it; on purpose not analyzer/frameText.ts symbolText, which writes the numbers (a
 * printed `0x00a0` comes out `0xa0`).
 */
function printedSymbol(name: string, offsetDigits: string, sizeDigits: string): string {
  return `${name}+0x${offsetDigits}/0x${sizeDigits}`;
}

function makeFrame(line: number, base: number, lineEnd: number): StackEntry {
  return {
    line,
    start: base,
    end: lineEnd,
    function: null,
    offset: null,
    size: null,
    module: null,
    address: null,
    reliable: true,
    context: null,
    symbolStart: base,
    symbolEnd: base,
  };
}

/**
 * Parses a stack entry. `message` is the line's kernel text, `base` its offset in the document.
 * Returns null when the line is no stack entry.
 */
export function parseFrameLine(message: string, base: number, line: number): ParsedEntry | null {
  const c = message.charCodeAt(0);
  // Entries start with white space, `[`, `(`, `<`, a symbol character, or `?` (logs whose tools
  // stripped the indentation: `? do_fault+0x1a7/0x410`); bail out fast on others.
  // (Mailers and web pages turn indentation into no-break spaces: any blank `\s` matches counts.)
  if (c !== 32 && c !== 9 && c !== 91 && c !== 40 && c !== 60 && !(c >= 65 && c <= 122) && c !== 46 && c !== 36 && c !== 63 && !isRegExpSpace(c)) return null;
  // Every entry has `0x` (an offset or a bare address), ` from ` (arm), ends in `[inline]` or has a
  // decoded location ` (file:line)`: most lines of a log are none of these and need no grammar at all.
  if (!message.includes('0x') && !message.includes(' from ') && !message.endsWith('[inline]') && !mayBeDecodedEntry(message)) return null;
  const fast = fastEntry(message, base, line);
  return fast !== undefined ? fast : parseEntryByGrammar(message, base, line);
}

/** parseFrameLine by the regular expressions alone (every format; the reference for fastEntry). */
export function parseEntryByGrammar(message: string, base: number, line: number): ParsedEntry | null {
  const lineEndOffset = base + message.length;
  let m = X86.exec(message);
  // Groups: 1 leading space and inline markers, 2 everything before the symbol (3 `(`, 4 address,
  // 5 `? `), 6-8 name/offset/size or 9 a bare address, 10 module, 11 build id.
  if (m && (m[6] !== undefined || m[9] !== undefined)) {
    // A bare address is an entry only with `? ` or `[<..>]` in front, or alone on the line.
    if (m[9] !== undefined && m[4] === undefined && m[5] === undefined && message.trim() !== m[9]) return null;
    // A line that goes on with words after the symbol is prose that mentions a symbol, not an entry
    // (except arm64 `(P)` markers, syzbot `file:line`, `(unreliable)`, s390's closing parenthesis).
    const rest = m[0].length < message.length ? message.slice(m[0].length) : '';
    const trailer = rest.length ? TRAILER.exec(rest) : null;
    if (rest.length && trailer === null) return null;
    const f = makeFrame(line, base + m[1].length, lineEndOffset);
    const markers: MarkerToken[] = [];
    if (m[1].includes('<')) {
      MARKER.lastIndex = 0;
      for (let mk = MARKER.exec(m[1]); mk; mk = MARKER.exec(m[1])) markers.push(markerToken(mk, base));
    }
    f.address = m[4] ?? null;
    const symStart = base + m[1].length + m[2].length;
    if (m[5] !== undefined) {
      f.reliable = false;
    }
    if (m[6] !== undefined) {
      f.function = intern(m[6]);
      f.offset = hex(m[7]);
      f.size = hex(m[8]);
      f.symbolStart = symStart;
      f.symbolEnd = symStart + m[6].length + m[7].length + m[8].length + 6;
    } else {
      const bare = m[9] as string;
      f.address = f.address ?? bare.slice(2);
      f.symbolStart = symStart;
      f.symbolEnd = symStart + bare.length;
    }
    const module = m[10] ?? trailer?.[3] ?? trailer?.[4];
    f.module = module === undefined ? null : intern(module);
    if (m[11] !== undefined) f.buildId = m[11];
    // s390 prints the entry it took from r14, not from the back chain, in parentheses.
    if (m[3] !== undefined) f.reliable = false;
    const source = trailer?.[1] ?? lastLocation(trailer?.[2]);
    if (source !== undefined) f.source = source;
    return { frame: f, markers };
  }
  if (message.includes(' from ')) {
    m = ARM.exec(message);
    // Without a `[<pc>]` or parentheses, ` from ` is an entry only when the caller prints an offset,
    // an address or a location (` f from g+0x10/0x20`), not in prose (`Booting from ROM`).
    if (m && (m[2] !== undefined || m[3] !== undefined || m[9] !== undefined || m[12] !== undefined || m[13] !== undefined)) {
      const f = makeFrame(line, base + m[1].length, lineEndOffset);
      f.address = m[2] ?? null;
      f.function = intern(m[4]);
      f.offset = hex(m[5]);
      f.size = hex(m[6]);
      f.module = m[7] === undefined ? null : intern(m[7]);
      const symStart = base + message.indexOf(m[4], m[1].length);
      f.symbolStart = symStart;
      f.symbolEnd = symStart + m[4].length + (m[5] !== undefined ? m[5].length + m[6].length + 6 : 0);
      const caller: ArmCaller | undefined =
        m[8] === undefined
          ? undefined
          : { function: intern(m[8]), offset: hex(m[9]), size: hex(m[10]), module: m[11] === undefined ? null : intern(m[11]), source: lastLocation(m[13]) };
      return { frame: f, markers: [], caller };
    }
  }
  if (message.charCodeAt(leading(message)) === 91) {
    m = PPC.exec(message);
    if (m) {
      const f = makeFrame(line, base + m[1].length, lineEndOffset);
      f.address = m[2];
      if (m[3] !== undefined) {
        // ELFv1 powerpc prints the text symbol with a leading dot (`.show_stack`): the function is `show_stack`.
        f.function = m[3].length > 1 && m[3].charCodeAt(0) === 46 ? m[3].slice(1) : m[3];
        f.offset = hex(m[4]);
        f.size = hex(m[5]);
      }
      const symText = m[3] !== undefined ? printedSymbol(m[3], m[4], m[5]) : (m[6] as string);
      const symStart = base + message.indexOf(symText, m[1].length);
      f.symbolStart = symStart;
      f.symbolEnd = symStart + symText.length;
      f.module = m[7] ?? null;
      if (m[8] !== undefined) f.buildId = m[8];
      // `(unreliable)` notes that the first frame's saved LR may be stale; the entry is the unwinder's own.
      return { frame: f, markers: [] };
    }
  }
  if (message.endsWith('[inline]')) {
    m = INLINE.exec(message);
    if (m) {
      const f = makeFrame(line, base + m[1].length, lineEndOffset);
      f.function = intern(m[3]);
      if (m[2] !== undefined) {
        f.reliable = false;
      }
      const symStart = base + m[1].length + (m[2]?.length ?? 0);
      f.symbolStart = symStart;
      f.symbolEnd = symStart + m[3].length;
      f.source = m[4];
      return { frame: f, markers: [] };
    }
  }
  m = mayBeDecodedEntry(message) ? DECODED_ENTRY.exec(message) : null;
  if (m) {
    const f = makeFrame(line, base + m[1].length, lineEndOffset);
    f.function = intern(m[3]);
    if (m[2] !== undefined) f.reliable = false;
    const symStart = base + m[1].length + (m[2]?.length ?? 0);
    f.symbolStart = symStart;
    f.symbolEnd = symStart + m[3].length;
    const module = m[5] ?? m[6];
    f.module = module === undefined ? null : intern(module);
    f.source = lastLocation(m[4]);
    return { frame: f, markers: [] };
  }
  return null;
}

/** An instruction pointer decode_stacktrace.sh printed as `func (file.c:1 ...) [mod]`, exact, or null. */
function decodedSymbolAt(message: string, pos: number, base: number, line: number): StackEntry | null {
  const rest = message.slice(pos);
  const m = mayBeDecodedEntry(rest) ? DECODED_ENTRY.exec(rest) : null;
  if (!m || m[2] !== undefined) return null;
  const f = makeFrame(line, base + pos, base + message.length);
  f.exact = true;
  f.function = intern(m[3]);
  f.symbolStart = base + pos + m[1].length;
  f.symbolEnd = f.symbolStart + m[3].length;
  const module = m[5] ?? m[6];
  f.module = module === undefined ? null : intern(module);
  const source = lastLocation(m[4]);
  if (source !== undefined) f.source = source;
  return f;
}

/** Whether the line is one word (after `? `) and then ` (...:<digit>`, as `name (file.c:1)` is. */
function mayBeDecodedEntry(message: string): boolean {
  let i = leading(message);
  if (message.charCodeAt(i) === 63 /* ? */) {
    i++;
    while (message.charCodeAt(i) === 32) i++;
  }
  // Only the first word is scanned: most lines are no entry, and long.
  const space = message.indexOf(' ', i);
  if (space <= i || message.charCodeAt(space + 1) !== 40 /* ( */) return false;
  const colon = message.indexOf(':', space);
  const d = colon < 0 ? 0 : message.charCodeAt(colon + 1);
  return d >= 48 && d <= 57;
}

/** The last `file:line` of a decode_stacktrace.sh location list: the line in the entry's own function. */
function lastLocation(list: string | undefined): string | undefined {
  if (list === undefined) return undefined;
  let last: string | undefined;
  for (const m of list.matchAll(LOCS)) last = m[0];
  return last;
}

function isHexDigit(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 102);
}

function isNameStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 46 || c === 36;
}

function isNameChar(c: number): boolean {
  // [\w.$@~-]
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 46 || c === 36 || c === 64 || c === 126 || c === 45;
}

/**
 * The common entry shapes without a regular expression (most lines of a log are entries, and the
 * match arrays are the parser's main garbage): `  [<addr>] ? name+0xoff/0xsize [mod buildid]`.
 * Returns undefined whenever the line has anything else, for the full grammar to decide; when it
 * does return, the result equals what the regular expressions give (test/unit/frames.test.ts).
 */
export function fastEntry(message: string, base: number, line: number): ParsedEntry | null | undefined {
  return fastEntryIn(message, 0, message.length, base, line);
}

/**
 * fastEntry on the characters [from, to) of `s` (a whole document, so the parser need not cut the
 * line out first); `base` is the document offset of `from`.
 */
export function fastEntryIn(s: string, from: number, to: number, base: number, line: number): ParsedEntry | undefined {
  const frame = fastFrameIn(s, from, to, base, line);
  return frame === undefined ? undefined : { frame, markers: NO_MARKERS };
}

/** fastEntryIn without the wrapper object (the parser's hot loop; these entries carry no markers). */
export function fastFrameIn(s: string, from: number, to: number, base: number, line: number): StackEntry | undefined {
  const d = base - from; // document offset of position p is p + d
  let i = from;
  while (i < to && (s.charCodeAt(i) === 32 || s.charCodeAt(i) === 9)) i++;
  const lead = i;
  let address: string | null = null;
  if (s.charCodeAt(i) === 91 && s.charCodeAt(i + 1) === 60) {
    const h = hexEndBefore(s, i + 2, to);
    if (h - (i + 2) < 4 || h - (i + 2) > 16 || h + 1 >= to || s.charCodeAt(h) !== 62 || s.charCodeAt(h + 1) !== 93) return undefined;
    address = ADDRESSES.get(s.slice(i + 2, h));
    i = h + 2;
    while (i < to && (s.charCodeAt(i) === 32 || s.charCodeAt(i) === 9)) i++;
    if (i < to && s.charCodeAt(i) === 91) return undefined;
  }
  let reliable = true;
  if (i < to && s.charCodeAt(i) === 63) {
    i++;
    const ws = i;
    while (i < to && (s.charCodeAt(i) === 32 || s.charCodeAt(i) === 9)) i++;
    if (i === ws) return undefined;
    reliable = false;
  }
  const nameStart = i;
  if (i >= to || !isNameStart(s.charCodeAt(i))) return undefined;
  i++;
  while (i < to && isNameChar(s.charCodeAt(i))) i++;
  const nameEnd = i;
  if (i + 2 >= to || s.charCodeAt(i) !== 43 || s.charCodeAt(i + 1) !== 48 || s.charCodeAt(i + 2) !== 120) return undefined;
  const offStart = i + 3;
  const offEnd = hexEndBefore(s, offStart, to);
  if (offEnd === offStart || offEnd + 2 >= to || s.charCodeAt(offEnd) !== 47 || s.charCodeAt(offEnd + 1) !== 48 || s.charCodeAt(offEnd + 2) !== 120)
    return undefined;
  const sizeStart = offEnd + 3;
  const sizeEnd = hexEndBefore(s, sizeStart, to);
  if (sizeEnd === sizeStart) return undefined;
  i = sizeEnd;
  let module: string | null = null;
  let buildId: string | undefined;
  if (i < to) {
    if (i + 1 >= to || s.charCodeAt(i) !== 32 || s.charCodeAt(i + 1) !== 91) return undefined;
    const modStart = i + 2;
    let j = modStart;
    while (j < to && isModuleChar(s.charCodeAt(j))) j++;
    if (j === modStart || j >= to) return undefined;
    module = intern(s.slice(modStart, j));
    if (s.charCodeAt(j) === 32) {
      const idEnd = hexEndBefore(s, j + 1, to);
      if (idEnd - (j + 1) < 16 || idEnd - (j + 1) > 64) return undefined;
      buildId = s.slice(j + 1, idEnd);
      j = idEnd;
    }
    if (j >= to || s.charCodeAt(j) !== 93 || j + 1 !== to) return undefined;
  }
  const f = makeFrame(line, lead + d, to + d);
  f.address = address;
  f.reliable = reliable;
  f.function = intern(s.slice(nameStart, nameEnd));
  f.offset = hexRange(s, offStart, offEnd);
  f.size = hexRange(s, sizeStart, sizeEnd);
  f.symbolStart = nameStart + d;
  f.symbolEnd = sizeEnd + d;
  f.module = module;
  if (buildId !== undefined) f.buildId = buildId;
  return f;
}

/** End of a run of lowercase hex digits starting at i, not past `to`. */
function hexEndBefore(s: string, i: number, to: number): number {
  while (i < to && isHexDigit(s.charCodeAt(i))) i++;
  return i;
}

function hexRange(s: string, start: number, end: number): number {
  if (end - start > 12) return parseInt(s.slice(start, end), 16);
  let n = 0;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    n = n * 16 + (c <= 57 ? c - 48 : c - 87);
  }
  return n;
}

function isModuleChar(c: number): boolean {
  // [\w.-]
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 46 || c === 45;
}

const NO_MARKERS: MarkerToken[] = [];

function leading(s: string): number {
  let i = 0;
  while (i < s.length && (s.charCodeAt(i) === 32 || s.charCodeAt(i) === 9)) i++;
  return i;
}

// (An IP may be 0: `RIP: 0010:0x0` after a call through a NULL pointer.)
const SYMBOL_AT = new RegExp(String.raw`(?:(${SYM})${OFF}|0x([0-9a-f]{1,16})\b|\(null\))${MOD}`, 'y');

/** Parses `func+0xoff/0xsize [mod]` or `0xaddr` at `pos` of `message` into an exact frame, or null. */
export function parseSymbolAt(message: string, pos: number, base: number, line: number): StackEntry | null {
  const re = SYMBOL_AT;
  re.lastIndex = pos;
  const m = re.exec(message);
  if (!m) return decodedSymbolAt(message, pos, base, line);
  const f = makeFrame(line, base + pos, base + message.length);
  f.exact = true;
  const symLen = m[1] !== undefined ? printedSymbol(m[1], m[2], m[3]).length : m[4] !== undefined ? m[4].length + 2 : 6;
  f.symbolStart = base + pos;
  f.symbolEnd = base + pos + symLen;
  if (m[1] !== undefined) {
    f.function = m[1];
    f.offset = hex(m[2]);
    f.size = hex(m[3]);
  } else if (m[4] !== undefined) {
    f.address = m[4];
  }
  f.module = m[5] ?? null;
  if (m[6] !== undefined) f.buildId = m[6];
  return f;
}
