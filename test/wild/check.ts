// The wild corpus: real crash logs as people paste them (test/fixtures/wild/*.log), each beside a
// hand-written `<name>.expect.json` that says what a reader sees in it. Expectations are written
// from reading the log, never from the parser's output; only the fields they give are compared.
// `node --import tsx test/wild/check.ts [--verbose] [names...]` prints the score; the unit test
// (test/unit/wild.test.ts) asserts every log is right.
import fs from 'node:fs';
import path from 'node:path';
import type { StackEntry, Report } from '../../server/src/parser/model.ts';
import { parseCrashLog } from '../../server/src/parser/parse.ts';

export const WILD_DIR = path.resolve(import.meta.dirname, '../fixtures/wild');

/** One report as a reader sees it; every field is optional. */
export interface ExpectedReport {
  kind?: string;
  crash?: boolean;
  /** Exact title. */
  title?: string;
  /** Text the title must contain. */
  titleIncludes?: string;
  corrupted?: boolean;
  guiltyFrame?: string | null;
  arch?: string | null;
  taint?: string | null;
  release?: string | null;
  comm?: string | null;
  pid?: number | null;
  cpu?: number | null;
  /** Number of modules in `Modules linked in:`. */
  modules?: number;
  /** 1-based first and last line of the report (inclusive). */
  lines?: [number, number];
  /** The first register block's instruction pointer, as an entry (see below). */
  ip?: string | null;
  /** Number of register blocks. */
  regs?: number;
  /** Every stack in order, each as its entries: `[? ]func[+0xo/0xs][ [mod]][ (file:line)]` or `0xaddr`. */
  stacks?: string[][];
  /** The kinds of the stacks in order (`Call Trace`, `Backtrace`, ...). */
  stackKinds?: string[];
  /** The entries of all stacks in file order, however they are split into stacks. */
  trace?: string[];
}

export interface Expectation {
  /** Which classes of the wild corpus the log exercises (indented, quoted, arm, ...). */
  classes?: string[];
  reports: ExpectedReport[];
  /** Why a reader's view and the model may still differ: a log listed here is known to be wrong. */
  knownWrong?: string;
}

export interface LogResult {
  name: string;
  right: boolean;
  knownWrong?: string;
  differences: string[];
}

interface EntryPattern {
  reliable: boolean;
  function: string | null;
  address: string | null;
  offset?: number;
  size?: number;
  module?: string;
  source?: string;
}

const ENTRY = /^(\? )?(?:0x([0-9a-f]+)|([^\s+]+?))(?:\+0x([0-9a-f]+)\/0x([0-9a-f]+))?(?: \[([^\]]+)\])?(?: \((\S+:\d+)\))?$/;

export function parseEntryPattern(s: string): EntryPattern | null {
  const m = ENTRY.exec(s.trim());
  if (!m) return null;
  return {
    reliable: m[1] === undefined,
    address: m[2] ?? null,
    function: m[3] ?? null,
    ...(m[4] !== undefined ? { offset: parseInt(m[4], 16), size: parseInt(m[5], 16) } : {}),
    ...(m[6] !== undefined ? { module: m[6] } : {}),
    ...(m[7] !== undefined ? { source: m[7] } : {}),
  };
}

export function entryText(f: StackEntry): string {
  const sym =
    f.function === null
      ? `0x${f.address}`
      : `${f.function}${f.offset !== null && f.size !== null ? `+0x${f.offset.toString(16)}/0x${f.size.toString(16)}` : ''}`;
  const source = (f as StackEntry & { source?: string | null }).source;
  return `${f.reliable ? '' : '? '}${sym}${f.module ? ` [${f.module}]` : ''}${source ? ` (${source})` : ''}`;
}

function entryMatches(f: StackEntry, want: string, exact: boolean): string | null {
  const p = parseEntryPattern(want);
  if (!p) return `bad expectation ${JSON.stringify(want)}`;
  const got = entryText(f);
  const bad =
    (!exact && p.reliable !== f.reliable) ||
    (p.function !== null ? f.function !== p.function : f.function !== null || (f.address ?? '').replace(/^0+/, '') !== (p.address ?? '').replace(/^0+/, '')) ||
    (p.offset !== undefined && (f.offset !== p.offset || f.size !== p.size)) ||
    (p.module !== undefined && f.module !== p.module) ||
    (p.source !== undefined && (f as StackEntry & { source?: string | null }).source !== p.source);
  return bad ? `expected ${JSON.stringify(want)}, got ${JSON.stringify(got)}` : null;
}

