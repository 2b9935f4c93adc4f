// SARIF 2.1.0 output for code-scanning tools, written as it goes: the document is the one
// JSON.stringify(document, null, 2) would give, but its results (hundreds of thousands for a big
// log) are written one at a time instead of held as one object tree and one string.
import type { Finding, Severity } from './analysis/findings.ts';
import { Locator, type TextLocation } from './analysis/location.ts';
import type { JsonStrings } from './modelJson.ts';
import type { Output } from './output.ts';
import type { ParsedLog } from './parser/model.ts';
import { RULES } from './analysis/rules/index.ts';

const LEVEL: Record<Severity, string> = { error: 'error', warning: 'warning', information: 'note', hint: 'note' };

export interface FileResult {
  name: string;
  text: string;
  log: ParsedLog;
  findings: Finding[];
}

const EMPTY_RESULTS = '"results": []';
/** The document with no results, cut where they go. */
const [HEAD, TAIL] = JSON.stringify(
  {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'kcrash',
            informationUri: 'https://example.invalid/kernel-crash-log',
            rules: RULES.map((r) => ({ id: r.code, shortDescription: { text: r.summary } })),
          },
        },
        results: [],
      },
    ],
  },
  null,
  2,
).split(EMPTY_RESULTS);
const RESULTS_END = '\n      ]';

/**
 * One result as JSON.stringify(result, null, 2) writes it where results sit in the document (the
 * indent of `runs[0].results[i]`): {ruleId, level, message: {text}, locations: [{physicalLocation:
 * {artifactLocation: {uri}, region: {startLine, startColumn, endLine, endColumn}}}]}. `uri` is JSON.
 */
function resultJson(d: Finding, at: TextLocation, uri: string, s: JsonStrings): string {
  return `
        {
          "ruleId": ${s.quote(d.code)},
          "level": ${s.quote(LEVEL[d.severity])},
          "message": {
            "text": ${s.quote(d.message)}
          },
          "locations": [
            {
              "physicalLocation": {
                "artifactLocation": {
                  "uri": ${uri}
                },
                "region": {
                  "startLine": ${at.line},
                  "startColumn": ${at.column},
                  "endLine": ${at.endLine},
                  "endColumn": ${at.endColumn}
                }
              }
            }
          ]
        }`;
}

/** One SARIF document over any number of files, results written as each file is added. */
export class SarifWriter {
  private results = 0;

  constructor(
    private readonly out: Output,
    private readonly strings: JsonStrings,
  ) {
    out.write(HEAD + EMPTY_RESULTS.slice(0, -1));
  }

  add(file: FileResult): void {
    const locator = new Locator(file.log.lineStarts, file.text.length);
    const uri = this.strings.quote(file.name === '-' ? 'stdin' : file.name);
    for (const d of file.findings) {
      this.out.write((this.results++ === 0 ? '' : ',') + resultJson(d, locator.locate(d), uri, this.strings));
    }
  }

  end(): void {
    this.out.write((this.results === 0 ? ']' : RESULTS_END) + TAIL + '\n');
  }
}
