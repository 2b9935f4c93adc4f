// The analyzer searches short stacks for twins directly and indexes long ones: both ways must give
// the same findings, for entries with and without addresses.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { analyze } from '../../server/src/analysis/analyze.ts';
import { parseCrashLog } from '../../server/src/parser/parse.ts';

const NAMES = ['vfs_read', 'ksys_read', 'do_syscall_64', 'path_init', 'lookup_fast'];

/** A call trace of `entries`, each `[address, name index, reliable]`, padded to `pad` more reliable entries. */
function trace(entries: [number, number, boolean, boolean][], pad: number): string {
  const lines = ['BUG: kernel NULL pointer dereference, address: 0000000000000008', 'Call Trace:'];
  for (const [addr, name, reliable, withAddress] of entries) {
    const a = withAddress ? `[<ffffffff8100${addr.toString(16).padStart(4, '0')}>] ` : '';
    lines.push(` ${a}${reliable ? '' : '? '}${NAMES[name]}+0x${(addr % 7).toString(16)}/0x40`);
  }
  for (let i = 0; i < pad; i++) lines.push(` [<ffffffff8200${i.toString(16).padStart(4, '0')}>] pad_${i}+0x1/0x40`);
  return lines.join('\n') + '\n';
}

function duplicates(text: string): string[] {
  return analyze(parseCrashLog(text))
    .filter((f) => f.code === 'duplicate-frame')
    .map((f) => `${f.line}->${f.related[0].line}`);
}

test('short and long stacks find the same twins', () => {
  const entry = fc.tuple(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: NAMES.length - 1 }), fc.boolean(), fc.boolean());
  fc.assert(
    fc.property(fc.array(entry, { maxLength: 20 }), (entries) => {
      // Padding after the entries changes no twin among them, only how the stack is searched.
      assert.deepEqual(duplicates(trace(entries, 100)), duplicates(trace(entries, 0)));
    }),
    { numRuns: 300 },
  );
});
