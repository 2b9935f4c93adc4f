// Report titles in syzkaller's style (the common names of kernel crashes), the `corrupted`
// verdict and the guilty frame.
import type { ReportKind } from './model.ts';

/** Read access to the log's lines, prefixes already split off. */
export interface LogView {
  lineCount: number;
  /** Kernel text of line i (prefix removed, no line ending). */
  message(i: number): string;
  /** printk caller id of line i (`T123`, `C1`), or null. */
  caller(i: number): string | null;
  /** Whether line i carries a kernel time stamp. */
  hasTime(i: number): boolean;
}

export interface ReportSpan {
  kind: ReportKind;
  /** First line of the report (may be a `cut here` line before the header). */
  line: number;
  headerLine: number;
  /** Last line of the report (inclusive). */
  endLine: number;
  caller: string | null;
  /** Header line of the next report, or lineCount. */
  nextHeaderLine: number;
}

export interface ReportDescription {
  title: string;
  corrupted: boolean;
  corruptedReason: string | null;
  guiltyFrame: string | null;
  /** Set to false when the header turns out to be no crash report (syzkaller would not report it). */
  crash?: boolean;
}

/** Describes one report. Never throws. */
export function describeReport(view: LogView, span: ReportSpan): ReportDescription {
  const header = view.message(span.headerLine).trim();
  return { title: header.slice(0, 120), corrupted: false, corruptedReason: null, guiltyFrame: null };
}
