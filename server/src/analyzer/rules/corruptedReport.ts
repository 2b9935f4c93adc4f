// corrupted-report: a report that looks truncated or interleaved, so its title may be wrong (shown
// only where the report's own stacks agree with syzkaller's verdict: ../analyze.ts corruptionShows).
import { reportRule } from './rule.ts';

export const corruptedReport = reportRule({
  code: 'corrupted-report',
  defaultSeverity: 'warning',
  unnecessary: false,
  fixes: 'none',
  summary: 'A truncated or interleaved report whose title may be wrong.',
  docs: 'a truncated or interleaved report, with the reason',
  message: (r) => `Report "${r.title}" looks truncated or interleaved (${r.corruptedReason ?? 'unknown reason'}); its title and guilty frame may be wrong.`,
});
