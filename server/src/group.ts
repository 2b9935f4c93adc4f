// `kcrash check --group FILE|DIR...`: the reports of many logs grouped by signature
// (analyzer/signature.ts), largest group first. Files are read one at a time; a group keeps its
// title, its frames and where each occurrence is (file and 1-based title line), nothing of the text.
import fs from 'node:fs';
import path from 'node:path';
import { groupSignature } from './analyzer/signature.ts';
import type { Report } from './parser/model.ts';

/** One group: reports of one signature. */
export interface ReportGroup {
  title: string;
  /** The reliable entries' functions, innermost first (empty for a report without one). */
  frames: readonly string[];
  /** The function the first occurrence's title blames, if any: the text shows the frames from it on. */
  guilty: string | null;
  occurrences: { file: string; line: number }[];
}

/** The groups as they fill, by signature key, in order of first occurrence. */
export class Grouping {
  private readonly groups = new Map<string, ReportGroup>();
  files = 0;
  reports = 0;

  /** Adds the reports of one file (`name` as printed). */
  add(name: string, reports: readonly Report[]): void {
    this.files++;
    for (const r of reports) {
      const s = groupSignature(r);
      if (s === null) continue;
      this.reports++;
      let g = this.groups.get(s.key);
      if (!g) this.groups.set(s.key, (g = { title: s.title, frames: s.functions, guilty: r.guiltyFrame, occurrences: [] }));
      g.occurrences.push({ file: name, line: r.headerLine + 1 });
    }
  }

  /** Largest first; equal counts by title, then by first occurrence. */
  sorted(): ReportGroup[] {
    return [...this.groups.values()]
      .map((g, i) => ({ g, i }))
      .sort((a, b) => b.g.occurrences.length - a.g.occurrences.length || compare(a.g.title, b.g.title) || a.i - b.i)
      .map(({ g }) => g);
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Frames a text group shows; occurrences it lists before "…and N more". */
export const TEXT_FRAMES = 5;
export const TEXT_OCCURRENCES = 5;

/**
 * A group as text: count and title, its top frames (from the function the title blames, when the
 * stack holds it: `dump_stack < __warn < ...` above it tell nothing), where it occurs.
 */
export function groupText(g: ReportGroup): string {
  const n = g.occurrences.length;
  const from = g.guilty === null ? -1 : g.frames.indexOf(g.guilty);
  const top = g.frames.slice(Math.max(0, from));
  const frames =
    g.frames.length === 0
      ? '(no reliable stack entry)'
      : (from > 0 ? '… < ' : '') + top.slice(0, TEXT_FRAMES).join(' < ') + (top.length > TEXT_FRAMES ? ' < …' : '');
  const at = g.occurrences
    .slice(0, TEXT_OCCURRENCES)
    .map((o) => `${o.file}:${o.line}`)
    .join(', ');
  const more = n > TEXT_OCCURRENCES ? `, …and ${n - TEXT_OCCURRENCES} more` : '';
  return `${String(n).padStart(5)}  ${g.title}\n       ${frames}\n       ${at}${more}\n`;
}

/** A group as one JSON object (the shape `kcrash check --group --format json` documents). */
export function groupJson(g: ReportGroup): string {
  return JSON.stringify({ count: g.occurrences.length, title: g.title, frames: g.frames, occurrences: g.occurrences });
}

/** A file named on the command line, or one found in a directory named there. */
export interface Input {
  name: string;
  /** Found by walking a directory: a file that is no text log (binary, empty) is passed over, not an error. */
  found: boolean;
}

/**
 * The files of the command line: a directory stands for every regular file below it (sorted by
 * name, hidden files and directories left out, symbolic links to directories not followed).
 */
export function expandInputs(args: readonly string[]): Input[] {
  const out: Input[] = [];
  for (const arg of args) {
    let dir = false;
    try {
      dir = arg !== '-' && fs.statSync(arg).isDirectory();
    } catch {
      // Not there: reading it says so.
    }
    if (dir) walk(arg, out);
    else out.push({ name: arg, found: false });
  }
  return out;
}

function walk(dir: string, out: Input[]): void {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  entries.sort((a, b) => compare(a.name, b.name));
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (e.isFile()) out.push({ name: p, found: true });
    else if (e.isSymbolicLink()) {
      try {
        if (fs.statSync(p).isFile()) out.push({ name: p, found: true });
      } catch {
        // A dangling link.
      }
    }
  }
}
