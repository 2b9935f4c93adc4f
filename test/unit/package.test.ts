/**
 * Packaging checks: the vsce command of `npm run package` makes the .vsix offline; the .vsix must
 * hold exactly the allowlist of .vscodeignore (bundles, grammars, manifest and its companions), every
 * file the manifest points at, and stay small.
 *
 * The .vsix is written into a temporary directory and dist/ is not rebuilt here (npm test builds it
 * first; a missing bundle is built once), so this file never rewrites dist/ under another test that
 * runs dist/server.js or dist/cli.js. npm test runs it in a layer of its own, after the unit and LSP
 * tests (scripts/run-tests.mjs).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

const root = join(import.meta.dirname, '..', '..');
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const MAX_BYTES = 1.5 * 1024 * 1024;
/** The bundles the extension loads (dist/cli.js is the npm package's bin, not part of the .vsix). */
const BUNDLES = ['dist/client.js', 'dist/server.js', 'dist/symbolizerWorker.js'];

interface ZipEntry {
  name: string;
  size: number;
  method: number;
  compressedSize: number;
  offset: number;
}

/** Lists a zip's entries from its central directory. */
function listZip(buf: Buffer): ZipEntry[] {
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 0xffff); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  assert.ok(eocd >= 0, 'no end-of-central-directory record: not a zip');
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const entries: ZipEntry[] = [];
  for (let i = 0; i < count; i++) {
    assert.equal(buf.readUInt32LE(p), 0x02014b50, 'bad central directory entry');
    const method = buf.readUInt16LE(p + 10);
    const compressedSize = buf.readUInt32LE(p + 20);
    const size = buf.readUInt32LE(p + 24);
    const offset = buf.readUInt32LE(p + 42);
    const nameLen = buf.readUInt16LE(p + 28),
      extraLen = buf.readUInt16LE(p + 30),
      commentLen = buf.readUInt16LE(p + 32);
    entries.push({ name: buf.toString('utf8', p + 46, p + 46 + nameLen), size, method, compressedSize, offset });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => relative(root, join(d.parentPath, d.name)).split('\\').join('/'));
}

/** The images a markdown text shows (relative paths). */
function readmeImages(text: string): string[] {
  return [...text.matchAll(/!\[[^\]]*\]\(([^)\s]+)[^)]*\)/g)].map((m) => m[1]);
}

/** A file of the .vsix, uncompressed (stored or deflated, as vsce writes them). */
function vsixFile(name: string): string {
  const e = entries.find((x) => x.name === name);
  assert.ok(e, `${name} is not in the .vsix`);
  const buf = readFileSync(vsixPath);
  assert.equal(buf.readUInt32LE(e.offset), 0x04034b50, 'bad local file header');
  const start = e.offset + 30 + buf.readUInt16LE(e.offset + 26) + buf.readUInt16LE(e.offset + 28);
  const data = buf.subarray(start, start + e.compressedSize);
  return (e.method === 0 ? data : inflateRawSync(data)).toString('utf8');
}

let dir = '';
let vsixPath = '';
let packageOutput = '';
let entries: ZipEntry[] = [];

before(() => {
  if (BUNDLES.some((f) => !existsSync(join(root, f)))) {
    const build = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: root, encoding: 'utf8' });
    assert.equal(build.status, 0, `build failed:\n${build.stdout}\n${build.stderr}`);
  }
  // `npm run build && vsce package ... --out dist/kernel-crash-log.vsix`: its vsce command as it is,
  // with the .vsix written elsewhere.
  const script: string = manifest.scripts.package;
  const m = /^npm run build && vsce (package .*) --out (\S+)$/.exec(script);
  assert.ok(m, `the package script is not "npm run build && vsce package ... --out FILE": ${script}`);
  dir = mkdtempSync(join(tmpdir(), 'kcrash-vsix-'));
  vsixPath = join(dir, 'kernel-crash-log.vsix');
  const vsce = join(root, 'node_modules', '@vscode', 'vsce', 'vsce');
  const run = spawnSync(process.execPath, [vsce, ...m[1].split(/\s+/), '--out', vsixPath], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  packageOutput = `${run.stdout}\n${run.stderr}`;
  assert.equal(run.status, 0, `vsce package failed:\n${packageOutput}`);
  entries = listZip(readFileSync(vsixPath));
});

after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('the package script makes the .vsix offline', () => {
  assert.ok(existsSync(vsixPath), `${vsixPath} was not written`);
  assert.ok(entries.length > 0);
});

