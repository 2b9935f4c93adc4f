// The analyzer: turns a parsed log into findings (unreliable entries, `? ` copies of a register
// block's IP, repeated entries, return addresses at a function's very end, corrupted reports).
import type { Frame, ParsedLog, Report } from '../parser/model.ts';
import type { Finding, FindingCode, RelatedLocation, Severity } from './findings.ts';

export const DEFAULT_SEVERITY: Record<FindingCode, Severity> = {
  'unreliable-frame': 'hint',
  'duplicate-regs-ip': 'warning',
  // Stale return addresses repeat naturally in a stack scan; worth a look, not a warning.
  'duplicate-frame': 'information',
  'function-end-return': 'information',
  'corrupted-report': 'warning',
};

function symbolText(f: Frame): string {
  return f.function === null ? `0x${f.address ?? '?'}` : `${f.function}+0x${(f.offset ?? 0).toString(16)}/0x${(f.size ?? 0).toString(16)}`;
}

/** Same entry: equal addresses when both print one, else equal `func+off/size` (and module). */
function sameEntry(a: Frame, b: Frame): boolean {
  if (a.address !== null && b.address !== null) return a.address === b.address;
  if (a.function === null || b.function === null) return false;
  return a.function === b.function && a.offset === b.offset && a.size === b.size && a.module === b.module;
}

// Shared by every finding without related locations (most of them): one array, not one per finding.
const NO_RELATED: RelatedLocation[] = [];
// The most frequent messages are constants, so thousands of findings share one string.
const UNRELIABLE_MESSAGE =
  'Unreliable entry: found by scanning the stack, not confirmed by the unwinder; often a stale return address left by an earlier call.';

export function analyze(log: ParsedLog): Finding[] {
  const out: Finding[] = [];
  log.reports.forEach((report, ri) => analyzeReport(report, ri, out));
  return out;
}

function analyzeReport(report: Report, ri: number, out: Finding[]): void {
  if (report.corrupted) {
    out.push({
      code: 'corrupted-report',
      severity: DEFAULT_SEVERITY['corrupted-report'],
      line: report.headerLine,
      start: report.start,
      end: report.end > report.start ? Math.min(report.end, report.start + 200) : report.start,
      message: `Report "${report.title}" looks truncated or interleaved (${report.corruptedReason ?? 'unknown reason'}); its title and guilty frame may be wrong.`,
      data: { report: ri },
      related: NO_RELATED,
      unnecessary: false,
    });
  }
  // Kernel RIP blocks in file order, so each `? ` entry can be compared with the latest one before
  // it. Only x86-64 RIP: that is where the unwinder prints pt_regs found on the stack and then
  // finds regs->ip again by scanning (the seed thread); other architectures' traces differ.
  const blocks = report.regs.filter((b) => b.ip !== null && !b.user && b.kind !== 'summary' && b.ipRegister === 'RIP');
  let blockIndex = -1; // the latest RIP block before the current entry; entries come in file order
  report.stacks.forEach((stack, si) => {
    // Entries of this stack by identity, so each `? ` entry finds its twin without a scan.
    const byKey = new Map<string, number[]>();
    stack.frames.forEach((g, gi) => {
      const key = entryKey(g);
      if (key === null) return;
      const list = byKey.get(key);
      if (list) list.push(gi);
      else byKey.set(key, [gi]);
    });
    const markerLines = new Set(stack.markers.map((m) => m.line));
    stack.frames.forEach((f, fi) => {
      // A line that also holds the stack header or a context marker (`<EOI>  [<..>] ? foo`) is not
      // removed whole: the fix would take the structure with it.
      const shared = f.line === stack.line || markerLines.has(f.line);
      const data = shared ? { report: ri, stack: si, frame: fi } : { report: ri, stack: si, frame: fi, removableLine: f.line };
      if (!f.reliable) {
        out.push({
          code: 'unreliable-frame',
          severity: DEFAULT_SEVERITY['unreliable-frame'],
          line: f.line,
          start: f.start,
          end: f.end,
          message: UNRELIABLE_MESSAGE,
          data,
          related: NO_RELATED,
          unnecessary: true,
        });
        while (blockIndex + 1 < blocks.length && blocks[blockIndex + 1].ipLine < f.line) blockIndex++;
        while (blockIndex >= 0 && blocks[blockIndex].ipLine >= f.line) blockIndex--;
        const regs = blockIndex >= 0 ? blocks[blockIndex] : null;
        if (regs && regs.ip && sameEntry(regs.ip, f)) {
          out.push({
            code: 'duplicate-regs-ip',
            severity: DEFAULT_SEVERITY['duplicate-regs-ip'],
            line: f.line,
            start: f.start,
            end: f.end,
            message:
              `Unreliable entry ${symbolText(f)} repeats the instruction pointer ${symbolText(regs.ip)} of the register block above: the saved regs->ip was found again by the stack scan.` +
              (symbolText(f) !== symbolText(regs.ip)
                ? ` The names differ because RIP prints the exact address (%pS) while trace entries are printed as return addresses (%pB looks up address-1, which falls in the previous function).`
                : ''),
            data,
            related: [{ line: regs.ip.line, start: regs.ip.symbolStart, end: regs.ip.symbolEnd, message: 'instruction pointer of the register block' }],
            unnecessary: true,
          });
        } else {
          const twin = findTwin(stack.frames, byKey, f, fi);
          if (twin) {
            out.push({
              code: 'duplicate-frame',
              severity: DEFAULT_SEVERITY['duplicate-frame'],
              line: f.line,
              start: f.start,
              end: f.end,
              message: `Unreliable entry ${symbolText(f)} repeats another entry of this stack.`,
              data,
              related: [{ line: twin.line, start: twin.symbolStart, end: twin.symbolEnd, message: 'the same entry' }],
              unnecessary: true,
            });
          }
        }
      }
      if (f.function !== null && f.offset !== null && f.size !== null && f.size > 0 && f.offset === f.size) {
        out.push({
          code: 'function-end-return',
          severity: DEFAULT_SEVERITY['function-end-return'],
          line: f.line,
          start: f.symbolStart,
          end: f.symbolEnd,
          message: f.reliable
            ? `Return address at the very end of ${f.function} (offset = size): the call was ${f.function}'s last instruction, a call to a noreturn function; the next function in memory starts here.`
            : `Most likely the start of the function right after ${f.function} (a function pointer or a saved instruction pointer left on the stack): the trace looks up address - 1, which falls at the end of ${f.function}.`,
          data: { report: ri, stack: si, frame: fi },
          related: NO_RELATED,
          unnecessary: false,
        });
      }
    });
  });
}

/** Identity of an entry for duplicate detection: its address when printed, else func+off/size [mod]. */
function entryKey(f: Frame): string | null {
  if (f.address !== null) return `@${f.address}`;
  if (f.function === null) return null;
  return `${f.function}+${f.offset}/${f.size} ${f.module ?? ''}`;
}

/** An earlier entry equal to `f`, or a later reliable one (the `? ` copy printed before its original). */
function findTwin(frames: Frame[], byKey: Map<string, number[]>, f: Frame, fi: number): Frame | null {
  const candidates = [entryKey(f), f.address !== null && f.function !== null ? `${f.function}+${f.offset}/${f.size} ${f.module ?? ''}` : null];
  let later: Frame | null = null;
  for (const key of candidates) {
    if (key === null) continue;
    for (const gi of byKey.get(key) ?? []) {
      if (gi === fi) continue;
      const g = frames[gi];
      if (!sameEntry(g, f)) continue;
      if (gi < fi) return g;
      if (g.reliable && later === null) later = g;
    }
  }
  return later;
}
