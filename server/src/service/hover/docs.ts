// Where a hover links for more: the extension's own documentation of the findings (docs/findings.md
// when the extension ships one, else the README's list). Part of the hover feature.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ruleOf } from '../../analyzer/rules/index.ts';

/** The extension's root (dist/server.js sits one folder below it; this module's source, under tests, four). */
let root: string | null | undefined;
function extensionRoot(): string | null {
  if (root !== undefined) return root;
  root = null;
  const here = typeof __dirname === 'string' ? __dirname : null;
  for (const dir of here ? [join(here, '..'), join(here, '..', '..', '..', '..')] : []) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'README.md'))) {
      root = dir;
      break;
    }
  }
  return root;
}

/**
 * Where the rest of the story of a finding is told: its section of docs/findings.md when the
 * extension ships one, else the README's list of findings.
 */
function findingsDocs(findingCode: string): string | null {
  const dir = extensionRoot();
  if (!dir) return null;
  const findings = join(dir, 'docs', 'findings.md');
  if (existsSync(findings)) return `${pathToFileURL(findings).href}#${(ruleOf(findingCode) as { anchor?: string } | undefined)?.anchor ?? findingCode}`;
  return `${pathToFileURL(join(dir, 'README.md')).href}#what-it-does`;
}

export function moreLink(what: string, findingCode: string): string {
  const link = findingsDocs(findingCode);
  return link ? `[More on ${what}](${link})` : '';
}
