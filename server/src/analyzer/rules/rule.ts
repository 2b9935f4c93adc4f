// What a rule (one finding code) declares. Each code is one module in this folder, registered in the
// table of ./index.ts; everything else that knows about codes (severity defaults and settings,
// diagnostics, quick fixes, hover, SARIF, the client's status bar, package.json and the README) reads
// that table or is checked against it (test/unit/rules.test.ts). The detection itself stays in
// ../analyze.ts: one pass over the model for every code.
import type { StackEntry, Report } from '../../parser/model.ts';

/** Diagnostic severities, least severe first (the order of the setting's values). */
export const SEVERITIES = ['hint', 'information', 'warning', 'error'] as const;
export type Severity = (typeof SEVERITIES)[number];

/**
 * Which quick fixes a finding of the code gets (service/codeActions.ts), and how features group it:
 * - `duplicate`: "Hide duplicate entry" and "Remove duplicate entry" on the finding itself; its lines
 *   go with the report's "Hide duplicate and unreliable (?) entries" and "Remove all duplicate entries
 *   in this report", the file's fix-all (`source.fixAll.kernel-log`) and the removeAllDuplicates
 *   command; counted as duplicates in noise runs and hovers.
 * - `unreliable`: the report's "Hide duplicate and unreliable (?) entries" and "Remove unreliable (?)
 *   entries in this report"; counted as unreliable in hovers.
 * - `none`: no fix.
 */
export type Fixes = 'duplicate' | 'unreliable' | 'none';

interface RuleBase<C extends string> {
  /** The stable code: settings, code actions and tests match on it, never on messages. */
  readonly code: C;
  /** Severity unless `kernelLog.diagnostics.severity` says otherwise (the CLI always uses it). */
  readonly defaultSeverity: Severity;
  /** Shown faded (DiagnosticTag.Unnecessary): noise that is kept for completeness. */
  readonly unnecessary: boolean;
  readonly fixes: Fixes;
  /** SARIF `reportingDescriptor.shortDescription.text`: one sentence. */
  readonly summary: string;
  /** Markdown for people: the README's findings table and the setting's description. */
  readonly docs: string;
  /**
   * The anchor of the code's section in docs/findings.md (generated from this table): diagnostics
   * link to `<docs base>#<anchor>` (codeDescription) when the client gives a docs base.
   */
  readonly anchor: string;
  /** The message of the related location, for rules whose findings have one. */
  readonly relatedMessage?: string;
}

/** A rule whose findings are about one stack entry (EntryFinding in ../analyze.ts). */
export interface EntryRule<C extends string = string> extends RuleBase<C> {
  readonly subject: 'entry';
  /** The finding's range: the whole entry, or its `func+off/size` only. */
  readonly range: 'entry' | 'symbol';
  /**
   * The message of a finding about `entry`; `other` is the register block's IP or the twin entry,
   * for rules whose findings have one.
   */
  message(entry: StackEntry, other: StackEntry | null): string;
  /**
   * Not published as a diagnostic on a `? ` entry unless `kernelLog.diagnostics.onUnreliableEntries`
   * turns it on for the code (the finding stays in the CLI's outputs, hovers and counts): on a stack
   * scan's guess it teaches nothing.
   */
  readonly quietOnUnreliable?: boolean;
  /**
   * Its message already calls the entry unreliable: published as a line's diagnostic, the line's
   * unreliable-entry finding is not repeated in its related information (Problems would list it twice).
   */
  readonly saysUnreliable?: boolean;
}

/** The earlier report a repeated one repeats (repeated-report), as its message names it. */
export interface RepeatOf {
  /** 1-based number of the first occurrence among the file's reports. */
  readonly number: number;
  /** 1-based line of the first occurrence's title. */
  readonly line: number;
  /** Occurrences in the file, the first and this one included. */
  readonly count: number;
}

/** A rule whose findings are about a whole report (CorruptedReportFinding, RepeatedReportFinding in ../analyze.ts). */
export interface ReportRule<C extends string = string> extends RuleBase<C> {
  readonly subject: 'report';
  /** The message of a finding about `report`; `repeat` for rules about a repeat of an earlier one. */
  message(report: Report, repeat?: RepeatOf): string;
}

export type Rule<C extends string = string> = EntryRule<C> | ReportRule<C>;

/** Declares a rule, keeping its code as a literal type (so that ./index.ts derives FindingCode). */
export function entryRule<const C extends string>(rule: Omit<EntryRule<C>, 'subject' | 'anchor'>): EntryRule<C> {
  return { subject: 'entry', anchor: rule.code, ...rule };
}

export function reportRule<const C extends string>(rule: Omit<ReportRule<C>, 'subject' | 'anchor'>): ReportRule<C> {
  return { subject: 'report', anchor: rule.code, ...rule };
}
