// Where a finding is, as the CLI's outputs print it (text, JSON, SARIF): 1-based lines and columns,
// computed here only, from the finding's offsets alone (the LSP side computes its ranges from the
// same offsets in service/positions.ts). So no output can pair one line with another line's column.
import { lineOfOffset } from '../parser/lines.ts';
import type { Span } from '../parser/model.ts';

export interface TextLocation {
  /** 1-based line and column (UTF-16 code units) of the first character. */
  line: number;
  column: number;
  /** 1-based line and column just past the last character (at least one character after the start). */
  endLine: number;
  endColumn: number;
}

export function locate(lineStarts: ArrayLike<number>, textLength: number, span: Span): TextLocation {
  const clamp = (o: number) => (Number.isFinite(o) ? Math.max(0, Math.min(Math.floor(o), textLength)) : 0);
  const start = clamp(span.start);
  const end = Math.max(start, clamp(span.end));
  const line = lineOfOffset(lineStarts, start);
  const column = start - lineStarts[line] + 1;
  if (end === start) return { line: line + 1, column, endLine: line + 1, endColumn: column + 1 };
  const endLine = lineOfOffset(lineStarts, end);
  return { line: line + 1, column, endLine: endLine + 1, endColumn: end - lineStarts[endLine] + 1 };
}
