// A report's signature: what makes two reports "the same report" (repeated-report findings, the
// Outline's grouping of repeats, `kcrash check --group`). The one definition: the report's title and
// the functions of its reliable stack entries, in order, `? ` entries left out, offsets, sizes,
// modules and addresses ignored (they move between boots, builds and KASLR slides), and so are the
// suffixes the compiler numbers per build (`.isra.0`, `.constprop.3`, `.part.1`, `.cold`, `.llvm.123`). Informational
// dumps (`crash: false`: a sysrq task dump, NMI backtraces) and reports without a reliable entry
// have none: idle tasks' identical stacks are no repeated bug, and a title alone is too little.
import type { Report } from '../parser/model.ts';

export interface ReportSignature {
  /** Title and functions (without compiler suffixes) in one string: equal keys, same report. */
  readonly key: string;
  /** A small number per distinct key (equal ids, equal keys): what findRepeats compares. */
  readonly id: number;
  readonly title: string;
  /** The reliable entries' functions, innermost first, as printed (`foo.isra.0`). */
  readonly functions: readonly string[];
}

/**
 * The report's signature, or null when it has none (see above). Computed on each call: the server
 * keeps each report's id (service/analysis.ts, carried over edits), the CLI reads each report once.
 */
export function reportSignature(report: Report): ReportSignature | null {
  if (!report.crash) return null;
  const functions: string[] = [];
  for (const stack of report.stacks) for (const f of stack.frames) if (f.reliable && f.function !== null) functions.push(f.function);
  if (functions.length === 0) return null;
  const title = report.title.trim() || report.kind;
  const key = `${title}\n${functions.map(withoutCompilerSuffix).join(' ')}`;
  return { key, id: keyId(key), title, functions };
}

/** Ids of the keys seen (as many as distinct signatures: bounded by what was opened). */
const KEY_IDS = new Map<string, number>();

function keyId(key: string): number {
  let id = KEY_IDS.get(key);
  if (id === undefined) KEY_IDS.set(key, (id = KEY_IDS.size));
  return id;
}

/** findRepeats' table by key id: the first report with the id in the current call (stamped by call). */
let firstById = new Int32Array(1024);
let stampById = new Int32Array(1024);
let stamp = 0;

/** A function's name without the suffixes GCC and Clang add to local copies (`foo.isra.0` → `foo`). */
export function withoutCompilerSuffix(name: string): string {
  const dot = name.indexOf('.');
  return dot <= 0 ? name : name.replace(COMPILER_SUFFIXES, '');
}

const COMPILER_SUFFIXES = /(?:\.(?:isra|constprop|part|cold|llvm|lto_priv|localalias)(?:\.\d+)*)+$/;

/** Where the reports of one document repeat each other (repeated-report findings, the Outline). */
export interface Repeats {
  /** Per report: index of the first report with its signature when it is a later one, else -1. */
  readonly firstOf: Int32Array;
  /** Per report: how many reports share its signature (0 when it has none). */
  readonly countOf: Int32Array;
  /** Per first occurrence that repeats: the later ones, in order. */
  readonly laterOf: ReadonlyMap<number, readonly number[]>;
  /** How many reports repeat an earlier one. */
  readonly repeated: number;
}

/** Each report's signature id (ReportSignature.id), -1 for none. */
export function signatureIds(count: number, reportAt: (k: number) => Report): Int32Array {
  const ids = new Int32Array(count);
  for (let k = 0; k < count; k++) ids[k] = reportSignature(reportAt(k))?.id ?? -1;
  return ids;
}

/** The repeats among reports with signature ids `ids` (signatureIds). Linear, on typed arrays. */
export function findRepeats(ids: Int32Array): Repeats {
  const count = ids.length;
  const firstOf = new Int32Array(count).fill(-1);
  const countOf = new Int32Array(count);
  const laterOf = new Map<number, number[]>();
  // Once per document version over every report: typed arrays by key id, not a map of strings.
  if (firstById.length < KEY_IDS.size) {
    const size = 2 * KEY_IDS.size;
    firstById = new Int32Array(size);
    stampById = new Int32Array(size);
    stamp = 0;
  }
  if (++stamp === 0x7fffffff) {
    stampById.fill(0);
    stamp = 1;
  }
  let repeated = 0;
  for (let k = 0; k < count; k++) {
    const id = ids[k];
    if (id < 0) continue;
    if (stampById[id] !== stamp) {
      stampById[id] = stamp;
      firstById[id] = k;
      countOf[k] = 1;
      continue;
    }
    const first = firstById[id];
    firstOf[k] = first;
    countOf[first]++;
    repeated++;
    const later = laterOf.get(first);
    if (later) later.push(k);
    else laterOf.set(first, [k]);
  }
  for (const [first, later] of laterOf) for (const k of later) countOf[k] = countOf[first];
  return { firstOf, countOf, laterOf, repeated };
}

/**
 * What `kcrash check --group` groups a report by: its signature, or for a crash report without a
 * reliable entry (a panic line, a report cut off before its trace) its title alone; null for an
 * informational dump.
 */
export function groupSignature(report: Report): ReportSignature | null {
  const s = reportSignature(report);
  if (s !== null || !report.crash) return s;
  const title = report.title.trim() || report.kind;
  const key = `${title}\n`;
  return { key, id: keyId(key), title, functions: [] };
}
