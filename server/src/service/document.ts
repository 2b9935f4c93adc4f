// An open kernel-log document and its versions. Each version (DocumentVersion: its text and line
// tables) never changes once made; an edit makes the next one, sharing what it did not touch (the
// pieces of the text). The open document remembers which part of the text changed since the last
// parse (an "edit hull"), so that the cache can re-parse only that region.
import type { TextDocumentContentChangeEvent } from 'vscode-languageserver-textdocument';
import type { Position, Range } from 'vscode-languageserver-types';
import { computeLineStarts, lineOfOffset } from '../parser/lines.ts';
import { PieceText } from './pieceText.ts';
import { offsetAt, positionAt, type PositionSource } from './positions.ts';

/**
 * The smallest single region that covers every change since the last parse. Before `start` the
 * text is unchanged; after `oldEnd` (old text) = after `newEnd` (new text).
 */
export interface EditHull {
  start: number;
  oldEnd: number;
  newEnd: number;
  /** Parser line starts of the text before the first of these changes. */
  oldLineStarts: Uint32Array;
  /** A change replaced the whole text (no range): nothing of the old parse can be kept. */
  replacedAll: boolean;
}

/** The line view of an EditHull that re-parsing needs. */
export interface LineEdit {
  /** First old (and new) line that changed. */
  firstLine: number;
  /** Last changed line in the old text and in the new text. */
  oldLastLine: number;
  newLastLine: number;
  lineDelta: number;
  offsetDelta: number;
}

export function lineEditOf(hull: EditHull, newLineStarts: ArrayLike<number>): LineEdit {
  const firstLine = lineOfOffset(hull.oldLineStarts, hull.start);
  const oldLastLine = lineOfOffset(hull.oldLineStarts, hull.oldEnd);
  const newLastLine = lineOfOffset(newLineStarts, hull.newEnd);
  return { firstLine, oldLastLine, newLastLine, lineDelta: newLastLine - oldLastLine, offsetDelta: hull.newEnd - hull.oldEnd };
}

/** One version of a document: what features read (text, line tables, positions). Never changes. */
export class DocumentVersion implements PositionSource {
  private lspStarts: Uint32Array | null = null;

  constructor(
    readonly uri: string,
    readonly languageId: string,
    readonly version: number,
    /** The text, piece by piece (slicing it is cheap; getText() builds the whole string). */
    readonly text: PieceText,
    /** Parser line starts (`\n` only). */
    readonly lineStarts: Uint32Array,
    /** True when the text holds a `\r` not followed by `\n` (LSP then counts lines differently). */
    readonly hasLoneCR: boolean,
  ) {}

  get lspLineStarts(): Uint32Array {
    if (!this.hasLoneCR) return this.lineStarts;
    this.lspStarts ??= computeLspLineStarts(this.text.toString());
    return this.lspStarts;
  }

  get lineCount(): number {
    return this.lspLineStarts.length;
  }

  getText(range?: Range): string {
    if (!range) return this.text.toString();
    return this.text.slice(this.offsetAt(range.start), this.offsetAt(range.end));
  }

  positionAt(offset: number): Position {
    return positionAt(this, offset);
  }

  offsetAt(position: Position): number {
    return offsetAt(this, position);
  }
}

/** The open document: its current version, replaced by each didChange. */
export class KernelLogDocument implements PositionSource {
  private _current: DocumentVersion;
  private hull: EditHull | null = null;

  constructor(uri: string, languageId: string, version: number, text: string) {
    const pieces = PieceText.of(text);
    this._current = new DocumentVersion(uri, languageId, version, pieces, computeLineStarts(text), containsLoneCR(pieces, 0, text.length));
  }

  /** The current version (a request or an analysis holds on to the one it started with). */
  get current(): DocumentVersion {
    return this._current;
  }

  // The current version's parts.
  get uri(): string {
    return this._current.uri;
  }

  get languageId(): string {
    return this._current.languageId;
  }

  get version(): number {
    return this._current.version;
  }

  get text(): PieceText {
    return this._current.text;
  }

  get lineStarts(): Uint32Array {
    return this._current.lineStarts;
  }

  get lspLineStarts(): Uint32Array {
    return this._current.lspLineStarts;
  }

  get lineCount(): number {
    return this._current.lineCount;
  }

  getText(range?: Range): string {
    return this._current.getText(range);
  }

  positionAt(offset: number): Position {
    return this._current.positionAt(offset);
  }

  offsetAt(position: Position): number {
    return this._current.offsetAt(position);
  }

