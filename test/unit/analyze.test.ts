// The analyzer searches short stacks for twins directly and indexes long ones: both ways must give
// the same findings, for entries with and without addresses.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { analyze } from '../../server/src/analyzer/analyze.ts';
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
  const entry = fc.tuple(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 2 }), fc.boolean(), fc.boolean());
  fc.assert(
    // Up to 48 entries (searched directly without padding) over three names: a name with many
    // entries is split by offset in the index.
    fc.property(fc.array(entry, { maxLength: 48 }), (entries) => {
      // Padding after the entries changes no twin among them, only how the stack is searched.
      assert.deepEqual(duplicates(trace(entries, 100)), duplicates(trace(entries, 0)));
    }),
    { numRuns: 300 },
  );
});

test("corrupted-report warns only where the report's own stacks agree", () => {
  // An old arm lockdep report: its frames follow `stack backtrace:` with no `Call Trace:` line, so
  // syzkaller's reading finds no stack (the model says corrupted) though nothing is missing.
  const arm = [
    '[   65.470000] =============================================',
    '[   65.470000] [ INFO: possible recursive locking detected ]',
    '[   65.470000] 3.5.0-rc5 #2 Not tainted',
    '[   65.470000] ---------------------------------------------',
    '[   65.470000] kworker/0:1/73 is trying to acquire lock:',
    '[   65.470000]  (&(&host->lock)->rlock#2){-.-...}, at: [<bf054120>] frob_enable_irq+0x18/0xdc [frob]',
    '[   65.470000] but task is already holding lock:',
    '[   65.470000]  (&(&host->lock)->rlock#2){-.-...}, at: [<bf054120>] frob_enable_irq+0x18/0xdc [frob]',
    '[   65.470000] stack backtrace:',
    '[   65.470000] [<c0014990>] (unwind_backtrace+0x0/0xf4) from [<c005ccb8>] (__lock_acquire+0x14f8/0x1b98)',
    '[   65.470000] [<c005ccb8>] (__lock_acquire+0x14f8/0x1b98) from [<c005d3f8>] (lock_acquire+0xa0/0x108)',
    '[   65.470000] [<c005d3f8>] (lock_acquire+0xa0/0x108) from [<bf054120>] (frob_enable_irq+0x18/0xdc [frob])',
    '[   65.470000] [<bf054120>] (frob_enable_irq+0x18/0xdc [frob]) from [<c0219b38>] (frob_irq_thread+0x1bc/0x274)',
  ].join('\n');
  const armLog = parseCrashLog(arm + '\n');
  assert.equal(armLog.reports[0].corrupted, true);
  assert.ok(armLog.reports[0].stacks.some((s) => s.frames.length > 0));
  assert.ok(!analyze(armLog).some((f) => f.code === 'corrupted-report'));

  // A trace cut off right after its header: the model has no frames either, so it warns.
  const cut = ['[  10.000000] BUG: kernel NULL pointer dereference, address: 0000000000000008', '[  10.000001] Call Trace:'].join('\n');
  const cutLog = parseCrashLog(cut + '\n');
  assert.equal(cutLog.reports[0].corrupted, true);
  assert.ok(analyze(cutLog).some((f) => f.code === 'corrupted-report'));
});
