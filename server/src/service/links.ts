// Document links on `file:line` references in the reports (`mm/usercopy.c:81` of a BUG line, `at
// mm/slub.c:123` of a WARNING, an inline frame's `include/linux/list.h:45`): each opens the file at
// that line under the first source root that holds it (the `kernelLog.sourceRoot` setting, then the
// workspace folders: the symbolizer's roots). Only files that exist there get a link; the range is
// exactly the `file:line` text. Reports are scanned one at a time, in slices (a 50 MB log).
import type { DocumentLink } from 'vscode-languageserver-types';
import { statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { LogAnalysis } from './analysis.ts';
import type { DocumentVersion } from './document.ts';
import type { Interruption } from './interruption.ts';
import { rangeOf } from './positions.ts';

/**
 * A kernel source path and line: path segments of file-name characters ending in a source suffix,
 * not preceded by another path or word character (a URL or a longer name), then `:` and a line number
 * not followed by a digit or a `.` digit (a time or a version).
 */
const FILE_LINE = /(?<![\w./~-])((?:[\w+-][\w.+-]*\/)*[\w+-][\w.+-]*\.(?:c|h|S|s|rs|cc|cpp|lds|inc)):(\d{1,7})(?![\d]|\.\d)/g;

/** Reports scanned between pauses (each a few KB of text). */
const SLICE = 256;

/** Whether a path names a file (cached per request: a log names the same files many times). */
function fileChecker(): (file: string) => boolean {
  const seen = new Map<string, boolean>();
  return (file) => {
    let ok = seen.get(file);
    if (ok === undefined) {
      try {
        ok = statSync(file).isFile();
      } catch {
        ok = false;
      }
      seen.set(file, ok);
    }
    return ok;
  };
}

/** The file a source-tree-relative path names under one of `roots`, or null (never outside a root). */
function resolveUnder(roots: readonly string[], relative: string, isFile: (file: string) => boolean): string | null {
  if (path.isAbsolute(relative) || relative.split('/').includes('..')) return null;
  for (const root of roots) {
    const file = path.join(root, relative);
    if (isFile(file)) return file;
  }
  return null;
}

export async function computeDocumentLinks(
  document: DocumentVersion,
  analysis: LogAnalysis,
  sourceRoots: readonly string[],
  interruption?: Interruption,
): Promise<DocumentLink[] | null> {
  const links: DocumentLink[] = [];
  if (sourceRoots.length === 0) return links;
  const isFile = fileChecker();
  const seen = new Set<number>(); // reports of two callers may share lines
  for (let k = 0; k < analysis.reportCount; k++) {
    if (k > 0 && k % SLICE === 0 && interruption) {
      await interruption.pause();
      if (interruption.stopped) return null;
    }
    const start = analysis.startOf(k);
    const text = document.text.slice(start, analysis.endOf(k));
    for (const m of text.matchAll(FILE_LINE)) {
      const file = resolveUnder(sourceRoots, m[1], isFile);
      if (!file) continue;
      const at = start + m.index;
      if (seen.has(at)) continue;
      seen.add(at);
      links.push({
        range: rangeOf(document, at, at + m[0].length),
        target: `${pathToFileURL(file).href}#L${Number(m[2])}`,
        tooltip: `Open ${m[1]} at line ${Number(m[2])}`,
      });
    }
  }
  return links;
}
