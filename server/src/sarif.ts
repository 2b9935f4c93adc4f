// SARIF 2.1.0 output for code-scanning tools, written as it goes: the document is the one
// JSON.stringify(document, null, 2) would give, but its results (hundreds of thousands for a big
// log) are written one at a time instead of held as one object tree and one string. The document's
// shape is typed with @types/sarif: the parts around the results are built as typed objects, and each
// result's text is the JSON of the typed `sarifResult` (written by hand for speed; test/unit/sarif.test.ts
// checks that the two agree on every fixture).
import type { ArtifactLocation, Invocation, Location, Log, Notification, ReportingDescriptor, Result } from 'sarif';
import type { Finding, Severity } from './analyzer/findings.ts';
import { Locator, type TextLocation } from './analyzer/location.ts';
import { RULES } from './analyzer/rules/index.ts';
import type { JsonStrings } from './modelJson.ts';
import type { Output } from './output.ts';
import type { ParsedLog } from './parser/model.ts';

const LEVEL: Record<Severity, Result.level> = { error: 'error', warning: 'warning', information: 'note', hint: 'note' };

/** One reporting descriptor per rule of the rule table, in its order. */
const DRIVER_RULES: ReportingDescriptor[] = RULES.map((r) => ({ id: r.code, shortDescription: { text: r.summary } }));

export interface FileResult {
  name: string;
  text: string;
  log: ParsedLog;
  findings: Finding[];
}

/** `artifactLocation.uri` of a file as the command line named it (`-`: stdin). */
export function artifactUri(name: string): string {
  return name === '-' ? 'stdin' : name;
}

/** The document with no results; `invocations` only when something went wrong (a file not read). */
function sarifLog(invocations?: Invocation[]): Log {
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'kcrash',
            informationUri: 'https://example.invalid/kernel-crash-log',
            rules: DRIVER_RULES,
          },
        },
        results: [],
        ...(invocations ? { invocations } : {}),
      },
    ],
  };
}

const EMPTY_RESULTS = '"results": []';

/** The document's text cut where the results go: [before, after]. */
function cutAtResults(log: Log): [string, string] {
  const text = JSON.stringify(log, null, 2);
  const at = text.indexOf(EMPTY_RESULTS);
  return [text.slice(0, at), text.slice(at + EMPTY_RESULTS.length)];
}

const [HEAD, TAIL] = cutAtResults(sarifLog());
const RESULTS_END = '\n      ]';

/** A location in a file: `physicalLocation` with the region, and a message for related locations. */
function sarifLocation(uri: string, at: TextLocation, message?: string): Location {
  const artifactLocation: ArtifactLocation = { uri };
  const location: Location = {
    physicalLocation: {
      artifactLocation,
      region: { startLine: at.line, startColumn: at.column, endLine: at.endLine, endColumn: at.endColumn },
    },
  };
  if (message !== undefined) location.message = { text: message };
  return location;
}

/**
 * The result of one finding: rule, level, message, where it is, and its related locations (the
 * register block's IP, the twin entry) when it has any. `related` holds their locations, in order.
 */
export function sarifResult(d: Finding, at: TextLocation, uri: string, related: readonly TextLocation[] = []): Result {
  const result: Result = {
    ruleId: d.code,
    level: LEVEL[d.severity],
    message: { text: d.message },
    locations: [sarifLocation(uri, at)],
  };
  if (d.related.length > 0) result.relatedLocations = d.related.map((r, i) => sarifLocation(uri, related[i], r.message));
  return result;
}

/** `region` of a location as JSON.stringify writes it at `indent` (the region's own indent). */
function regionJson(at: TextLocation, indent: string): string {
  return `{
${indent}  "startLine": ${at.line},
${indent}  "startColumn": ${at.column},
${indent}  "endLine": ${at.endLine},
${indent}  "endColumn": ${at.endColumn}
${indent}}`;
}

/**
 * sarifResult as JSON.stringify(result, null, 2) writes it where results sit in the document (the
 * indent of `runs[0].results[i]`), text written by hand: a big log has hundreds of thousands. `uri`
 * is JSON already.
 */
function resultJson(d: Finding, at: TextLocation, uri: string, s: JsonStrings, related: Locator): string {
  let text = `
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
                "region": ${regionJson(at, '                ')}
              }
            }
          ]`;
  const others = d.related;
  if (others.length > 0) {
    text += `,
          "relatedLocations": [`;
    for (let i = 0; i < others.length; i++) {
      text += `${i === 0 ? '' : ','}
            {
              "physicalLocation": {
                "artifactLocation": {
                  "uri": ${uri}
                },
                "region": ${regionJson(related.locate(others[i]), '                ')}
              },
              "message": {
                "text": ${s.quote(others[i].message)}
              }
            }`;
    }
    text += `
          ]`;
  }
  return (
    text +
    `
        }`
  );
}

/** One SARIF document over any number of files, results written as each file is added. */
export class SarifWriter {
  private results = 0;
  private readonly notifications: Notification[] = [];

  constructor(
    private readonly out: Output,
    private readonly strings: JsonStrings,
  ) {
    out.write(HEAD + EMPTY_RESULTS.slice(0, -1));
  }

  add(file: FileResult): void {
    const locator = new Locator(file.log.lineStarts, file.text.length);
    // Related locations are looked for apart, so that the findings' own walk stays in file order.
    const related = new Locator(file.log.lineStarts, file.text.length);
    const uri = this.strings.quote(artifactUri(file.name));
    for (const d of file.findings) {
      this.out.write((this.results++ === 0 ? '' : ',') + resultJson(d, locator.locate(d), uri, this.strings, related));
    }
  }

  /**
   * A file that could not be read (missing, unreadable, binary, empty, a damaged gzip): a tool
   * execution notification of the run's invocation, which then did not succeed.
   */
  unreadable(name: string, why: string): void {
    this.notifications.push({
      level: 'error',
      message: { text: `${artifactUri(name)}: ${why}` },
      locations: [{ physicalLocation: { artifactLocation: { uri: artifactUri(name) } } }],
    });
  }

  end(): void {
    const tail =
      this.notifications.length === 0 ? TAIL : cutAtResults(sarifLog([{ executionSuccessful: false, toolExecutionNotifications: this.notifications }]))[1];
    this.out.write((this.results === 0 ? ']' : RESULTS_END) + tail + '\n');
  }
}
