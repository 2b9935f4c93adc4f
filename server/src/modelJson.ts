// The JSON of `kcrash parse --json` and `kcrash check --format json`: reports, findings and problems
// as JSON.stringify would write the objects they stand for, built as text for the parts a big log
// holds by the hundred thousand (entries, findings): a 100 MB log has ~800,000 entries and ~500,000
// findings, and a generic stringify of an object per entry costs twice as much as writing its text.
import type { Finding } from './analyzer/findings.ts';
import type { TextLocation } from './analyzer/location.ts';
import type { StackEntry, Problem, Report } from './parser/model.ts';

/**
 * JSON string literals, remembered for the texts that repeat (function names, finding messages):
 * the same text is escaped once, not once per entry.
 */
export class JsonStrings {
  private static readonly LIMIT = 1 << 14;
  private readonly known = new Map<string, string>();

  quote(text: string): string {
    let json = this.known.get(text);
    if (json === undefined) {
      json = JSON.stringify(text);
      if (this.known.size >= JsonStrings.LIMIT) this.known.clear();
      this.known.set(text, json);
    }
    return json;
  }

  orNull(text: string | null): string {
    return text === null ? 'null' : this.quote(text);
  }
}

/** A number as JSON.stringify writes it (NaN and infinities as null). */
function num(n: number | null): string {
  return n !== null && Number.isFinite(n) ? String(n) : 'null';
}

/** {line, function, offset, size, module, address, reliable, context[, source]}; lines 1-based. */
export function frameJson(f: StackEntry, s: JsonStrings): string {
  const source = f.source !== undefined ? `,"source":${s.quote(f.source)}` : '';
  return `{"line":${f.line + 1},"function":${s.orNull(f.function)},"offset":${num(f.offset)},"size":${num(f.size)},"module":${s.orNull(f.module)},"address":${s.orNull(f.address)},"reliable":${f.reliable},"context":${s.orNull(f.context)}${source}}`;
}

/** A report with its register blocks (`regs`) and stacks (`stacks`, entries in `frames`); lines 1-based. */
export function reportJson(r: Report, s: JsonStrings): string {
  // The report's own facts, few per report, as JSON.stringify writes them (fields it leaves out included).
  const facts = JSON.stringify({
    title: r.title,
    kind: r.kind,
    crash: r.crash,
    corrupted: r.corrupted,
    corruptedReason: r.corruptedReason,
    guiltyFrame: r.guiltyFrame,
    startLine: r.line + 1,
    endLine: r.endLine + 1,
    arch: r.arch,
    taint: r.taint,
    release: r.release,
    cpu: r.cpu,
    pid: r.pid,
    comm: r.comm,
    hardware: r.hardware,
    modules: r.modules,
  });
  let regs = '';
  for (const b of r.regs) {
    regs += `${regs ? ',' : ''}{"line":${b.line + 1},"kind":${s.quote(b.kind)},"user":${b.user},"ip":${b.ip ? frameJson(b.ip, s) : 'null'}}`;
  }
  let stacks = '';
  for (const st of r.stacks) {
    let frames = '';
    for (const f of st.frames) frames += (frames ? ',' : '') + frameJson(f, s);
    stacks += `${stacks ? ',' : ''}{"line":${st.line + 1},"kind":${s.quote(st.kind)},"frames":[${frames}]}`;
  }
  return `${facts.slice(0, -1)},"regs":[${regs}],"stacks":[${stacks}]}`;
}

/** {line, column, code, severity, message, related: [{line, message}]}; `at` from analyzer/location.ts. */
export function findingJson(f: Finding, at: TextLocation, s: JsonStrings): string {
  let related = '';
  for (const r of f.related) related += `${related ? ',' : ''}{"line":${r.line + 1},"message":${s.quote(r.message)}}`;
  return `{"line":${at.line},"column":${at.column},"code":${s.quote(f.code)},"severity":${s.quote(f.severity)},"message":${s.quote(f.message)},"related":[${related}]}`;
}

/**
 * The parser's problems for JSON: a binary line is a problem of its own (so that any part of a log
 * parses alike), but a run of them is one entry here, with its last line (`endLine`).
 */
export function problemRuns(problems: readonly Problem[]): { line: number; endLine?: number; code: string; message: string }[] {
  const out: { line: number; endLine?: number; code: string; message: string }[] = [];
  for (const p of problems) {
    const last = out[out.length - 1];
    if (last && p.code === 'binary-data' && last.code === p.code && (last.endLine ?? last.line) === p.line) {
      last.endLine = p.line + 1;
      last.message = 'binary data (NUL bytes or invalid UTF-8) on these lines; those bytes are read as spaces';
      continue;
    }
    out.push({ line: p.line + 1, code: p.code, message: p.message });
  }
  return out;
}
