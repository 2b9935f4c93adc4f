// How a stack entry or instruction pointer is written for people: in finding messages, hover (the
// entry, the symbol a symbolizer found, the call site at address − 1), the outline (`kcrash parse`,
// LSP document symbols). The one formatter, so that an entry without an offset, a size or an
// address never prints `undefined` or `null`. (The parser rebuilds an entry's text with the digits
// as printed, to find where it stands: frames.ts printedSymbol.)
import type { StackEntry } from '../parser/model.ts';

type FrameParts = Pick<StackEntry, 'function' | 'offset' | 'size' | 'address'>;

const hex = (n: number) => `0x${n.toString(16)}`;

/**
 * `func+0xoff/0xsize` as the kernel prints it; `func+0xoff` without a size and `func` alone without
 * an offset; `0xaddress` for an entry without a symbol; `?` when the entry has neither.
 */
export function symbolText(f: FrameParts): string {
  if (f.function === null || f.function === undefined) return f.address ? `0x${f.address}` : '?';
  if (f.offset === null || f.offset === undefined || !Number.isFinite(f.offset)) return f.function;
  return f.function + offsetText(f.offset, f.size);
}

/** The part after the function's name: `+0xoff/0xsize`, or `+0xoff` without a size. */
export function offsetText(offset: number, size: number | null | undefined): string {
  return size === null || size === undefined || !Number.isFinite(size) ? `+${hex(offset)}` : `+${hex(offset)}/${hex(size)}`;
}

/** symbolText and the module (`foo+0x1/0x2 [ext4]`). */
export function frameLabel(f: FrameParts & Pick<StackEntry, 'module'>): string {
  const symbol = symbolText(f);
  return f.module ? `${symbol} [${f.module}]` : symbol;
}

/** An entry as the outline lists it: context, `? ` when unreliable, label, source a symbolizer added (`<IRQ> ? foo+0x1/0x2 [mod] (fs/x.c:1)`). */
export function entryText(f: FrameParts & Pick<StackEntry, 'module' | 'context' | 'reliable' | 'source'>): string {
  return `${f.context ? `<${f.context}> ` : ''}${f.reliable ? '' : '? '}${frameLabel(f)}${f.source ? ` (${f.source})` : ''}`;
}
