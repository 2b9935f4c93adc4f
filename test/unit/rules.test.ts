// The rule table (server/src/analyzer/rules/index.ts) is the one list of finding codes. The copies
// that cannot import it are checked against it here: package.json's `kernelLog.diagnostics.severity`
// and `kernelLog.diagnostics.onUnreliableEntries` schemas (codes, values, defaults, descriptions), the
// README's findings table and docs/findings.md (the per-code documentation the extension ships;
// diagnostics link to its anchors); the client takes its list from server/src/protocol/codes.ts and
// keeps none of its own.
//
//   UPDATE=1 node --import tsx --test test/unit/rules.test.ts    rewrites package.json, README.md, docs/findings.md
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { DiagnosticCodes } from '../../client/src/protocol.ts';
import { analyze } from '../../server/src/analyzer/analyze.ts';
import { FINDING_CODES, MOST_TELLING_FIRST, QUIET_ON_UNRELIABLE, RULE_BY_CODE, RULES, ruleOf, type Rule } from '../../server/src/analyzer/rules/index.ts';
import { FINDING_CODES as PROTOCOL_CODES } from '../../server/src/protocol/codes.ts';
import { parseCrashLog } from '../../server/src/parser/parse.ts';
import { SEVERITY_LEVELS } from '../../server/src/service/settings.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const PACKAGE_JSON = path.join(ROOT, 'package.json');
const README = path.join(ROOT, 'README.md');
const UPDATE = !!process.env.UPDATE;
const HOW_TO_UPDATE = 'UPDATE=1 node --import tsx --test test/unit/rules.test.ts';
const SEVERITY_KEY = 'kernelLog.diagnostics.severity';
const ON_UNRELIABLE_KEY = 'kernelLog.diagnostics.onUnreliableEntries';
const FINDINGS_DOC = path.join(ROOT, 'docs', 'findings.md');

/** `a, b or c` */
function orList(items: readonly string[]): string {
  return items.length < 2 ? items.join('') : `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`;
}

/** A rule's docs as a sentence, for the settings UI. */
function sentence(docs: string): string {
  return docs.charAt(0).toUpperCase() + docs.slice(1) + (docs.endsWith('.') ? '' : '.');
}

/** `kernelLog.diagnostics.severity` as package.json declares it, from the rule table. */
function severitySchema() {
  return {
    type: 'object',
    scope: 'resource',
    default: {},
    description: `Severity per diagnostic code: ${orList(SEVERITY_LEVELS)}.`,
    properties: Object.fromEntries(
      RULES.map((r) => [r.code, { type: 'string', enum: [...SEVERITY_LEVELS], default: r.defaultSeverity, markdownDescription: sentence(r.docs) }]),
    ),
  };
}

/** `kernelLog.diagnostics.onUnreliableEntries` as package.json declares it: the rules quiet on `? ` entries. */
function onUnreliableSchema() {
  return {
    type: 'object',
    scope: 'resource',
    default: {},
    markdownDescription:
      'Publish these findings on unreliable (`? `) entries too. By default they are left out there (stack scanning finds them all the time); `kcrash check` and hovers still list them.',
    properties: Object.fromEntries(
      QUIET_ON_UNRELIABLE.map((code) => [code, { type: 'boolean', default: false, markdownDescription: sentence(RULE_BY_CODE[code].docs) }]),
    ),
  };
}

const FIXES_TEXT: Record<Rule['fixes'], string> = {
  duplicate: 'Hide or remove this entry; hide or remove all duplicate entries of the report; remove every duplicate entry of the file (fix-all).',
  unreliable: 'Hide the unreliable (`? `) entries of the report, or remove them (an entry sharing its line with a context marker is removed, the marker kept).',
  none: 'None.',
};

