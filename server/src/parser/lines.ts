// Line splitting and line prefixes: everything a console, dmesg, syslog, journal or /dev/kmsg
// capture puts in front of the kernel's own text.
import { upperBound } from '../search.ts';
import type { LinePrefix } from './model.ts';

/**
 * Offsets of the first character of every line. A line ends at `\n` (the `\r`s before it belong to
 * the line break: CRLF, serial captures' `\r\r\n`) and, as LSP has it, at a `\r` not followed by
 * `\n` (old Mac files, a capture of a terminal): each `\r` of a run that no `\n` ends is a line end.
 */
export function computeLineStarts(text: string): Uint32Array {
  // Logs almost never hold such a `\r`: one indexOf pass says so (none at all in an LF file, one hop
  // a line in a CRLF file), and only then the slower scan that reads both characters.
  if (firstLoneCR(text, 0, text.length) !== -1) return lineStartsIn(text, 0, text.length, new LineStartList(text.length, 0)).finish();
  // One pass into a growing buffer (logs average 60-80 characters a line).
  let starts = new Uint32Array(Math.max(16, (text.length >> 6) + 1));
  let n = 1;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) {
    if (n === starts.length) {
      const grown = new Uint32Array(starts.length * 2);
      grown.set(starts);
      starts = grown;
    }
    starts[n++] = i + 1;
  }
  return starts.slice(0, n);
}

/**
 * Offset of the first `\r` in [from, to) that ends a line by itself (its run of `\r`s is not ended
 * by a `\n`), or -1. A run that reaches `to` is judged by the character after it.
 */
export function firstLoneCR(text: string, from: number, to: number): number {
  for (let i = text.indexOf('\r', from); i !== -1 && i < to; i = text.indexOf('\r', i + 1)) {
    let j = i + 1;
    while (text.charCodeAt(j) === 13) j++;
    if (text.charCodeAt(j) !== 10) return i;
    i = j;
  }
  return -1;
}

/** A growing list of line starts. */
export class LineStartList {
  private starts: Uint32Array;
  private n = 0;

  constructor(textLength: number, first: number | null) {
    this.starts = new Uint32Array(Math.max(16, (textLength >> 6) + 1));
    if (first !== null) this.push(first);
  }

  push(start: number): void {
    if (this.n === this.starts.length) {
      const grown = new Uint32Array(this.starts.length * 2);
      grown.set(this.starts);
      this.starts = grown;
    }
    this.starts[this.n++] = start;
  }

  finish(): Uint32Array {
    return this.starts.slice(0, this.n);
  }
}

/**
 * Adds the start of every line whose line break begins in [from, to) of `text`, offset by `base`
 * (`text` may be a slice of the document); a run of `\r`s that reaches `to` is judged by the
 * characters after it. computeLineStarts' rule, for texts that hold a lone `\r`.
 */
export function lineStartsIn(text: string, from: number, to: number, out: LineStartList, base = 0): LineStartList {
  let nl = text.indexOf('\n', from);
  let cr = text.indexOf('\r', from);
  for (;;) {
    if (nl === -1) nl = Infinity;
    if (cr === -1) cr = Infinity;
    const at = Math.min(nl, cr);
    if (at >= to) return out;
    if (at === nl) {
      out.push(base + nl + 1);
      nl = text.indexOf('\n', nl + 1);
      continue;
    }
    let j = cr + 1;
    while (text.charCodeAt(j) === 13) j++;
    if (j === nl) {
      // `\r...\r\n`: one line break, the `\n`'s.
      cr = text.indexOf('\r', j + 1);
      continue;
    }
    for (let k = cr; k < j && k < to; k++) out.push(base + k + 1);
    cr = j < text.length ? text.indexOf('\r', j) : -1;
  }
}

/** What reading a line needs of a text (a string, or the language service's piece text). */
export interface CharSource {
  readonly length: number;
  charCodeAt(offset: number): number;
}

/**
 * End of line `line` (exclusive, before its line break and any `\r` before it): the one line reader
 * of the parser and the language service, so that both read the same text of a line.
 */
export function lineEnd(text: CharSource, lineStarts: ArrayLike<number>, line: number): number {
  // The line break's last character (`\n`, or a lone `\r`) is the one before the next line's start.
  let end = line + 1 < lineStarts.length ? lineStarts[line + 1] - 1 : text.length;
  // CRLF, and serial captures' `\r\r\n`.
  while (end > lineStarts[line] && text.charCodeAt(end - 1) === 13) end--;
  return end;
}

