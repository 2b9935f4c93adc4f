// The README users see on the extension's Details page (README.vsix.md, packaged as the .vsix's
// readme.md by `npm run package`'s --readme-path; the repository's README.md is the developers').
// Its findings, commands and settings tables are generated from the rule table and package.json,
// never kept by hand: this test checks them (`UPDATE=1 node --require tsx/cjs --test
// test/unit/userReadme.test.ts` rewrites them). Its images must be files the .vsix packages
// (test/unit/package.test.ts checks the .vsix itself), and it links to nothing outside the .vsix.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { RULES } from '../../server/src/analyzer/rules/index.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const FILE = path.join(ROOT, 'README.vsix.md');
const UPDATE = !!process.env.UPDATE;
const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

interface Setting {
  type?: string;
  default?: unknown;
  enum?: string[];
  description?: string;
  markdownDescription?: string;
}

/** A setting's default as a table cell. */
function defaultCell(value: unknown): string {
  if (value === undefined) return '';
  if (typeof value === 'object' && value !== null && Object.keys(value).length === 0) return Array.isArray(value) ? '`[]`' : '`{}`';
  return `\`${JSON.stringify(value)}\``;
}

/** Table-cell text: one line, `|` escaped. */
const cell = (text: string) => text.replace(/\s*\n\s*/g, ' ').replace(/\|/g, '\\|');

export const SECTIONS: Record<string, () => string[]> = {
  findings: () => [
    '| code | default | what |',
    '|---|---|---|',
    ...RULES.map((r) => `| \`${r.code}\` | ${r.defaultSeverity}${r.unnecessary ? ', faded' : ''} | ${cell(r.docs)} |`),
  ],
  commands: () => [
    '| command | what |',
    '|---|---|',
    ...(manifest.contributes.commands as { command: string; title: string; category?: string }[]).map(
      (c) => `| **${c.category ? `${c.category}: ` : ''}${c.title}** | \`${c.command}\` |`,
    ),
  ],
  settings: () => [
    '| setting | default | what |',
    '|---|---|---|',
    ...Object.entries(manifest.contributes.configuration.properties as Record<string, Setting>).map(
      ([key, s]) => `| \`${key}\` | ${defaultCell(s.default)} | ${cell(s.markdownDescription ?? s.description ?? '')} |`,
    ),
  ],
};

const begin = (name: string) => new RegExp(`^<!-- generated: ${name}\\b.*-->$`, 'm');
const endMarker = (name: string) => `<!-- end: ${name} -->`;

/** The lines between a section's markers. */
function section(text: string, name: string): string[] {
  const b = begin(name).exec(text);
  assert.ok(b, `README.vsix.md has no "<!-- generated: ${name} ... -->" line`);
  const start = b.index + b[0].length + 1;
  const end = text.indexOf(endMarker(name), start);
  assert.ok(end >= 0, `README.vsix.md has no "${endMarker(name)}" line`);
  return text.slice(start, end).split('\n').slice(0, -1);
}

function withSection(text: string, name: string, lines: string[]): string {
  const b = begin(name).exec(text)!;
  const start = b.index + b[0].length + 1;
  const end = text.indexOf(endMarker(name), start);
  return text.slice(0, start) + lines.map((l) => `${l}\n`).join('') + text.slice(end);
}

for (const [name, generate] of Object.entries(SECTIONS)) {
  test(`README.vsix.md: the ${name} table is generated`, () => {
    let text = fs.readFileSync(FILE, 'utf8');
    if (UPDATE && section(text, name).join('\n') !== generate().join('\n')) {
      text = withSection(text, name, generate());
      fs.writeFileSync(FILE, text);
    }
    assert.deepEqual(section(text, name), generate(), `rewrite it with UPDATE=1 node --require tsx/cjs --test ${path.relative(ROOT, import.meta.filename)}`);
  });
}

/** Every link and image target of a markdown text. */
function targets(text: string): { image: boolean; target: string }[] {
  return [...text.matchAll(/(!?)\[[^\]]*\]\(([^)\s]+)[^)]*\)/g)].map((m) => ({ image: m[1] === '!', target: m[2] }));
}

test('README.vsix.md: images are packaged files, links go nowhere outside the .vsix', () => {
  const text = fs.readFileSync(FILE, 'utf8');
  const ignore = fs.readFileSync(path.join(ROOT, '.vscodeignore'), 'utf8').split('\n');
  const images = targets(text).filter((t) => t.image);
  assert.ok(images.length >= 2, 'screenshots, light and dark');
  for (const { target } of images) {
    assert.doesNotMatch(target, /^[a-z]+:/i, `${target}: an image packaged in the .vsix, by a relative path`);
    assert.ok(fs.existsSync(path.join(ROOT, target)), `${target} does not exist`);
    assert.ok(ignore.includes(`!${target}`), `.vscodeignore does not ship ${target}`);
  }
  for (const { target } of targets(text).filter((t) => !t.image))
    assert.match(target, /^(?:https:\/\/|#)/, `${target}: a relative link would point at a file the .vsix does not hold`);
  assert.doesNotMatch(text, /example\.invalid/);
});
