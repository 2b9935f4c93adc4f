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

/** Lines within this many of the last one found are stepped to; farther ones are binary-searched. */
const NEAR_LINES = 8;

/**
 * Locates the findings of one text. Findings come in file order, so each is looked for from the line
 * of the one before: a few steps, not a search over millions of line starts (any order still works).
 */
export class Locator {
  private last = 0;

  constructor(
    private readonly lineStarts: ArrayLike<number>,
    private readonly textLength: number,
  ) {}

  locate(span: Span): TextLocation {
    const start = this.clamp(span.start);
    const end = Math.max(start, this.clamp(span.end));
    const line = this.lineOf(start);
    const column = start - this.lineStarts[line] + 1;
    if (end === start) return { line: line + 1, column, endLine: line + 1, endColumn: column + 1 };
    const endLine = this.lineOf(end);
    this.last = line;
    return { line: line + 1, column, endLine: endLine + 1, endColumn: end - this.lineStarts[endLine] + 1 };
  }

  private clamp(o: number): number {
    return Number.isFinite(o) ? Math.max(0, Math.min(Math.floor(o), this.textLength)) : 0;
  }

  /** 0-based line of an offset (the last line that starts at or before it). */
  private lineOf(offset: number): number {
    const starts = this.lineStarts;
    let line = this.last;
    if (starts[line] <= offset) {
      for (let steps = 0; steps < NEAR_LINES; steps++) {
        if (line + 1 >= starts.length || starts[line + 1] > offset) return (this.last = line);
        line++;
      }
    }
    return (this.last = lineOfOffset(starts, offset));
  }
}

/** One finding's location (for many findings of one text, a Locator). */
export function locate(lineStarts: ArrayLike<number>, textLength: number, span: Span): TextLocation {
  return new Locator(lineStarts, textLength).locate(span);
}
