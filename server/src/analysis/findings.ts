// What the analyzer reports about a parsed log. Plain data with offsets; the server maps it to LSP
// diagnostics and the CLI to text, JSON or SARIF.
import type { Span } from '../parser/model.ts';

/** Stable diagnostic codes: code actions, settings and tests match on these, never on messages. */
export type FindingCode =
  | 'unreliable-frame'
  | 'duplicate-regs-ip'
  | 'duplicate-frame'
  | 'function-end-return'
  | 'corrupted-report';

export const FINDING_CODES: readonly FindingCode[] = [
  'unreliable-frame',
  'duplicate-regs-ip',
  'duplicate-frame',
  'function-end-return',
  'corrupted-report',
];

export type Severity = 'error' | 'warning' | 'information' | 'hint';

export interface RelatedLocation extends Span {
  line: number;
  message: string;
}

/** The payload a diagnostic carries so that code actions need nothing else. */
export interface FindingData {
  /** Index of the report in ParsedLog.reports. */
  report: number;
  /** Index of the stack in the report, when the finding is about a stack entry. */
  stack?: number;
  /** Index of the frame in that stack. */
  frame?: number;
  /** 0-based line that a "remove" fix deletes (the entry's whole line), when removable. */
  removableLine?: number;
}

export interface Finding extends Span {
  line: number;
  code: FindingCode;
  severity: Severity;
  message: string;
  data: FindingData;
  related: RelatedLocation[];
  /** Shown faded (DiagnosticTag.Unnecessary): noise that is kept for completeness. */
  unnecessary: boolean;
}