/** 0-based line containing `offset`: the last line that starts at or before it (0 when none does). */
export function lineOfOffset(lineStarts: ArrayLike<number>, offset: number): number {
  return Math.max(0, upperBound(lineStarts, offset) - 1);
}

// Outer prefixes, any of which may come first: syslog/journal (`Jul 22 20:01:02 host kernel: `, RFC 3339
// `2014-11-04T14:57:15.529841-08:00 host kernel: `), /dev/kmsg and extended netconsole records
// (`6,123,456789,-[,caller=T1][,ncfrag=0/9];`), serial-capture clocks (`[22:22:59:896] `), dmesg -x
// (`kern  :warn  : `), syslog level `<4>`, and a bare `kernel: ` where a syslog line was cut.
const OUTER =
  /(?:kernel: |(?:[^\s\d:]{3,4}\.? {1,2}\d{1,2} \d\d:\d\d:\d\d|\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d)?) \S+ (?:kernel|vmunix|klogd)(?:\[\d+\])?: ?|(?:[^,;\s]+,)?[0-7],\d+,\d+,[-c+][^;\n]{0,80};|\[\d\d:\d\d:\d\d[:.]\d{3}\] |(?:kern|user|mail|daemon|auth|syslog|lpr|news|local\d) *:\s*(?:emerg|alert|crit|err|warn|notice|info|debug) *: |<\d{1,3}>)/y;
// Kernel time stamps: `[  12.345678]`, dmesg -T `[Thu Nov  5 16:44:42 2020]`, dmesg -d `[  +0.000155]`.
const TIME = /\[(?: *\+?\d+[.,]\d+|[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4})\]/y;
// The task Android kernels print after the time stamp: `[1234:kworker/u8]`, `(0)[57:kworker/0:1]`.
const ANDROID_TASK = /(?:\(\d{1,4}\))?\[\d{1,7}:[^\]\s\d][^\]]{0,40}\] ?/y;
// printk caller id right after the time (`[  T123]`, `[    C1]`, `[T24950]`), or dmesg's own column (` [     T17]`).
const KMSG_CALLER = /caller=([CT]\d+)/;
// A syslog/journal line from another program: `Nov  9 10:19:35 host openvpn[1118]: WARNING: ...`.
const USERSPACE_SYSLOG =
  /(?:[^\s\d:]{3,4}\.? {1,2}\d{1,2} \d\d:\d\d:\d\d|\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d)?) \S+ (?!kernel\b|vmunix\b|klogd\b)[\w.@/-]+(?:\[\d+\])?: /y;

/** The result of scanning one line's prefix; reused between calls to spare the garbage collector. */
export interface PrefixScan {
  textStart: number;
  /** Offsets of the kernel time stamp, or -1. */
  timeStart: number;
  timeEnd: number;
  /** printk caller id: 0 none, `T<pid>` → pid + 1, `C<cpu>` → -(cpu + 1). */
  callerCode: number;
  userspace: boolean;
}

export function newPrefixScan(): PrefixScan {
  return { textStart: 0, timeStart: -1, timeEnd: -1, callerCode: 0, userspace: false };
}

/** Caller names by code (and the last one asked for): keyed by the code alone, the same for every parse. */
const CALLER_NAMES = new Map<number, string>();

/** `T123` / `C1` for a caller code, or null. Titles ask for every line's caller: one string per id. */
let lastCallerCode = 0;
let lastCallerName: string | null = null;

export function callerName(code: number): string | null {
  if (code === 0) return null;
  // Runs of lines come from one caller: the last answer is the likely one.
  if (code === lastCallerCode) return lastCallerName;
  let name = CALLER_NAMES.get(code);
  if (name === undefined) {
    if (CALLER_NAMES.size >= 1 << 16) CALLER_NAMES.clear();
    name = code > 0 ? `T${code - 1}` : `C${-code - 1}`;
    CALLER_NAMES.set(code, name);
  }
  lastCallerCode = code;
  lastCallerName = name;
  return name;
}

function callerCodeOf(id: string): number {
  const n = Number(id.slice(1));
  return id.charCodeAt(0) === 84 /* T */ ? n + 1 : -(n + 1);
}

