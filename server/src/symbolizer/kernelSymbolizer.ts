// The native symbolizer: `func+off/size [mod]` (or a raw address with a known KASLR offset) →
// symbol, link-time address, and source file:line with the inline chain, read from System.map,
// a /proc/kallsyms dump, vmlinux (.symtab + DWARF) and module objects. Files are opened lazily on
// the first query that needs them and kept; an optional external tool (llvm-symbolizer,
// addr2line) answers where there is no usable DWARF. Used in-process by `kcrash decode` and inside
// a worker thread by the language server (symbolizerWorker.ts). No LSP types.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, isAbsolute, join } from 'node:path';
import { atFunctionEnd } from '../parser/model.ts';
import { ObjectFileError } from './byteSource.ts';
import { DwarfReader, type SourceLocation } from './dwarf/index.ts';
import type { ElfFile } from './elf.ts';
import { ExternalSymbolizer, type ExternalSetting } from './external.ts';
import { openObjectFile } from './objectFile.ts';
import { stripBuildPrefix } from './sourcePath.ts';
import { linuxBanner, moduleVermagic, SymbolTable, type TextSymbol } from './symbolTable.ts';
import type { ModuleRef } from './query.ts';
import type { LookupKind, SourceFrame, SymbolInfo, SymbolQuery, SymbolSourceState, SymbolStatus, Symbolizer } from './types.ts';

export type FoundBy = SymbolSourceState['foundBy'];

export interface SourceFile {
  path: string;
  foundBy: FoundBy;
}

/** Where the symbols of one log come from (settings + discovery, see discover.ts). */
export interface SymbolSourcesConfig {
  vmlinux: SourceFile | null;
  systemMap: SourceFile | null;
  kallsyms: SourceFile | null;
  /** Module objects or folders holding them (searched recursively). */
  modulePaths: SourceFile[];
  /** Kernel source trees, first match wins (the sourceRoot setting, then workspace folders). */
  sourceRoots: string[];
  /** The first source root is the user's `kernelLog.sourceRoot` (the others are workspace folders). */
  sourceRootSet?: boolean;
  external: ExternalSetting;
  /** External tools only run in trusted workspaces. */
  trusted: boolean;
}

export function emptyConfig(): SymbolSourcesConfig {
  return { vmlinux: null, systemMap: null, kallsyms: null, modulePaths: [], sourceRoots: [], external: 'off', trusted: false };
}

/** Progress of a slow load, for the editor's progress notification. */
export type LoadListener = (event: { path: string; phase: 'start' | 'end'; error?: string }) => void;

interface Loaded<T> {
  value: T | null;
  error: string | null;
}

interface VmlinuxState {
  elf: ElfFile;
  table: SymbolTable;
  dwarf: DwarfReader | null;
  release: string | null;
  buildId: string | null;
}

interface ModuleState {
  name: string;
  path: string;
  elf: ElfFile;
  table: SymbolTable;
  dwarf: DwarfReader | null;
  release: string | null;
  buildId: string | null;
  compressed: boolean;
}

/** Module folders are searched this deep and this wide (a whole /lib/modules tree is ~6,000 files). */
const MAX_SCAN_DEPTH = 8;
const MAX_SCAN_ENTRIES = 200_000;
const MODULE_FILE = /^(.+?)\.ko(?:\.(?:xz|zst|gz))?$/;

export class KernelSymbolizer implements Symbolizer {
  private vmlinux: Promise<Loaded<VmlinuxState>> | null = null;
  private systemMap: Loaded<SymbolTable> | null = null;
  private kallsyms: Loaded<SymbolTable> | null = null;
  private moduleIndex: Map<string, string> | null = null;
  private readonly modules = new Map<string, Promise<Loaded<ModuleState>>>();
  private readonly external: ExternalSymbolizer | null;
  /** size:mtime of each file read, to notice a rebuilt vmlinux or module (isStale). */
  private readonly stamps = new Map<string, string>();
  private checkedAt = 0;

  constructor(
    readonly config: SymbolSourcesConfig,
    private readonly onLoad: LoadListener = () => {},
  ) {
    this.external = config.external !== 'off' && config.trusted ? new ExternalSymbolizer(config.external) : null;
  }

