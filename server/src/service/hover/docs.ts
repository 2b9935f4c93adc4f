// Where a hover links for more: the section of the findings' documentation (docs/findings.md,
// generated from the rule table) of a code. The server says where that documentation is.
import { ruleOf } from '../../analyzer/rules/index.ts';

/** `[More on what](<docsBase>#<the code's anchor>)`, or '' when no documentation is known. */
export function moreLink(what: string, findingCode: string, docsBase: string | undefined): string {
  const rule = ruleOf(findingCode);
  return docsBase && rule ? `[More on ${what}](${docsBase}#${rule.anchor})` : '';
}
