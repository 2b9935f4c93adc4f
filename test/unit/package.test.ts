/**
 * Packaging checks: `npm run package` builds the bundles and makes the .vsix with vsce offline;
 * the .vsix must hold exactly the allowlist of .vscodeignore (bundles, grammars, manifest and its
 * companions), every file the manifest points at, and stay small.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';

const root = join(import.meta.dirname, '..', '..');
const vsixPath = join(root, 'dist', 'kernel-crash-log.vsix');
const MAX_BYTES = 1.5 * 1024 * 1024;

interface ZipEntry { name: string; size: number }

/** Lists a zip's entries from its central directory. */
function listZip(buf: Buffer): ZipEntry[] {
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 0xffff); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) { eocd = i; break; }
  }
  assert.ok(eocd >= 0, 'no end-of-central-directory record: not a zip');
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const entries: ZipEntry[] = [];
  for (let i = 0; i < count; i++) {
    assert.equal(buf.readUInt32LE(p), 0x02014b50, 'bad central directory entry');
    const size = buf.readUInt32LE(p + 24);
    const nameLen = buf.readUInt16LE(p + 28), extraLen = buf.readUInt16LE(p + 30), commentLen = buf.readUInt16LE(p + 32);
    entries.push({ name: buf.toString('utf8', p + 46, p + 46 + nameLen), size });
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

let packageOutput = '';
let entries: ZipEntry[] = [];

test('npm run package makes the .vsix offline', { timeout: 120_000 }, () => {
  const run = spawnSync('npm', ['run', '--silent', 'package'], {
    cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'],
  });
  packageOutput = `${run.stdout}\n${run.stderr}`;
  assert.equal(run.status, 0, `npm run package failed:\n${packageOutput}`);
  assert.ok(existsSync(vsixPath), `${vsixPath} was not written`);
  entries = listZip(readFileSync(vsixPath));
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
    'extension/dist/cli.js',
    'extension/dist/symbolizerWorker.js',
    'extension/LICENSE.txt',
    'extension/changelog.md',
    'extension/images/icon.png',
    'extension/language-configuration.json',
    ...filesUnder(join(root, 'syntaxes')).map((f) => `extension/${f}`),
  ]);
  if (existsSync(join(root, 'README.md'))) expected.add('extension/readme.md');
  const actual = entries.map((e) => e.name).filter((n) => !n.endsWith('/'));
  assert.deepEqual([...actual].sort(), [...expected].sort());
});

test('every file the manifest points at is packaged', () => {
  const names = new Set(entries.map((e) => e.name));
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const paths: string[] = [manifest.main, manifest.icon, ...Object.values<string>(manifest.bin ?? {})];
  for (const lang of manifest.contributes?.languages ?? []) if (lang.configuration) paths.push(lang.configuration);
  for (const grammar of manifest.contributes?.grammars ?? []) paths.push(grammar.path);
  for (const p of paths) {
    const name = `extension/${p.replace(/^\.\//, '')}`;
    assert.ok(names.has(name), `${p} is referenced by package.json but not packaged`);
  }
});

test('the .vsix is at most 1.5 MB', () => {
  const size = statSync(vsixPath).size;
  assert.ok(size <= MAX_BYTES, `${size} bytes > ${MAX_BYTES}`);
});

test('the icon is a 128x128 PNG', () => {
  const png = readFileSync(join(root, 'images', 'icon.png'));
  assert.equal(png.toString('latin1', 1, 4), 'PNG');
  assert.equal(png.readUInt32BE(16), 128);
  assert.equal(png.readUInt32BE(20), 128);
});
