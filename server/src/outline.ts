// `kcrash parse FILE` without --json: the model as an indented outline, findings beside their lines.
import type { Finding } from './analyzer/findings.ts';
import { entryText } from './analyzer/frameText.ts';
import { isRawStackWords, type ParsedLog } from './parser/model.ts';

export function renderOutline(name: string, log: ParsedLog, findings: Finding[]): string {
  const byLine = new Map<number, string[]>();
  // Report k's repeated-report finding: the line of the report it repeats.
  const repeats = new Map<number, number>();
  for (const f of findings) {
    if (f.code === 'repeated-report') {
      repeats.set(f.report, f.related[0]?.line ?? -1);
      continue;
    }
    const list = byLine.get(f.line) ?? [];
    list.push(f.code);
    byLine.set(f.line, list);
  }
  const note = (line: number) => (byLine.has(line) ? `   <- ${byLine.get(line)!.join(', ')}` : '');
  const out: string[] = [`${name}: ${log.reports.length} report(s)`];
  for (const [k, r] of log.reports.entries()) {
    const facts = [
      r.kind,
      r.arch,
      r.cpu !== null ? `CPU ${r.cpu}` : null,
      r.pid !== null ? `PID ${r.pid}${r.comm ? ` ${r.comm}` : ''}` : null,
      r.taint ? `taint ${r.taint}` : null,
      r.release,
    ]
      .filter(Boolean)
      .join(', ');
    const repeated = repeats.get(k);
    out.push(
      `  ${r.line + 1}-${r.endLine + 1}  ${r.title}${r.crash ? '' : ' (no crash)'}${r.corrupted ? ` (corrupted${r.corruptedReason ? `: ${r.corruptedReason}` : ''})` : ''}${repeated !== undefined ? ` (repeats line ${repeated + 1})` : ''}  [${facts}]`,
    );
    // Rows in file order: a register block printed in the middle of a trace shows where it was.
    const rows: { line: number; order: number; text: string }[] = [];
    for (const b of r.regs)
      rows.push({
        line: b.ipLine,
        order: 1,
        text: `    ${b.ipLine + 1}  ${b.ipRegister || 'IP'} ${b.ip ? entryText(b.ip) : '-'}${b.ip?.address && b.ip.function !== null ? ` (${b.ip.address})` : ''}  ${b.kind}${b.user ? ' user' : ''} register block, ${b.registerCount} registers${note(b.ipLine)}`,
      });
    for (const s of r.stacks) {
      const what = isRawStackWords(s) ? `raw stack words, ${s.endLine - s.line + 1} lines` : `${s.frames.length} entries`;
      rows.push({ line: s.line, order: 0, text: `    ${s.line + 1}  ${s.kind || 'stack'}: ${what}` });
      for (const f of s.frames) rows.push({ line: f.line, order: 2, text: `      ${f.line + 1}  ${entryText(f)}${note(f.line)}` });
    }
    rows.sort((a, b) => a.line - b.line || a.order - b.order);
    for (const row of rows) out.push(row.text);
  }
  return out.join('\n') + '\n';
}