  async symbolize(query: SymbolQuery): Promise<SymbolInfo | null> {
    try {
      return query.module ? await this.symbolizeModule(query, query.module) : await this.symbolizeKernel(query);
    } catch (err) {
      // A broken file says so in the hover; nothing here may throw into the caller.
      return { frames: [], note: `Symbolizer: ${messageOf(err)}` };
    }
  }

  /** The files in use and whether they fit a log of `release` (null: the log does not say). */
  async status(release: string | null, logModules: readonly ModuleRef[] = []): Promise<SymbolStatus> {
    const sources: SymbolSourceState[] = [];
    const { vmlinux, systemMap, kallsyms } = this.config;
    if (vmlinux) {
      const v = await this.loadVmlinux();
      sources.push({
        kind: 'vmlinux',
        path: vmlinux.path,
        foundBy: vmlinux.foundBy,
        ok: v.value !== null,
        error: v.error ?? undefined,
        release: v.value?.release ?? null,
        buildId: v.value?.buildId ?? null,
        matches: sameRelease(v.value?.release ?? null, release),
        debugInfo: v.value ? v.value.dwarf !== null : undefined,
      });
    }
    if (systemMap) {
      const m = this.loadSystemMap();
      const fileRelease = releaseFromName(systemMap.path);
      sources.push({
        kind: 'system-map',
        path: systemMap.path,
        foundBy: systemMap.foundBy,
        ok: m.value !== null,
        error: m.error ?? undefined,
        release: fileRelease,
        matches: sameRelease(fileRelease, release),
      });
    }
    if (kallsyms) {
      const k = this.loadKallsyms();
      sources.push({ kind: 'kallsyms', path: kallsyms.path, foundBy: kallsyms.foundBy, ok: k.value !== null, error: k.error ?? undefined, matches: null });
    }
    for (const dir of this.config.modulePaths) {
      const index = this.indexModules();
      const found = logModules.filter((m) => index.has(normalizeModuleName(m.name)));
      const states = await Promise.all(found.map((m) => this.loadModule(m.name)));
      const releases = states.map((s) => s?.value?.release ?? null).filter((r): r is string => r !== null);
      // The build id, when the log prints one, decides; else the release in the module's vermagic.
      const verdicts = found.map((m, i) => {
        const mod = states[i]?.value;
        if (!mod) return null;
        if (m.buildId && mod.buildId) return m.buildId.toLowerCase() === mod.buildId.toLowerCase();
        return sameRelease(mod.release, release);
      });
      const errors = states.map((s) => s?.error).filter((e): e is string => !!e);
      const matches = verdicts.includes(false) ? false : verdicts.includes(true) ? true : null;
      sources.push({ kind: 'modules', path: dir.path, foundBy: dir.foundBy, ok: errors.length === 0, error: errors[0], release: releases[0] ?? null, matches });
    }
    for (const root of this.config.sourceRoots.slice(0, 1))
      sources.push({ kind: 'source-root', path: root, foundBy: this.config.sourceRootSet ? 'setting' : 'workspace', ok: existsSync(root) });
    return summarize(sources);
  }

  /** A file it read has changed since (checked at most once a second): the owner makes a new one. */
  isStale(now = Date.now()): boolean {
    if (now - this.checkedAt < 1000) return false;
    this.checkedAt = now;
    for (const [path, stamp] of this.stamps) if (fileStamp(path) !== stamp) return true;
    return false;
  }

  private stamp(path: string): void {
    this.stamps.set(path, fileStamp(path));
  }

  dispose(): void {
    this.external?.dispose();
    void this.vmlinux?.then((v) => v.value?.elf.close());
    for (const m of this.modules.values()) void m.then((s) => s.value?.elf.close());
  }

  // ----------------------------------------------------------------------------------------------
  // Kernel (vmlinux, System.map, kallsyms)

