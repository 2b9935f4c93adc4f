// duplicate-frame: a `? ` entry that repeats another entry of the same stack.
import { symbolText } from '../frameText.ts';
import { entryRule } from './rule.ts';

export const duplicateFrame = entryRule({
  code: 'duplicate-frame',
  // Stale return addresses repeat naturally in a stack scan; worth a look, not a warning.
  defaultSeverity: 'information',
  unnecessary: true,
  fixes: 'duplicate',
  range: 'entry',
  summary: 'A `? ` entry that repeats another entry of the same stack.',
  docs: 'a `? ` entry that repeats another entry of the same stack',
  saysUnreliable: true,
  message: (entry) => `Unreliable entry ${symbolText(entry)} repeats another entry of this stack.`,
  relatedMessage: 'the same entry',
});