/**
 * ` [  T123]` / `[    C1]` at `pos`, read by hand (it is on every line of
 * such logs): sets out.callerCode and returns the offset after it, or -1.
 */
function readCaller(text: string, pos: number, end: number, out: PrefixScan): number {
  let i = pos;
  if (text.charCodeAt(i) === 32) i++;
  if (text.charCodeAt(i) !== 91 /* [ */) return -1;
  i++;
  while (i < end && text.charCodeAt(i) === 32) i++;
  const kind = text.charCodeAt(i);
  if (kind !== 84 /* T */ && kind !== 67 /* C */) return -1;
  i++;
  const digits = i;
  let n = 0;
  while (i < end && isDigit(text.charCodeAt(i))) n = n * 10 + (text.charCodeAt(i++) - 48);
  if (i === digits || i - digits > 9 || text.charCodeAt(i) !== 93 /* ] */ || i >= end) return -1;
  out.callerCode = kind === 84 ? n + 1 : -(n + 1);
  return i + 1;
}

/** Fast path for the common `[ 1234.567890]` time stamp; returns its end offset or -1. */
function plainTimeEnd(text: string, pos: number, end: number): number {
  let i = pos + 1;
  while (i < end && text.charCodeAt(i) === 32) i++;
  const digitsStart = i;
  while (i < end && isDigit(text.charCodeAt(i))) i++;
  if (i === digitsStart || text.charCodeAt(i) !== 46) return -1;
  i++;
  const fracStart = i;
  while (i < end && isDigit(text.charCodeAt(i))) i++;
  return i > fracStart && text.charCodeAt(i) === 93 ? i + 1 : -1;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/**
 * Splits one line into its prefix and the kernel text, writing into `out`. Never throws; a line
 * with no recognised prefix has `textStart === start`.
 */
export function scanLinePrefix(text: string, start: number, end: number, out: PrefixScan): PrefixScan {
  let pos = start;
  out.timeStart = -1;
  out.timeEnd = -1;
  out.callerCode = 0;
  out.userspace = false;
  // Mail quoting (`> `, `> > `, `>> `): the kernel never starts a line with `>`.
  while (pos < end && text.charCodeAt(pos) === 62 /* > */) {
    pos++;
    const c = text.charCodeAt(pos);
    if (c === 32 || c === 9) pos++;
  }
  // A syslog line cut just before `kernel:` leaves a blank in front of it.
  if (text.charCodeAt(pos) === 32 && text.startsWith('kernel: ', pos + 1)) pos++;
  const first = text.charCodeAt(pos);
  // Fast path: most lines start with `[` (time) or have no prefix at all.
  if (first !== 91 /* [ */ && first !== 32 && pos < end) {
    USERSPACE_SYSLOG.lastIndex = pos;
    if (USERSPACE_SYSLOG.test(text) && USERSPACE_SYSLOG.lastIndex <= end) {
      out.textStart = USERSPACE_SYSLOG.lastIndex;
      out.userspace = true;
      return out;
    }
    for (let k = 0; k < 3; k++) {
      OUTER.lastIndex = pos;
      const m = OUTER.exec(text);
      if (!m || OUTER.lastIndex > end) break;
      if (m[0].endsWith(';')) {
        const c = KMSG_CALLER.exec(m[0]);
        if (c) out.callerCode = callerCodeOf(c[1]);
      }
      pos = OUTER.lastIndex;
    }
  }
  if (text.charCodeAt(pos) === 91) {
    pos = readTime(text, pos, end, out);
    // A time stamp with no text, then another line's (`[ 1034.802987] \t[ 1034.804831] INFO: ...`).
    if (out.timeStart >= 0) {
      const next = pos + blanksAt(text, pos, end);
      if (text.charCodeAt(next) === 91 && embeddedTime(text, next - 1, end) === next) pos = readTime(text, next, end, out);
    }
  }
  // Console output of two writers run together: the kernel's line starts at its time stamp
  // (`Oct 30 17:43:3[  261.176510][    C3] ---[ cut here ]---`, `Oops: gen[  107.736417][ T5848] Oops: ...`).
  // (The kernel's own `** 3 printk messages dropped ** [  1.2] ...` is left to the header rules.)
  // (Only behind text: an indented line or one opening with a bracket is a kernel line of its own.)
  const lead = text.charCodeAt(pos);
  if (out.timeStart < 0 && !out.userspace && lead !== 42 /* * */ && lead !== 32 && lead !== 9 && lead !== 91) {
    const at = embeddedTime(text, pos, end);
    if (at > 0) pos = readTime(text, at, end, out);
  }
  out.textStart = pos;
  return out;
}

/** A kernel time stamp at `pos`, with the caller id and Android task after it: sets `out` and returns the offset after them. */
function readTime(text: string, pos: number, end: number, out: PrefixScan): number {
  let timeEnd = plainTimeEnd(text, pos, end);
  if (timeEnd < 0) {
    TIME.lastIndex = pos;
    if (TIME.test(text) && TIME.lastIndex <= end) timeEnd = TIME.lastIndex;
  }
  if (timeEnd < 0) return pos;
  out.timeStart = pos;
  out.timeEnd = timeEnd;
  pos = timeEnd;
  const c0 = text.charCodeAt(pos);
  if (c0 === 91 || (c0 === 32 && text.charCodeAt(pos + 1) === 91)) {
    const after = readCaller(text, pos, end, out);
    if (after > 0) pos = after;
  }
  // The separating space, or the no-break space a web page or mailer put in its place.
  const sep = text.charCodeAt(pos);
  if (sep === 32 || sep === 0xa0) pos++;
  // Android kernels print the task after the time: `[1234:kworker/u8]`, MediaTek `(0)[57:kworker/0:1]`.
  const c1 = text.charCodeAt(pos);
  if ((c1 === 91 && isDigit(text.charCodeAt(pos + 1))) || c1 === 40) {
    ANDROID_TASK.lastIndex = pos;
    if (ANDROID_TASK.test(text) && ANDROID_TASK.lastIndex <= end) pos = ANDROID_TASK.lastIndex;
  }
  return pos;
}

/** Offset of a kernel time stamp (`[  261.176510]`, six decimals) inside [from, end), or -1. */
function embeddedTime(text: string, from: number, end: number): number {
  // Character by character: indexOf would run on past the line's end into the rest of the text.
  const limit = Math.min(end, from + 200);
  for (let i = from + 1; i < limit; i++) {
    if (text.charCodeAt(i) !== 91 /* [ */) continue;
    const c = text.charCodeAt(i + 1);
    if (c !== 32 && !isDigit(c)) continue;
    const e = plainTimeEnd(text, i, end);
    if (e > 0 && text.charCodeAt(e - 8) === 46 /* . */) return i;
  }
  return -1;
}

/** Like scanLinePrefix, as a fresh object with spans (for features that keep the result). */
export function parseLinePrefix(text: string, start: number, end: number): LinePrefix {
  const s = scanLinePrefix(text, start, end, newPrefixScan());
  return {
    textStart: s.textStart,
    caller: callerName(s.callerCode),
    time: s.timeStart >= 0 ? { start: s.timeStart, end: s.timeEnd } : null,
    prefix: { start, end: s.textStart },
    userspace: s.userspace,
  };
}

/** Whether `c` is white space as a regular expression's `\s` sees it. */
export function isRegExpSpace(c: number): boolean {
  if (c <= 32) return c === 32 || (c >= 9 && c <= 13);
  if (c < 0xa0) return false;
  return (
    c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff
  );
}

/** Offset of the first character `\S` matches in `s`, or s.length (not -1) when there is none. */
export function firstNonSpace(s: string): number {
  let i = 0;
  while (i < s.length && isRegExpSpace(s.charCodeAt(i))) i++;
  return i;
}

/** Longest vendor prefix learned from a header line. */
const MAX_VENDOR_PREFIX = 80;

/**
 * A pattern for what a tool or vendor printed before a report's header (`[1234:kworker/u8]`,
 * `(0)[57:kworker/0:1]`, `ttyS0: `), so the report's other lines can be matched against it: bracketed
 * groups match any group of the same brackets, digit runs any digits, blank runs any blanks; the rest
 * is literal. Null when the text cannot be such a prefix.
 */
export function vendorPrefixPattern(prefix: string): RegExp | null {
  if (prefix.length === 0 || prefix.length > MAX_VENDOR_PREFIX || /^\s*$/.test(prefix)) return null;
  const CLOSE: Record<string, string> = { '[': ']', '(': ')', '<': '>', '{': '}' };
  let source = '';
  let i = 0;
  while (i < prefix.length) {
    const c = prefix[i];
    const close = CLOSE[c];
    if (close !== undefined) {
      const j = prefix.indexOf(close, i + 1);
      if (j < 0) return null;
      source += `\\${c}[^\\${close}\\n]*\\${close}`;
      i = j + 1;
    } else if (c >= '0' && c <= '9') {
      while (i < prefix.length && prefix[i] >= '0' && prefix[i] <= '9') i++;
      source += '\\d+';
    } else if (c === ' ' || c === '\t') {
      while (i < prefix.length && (prefix[i] === ' ' || prefix[i] === '\t')) i++;
      source += '[ \\t]*';
    } else {
      source += c.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
      i++;
    }
  }
  return new RegExp(source, 'y');
}

/** Leading blanks (spaces and tabs) at `pos`, up to `end`. */
export function blanksAt(text: string, pos: number, end: number): number {
  let i = pos;
  while (i < end && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9)) i++;
  return i - pos;
}

