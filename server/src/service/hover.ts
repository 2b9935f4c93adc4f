// Hover: what the thing under the cursor is and why it looks the way it does — a call-trace entry
// (return address, unreliable `?`, a copy of the RIP, `func+0xN/0xN` at a function's end), the
// exact RIP/pc, a register, a `Code:` dump, a context marker, a stack header, a report header.
// A symbolizer, when one is configured, adds source lines and disassembly at the end.
import type { Hover, MarkupContent, Position } from 'vscode-languageserver-types';
import { MarkupKind } from 'vscode-languageserver-types';
import type { Finding } from '../analyzer/findings.ts';
import { frameLabel, offsetText, symbolText } from '../analyzer/frameText.ts';
import { duplicateFrame, duplicateRegsIp, ruleOf } from '../analyzer/rules/index.ts';
import type { ContextMarker, StackEntry, Register, RegisterBlock, Report, Span, Stack } from '../parser/model.ts';
import { lineEnd, parseLinePrefix } from '../parser/lines.ts';
import { lineTarget } from './hover/lines.ts';
import { moreLink } from './hover/docs.ts';
import { atFunctionEnd, isRawStackWords, questionMarkOf, STACK_KINDS, symbolSpan } from '../parser/model.ts';
import type { LogAnalysis } from './analysis.ts';
import type { DocumentVersion } from './document.ts';
import { offsetAt, parserLineAt, spanRange } from './positions.ts';
import type { CancellationLike, LookupKind, SymbolInfo, SymbolQuery, Symbolizer } from '../symbolizer/types.ts';
import { symbolQuery } from '../symbolizer/query.ts';
import type { QueryEntry } from '../symbolizer/query.ts';
import { basename } from 'node:path';
import { pathToFileURL } from 'node:url';
import { registersInText } from '../parser/registers.ts';
import { codeLineBytes, disassembleX86 } from '../disasm/x86.ts';
import { TAINT_FLAGS, taintFlagsOf, taintMask, taintTextIn } from '../decode/taint.ts';
import { CR0_BITS, CR4_BITS, decodeBits, PF_ERROR_BITS, pfErrorCodeIn, pfErrorSummary } from '../decode/registers.ts';
import type { BitName } from '../decode/registers.ts';
import { origRaxMeaning } from '../decode/syscalls.ts';
import { addressFacts, addressLayout, ARM64_TAG_MEANINGS } from '../decode/addresses.ts';
import type { AddressFact, AddressLayout } from '../decode/addresses.ts';
import { arm64FieldsIn } from '../decode/arm64.ts';
import { arm64FieldText, pstateIn } from './hoverArm64.ts';

export interface HoverOptions {
  symbolizer?: Symbolizer;
  /** Longest wait for the symbolizer before answering without it. */
  symbolizerTimeoutMs?: number;
  token?: CancellationLike;
  /** The findings' documentation (a URI, no fragment): `?` entries link to their section. None: no link. */
  docsBase?: string;
}

interface Target {
  span: Span;
  sections: string[];
  /** The entry to symbolize, if any. */
  symbol?: { frame: StackEntry; report: Report };
  /** With a symbolizer: the sections again, with what it answers (a `Code:` listing labelled, an
   * address with its symbol); null keeps them. */
  withSymbols?: (lookup: (entry: QueryEntry) => Promise<SymbolInfo | null>) => Promise<string[] | null>;
}

export async function computeHover(document: DocumentVersion, analysis: LogAnalysis, position: Position, options: HoverOptions = {}): Promise<Hover | null> {
  const offset = offsetAt(document, position);
  const line = parserLineAt(document, offset);
  const k = analysis.reportIndexAtLine(line);
  if (k < 0) return null;
  const report = analysis.report(k);
  const target = findTarget(document, report, analysis.findingsOf(k), line, offset, options.docsBase);
  if (!target) return null;
  // `document` and `analysis` are one version's (a snapshot; an edit meanwhile makes the next one):
  // the answer is for the version the request was made on.
  const range = spanRange(document, target.span);
  let sections = [...target.sections];
  const symbolizer = options.symbolizer;
  if (target.withSymbols && symbolizer) {
    const lookup = (entry: QueryEntry) => symbolize(symbolizer, symbolQuery(document.text, document.version, entry, report), options);
    const better = await target.withSymbols(lookup);
    if (better && !options.token?.isCancellationRequested) sections = better;
  }
  if (target.symbol && options.symbolizer) {
    const query = symbolQuery(document.text, document.version, target.symbol.frame, target.symbol.report);
    const info = await symbolize(options.symbolizer, query, options);
    if (info && !options.token?.isCancellationRequested) sections.push(renderSymbolInfo(info, target.symbol.frame));
  }
  const contents: MarkupContent = { kind: MarkupKind.Markdown, value: sections.join('\n\n---\n\n') };
  return { contents, range };
}

/**
 * A hover as plain text, for a client whose `textDocument.hover.contentFormat` does not list
 * markdown: emphasis and code marks left out, a link as `text (target)`, code blocks as their lines.
 */
export function plainTextHover(hover: Hover | null): Hover | null {
  if (!hover || typeof hover.contents !== 'object' || !('kind' in hover.contents) || hover.contents.kind !== MarkupKind.Markdown) return hover;
  return { ...hover, contents: { kind: MarkupKind.PlainText, value: markdownToPlainText(hover.contents.value) } };
}

/** The markdown hovers write (bold, italics, code spans and blocks, links, lists) as plain text. */
export function markdownToPlainText(markdown: string): string {
  const out: string[] = [];
  let inCodeBlock = false;
  for (const line of markdown.split('\n')) {
    if (line.startsWith('```')) {
      inCodeBlock = !inCodeBlock;
      continue;
    }
    out.push(inCodeBlock ? line : plainLine(line));
  }
  return out.join('\n');
}

