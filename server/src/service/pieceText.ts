// Document text as a list of pieces, so that an edit of a 50 MB log costs a copy of one small piece
// and not of the whole text. (V8 concatenates strings lazily, but the next slice or regex on the
// result copies all of it: about 20 ms for 50 MB.) A PieceText never changes: an edit gives a new
// one that shares the untouched pieces, so each version of a document keeps its own text.

import { lineOfOffset } from '../parser/lines.ts';

/** Read access to a text; what the service needs besides whole-text parsing. */
export interface TextSource {
  readonly length: number;
  charCodeAt(offset: number): number;
  slice(start: number, end: number): string;
}

/** Pieces are split to at most this length after an edit. */
const MAX_PIECE = 1 << 18;

export class PieceText implements TextSource {
  private readonly pieces: readonly string[];
  /** Offset of the first character of each piece. */
  private readonly starts: readonly number[];
  private readonly _length: number;
  /** The whole text, once someone asked for it (the only field set after construction). */
  private whole: string | null;

  /** The text of a string (its pieces are slices of it: nothing is copied). */
  static of(text: string): PieceText {
    const pieces: string[] = [];
    const starts: number[] = [];
    for (let at = 0; at < text.length; at += MAX_PIECE) {
      starts.push(at);
      pieces.push(text.slice(at, at + MAX_PIECE));
    }
    if (pieces.length === 0) {
      starts.push(0);
      pieces.push('');
    }
    return new PieceText(pieces, starts, text.length, text);
  }

  private constructor(pieces: readonly string[], starts: readonly number[], length: number, whole: string | null) {
    this.pieces = pieces;
    this.starts = starts;
    this._length = length;
    this.whole = whole;
  }

  get length(): number {
    return this._length;
  }

  /** The whole text as one string (built once per version, on demand). */
  toString(): string {
    this.whole ??= this.pieces.join('');
    return this.whole;
  }

  charCodeAt(offset: number): number {
    if (offset < 0 || offset >= this._length) return NaN;
    const i = this.pieceAt(offset);
    return this.pieces[i].charCodeAt(offset - this.starts[i]);
  }

  slice(start: number, end: number): string {
    const s = Math.max(0, Math.min(start, this._length));
    const e = Math.max(s, Math.min(end, this._length));
    if (this.whole !== null) return this.whole.slice(s, e);
    if (s === e) return '';
    const first = this.pieceAt(s);
    const firstEnd = this.starts[first] + this.pieces[first].length;
    if (e <= firstEnd) return this.pieces[first].slice(s - this.starts[first], e - this.starts[first]);
    const parts = [this.pieces[first].slice(s - this.starts[first])];
    let i = first + 1;
    for (; i < this.pieces.length && this.starts[i] + this.pieces[i].length < e; i++) parts.push(this.pieces[i]);
    if (i < this.pieces.length) parts.push(this.pieces[i].slice(0, e - this.starts[i]));
    return parts.join('');
  }

  /** The text with [start, end) replaced by `inserted` (this one stays as it is). */
  replace(start: number, end: number, inserted: string): PieceText {
    const s = Math.max(0, Math.min(start, this._length));
    const e = Math.max(s, Math.min(end, this._length));
    const first = this.pieceAt(s);
    const last = this.pieceAt(e);
    const head = this.pieces[first].slice(0, s - this.starts[first]);
    const tail = this.pieces[last].slice(e - this.starts[last]);
    // Flat copies (join), so that later slices do not copy a long chain of concatenations.
    const merged = [head, inserted, tail].join('');
    const replacement: string[] = [];
    for (let at = 0; at < merged.length; at += MAX_PIECE) replacement.push(merged.slice(at, at + MAX_PIECE));
    // Keep one (empty) piece for an empty text, and no empty pieces otherwise.
    if (replacement.length === 0 && this.pieces.length === last - first + 1) replacement.push('');
    const pieces = this.pieces.slice(0, first);
    pieces.push(...replacement);
    for (let i = last + 1; i < this.pieces.length; i++) pieces.push(this.pieces[i]);
    const starts = this.starts.slice(0, first);
    let at = this.starts[first];
    for (let i = first; i < pieces.length; i++) {
      starts.push(at);
      at += pieces[i].length;
    }
    return new PieceText(pieces, starts, at, null);
  }

  private pieceAt(offset: number): number {
    // Piece starts are sorted like line starts: the same search finds the piece holding `offset`.
    return lineOfOffset(this.starts, offset);
  }
}