/** The column mailers wrap at: a line shorter than this by the next line's first word was not wrapped. */
const WRAP_WIDTH = 64;
/** Lines longer than this were never wrapped by a mailer. */
const MAX_WRAPPED_LINE = 100;

/** Shortest line a mailer's wrap leaves (wraps are at 72 to 80 columns, less a word). */
const MIN_WRAPPED_LINE = 20;

/**
 * Cheap first test of wrapCandidate on the line [start, end): long enough to have been cut by a
 * mailer's wrap, and not ending the way a whole kernel line does — a stack entry's `+0x1/0x2`, a
 * register's value, a closing bracket.
 */
function mayBeWrapped(text: TextLike, start: number, end: number): boolean {
  if (end - start < MIN_WRAPPED_LINE || end - start > MAX_WRAPPED_LINE) return false;
  const c = text.charCodeAt(end - 1);
  // An arm entry cut after its caller's address (`(f+0x0/0x24) from [<c014dd88>]`) goes on; other brackets end lines.
  if (c === 93 /* ] */) return text.charCodeAt(end - 2) === 62 /* > */ && armFromAddress(text.slice(Math.max(start, end - 24), end));
  if (c === 41 /* ) */ || c === 62 /* > */) return false;
  // A trailing hex run: a whole register value or an entry's size (`/0x2a0`) ends a line.
  let i = end - 1;
  while (i > start && isHexDigit(text.charCodeAt(i))) i--;
  const run = end - 1 - i;
  if (run >= 8) return false;
  if (run > 0 && text.charCodeAt(i) === 120 /* x */ && text.charCodeAt(i - 1) === 48 /* 0 */ && text.charCodeAt(i - 2) === 47 /* / */) return false;
  return true;
}

