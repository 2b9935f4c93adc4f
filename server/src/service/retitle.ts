// Report titles look past the report. titleReport (parser/title.ts) reads a report's text the
// way syzkaller does: its own lines plus a tail after them, up to a few thousand lines from its
// start, and never past the end of the lines it is shown. A parse of part of a document therefore
// titles the reports near the edges of that part from less text than a full parse would; these
// helpers title them again against the whole document, exactly as parse.ts's titleAll does.
import { lineEnd, parseLinePrefix, readWrapped, wrappedLineEnd } from '../parser/lines.ts';
import type { Report } from '../parser/model.ts';
import { titleReports, MAX_START_SEARCH, UNKNOWN_SHAPE, type LogView } from '../parser/title.ts';
import { MAX_SCANNED } from '../parser/title/report-text.ts';
import type { TextSource } from './pieceText.ts';
import { firstWhere } from '../search.ts';

/**
 * Lines after a report's first line that its title may depend on: where its title's start line may
 * be (title.ts MAX_START_SEARCH), the lines read from there (title/report-text.ts MAX_SCANNED), and
 * a margin (a wrapped line is read with its rest).
 */
export const TITLE_LOOKAHEAD_LINES = MAX_START_SEARCH + MAX_SCANNED + 200;

/**
 * The same view of the text that parse.ts gives titleReport, over all lines. Each line's prefix
 * is read from the line alone; the prefix grammar never looks past the line's end.
 */
export function wholeLogView(text: TextSource, lineStarts: ArrayLike<number>): LogView {
  const line = (i: number) => text.slice(lineStarts[i], lineEnd(text, lineStarts, i));
  return {
    lineCount: lineStarts.length,
    message(i) {
      const l = line(i);
      const start = parseLinePrefix(l, 0, l.length).textStart;
      // A line a mailer wrapped is read with its rest, as the parser reads it.
      const end = lineEnd(text, lineStarts, i);
      const wrapped = wrappedLineEnd(text, lineStarts, i, lineStarts.length);
      return wrapped === end ? l.slice(start) : readWrapped(text.slice(lineStarts[i] + start, wrapped));
    },
    caller(i) {
      const l = line(i);
      return parseLinePrefix(l, 0, l.length).caller;
    },
    hasTime(i) {
      const l = line(i);
      return parseLinePrefix(l, 0, l.length).time !== null;
    },
    shape: () => UNKNOWN_SHAPE,
  };
}

/**
 * Titles reports[from, to) again against the whole text (mirrors parse.ts titleAll). The crash
 * veto only depends on a report's own lines, so it comes out as it did in the partial parse.
 * `nextHeaderAfterLast` is the header line of the report after the last one given, when there is one.
 */
export function titleAgain(view: LogView, reports: readonly Report[], from: number, to: number, nextHeaderAfterLast = view.lineCount): void {
  titleReports(view, reports, from, to, nextHeaderAfterLast);
}

/** Index of the first report whose title may read line `line` or later (reports are in line order). */
export function firstReaching(reports: readonly Report[], line: number): number {
  return firstWhere(0, reports.length, (k) => reports[k].line + TITLE_LOOKAHEAD_LINES >= line);
}
