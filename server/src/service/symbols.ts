// Document symbols (outline, breadcrumbs): one per report, with its register blocks and stacks as
// children and a stack's context segments below it. Children lie inside their parent's range, so
// the breadcrumbs follow the cursor. Reports that repeat the one before them (the same signature,
// analyzer/signature.ts) go below it: the first of such a run is shown as usual, its range reaching
// to the end of the run, with a last child "N more times" that holds each repeat, named by its line
// (`line 32`), with its own stacks and registers. A repeat after other reports starts a run of its
// own and says which line it repeats.
import type { DocumentSymbol, SymbolInformation } from 'vscode-languageserver-types';
import { SymbolKind } from 'vscode-languageserver-types';
import { frameLabel } from '../analyzer/frameText.ts';
import type { Arch, RegisterBlock, Report, Span, Stack } from '../parser/model.ts';
import { lineEnd } from '../parser/lines.ts';
import { isRawStackWords, STACK_KINDS, symbolSpan } from '../parser/model.ts';
import type { LogAnalysis } from './analysis.ts';
import type { DocumentVersion } from './document.ts';
import { forEachSliced, type Interruption } from './interruption.ts';
import { spanRange } from './positions.ts';

/** The Outline; null when `interruption` stopped it (cancelled, or the document changed). */
export async function computeDocumentSymbols(document: DocumentVersion, analysis: LogAnalysis, interruption?: Interruption): Promise<DocumentSymbol[] | null> {
  const symbols: DocumentSymbol[] = [];
  const repeats = analysis.reportCount > 1 ? analysis.repeats : null;
  // The run of reports with one signature that the last report belongs to.
  let run: { key: number; head: DocumentSymbol; group: DocumentSymbol | null; count: number; headDetail: string } | null = null;
  const done = await forEachSliced(
    analysis.reportCount,
    (k) => {
      const report = analysis.report(k);
      const symbol = reportSymbol(document, report);
      const key = repeats ? analysis.signatureIdAt(k) : null;
      if (run !== null && key !== null && key === run.key) {
        symbol.name = `line ${report.headerLine + 1}`;
        if (run.group === null) {
          run.group = { name: '', kind: SymbolKind.Namespace, range: symbol.range, selectionRange: symbol.selectionRange, children: [] };
          REPEAT_GROUPS.add(run.group);
          run.head.children?.push(run.group);
        }
        run.group.children?.push(symbol);
        run.count++;
        run.group.name = `${run.count - 1} more ${run.count === 2 ? 'time' : 'times'}`;
        run.group.range = { start: run.group.range.start, end: symbol.range.end };
        run.head.range = { start: run.head.range.start, end: symbol.range.end };
        run.head.detail = `${run.headDetail} · ×${run.count}`;
        return;
      }
      const first = repeats ? repeats.firstOf[k] : -1;
      if (first >= 0) symbol.detail = `${symbol.detail} · repeats line ${analysis.headerLineOf(first) + 1}`;
      symbols.push(symbol);
      run = key === null || key < 0 ? null : { key, head: symbol, group: null, count: 1, headDetail: symbol.detail ?? '' };
    },
    interruption,
  );
  return done ? symbols : null;
}

/** The "N more times" groups of repeats: the flat list leaves them out (their repeats name the first report as container). */
const REPEAT_GROUPS = new WeakSet<DocumentSymbol>();

/**
 * The Outline as the flat list a client without `hierarchicalDocumentSymbolSupport` takes: every
 * symbol, parents before their children, each child naming its parent as `containerName`.
 */
export function flatSymbols(uri: string, symbols: readonly DocumentSymbol[]): SymbolInformation[] {
  const out: SymbolInformation[] = [];
  const walk = (list: readonly DocumentSymbol[], container: string | undefined) => {
    for (const s of list) {
      out.push(
        container === undefined
          ? { name: s.name, kind: s.kind, location: { uri, range: s.range } }
          : { name: s.name, kind: s.kind, location: { uri, range: s.range }, containerName: container },
      );
      for (const c of s.children ?? []) {
        if (REPEAT_GROUPS.has(c)) walk(c.children ?? [], s.name);
        else walk([c], s.name);
      }
    }
  };
  walk(symbols, undefined);
  return out;
}

function reportSymbol(document: DocumentVersion, report: Report): DocumentSymbol {
  const span = clampSpan(document, { start: report.start, end: report.end });
  const header = headerSpan(document, report.headerLine, span);
  const children: DocumentSymbol[] = report.stacks.map((stack) => stackSymbol(document, stack, span));
  if (report.kind === 'lockdep') children.push(...lockSymbols(document, report, span));
  // A register block printed inside a trace (pt_regs found on the stack) goes below that stack, and
  // below the context segment it was printed in: siblings must not overlap for breadcrumbs.
  for (const block of report.regs) {
    const symbol = registerBlockSymbol(document, block, report.arch, span);
    innermostContaining(children, symbol)?.children?.push(symbol) ?? children.push(symbol);
  }
  sortTree(children);
  const facts = [report.kind, report.cpu !== null ? `CPU ${report.cpu}` : null, report.comm !== null ? report.comm : null].filter(
    (x): x is string => x !== null,
  );
  return {
    name: report.title.trim() || report.kind,
    detail: facts.join(' · '),
    kind: report.crash ? SymbolKind.Event : SymbolKind.Namespace,
    range: spanRange(document, span),
    selectionRange: spanRange(document, header),
    children,
  };
}