/** docs/findings.md: one section per code (its anchor is the rule's), from the rule table. */
function findingsDoc(): string {
  const lines = [
    '<!-- Generated from server/src/analyzer/rules/ by test/unit/rules.test.ts (UPDATE=1); do not edit. -->',
    '# Kernel Log findings',
    '',
    'Each diagnostic of the Kernel Log extension has a stable code; its severity can be changed with `kernelLog.diagnostics.severity`.',
    `A stack entry gets one diagnostic, its most telling finding (${MOST_TELLING_FIRST.map((r) => `\`${r.code}\``).join(' > ')}); the entry's other findings are listed in its related information. \`kcrash check\` lists every finding.`,
  ];
  for (const r of RULES) {
    lines.push(
      '',
      `<a id="${r.anchor}"></a>`,
      '',
      `## \`${r.code}\``,
      '',
      r.summary,
      '',
      `- Default severity: ${r.defaultSeverity}${r.unnecessary ? ' (shown faded)' : ''}`,
      `- What: ${r.docs}`,
      `- Quick fixes: ${FIXES_TEXT[r.fixes]}`,
    );
  }
  return lines.join('\n') + '\n';
}

function readmeRow(r: Rule): string {
  return `| \`${r.code}\` | ${r.defaultSeverity}${r.unnecessary ? ', faded' : ''} | ${r.docs} |`;
}

/** The README's findings table, from the rule table. */
function findingsTable(): string[] {
  return ['| code | default | what |', '|---|---|---|', ...RULES.map(readmeRow)];
}

/** A unified-style diff of two line lists (`-` as found, `+` as the rule table has it), with context. */
function lineDiff(found: readonly string[], wanted: readonly string[], context = 2): string {
  const n = found.length,
    m = wanted.length;
  const lcs = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--) lcs[i][j] = found[i] === wanted[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  const ops: [' ' | '-' | '+', string][] = [];
  let i = 0,
    j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && found[i] === wanted[j]) ops.push([' ', found[i]]), i++, j++;
    else if (i < n && (j === m || lcs[i + 1][j] >= lcs[i][j + 1])) ops.push(['-', found[i++]]);
    else ops.push(['+', wanted[j++]]);
  }
  const near = ops.map((_, k) => ops.slice(Math.max(0, k - context), k + context + 1).some(([op]) => op !== ' '));
  const out: string[] = [];
  ops.forEach(([op, line], k) => {
    if (near[k]) out.push(`${op} ${line}`);
    else if (near[k - 1]) out.push('  ...');
  });
  return out.join('\n');
}

/** Null when the lines agree, else the message of a failure: what disagrees, how to fix it, the diff. */
function disagreement(what: string, found: readonly string[], wanted: readonly string[]): string | null {
  if (found.join('\n') === wanted.join('\n')) return null;
  return `${what} disagrees with the rule table (server/src/analyzer/rules/index.ts); rewrite it with\n  ${HOW_TO_UPDATE}\n(- as found, + as the rule table has it)\n${lineDiff(found, wanted)}`;
}

/** Checks a file with `check` (text → failure message or null); with UPDATE=1 writes `update(text)` instead of failing. */
function checkFile(file: string, check: (text: string) => string | null, update: (text: string) => string): void {
  const text = fs.readFileSync(file, 'utf8');
  let failure = check(text);
  if (failure !== null && UPDATE) {
    fs.writeFileSync(file, update(text));
    failure = check(fs.readFileSync(file, 'utf8'));
  }
  if (failure !== null) assert.fail(failure);
}

/** [start, end) of the JSON value that starts at `from` (an object or array). */
function jsonValueEnd(text: string, from: number): number {
  let depth = 0;
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      for (i++; text[i] !== '"'; i++) if (text[i] === '\\') i++;
    } else if (c === '{' || c === '[') depth++;
    else if ((c === '}' || c === ']') && --depth === 0) return i + 1;
  }
  throw new Error('unterminated JSON value');
}

/** package.json with the severity schema replaced in place (the rest of the file byte for byte). */
function withSeveritySchema(text: string): string {
  return withSchema(withSchema(text, SEVERITY_KEY, severitySchema()), ON_UNRELIABLE_KEY, onUnreliableSchema());
}

/** package.json with one setting's schema replaced in place. */
function withSchema(text: string, settingKey: string, schema: unknown): string {
  const key = `"${settingKey}": `;
  const at = text.indexOf(key);
  assert.ok(at >= 0, `package.json has no ${settingKey}`);
  const lineStart = text.lastIndexOf('\n', at) + 1;
  const indent = text.slice(lineStart, at);
  const start = at + key.length;
  const value = JSON.stringify(schema, null, 2).replace(/\n/g, '\n' + indent);
  return text.slice(0, start) + value + text.slice(jsonValueEnd(text, start));
}

