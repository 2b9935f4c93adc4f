// The analyzer: turns a parsed log into findings (unreliable entries, `? ` copies of a register
// block's IP, repeated entries, return addresses at a function's very end, corrupted reports,
// reports that repeat an earlier one: the one finding that reads other reports). What
// each code is (severity, message, fixes, docs) is its rule's (rules/); the detection is here, one
// pass over the model for every code.
import { atFunctionEnd, isRawStackWords, type StackEntry, type ParsedLog, type Report, type Span, type Stack } from '../parser/model.ts';
import { NO_STACK, NO_USABLE_FRAME, STACK_WITHOUT_FRAMES } from '../parser/title.ts';
import type { Finding, FindingCode, FindingData, RelatedLocation, Severity } from './findings.ts';
import { corruptedReport, duplicateFrame, duplicateRegsIp, functionEndReturn, repeatedReport, unreliableFrame, type EntryRule } from './rules/index.ts';
import { findRepeats, signatureIds, type Repeats } from './signature.ts';

/** Same entry: equal addresses when both print one, else equal `func+off/size` (and module). */
function sameEntry(a: StackEntry, b: StackEntry): boolean {
  if (a.address !== null && b.address !== null) return a.address === b.address;
  if (a.function === null || b.function === null) return false;
  return a.function === b.function && a.offset === b.offset && a.size === b.size && a.module === b.module;
}

// Shared by every finding without related locations (most of them): one array, not one per finding.
const NO_RELATED: RelatedLocation[] = [];

/**
 * A finding about one stack entry. Its rule (rules/) gives the code, severity, range and message;
 * the object holds the rule and the model objects only.
 */
class EntryFinding implements Finding {
  constructor(
    readonly rule: EntryRule<FindingCode>,
    /** The entry the finding is about. */
    readonly entry: StackEntry,
    /** The register block's IP (duplicate-regs-ip) or the twin entry (duplicate-frame). */
    readonly other: StackEntry | null,
    public report: number,
    readonly stack: number,
    readonly frame: number,
    /** Whether a "remove" fix may delete the entry's whole line. */
    readonly removable: boolean,
  ) {}

  get code(): FindingCode {
    return this.rule.code;
  }

  get line(): number {
    return this.entry.line;
  }

  get start(): number {
    return this.rule.range === 'symbol' ? this.entry.symbolStart : this.entry.start;
  }

  get end(): number {
    return this.rule.range === 'symbol' ? this.entry.symbolEnd : this.entry.end;
  }

  get severity(): Severity {
    return this.rule.defaultSeverity;
  }

  get unnecessary(): boolean {
    return this.rule.unnecessary;
  }

  get data(): FindingData {
    const { report, stack, frame } = this;
    return this.removable ? { report, stack, frame, removableLine: this.entry.line } : { report, stack, frame };
  }

  get message(): string {
    return this.rule.message(this.entry, this.other);
  }

  get related(): RelatedLocation[] {
    const o = this.other;
    if (o === null) return NO_RELATED;
    return [{ line: o.line, start: o.symbolStart, end: o.symbolEnd, message: this.rule.relatedMessage ?? '' }];
  }
}

/** A report that looks truncated or interleaved. */
class CorruptedReportFinding implements Finding {
  constructor(
    readonly subject: Report,
    public report: number,
  ) {}

  get code(): FindingCode {
    return corruptedReport.code;
  }

  get related(): RelatedLocation[] {
    return NO_RELATED;
  }

  get unnecessary(): boolean {
    return corruptedReport.unnecessary;
  }

  // The report's first line (a `cut here` line before the header, when there is one), where its
  // span starts: line and offsets must agree for every output.
  get line(): number {
    return this.subject.line;
  }

  get start(): number {
    return this.subject.start;
  }

  get end(): number {
    const r = this.subject;
    return r.end > r.start ? Math.min(r.end, r.start + 200) : r.start;
  }