  /** Applies didChange content changes in order (each range refers to the text left by the previous one). */
  update(changes: readonly TextDocumentContentChangeEvent[], version: number): void {
    // All checked before anything changes: a malformed change must not leave the document half-updated.
    for (const change of changes) {
      if (typeof change?.text !== 'string') throw new Error('content change without text');
      if ('range' in change && change.range && (!isPosition(change.range.start) || !isPosition(change.range.end))) throw new Error('content change with a malformed range');
    }
    const old = this._current;
    let text = old.text;
    let lineStarts = old.lineStarts;
    let hasLoneCR = old.hasLoneCR;
    for (const change of changes) {
      if ('range' in change && change.range) {
        // Each range refers to the text the change before it left.
        const at = text === old.text ? old : new DocumentVersion(old.uri, old.languageId, version, text, lineStarts, hasLoneCR);
        const start = at.offsetAt(change.range.start);
        const end = Math.max(start, at.offsetAt(change.range.end));
        const inserted = change.text;
        const before = lineStarts;
        text = text.replace(start, end, inserted);
        lineStarts = spliceLineStarts(before, start, end, inserted);
        this.noteHull(start, end, inserted.length, before);
        // Lone `\r` can appear or disappear only around the change; when some exist, look again lazily.
        if (hasLoneCR) hasLoneCR = containsLoneCR(text, 0, text.length);
        else hasLoneCR = containsLoneCR(text, Math.max(0, start - 1), Math.min(text.length, start + inserted.length + 1));
      } else {
        const oldLength = text.length;
        const before = lineStarts;
        text = PieceText.of(change.text);
        lineStarts = computeLineStarts(change.text);
        hasLoneCR = containsLoneCR(text, 0, change.text.length);
        this.hull = { start: 0, oldEnd: this.hull ? this.hull.oldEnd + (oldLength - this.hull.newEnd) : oldLength, newEnd: change.text.length, oldLineStarts: this.hull?.oldLineStarts ?? before, replacedAll: true };
      }
    }
    this._current = new DocumentVersion(old.uri, old.languageId, version, text, lineStarts, hasLoneCR);
  }

  /** Returns the region changed since the last call (or since opening) and forgets it. */
  takeEditHull(): EditHull | null {
    const hull = this.hull;
    this.hull = null;
    return hull;
  }

  /** Grows the edit hull by a change of current-text [start, end) to `insertedLength` characters. */
  private noteHull(start: number, end: number, insertedLength: number, lineStartsBefore: Uint32Array): void {
    const h = this.hull;
    if (!h) {
      this.hull = { start, oldEnd: end, newEnd: start + insertedLength, oldLineStarts: lineStartsBefore, replacedAll: false };
      return;
    }
    // Text before h.start is unchanged, so a change that starts earlier starts at the same old offset.
    const newStart = Math.min(h.start, start);
    let oldEnd: number;
    let newEnd: number;
    if (end >= h.newEnd) {
      oldEnd = h.oldEnd + (end - h.newEnd);
      newEnd = start + insertedLength;
    } else {
      oldEnd = h.oldEnd;
      newEnd = h.newEnd + insertedLength - (end - start);
    }
    this.hull = { start: newStart, oldEnd, newEnd: Math.max(newEnd, newStart), oldLineStarts: h.oldLineStarts, replacedAll: h.replacedAll };
  }
}

function isPosition(p: unknown): p is Position {
  return typeof p === 'object' && p !== null && typeof (p as Position).line === 'number' && typeof (p as Position).character === 'number';
}

/** Line starts after replacing [start, end) of the text with `inserted`. */
export function spliceLineStarts(lineStarts: Uint32Array, start: number, end: number, inserted: string): Uint32Array {
  const keep = lineOfOffset(lineStarts, start) + 1; // starts <= start survive
  const tailFrom = lineOfOffset(lineStarts, end) + 1; // starts > end move by delta
  const added: number[] = [];
  for (let i = inserted.indexOf('\n'); i !== -1; i = inserted.indexOf('\n', i + 1)) added.push(start + i + 1);
  const delta = inserted.length - (end - start);
  const out = new Uint32Array(keep + added.length + (lineStarts.length - tailFrom));
  out.set(lineStarts.subarray(0, keep), 0);
  let k = keep;
  for (const a of added) out[k++] = a;
  for (let i = tailFrom; i < lineStarts.length; i++) out[k++] = lineStarts[i] + delta;
  return out;
}

function containsLoneCR(text: PieceText, from: number, to: number): boolean {
  const window = text.slice(from, Math.min(text.length, to + 1));
  const limit = Math.min(to, text.length) - from;
  for (let i = window.indexOf('\r'); i !== -1 && i < limit; i = window.indexOf('\r', i + 1)) {
    if (from + i + 1 >= text.length) return true;
    if (text.charCodeAt(from + i + 1) !== 10) return true;
  }
  return false;
}

function computeLspLineStarts(text: string): Uint32Array {
  const starts: number[] = [0];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 13) {
      if (text.charCodeAt(i + 1) === 10) i++;
      starts.push(i + 1);
    } else if (c === 10) {
      starts.push(i + 1);
    }
  }
  return Uint32Array.from(starts);
}
