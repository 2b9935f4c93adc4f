// The one table of finding codes. A new diagnostic is a module in this folder, one entry here and
// its detection in ../analyze.ts; package.json's `kernelLog.diagnostics.severity` schema and the
// README's findings table are checked against this table (`UPDATE=1 node --import tsx --test
// test/unit/rules.test.ts` rewrites them), the rest reads it.
import { corruptedReport } from './corruptedReport.ts';
import { duplicateFrame } from './duplicateFrame.ts';
import { duplicateRegsIp } from './duplicateRegsIp.ts';
import { functionEndReturn } from './functionEndReturn.ts';
import { repeatedReport } from './repeatedReport.ts';
import type { Fixes, Rule, Severity } from './rule.ts';
import { unreliableFrame } from './unreliableFrame.ts';

export { SEVERITIES, type EntryRule, type Fixes, type RepeatOf, type ReportRule, type Rule, type Severity } from './rule.ts';
export { corruptedReport, duplicateFrame, duplicateRegsIp, functionEndReturn, repeatedReport, unreliableFrame };

/** Every rule, in display order (status bar, settings, README, SARIF). */
export const RULES = [unreliableFrame, duplicateRegsIp, duplicateFrame, functionEndReturn, corruptedReport, repeatedReport] as const;

/**
 * Which finding is published when several are about the same stack entry (one diagnostic per entry
 * line): the first of this list, most telling first; the others are named in its related
 * information. The findings themselves (CLI, SARIF, hover counts, quick fixes) are all kept.
 */
export const MOST_TELLING_FIRST = [duplicateRegsIp, duplicateFrame, functionEndReturn, unreliableFrame] as const;

/** Codes whose rule keeps them off `? ` entries unless a setting turns them on (`quietOnUnreliable`). */
export const QUIET_ON_UNRELIABLE = RULES.filter((r) => r.subject === 'entry' && r.quietOnUnreliable === true).map((r) => r.code);

/** Stable diagnostic codes: code actions, settings and tests match on these, never on messages. */
export type FindingCode = (typeof RULES)[number]['code'];

export const FINDING_CODES: readonly FindingCode[] = RULES.map((r) => r.code);

/** The rule of each code. */
export const RULE_BY_CODE = Object.fromEntries(RULES.map((r) => [r.code, r])) as { readonly [C in FindingCode]: Extract<(typeof RULES)[number], { code: C }> };

/** The rule of a code, or undefined for a code that is none of ours (a diagnostic from elsewhere). */
export function ruleOf(code: unknown): Rule<FindingCode> | undefined {
  return typeof code === 'string' && Object.hasOwn(RULE_BY_CODE, code) ? RULE_BY_CODE[code as FindingCode] : undefined;
}

export const DEFAULT_SEVERITY = Object.fromEntries(RULES.map((r) => [r.code, r.defaultSeverity])) as Readonly<Record<FindingCode, Severity>>;

/** The codes whose findings get the given fixes, in table order. */
export function codesWithFixes(fixes: Fixes): readonly FindingCode[] {
  return FINDING_CODES.filter((code) => RULE_BY_CODE[code].fixes === fixes);
}
