// repeated-report: a report with the same signature (../signature.ts: title and reliable functions)
// as an earlier one in the same file. On its title line, pointing at the first occurrence.
import type { Report } from '../../parser/model.ts';
import { type RepeatOf, reportRule } from './rule.ts';

export const repeatedReport = reportRule({
  code: 'repeated-report',
  defaultSeverity: 'information',
  unnecessary: false,
  fixes: 'none',
  summary: 'A report that repeats an earlier one in the same file (same title and stack).',
  docs: 'a report with the same title and reliable stack functions as an earlier one in the file, pointing at the first; the Outline groups them',
  message: (r: Report, repeat?: RepeatOf) =>
    repeat
      ? `"${r.title}" repeats report ${repeat.number} (line ${repeat.line}); ${repeat.count} occurrences in this file.`
      : `"${r.title}" repeats an earlier report in this file.`,
  relatedMessage: 'First occurrence',
});
