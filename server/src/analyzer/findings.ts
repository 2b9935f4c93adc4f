// What the analyzer reports about a parsed log. Plain data with offsets; the server maps it to LSP
// diagnostics and the CLI to text, JSON or SARIF.
import type { Span } from '../parser/model.ts';

// The codes, their severities and messages are the rule table's (rules/index.ts).
export { FINDING_CODES, type FindingCode, type Severity } from './rules/index.ts';
import type { FindingCode, Severity } from './rules/index.ts';

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

/**
 * A finding. Everything but `report` is derived from the model objects it is about when read, so it
 * moves with its report (see service/analysis.ts) and costs little: a log holds hundreds of
 * thousands of findings and few are ever displayed.
 */
export interface Finding extends Readonly<Span> {
  readonly line: number;
  readonly code: FindingCode;
  readonly severity: Severity;
  readonly message: string;
  /** A fresh object on each read. */
  readonly data: FindingData;
  readonly related: RelatedLocation[];
  /** Shown faded (DiagnosticTag.Unnecessary): noise that is kept for completeness (the rule's). */
  readonly unnecessary: boolean;
  /** Index of the finding's report in ParsedLog.reports; set anew when reports move. */
  report: number;
}
