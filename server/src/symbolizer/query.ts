// The question the symbolizer is asked for one entry of a log: the entry as printed, plus what the
// log tells about the kernel (release, KASLR offset, raw addresses printed with their symbols).
// Shared by hover, go to definition and `kcrash decode`.
import type { StackEntry, Report } from '../parser/model.ts';
import type { AddressAnchor, SymbolQuery } from './types.ts';

/** The document text (a string, or the server's piece table). */
export interface TextLike {
  readonly length: number;
  slice(start: number, end: number): string;
}

/** What the symbolizer needs to know of an entry and its log (KASLR offset, address anchors). */
/** What a query reads of an entry (a raw address: `{ function: null, offset: null, ..., address, exact: true }`). */
export type QueryEntry = Pick<StackEntry, 'function' | 'offset' | 'size' | 'module' | 'address' | 'buildId' | 'exact'>;

export function symbolQuery(text: TextLike, version: number, frame: QueryEntry, report: Report): SymbolQuery {
  const anchors: AddressAnchor[] = [];
  for (const stack of report.stacks) {
    for (const f of stack.frames) {
      if (f.address && f.function && f.offset !== null && !f.module) anchors.push({ address: f.address, function: f.function, offset: f.offset, module: null });
      if (anchors.length >= 4) break;
    }
  }
  for (const block of report.regs)
    if (block.ip?.address && block.ip.function && block.ip.offset !== null && !block.ip.module)
      anchors.push({ address: block.ip.address, function: block.ip.function, offset: block.ip.offset, module: null });
  return {
    function: frame.function,
    offset: frame.offset,
    size: frame.size,
    module: frame.module,
    buildId: frame.buildId ?? null,
    address: frame.address,
    exact: frame.exact === true,
    arch: report.arch,
    release: report.release,
    kernelOffset: kernelOffsetOf(text, version),
    anchors: anchors.slice(0, 8),
  };
}

const kernelOffsets = new WeakMap<object, { version: number; value: string | null }>();
const KERNEL_OFFSET = /Kernel Offset: (?:0x([0-9a-f]+) from 0x|disabled)/;
const CHUNK = 1 << 20;

/** `Kernel Offset: 0x1c000000 from 0xffffffff81000000 ...` or `Kernel Offset: disabled` anywhere in the log (printed at panic). */
export function kernelOffsetOf(text: TextLike, version = 0): string | null {
  const cacheable = typeof text === 'object';
  const hit = cacheable ? kernelOffsets.get(text) : undefined;
  if (hit && hit.version === version) return hit.value;
  let m: RegExpExecArray | null = null;
  for (let at = 0; at < text.length && !m; at += CHUNK) m = KERNEL_OFFSET.exec(text.slice(at, Math.min(text.length, at + CHUNK + 64)));
  // `disabled` (nokaslr): link-time and run-time addresses are the same.
  const value = m ? (m[1] && !/^0+$/.test(m[1]) ? m[1] : '0') : null;
  if (cacheable) kernelOffsets.set(text, { version, value });
  return value;
}

/** A module the log's entries name, with the build id it printed (`[mod 3c1f...]`), if any. */
export interface ModuleRef {
  name: string;
  buildId: string | null;
}

/** The modules the entries of the first reports name (the ones hovers will ask for), at most `limit`. */
export function modulesNamedIn(reports: Iterable<Report>, limit = 20): ModuleRef[] {
  const byName = new Map<string, string | null>();
  for (const report of reports) {
    for (const stack of report.stacks) for (const f of stack.frames) if (f.module && !byName.get(f.module)) byName.set(f.module, f.buildId ?? null);
    for (const block of report.regs) if (block.ip?.module && !byName.get(block.ip.module)) byName.set(block.ip.module, block.ip.buildId ?? null);
    if (byName.size >= limit) break;
  }
  return [...byName].slice(0, limit).map(([name, buildId]) => ({ name, buildId }));
}

/** The kernel release the log names: the first of its reports that prints one (`6.1.0-56-amd64`). */
export function releaseNamedIn(reports: Iterable<Report>): string | null {
  for (const report of reports) if (report.release) return report.release.split(/\s+/)[0];
  return null;
}
