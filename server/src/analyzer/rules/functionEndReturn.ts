// function-end-return: `func+0xN/0xN`, a return address just past the end of `func` (a call to a
// noreturn function was its last instruction; the next function in memory starts there).
import { entryRule } from './rule.ts';

export const functionEndReturn = entryRule({
  code: 'function-end-return',
  defaultSeverity: 'information',
  unnecessary: false,
  fixes: 'none',
  // The finding points at `func+off/size`, not at the whole entry.
  range: 'symbol',
  summary: 'A return address at the very end of a function (offset equals size): a call to a noreturn function.',
  docs: '`func+0xN/0xN`: a return address just past the end of `func` (a call to a noreturn function; the next function starts there)',
  message: (f) =>
    f.reliable
      ? `Return address at the very end of ${f.function} (offset = size): the call was ${f.function}'s last instruction, a call to a noreturn function; the next function in memory starts here.`
      : `Most likely the start of the function right after ${f.function} (a function pointer or a saved instruction pointer left on the stack): the trace looks up address - 1, which falls at the end of ${f.function}.`,
});