const IP_NAME: Record<Arch, string> = {
  x86_64: 'RIP',
  i386: 'EIP',
  arm64: 'pc',
  arm: 'pc',
  riscv: 'epc',
  powerpc: 'NIP',
  s390: 'PSW',
  mips: 'epc',
  loongarch: 'era',
};

/** The text of a line of the document. */
function lineText(document: DocumentVersion, line: number): string {
  const l = Math.max(0, Math.min(line, document.lineStarts.length - 1));
  return document.text.slice(document.lineStarts[l], lineEnd(document.text, document.lineStarts, l));
}

/** A lockdep dependency chain's entry named with its lock, as the chain line prints it: `#2 (&mm->mmap_lock){++++}-{3:3}`. */
function chainLockName(document: DocumentVersion, stack: Stack): string | null {
  if (!CHAIN_KIND.test(stack.kind)) return null;
  const line = lineText(document, stack.line);
  const at = line.indexOf(`${stack.kind} (`);
  if (at < 0) return null;
  return line
    .slice(at + 3)
    .replace(/:\s*$/, '')
    .trimEnd();
}

/**
 * The locks a lockdep report names (`ffff888… (&pool->lock){+.+.}-{3:3}, at: pool_shrink+0x3e/0x190`)
 * around its dependency chains, before its backtrace: each named by its lock, with what the line
 * before says of it (acquiring, held, taken...) or its place in the `N locks held by` list.
 */
function lockSymbols(document: DocumentVersion, report: Report, parent: Span): DocumentSymbol[] {
  const out: DocumentSymbol[] = [];
  // Up to the first stack that is no dependency chain (`stack backtrace:`'s), the chains' lines passed over.
  let last = Math.min(report.endLine, report.headerLine + LOCK_LINES_REACH);
  const chains: Stack[] = [];
  for (const s of report.stacks) {
    if (CHAIN_KIND.test(s.kind)) chains.push(s);
    else last = Math.min(last, s.line - 1);
  }
  let before = '';
  for (let line = report.headerLine + 1; line <= last; line++) {
    const chain = chains.find((s) => s.line <= line && line <= s.endLine);
    if (chain) {
      line = chain.endLine;
      continue;
    }
    const text = lineText(document, line);
    const m = text.length <= LOCK_LINE_MAX ? LOCK_LINE.exec(text) : null;
    if (m) {
      const l = Math.max(0, Math.min(line, document.lineStarts.length - 1));
      const start = document.lineStarts[l] + m.index + m[0].indexOf('(');
      const name = m[1];
      const selection = clampSpan(document, { start, end: start + name.length }, parent);
      const range = headerSpan(document, line, parent);
      out.push({
        name,
        detail: heldRole(text.slice(0, m.index)) ?? LOCK_ROLES.find(([re]) => re.test(before))?.[1] ?? 'lock',
        kind: SymbolKind.Key,
        range: spanRange(document, range),
        selectionRange: spanRange(document, selection),
      });
    }
    if (text.trim().length > 0) before = text;
  }
  return out;
}

/**
 * A lock as lockdep prints it: the address (since 4.x), `(name){usage}-{wait:wait}` (the wait
 * types since 5.x), `, at: func+off/size` (older: `, at: [<addr>] func+off/size`).
 */
const LOCK_LINE = /(?:\b[0-9a-f]{8,16} |\s)(\(\S.*?\)(?:\{[^}]*\})?(?:-\{\d+:\d+\})?), at: /;

/** Longer lines are no lock line (and the lazy name must not scan them). */
const LOCK_LINE_MAX = 600;

/** Lines after a lockdep header read for its locks (before its first stack that is no chain). */
const LOCK_LINES_REACH = 400;

/** `held #1` for a line of the `N locks held by task/123:` list (` #1: ffff… (lock)…`). */
function heldRole(head: string): string | null {
  const m = /#(\d+):\s*$/.exec(head);
  return m ? `held #${m[1]}` : null;
}

/** What the sentence before a lock line says of the lock. */
const LOCK_ROLES: readonly (readonly [RegExp, string])[] = [
  [/is trying to (?:acquire|lock)(?: lock)?:\s*$/, 'acquiring'],
  [/already holding(?: lock)?:\s*$/, 'held'],
  [/ takes:\s*$/, 'taken'],
  [/is trying to release lock/, 'releasing'],
  [/is freeing memory/, 'held in freed memory'],
];

/** The stack kind of a lockdep chain entry (`-> #2`: the parser's stack header). */
const CHAIN_KIND = /^-> #\d+$/;