  private async symbolizeKernel(query: SymbolQuery): Promise<SymbolInfo | null> {
    const vm = this.config.vmlinux ? await this.loadVmlinux() : null;
    const tables: { table: SymbolTable; source: string }[] = [];
    if (vm?.value) tables.push({ table: vm.value.table, source: this.config.vmlinux!.path });
    const map = this.config.systemMap ? this.loadSystemMap() : null;
    if (map?.value) tables.push({ table: map.value, source: this.config.systemMap!.path });
    const kall = this.config.kallsyms ? this.loadKallsyms() : null;
    if (kall?.value) tables.push({ table: kall.value, source: this.config.kallsyms!.path });
    const errors = [vm?.error, map?.error, kall?.error].filter((e): e is string => !!e);
    if (!tables.length) return errors.length ? { frames: [], note: errors.join(' ') } : null;

    const notes: string[] = [];
    const resolved = resolveSymbol(query, tables, notes);
    if (!resolved) return errors.length || notes.length ? { frames: [], note: [...errors, ...notes].join(' ') } : null;
    const { symbol, offset, address, lookup } = resolved;
    const at = lookup === 'return-address-1' ? address - 1n : address;
    const mismatch = vm?.value && query.release ? sameRelease(vm.value.release, query.release) : null;
    if (mismatch === false) notes.unshift(`⚠ vmlinux is ${vm!.value!.release}, the log says ${query.release}: lines may be wrong.`);
    else if (!vm?.value && this.config.systemMap && query.release && sameRelease(releaseFromName(this.config.systemMap.path), query.release) === false) {
      notes.unshift(`⚠ ${basename(this.config.systemMap.path)} is not for ${query.release}.`);
    }
    let locations: SourceLocation[] = [];
    if (vm?.value?.dwarf) locations = vm.value.dwarf.lookup(at);
    // The external tool only where there is no usable DWARF: where ours has no line, llvm has none either.
    if (!locations.length && vm?.value && !vm.value.dwarf && this.external)
      locations = (await this.external.lookupExecutable(this.config.vmlinux!.path, at)) ?? [];
    if (!locations.length)
      notes.push(
        vm?.value
          ? vm.value.dwarf
            ? 'No line information for this address in vmlinux.'
            : "vmlinux has no debug info (.debug_info): install the `-dbg` package's vmlinux for source lines."
          : 'Source lines need a vmlinux with debug info (setting `kernelLog.vmlinux`).',
      );
    return {
      frames: this.sourceFrames(locations, query.function ?? symbol.name),
      symbol: { name: symbol.name, offset: Number(offset), size: Number(symbol.size), module: null, address: address.toString(16) },
      lookup,
      sources: [...new Set([...(vm?.value ? [this.config.vmlinux!.path] : []), resolved.source])],
      note: notes.join(' ') || undefined,
    };
  }

  private loadVmlinux(): Promise<Loaded<VmlinuxState>> {
    const file = this.config.vmlinux;
    if (!file) return Promise.resolve({ value: null, error: null });
    this.vmlinux ??= (async () => {
      this.onLoad({ path: file.path, phase: 'start' });
      let elf: ElfFile | null = null;
      try {
        this.stamp(file.path);
        elf = await openObjectFile(file.path);
        const table = SymbolTable.fromElf(elf!, null);
        if (!table.count) throw new ObjectFileError(`${file.path} has no symbol table (stripped): use the vmlinux from the -dbg package.`);
        let dwarf: DwarfReader | null = null;
        let dwarfError: string | null = null;
        try {
          dwarf = DwarfReader.open(elf!);
        } catch (err) {
          dwarfError = messageOf(err);
        }
        const banner = linuxBanner(elf!);
        const value: VmlinuxState = { elf: elf!, table, dwarf, release: banner?.release ?? null, buildId: elf!.buildId() };
        this.onLoad({ path: file.path, phase: 'end' });
        return { value, error: dwarfError ? `${file.path}: debug info unusable (${dwarfError}).` : null };
      } catch (err) {
        elf?.close();
        const error = describeFileError(file.path, err);
        this.onLoad({ path: file.path, phase: 'end', error });
        return { value: null, error };
      }
    })();
    return this.vmlinux;
  }

