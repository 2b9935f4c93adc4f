// Which symbol files a log gets: the settings first, then files beside the log, in the workspace
// folders, and Debian's debug paths for the release the log names (/usr/lib/debug/boot/vmlinux-<rel>,
// /usr/lib/debug/lib/modules/<rel>/). One table of candidate names per kind.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import type { ExternalSetting } from './external.ts';
import type { FoundBy, SourceFile, SymbolSourcesConfig } from './kernelSymbolizer.ts';

/** The user's settings (`kernelLog.vmlinux`, ...), paths as typed. */
export interface SymbolSettings {
  vmlinux: string | null;
  systemMap: string | null;
  modulePaths: string[];
  sourceRoot: string | null;
  external: ExternalSetting;
}

export function defaultSymbolSettings(): SymbolSettings {
  return { vmlinux: null, systemMap: null, modulePaths: [], sourceRoot: null, external: 'auto' };
}

export interface DiscoveryContext {
  /** The log's own path on disk (null for untitled or remote documents). */
  logPath: string | null;
  workspaceFolders: string[];
  /** The release the log names (`6.1.0-56-amd64`), when it does. */
  release: string | null;
  trusted: boolean;
  /** Root for the distribution's debug paths; tests point it elsewhere. */
  debugRoot?: string;
  /** What relative setting paths are relative to (default: the first workspace folder, else the log's folder). */
  base?: string;
}

/** Candidate file names per kind, `{r}` standing for the release. */
const CANDIDATES = {
  vmlinux: ['vmlinux-{r}', 'vmlinux-{r}.debug', 'vmlinux', 'vmlinux.debug'],
  systemMap: ['System.map-{r}', 'System.map'],
  kallsyms: ['kallsyms-{r}', 'kallsyms', 'kallsyms.txt'],
} as const;

const DEBUG_PATHS = {
  vmlinux: ['usr/lib/debug/boot/vmlinux-{r}', 'usr/lib/debug/lib/modules/{r}/vmlinux', 'boot/vmlinux-{r}'],
  systemMap: ['usr/lib/debug/boot/System.map-{r}', 'boot/System.map-{r}'],
  modules: ['usr/lib/debug/lib/modules/{r}', 'lib/modules/{r}/kernel', 'lib/modules/{r}/updates', 'lib/modules/{r}/extra'],
} as const;

const MODULE_FILE = /\.ko(?:\.(?:xz|zst|gz))?$/;

export function discoverSources(settings: SymbolSettings, context: DiscoveryContext): SymbolSourcesConfig {
  const base = context.base ?? context.workspaceFolders[0] ?? (context.logPath ? dirname(context.logPath) : process.cwd());
  const fromSetting = (p: string | null): SourceFile | null => (p ? { path: expand(p, base), foundBy: 'setting' } : null);
  const places = searchPlaces(context);
  const find = (names: readonly string[]): SourceFile | null => {
    for (const { dir, foundBy } of places) {
      for (const name of names) {
        if (name.includes('{r}') && !context.release) continue;
        const path = join(dir, name.replace('{r}', context.release ?? ''));
        if (isFile(path)) return { path, foundBy };
      }
    }
    return null;
  };
  const debugPath = (paths: readonly string[], wantDir = false): SourceFile | null => {
    if (!context.release) return null;
    for (const p of paths) {
      const path = join(context.debugRoot ?? '/', p.replace('{r}', context.release));
      if (wantDir ? isDir(path) : isFile(path)) return { path, foundBy: 'debug-path' };
    }
    return null;
  };

  const vmlinux = fromSetting(settings.vmlinux) ?? find(CANDIDATES.vmlinux) ?? debugPath(DEBUG_PATHS.vmlinux);
  const systemMap = fromSetting(settings.systemMap) ?? find(CANDIDATES.systemMap) ?? debugPath(DEBUG_PATHS.systemMap);
  const kallsyms = find(CANDIDATES.kallsyms);
  const modulePaths: SourceFile[] = settings.modulePaths.map((p) => ({ path: expand(p, base), foundBy: 'setting' as FoundBy }));
  for (const { dir, foundBy } of places) if (holdsModules(dir)) modulePaths.push({ path: dir, foundBy });
  if (context.release) {
    for (const p of DEBUG_PATHS.modules) {
      const path = join(context.debugRoot ?? '/', p.replace('{r}', context.release));
      if (isDir(path)) modulePaths.push({ path, foundBy: 'debug-path' });
    }
  }
  const sourceRoots = [...(settings.sourceRoot ? [expand(settings.sourceRoot, base)] : []), ...context.workspaceFolders];
  return {
    vmlinux,
    systemMap,
    kallsyms,
    modulePaths: dedupe(modulePaths),
    sourceRoots: [...new Set(sourceRoots)],
    sourceRootSet: settings.sourceRoot !== null,
    external: settings.external,
    trusted: context.trusted,
  };
}

function searchPlaces(context: DiscoveryContext): { dir: string; foundBy: FoundBy }[] {
  const places: { dir: string; foundBy: FoundBy }[] = [];
  if (context.logPath) places.push({ dir: dirname(context.logPath), foundBy: 'beside-log' });
  for (const folder of context.workspaceFolders) if (!places.some((p) => p.dir === folder)) places.push({ dir: folder, foundBy: 'workspace' });
  return places;
}

/** `~`, `${workspaceFolder}` and relative paths (to the first workspace folder). */
export function expand(path: string, base: string): string {
  let p = path.trim().replace(/\$\{workspaceFolder\}/g, base);
  if (p === '~' || p.startsWith('~/')) p = join(process.env.HOME ?? '/', p.slice(1));
  return isAbsolute(p) ? p : resolve(base, p);
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** A folder with a module object directly in it (not searched deeper: a workspace can be a whole tree). */
function holdsModules(dir: string): boolean {
  try {
    return existsSync(dir) && readdirSync(dir).some((f) => MODULE_FILE.test(f));
  } catch {
    return false;
  }
}

function dedupe(files: SourceFile[]): SourceFile[] {
  const seen = new Set<string>();
  return files.filter((f) => !seen.has(f.path) && seen.add(f.path));
}
