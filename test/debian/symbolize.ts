// The hook between the Debian acceptance test (acceptance.test.ts) and the native symbolizer
// (server/src/symbolizer/). Replace the body of symbolizeForTest with a call into the symbolizer;
// the test compares what it returns with test/fixtures/real-debian/ground-truth.json.
import fs from 'node:fs';
import path from 'node:path';
import { emptyConfig, KernelSymbolizer } from '../../server/src/symbolizer/kernelSymbolizer.ts';

/** A frame as in ground-truth.json: innermost first, paths relative to the kernel source tree. */
export interface GroundTruthFrame {
  /** DWARF function name; null where no DWARF subprogram covers the address (assembly, padding). */
  function: string | null;
  /** null (and line 0) where the address has no line information. */
  file: string | null;
  line: number;
  column?: number;
}

/** One `func+0xoff/0xsize [mod]` entry of a real-debian-*.log and its ground truth. */
export interface GroundTruthEntry {
  fixture: string;
  /** 1-based line in test/fixtures/<fixture>. */
  line: number;
  /** The entry as printed, time stamp removed (`? read_null+0x10/0x10`, `RIP: 0010:...`). */
  text: string;
  function: string;
  offset: string;
  size: string;
  module: string | null;
  /** false: a call-trace entry (%pB), looked up at address-1; true: RIP/WARNING/idling (%pS). */
  exact: boolean;
  /** The address looked up: link-time hex for vmlinux, `SECTION+0xOFF` for a module. */
  address: string;
  section?: string;
  /** `? __pfx_X+0x10/0x10`: a pointer to X. */
  pointerTo?: string;
  /** offset == size: the symbol starting at symbol+offset. */
  nextSymbol?: string | null;
  frames: GroundTruthFrame[];
}

const ROOT = path.resolve(import.meta.dirname, '../..');
const RELEASE = process.env.RELEASE || '6.1.0-56-amd64';
const VERSION = process.env.VERSION || '6.1.192-2';
/** Where `scripts/real-logs/make.sh debug` puts the -dbg package's vmlinux. */
export const CACHE = process.env.KCRASH_REAL_CACHE || '/var/cache/kcrash-real';

/** The debug files of the build the logs come from. Only vmlinux is outside the repository. */
export const DEBIAN = {
  release: RELEASE,
  version: VERSION,
  vmlinux: path.join(CACHE, `kernel-${RELEASE}-${VERSION}`, `vmlinux-${RELEASE}`),
  vmlinuxBuildId: 'eb4fbcd037e7253717950bf2b93bd5566f47c56f',
  systemMap: path.join(ROOT, 'test/fixtures/real-debian', `System.map-${RELEASE}`),
  /** Modules by name, as printed in `[name]`. */
  modules: { kcrash_test: path.join(ROOT, 'test/fixtures/real-debian/kcrash_test.ko') } as Record<string, string>,
  fixtures: path.join(ROOT, 'test/fixtures'),
  groundTruth: path.join(ROOT, 'test/fixtures/real-debian/ground-truth.json'),
};

let symbolizer: KernelSymbolizer | null = null;

/**
 * Symbolizes one entry the way the extension does: from its text (function, offset, size, module,
 * call-trace entry or exact) and the files in DEBIAN, through the same KernelSymbolizer as hover and
 * `kcrash decode`. Frames innermost first; no line information gives one frame without a file.
 */
export async function symbolizeForTest(entry: GroundTruthEntry): Promise<GroundTruthFrame[]> {
  symbolizer ??= new KernelSymbolizer({
    ...emptyConfig(),
    vmlinux: fs.existsSync(DEBIAN.vmlinux) ? { path: DEBIAN.vmlinux, foundBy: 'setting' } : null,
    systemMap: { path: DEBIAN.systemMap, foundBy: 'setting' },
    modulePaths: Object.values(DEBIAN.modules).map((p) => ({ path: p, foundBy: 'setting' as const })),
  });
  const info = await symbolizer.symbolize({
    function: entry.function,
    offset: Number(entry.offset),
    size: Number(entry.size),
    module: entry.module,
    address: null,
    buildId: null,
    exact: entry.exact,
    arch: 'x86_64',
    release: DEBIAN.release,
  });
  if (!info) throw new Error('no answer');
  if (!info.frames.length) {
    if (info.note && !/No line information/.test(info.note)) throw new Error(info.note);
    return [{ function: null, file: null, line: 0 }];
  }
  return info.frames.map((f) => ({
    function: f.function === '??' ? null : f.function,
    file: f.file,
    line: f.line ?? 0,
    ...(f.column ? { column: f.column } : {}),
  }));
}
