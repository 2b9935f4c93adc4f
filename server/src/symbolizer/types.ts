// What the symbolizer answers and how it is asked: shared by the language service (hover, go to
// definition, status), the worker thread that hosts the symbolizer for the server, and `kcrash
// decode`. Plain data only: it crosses a worker boundary (bigints are sent as hex strings).
import type { Arch, StackEntry } from '../parser/model.ts';

/**
 * What to look up: the entry as the log printed it. `exact` is true for a register block's
 * instruction pointer (RIP/pc) and for WARNING/`idling at` sites; call-trace entries are return
 * addresses: the source is looked up at address - 1 (the call) and the printed name is kept.
 */
export interface SymbolQuery extends Pick<StackEntry, 'function' | 'offset' | 'size' | 'module' | 'address'> {
  buildId: string | null;
  exact: boolean;
  /** What the report says about the kernel, to pick the right symbol files. */
  arch: Arch | null;
  release: string | null;
  /** KASLR: `Kernel Offset: 0x...` of the log (hex, no 0x), when it printed one. */
  kernelOffset?: string | null;
  /** Raw address + `func+off` pairs printed in the same report, to infer the KASLR offset. */
  anchors?: AddressAnchor[];
}

export interface AddressAnchor {
  address: string;
  function: string;
  offset: number;
  module: string | null;
}

export interface SourceFrame {
  function: string;
  /** Path relative to the kernel source tree (build prefixes stripped), or as DWARF has it. */
  file: string | null;
  line: number | null;
  column?: number | null;
  /** True for a frame inlined into the next one. */
  inline: boolean;
  /** The file on disk (under the source root or the workspace), when it exists. */
  path?: string | null;
}

/** Which address the source lines are for. */
export type LookupKind = 'exact' | 'return-address-1' | 'function-pointer';

export interface SymbolInfo {
  /** Innermost first: inlined frames, then the function that holds the address. */
  frames: SourceFrame[];
  /** The symbol the entry resolved to, and the link-time address looked up (hex, no 0x). */
  symbol?: { name: string; offset: number; size: number | null; module: string | null; address: string; section?: string | null };
  lookup?: LookupKind;
  /** The files that answered (vmlinux, System.map, module). */
  sources?: string[];
  /** Disassembly around the address, when available (shown as a code block). */
  disassembly?: string;
  /** Anything the user should know ("vmlinux is 6.1.0-55, the log 6.1.0-56", "no debug info"). */
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

/** The symbol files in use for a log, for the status bar and `kcrash decode`'s messages. */
export interface SymbolSourceState {
  kind: 'vmlinux' | 'system-map' | 'kallsyms' | 'modules' | 'source-root';
  path: string;
  /** Loaded and usable; false with `error` otherwise; null while loading. */
  ok: boolean | null;
  error?: string;
  /** What the file says about itself. */
  release?: string | null;
  buildId?: string | null;
  /** Whether it fits the log: same release / build id; null when the log or the file does not say. */
  matches?: boolean | null;
  /** How it was found: a setting, beside the log, the workspace, /usr/lib/debug. */
  foundBy: 'setting' | 'beside-log' | 'workspace' | 'debug-path' | 'command-line';
  debugInfo?: boolean;
}

export interface SymbolStatus {
  sources: SymbolSourceState[];
  /** One line: "vmlinux 6.1.0-56-amd64 ✓" / "no symbols" / "System.map: release differs". */
  summary: string;
  /** Every source's file agrees with the log (false: some mismatch; null: nothing to compare). */
  matches: boolean | null;
}