function isHexDigit(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 102);
}

/** Length of a mail quote (`> `, `> > `, `>> `) at the start of `s`. */
function quoteLength(s: string): number {
  let i = 0;
  while (i < s.length && s.charCodeAt(i) === 62) {
    i++;
    if (s.charCodeAt(i) === 32 || s.charCodeAt(i) === 9) i++;
  }
  return i;
}

/** Scratch of one call (filled by each scan before it is read), not a cache. */
const wrapScan = newPrefixScan();
const TIME_INSIDE = /\[ *\d+\.\d{6}\]/;

/** How far another wrapped line may be for a line to count as wrapped without ending in `:` or `,`. */
const WRAP_EVIDENCE_LINES = 8;

/** Text the line reader can slice: a string, or the server's piece text. */
export interface TextLike extends CharSource {
  slice(start: number, end: number): string;
}

/** Most lines one kernel line is wrapped onto (a `Code:` line in a narrow mail takes four). */
export const MAX_WRAPPED_PARTS = 5;

/** Lines before and after a line that wrappedLineEnd may read. */
export const WRAP_LOOKBEHIND = WRAP_EVIDENCE_LINES;
export const WRAP_LOOKAHEAD = WRAP_EVIDENCE_LINES + MAX_WRAPPED_PARTS + 1;

