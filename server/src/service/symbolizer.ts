// Where hover gets source locations and disassembly for an address. Nothing here resolves anything:
// a later issue plugs in an implementation (System.map / vmlinux / modules, see
// /work/shared/docs/symbolization.md). With no symbolizer configured, hover shows no symbol info.
import type { Arch, Frame } from '../parser/model.ts';

/**
 * What to look up: the entry as the log printed it. `exact` is true for a register block's
 * instruction pointer (RIP/pc); call-trace entries are return addresses: look up address - 1
 * (the call) and show the entry unchanged.
 */
export interface SymbolQuery extends Pick<Frame, 'function' | 'offset' | 'size' | 'module' | 'address'> {
  buildId: string | null;
  exact: boolean;
  /** What the report says about the kernel, to pick the right symbol files. */
  arch: Arch | null;
  release: string | null;
}

export interface SourceFrame {
  function: string;
  file: string | null;
  line: number | null;
  column?: number | null;
  /** True for a frame inlined into the next one. */
  inline: boolean;
}

export interface SymbolInfo {
  /** Innermost first: inlined frames, then the function that holds the address. */
  frames: SourceFrame[];
  /** Disassembly around the address, when available (shown as a code block). */
  disassembly?: string;
  /** Anything the user should know (e.g. "vmlinux build id does not match"). */
  note?: string;
}

export interface CancellationLike {
  readonly isCancellationRequested: boolean;
}

export interface Symbolizer {
  /** Resolves one entry; null when it cannot (no symbol files, unknown module...). Should not throw. */
  symbolize(query: SymbolQuery, token?: CancellationLike): Promise<SymbolInfo | null>;
  dispose?(): void;
}
