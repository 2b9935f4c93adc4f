// The Outline and the repeated-report diagnostic over real LSP stdio (the bundled dist/server.js):
// repeats grouped below the first report of their run, the hierarchical and the flat answer, the
// diagnostic's related location and count, context segments counting the entries on their marker's
// line, raw `Stack:` words named as such, lockdep chain entries named with their lock. The logs
// are written here, in the kernel's formats.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { NULL_DEREF, watchdogWarning } from '../unit/repeat-logs.ts';
import { DEFAULT_CAPABILITIES, LspClient, type Range } from './client.ts';

interface Sym {
  name: string;
  detail?: string;
  kind: number;
  range: Range;
  selectionRange: Range;
  children?: Sym[];
}

interface Flat {
  name: string;
  containerName?: string;
  location: { range: Range };
}

// Reports 1 and 2 repeat each other (the second with another `? ` entry: left out of the
// signature), report 3 is another bug, report 4 repeats report 1 after it.
const REPEATS = [...watchdogWarning(12), ...watchdogWarning(17, [' ? ktime_get+0x3c/0xa0']), ...NULL_DEREF, ...watchdogWarning(27), ''].join('\n');

/** 1-based line of the first line holding `needle` at or after line `from`. */
function lineOf(text: string, needle: string, from = 1): number {
  const lines = text.split('\n');
  for (let i = from - 1; i < lines.length; i++) if (lines[i].includes(needle)) return i + 1;
  throw new Error(`no ${needle}`);
}

// An x86 oops of the 4.x era: raw `Stack:` words, then a trace whose `<IRQ>` line holds an entry.
const OLD_IRQ = [
  '[  301.112000] BUG: unable to handle kernel NULL pointer dereference at 0000000000000040',
  '[  301.112100] IP: [<ffffffffa02f10c2>] wobble_poll+0x22/0x90 [wobble]',
  '[  301.112200] Oops: 0000 [#1] SMP',
  '[  301.112300] CPU: 1 PID: 0 Comm: swapper/1 Tainted: G           O    4.9.0-8-amd64 #1 Debian 4.9.144-3',
  '[  301.112400] RIP: 0010:[<ffffffffa02f10c2>]  [<ffffffffa02f10c2>] wobble_poll+0x22/0x90 [wobble]',
  '[  301.112500] RSP: 0018:ffff88003fd03e78  EFLAGS: 00010246',
  '[  301.112600] Stack:',
  '[  301.112700]  ffff88003a9e0000 0000000000000040 ffff88003fd03ea8 ffffffff8159b7c1',
  '[  301.112800]  ffff88003fd03ef0 ffff88003a9e0840 0000000000000001 0000000000000040',
  '[  301.112900] Call Trace:',
  '[  301.113000]  <IRQ>  [<ffffffff8159b7c1>] ? net_rx_action+0x241/0x380',
  '[  301.113100]  [<ffffffff8159b6ad>] net_rx_action+0x12d/0x380',
  '[  301.113200]  [<ffffffff8107e1a6>] __do_softirq+0x106/0x2d0',
  '[  301.113300]  [<ffffffff8107e5b8>] irq_exit+0xb8/0xc0',
  '[  301.113400]  <EOI>  [<ffffffff8103b2d5>] ? native_safe_halt+0x6/0x10',
  '[  301.113500]  [<ffffffff8101f3e0>] default_idle+0x20/0xd0',
  '[  301.113600]  [<ffffffff810c1a9a>] cpu_startup_entry+0x1ca/0x240',
  '[  301.113700] Code: 48 89 e5 41 54 53 48 89 fb 48 8b 47 40 <48> 8b 40 40 48 85 c0 74 2c',
  '[  301.113800] RIP  [<ffffffffa02f10c2>] wobble_poll+0x22/0x90 [wobble]',
  '[  301.113900]  RSP <ffff88003fd03e78>',
  '',
].join('\n');