/** [first, end) line indices of the README's findings table. */
function tableLines(lines: readonly string[]): [number, number] {
  const first = lines.findIndex((l) => /^\|\s*code\s*\|\s*default\s*\|/.test(l));
  assert.ok(first >= 0, 'README.md has no findings table (a `| code | default | what |` header)');
  let end = first;
  while (end < lines.length && lines[end].startsWith('|')) end++;
  return [first, end];
}

/** Why package.json's severity schema is not the rule table's, or null. */
function packageJsonDisagreement(text: string): string | null {
  const properties = JSON.parse(text).contributes?.configuration?.properties;
  return (
    disagreement(
      `package.json's ${SEVERITY_KEY}`,
      JSON.stringify(properties?.[SEVERITY_KEY] ?? null, null, 2).split('\n'),
      JSON.stringify(severitySchema(), null, 2).split('\n'),
    ) ??
    disagreement(
      `package.json's ${ON_UNRELIABLE_KEY}`,
      JSON.stringify(properties?.[ON_UNRELIABLE_KEY] ?? null, null, 2).split('\n'),
      JSON.stringify(onUnreliableSchema(), null, 2).split('\n'),
    )
  );
}

/** Why the README's findings table is not the rule table's, or null. */
function readmeDisagreement(text: string): string | null {
  const lines = text.split('\n');
  const [first, end] = tableLines(lines);
  return disagreement("README.md's findings table", lines.slice(first, end), findingsTable());
}

/** The README with the findings table rewritten (the rest of the file as it was). */
function withFindingsTable(text: string): string {
  const lines = text.split('\n');
  const [first, end] = tableLines(lines);
  lines.splice(first, end - first, ...findingsTable());
  return lines.join('\n');
}

/** Client sources that spell a finding code (a hand-kept copy of the list), as failure messages. */
function clientCopies(files: readonly { name: string; text: string }[]): string[] {
  const out: string[] = [];
  for (const { name, text } of files) {
    for (const code of FINDING_CODES) {
      if (text.includes(`'${code}'`) || text.includes(`"${code}"`) || text.includes(`\`${code}\``)) {
        out.push(`${name} spells '${code}': take the codes from server/src/protocol/codes.ts (the rule table), keep no copy`);
      }
    }
  }
  return out;
}

function clientSources(): { name: string; text: string }[] {
  const dir = path.join(ROOT, 'client', 'src');
  return fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((n) => n.endsWith('.ts'))
    .map((n) => ({ name: `client/src/${n}`, text: fs.readFileSync(path.join(dir, n), 'utf8') }));
}

test('package.json: kernelLog.diagnostics.severity lists every rule with its values, default and docs', () => {
  checkFile(PACKAGE_JSON, packageJsonDisagreement, withSeveritySchema);
});

test('README.md: the findings table has one row per rule, in table order', () => {
  checkFile(README, readmeDisagreement, withFindingsTable);
});

test('docs/findings.md (packaged; diagnostics link to its anchors) is the rule table', () => {
  if (UPDATE && !fs.existsSync(FINDINGS_DOC)) {
    fs.mkdirSync(path.dirname(FINDINGS_DOC), { recursive: true });
    fs.writeFileSync(FINDINGS_DOC, '');
  }
  checkFile(
    FINDINGS_DOC,
    (text) => disagreement('docs/findings.md', text.split('\n'), findingsDoc().split('\n')),
    () => findingsDoc(),
  );
  for (const r of RULES) assert.ok(findingsDoc().includes(`<a id="${r.anchor}"></a>`), r.code);
});

test('the client and the protocol take the codes from the rule table, in its order, and keep no copy', () => {
  assert.deepEqual(
    [...DiagnosticCodes],
    RULES.map((r) => r.code),
  );
  assert.deepEqual([...PROTOCOL_CODES], [...FINDING_CODES]);
  assert.deepEqual(clientCopies(clientSources()), []);
});

