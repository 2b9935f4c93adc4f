// The hand-written fast path for common stack entries must agree with the full grammar on every
// line it accepts: all fixture lines, and those lines cut, padded and mutated.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { fastEntry, parseEntryByGrammar } from '../../server/src/parser/frames.ts';
import { frameLabel } from '../../server/src/analyzer/frameText.ts';
import { fixtureMessages } from './fixture-logs.ts';

function agree(message: string): void {
  const fast = fastEntry(message, 100, 7);
  if (fast === undefined) return;
  assert.deepEqual(fast, parseEntryByGrammar(message, 100, 7), JSON.stringify(message));
}

test('the fast path agrees with the grammar on every fixture line', () => {
  const messages = fixtureMessages(['test/fixtures', 'examples', 'test/e2e/fixtures']);
  assert.ok(messages.length > 500);
  let taken = 0;
  for (const m of messages) {
    agree(m);
    if (fastEntry(m, 0, 0) !== undefined) taken++;
  }
  assert.ok(taken > 200, `fast path took only ${taken} lines`);
});

test('the fast path agrees with the grammar on mutated entry lines', () => {
  const entries = fixtureMessages(['test/fixtures', 'examples', 'test/e2e/fixtures']).filter((m) => parseEntryByGrammar(m, 0, 0) !== null);
  const pieces = [' ', '  ', '\t', '?', '? ', '[<', '>]', '+0x', '/0x', '[', ']', ' [', 'ffffffff81000000', 'a', 'Z', '.', '-', '(P)', ' (P)', '0x1f'];
  fc.assert(
    fc.property(fc.constantFrom(...entries), fc.nat(), fc.constantFrom(...pieces), fc.nat(), (entry, at, piece, cut) => {
      const p = at % (entry.length + 1);
      agree(entry.slice(0, p) + piece + entry.slice(p));
      agree(entry.slice(0, cut % (entry.length + 1)));
      agree(entry.slice(p));
    }),
    { numRuns: 3000 },
  );
});

/** The entry of one line, as `[? ]label[ (source)]`, with its address. */
function entry(message: string): { text: string; address: string | null } | null {
  const e = parseEntryByGrammar(message, 0, 0);
  if (!e) return null;
  const f = e.frame;
  return { text: `${f.reliable ? '' : '? '}${frameLabel(f)}${f.source ? ` (${f.source})` : ''}`, address: f.address };
}

test('32-bit ARM entries are named by their left function, with the offset printed for it on that line', () => {
  assert.deepEqual(entry('[<c01a4f30>] (do_page_fault+0x110/0x69c) from [<c0047b70>] (do_DataAbort+0x80/0xe4)'), {
    text: 'do_page_fault+0x110/0x69c',
    address: 'c01a4f30',
  });
  assert.deepEqual(entry('[<c0544db4>] (mmc_start_req) from [<c0545228>] (mmc_blk_issue_rw_rq+0x14/0x128)'), { text: 'mmc_start_req', address: 'c0544db4' });
  assert.deepEqual(entry('[<bf000040>] (blink_timer [blinker]) from [<c0168a2c>] (call_timer_fn+0x34/0x150)'), {
    text: 'blink_timer [blinker]',
    address: 'bf000040',
  });
  assert.deepEqual(entry(' unwind_backtrace from show_stack+0x10/0x14'), { text: 'unwind_backtrace', address: null });
  assert.deepEqual(entry(' blink_timer [blinker] from call_timer_fn+0x34/0x150'), { text: 'blink_timer [blinker]', address: null });
  assert.deepEqual(entry(' start_kernel from 0x0'), { text: 'start_kernel', address: null });
  assert.deepEqual(entry('[<c000f954>] (cpu_idle+0x64/0xfc) from [<80208160>] (0x80208160)'), { text: 'cpu_idle+0x64/0xfc', address: 'c000f954' });
  // Whatever a paste left after the entry does not unmake it.
  assert.deepEqual(entry(' show_stack from dump_stack_lvl+0x58/0x70"}'), { text: 'show_stack', address: null });
  // The caller rides along for the next line's entry.
  const e = parseEntryByGrammar(' show_stack from dump_stack_lvl+0x40/0x4c [foo]', 0, 0);
  assert.deepEqual(e?.caller, { function: 'dump_stack_lvl', offset: 0x40, size: 0x4c, module: 'foo', source: undefined });
  // Prose that says "from" is no entry.
  assert.equal(entry('Booting from ROM'), null);
  assert.equal(entry(' reading from disk'), null);
});

test('symbolized entries keep the source line of their own function', () => {
  assert.equal(entry(' dump_stack_lvl (lib/dump_stack.c:117 (discriminator 1)) ')?.text, 'dump_stack_lvl (lib/dump_stack.c:117)');
  // decode_stacktrace.sh prints an inlined callee's line first, the entry's own line last.
  assert.equal(entry(' kmalloc_trace (mm/slub.c:3748 mm/slub.c:3827 mm/slub.c:3992)')?.text, 'kmalloc_trace (mm/slub.c:3992)');
  assert.equal(entry('? dst_destroy (net/core/dst.c:112)')?.text, '? dst_destroy (net/core/dst.c:112)');
  assert.equal(entry(' nft_do_chain (net/netfilter/nf_tables_core.c:288) [nf_tables]')?.text, 'nft_do_chain [nf_tables] (net/netfilter/nf_tables_core.c:288)');
  assert.equal(entry(' cpumask_of_node (arch/x86/include/asm/topology.h:72) [inline]')?.text, 'cpumask_of_node (arch/x86/include/asm/topology.h:72)');
  assert.equal(entry(' vfs_read+0x9d/0x250 (fs/read_write.c:474)')?.text, 'vfs_read+0x9d/0x250 (fs/read_write.c:474)');
  assert.equal(entry(' vfs_read+0x9d/0x250 fs/read_write.c:474')?.text, 'vfs_read+0x9d/0x250 (fs/read_write.c:474)');
  assert.equal(entry(' [<ffffffff81123456>] vfs_read+0x9d/0x250 fs/read_write.c:474')?.text, 'vfs_read+0x9d/0x250 (fs/read_write.c:474)');
  assert.equal(entry(' __dump_stack lib/dump_stack.c:77 [inline]')?.text, '__dump_stack (lib/dump_stack.c:77)');
  assert.equal(entry(' unwind_backtrace from show_stack (arch/arm/kernel/traps.c:259) ')?.text, 'unwind_backtrace');
  assert.equal(parseEntryByGrammar(' unwind_backtrace from show_stack (arch/arm/kernel/traps.c:259) ', 0, 0)?.caller?.source, 'arch/arm/kernel/traps.c:259');
  // Ordinary entries carry no source field at all.
  assert.equal('source' in (parseEntryByGrammar(' vfs_read+0x9d/0x250', 0, 0)?.frame ?? {}), false);
  // Prose with a parenthesis is no entry.
  assert.equal(entry('Memory: 2048K/4096K available (1234K kernel code)'), null);
});

test("s390 entries in parentheses are unreliable; powerpc `(unreliable)` entries are the unwinder's own", () => {
  assert.equal(entry(' ([<000000000012345a>] dasd_do_io+0x1a/0x40)')?.text, '? dasd_do_io+0x1a/0x40');
  assert.equal(entry(' [<000000000012345a>] dasd_do_io+0x1a/0x40')?.text, 'dasd_do_io+0x1a/0x40');
  assert.equal(entry('[c0000001f8d83ae0] [c000000000412a44] .frob_device+0x24/0x90 (unreliable)')?.text, 'frob_device+0x24/0x90');
});