const LOCKDEP = [
  '[  640.100000] ======================================================',
  '[  640.100100] WARNING: possible circular locking dependency detected',
  '[  640.100200] 6.1.20 #2 Not tainted',
  '[  640.100300] ------------------------------------------------------',
  '[  640.100400] wobblectl/977 is trying to acquire lock:',
  '[  640.100500] ffff888006a1c0b8 (&wb->cfg_lock){+.+.}-{3:3}, at: wobble_reconfig+0x31/0x120 [wobble]',
  '[  640.100600] ',
  '[  640.100700] but task is already holding lock:',
  '[  640.100800] ffff888005d3e2a0 (&mm->mmap_lock){++++}-{3:3}, at: vm_mmap_pgoff+0x9a/0x1b0',
  '[  640.100900] ',
  '[  640.101000] which lock already depends on the new lock.',
  '[  640.101100] ',
  '[  640.101200] the existing dependency chain (in reverse order) is:',
  '[  640.101300] ',
  '[  640.101400] -> #1 (&mm->mmap_lock){++++}-{3:3}:',
  '[  640.101500]        __might_fault+0x54/0x80',
  '[  640.101600]        wobble_fill_ring+0x6e/0x140 [wobble]',
  '[  640.101700]        wobble_reconfig+0x8c/0x120 [wobble]',
  '[  640.101800] ',
  '[  640.101900] -> #0 (&wb->cfg_lock){+.+.}-{3:3}:',
  '[  640.102000]        __lock_acquire+0x12a8/0x2220',
  '[  640.102100]        lock_acquire+0xc6/0x2c0',
  '[  640.102200]        __mutex_lock+0x9a/0x9a0',
  '[  640.102300]        wobble_reconfig+0x31/0x120 [wobble]',
  '[  640.102400] ',
  '[  640.102500] other info that might help us debug this:',
  '[  640.102600] ',
  '[  640.102610] 1 lock held by wobblectl/977:',
  '[  640.102620]  #0: ffff888005d3e2a0 (&mm->mmap_lock){++++}-{3:3}, at: vm_mmap_pgoff+0x9a/0x1b0',
  '[  640.102630] ',
  '[  640.102700] stack backtrace:',
  '[  640.102800] CPU: 3 PID: 977 Comm: wobblectl Not tainted 6.1.20 #2',
  '[  640.102900] Call Trace:',
  '[  640.103000]  <TASK>',
  '[  640.103100]  dump_stack_lvl+0x5b/0x77',
  '[  640.103200]  check_noncircular+0x101/0x120',
  '[  640.103300]  __lock_acquire+0x12a8/0x2220',
  '[  640.103400]  lock_acquire+0xc6/0x2c0',
  '[  640.103500]  __mutex_lock+0x9a/0x9a0',
  '[  640.103600]  wobble_reconfig+0x31/0x120 [wobble]',
  '[  640.103700]  </TASK>',
  '',
].join('\n');

