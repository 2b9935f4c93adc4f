// duplicate-regs-ip: a `? ` entry that repeats the instruction pointer of the register block printed
// before it (the seed thread's case: the saved pt_regs found again by the stack scan).
import { symbolText } from '../frameText.ts';
import { entryRule } from './rule.ts';

export const duplicateRegsIp = entryRule({
  code: 'duplicate-regs-ip',
  defaultSeverity: 'warning',
  unnecessary: true,
  fixes: 'duplicate',
  range: 'entry',
  summary: 'A `? ` entry that repeats the instruction pointer of a register block printed before it.',
  docs: "a `? ` entry that repeats the RIP of a register block printed before it (same address, else same `func+off/size`) — the seed thread's case",
  saysUnreliable: true,
  message(entry, ip) {
    const mine = symbolText(entry);
    const theirs = ip ? symbolText(ip) : mine;
    return (
      `Unreliable entry ${mine} repeats the instruction pointer ${theirs} of the register block above: the saved regs->ip was found again by the stack scan.` +
      (mine !== theirs
        ? ` The names differ because RIP prints the exact address (%pS) while trace entries are printed as return addresses (%pB looks up address-1, which falls in the previous function).`
        : '')
    );
  },
  relatedMessage: 'instruction pointer of the register block',
});
