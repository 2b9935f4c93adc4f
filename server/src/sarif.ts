// SARIF 2.1.0 output for code-scanning tools.
import type { Finding, Severity } from './analysis/findings.ts';
import { FINDING_CODES } from './analysis/findings.ts';
import { locate } from './analysis/location.ts';
import type { ParsedLog } from './parser/model.ts';

const LEVEL: Record<Severity, string> = { error: 'error', warning: 'warning', information: 'note', hint: 'note' };

const RULE_TEXT: Record<string, string> = {
  'unreliable-frame': 'A `? ` stack entry: found by scanning the stack, not confirmed by the unwinder.',
  'duplicate-regs-ip': 'A `? ` entry that repeats the instruction pointer of a register block printed before it.',
  'duplicate-frame': 'A `? ` entry that repeats another entry of the same stack.',
  'function-end-return': 'A return address at the very end of a function (offset equals size): a call to a noreturn function.',
  'corrupted-report': 'A truncated or interleaved report whose title may be wrong.',
};

interface FileResult {
  name: string;
  text: string;
  log: ParsedLog;
  findings: Finding[];
}

export function toSarif(files: FileResult[]) {
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'kcrash',
            informationUri: 'https://example.invalid/kernel-crash-log',
            rules: FINDING_CODES.map((id) => ({ id, shortDescription: { text: RULE_TEXT[id] } })),
          },
        },
        results: files.flatMap((f) =>
          f.findings.map((d) => {
            const at = locate(f.log.lineStarts, f.text.length, d);
            return {
              ruleId: d.code,
              level: LEVEL[d.severity],
              message: { text: d.message },
              locations: [
                {
                  physicalLocation: {
                    artifactLocation: { uri: f.name === '-' ? 'stdin' : f.name },
                    region: { startLine: at.line, startColumn: at.column, endLine: at.endLine, endColumn: at.endColumn },
                  },
                },
              ],
            };
          }),
        ),
      },
    ],
  };
}