  get severity(): Severity {
    return corruptedReport.defaultSeverity;
  }

  get data(): FindingData {
    return { report: this.report };
  }

  get message(): string {
    return corruptedReport.message(this.subject);
  }
}

/** Where a report is, as a repeated-report finding reads it: a report, or its place in a version that moved it. */
export interface ReportPlace extends Span {
  readonly headerLine: number;
}

/**
 * A report whose signature (signature.ts) an earlier report of the file has: on its title line, the
 * first occurrence as related location, the count in the message. It reads two reports, so the
 * language server makes it per document version (analysis.ts), from the places of that version's
 * reports (no moved copy is made), and the reports' own findings (made one report at a time) never hold it.
 */
export class RepeatedReportFinding implements Finding {
  constructor(
    /** The report (its title; the positions are `at`'s). */
    readonly subject: Report,
    readonly at: ReportPlace,
    /** Where the first report with the same signature is, and its index. */
    readonly first: ReportPlace,
    readonly firstIndex: number,
    /** Occurrences in the file. */
    readonly count: number,
    public report: number,
    private readonly lineStarts: ArrayLike<number>,
  ) {}

  get code(): FindingCode {
    return repeatedReport.code;
  }

  get unnecessary(): boolean {
    return repeatedReport.unnecessary;
  }

  get severity(): Severity {
    return repeatedReport.defaultSeverity;
  }

  get line(): number {
    return this.at.headerLine;
  }

  get start(): number {
    return titleLineSpan(this.lineStarts, this.at).start;
  }

  get end(): number {
    return titleLineSpan(this.lineStarts, this.at).end;
  }

  get data(): FindingData {
    return { report: this.report };
  }

  get message(): string {
    return repeatedReport.message(this.subject, { number: this.firstIndex + 1, line: this.first.headerLine + 1, count: this.count });
  }

  get related(): RelatedLocation[] {
    return [{ line: this.first.headerLine, ...titleLineSpan(this.lineStarts, this.first), message: repeatedReport.relatedMessage ?? '' }];
  }
}

/** A report's title (header) line, without its line break, kept inside the report. */
function titleLineSpan(lineStarts: ArrayLike<number>, r: ReportPlace): Span {
  const line = r.headerLine;
  const start = line < lineStarts.length ? Math.max(r.start, lineStarts[line]) : r.start;
  let end = line + 1 < lineStarts.length ? lineStarts[line + 1] - 1 : r.end;
  end = Math.max(start, Math.min(end, r.end));
  return { start, end };
}

/**
 * The repeated-report finding of report k, or null when it repeats none: `reportAt` gives a report
 * (for its title), `placeOf` where a report is in the version read (the report itself in a parse).
 */
export function repeatFinding(
  repeats: Repeats,
  k: number,
  reportAt: (k: number) => Report,
  placeOf: (k: number) => ReportPlace,
  lineStarts: ArrayLike<number>,
): RepeatedReportFinding | null {
  const first = repeats.firstOf[k];
  return first < 0 ? null : new RepeatedReportFinding(reportAt(k), placeOf(k), placeOf(first), first, repeats.countOf[k], k, lineStarts);
}

export function analyze(log: ParsedLog): Finding[] {
  const out: Finding[] = [];
  const reports = log.reports;
  const reportAt = (k: number) => reports[k];
  const repeats = reports.length > 1 ? findRepeats(signatureIds(reports.length, reportAt)) : null;
  for (let ri = 0; ri < reports.length; ri++) {
    analyzeReport(reports[ri], ri, out, repeats && repeatFinding(repeats, ri, reportAt, reportAt, log.lineStarts));
  }
  return out;
}

