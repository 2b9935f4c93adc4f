// The dense syzbot-style log both benchmarks measure: the bodies of the reports in the conformance
// corpus (../shared/corpus/syzkaller/report/*, each file after its first blank line) concatenated, in
// file-number order, over and over. The bytes are kept as they are (some hold NUL bytes or U+FFFD),
// so the file is what a user gets from a syzbot dashboard. The corpus is another project's data: it
// is read from beside the repository at bench time and never copied into it.
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..');
export const SYZBOT_REPORTS = path.resolve(ROOT, '..', 'shared', 'corpus', 'syzkaller', 'report');

/** The report bodies (raw bytes), or null with the reason when the corpus is not beside the repository. */
export function syzbotBodies() {
  if (!fs.existsSync(SYZBOT_REPORTS)) return { bodies: null, reason: `no ${SYZBOT_REPORTS}: the dense syzbot-style log is left out` };
  const names = fs
    .readdirSync(SYZBOT_REPORTS)
    .filter((n) => /^\d+$/.test(n))
    .sort((a, b) => Number(a) - Number(b));
  const bodies = [];
  for (const n of names) {
    const bytes = fs.readFileSync(path.join(SYZBOT_REPORTS, n));
    const blank = bytes.indexOf('\n\n');
    if (blank < 0) continue;
    let body = bytes.subarray(blank + 2);
    if (body.length === 0) continue;
    if (body[body.length - 1] !== 0x0a) body = Buffer.concat([body, Buffer.from('\n')]);
    bodies.push(body);
  }
  return { bodies, reason: '' };
}

/**
 * Writes `sizes` (bytes, ascending) files that are prefixes of one stream of report bodies. Returns
 * false (and writes nothing) when the corpus is absent.
 */
export function writeSyzbotDense(sizes, files) {
  const { bodies } = syzbotBodies();
  if (!bodies) return false;
  const fds = files.map((f) => fs.openSync(f, 'w'));
  const written = sizes.map(() => 0);
  for (let i = 0; written[written.length - 1] < sizes[sizes.length - 1]; i++) {
    const body = bodies[i % bodies.length];
    for (let k = 0; k < sizes.length; k++) {
      if (written[k] >= sizes[k]) continue;
      fs.writeSync(fds[k], body);
      written[k] += body.length;
    }
  }
  for (const fd of fds) fs.closeSync(fd);
  return true;
}

/** About `mb` MB of the dense log as a string (decoded as an editor would: invalid UTF-8 → U+FFFD), or null. */
export function syzbotDenseText(mb) {
  const { bodies } = syzbotBodies();
  if (!bodies) return null;
  const parts = [];
  let size = 0;
  for (let i = 0; size < mb * 1e6; i++) {
    const body = bodies[i % bodies.length];
    parts.push(body);
    size += body.length;
  }
  return Buffer.concat(parts).toString('utf8');
}
