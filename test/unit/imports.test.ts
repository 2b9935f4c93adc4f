// Every package the code imports is declared in package.json: a package that is only there because
// another one depends on it (hoisted into node_modules) may go away or change version under us.
// The import specifiers are read by esbuild's parser (the bundler that builds dist/), not by a regexp.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { test } from 'node:test';
import { build, type Plugin } from 'esbuild';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const SOURCE_DIRS = ['server/src', 'client/src', 'scripts', 'test'];
const CODE = /\.(?:ts|mts|cts|js|mjs|cjs)$/;
/** The editor's API: provided by VS Code at run time, typed by @types/vscode. */
const PROVIDED = new Set(['vscode']);

function codeFiles(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile() && CODE.test(d.name))
    .map((d) => path.relative(ROOT, path.join(d.parentPath, d.name)))
    .filter((f) => !f.split(path.sep).includes('fixtures'));
}

/** The package a bare specifier names (`@scope/name/sub` → `@scope/name`), or null for a relative or absolute path. */
export function packageOf(specifier: string): string | null {
  if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('node:')) return null;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** Every import (type-only ones too), export-from, require and import() with a literal specifier, per file. */
async function importsOf(files: string[]): Promise<Map<string, string[]>> {
  // Each file is an entry point; nothing is followed (every import external), so esbuild only parses.
  const noFollow: Plugin = {
    name: 'no-follow',
    setup(b) {
      b.onResolve({ filter: /.*/ }, (args) => (args.kind === 'entry-point' ? undefined : { path: args.path, external: true }));
    },
  };
  // Type-only imports need the package too (for tsc) but esbuild erases them: read them as value
  // imports, and keep imports of unused names (verbatimModuleSyntax).
  const typesAsValues: Plugin = {
    name: 'types-as-values',
    setup(b) {
      b.onLoad({ filter: /\.[cm]?ts$/ }, (args) => ({
        contents: readFileSync(args.path, 'utf8')
          .replace(/\bimport\s+type\s+(?=[\w*{])/g, 'import ')
          .replace(/\bexport\s+type\s+(?=[*{])/g, 'export '),
        loader: 'ts',
      }));
    },
  };
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: files,
    bundle: true,
    write: false,
    metafile: true,
    outdir: 'out',
    platform: 'node',
    format: 'esm',
    logLevel: 'silent',
    tsconfigRaw: { compilerOptions: { verbatimModuleSyntax: true } },
    plugins: [noFollow, typesAsValues],
  });
  const out = new Map<string, string[]>();
  for (const [file, input] of Object.entries(result.metafile.inputs))
    out.set(
      file,
      input.imports.filter((i) => i.path !== '<runtime>').map((i) => i.original ?? i.path),
    ); // <runtime>: esbuild's own helpers
  return out;
}

test('every package imported in server/src, client/src, scripts and test is declared in package.json', async () => {
  const manifest = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>;
  const declared = new Set(['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies'].flatMap((k) => Object.keys(manifest[k] ?? {})));
  const builtins = new Set(builtinModules);
  const files = SOURCE_DIRS.flatMap(codeFiles);
  assert.ok(files.length > 50, `only ${files.length} source files found`);
  const imports = await importsOf(files);
  assert.ok(imports.size >= files.length, 'esbuild read every file');
  const undeclared: string[] = [];
  let bare = 0;
  for (const [file, specifiers] of imports) {
    for (const specifier of specifiers) {
      const pkg = packageOf(specifier);
      if (pkg === null) continue;
      bare++;
      // A types-only package (`import type ... from 'sarif'`) is declared as @types/<name> (scoped: @types/scope__name).
      const typesPkg = `@types/${pkg.startsWith('@') ? pkg.slice(1).replace('/', '__') : pkg}`;
      if (!declared.has(pkg) && !declared.has(typesPkg) && !builtins.has(pkg) && !PROVIDED.has(pkg)) undeclared.push(`${file}: ${specifier}`);
    }
  }
  assert.ok(bare > 20, 'the bare imports were found');
  assert.deepEqual([...new Set(undeclared)], [], 'imported but not declared in package.json');
});

test('package names of specifiers', () => {
  assert.equal(packageOf('vscode-languageserver/node'), 'vscode-languageserver');
  assert.equal(packageOf('@vscode/vsce'), '@vscode/vsce');
  assert.equal(packageOf('@types/node/fs'), '@types/node');
  assert.equal(packageOf('./client.ts'), null);
  assert.equal(packageOf('node:fs'), null);
});
