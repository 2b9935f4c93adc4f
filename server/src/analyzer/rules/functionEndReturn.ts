// function-end-return: `func+0xN/0xN`, a return address just past the end of `func`: the call was
// func's last instruction (a noreturn call, or asm entry code that falls through into the next
// symbol). On a `? ` entry it is what stack scanning finds all the time: not published there by
// default. `__pfx_foo+0x10/0x10` is `foo+0x0` (the `__pfx_` padding ends where foo starts).
import type { StackEntry } from '../../parser/model.ts';
import { entryRule } from './rule.ts';

const PFX = '__pfx_';

function message(f: StackEntry): string {
  const name = f.function ?? '';
  if (name.startsWith(PFX) && name.length > PFX.length) {
    const target = name.slice(PFX.length);
    return `This is ${target}+0x0: a pointer to ${target}'s entry (the ${PFX} padding ends where ${target} starts), not a return into ${name}.`;
  }
  return f.reliable
    ? `Return address at the very end of ${name} (offset = size): the call was its last instruction, either a call to a noreturn function or code that falls through into the next symbol (asm entry code).`
    : `Most likely the start of the function right after ${name} (a function pointer or a saved instruction pointer left on the stack): the trace looks up address - 1, which falls at the end of ${name}.`;
}

export const functionEndReturn = entryRule({
  code: 'function-end-return',
  defaultSeverity: 'information',
  unnecessary: false,
  fixes: 'none',
  // The finding points at `func+off/size`, not at the whole entry.
  range: 'symbol',
  quietOnUnreliable: true,
  summary: 'A return address at the very end of a function (offset equals size): a noreturn call, or code that falls through into the next symbol.',
  docs: '`func+0xN/0xN`: a return address just past the end of `func` (a noreturn call, or asm entry code falling through into the next symbol; `__pfx_foo+0x10/0x10` is `foo+0x0`); not published on `? ` entries unless `kernelLog.diagnostics.onUnreliableEntries` turns it on',
  message,
});