describe('repeated reports, Outline counts and lock names over LSP', () => {
  let client: LspClient;
  let flatClient: LspClient;
  before(async () => {
    client = await LspClient.start();
    const { documentSymbol: _, ...textDocument } = DEFAULT_CAPABILITIES.textDocument;
    flatClient = await LspClient.start({ capabilities: { ...DEFAULT_CAPABILITIES, textDocument } });
  });
  after(async () => {
    assert.equal(await client.shutdown(), 0);
    assert.equal(await flatClient.shutdown(), 0);
  });

  it('gives each repeat an information diagnostic on its title line, pointing at the first, with the count', async () => {
    const uri = 'file:///logs/watchdog-repeats.log';
    client.open(uri, REPEATS, 1);
    const { diagnostics } = await client.waitForDiagnostics(uri, 1);
    const repeats = diagnostics.filter((d) => d.code === 'repeated-report');
    const first = lineOf(REPEATS, 'WARNING: CPU: 2');
    const second = lineOf(REPEATS, 'WARNING: CPU: 2', first + 1);
    const fourth = lineOf(REPEATS, 'WARNING: CPU: 2', second + 1);
    assert.deepEqual(
      repeats.map((d) => [d.range.start.line + 1, d.severity, d.message]),
      [
        [second, 3, `"WARNING in dev_watchdog" repeats report 1 (line ${first}); 3 occurrences in this file.`],
        [fourth, 3, `"WARNING in dev_watchdog" repeats report 1 (line ${first}); 3 occurrences in this file.`],
      ],
    );
    for (const d of repeats) {
      assert.deepEqual(d.data, { report: d.range.start.line + 1 === second ? 1 : 3 });
      assert.equal(d.range.start.character, 0);
      assert.equal(d.range.end.line, d.range.start.line);
      assert.deepEqual(
        d.relatedInformation?.map((r) => [r.location.uri, r.location.range.start.line + 1, r.message]),
        [[uri, first, 'First occurrence']],
      );
    }
    client.close(uri);
  });

  it('follows edits: a repeat becomes the first when the report before it changes, and back', async () => {
    const uri = 'file:///logs/watchdog-edited.log';
    client.open(uri, REPEATS, 1);
    await client.waitForDiagnostics(uri, 1);
    const lines = REPEATS.split('\n');
    const first = lineOf(REPEATS, 'WARNING: CPU: 2') - 1;
    const second = lineOf(REPEATS, 'WARNING: CPU: 2', first + 2) - 1;
    const fourth = lineOf(REPEATS, 'WARNING: CPU: 2', second + 2) - 1;
    // The first report's innermost reliable entry renamed: its signature differs, so report 2 is the first of the rest.
    const at = lineOf(REPEATS, ' call_timer_fn+0x24/0x130') - 1;
    const column = lines[at].indexOf('call_timer_fn');
    const range = { start: { line: at, character: column }, end: { line: at, character: column + 'call_timer_fn'.length } };
    client.change(uri, 2, [{ range, text: 'expire_timers' }]);
    let { diagnostics } = await client.waitForDiagnostics(uri, 2);
    assert.deepEqual(
      diagnostics.filter((d) => d.code === 'repeated-report').map((d) => [d.range.start.line, d.message, d.relatedInformation?.[0].location.range.start.line]),
      [[fourth, `"WARNING in dev_watchdog" repeats report 2 (line ${second + 1}); 2 occurrences in this file.`, second]],
    );
    const symbols = await client.request<Sym[]>('textDocument/documentSymbol', { textDocument: { uri } });
    assert.deepEqual(
      symbols.map((s) => s.detail),
      ['warning · CPU 2 · swapper/2', 'warning · CPU 2 · swapper/2', 'oops · CPU 0 · wobblectl', `warning · CPU 2 · swapper/2 · repeats line ${second + 1}`],
    );
    client.change(uri, 3, [{ range: { start: range.start, end: { line: at, character: column + 'expire_timers'.length } }, text: 'call_timer_fn' }]);
    ({ diagnostics } = await client.waitForDiagnostics(uri, 3));
    assert.deepEqual(
      diagnostics.filter((d) => d.code === 'repeated-report').map((d) => d.range.start.line),
      [second, fourth],
    );
    client.close(uri);
  });

  it('groups a run of repeats below its first report, each named by its line; a later repeat says which line it repeats', async () => {
    const uri = 'file:///logs/watchdog-outline.log';
    client.open(uri, REPEATS, 1);
    await client.waitForDiagnostics(uri, 1);
    const symbols = await client.request<Sym[]>('textDocument/documentSymbol', { textDocument: { uri } });
    const first = lineOf(REPEATS, 'WARNING: CPU: 2');
    const second = lineOf(REPEATS, 'WARNING: CPU: 2', first + 1);
    const fourth = lineOf(REPEATS, 'WARNING: CPU: 2', second + 1);
    assert.deepEqual(
      symbols.map((s) => [s.name, s.detail]),
      [
        ['WARNING in dev_watchdog', 'warning · CPU 2 · swapper/2 · ×2'],
        ['BUG: unable to handle kernel NULL pointer dereference in wobble_ioctl', 'oops · CPU 0 · wobblectl'],
        ['WARNING in dev_watchdog', `warning · CPU 2 · swapper/2 · repeats line ${first}`],
      ],
    );
    const head = symbols[0];
    const group = head.children?.at(-1);
    assert.equal(group?.name, '1 more time');
    assert.deepEqual(
      group?.children?.map((c) => [c.name, c.children?.map((g) => g.name)]),
      [[`line ${second}`, ['RIP: dev_watchdog+0x235/0x240', 'Call Trace']]],
    );
    // Ranges nest: the head reaches to the end of its run, the group holds the repeat, none overlaps the next report.
    const repeat = group?.children?.[0];
    assert.ok(repeat);
    assert.equal(repeat.selectionRange.start.line + 1, second);
    assert.deepEqual(head.range.end, repeat.range.end);
    assert.deepEqual(group.range, repeat.range);
    assert.ok(head.range.end.line < symbols[1].range.start.line);
    assert.equal(symbols[2].selectionRange.start.line + 1, fourth);
    client.close(uri);
  });

  it('keeps the flat list (no hierarchical support) without the group: repeats name the first report as container', async () => {
    const uri = 'file:///logs/watchdog-flat.log';
    flatClient.open(uri, REPEATS, 1);
    await flatClient.waitForDiagnostics(uri, 1);
    const flat = await flatClient.request<Flat[]>('textDocument/documentSymbol', { textDocument: { uri } });
    const second = lineOf(REPEATS, 'WARNING: CPU: 2', lineOf(REPEATS, 'WARNING: CPU: 2') + 1);
    assert.ok(!flat.some((s) => /more time/.test(s.name)));
    const repeat = flat.find((s) => s.name === `line ${second}`);
    assert.equal(repeat?.containerName, 'WARNING in dev_watchdog');
    assert.deepEqual(
      flat.filter((s) => s.containerName === `line ${second}`).map((s) => s.name),
      ['RIP: dev_watchdog+0x235/0x240', 'Call Trace'],
    );
    flatClient.close(uri);
  });

  it('counts the entry on the <IRQ> line in its segment, so segments add up, and names raw stack words', async () => {
    const uri = 'file:///logs/old-irq.log';
    client.open(uri, OLD_IRQ, 1);
    await client.waitForDiagnostics(uri, 1);
    const [report] = await client.request<Sym[]>('textDocument/documentSymbol', { textDocument: { uri } });
    const words = report.children?.find((c) => c.name === 'Stack words');
    assert.equal(words?.detail, '3 lines, raw');
    assert.ok(!report.children?.some((c) => c.detail === '0 entries'));
    const trace = report.children?.find((c) => c.name === 'Call Trace');
    assert.equal(trace?.detail, '7 entries, 2 unreliable');
    assert.deepEqual(
      trace?.children?.map((c) => [c.name, c.detail]),
      [['<IRQ>', '4 entries']],
    );
    client.close(uri);
  });

  it('names lockdep chain entries with their lock, and lists the locks the report names before them', async () => {
    const uri = 'file:///logs/lockdep.log';
    client.open(uri, LOCKDEP, 1);
    await client.waitForDiagnostics(uri, 1);
    const [report] = await client.request<Sym[]>('textDocument/documentSymbol', { textDocument: { uri } });
    assert.deepEqual(
      report.children?.map((c) => [c.name, c.detail]),
      [
        ['(&wb->cfg_lock){+.+.}-{3:3}', 'acquiring'],
        ['(&mm->mmap_lock){++++}-{3:3}', 'held'],
        ['#1 (&mm->mmap_lock){++++}-{3:3}', '3 entries'],
        ['#0 (&wb->cfg_lock){+.+.}-{3:3}', '4 entries'],
        ['(&mm->mmap_lock){++++}-{3:3}', 'held #0'],
        ['Call Trace', '6 entries'],
      ],
    );
    const acquiring = report.children?.[0];
    const line = LOCKDEP.split('\n').findIndex((l) => l.includes('ffff888006a1c0b8 ('));
    assert.deepEqual(acquiring?.selectionRange, {
      start: { line, character: LOCKDEP.split('\n')[line].indexOf('(&wb') },
      end: { line, character: LOCKDEP.split('\n')[line].indexOf(', at:') },
    });
    client.close(uri);
  });
});