function plainLine(line: string): string {
  const unlinked = line.replace(/\[([^\]\n]*)\]\(([^)\s]*)\)/g, '$1 ($2)').replace(/\*\*/g, '');
  // Code spans as they are (backticks left out); `*emphasis*` marks left out of the rest.
  return unlinked
    .split(/(`[^`]*`)/)
    .map((part, i) => (i % 2 === 1 ? part.slice(1, -1) : part.replace(/(^|[^\w*])\*([^*\s](?:[^*]*[^*\s])?)\*(?![\w*])/g, '$1$2')))
    .join('');
}

/** The call-trace entry or instruction pointer at an offset (for go to definition). */
export function symbolTargetAt(document: DocumentVersion, analysis: LogAnalysis, offset: number): { frame: StackEntry; report: Report } | null {
  const line = parserLineAt(document, offset);
  const k = analysis.reportIndexAtLine(line);
  if (k < 0) return null;
  return findTarget(document, analysis.report(k), analysis.findingsOf(k), line, offset)?.symbol ?? null;
}

function within(span: Span, offset: number): boolean {
  return offset >= span.start && offset <= span.end;
}

function findTarget(document: DocumentVersion, report: Report, findings: readonly Finding[], line: number, offset: number, docsBase?: string): Target | null {
  const lineStart = document.lineStarts[line];
  const lineText = document.text.slice(lineStart, lineEnd(document.text, document.lineStarts, line));
  const taint = taintTextIn(lineText);
  if (taint && offset >= lineStart + taint.start && offset <= lineStart + taint.end)
    return { span: { start: lineStart + taint.start, end: lineStart + taint.end }, sections: [taintText(taint.columns)] };
  const pf = pfErrorCodeIn(lineText);
  if (pf && offset >= lineStart + pf.start && offset <= lineStart + pf.end)
    return { span: { start: lineStart + pf.start, end: lineStart + pf.end }, sections: [pfErrorText(pf.value)] };
  const pstate = pstateIn(lineText);
  if (pstate && offset >= lineStart + pstate.start && offset <= lineStart + pstate.end)
    return { span: { start: lineStart + pstate.start, end: lineStart + pstate.end }, sections: [pstate.text] };
  for (const f of arm64FieldsIn(lineText, report.arch === 'arm64'))
    if (offset >= lineStart + f.start && offset <= lineStart + f.end)
      return { span: { start: lineStart + f.start, end: lineStart + f.end }, sections: [arm64FieldText(f)] };
  for (const stack of report.stacks) {
    for (const marker of stack.markers) if (marker.line === line && within(marker, offset)) return { span: marker, sections: [markerText(marker)] };
  }
  const textStart = lineStart + parseLinePrefix(lineText, 0, lineText.length).textStart;
  const x86_64 = report.arch === 'x86_64' || report.arch === null;
  const kinds = lineTarget({
    message: document.text.slice(textStart, lineStart + lineText.length),
    base: textStart,
    offset,
    line,
    report,
    messageAt: (l) => (l >= 0 && l < document.lineStarts.length ? messageOf(document, l) : ''),
    addressText: (value) => {
      const fact = addressFacts(value.padStart(16, '0'), x86_64);
      return fact ? addressText(fact, value, false) : null;
    },
  });
  if (kinds) return kinds;
  for (const block of report.regs) {
    // arm64 prints `Code:` after the call trace, outside its register block's lines.
    if (block.code && block.code.line === line) {
      const ip = block.ip;
      const withSymbols = ip?.function
        ? async (lookup: (entry: QueryEntry) => Promise<SymbolInfo | null>) => {
            const info = await lookup(ip);
            return info?.symbol ? [codeText(document, block, report, info.symbol)] : null;
          }
        : undefined;
      return { span: block.code, sections: [codeText(document, block, report)], withSymbols };
    }
    if (line < block.line || line > block.endLine) continue;
    const blockStart = document.lineStarts[block.line];
    const blockText = document.text.slice(blockStart, lineEnd(document.text, document.lineStarts, block.endLine));
    for (const reg of registersInText(blockText, blockStart)) {
      const span = registerSpan(document, reg);
      if (within(span, offset)) {
        const sections = [registerText(document, reg, block, report)];
        const text = !NOT_ADDRESSES.has(reg.name) ? kernelTextAddress(document, reg.value, report) : null;
        return { span, sections, withSymbols: text ? symbolSection(sections, text) : undefined };
      }
    }
    if (block.ip && (block.ipLine === line || block.ip.line === line)) return ipLineTarget(document, block, block.ip, report, line, lineText, offset);
  }
  for (const stack of report.stacks) {
    if (isRawStackWords(stack) && line > stack.line && line <= stack.endLine) {
      for (const m of lineText.matchAll(/(?<![0-9a-fx])[0-9a-f]{16}(?![0-9a-f])/g)) {
        const span = { start: lineStart + (m.index as number), end: lineStart + (m.index as number) + 16 };
        if (within(span, offset)) {
          const sections = [stackWordText(document, m[0], report)];
          const text = kernelTextAddress(document, m[0], report);
          return { span, sections, withSymbols: text ? symbolSection(sections, text) : undefined };
        }
      }
    }
    for (let i = 0; i < stack.frames.length; i++) {
      const frame = stack.frames[i];
      if (frame.line !== line) continue;
      const mark = questionMarkOf(document.text, frame);
      const onMark = mark >= 0 && offset >= mark && offset <= mark + 1;
      const own = findings.filter((f) => f.data.stack === report.stacks.indexOf(stack) && f.data.frame === i);
      const span = onMark ? { start: mark, end: mark + 1 } : frameSpan(frame);
      // powerpc's `(unreliable)` after the entry is part of it.
      const suffix = POWERPC_UNRELIABLE.exec(lineText);
      if (suffix && offset >= span.end) span.end = Math.max(span.end, lineStart + suffix.index + '(unreliable)'.length);
      return { span, sections: frameText(frame, stack, report, own, lineText, docsBase), symbol: { frame, report } };
    }
    if (stack.line === line && stack.header.end > stack.header.start && within(stack.header, offset))
      return { span: stack.header, sections: [stackText(stack)] };
  }
  if (line === report.headerLine) {
    const start = document.lineStarts[line];
    return { span: { start, end: lineEnd(document.text, document.lineStarts, line) }, sections: [reportText(report, findings)] };
  }
  return null;
}

/** The kernel text of a line (its prefix left out). */
function messageOf(document: DocumentVersion, line: number): string {
  const text = document.text.slice(document.lineStarts[line], lineEnd(document.text, document.lineStarts, line));
  return text.slice(parseLinePrefix(text, 0, text.length).textStart);
}

/**
 * The parts of an instruction-pointer line, each with its own range: the symbol (`PC is at func`,
 * `RIP: 0010:func`), each `[<address>]` (`RIP: 0010:[<a>]  [<a>] func`, arm's `pc : [<a>] lr : [<b>]`:
 * the pc's is the IP, the lr's the link register). Between the parts, nothing.
 */
function ipLineTarget(
  document: DocumentVersion,
  block: RegisterBlock,
  ip: StackEntry,
  report: Report,
  line: number,
  lineText: string,
  offset: number,
): Target | null {
  const lineStart = document.lineStarts[line];
  const ipTarget = (span: Span): Target => ({ span, sections: [ipText(block, ip, report)], symbol: { frame: ip, report } });
  if (ip.line === line && ip.symbolEnd > ip.symbolStart && within(symbolSpan(ip), offset)) return ipTarget(symbolSpan(ip));
  // arm's `PC is at func`, i386's `EIP is at func`: the words too.
  const textStart = parseLinePrefix(lineText, 0, lineText.length).textStart;
  const isAt = /^(\s*)(?:PC|EIP) is at(?= )/.exec(lineText.slice(textStart));
  if (isAt) {
    const span = { start: lineStart + textStart + isAt[1].length, end: lineStart + textStart + isAt[0].length };
    if (within(span, offset)) return ipTarget(span);
  }
  for (const m of lineText.matchAll(/(?:\b(pc|lr|RIP|EIP|IP) *:? *([0-9a-f]{4}:)?)?\[<([0-9a-f]{8,16})>\]/g)) {
    const at = m.index as number;
    // `RIP: 0010` is the selector's hover: then the address part starts at `[<`.
    const from = m[2] !== undefined ? at + m[0].indexOf('[<') : at;
    const span = { start: lineStart + from, end: lineStart + at + m[0].length };
    if (!within(span, offset)) continue;
    if (m[1] === 'lr') {
      const valueStart = lineStart + at + m[0].indexOf(m[3]);
      const reg = {
        name: 'lr',
        value: m[3],
        nameSpan: { start: lineStart + at, end: lineStart + at + 2 },
        valueSpan: { start: valueStart, end: valueStart + m[3].length },
      };
      return { span, sections: [registerText(document, reg, block, report)] };
    }
    return ipTarget(span);
  }
  return null;
}

/** A register's name and value; `RSP: 0018:ffff…` takes in the value after the selector. */
function registerSpan(document: DocumentVersion, reg: Register): Span {
  const after = /^:[0-9a-f]{8,16}\b/.exec(document.text.slice(reg.valueSpan.end, reg.valueSpan.end + 20));
  return { start: reg.nameSpan.start, end: reg.valueSpan.end + (after && (reg.name === 'RSP' || reg.name === 'ESP') ? after[0].length : 0) };
}

function frameSpan(frame: StackEntry): Span {
  return { start: Math.min(frame.start, frame.symbolStart), end: Math.max(frame.symbolEnd, frame.start) };
}

const code = (s: string) => '`' + s.replace(/`/g, "'") + '`';
const hex = (n: number) => `0x${n.toString(16)}`;

// ------------------------------------------------------------------------------------------------
// Stack entries

function frameText(frame: StackEntry, stack: Stack, report: Report, findings: readonly Finding[], lineText: string, docsBase?: string): string[] {
  const powerpcUnreliable = POWERPC_UNRELIABLE.test(lineText);
  const tags = ['call-trace entry', powerpcUnreliable ? '`(unreliable)`' : frame.reliable ? 'confirmed by the unwinder' : 'unreliable (`?`)'];
  if (frame.context) tags.push(`${frame.context} context`);
  const head = `**${code(frameLabel(frame))}** · ${tags.join(' · ')}`;
  if (powerpcUnreliable) return [[head, ...powerpcUnreliableText(frame), whereText(frame, stack)].filter(Boolean).join('\n\n')];
  if (!frame.reliable)
    return [
      [head, ...unreliableText(frame, report, findings), whereText(frame, stack), moreLink('unreliable entries and the findings', 'unreliable-frame', docsBase)]
        .filter(Boolean)
        .join('\n\n'),
    ];
  const parts: string[] = [head];
  if (atFunctionEnd(frame)) {
    const name = frame.function as string;
    const rip = report.regs.find((b) => b.ip && b.ip.address !== null && b.ip.address === frame.address);
    parts.push(
      `**${code(offsetText(frame.offset as number, frame.size))}: the offset equals the size of ${code(name)}**, so the address points just past its last byte, at the start of the **next** function in memory. ` +
        (rip
          ? `The register block on line ${rip.ipLine + 1} prints the same address as ${code(frameLabel(rip.ip as StackEntry))}: this is the saved instruction pointer at the first instruction of that next function, not a return address.`
          : `As a return address, the call was the last instruction of ${code(name)}: a call to a function that does not return (\`BUG()\`, \`panic()\`, \`__stack_chk_fail()\`), or, in entry code, a call that returns and falls through to the next label.`),
    );
    if (rip) return [[...parts, whereText(frame, stack)].filter(Boolean).join('\n\n')];
  }
  parts.push(returnAddressText(frame));
  parts.push(whereText(frame, stack));
  return [parts.filter(Boolean).join('\n\n')];
}

/**
 * A `?` entry: one line that says what it is, one paragraph on what this one most likely is (a copy
 * of the RIP, a repeat, a pointer to the next function, else a stale return address), one line of why.
 */
function unreliableText(frame: StackEntry, report: Report, findings: readonly Finding[]): string[] {
  const parts = ['**Unreliable: found by scanning the stack, not confirmed by the unwinder.**'];
  const dupRegs = findings.find((f) => f.code === duplicateRegsIp.code);
  const dupFrame = findings.find((f) => f.code === duplicateFrame.code);
  const end = atFunctionEnd(frame) ? (frame.function as string) : null;
  const rip = report.regs.find((b) => b.ip && b.ip.address !== null && b.ip.address === frame.address && b.ip.function !== frame.function)?.ip;
  // `__pfx_foo` (function padding) and `__cfi_foo` (kCFI's preamble) end where `foo` starts.
  const pfx = end && /^__(?:pfx|cfi)_./.test(end) ? end.slice(6) : null;
  if (dupRegs) {
    const at = dupRegs.related[0];
    parts.push(
      `**A copy of the instruction pointer** of the register block ${at ? `on line ${at.line + 1}` : 'above'}: the interrupt or exception saved it on the stack (\`pt_regs\`) and the scan found it again. It is no caller; "Remove duplicate entry" deletes the line.` +
        (end
          ? ` ${code(offsetText(frame.offset as number, frame.size))} is the end of ${code(end)}${rip ? `: the same address is ${code(frameLabel(rip))}` : ''}.`
          : ''),
    );
  } else if (dupFrame) {
    const at = dupFrame.related[0];
    parts.push(`**A repeat** of the entry ${at ? `on line ${at.line + 1}` : 'elsewhere in this stack'}: a leftover of the scan.`);
  } else if (pfx) {
    parts.push(
      `${code(frameLabel(frame))} is **${code(`${pfx}+0x0`)}**: a pointer to ${code(pfx)} (the \`${end?.slice(0, 6)}\` ${end?.startsWith('__cfi_') ? 'preamble' : 'padding'} ends where ${code(pfx)} starts), such as a callback kept on the stack. Not a return address.`,
    );
  } else if (end) {
    parts.push(
      `${code(offsetText(frame.offset as number, frame.size))}: the offset equals the size, so this points just past ${code(end)}, to the first byte of the **next** function in memory: most often a pointer to that function (a callback, a saved start address)${rip ? `, here ${code(frameLabel(rip))}` : ''}. Not a return address.`,
    );
  } else {
    const callAt =
      frame.function !== null && frame.offset !== null && frame.offset > 0
        ? `at ${code(symbolText({ function: frame.function, offset: frame.offset - 1, size: null, address: null }))}, `
        : '';
    parts.push(
      `Most often a stale return address left by an earlier call (then its call is ${callAt}address − 1), a function pointer, or a saved instruction pointer.`,
    );
  }
  parts.push('The unwinder prints plainly only the return addresses it can prove; crash signatures (syzkaller, ABRT) leave `?` entries out.');
  return parts;
}

const POWERPC_UNRELIABLE = /\(unreliable\)\s*$/;

/** powerpc's `(unreliable)`: the first frame's saved LR, which the function may not have written yet. */
function powerpcUnreliableText(frame: StackEntry): string[] {
  return [
    "**Unreliable: the first frame's saved LR may be stale.**",
    "powerpc's unwinder reads each return address from the link-register save slot of a stack frame. The function that was running may not have saved its LR there yet (a leaf function never does), so the slot of the first frame can hold an older value: this entry may be no caller at all. The `LR [<…>]` line of the register dump shows the link register itself." +
      (frame.function ? ` If ${code(frame.function)} is a real caller, its call is at address − 4.` : ''),
  ];
}

function whereText(frame: StackEntry, stack: Stack): string {
  const where: string[] = [];
  if (frame.module) where.push(`module ${code(frame.module)}${frame.buildId ? ` (build id ${code(frame.buildId)})` : ''}`);
  if (frame.address) where.push(`address ${code('0x' + frame.address)}`);
  if (frame.source) where.push(`source ${code(frame.source)}`);
  if (stack.kind) where.push(`in ${code(stack.kind)}`);
  return where.length ? capitalize(where.join(', ')) + '.' : '';
}

function returnAddressText(frame: StackEntry): string {
  if (frame.function === null || frame.offset === null) {
    return 'A call-trace entry is a **return address**: where execution resumes when the call made there returns. The call itself is the instruction before it, so look up address − 1 for its source line.';
  }
  const callAt = frame.offset > 0 ? code(symbolText({ function: frame.function, offset: frame.offset - 1, size: null, address: null })) : 'the byte before it';
  return (
    `A call-trace entry is a **return address**: ${code(offsetText(frame.offset, null))} is where ${code(frame.function)} resumes when the call it made returns` +
    (frame.size !== null ? ` (${code(hex(frame.size))} is the function's size)` : '') +
    `. The call is the instruction just before, so its source line is at address − 1 (${callAt}), as \`decode_stacktrace.sh\` and syzkaller look it up; a RIP/pc line, by contrast, is exact.`
  );
}

// ------------------------------------------------------------------------------------------------
// Register blocks

/** The two one-line IP lines of older x86 kernels: before the oops (`IP:`) and after the trace (`RIP  [<…>]`). */
function summaryText(block: RegisterBlock, report: Report): string {
  const dump = report.regs.find((b) => b.kind === 'full' && b.ip);
  const again = dump ? ` The register dump on line ${dump.ipLine + 1} prints the same instruction pointer.` : '';
  if (block.ipRegister === 'IP')
    return (
      '**Printed before the oops** by the page-fault handler (x86 kernels up to 4.x), right after `BUG: unable to handle kernel …`: the instruction that made the bad access, at the address in that line.' +
      again
    );
  const pointers =
    block.ipRegister === 'EIP'
      ? 'this line repeats the instruction pointer and, in `SS:ESP`, the stack pointer'
      : 'this line and the `RSP` beside or below it repeat the instruction and stack pointers';
  return `**The summary after the trace** (x86 kernels up to 4.x): ${pointers} at the end of the report, so the crash site is seen even when the top scrolled away.${again}`;
}

function ipText(block: RegisterBlock, ip: StackEntry, report: Report): string {
  const parts = [`**${code(frameLabel(ip))}** · instruction pointer, exact${block.context ? ` · saved in ${block.context} context` : ''}`];
  if (block.user) {
    parts.push(
      '**User-mode address**: the task was running in user space (code segment `0033`/`0023`). The kernel does not symbolize it; the program and its libraries do.',
    );
    return parts.join('\n\n');
  }
  parts.push(
    'The address of the instruction the CPU was executing, or about to execute, when these registers were saved — at the fault, the trap or the interrupt. ' +
      'Unlike call-trace entries it is **not** a return address: the source line is at exactly this address (no − 1).',
  );
  if (ip.offset === 0 && ip.function !== null) {
    const copy = report.stacks.flatMap((s) => s.frames).find((f) => !f.exact && f.address !== null && f.address === ip.address && f.function !== ip.function);
    parts.push(
      `\`+0x0\`: the very first instruction of ${code(ip.function)} — typically an interrupt that arrived right after a call into it.` +
        (copy
          ? ` The call trace shows the same address as ${code(frameLabel(copy))} (line ${copy.line + 1}): the end of the function before it in memory, printed the return-address way.`
          : ''),
    );
  }
  if (block.kind === 'iret')
    parts.push('Only the IRET frame (RIP, RSP, EFLAGS) was saved here: an exception or interrupt stack switch, not a full register dump.');
  if (block.kind === 'summary') parts.push(summaryText(block, report));
  return parts.join('\n\n');
}

/** The resolved symbol of a block's instruction pointer (SymbolInfo.symbol). */
type IpSymbol = NonNullable<SymbolInfo['symbol']>;

function codeText(document: DocumentVersion, block: RegisterBlock, report: Report, ipSymbol?: IpSymbol): string {
  const parts = [
    '**Code bytes** around the instruction pointer. Since Linux 4.18 x86 prints 42 bytes before it, the byte at RIP in `<…>` — where the faulting or trapping instruction starts — and 21 after; older kernels printed 64 bytes starting 43 before RIP. arm64 prints 32-bit words, the one at pc in `(…)`.',
  ];
  const code = block.code;
  const message = code ? document.text.slice(code.start, code.end) : '';
  // The report's arch; without one, the instruction pointer's name (RIP/IP: x86-64, EIP: i386).
  const arch = report.arch ?? (block.ipRegister === 'EIP' ? 'i386' : block.ipRegister === 'RIP' || block.ipRegister === 'IP' ? 'x86_64' : null);
  const x86 = arch === 'x86_64' || arch === 'i386';
  const listing = code && !code.unavailable && x86 ? x86Listing(message, arch === 'i386' ? 32 : 64, block, ipSymbol) : null;
  if (listing) parts.push(listing);
  else if (code && !code.unavailable && report.arch === 'arm64' && code.trapping >= 0) parts.push(arm64Words(message));
  else if (!code?.unavailable)
    parts.push("Disassemble it with the kernel's `scripts/decodecode` (pipe the `Code:` line into it; `ARCH=` and `CROSS_COMPILE=` for other architectures).");
  if (code?.unavailable)
    parts.push(
      'The bytes at RIP could not be read (`Bad RIP value` / `Unable to access opcode bytes`): RIP points to unmapped or user memory, which is often the bug itself (a call through a bad function pointer).',
    );
  return parts.join('\n\n');
}

/** The disassembly of an x86 `Code:` line (server/src/disasm/x86.ts), decodecode's way: offsets
 * from the line's first byte, `*` and `<-- trapping instruction` on the marked one. */
function x86Listing(message: string, bitness: 32 | 64, block: RegisterBlock, ipSymbol?: IpSymbol): string | null {
  const parsed = codeLineBytes(message);
  if (!parsed) return null;
  const result = disassembleX86(parsed.bytes, parsed.marker, bitness);
  if (!result.ok) return `The bytes could not be disassembled: ${result.problem}.`;
  const ip = block.ip?.function ? symbolText(block.ip) : null;
  const width = Math.max(...result.lines.map((l) => l.bytes.length));
  const labels = ipSymbol ? result.lines.map((l) => instructionLabel(ipSymbol, l.offset - parsed.marker)) : null;
  const labelWidth = labels ? Math.max(...labels.map((l) => l.length)) : 0;
  const rows = result.lines.map((l, i) => {
    const at = `${l.offset.toString(16).padStart(4)}:${l.marked ? '*' : ' '}`;
    const mark = l.marked ? `   <-- trapping instruction${ip ? ` (${ip})` : ''}` : '';
    const label = labels ? ` ${labels[i].padEnd(labelWidth)}` : '';
    return `${at}${label} ${l.bytes.padEnd(width)}  ${l.text}${mark}`;
  });
  const head =
    `**Disassembly** (${bitness === 64 ? 'x86-64' : 'i386'}, AT&T syntax)` +
    (result.skipped === 0
      ? '.'
      : result.lines[0]?.marked
        ? ': no decoding of the bytes before the marked one lands on it, so the listing starts at the marked byte.'
        : `: the first ${result.skipped === 1 ? 'byte is' : `${result.skipped} bytes are`} taken for the end of an earlier instruction (decoded from the start whose instructions land on the marked byte).`);
  const parts = [head, '```asm\n' + rows.join('\n') + '\n```'];
  if (ipSymbol)
    parts.push(
      `Labelled from the symbol files: the marked byte is ${code(symbolText({ function: ipSymbol.name, offset: ipSymbol.offset, size: ipSymbol.size, address: null }))}${ipSymbol.module ? ` in ${code(ipSymbol.module)}` : ''}; each instruction is that address plus its distance from the marked byte.`,
    );
  if (result.ud2)
    parts.push("The marked instruction is `ud2`: the trap the kernel's `BUG()` and `WARN()` use on x86 — this is a BUG or WARN site, not a stray fault.");
  return parts.join('\n\n');
}

/** `<address func+0xN>` of an instruction `delta` bytes from the instruction pointer; blank outside
 * the function (the bytes before it belong to the function before, after its size to the next). */
function instructionLabel(ip: IpSymbol, delta: number): string {
  const offset = ip.offset + delta;
  const inside = offset >= 0 && (ip.size === null || offset < ip.size);
  let address = '';
  if (/^[0-9a-f]+$/.test(ip.address)) {
    const a = BigInt('0x' + ip.address) + BigInt(delta);
    address = ip.section ? `${ip.section}+0x${a.toString(16)}` : a.toString(16).padStart(16, '0');
  }
  return `${address}${inside ? ` <${ip.name}+0x${offset.toString(16)}>` : ''}`;
}

/** arm64 words, the marked one shown; they are not decoded. */
function arm64Words(message: string): string {
  const words = message
    .slice(message.indexOf(':') + 1)
    .trim()
    .split(/\s+/);
  const shown = words.map((w) => (/^\(.*\)$|^<.*>$/.test(w) ? `${w}   <-- at pc` : w));
  return [
    '```\n' + shown.join('\n') + '\n```',
    'arm64 instructions are not disassembled here (no maintained package decodes them well): `scripts/decodecode` with `ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-` does.',
  ].join('\n\n');
}

interface RegisterInfo {
  title: string;
  text: string;
}

const X86_REGISTERS: Record<string, RegisterInfo> = {
  RIP: {
    title: 'instruction pointer',
    text: 'The exact address of the instruction that was executing. The 4 hex digits after `RIP:` are the code segment selector: `0010` kernel, `0033` 64-bit user, `0023` 32-bit (compat) user.',
  },
  EIP: { title: 'instruction pointer (32-bit)', text: 'The exact address of the instruction that was executing.' },
  RSP: {
    title: 'stack pointer',
    text: 'Top of the stack when the registers were saved. The 4 digits before it are the stack segment selector (`0018` kernel, `002b` user). A value near a page boundary, or in a guard page, points to a stack overflow.',
  },
  ESP: { title: 'stack pointer (32-bit)', text: 'Top of the stack when the registers were saved.' },
  RBP: {
    title: 'frame pointer',
    text: 'With `CONFIG_FRAME_POINTER`, the base of the current frame; the frame-pointer unwinder walks the chain of saved RBPs. Otherwise a general-purpose register.',
  },
  EFLAGS: { title: 'flags register', text: 'Condition and control flags.' },
  ORIG_RAX: {
    title: 'original RAX',
    text: 'Set on kernel entry: for a system call, the **syscall number** (RAX is later overwritten with the return value); for an exception that pushes an error code (page fault, general protection fault), that **error code**; for a hardware interrupt, the vector; `ffffffffffffffff` (−1) when none applies.',
  },
  RAX: { title: 'general-purpose register', text: 'Return value of the last call; the syscall number on entry to a system call.' },
  RDI: { title: 'general-purpose register', text: '1st argument of a function call (x86-64 calling convention), or of a system call.' },
  RSI: { title: 'general-purpose register', text: '2nd argument of a function call or system call.' },
  RDX: { title: 'general-purpose register', text: '3rd argument of a function call or system call.' },
  RCX: { title: 'general-purpose register', text: '4th argument of a function call (a system call uses R10 instead; `syscall` puts the user RIP in RCX).' },
  R08: { title: 'general-purpose register', text: '5th argument of a function call or system call.' },
  R09: { title: 'general-purpose register', text: '6th argument of a function call or system call.' },
  R10: { title: 'general-purpose register', text: '4th argument of a system call.' },
  R11: { title: 'general-purpose register', text: 'Scratch register; `syscall` saves the user RFLAGS in it.' },
  RBX: { title: 'general-purpose register', text: 'Callee-saved: keeps its value across calls.' },
  R12: { title: 'general-purpose register', text: 'Callee-saved: keeps its value across calls.' },
  R13: { title: 'general-purpose register', text: 'Callee-saved: keeps its value across calls.' },
  R14: { title: 'general-purpose register', text: 'Callee-saved: keeps its value across calls.' },
  R15: { title: 'general-purpose register', text: 'Callee-saved: keeps its value across calls.' },
  CR0: { title: 'control register 0', text: 'Processor mode bits: protected mode, paging (PG), write protection (WP), FPU state.' },
  CR2: {
    title: 'page-fault linear address',
    text: 'On a page fault, the **address the faulting access tried to reach**. A value like `0000000000000008` is a NULL pointer plus a field offset; `dead000000000100`/`…122` are list poison values (use after `list_del`); `6b6b6b6b…` is freed slab memory (slab poisoning).',
  },
  CR3: { title: 'page-table base', text: 'Physical address of the top-level page table of the current address space (low bits: PCID).' },
  CR4: { title: 'control register 4', text: 'Feature enables: PAE, PGE, SMEP, SMAP, PKE, …' },
  FS: { title: 'FS base', text: 'Segment base; in user space the thread-local storage pointer.' },
  GS: { title: 'GS base', text: 'Segment base; in the kernel it points to the per-CPU area.' },
  knlGS: { title: 'kernel GS base', text: 'The GS base `swapgs` swaps in: the per-CPU area while in user mode.' },
  CS: { title: 'code segment selector', text: '`0010` kernel, `0033` 64-bit user, `0023` 32-bit user.' },
  SS: { title: 'stack segment selector', text: '`0018` (or `0000`) kernel, `002b` user.' },
  DS: { title: 'data segment selector', text: 'Unused in 64-bit mode (usually 0).' },
  ES: { title: 'extra segment selector', text: 'Unused in 64-bit mode (usually 0).' },
  PKRU: { title: 'protection-key rights', text: 'Access and write-disable bits of the 16 memory protection keys.' },
};

const ARM64_REGISTERS: Record<string, RegisterInfo> = {
  pc: { title: 'program counter', text: 'The exact address of the instruction that was executing.' },
  lr: {
    title: 'link register (x30)',
    text: 'The return address of the current function: its caller, unless the function already made a call of its own or was interrupted before saving it. Printed as `lr :` and as a call-trace-like entry; look up address − 4 for the call.',
  },
  sp: { title: 'stack pointer', text: 'Top of the stack when the registers were saved.' },
  pstate: { title: 'processor state', text: 'Condition flags (NZCV), interrupt masks (DAIF), exception level and other state bits.' },
  x29: { title: 'frame pointer', text: 'The base of the current frame; the unwinder follows the chain of saved x29/x30 pairs.' },
  x30: { title: 'link register', text: 'Same as `lr`: the return address.' },
};

function registerInfo(name: string, arch: string | null): RegisterInfo | null {
  if (arch === 'arm64' || /^x\d+$/.test(name) || name === 'lr' || name === 'pstate') {
    const hit = ARM64_REGISTERS[name];
    if (hit) return hit;
    const n = /^x(\d+)$/.exec(name);
    if (n) {
      const i = Number(n[1]);
      if (i <= 7)
        return {
          title: `argument register ${i + 1}`,
          text: `Argument ${i + 1} of a function call${i === 0 ? ', and its return value' : ''} (AArch64 procedure call standard); x8 holds the syscall number on entry.`,
        };
      if (i >= 19 && i <= 28) return { title: 'callee-saved register', text: 'Keeps its value across calls.' };
      return { title: 'general-purpose register', text: 'Scratch register.' };
    }
  }
  const direct = X86_REGISTERS[name] ?? X86_REGISTERS[name.toUpperCase()];
  if (direct) return direct;
  if (/^R(?:8|9)$/.test(name)) return X86_REGISTERS[`R0${name[1]}`];
  if (/^DR[0-3]$/.test(name)) return { title: 'debug address register', text: 'Address of a hardware breakpoint or watchpoint.' };
  if (name === 'DR6') return { title: 'debug status', text: 'Which debug condition fired.' };
  if (name === 'DR7') return { title: 'debug control', text: 'Which hardware breakpoints are enabled, and how.' };
  return null;
}

const EFLAGS_BITS: [number, string, string][] = [
  [0, 'CF', 'carry'],
  [2, 'PF', 'parity'],
  [4, 'AF', 'adjust'],
  [6, 'ZF', 'zero'],
  [7, 'SF', 'sign'],
  [8, 'TF', 'trap (single step)'],
  [9, 'IF', 'interrupts enabled'],
  [10, 'DF', 'direction'],
  [11, 'OF', 'overflow'],
  [14, 'NT', 'nested task'],
  [16, 'RF', 'resume'],
  [17, 'VM', 'virtual 8086'],
  [18, 'AC', 'alignment check / SMAP access allowed'],
  [19, 'VIF', 'virtual interrupt'],
  [20, 'VIP', 'virtual interrupt pending'],
  [21, 'ID', 'CPUID available'],
];

function registerText(document: DocumentVersion, reg: Register, block: RegisterBlock, report: Report): string {
  // `RIP: 0010:func` and `RSP: 0018:ffff...`: the parser's value is the selector; the real value follows the colon.
  let value = reg.value;
  let selector: string | null = null;
  const after = document.text.slice(reg.valueSpan.end, reg.valueSpan.end + 20);
  const m = /^:([0-9a-f]{8,16})\b/.exec(after);
  if (m && (reg.name === 'RSP' || reg.name === 'ESP')) {
    selector = reg.value;
    value = m[1];
  } else if (reg.name === 'RIP' || reg.name === 'EIP') {
    selector = reg.value;
    value = block.ip?.address ?? '';
  }
  const info = registerInfo(reg.name, report.arch);
  const parts = [`**${code(reg.name)}**${info ? ` · ${info.title}` : ''}${value ? ` = ${code(value)}` : ''}`];
  if (info) parts.push(info.text);
  if (selector !== null) parts.push(`Selector ${code(selector)}${SELECTORS[selector] ? `: ${SELECTORS[selector]}` : ''}.`);
  if (reg.name === 'EFLAGS' && /^[0-9a-f]+$/.test(value)) {
    const bits = parseInt(value, 16);
    const set = EFLAGS_BITS.filter(([bit]) => (bits >> bit) & 1).map(([, flag, what]) => `${flag} (${what})`);
    parts.push(`Set: ${set.length ? set.join(', ') : 'none'}. IOPL ${(bits >> 12) & 3}.${(bits >> 9) & 1 ? '' : ' Interrupts were **disabled** (IF clear).'}`);
  }
  if (reg.name === 'ORIG_RAX') {
    const orig = origRaxMeaning(value);
    if (orig?.kind === 'none') parts.push('−1: **not in a system call** (an interrupt or exception without an error code).');
    else if (orig && block.user)
      parts.push(`Syscall number ${orig.n} (${code(hex(orig.n))})${orig.syscall ? `: **${code(orig.syscall)}**` : ', not in the x86-64 table'}.`);
    else if (orig)
      parts.push(`${orig.n} (${code(hex(orig.n))}): an error code or vector${orig.syscall ? `; were it a system call, ${code(orig.syscall)}` : ''}.`);
  }
  if ((reg.name === 'CR0' || reg.name === 'CR4') && /^[0-9a-f]+$/.test(value)) parts.push(bitsText(value, reg.name === 'CR0' ? CR0_BITS : CR4_BITS));
  if (/^[0-9a-f]{16}$/.test(value) && !NOT_ADDRESSES.has(reg.name)) {
    const x86_64 = report.arch === 'x86_64' || (report.arch === null && /^(?:R[0-9A-Z]+|CR2|FS|GS|knlGS)$/.test(reg.name));
    const fact = addressFacts(value, report.arch ? reportLayout(document, report) : x86_64);
    if (fact) parts.push(addressText(fact, value, reg.name === 'CR2'));
  }
  if (reg.name === 'CR2' && report.kind === 'oops') parts.push('This report is a page fault: the address above is what the kernel tried to access.');
  return parts.join('\n\n');
}

/** x86-64 segment selectors as `RIP: 0010:` and `RSP: 0018:` print them (GDT index × 8 + privilege level). */
const SELECTORS: Record<string, string> = {
  '0010': 'the kernel code segment (`__KERNEL_CS`, privilege level 0): the CPU was in the kernel',
  '0018': 'the kernel data/stack segment (`__KERNEL_DS`, privilege level 0): the stack was a kernel stack',
  '0000': 'the null selector, which 64-bit kernel stacks often use (privilege level 0)',
  '0033': 'the 64-bit user code segment (`__USER_CS`, privilege level 3): the CPU was in user space',
  '0023': 'the 32-bit user code segment (`__USER32_CS`, privilege level 3): a 32-bit program',
  '002b': 'the user data/stack segment (`__USER_DS`, privilege level 3): the stack was a user stack',
  '0060': 'the kernel code segment of i386 (`__KERNEL_CS`)',
  '0068': 'the kernel data segment of i386 (`__KERNEL_DS`)',
  '0073': 'the user code segment of i386 (`__USER_CS`)',
  '007b': 'the user data segment of i386 (`__USER_DS`)',
};

/** Registers whose value is no address (flags, control bits, a syscall number, a physical page-table base). */
const NOT_ADDRESSES = new Set(['EFLAGS', 'ORIG_RAX', 'CR0', 'CR3', 'CR4', 'DR6', 'DR7', 'PKRU', 'RIP', 'EIP', 'pstate']);

function stackWordText(document: DocumentVersion, word: string, report: Report): string {
  const parts = [`**${code(word)}** · raw stack word`];
  const fact = addressFacts(word, report.arch ? reportLayout(document, report) : true);
  if (fact) parts.push(addressText(fact, word, false));
  return parts.join('\n\n');
}

/** A value that may point into the kernel image (its text), to look up with the symbolizer. */
function kernelTextAddress(document: DocumentVersion, value: string, report: Report): string | null {
  if (!/^[0-9a-f]{16}$/.test(value)) return null;
  const fact = addressFacts(value, report.arch ? reportLayout(document, report) : true);
  if (fact?.kind !== 'kernel' || !fact.region) return null;
  // x86-64's kernel image region holds nothing else. (arm64's image sits anywhere in the vmalloc
  // area with KASLR, among stacks and vmalloc memory: a lookup there could name a stack address.)
  return /^kernel image/.test(fact.region.name) ? value : null;
}

/** The sections and, when the symbolizer places the address in a function, a line naming it. */
function symbolSection(sections: string[], address: string) {
  return async (lookup: (entry: QueryEntry) => Promise<SymbolInfo | null>): Promise<string[] | null> => {
    const info = await lookup({ function: null, offset: null, size: null, module: null, address, exact: true });
    const s = info?.symbol;
    if (!s) return null;
    const label = symbolText({ function: s.name, offset: s.offset, size: s.size, address: null });
    return [
      ...sections,
      `**Symbol** ${code(label)}${s.module ? ` [${code(s.module)}]` : ''}: the value points into kernel text, at \`0x${s.address}\` in ${info.sources?.length ? info.sources.map((p) => code(basename(p))).join(', ') : 'the symbol files'} (the log's KASLR offset taken off).`,
    ];
  };
}

/** The address layout of a report's architecture, as its lines tell it (CR4's LA57, `48-bit VAs`). */
function reportLayout(document: DocumentVersion, report: Report): AddressLayout {
  const start = document.lineStarts[report.line];
  const end = lineEnd(document.text, document.lineStarts, Math.min(report.endLine, document.lineStarts.length - 1));
  return addressLayout(report.arch, document.text.slice(start, Math.min(end, start + 200_000)));
}

/** What a 64-bit value says as an address, in one paragraph. */
function addressText(fact: AddressFact, value: string, faulting: boolean): string {
  const as = faulting ? 'The faulting address' : 'As an address';
  const by = 'layout' in fact && fact.layout ? fact.layout : 'x86-64';
  const only5 =
    'only5Level' in fact && fact.only5Level
      ? ' Canonical only with 5-level paging (bits 63–56 equal; with 4 levels bits 63–47 would have to be), so read by that layout.'
      : '';
  switch (fact.kind) {
    case 'arm64-invalid':
      return `${as}: **not a valid arm64 address** with ${fact.vaBits}-bit virtual addresses (bits 55–${fact.vaBits} are neither all 0, user, nor all 1, kernel: "between user and kernel address ranges"). Often a corrupted pointer or data read as one.`;
    case 'tagged': {
      const meaning = ARM64_TAG_MEANINGS.get(fact.tag);
      const inner = fact.inner ? addressText(fact.inner, value, false).replace(/^As an address: /, '') : 'no address of the layout.';
      return `${as}: a **tagged pointer**, tag \`0x${fact.tag.toString(16)}\` in the top byte${meaning ? ` (${meaning})` : ' (KASAN software tags or MTE; the MMU ignores the top byte)'}. Without the tag: ${inner}`;
    }
    case 'null':
      if (fact.offset === 0n) return `${as}: **NULL**.`;
      return faulting
        ? `${as}: **NULL pointer + ${code(hex(Number(fact.offset)))}** — likely a field at that offset of a struct reached through a NULL pointer.`
        : `${as}: **NULL pointer + ${code(hex(Number(fact.offset)))}** (if it is a pointer: likely a field at that offset of a struct reached through a NULL pointer).`;
    case 'zero-size-ptr':
      return `${as}: \`ZERO_SIZE_PTR\` (what \`kmalloc(0)\` returns), or NULL + \`0x10\`.`;
    case 'err-ptr':
      return `${as}: an **error pointer** (\`ERR_PTR(-${fact.errno})\`${fact.name ? `, −${code(fact.name)}` : ''}): an error code used as a pointer, or a negative return value.`;
    case 'poison-pointer':
      return `${as}: **poison** ${code(value)} — ${fact.meaning}.`;
    case 'poison-bytes':
      return `${as}: **poison bytes** \`${fact.byte}\` — ${fact.meaning}.`;
    case 'magic':
      return `${as}: ${fact.meaning}.`;
    case 'non-canonical':
      return fact.canonicalWith5Level
        ? `${as}: **non-canonical with 4-level paging** (bits 63–47 differ), but canonical with 5-level paging (\`LA57\` set in CR4; there the direct map starts at \`ff11000000000000\`).`
        : `${as}: **non-canonical** (bits 63–47 differ): no memory can be there; an access raises a general protection fault, not a page fault. Often a corrupted or poisoned pointer.`;
    case 'user':
      return fact.layout ? `${as}: **user space** (${fact.layout}).` : `${as}: **user space** (below \`0x0000800000000000\`).`;
    case 'kasan-shadow':
      return `${as}: **KASAN shadow memory**${fact.layout ? ` (${fact.layout})` : ''}; it shadows \`0x${fact.shadows.toString(16).padStart(16, '0')}\` (generic KASAN: shadow − \`KASAN_SHADOW_OFFSET\`, × 8)${fact.layout?.startsWith('arm64') ? '; on a kernel without KASAN, the top of the linear map' : ''}.${only5}`;
    case 'kernel':
      if (!fact.region) return `${as}: kernel space, in no region of the ${by === 'x86-64' ? 'default x86-64' : by} layout.`;
      return (
        (fact.region.randomized
          ? `${as}: kernel space, likely the **${fact.region.name}** (by the ${by === 'x86-64' ? 'default x86-64' : by} layout; KASLR moves ${by.startsWith('arm64') ? 'the kernel image and the linear map' : 'the bases of the direct map, vmalloc and vmemmap, in that order'}).`
          : `${as}: kernel space, the **${fact.region.name}** (${by} layout).`) + only5
      );
  }
}

/** The named bits set in a value, one list item each, and any the table does not name. */
function bitsText(value: string, table: readonly BitName[]): string {
  const d = decodeBits(value, table);
  if (!d) return '';
  const items = d.set.map((b) => `- ${code(b.name)} (bit ${b.bit}): ${b.meaning}`);
  if (d.unknown.length) items.push(`- other bits set: ${d.unknown.join(', ')}`);
  return items.length ? `Bits set:\n\n${items.join('\n')}` : 'No bits set.';
}

function pfErrorText(value: string): string {
  const parts = [`**${code(`#PF: error_code(0x${value})`)}** · x86 page-fault error code`];
  const summary = pfErrorSummary(value);
  if (summary) parts.push(`A ${summary}. The faulting address is in \`CR2\`.`);
  parts.push(bitsText(value, PF_ERROR_BITS));
  return parts.join('\n\n');
}

function taintText(columns: string | null): string {
  if (columns === null) return '**Not tainted** · no taint flag was set when this was printed.';
  const flags = taintFlagsOf(columns);
  const parts = [
    `**Tainted** · ${flags.length} flag${flags.length === 1 ? '' : 's'} set${flags.length ? ` (\`/proc/sys/kernel/tainted\` = ${taintMask(flags)})` : ''}`,
  ];
  if (flags.length) parts.push(flags.map((f) => `- ${code(f.letter)} (bit ${f.bit}): ${f.meaning}`).join('\n'));
  if (columns.includes('G') && !flags.some((f) => f.letter === 'P')) parts.push('`G`: only GPL-compatible modules were loaded (the `P` column unset).');
  const unknown = [...new Set(columns.replace(/[G -]/g, ''))].filter((c) => !TAINT_FLAGS.some((f) => f.letter === c));
  if (unknown.length) parts.push(`Unknown letter${unknown.length > 1 ? 's' : ''}: ${unknown.map(code).join(', ')}.`);
  parts.push("Each column is one taint bit; a letter means the bit is set. See the kernel's Documentation/admin-guide/tainted-kernels.rst.");
  return parts.join('\n\n');
}

// ------------------------------------------------------------------------------------------------
// Markers, stacks, reports

const MARKERS: Record<string, string> = {
  IRQ: 'the **hard-interrupt stack**: the entries up to the closing marker ran in hard-IRQ context on the per-CPU IRQ stack. The register block or entry after it shows what the interrupt interrupted.',
  SOFTIRQ: 'the **softirq stack** (32-bit x86): entries ran in softirq context.',
  NMI: 'the **NMI stack**: entries ran in a non-maskable interrupt (watchdog, perf, `NMI backtrace` requests).',
  TASK: 'the **task (process) stack** of the current task (printed as a marker since Linux 5.16).',
  '#DF': 'the **double-fault stack** (IST): the CPU faulted while handling a fault, often a kernel stack overflow.',
  '#DB': 'the **debug-exception stack** (IST): hardware breakpoints and single stepping.',
  '#MC': 'the **machine-check stack** (IST): a hardware error was reported.',
  '#VC': 'the **VMM-communication stack** (AMD SEV-ES guests).',
  '#VC2': 'the fallback **VMM-communication stack** (AMD SEV-ES guests).',
  '#BP': 'the **breakpoint stack** (`int3`).',
  ENTRY_TRAMPOLINE: 'the **entry trampoline stack** used on kernel entry with page-table isolation (PTI).',
};

function markerText(marker: ContextMarker): string {
  if (marker.name === 'EOI') {
    return '**`<EOI>`** — *end of interrupt stack* (kernels up to about 4.10). The dump leaves the IRQ stack here and goes on with the stack that was interrupted, usually the task stack. A `?` entry right after it often repeats the instruction pointer that the interrupt saved (see the register block just above).';
  }
  if (marker.name === 'EOE') {
    return '**`<EOE>`** — *end of exception stack* (older kernels): the dump leaves an exception stack (NMI, `#DF`, `#DB`, `#MC`) and goes on with the interrupted one.';
  }
  const what = MARKERS[marker.name] ?? `the **${marker.name}** stack.`;
  if (marker.role === 'open') return `**${code(`<${marker.name}>`)}** — start of ${what}`;
  return `**${code(`</${marker.name}>`)}** — end of ${what.replace(/: .*$/, '.')} Entries after it belong to the interrupted context.`;
}

function stackText(stack: Stack): string {
  if (isRawStackWords(stack)) {
    return '**`Stack:`** · raw stack words\n\nThe first words of the kernel stack, printed as hex by kernels up to 4.9 before the call trace (x86: 12 words by default, `kstack=` changes it; arm: the whole frame area). They are data, not entries: the call trace below names the code addresses among them.';
  }
  const unreliable = stack.frames.filter((f) => !f.reliable).length;
  const parts = [`**${code(stack.kind || STACK_KINDS.callTrace)}** · ${stack.frames.length} entries${unreliable ? `, ${unreliable} unreliable (\`?\`)` : ''}`];
  if (stack.kind.startsWith('-> #')) {
    parts.push(
      'A lockdep dependency: the stack that first took this lock while holding the previous one in the chain. The chain is printed in reverse order; its last link is the acquisition that closes the cycle.',
    );
  } else {
    parts.push(
      'Innermost call first. Each entry is a return address into the function that made the call, except the exact instruction pointers of register blocks printed inside the trace. Entries marked `? ` were found by scanning the stack but not confirmed by the unwinder.',
    );
  }
  if (stack.segments.length) parts.push(`Context segments: ${stack.segments.map((s) => code(`<${s.name}>`)).join(', ')}.`);
  return parts.join('\n\n');
}

function reportText(report: Report, findings: readonly Finding[]): string {
  // syzkaller's `… in corrupted` names no frame: the heading says so in words (see noGuiltyFrameText).
  const title = / in corrupted$/.test(report.title)
    ? `${report.title.slice(0, -' in corrupted'.length)}** (no function to blame)`
    : `${report.title || report.kind}**`;
  const parts = [`**${title}`];
  const facts: string[] = [`kind ${code(report.kind)}${report.crash ? '' : ' (informational, not a crash)'}`];
  if (report.cpu !== null) facts.push(`CPU ${report.cpu}`);
  if (report.pid !== null) facts.push(`PID ${report.pid}`);
  if (report.comm !== null) facts.push(`comm ${code(report.comm)}`);
  if (report.release) facts.push(`kernel ${code(report.release)}`);
  if (report.arch) facts.push(report.arch);
  parts.push(facts.join(' · '));
  if (report.taint)
    parts.push(
      `Tainted: ${taintFlagsOf(report.taint)
        .map((f) => `${code(f.letter)} ${f.meaning}`)
        .join(', ')}.`,
    );
  if (report.guiltyFrame && report.guiltyFrame !== CORRUPTED_TITLE_WORD) parts.push(`Guilty frame: ${code(report.guiltyFrame)}.`);
  else if (/ in corrupted$/.test(report.title) || report.guiltyFrame === CORRUPTED_TITLE_WORD) parts.push(noGuiltyFrameText(report));
  if (report.corrupted) parts.push(`⚠ ${corruptedText(report.corruptedReason)}`);
  if (report.hardware) parts.push(`Hardware: ${report.hardware}.`);
  const dups = findings.filter((f) => ruleOf(f.code)?.fixes === 'duplicate').length;
  const unreliable = findings.filter((f) => ruleOf(f.code)?.fixes === 'unreliable').length;
  parts.push(`${report.regs.length} register block(s), ${report.stacks.length} stack(s), ${unreliable} unreliable and ${dups} duplicate entries.`);
  return parts.join('\n\n');
}

/** The word syzkaller's titles put where they name no frame (`… in corrupted`): never shown as a frame. */
const CORRUPTED_TITLE_WORD = 'corrupted';

/** Why no function is blamed, in words: what is missing, and what the report does have. */
function noGuiltyFrameText(report: Report): string {
  const reliable = report.stacks.reduce((n, s) => n + s.frames.filter((f) => f.reliable && !f.exact).length, 0);
  const ip = report.regs.find((b) => b.ip?.function)?.ip;
  const has = [
    ip ? `its instruction pointer is in ${code(ip.function as string)}` : '',
    reliable ? `it has ${reliable} confirmed call-trace entr${reliable === 1 ? 'y' : 'ies'}` : '',
  ]
    .filter(Boolean)
    .join(' and ');
  return (
    "**No function to blame in the title** (syzkaller writes `in corrupted`): the call trace could not be read the way crash signatures read it — no entry was found after the report's own helpers, in the window where the trace should start (cut off, interleaved with other lines, or not printed)." +
    (has ? ` The report is not empty: ${has}.` : '')
  );
}

/** A corrupted verdict in a user's words. */
function corruptedText(reason: string | null): string {
  if (reason === null) return 'The report looks truncated or interleaved.';
  if (/no usable stack frame/.test(reason))
    return 'No usable call trace: the stack could not be read the way crash signatures read it, so the title and guilty frame may be wrong.';
  return `Looks truncated or interleaved: ${reason}.`;
}

// ------------------------------------------------------------------------------------------------
// Symbolizer slot

async function symbolize(symbolizer: Symbolizer, query: SymbolQuery, options: HoverOptions): Promise<SymbolInfo | null> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), options.symbolizerTimeoutMs ?? 2000)));
    return await Promise.race([symbolizer.symbolize(query, options.token), timeout]);
  } catch {
    return null;
  } finally {
    if (timer) clearTimeout(timer);
  }
}

const LOOKUP_TEXT: Record<LookupKind, string> = {
  exact: 'exact address',
  'return-address-1': 'of the call: address − 1',
  'function-pointer': 'a pointer to the function: its first byte',
};

function renderSymbolInfo(info: SymbolInfo, frame: StackEntry): string {
  const parts: string[] = [];
  const lookup = info.lookup ?? (frame.exact ? 'exact' : 'return-address-1');
  if (info.frames.length) {
    const lines = info.frames.map((f) => {
      const where = f.file ? `${f.file}${f.line !== null ? `:${f.line}` : ''}` : '??';
      const shown = f.path ? `[${code(where)}](${fileLink(f.path, f.line)})` : code(where);
      return `- ${code(f.function)} — ${shown}${f.inline ? ' (inlined)' : ''}`;
    });
    parts.push(`**Source**${lookup === 'exact' ? '' : ` (${LOOKUP_TEXT[lookup]})`}\n\n${lines.join('\n')}`);
  }
  if (info.symbol) {
    const s = info.symbol;
    // Module addresses are offsets in their section (a module's load address is not in the log).
    const where = (a: bigint) => `${s.section ? `${s.section}+` : ''}0x${a.toString(16)}`;
    const at = lookup === 'return-address-1' ? `looked up at ${where(BigInt('0x' + s.address) - 1n)}` : `at ${where(BigInt('0x' + s.address))}`;
    parts.push(
      `Symbol ${code(symbolText({ function: s.name, offset: s.offset, size: s.size, address: null }))}${s.module ? ` in ${code(s.module)}` : ''}, ${at}${info.sources?.length ? ` · ${info.sources.map((p) => code(basename(p))).join(', ')}` : ''}`,
    );
  }
  if (info.disassembly) parts.push('```asm\n' + info.disassembly.replace(/```/g, '') + '\n```');
  if (info.note) parts.push(info.note);
  return parts.join('\n\n');
}

/** A link VS Code opens at the line (`#L123`). */
export function fileLink(path: string, line: number | null): string {
  return pathToFileURL(path).href + (line ? `#L${line}` : '');
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
