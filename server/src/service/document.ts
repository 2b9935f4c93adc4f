// An open kernel-log document and its versions. Each version (DocumentVersion: its text and line
// tables) never changes once made; an edit makes the next one, sharing what it did not touch (the
// pieces of the text). The open document remembers which part of the text changed since the last
// parse (an "edit hull"), so that the cache can re-parse only that region.
import type { TextDocumentContentChangeEvent } from 'vscode-languageserver-textdocument';
import type { Position, Range } from 'vscode-languageserver-types';
import { computeLineStarts, lineOfOffset, LineStartList, lineStartsIn } from '../parser/lines.ts';
import { PieceText, type TextSource } from './pieceText.ts';
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

/** A content change that is not one (no text, a malformed range): the whole didChange is refused. */
export class MalformedChangeError extends Error {}

/** One version of a document: what features read (text, line tables, positions). Never changes. */
export class DocumentVersion implements PositionSource {
  private lspStarts: Uint32Array | null = null;

  constructor(
    readonly uri: string,
    readonly languageId: string,
    readonly version: number,
    /** The text, piece by piece (slicing it is cheap; getText() builds the whole string). */
    readonly text: PieceText,
    /** Parser line starts (parser/lines.ts computeLineStarts: `\n`, or a `\r` that no `\n` follows). */
    readonly lineStarts: Uint32Array,
    /**
     * True when the text holds `\r\r` (LSP may then count lines differently: it ends a line at the
     * first `\r` of a serial capture's `\r\r\n`, the parser at the `\n` only).
     */
    readonly hasCRCR: boolean,
  ) {}

  get lspLineStarts(): Uint32Array {
    if (!this.hasCRCR) return this.lineStarts;
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
    this._current = new DocumentVersion(uri, languageId, version, pieces, computeLineStarts(text), text.includes('\r\r'));
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
      if (typeof change?.text !== 'string') throw new MalformedChangeError('content change without text');
      if ('range' in change && change.range && (!isPosition(change.range.start) || !isPosition(change.range.end)))
        throw new MalformedChangeError('content change with a malformed range (positions are integers ≥ 0)');
    }
    const old = this._current;
    let text = old.text;
    let lineStarts = old.lineStarts;
    let hasCRCR = old.hasCRCR;
    for (const change of changes) {
      if ('range' in change && change.range) {
        // Each range refers to the text the change before it left.
        const at = text === old.text ? old : new DocumentVersion(old.uri, old.languageId, version, text, lineStarts, hasCRCR);
        // A range given end first is the same range.
        const a = at.offsetAt(change.range.start);
        const b = at.offsetAt(change.range.end);
        const start = Math.min(a, b);
        const end = Math.max(a, b);
        const inserted = change.text;
        const before = lineStarts;
        // Whether the `\r`s just before the change end lines depends on what follows them (a `\n`
        // typed after a lone `\r` makes it part of a CRLF): the change is taken as starting before them.
        let from = start;
        while (from > 0 && text.charCodeAt(from - 1) === 13) from--;
        text = text.replace(start, end, inserted);
        const newEnd = start + inserted.length;
        lineStarts = spliceLineStarts(before, text, from, end, newEnd);
        this.noteHull(from, end, newEnd - from, before);
        // `\r\r` can appear or disappear only around the change; when some exist, look again.
        if (hasCRCR) hasCRCR = text.toString().includes('\r\r');
        else hasCRCR = text.slice(Math.max(0, start - 1), Math.min(text.length, newEnd + 1)).includes('\r\r');
      } else {
        const oldLength = text.length;
        const before = lineStarts;
        text = PieceText.of(change.text);
        lineStarts = computeLineStarts(change.text);
        hasCRCR = change.text.includes('\r\r');
        this.hull = {
          start: 0,
          oldEnd: this.hull ? this.hull.oldEnd + (oldLength - this.hull.newEnd) : oldLength,
          newEnd: change.text.length,
          oldLineStarts: this.hull?.oldLineStarts ?? before,
          replacedAll: true,
        };
      }
    }
    this._current = new DocumentVersion(old.uri, old.languageId, version, text, lineStarts, hasCRCR);
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
  return typeof p === 'object' && p !== null && isUinteger((p as Position).line) && isUinteger((p as Position).character);
}

function isUinteger(n: unknown): n is number {
  return Number.isInteger(n) && (n as number) >= 0;
}

/**
 * Parser line starts after an edit that replaced old [from, oldEnd) with what is now [from, newEnd)
 * of `text` (`from` before any `\r`s that precede the change). Line breaks after newEnd are the old
 * ones moved (a run of `\r`s there still ends where it did, so its `\r`s end lines as they did).
 */
export function spliceLineStarts(lineStarts: Uint32Array, text: TextSource, from: number, oldEnd: number, newEnd: number): Uint32Array {
  const keep = lineOfOffset(lineStarts, from) + 1; // starts <= from survive
  const tailFrom = lineOfOffset(lineStarts, oldEnd) + 1; // starts > oldEnd move by delta
  // The changed text and the run of `\r`s after it, with the character that ends the run.
  let to = newEnd;
  while (text.charCodeAt(to) === 13) to++;
  const window = text.slice(from, Math.min(text.length, to + 1));
  const added = lineStartsIn(window, 0, newEnd - from, new LineStartList(window.length, null), from).finish();
  const delta = newEnd - oldEnd;
  const out = new Uint32Array(keep + added.length + (lineStarts.length - tailFrom));
  out.set(lineStarts.subarray(0, keep), 0);
  out.set(added, keep);
  let k = keep + added.length;
  for (let i = tailFrom; i < lineStarts.length; i++) out[k++] = lineStarts[i] + delta;
  return out;
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