/** `RIP`, `pc`, ... as the block's instruction-pointer line prints it, else by architecture. */
function ipName(document: DocumentVersion, block: RegisterBlock, arch: string | null): string {
  const line = lineText(document, block.ipLine);
  const m = /(?:^|[\]\s])(RIP|EIP|IP|pc|PC is at|NIP|epc|era|ERA|Krnl PSW)\b/.exec(line);
  if (m) return m[1] === 'PC is at' ? 'pc' : m[1] === 'Krnl PSW' ? 'PSW' : m[1];
  return arch ? (IP_NAME[arch as Arch] ?? 'IP') : 'IP';
}

function registerBlockSymbol(document: DocumentVersion, block: RegisterBlock, arch: string | null, parent: Span): DocumentSymbol {
  const span = clampSpan(document, block, parent);
  const name = block.ip ? `${ipName(document, block, arch)}: ${frameLabel(block.ip)}` : 'Registers';
  const detail = [block.user ? 'user mode' : null, block.kind === 'full' ? null : block.kind, block.context ? `in ${block.context}` : null]
    .filter((x) => x !== null)
    .join(', ');
  const selection = block.ip ? clampSpan(document, symbolSpan(block.ip), span) : headerSpan(document, block.line, span);
  return { name, detail, kind: SymbolKind.Struct, range: spanRange(document, span), selectionRange: spanRange(document, selection) };
}

function stackSymbol(document: DocumentVersion, stack: Stack, parent: Span): DocumentSymbol {
  const span = clampSpan(document, stack, parent);
  const selection = stack.header.end > stack.header.start ? clampSpan(document, stack.header, span) : headerSpan(document, stack.line, span);
  if (isRawStackWords(stack)) {
    // Old x86's `Stack:` hex dump: words, no entries.
    const lines = stack.endLine - stack.line + 1;
    return {
      name: 'Stack words',
      detail: `${lines} ${lines === 1 ? 'line' : 'lines'}, raw`,
      kind: SymbolKind.Array,
      range: spanRange(document, span),
      selectionRange: spanRange(document, selection),
      children: [],
    };
  }
  const unreliable = stack.frames.filter((f) => !f.reliable).length;
  const entries = `${stack.frames.length} ${stack.frames.length === 1 ? 'entry' : 'entries'}`;
  const children: DocumentSymbol[] = stack.segments.map((segment) => {
    const s = clampSpan(document, segment, span);
    // Entries between the marker that opens the segment and the one that closes it, those on the
    // marker's own line (`<IRQ>  [<…>] ? foo`) included.
    const count = stack.frames.filter((f) => f.start >= segment.start && f.end <= segment.end).length;
    return {
      name: `<${segment.name}>`,
      detail: `${count} ${count === 1 ? 'entry' : 'entries'}`,
      kind: SymbolKind.Namespace,
      range: spanRange(document, s),
      selectionRange: spanRange(document, headerSpan(document, segment.line, s)),
      children: [],
    };
  });
  return {
    name: chainLockName(document, stack) ?? (stack.kind || STACK_KINDS.callTrace),
    detail: unreliable > 0 ? `${entries}, ${unreliable} unreliable` : entries,
    kind: SymbolKind.Array,
    range: spanRange(document, span),
    selectionRange: spanRange(document, selection),
    children,
  };
}

function contains(outer: DocumentSymbol, inner: DocumentSymbol): boolean {
  const a = outer.range;
  const b = inner.range;
  const startsAfter = a.start.line < b.start.line || (a.start.line === b.start.line && a.start.character <= b.start.character);
  const endsBefore = b.end.line < a.end.line || (b.end.line === a.end.line && b.end.character <= a.end.character);
  return startsAfter && endsBefore;
}

/** The deepest symbol (with a children list) among `symbols` and their children that contains `inner`. */
function innermostContaining(symbols: DocumentSymbol[], inner: DocumentSymbol): DocumentSymbol | undefined {
  for (const s of symbols) {
    if (!s.children || !contains(s, inner)) continue;
    return innermostContaining(s.children, inner) ?? s;
  }
  return undefined;
}

function sortTree(symbols: DocumentSymbol[]): void {
  symbols.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
  for (const s of symbols) if (s.children) sortTree(s.children);
}

/** The text of a line, inside `within` (selection ranges must lie inside the symbol's range). */
function headerSpan(document: DocumentVersion, line: number, within: Span): Span {
  const l = Math.max(0, Math.min(line, document.lineStarts.length - 1));
  return clampSpan(document, { start: document.lineStarts[l], end: lineEnd(document.text, document.lineStarts, l) }, within);
}

/** A span forced inside the text and inside `within` (model quirks must not break the editor's tree). */
function clampSpan(document: DocumentVersion, span: Span, within?: Span): Span {
  const length = document.text.length;
  let start = Number.isFinite(span.start) ? Math.max(0, Math.min(span.start, length)) : 0;
  let end = Number.isFinite(span.end) ? Math.max(start, Math.min(span.end, length)) : start;
  if (within) {
    start = Math.max(within.start, Math.min(start, within.end));
    end = Math.max(start, Math.min(end, within.end));
  }
  return { start, end };
}
