// The repository's own logs, for tests that check a rule on every line of them.
import fs from 'node:fs';
import path from 'node:path';
import { computeLineStarts, lineEnd, newPrefixScan, scanLinePrefix } from '../../server/src/parser/lines.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** Every `.log` of test/fixtures and examples (and more `dirs` when given), as name and text. */
export function fixtureLogs(dirs: string[] = ['test/fixtures', 'examples']): { name: string; text: string }[] {
  const out: { name: string; text: string }[] = [];
  for (const dir of dirs) {
    const abs = path.join(ROOT, dir);
    if (!fs.existsSync(abs)) continue;
    for (const name of fs
      .readdirSync(abs)
      .filter((n) => n.endsWith('.log'))
      .sort()) {
      out.push({ name: `${dir}/${name}`, text: fs.readFileSync(path.join(abs, name), 'utf8') });
    }
  }
  return out;
}

/** The distinct kernel texts of those logs' lines (prefixes removed). */
export function fixtureMessages(dirs?: string[]): string[] {
  const out = new Set<string>();
  for (const { text } of fixtureLogs(dirs)) {
    const starts = computeLineStarts(text);
    const scan = newPrefixScan();
    for (let i = 0; i < starts.length; i++) {
      const end = lineEnd(text, starts, i);
      scanLinePrefix(text, starts[i], end, scan);
      out.add(text.slice(scan.textStart, end));
    }
  }
  return [...out];
}
