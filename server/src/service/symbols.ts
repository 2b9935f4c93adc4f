// Document symbols (outline, breadcrumbs): one per report, with its register blocks and stacks as
// children and a stack's context segments below it. Children lie inside their parent's range, so
// the breadcrumbs follow the cursor.
import type { DocumentSymbol, SymbolInformation } from 'vscode-languageserver-types';
import { SymbolKind } from 'vscode-languageserver-types';
import { frameLabel } from '../analyzer/frameText.ts';
import type { Arch, RegisterBlock, Report, Span, Stack } from '../parser/model.ts';
import { lineEnd } from '../parser/lines.ts';
import { STACK_KINDS, symbolSpan } from '../parser/model.ts';
import type { LogAnalysis } from './analysis.ts';
import type { DocumentVersion } from './document.ts';
import { forEachSliced, type Interruption } from './interruption.ts';
import { spanRange } from './positions.ts';

/** The Outline; null when `interruption` stopped it (cancelled, or the document changed). */
export async function computeDocumentSymbols(document: DocumentVersion, analysis: LogAnalysis, interruption?: Interruption): Promise<DocumentSymbol[] | null> {
  const symbols: DocumentSymbol[] = [];
  const done = await forEachSliced(analysis.reportCount, (k) => symbols.push(reportSymbol(document, analysis.report(k))), interruption);
  return done ? symbols : null;
}

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
      if (s.children) walk(s.children, s.name);
    }
  };
  walk(symbols, undefined);
  return out;
}

function reportSymbol(document: DocumentVersion, report: Report): DocumentSymbol {
  const span = clampSpan(document, { start: report.start, end: report.end });
  const header = headerSpan(document, report.headerLine, span);
  const children: DocumentSymbol[] = report.stacks.map((stack) => stackSymbol(document, stack, span));
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

/** `RIP`, `pc`, ... as the block's instruction-pointer line prints it, else by architecture. */
function ipName(document: DocumentVersion, block: RegisterBlock, arch: string | null): string {
  const start = document.lineStarts[Math.max(0, Math.min(block.ipLine, document.lineStarts.length - 1))];
  const line = document.text.slice(start, lineEnd(document.text, document.lineStarts, block.ipLine));
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
  const unreliable = stack.frames.filter((f) => !f.reliable).length;
  const entries = `${stack.frames.length} ${stack.frames.length === 1 ? 'entry' : 'entries'}`;
  const children: DocumentSymbol[] = stack.segments.map((segment) => {
    const s = clampSpan(document, segment, span);
    const count = stack.frames.filter((f) => f.line > segment.line && f.line < segment.endLine).length;
    return {
      name: `<${segment.name}>`,
      detail: `${count} ${count === 1 ? 'entry' : 'entries'}`,
      kind: SymbolKind.Namespace,
      range: spanRange(document, s),
      selectionRange: spanRange(document, headerSpan(document, segment.line, s)),
      children: [],
    };
  });
  const selection = stack.header.end > stack.header.start ? clampSpan(document, stack.header, span) : headerSpan(document, stack.line, span);
  return {
    name: stack.kind || STACK_KINDS.callTrace,
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