/** Whether line `line` looks wrapped onto the next line (mayBeWrapped, a kernel prefix, continuesRest). */
function wrapCandidate(text: TextLike, lineStarts: ArrayLike<number>, line: number, count: number): boolean {
  if (line < 0 || line + 1 >= count || !mayStartRest(text, lineStarts[line + 1])) return false;
  const end = lineEnd(text, lineStarts, line);
  if (!mayBeWrapped(text, lineStarts[line], end)) return false;
  // Only a line with a kernel prefix (time stamp, syslog) can have been wrapped: a mailer wraps a
  // paste of a log, and the rest it makes has no prefix of its own.
  const start = lineStarts[line];
  const head = typeof text === 'string' ? null : text.slice(start, end);
  if (head === null ? !hasKernelPrefix(text as string, start, end) : !hasKernelPrefix(head, 0, head.length)) return false;
  const whole = head ?? text.slice(start, end);
  return continuesRest(whole, text.slice(lineStarts[line + 1], lineEnd(text, lineStarts, line + 1)), whole.slice(0, quoteLength(whole)));
}

/**
 * Whether a line starting with character `c` may be a wrapped rest: most lines start with a time
 * stamp, an indent or a marker, which no rest does (a mail quote is looked behind later).
 */
function mayStartRest(text: CharSource, pos: number): boolean {
  const c = text.charCodeAt(pos);
  // `[<c06516e0>] (dump_stack+0x20/0x24)`: an arm entry's caller wrapped onto a line of its own.
  if (c === 91 /* [ */) return text.charCodeAt(pos + 1) === 60; /* < */
  return !(c === 32 || c === 9 || c === 60 /* < */ || c === 63 /* ? */ || c === 10 || c === 13 || Number.isNaN(c));
}

const WARNING_AT_FILE_END = /WARNING: .* at \S+:\d+$/;

/** `from [<c014dd88>]` at the end: an arm entry whose caller's name went to the next line. */
function armFromAddress(tail: string): boolean {
  return / from \[<[0-9a-f]{8}>\]$/.test(tail);
}