  private loadSystemMap(): Loaded<SymbolTable> {
    const file = this.config.systemMap!;
    // The setting may name a /proc/kallsyms dump too (it has a `[module]` column).
    if (!this.systemMap) this.stamp(file.path);
    this.systemMap ??= loadText(file.path, (text) =>
      /^[0-9a-f]+ \S \S+\t\[/m.test(text) ? SymbolTable.parseKallsyms(text, file.path) : SymbolTable.parseSystemMap(text, file.path),
    );
    return this.systemMap;
  }

  private loadKallsyms(): Loaded<SymbolTable> {
    const file = this.config.kallsyms!;
    if (!this.kallsyms) this.stamp(file.path);
    this.kallsyms ??= loadText(file.path, (text) => SymbolTable.parseKallsyms(text, file.path));
    return this.kallsyms;
  }

  // ----------------------------------------------------------------------------------------------
  // Modules

  private async symbolizeModule(query: SymbolQuery, name: string): Promise<SymbolInfo | null> {
    const state = await this.loadModule(name);
    if (!state) {
      return this.config.modulePaths.length
        ? { frames: [], note: `Module \`${name}\` not found in ${this.config.modulePaths.map((p) => p.path).join(', ')}.` }
        : null;
    }
    if (!state.value) return { frames: [], note: state.error ?? `Module ${name} could not be read.` };
    const mod = state.value;
    const notes: string[] = [];
    if (query.buildId && mod.buildId && query.buildId.toLowerCase() !== mod.buildId.toLowerCase())
      notes.push(`⚠ ${basename(mod.path)} has build id ${mod.buildId}, the log ${query.buildId}: lines may be wrong.`);
    else if (query.release && sameRelease(mod.release, query.release) === false)
      notes.push(`⚠ ${basename(mod.path)} is built for ${mod.release}, the log says ${query.release}.`);
    const resolved = resolveSymbol(query, [{ table: mod.table, source: mod.path }], notes, false);
    if (!resolved) return { frames: [], note: notes.join(' ') || undefined };
    const { symbol, offset, address, lookup } = resolved;
    const at = lookup === 'return-address-1' ? address - 1n : address;
    let locations: SourceLocation[] = [];
    if (mod.dwarf) locations = mod.dwarf.lookup(at, symbol.section ?? undefined);
    if (!locations.length && !mod.dwarf && this.external && !mod.compressed && symbol.sectionName)
      locations = (await this.external.lookupRelocatable(mod.path, symbol.sectionName, at)) ?? [];
    if (!locations.length)
      notes.push(mod.dwarf ? `No line information for this address in ${basename(mod.path)}.` : `${basename(mod.path)} has no debug info.`);
    return {
      frames: this.sourceFrames(locations, query.function ?? symbol.name),
      symbol: {
        name: symbol.name,
        offset: Number(offset),
        size: Number(symbol.size),
        module: name,
        address: address.toString(16),
        section: symbol.sectionName,
      },
      lookup,
      sources: [mod.path],
      note: notes.join(' ') || undefined,
    };
  }

  private indexModules(): Map<string, string> {
    if (this.moduleIndex) return this.moduleIndex;
    const index = new Map<string, string>();
    let budget = MAX_SCAN_ENTRIES;
    const visit = (path: string, depth: number): void => {
      if (budget-- <= 0) return;
      let st: ReturnType<typeof statSync>;
      try {
        st = statSync(path);
      } catch {
        return;
      }
      if (st.isFile()) {
        const m = MODULE_FILE.exec(basename(path));
        const key = m ? normalizeModuleName(m[1]) : null;
        if (key && !index.has(key)) index.set(key, path);
        return;
      }
      if (!st.isDirectory() || depth > MAX_SCAN_DEPTH) return;
      let entries: string[];
      try {
        entries = readdirSync(path).sort();
      } catch {
        return;
      }
      for (const e of entries) visit(join(path, e), depth + 1);
    };
    for (const p of this.config.modulePaths) visit(p.path, 0);
    this.moduleIndex = index;
    return index;
  }

  private loadModule(name: string): Promise<Loaded<ModuleState>> | null {
    const key = normalizeModuleName(name);
    const path = this.indexModules().get(key);
    if (!path) return null;
    let state = this.modules.get(key);
    if (!state) {
      state = (async () => {
        let elf: ElfFile | null = null;
        try {
          this.stamp(path);
          elf = await openObjectFile(path);
          const table = SymbolTable.fromElf(elf!, name);
          let dwarf: DwarfReader | null = null;
          let error: string | null = null;
          try {
            dwarf = DwarfReader.open(elf!);
          } catch (err) {
            error = `${path}: debug info unusable (${messageOf(err)}).`;
          }
          const vermagic = moduleVermagic(elf!);
          const value: ModuleState = {
            name,
            path,
            elf: elf!,
            table,
            dwarf,
            release: vermagic ? vermagic.split(' ')[0] : null,
            buildId: elf!.buildId(),
            compressed: !/\.ko$/.test(path),
          };
          return { value, error };
        } catch (err) {
          elf?.close();
          return { value: null, error: describeFileError(path, err) };
        }
      })();
      this.modules.set(key, state);
    }
    return state;
  }

  // ----------------------------------------------------------------------------------------------
  // Source files

  private sourceFrames(locations: SourceLocation[], printedName: string): SourceFrame[] {
    return locations.map((loc, i) => {
      const outer = i === locations.length - 1;
      const rel = loc.file ? stripBuildPrefix(loc.file).relative : null;
      return {
        function: loc.function ?? (outer ? printedName : '??'),
        file: rel,
        line: loc.line,
        column: loc.column,
        inline: !outer,
        path: rel ? this.findSource(rel) : null,
      };
    });
  }

  private readonly sourceCache = new Map<string, string | null>();

  /**
   * The file on disk: under a source root first (the tree the user named), by the path relative to
   * it or, for an absolute path (a module built elsewhere), by its trailing components, longest
   * first: `/build/mod/src/foo.c` → `src/foo.c` → `foo.c`; else the absolute path when it exists.
   */
  private findSource(rel: string): string | null {
    let hit = this.sourceCache.get(rel);
    if (hit !== undefined) return hit;
    hit = null;
    const parts = rel.split('/').filter(Boolean);
    const tails = isAbsolute(rel) ? parts.map((_, i) => parts.slice(i).join('/')) : [parts.join('/')];
    outer: for (const tail of tails) {
      for (const root of this.config.sourceRoots) {
        if (existsSync(join(root, tail))) {
          hit = join(root, tail);
          break outer;
        }
      }
    }
    if (!hit && isAbsolute(rel) && existsSync(rel)) hit = rel;
    if (this.sourceCache.size > 10_000) this.sourceCache.clear();
    this.sourceCache.set(rel, hit);
    return hit;
  }
}

// ------------------------------------------------------------------------------------------------
// Resolving an entry to a symbol and an address

interface Resolved {
  symbol: TextSymbol;
  offset: bigint;
  /** Link-time address of the entry (symbol + offset), before any -1. */
  address: bigint;
  lookup: LookupKind;
  source: string;
}

const PFX = '__pfx_';

function resolveSymbol(query: SymbolQuery, tables: { table: SymbolTable; source: string }[], notes: string[], kernel = true): Resolved | null {
  let name = query.function;
  let offset = query.offset !== null ? BigInt(query.offset) : null;
  let size = query.size !== null ? BigInt(query.size) : undefined;
  let lookup: LookupKind = query.exact ? 'exact' : 'return-address-1';
  // `? __pfx_foo+0x10/0x10`: a pointer to foo (the -1 of %pB fell into foo's padding).
  if (name?.startsWith(PFX) && atFunctionEnd(query)) {
    name = name.slice(PFX.length);
    offset = 0n;
    size = undefined;
    lookup = 'function-pointer';
  }
  if (name && offset !== null) {
    for (const { table, source } of tables) {
      const hit = table.byName(name, size, kernel ? null : undefined);
      if (!hit) continue;
      if (!hit.sizeMatches && size !== undefined)
        notes.push(
          `⚠ \`${name}\` is 0x${hit.symbol.size.toString(16)} bytes in ${basename(source)}, the log prints 0x${size.toString(16)}: a different build?`,
        );
      else if (hit.candidates > 1)
        notes.push(`${hit.candidates} functions are named \`${name}\`; the one of size 0x${hit.symbol.size.toString(16)} was taken.`);
      return { symbol: hit.symbol, offset, address: hit.symbol.address + offset, lookup, source };
    }
    notes.push(`\`${name}\` is not in ${tables.map((t) => basename(t.source)).join(' or ')}.`);
    return null;
  }
  // A raw address: usable when the KASLR offset is known.
  if (query.address && kernel) {
    const runtime = BigInt('0x' + query.address);
    const kaslr = kaslrOffset(query, tables);
    if (kaslr === null) {
      notes.push('A raw address needs the KASLR offset: the log prints neither `Kernel Offset:` nor an address with its symbol.');
      return null;
    }
    for (const { table, source } of tables) {
      const hit = table.byAddress(runtime - kaslr);
      if (hit) return { symbol: hit.symbol, offset: hit.offset, address: runtime - kaslr, lookup, source };
    }
  }
  return null;
}

/** KASLR offset: `Kernel Offset:` of the log, or inferred from an address printed with its symbol. */
export function kaslrOffset(query: SymbolQuery, tables: { table: SymbolTable }[]): bigint | null {
  if (query.kernelOffset) return BigInt('0x' + query.kernelOffset);
  for (const anchor of query.anchors ?? []) {
    if (anchor.module) continue;
    for (const { table } of tables) {
      const hit = table.byName(anchor.function);
      if (hit) return BigInt('0x' + anchor.address) - (hit.symbol.address + BigInt(anchor.offset));
    }
  }
  return null;
}

// ------------------------------------------------------------------------------------------------
// Helpers

function fileStamp(path: string): string {
  try {
    const st = statSync(path);
    return `${st.size}:${st.mtimeMs}`;
  } catch {
    return 'missing';
  }
}

function loadText(path: string, parse: (text: string) => SymbolTable): Loaded<SymbolTable> {
  try {
    return { value: parse(readFileSync(path, 'latin1')), error: null };
  } catch (err) {
    return { value: null, error: describeFileError(path, err) };
  }
}

export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function describeFileError(path: string, err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e?.code === 'ENOENT' || /\bENOENT\b/.test(messageOf(err))) return `${path} does not exist.`;
  if (e?.code === 'EACCES') return `${path} cannot be read (permission denied).`;
  if (e?.code === 'EISDIR') return `${path} is a folder, not a file.`;
  const message = messageOf(err);
  return message.includes(path) ? message : `${path}: ${message}`;
}