test('the checks fail, with a diff, when package.json, the README or the client disagree; UPDATE=1 repairs the files', () => {
  // The files as the rule table makes them, whatever they hold now.
  const pkg = withSeveritySchema(fs.readFileSync(PACKAGE_JSON, 'utf8'));
  const readme = withFindingsTable(fs.readFileSync(README, 'utf8'));
  // A default changed by hand, a code missing, a description out of date, a code the table lacks.
  const schema = (edit: (s: ReturnType<typeof severitySchema>) => void) => {
    const json = JSON.parse(pkg);
    edit(json.contributes.configuration.properties[SEVERITY_KEY]);
    return JSON.stringify(json, null, 2);
  };
  const wrongPackages = [
    schema((s) => (s.properties['duplicate-frame'].default = 'warning')),
    schema((s) => delete (s.properties as Record<string, unknown>)['corrupted-report']),
    schema((s) => (s.properties['unreliable-frame'].markdownDescription = 'Old text.')),
    schema((s) => ((s.properties as Record<string, unknown>)['old-code'] = { type: 'string' })),
    schema((s) => (s.properties['function-end-return'].enum = ['off', 'warning'])),
  ];
  for (const text of wrongPackages) {
    const failure = packageJsonDisagreement(text);
    assert.ok(failure?.includes(HOW_TO_UPDATE) && /^[-+] /m.test(failure), failure ?? 'no failure');
    assert.equal(packageJsonDisagreement(withSeveritySchema(text)), null);
    assert.notEqual(text, pkg);
  }
  assert.match(packageJsonDisagreement(wrongPackages[0])!, /^- +"default": "warning",\n\+ +"default": "information",/m);

  const row = findingsTable().find((l) => l.startsWith('| `duplicate-frame` | information'))!;
  const wrongReadmes = [
    readme.replace(row + '\n', ''),
    readme.replace(row, row.replace('| information', '| hint')),
    readme.replace(row, row + '\n| `old-code` | hint | gone |'),
  ];
  for (const text of wrongReadmes) {
    const failure = readmeDisagreement(text);
    assert.ok(failure?.includes(HOW_TO_UPDATE) && /^[-+] \|/m.test(failure), failure ?? 'no failure');
    assert.equal(readmeDisagreement(withFindingsTable(text)), null);
    assert.equal(withFindingsTable(text), readme);
    assert.notEqual(text, readme);
  }

  // A hand-kept list in a client module.
  const copy = clientCopies([{ name: 'client/src/statusBar.ts', text: "const CODES = ['unreliable-frame', 'duplicate-regs-ip'];" }]);
  assert.equal(copy.length, 2);
  assert.match(copy[0], /client\/src\/statusBar\.ts spells 'unreliable-frame'/);
});

test('the rule table: unique codes, one-sentence SARIF texts, docs, related messages where findings have one', () => {
  assert.equal(new Set(FINDING_CODES).size, RULES.length);
  for (const r of RULES) {
    assert.match(r.code, /^[a-z]+(-[a-z]+)*$/, r.code);
    assert.equal(RULE_BY_CODE[r.code], r);
    assert.equal(ruleOf(r.code), r);
    assert.match(r.summary, /^[A-Z`].*\.$/, `${r.code}: summary`);
    assert.ok(r.docs.length > 0 && !r.docs.includes('|') && !r.docs.includes('\n'), `${r.code}: docs fit a table cell`);
  }
  assert.equal(ruleOf('toString'), undefined);
  assert.equal(ruleOf('interleaved-line'), undefined);
});

test("every finding the analyzer makes has its rule's severity, fading, message and related message", () => {
  const seen = new Set<string>();
  const dirs = ['test/fixtures', 'test/fixtures/wild', 'examples'].map((d) => path.join(ROOT, d));
  for (const name of dirs.flatMap((d) =>
    fs
      .readdirSync(d)
      .filter((n) => n.endsWith('.log'))
      .map((n) => path.join(d, n)),
  )) {
    for (const f of analyze(parseCrashLog(fs.readFileSync(name, 'utf8')))) {
      const rule = ruleOf(f.code);
      assert.ok(rule, `${name}: ${f.code} has no rule`);
      seen.add(f.code);
      assert.equal(f.severity, rule.defaultSeverity);
      assert.equal(f.unnecessary, rule.unnecessary);
      assert.ok(f.message.length > 0);
      for (const r of f.related) assert.ok(r.message === rule.relatedMessage, `${name}: ${f.code} related message`);
    }
  }
  assert.deepEqual([...seen].sort(), [...FINDING_CODES].sort(), 'the fixtures show every rule');
});