function analyzeReport(report: Report, ri: number, out: Finding[], repeat: Finding | null = null): void {
  if (report.corrupted && corruptionShows(report)) out.push(new CorruptedReportFinding(report, ri));
  if (repeat) out.push(repeat);
  // Kernel RIP blocks in file order, so each `? ` entry can be compared with the latest one before
  // it. Only x86-64 RIP: that is where the unwinder prints pt_regs found on the stack and then
  // finds regs->ip again by scanning (the seed thread); other architectures' traces differ.
  const blocks = report.regs.filter((b) => b.ip !== null && !b.user && b.kind !== 'summary' && b.ipRegister === 'RIP');
  let blockIndex = -1; // the latest RIP block before the current entry; entries come in file order
  for (let si = 0; si < report.stacks.length; si++) {
    const stack = report.stacks[si];
    const frames = stack.frames;
    let twins: TwinIndex | null = null; // built when the first `? ` entry needs it
    for (let fi = 0; fi < frames.length; fi++) {
      const f = frames[fi];
      if (!f.reliable) {
        // A line that also holds the stack header or a context marker (`<EOI>  [<..>] ? foo`) is not
        // removed whole: the fix would take the structure with it.
        const removable = entryLineIsRemovable(stack, f.line);
        out.push(new EntryFinding(unreliableFrame, f, null, ri, si, fi, removable));
        while (blockIndex + 1 < blocks.length && blocks[blockIndex + 1].ipLine < f.line) blockIndex++;
        while (blockIndex >= 0 && blocks[blockIndex].ipLine >= f.line) blockIndex--;
        const ip = blockIndex >= 0 ? blocks[blockIndex].ip : null;
        if (ip && sameEntry(ip, f)) {
          out.push(new EntryFinding(duplicateRegsIp, f, ip, ri, si, fi, removable));
        } else {
          let twin: StackEntry | null;
          if (frames.length <= SCAN_LIMIT) twin = scanForTwin(frames, f, fi);
          else twin = (twins ??= new TwinIndex(frames)).find(f, fi);
          if (twin) out.push(new EntryFinding(duplicateFrame, f, twin, ri, si, fi, removable));
        }
      }
      if (atFunctionEnd(f)) {
        out.push(new EntryFinding(functionEndReturn, f, null, ri, si, fi, false));
      }
    }
  }
}

/**
 * syzkaller calls a report corrupted when its recipe finds no stack start, or no frame to blame,
 * where it expects one; that verdict stays in the model (titles, JSON). The editor warns only where
 * the report's own stacks agree that something is missing: a lockdep report printed by an old arm
 * kernel has its frames without a `Call Trace:` line, a stall whose frames are all generic helpers
 * has nothing lost. Verdicts about the text itself (cut off, merged lines, only the start left) always show.
 */
function corruptionShows(r: Report): boolean {
  switch (r.corruptedReason) {
    case NO_STACK:
    case NO_USABLE_FRAME:
      return !r.stacks.some((s) => s.frames.length > 0);
    case STACK_WITHOUT_FRAMES:
      return r.stacks.some((s) => s.frames.length === 0 && !isRawStackWords(s)) || !r.stacks.some((s) => s.frames.length > 0);
    default:
      return true;
  }
}

/**
 * Whether deleting the whole line of a stack entry loses nothing but the entry: not when the line
 * also holds a context marker (4.x ` <EOI>  [<..>] ? foo`) or the stack header (`Call Trace: [<..>]`).
 * A stack printed without a header starts at its first entry's line, which holds nothing else.
 * The one rule for the findings' `removableLine` and the service's remove fixes.
 */
export function entryLineIsRemovable(stack: Stack | undefined, line: number): boolean {
  if (!stack) return false;
  if (stack.header.end > stack.header.start && stack.line === line) return false;
  for (const m of stack.markers) if (m.line === line) return false;
  return true;
}

/** Stacks up to this many entries are searched for twins directly: cheaper than indexing them. */
const SCAN_LIMIT = 48;

