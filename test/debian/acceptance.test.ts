// Acceptance test of the native symbolizer against the real Debian 6.1.0-56-amd64 build: every
// `func+off/size` entry of test/fixtures/real-debian-*.log must give the function, file:line and
// inline chain that llvm-symbolizer (vmlinux) and addr2line (module) give
// (test/fixtures/real-debian/ground-truth.json). vmlinux (633 MB) is not in the repository:
// `scripts/real-logs/make.sh debug` fetches it into KCRASH_REAL_CACHE (default /var/cache/kcrash-real);
// without it the vmlinux entries are skipped. See test/debian/README.md.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { DEBIAN, symbolizeForTest, type GroundTruthEntry, type GroundTruthFrame } from './symbolize.ts';

const entries: GroundTruthEntry[] = JSON.parse(fs.readFileSync(DEBIAN.groundTruth, 'utf8'));
const haveVmlinux = fs.existsSync(DEBIAN.vmlinux);
const SKIP_VMLINUX = `no ${DEBIAN.vmlinux}: run scripts/real-logs/make.sh debug (downloads linux-image-${DEBIAN.release}-dbg=${DEBIAN.version}, 858 MB) or set KCRASH_REAL_CACHE`;

const show = (frames: GroundTruthFrame[]) =>
  frames.map((f) => `${f.function ?? '(no function)'} ${f.file ?? '??'}:${f.line}${f.column ? `:${f.column}` : ''}`).join(' <- ') || '(no frames)';

/** Why `got` differs from the ground truth, or null. A null function in the ground truth (no DWARF
 *  subprogram) accepts any name (e.g. the ELF symbol); columns are compared when both have one. */
function mismatch(want: GroundTruthFrame[], got: GroundTruthFrame[]): string | null {
  if (got.length !== want.length) return `${got.length} frames, want ${want.length}`;
  for (let i = 0; i < want.length; i++) {
    const w = want[i],
      g = got[i];
    if (w.function !== null && g.function !== w.function) return `frame ${i}: function ${g.function}, want ${w.function}`;
    if (g.file !== w.file) return `frame ${i}: file ${g.file}, want ${w.file}`;
    if (g.line !== w.line) return `frame ${i}: line ${g.line}, want ${w.line}`;
    if (w.column !== undefined && g.column !== undefined && g.column !== w.column) return `frame ${i}: column ${g.column}, want ${w.column}`;
  }
  return null;
}

test('ground truth: every entry is the text at its fixture line', () => {
  const lines = new Map<string, string[]>();
  for (const e of entries) {
    if (!lines.has(e.fixture)) lines.set(e.fixture, fs.readFileSync(path.join(DEBIAN.fixtures, e.fixture), 'utf8').split('\n'));
    assert.ok(lines.get(e.fixture)![e.line - 1].includes(e.text), `${e.fixture}:${e.line} does not hold ${e.text}`);
    assert.ok(e.frames.length > 0, `${e.fixture}:${e.line} has no frames`);
  }
});

for (const fixture of [...new Set(entries.map((e) => e.fixture))]) {
  for (const kind of ['vmlinux', 'module'] as const) {
    const es = entries.filter((e) => e.fixture === fixture && (kind === 'module') === (e.module !== null));
    if (es.length === 0) continue;
    const skip = kind === 'vmlinux' && !haveVmlinux ? SKIP_VMLINUX : false;
    test(`${fixture}: ${es.length} ${kind} entries`, { skip }, async () => {
      const failures: string[] = [];
      for (const e of es) {
        let why: string | null;
        let got: GroundTruthFrame[] = [];
        try {
          got = await symbolizeForTest(e);
          why = mismatch(e.frames, got);
        } catch (err) {
          why = `threw: ${(err as Error).message}`;
        }
        if (why)
          failures.push(
            `  line ${e.line} ${e.text} (${e.exact ? 'exact' : 'address-1'} ${e.address}): ${why}\n    want ${show(e.frames)}${got.length ? `\n    got  ${show(got)}` : ''}`,
          );
      }
      assert.equal(failures.length, 0, `${failures.length} of ${es.length} entries differ:\n${failures.join('\n')}`);
    });
  }
}

// `kcrash decode` of every real log, as a fresh process: each call-trace entry and RIP of the ground
// truth gets `(file:line)` of its outermost frame on its own line, and one line per inlined frame.
const CLI = path.join(path.resolve(import.meta.dirname, '../..'), 'dist/cli.js');
for (const fixture of [...new Set(entries.map((e) => e.fixture))]) {
  test(`kcrash decode ${fixture}`, { skip: !haveVmlinux ? SKIP_VMLINUX : !fs.existsSync(CLI) ? 'build first: node scripts/build.mjs' : false }, () => {
    const r = spawnSync(
      process.execPath,
      [
        CLI,
        'decode',
        '--vmlinux',
        DEBIAN.vmlinux,
        '--modules',
        path.dirname(DEBIAN.modules.kcrash_test),
        '--external',
        'off',
        path.join(DEBIAN.fixtures, fixture),
      ],
      { encoding: 'utf8' },
    );
    assert.equal(r.status, 0, r.stderr);
    const out = r.stdout.split('\n').map((l) => l.replace(/\r$/, ''));
    const lines: string[] = [];
    const inlined = new Map<number, string[]>();
    for (const l of out) {
      if (l.endsWith(' (inlined)')) inlined.get(lines.length)!.push(l);
      else {
        lines.push(l);
        inlined.set(lines.length, []);
      }
    }
    const failures: string[] = [];
    for (const e of entries.filter((x) => x.fixture === fixture && !/^(?:WARNING:|NMI backtrace)/.test(x.text))) {
      const outer = e.frames.at(-1)!;
      const line = lines[e.line - 1];
      if (!outer.file) continue;
      const want = `${e.text.replace(/ \[[\w]+\]$/, '')} (${outer.file}:${outer.line})`;
      if (!line.includes(want)) failures.push(`line ${e.line}: want …${want}…, got ${line}`);
      const inl = inlined.get(e.line)!;
      if (inl.length !== e.frames.length - 1) failures.push(`line ${e.line}: ${inl.length} inline lines, want ${e.frames.length - 1}`);
    }
    assert.equal(failures.length, 0, failures.join('\n'));
  });
}