/** Module names: the log prints `kcrash_test`, the file may be `kcrash-test.ko.zst`. */
export function normalizeModuleName(name: string): string {
  return name.replace(/-/g, '_');
}

/** `System.map-6.1.0-56-amd64` / `vmlinux-6.1.0-56-amd64` → `6.1.0-56-amd64`. */
export function releaseFromName(path: string): string | null {
  return /^(?:System\.map|vmlinux|vmlinuz)-(\d+\.\d+\S*?)(?:\.debug)?$/.exec(basename(path))?.[1] ?? null;
}

/** Releases compare by their first word (the log's may carry `#1 Debian 6.1.192-2`); null when one is unknown. */
export function sameRelease(a: string | null | undefined, b: string | null | undefined): boolean | null {
  if (!a || !b) return null;
  return a.split(/\s+/)[0] === b.split(/\s+/)[0];
}

function summarize(sources: SymbolSourceState[]): SymbolStatus {
  const symbolSources = sources.filter((s) => s.kind !== 'source-root');
  if (!symbolSources.length) return { sources, summary: 'no symbols', matches: null };
  const usable = symbolSources.filter((s) => s.ok);
  const bad = symbolSources.filter((s) => s.matches === false);
  const matches = bad.length ? false : symbolSources.some((s) => s.matches === true) ? true : null;
  const label = (k: SymbolSourceState) =>
    k.kind === 'vmlinux'
      ? `vmlinux${k.debugInfo === false ? ' (no debug info)' : ''}`
      : k.kind === 'system-map'
        ? 'System.map'
        : k.kind === 'kallsyms'
          ? 'kallsyms'
          : 'modules';
  const main = usable[0] ?? symbolSources[0];
  const names = [...new Set(usable.map(label))].join(' · ');
  const summary = !usable.length ? `${label(main)}: ${main.error ?? 'unusable'}` : bad.length ? `${names}: release differs` : `${names}${matches ? ' ✓' : ''}`;
  return { sources, summary, matches };
}
