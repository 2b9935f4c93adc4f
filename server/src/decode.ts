// `kcrash decode`: the log again, each entry that resolves followed by its source line the way
// scripts/decode_stacktrace.sh prints it (`func+off/size (path/file.c:123)`), and one more line per
// inlined frame, so that habits and scripts built on that output carry over. Call-trace entries
// are looked up at address - 1 (the call), which that script does not do. Entries that do not
// resolve are left exactly as they were.
import type { StackEntry, ParsedLog, Report } from './parser/model.ts';
import { parseCrashLog } from './parser/parse.ts';
import { symbolQuery } from './symbolizer/query.ts';
import type { SourceFrame, SymbolInfo, Symbolizer } from './symbolizer/types.ts';

export interface DecodeResult {
  text: string;
  entries: number;
  resolved: number;
  /** Distinct notes the symbolizer gave (mismatches, missing files), for stderr. */
  notes: string[];
}

interface Target {
  frame: StackEntry;
  report: Report;
}

export async function decodeLog(text: string, symbolizer: Symbolizer, log: ParsedLog = parseCrashLog(text)): Promise<DecodeResult> {
  const byLine = new Map<number, Target[]>();
  for (const report of log.reports) {
    const add = (frame: StackEntry) => {
      if (!frame.function) return;
      const list = byLine.get(frame.line) ?? [];
      list.push({ frame, report });
      byLine.set(frame.line, list);
    };
    for (const block of report.regs) if (block.ip) add(block.ip);
    for (const stack of report.stacks) for (const f of stack.frames) add(f);
  }
  // One lookup per distinct entry (a log repeats the same frames many times).
  const answers = new Map<string, Promise<SymbolInfo | null>>();
  const infoOf = (t: Target) => {
    const q = symbolQuery(text, 0, t.frame, t.report);
    const key = JSON.stringify([q.function, q.offset, q.size, q.module, q.exact, q.address, q.release]);
    let a = answers.get(key);
    if (!a) answers.set(key, (a = symbolizer.symbolize(q).catch(() => null)));
    return a;
  };
  const notes = new Set<string>();
  let entries = 0;
  let resolved = 0;
  const out: string[] = [];
  const { lineStarts } = log;
  const lineCount = lineStarts.length;
  for (let line = 0; line < lineCount; line++) {
    const start = lineStarts[line];
    const next = line + 1 < lineCount ? lineStarts[line + 1] : text.length;
    const raw = text.slice(start, next);
    const targets = byLine.get(line);
    if (!targets) {
      out.push(raw);
      continue;
    }
    const eol = /\r?\n$|\r$/.exec(raw)?.[0] ?? '';
    let body = raw.slice(0, raw.length - eol.length);
    const extra: string[] = [];
    // Right to left, so earlier offsets stay valid.
    for (const t of [...targets].sort((a, b) => b.frame.symbolEnd - a.frame.symbolEnd)) {
      entries++;
      const info = await infoOf(t);
      if (info?.note) notes.add(info.note);
      const outer = info?.frames.at(-1);
      if (!info || !outer?.file) continue;
      resolved++;
      const cut = t.frame.symbolEnd - start;
      if (cut < 0 || cut > body.length) continue;
      body = `${body.slice(0, cut)} (${where(outer)})${body.slice(cut)}`;
      const indent = body.slice(0, Math.max(0, Math.min(t.frame.start, t.frame.symbolStart) - start));
      for (const inl of info.frames.slice(0, -1)) extra.push(`${indent}${inl.function} (${where(inl)}) (inlined)`);
    }
    out.push(body + eol);
    for (const e of extra) out.push(e + (eol || '\n'));
  }
  return { text: out.join(''), entries, resolved, notes: [...notes] };
}

function where(f: SourceFrame): string {
  return `${f.file ?? '??'}:${f.line ?? '?'}`;
}