test('vsce reports no warnings', () => {
  assert.doesNotMatch(packageOutput, /\bWARNING\b/i);
});

test('the .vsix holds exactly the allowlist', () => {
  // vsce renames README.md, LICENSE and CHANGELOG.md inside the package.
  const expected = new Set([
    '[Content_Types].xml',
    'extension.vsixmanifest',
    'extension/package.json',
    'extension/dist/client.js',
    'extension/dist/server.js',
    'extension/dist/symbolizerWorker.js',
    'extension/dist/iced_x86.js',
    'extension/dist/iced_x86_bg.wasm',
    'extension/dist/iced_x86.LICENSE.txt',
    'extension/LICENSE.txt',
    'extension/changelog.md',
    'extension/images/icon.png',
    'extension/language-configuration.json',
    'extension/docs/findings.md',
    ...filesUnder(join(root, 'syntaxes')).map((f) => `extension/${f}`),
  ]);
  // The users' README (README.vsix.md, by --readme-path) and the images it shows.
  expected.add('extension/readme.md');
  for (const image of readmeImages(readFileSync(join(root, 'README.vsix.md'), 'utf8'))) expected.add(`extension/${image}`);
  const actual = entries.map((e) => e.name).filter((n) => !n.endsWith('/'));
  assert.deepEqual([...actual].sort(), [...expected].sort());
});

test("the .vsix's README is the users' README, its images packaged beside it, nothing pointing at a host that does not exist", () => {
  const readme = vsixFile('extension/readme.md');
  assert.equal(readme, readFileSync(join(root, 'README.vsix.md'), 'utf8'), 'readme.md is README.vsix.md as written (no link rewritten)');
  assert.doesNotMatch(readme, /npm ci/, "the developers' README");
  const names = new Set(entries.map((e) => e.name));
  const images = readmeImages(readme);
  assert.ok(images.length >= 2);
  for (const image of images) assert.ok(names.has(`extension/${image}`), `${image} is not packaged`);
  for (const name of ['extension/readme.md', 'extension/changelog.md', 'extension/package.json', 'extension.vsixmanifest'])
    assert.doesNotMatch(vsixFile(name), /example\.invalid/, `${name} links to the placeholder host`);
});

test('every file the manifest points at is packaged', () => {
  const names = new Set(entries.map((e) => e.name));
  const paths: string[] = [manifest.main, manifest.icon];
  for (const lang of manifest.contributes?.languages ?? []) if (lang.configuration) paths.push(lang.configuration);
  for (const grammar of manifest.contributes?.grammars ?? []) paths.push(grammar.path);
  for (const p of paths) {
    const name = `extension/${p.replace(/^\.\//, '')}`;
    assert.ok(names.has(name), `${p} is referenced by package.json but not packaged`);
  }
});

test("the CLI stays out of the .vsix: it is the npm package's bin, and the extension never loads it", () => {
  const bins = Object.values<string>(manifest.bin ?? {}).map((p) => `extension/${p.replace(/^\.\//, '')}`);
  assert.deepEqual(bins, ['extension/dist/cli.js']);
  assert.ok(!entries.some((e) => bins.includes(e.name)), 'dist/cli.js is packaged');
  for (const bundle of ['dist/client.js', 'dist/server.js'])
    assert.doesNotMatch(readFileSync(join(root, bundle), 'utf8'), /\bcli\.js\b/, `${bundle} names cli.js`);
});

test('the .vsix is at most 1.5 MB', () => {
  const size = statSync(vsixPath).size;
  assert.ok(size <= MAX_BYTES, `${size} bytes > ${MAX_BYTES}`);
});

test("the README's Install section names every file the manifest opens as a kernel log", () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const install = readme.slice(readme.indexOf('\n## Install'), readme.indexOf('\n## ', readme.indexOf('\n## Install') + 1));
  const lang = manifest.contributes.languages.find((l: { id: string }) => l.id === 'kernel-log');
  for (const p of [...lang.extensions, ...lang.filenames, ...lang.filenamePatterns])
    assert.ok(install.includes(`\`${p}\``), `README ## Install does not name \`${p}\``);
});

test('the icon is a 128x128 PNG', () => {
  const png = readFileSync(join(root, 'images', 'icon.png'));
  assert.equal(png.toString('latin1', 1, 4), 'PNG');
  assert.equal(png.readUInt32BE(16), 128);
  assert.equal(png.readUInt32BE(20), 128);
});
