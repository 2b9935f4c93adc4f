// The one place where text offsets (what the parser and analyzer speak) become LSP positions and
// ranges, and back. Everything else in the service passes offsets or spans through here.
//
// LSP counts a line break at `\n`, `\r\n` and a lone `\r`; the parser too, except in a serial
// capture's `\r\r\n`, one line break to the parser and two to LSP. For a file without `\r\r` both
// line tables are the same array; otherwise the document keeps a second one.
import type { Position, Range } from 'vscode-languageserver-types';
import { lineEnd, lineOfOffset } from '../parser/lines.ts';
import type { Span } from '../parser/model.ts';
import type { TextSource } from './pieceText.ts';

/** What position conversion needs from a document. */
export interface PositionSource {
  readonly text: TextSource;
  /** Offsets of the first character of every line as the parser counts lines (parser/lines.ts computeLineStarts). */
  readonly lineStarts: ArrayLike<number>;
  /** Offsets of the first character of every line as LSP counts lines (`\n`, `\r\n`, lone `\r`). */
  readonly lspLineStarts: ArrayLike<number>;
}

/** Clamps an offset into the text; a missing or NaN offset (a model bug) becomes 0 instead of throwing. */
export function clampOffset(source: PositionSource, offset: number): number {
  if (!(offset > 0)) return 0;
  return offset > source.text.length ? source.text.length : Math.floor(offset);
}

/** Offset just past the content of LSP line `line` (before its line break). */
function lspLineContentEnd(source: PositionSource, line: number): number {
  const starts = source.lspLineStarts;
  const text = source.text;
  if (line + 1 >= starts.length) return text.length;
  let end = starts[line + 1];
  if (end > starts[line] && text.charCodeAt(end - 1) === 10 /* \n */) end--;
  if (end > starts[line] && text.charCodeAt(end - 1) === 13 /* \r */) end--;
  return end;
}

export function positionAt(source: PositionSource, offset: number): Position {
  const at = clampOffset(source, offset);
  const line = lineOfOffset(source.lspLineStarts, at);
  return { line, character: at - source.lspLineStarts[line] };
}

/** Offset of an LSP position; out-of-range lines and characters are clamped as the LSP spec asks. */
export function offsetAt(source: PositionSource, position: Position): number {
  const starts = source.lspLineStarts;
  const line = Number.isFinite(position.line) ? Math.floor(position.line) : 0;
  if (line < 0) return 0;
  if (line >= starts.length) return source.text.length;
  const character = Number.isFinite(position.character) ? Math.max(0, Math.floor(position.character)) : 0;
  return Math.min(starts[line] + character, lspLineContentEnd(source, line));
}

export function rangeOf(source: PositionSource, start: number, end: number): Range {
  const s = clampOffset(source, start);
  const e = Math.max(s, clampOffset(source, end));
  return { start: positionAt(source, s), end: positionAt(source, e) };
}

/**
 * Range of a model span. A span never ends after a line break in LSP terms (a span that a model
 * bug lets run into the `\r\r\n` of a serial capture, which LSP counts as two breaks, is cut).
 */
export function spanRange(source: PositionSource, span: Span): Range {
  const start = clampOffset(source, span.start);
  let end = Math.max(start, clampOffset(source, span.end));
  while (end > start && isLineBreak(source.text.charCodeAt(end - 1))) end--;
  return rangeOf(source, start, end);
}

function isLineBreak(c: number): boolean {
  return c === 13 || c === 10;
}

/**
 * The span that deleting parser line `line` as a whole removes: the line and its line break, or, for
 * a last line without a break, the line and the break before it.
 */
export function wholeLinesSpan(source: PositionSource, firstLine: number, lastLine: number): Span {
  const starts = source.lineStarts;
  const start = starts[firstLine];
  if (lastLine + 1 < starts.length) return { start, end: starts[lastLine + 1] };
  // Last line of the file: take the line break before it instead, so no empty line is left behind.
  const from = firstLine > 0 ? lineBreakStart(source, firstLine - 1) : 0;
  return { start: from, end: source.text.length };
}

/** Offset where the line break that ends parser line `line` starts. */
function lineBreakStart(source: PositionSource, line: number): number {
  let end = source.lineStarts[line + 1] - 1;
  if (end > source.lineStarts[line] && source.text.charCodeAt(end - 1) === 13) end--;
  return end;
}

/** LSP range of whole parser lines [firstLine, lastLine], line breaks included (see wholeLinesSpan). */
export function wholeLinesRange(source: PositionSource, firstLine: number, lastLine: number): Range {
  const span = wholeLinesSpan(source, firstLine, lastLine);
  return rangeOf(source, span.start, span.end);
}

/** LSP line of the start of parser line `line` (they differ only in files with lone `\r`). */
export function lspLineOf(source: PositionSource, parserLine: number): number {
  if (source.lspLineStarts === source.lineStarts) return parserLine;
  const starts = source.lineStarts;
  const line = Math.max(0, Math.min(parserLine, starts.length - 1));
  return lineOfOffset(source.lspLineStarts, starts[line]);
}

/** LSP line of the end of parser line `line` (its last character, before the line break). */
export function lspLastLineOf(source: PositionSource, parserLine: number): number {
  if (source.lspLineStarts === source.lineStarts) return parserLine;
  const starts = source.lineStarts;
  const line = Math.max(0, Math.min(parserLine, starts.length - 1));
  const end = lineEnd(source.text, starts, line);
  return lineOfOffset(source.lspLineStarts, Math.max(starts[line], end - 1));
}

/** Parser line holding `offset`. */
export function parserLineAt(source: PositionSource, offset: number): number {
  return lineOfOffset(source.lineStarts, clampOffset(source, offset));
}

/** Whether two LSP ranges share at least one position (touching counts). */
export function rangesTouch(a: Range, b: Range): boolean {
  return !(comparePositions(a.end, b.start) < 0 || comparePositions(b.end, a.start) < 0);
}

export function comparePositions(a: Position, b: Position): number {
  return a.line - b.line || a.character - b.character;
}

/** The text of parser line `line`, without its line break. */
export function lineText(source: PositionSource, line: number): string {
  return source.text.slice(source.lineStarts[line], lineEnd(source.text, source.lineStarts, line));
}
