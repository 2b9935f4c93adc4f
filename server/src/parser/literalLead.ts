// Cheap pre-tests for anchored regular expressions, read from the expressions themselves: the
// literal text every match starts with (after the blanks a leading `^\s*` allows). A line that does
// not start so cannot match, and costs one startsWith() instead of a regexp call. Derived when the
// module loads, so a pre-test never drifts from its expression (test/unit/literalLead.test.ts).
import { firstNonSpace } from './lines.ts';

export interface LiteralLead {
  /** The expression starts with `^\s*`: the literal stands after the line's blanks. */
  blanks: boolean;
  /** What every match starts with (after the blanks); '' when nothing is certain. */
  text: string;
}

const SPECIAL = '\\^$.|?*+()[]{}';

/** Whether `source` has an alternation `|` outside all groups and classes (then `^` anchors only its first branch). */
function topLevelAlternation(source: string): boolean {
  let depth = 0;
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') i++;
    else if (inClass) inClass = c !== ']';
    else if (c === '[') inClass = true;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === '|' && depth === 0) return true;
  }
  return false;
}

/** The literal lead of `re` (no flags that change what a character matches; anchored at `^`, no top-level `|`). */
export function literalLead(re: RegExp): LiteralLead {
  const source = re.source;
  if (!source.startsWith('^') || /[imsuyv]/.test(re.flags) || topLevelAlternation(source)) return { blanks: false, text: '' };
  let i = 1;
  let blanks = false;
  if (source.startsWith(String.raw`\s*`, i)) {
    blanks = true;
    i += 3;
  }
  let text = '';
  while (i < source.length) {
    const c = source[i];
    let literal: string;
    let next: number;
    if (c === '\\') {
      // An escaped punctuation character is itself; `\d`, `\b`, `\s` ... are not literals.
      const e = source[i + 1];
      if (e === undefined || /[A-Za-z0-9]/.test(e)) break;
      literal = e;
      next = i + 2;
    } else if (SPECIAL.includes(c)) {
      break;
    } else {
      literal = c;
      next = i + 1;
    }
    // A quantifier that may take the character zero times (`?`, `*`, `{0,`) ends the certain text before it.
    const q = source[next];
    if (q === '?' || q === '*' || q === '{') break;
    text += literal;
    i = next;
    // `x+` is at least one x: certain, but nothing after it is at a fixed place.
    if (q === '+') break;
  }
  return { blanks, text };
}

/** Whether `s` starts as every match of the expression `lead` was read from does (false: it cannot match). */
export function mayMatchLead(lead: LiteralLead, s: string): boolean {
  return s.startsWith(lead.text, lead.blanks ? firstNonSpace(s) : 0);
}
