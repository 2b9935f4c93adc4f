// unreliable-frame: a `? ` stack entry, found by scanning the stack and not confirmed by the unwinder.
import { entryRule } from './rule.ts';

// One string for every finding of the code (a log holds hundreds of thousands).
const MESSAGE = 'Unreliable entry: found by scanning the stack, not confirmed by the unwinder; often a stale return address left by an earlier call.';

export const unreliableFrame = entryRule({
  code: 'unreliable-frame',
  defaultSeverity: 'hint',
  unnecessary: true,
  fixes: 'unreliable',
  range: 'entry',
  summary: 'A `? ` stack entry: found by scanning the stack, not confirmed by the unwinder.',
  docs: 'a `? ` entry: found by scanning the stack, not confirmed by the unwinder',
  message: () => MESSAGE,
});