function compareReport(r: Report, want: ExpectedReport, at: string, out: string[]): void {
  const eq = (field: string, got: unknown, exp: unknown) => {
    if (exp !== undefined && JSON.stringify(got) !== JSON.stringify(exp)) out.push(`${at}: ${field} ${JSON.stringify(got)}, expected ${JSON.stringify(exp)}`);
  };
  eq('kind', r.kind, want.kind);
  eq('crash', r.crash, want.crash);
  eq('title', r.title, want.title);
  if (want.titleIncludes !== undefined && !r.title.includes(want.titleIncludes))
    out.push(`${at}: title ${JSON.stringify(r.title)} lacks ${JSON.stringify(want.titleIncludes)}`);
  eq('corrupted', r.corrupted, want.corrupted);
  eq('guiltyFrame', r.guiltyFrame, want.guiltyFrame);
  eq('arch', r.arch, want.arch);
  eq('taint', r.taint, want.taint);
  eq('release', r.release, want.release);
  eq('comm', r.comm, want.comm);
  eq('pid', r.pid, want.pid);
  eq('cpu', r.cpu, want.cpu);
  eq('modules', r.modules.length, want.modules);
  eq('lines', [r.line + 1, r.endLine + 1], want.lines);
  eq('regs', r.regs.length, want.regs);
  if (want.ip !== undefined) {
    const ip = r.regs[0]?.ip ?? null;
    if (want.ip === null) {
      if (ip !== null) out.push(`${at}: ip ${entryText(ip)}, expected none`);
    } else if (ip === null) out.push(`${at}: no ip, expected ${want.ip}`);
    else {
      const d = entryMatches(ip, want.ip, true);
      if (d) out.push(`${at}: ip ${d}`);
    }
  }
  eq(
    'stackKinds',
    r.stacks.map((s) => s.kind),
    want.stackKinds,
  );
  if (want.trace !== undefined)
    compareEntries(
      r.stacks.flatMap((s) => s.frames),
      want.trace,
      `${at} trace`,
      out,
    );
  if (want.stacks !== undefined) {
    if (r.stacks.length !== want.stacks.length) {
      out.push(
        `${at}: ${r.stacks.length} stacks [${r.stacks.map((s) => `${s.kind || '-'}:${s.frames.length}`).join(', ')}], expected ${want.stacks.length} [${want.stacks.map((s) => s.length).join(', ')}]`,
      );
    }
    for (let k = 0; k < Math.min(r.stacks.length, want.stacks.length); k++) {
      compareEntries(r.stacks[k].frames, want.stacks[k], `${at} stack ${k + 1}`, out);
    }
  }
}

function compareEntries(got: StackEntry[], exp: string[], at: string, out: string[]): void {
  if (got.length !== exp.length) out.push(`${at}: ${got.length} entries, expected ${exp.length}: got [${got.map(entryText).join(' | ')}]`);
  for (let i = 0; i < Math.min(got.length, exp.length); i++) {
    const d = entryMatches(got[i], exp[i], false);
    if (d) {
      out.push(`${at} entry ${i + 1}: ${d}`);
      break;
    }
  }
}

export function checkLog(text: string, expectation: Expectation): string[] {
  const log = parseCrashLog(text);
  const out: string[] = [];
  const want = expectation.reports;
  if (log.reports.length !== want.length) {
    out.push(`${log.reports.length} reports [${log.reports.map((r) => `${r.line + 1}-${r.endLine + 1} ${r.kind}`).join(', ')}], expected ${want.length}`);
  }
  for (let i = 0; i < Math.min(log.reports.length, want.length); i++) compareReport(log.reports[i], want[i], `report ${i + 1}`, out);
  return out;
}

export function wildNames(dir = WILD_DIR): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((n) => n.endsWith('.log'))
    .sort();
}

export function checkWild(name: string, dir = WILD_DIR): LogResult {
  const file = path.join(dir, name);
  const expectFile = file.replace(/\.log$/, '.expect.json');
  if (!fs.existsSync(expectFile)) return { name, right: false, differences: ['no .expect.json beside it'] };
  let expectation: Expectation;
  try {
    expectation = JSON.parse(fs.readFileSync(expectFile, 'utf8')) as Expectation;
  } catch (err) {
    return { name, right: false, differences: [`unreadable expectation: ${String(err)}`] };
  }
  const differences = checkLog(fs.readFileSync(file, 'utf8'), expectation);
  return { name, right: differences.length === 0, differences, ...(expectation.knownWrong ? { knownWrong: expectation.knownWrong } : {}) };
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('test/wild/check.ts')) {
  const args = process.argv.slice(2);
  const verbose = args.includes('--verbose');
  const only = args.filter((a) => !a.startsWith('--'));
  const names = wildNames().filter((n) => only.length === 0 || only.some((o) => n.includes(o)));
  let right = 0;
  for (const name of names) {
    const r = checkWild(name);
    if (r.right) right++;
    console.log(`${r.right ? 'right' : 'WRONG'}  ${name}${r.knownWrong ? `  (known: ${r.knownWrong})` : ''}`);
    if (!r.right && verbose) for (const d of r.differences.slice(0, 12)) console.log(`         ${d}`);
  }
  console.log(`\n${right}/${names.length} right`);
}