/** An earlier entry equal to `f`, or a later reliable one (the `? ` copy printed before its original). */
function scanForTwin(frames: StackEntry[], f: StackEntry, fi: number): StackEntry | null {
  for (let gi = 0; gi < fi; gi++) if (sameEntry(frames[gi], f)) return frames[gi];
  for (let gi = fi + 1; gi < frames.length; gi++) if (frames[gi].reliable && sameEntry(frames[gi], f)) return frames[gi];
  return null;
}

/**
 * The entries of a long stack by address and by function name, so that each `? ` entry finds its twin
 * without a scan. Most keys occur once: a slot holds an index, or an array once repeated.
 */
class TwinIndex {
  private readonly byAddress = new Map<string, Slot>();
  /**
   * Entries by function name (interned strings, each hashed once: no key is built), for entries
   * printed without an address (a log that mixes both forms). A name with many entries is split
   * further by offset, so that a stack of one function at a thousand offsets stays linear.
   */
  private byName: Map<string, Slot | Map<number, Slot>> | null = null;
  private addressless: boolean | null = null;

  constructor(private readonly frames: StackEntry[]) {
    for (let i = 0; i < frames.length; i++) {
      const a = frames[i].address;
      if (a !== null) add(this.byAddress, a, i);
    }
  }

  /** Same answer as scanForTwin. */
  find(f: StackEntry, fi: number): StackEntry | null {
    const best = { earlier: -1, later: -1 };
    if (f.address !== null) this.scan(this.byAddress.get(f.address), f, fi, best);
    if (f.function !== null && (f.address === null || this.hasAddressless())) {
      const slot = this.names().get(f.function);
      this.scan(slot instanceof Map ? slot.get(f.offset ?? -1) : slot, f, fi, best);
    }
    const at = best.earlier >= 0 ? best.earlier : best.later;
    return at >= 0 ? this.frames[at] : null;
  }

  /** Whether any entry lacks an address (only then can an entry with one have a twin found by name). */
  private hasAddressless(): boolean {
    return (this.addressless ??= this.frames.some((g) => g.address === null));
  }

  private names(): Map<string, Slot | Map<number, Slot>> {
    if (this.byName === null) {
      const byName = new Map<string, Slot | Map<number, Slot>>();
      for (let i = 0; i < this.frames.length; i++) {
        const name = this.frames[i].function;
        if (name === null) continue;
        const slot = byName.get(name);
        if (slot instanceof Map) add(slot, this.frames[i].offset ?? -1, i);
        else if (Array.isArray(slot) && slot.length >= SPLIT_AT) {
          const byOffset = new Map<number, Slot>();
          for (const j of slot) add(byOffset, this.frames[j].offset ?? -1, j);
          add(byOffset, this.frames[i].offset ?? -1, i);
          byName.set(name, byOffset);
        } else add(byName as Map<string, Slot>, name, i);
      }
      this.byName = byName;
    }
    return this.byName;
  }

  /** Lowers `best` to the earliest equal entry before `fi` and the earliest reliable one after it. */
  private scan(slot: Slot | undefined, f: StackEntry, fi: number, best: { earlier: number; later: number }): void {
    if (slot === undefined) return;
    const list = typeof slot === 'number' ? [slot] : slot;
    // Lists are in stack order: the first match before `fi`, or else the first reliable one after it, is the answer.
    for (const gi of list) {
      if (gi === fi) continue;
      const g = this.frames[gi];
      if (!sameEntry(g, f)) continue;
      if (gi < fi) {
        if (best.earlier < 0 || gi < best.earlier) best.earlier = gi;
        return;
      }
      if (g.reliable) {
        if (best.later < 0 || gi < best.later) best.later = gi;
        return;
      }
    }
  }
}

/** Entry indices under one key: one index, or the list of them in stack order. */
type Slot = number | number[];

/** Entries of one name before they are split by offset. */
const SPLIT_AT = 16;

function add<K>(map: Map<K, Slot>, key: K, index: number): void {
  const slot = map.get(key);
  if (slot === undefined) map.set(key, index);
  else if (typeof slot === 'number') map.set(key, [slot, index]);
  else slot.push(index);
}