/** Whether the line at `pos` may be read with the line before: a wrapped rest, or an entry's `[module]` alone. */
export function mayContinueOnto(text: CharSource, pos: number): boolean {
  if (mayStartRest(text, pos)) return true;
  const c = text.charCodeAt(pos + 1);
  return text.charCodeAt(pos) === 91 && ((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95);
}

/** Whether a line ends cut short: with `:` or `,` (`RIP:`, `Comm:`), inside brackets (`[cfg80211`), or an arm entry's `from`. */
function cutShort(line: string): boolean {
  const last = line.charCodeAt(line.length - 1);
  if (last === 58 /* : */ || last === 44 /* , */) return true;
  if (line.endsWith(' from') || armFromAddress(line)) return true;
  // A WARNING header whose function went to the next line (`WARNING: CPU: 0 PID: 1 at fs/x.c:12`).
  if (last >= 48 && last <= 57 && WARNING_AT_FILE_END.test(line)) return true;
  return line.lastIndexOf('[') > line.lastIndexOf(']') || line.lastIndexOf('(') > line.lastIndexOf(')');
}

/** Whether the line [start, end) starts with a kernel time stamp or syslog prefix (behind a mail quote). */
function hasKernelPrefix(text: string, start: number, end: number): boolean {
  let q = start;
  while (q < end && text.charCodeAt(q) === 62) {
    q++;
    if (text.charCodeAt(q) === 32 || text.charCodeAt(q) === 9) q++;
  }
  scanLinePrefix(text, q, end, wrapScan);
  return wrapScan.timeStart >= 0 || (wrapScan.textStart > q && !wrapScan.userspace);
}

/**
 * Whether `next` is the wrapped rest of `part` (both behind the mail quote `quote`): no kernel
 * prefix, no indent, no time stamp inside, and its first word would not have fitted on `part`.
 */
function continuesRest(part: string, next: string, quote: string): boolean {
  if (!next.startsWith(quote)) return false;
  const rest = next.slice(quote.length);
  if (rest.length === 0 || part.length > MAX_WRAPPED_LINE) return false;
  if (!mayStartRest(rest, 0) || rest.charCodeAt(0) === 62 /* > */) return false;
  scanLinePrefix(rest, 0, rest.length, wrapScan);
  if (wrapScan.textStart !== 0 || wrapScan.userspace || TIME_INSIDE.test(rest)) return false;
  const word = rest.indexOf(' ');
  return part.length + 1 + (word < 0 ? rest.length : word) > WRAP_WIDTH;
}

/**
 * The end of line `line` read as one with its wrapped rest on the lines after it, or lineEnd().
 * A line counts as wrapped when it ends cut short (`RIP:`, `Comm:`, `RBX:`, a `,`, inside `[...`), or when
 * another line near it is wrapped too: a mailer wraps every long line of a paste, while a lone
 * console line after a long kernel line (`executing program`) is no wrap.
 */
export function wrappedLineEnd(text: TextLike, lineStarts: ArrayLike<number>, line: number, count: number): number {
  const end = lineEnd(text, lineStarts, line);
  if (!wrapCandidate(text, lineStarts, line, count)) return moduleOnNextLine(text, lineStarts, line, count, end) ? lineEnd(text, lineStarts, line + 1) : end;
  let evident = cutShort(text.slice(lineStarts[line], end)) || codeBytesGoOn(text, lineStarts, line, end);
  for (let k = 1; !evident && k <= WRAP_EVIDENCE_LINES; k++) {
    evident = wrapCandidate(text, lineStarts, line - k, count) || wrapCandidate(text, lineStarts, line + k, count);
  }
  if (!evident) return end;
  const quote = text.slice(lineStarts[line], end);
  const q = quote.slice(0, quoteLength(quote));
  let last = line + 1;
  while (last + 1 < count && last - line < MAX_WRAPPED_PARTS - 1) {
    const part = text.slice(lineStarts[last], lineEnd(text, lineStarts, last));
    if (!continuesRest(part, text.slice(lineStarts[last + 1], lineEnd(text, lineStarts, last + 1)), q)) break;
    last++;
  }
  return lineEnd(text, lineStarts, last);
}

/** A `Code:` line's bytes, and a line of nothing but bytes after it: the rest of those bytes. */
const CODE_BYTES_END = /\bCode: (?:<?[0-9a-f]{2}>? )+<?[0-9a-f]{2}>?$/;
const BYTES_ONLY = /^(?:<?[0-9a-f]{2}>? )*<?[0-9a-f]{2}>?$/;

function codeBytesGoOn(text: TextLike, lineStarts: ArrayLike<number>, line: number, end: number): boolean {
  if (line + 1 >= lineStarts.length) return false;
  return CODE_BYTES_END.test(text.slice(lineStarts[line], end)) && BYTES_ONLY.test(text.slice(lineStarts[line + 1], lineEnd(text, lineStarts, line + 1)));
}

/**
 * Whether the next line is nothing but the `[module]` of the stack entry ending line `line` (a
 * mailer wrapped it): the entry ends with its size, the next line is `[name]` alone.
 */
function moduleOnNextLine(text: TextLike, lineStarts: ArrayLike<number>, line: number, count: number, end: number): boolean {
  if (line + 1 >= count) return false;
  const s = lineStarts[line + 1];
  const e = lineEnd(text, lineStarts, line + 1);
  if (e - s < 3 || e - s > 64 || text.charCodeAt(s) !== 91 /* [ */ || text.charCodeAt(e - 1) !== 93 /* ] */) return false;
  const c = text.charCodeAt(s + 1);
  if (!((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95)) return false;
  let i = end - 1;
  while (i > lineStarts[line] && isHexDigit(text.charCodeAt(i))) i--;
  if (i === end - 1 || text.charCodeAt(i) !== 120 || text.charCodeAt(i - 1) !== 48 || text.charCodeAt(i - 2) !== 47) return false;
  return /^\[[\w.-]+\]$/.test(text.slice(s, e));
}

/**
 * A line joined with its wrapped rest as people read it: one blank where the mailer broke the line,
 * the rest's mail quote left out (`WARNING: CPU: 0 PID: 1 at kernel/smp.c:912`). For titles and
 * other tests of text; the parser keeps offsets with joinWrapped.
 */
export function readWrapped(s: string): string {
  return s.replace(BREAK_FOR_READING, ' ');
}

/** Blanks before a line break, the break, and the mail quote the wrapped rest repeats. */
const BREAK_FOR_READING = /[ \t]*[\r\n]+(?:>[ \t]?)*/g;

/** Text with its line breaks turned into blanks, offsets kept (a line joined with its wrapped rest). */
export function joinWrapped(s: string): string {
  return s.indexOf('\n') === -1 && s.indexOf('\r') === -1 ? s : s.replace(LINE_BREAK_AND_QUOTE, (m) => ' '.repeat(m.length));
}

/** A line break and the mail quote the wrapped rest repeats. */
const LINE_BREAK_AND_QUOTE = /[\r\n]+(?:>[ \t]?)*/g;
