// Property tests for the parser and the analyzer: on any input, parseCrashLog and analyze never
// throw, every offset in the result lies inside the text (0 <= start <= end <= text.length), every
// line number names a line that exists, and the same text always gives the same result.
//
// Inputs: (a) arbitrary strings and bytes, (b) a generator that strings together lines in the
// shapes the parser looks for (prefixes, headers, register lines, stack entries, markers...),
// (c) every test/fixtures/*.log and examples/*.log, mutated (truncated, lines shuffled, deleted,
// duplicated, split, random bytes and NULs inserted, CRLF/CR line ends).
// Run: node --import tsx --test test/unit/property.test.ts   (about 6 s; FC_RUNS_SCALE=10 for a longer soak)
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { analyze } from '../../server/src/analyzer/analyze.ts';
import type { Finding } from '../../server/src/analyzer/findings.ts';
import { computeLineStarts, lineEnd, lineOfOffset, wrappedLineEnd } from '../../server/src/parser/lines.ts';
import { questionMarkOf, symbolSpan, type ParsedLog, type Span } from '../../server/src/parser/model.ts';
import { parseCrashLog } from '../../server/src/parser/parse.ts';
import { registersOf } from '../../server/src/parser/registers.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
// Show the assertion that failed inside a property, not just the counterexample.
fc.configureGlobal({ includeErrorInReport: true });
const SCALE = Math.max(0.1, Number(process.env.FC_RUNS_SCALE ?? 1) || 1);
const runs = (n: number) => Math.max(5, Math.round(n * SCALE));

// ------------------------------------------------------------------------------------------------
// The invariant checker. It collects every violation (with a path into the result) so that a
// failure names the field, not just "assertion failed".

function checkResult(text: string, log: ParsedLog, findings: Finding[]): void {
  const bad: string[] = [];
  const len = text.length;
  const lines = log.lineStarts.length;
  const span = (where: string, s: Span | null | undefined) => {
    if (!s) return;
    if (!Number.isInteger(s.start) || !Number.isInteger(s.end) || s.start < 0 || s.start > s.end || s.end > len) {
      bad.push(`${where}: span [${s.start}, ${s.end}) outside 0..${len} or reversed`);
    }
  };
  const line = (where: string, l: number) => {
    if (!Number.isInteger(l) || l < 0 || l >= lines) bad.push(`${where}: line ${l} not in 0..${lines - 1}`);
  };
  const offset = (where: string, o: number) => {
    // -1 means "none" for the `?` mark and trapping.
    if (o !== -1 && (!Number.isInteger(o) || o < 0 || o > len)) bad.push(`${where}: offset ${o} outside 0..${len}`);
  };
  // A line a mailer wrapped is read with its rest (lines.ts wrappedLineEnd): spans may run onto it.
  const lineEndOf = (l: number) => {
    const wrapped = wrappedLineEnd(text, log.lineStarts, l, lines);
    const next = wrapped > lineEnd(text, log.lineStarts, l) ? lineOfOffset(log.lineStarts, wrapped) : l;
    return next + 1 < lines ? log.lineStarts[next + 1] - 1 : len;
  };
  const onLine = (where: string, s: Span, l: number) => {
    if (Number.isInteger(l) && l >= 0 && l < lines && (s.start < log.lineStarts[l] || s.end > lineEndOf(l)))
      bad.push(`${where}: span [${s.start}, ${s.end}) not on its line ${l} [${log.lineStarts[l]}, ${lineEndOf(l)}]`);
  };
  const order = (where: string, a: number, b: number) => {
    if (a > b) bad.push(`${where}: ${a} > ${b}`);
  };

  if (lines < 1) bad.push('lineStarts is empty');
  for (let i = 0; i < lines; i++) {
    const s = log.lineStarts[i];
    if (!(s >= 0 && s <= len) || (i > 0 && s <= log.lineStarts[i - 1])) {
      bad.push(`lineStarts[${i}] = ${s} not increasing within 0..${len}`);
      break;
    }
  }

  log.reports.forEach((r, ri) => {
    const R = `reports[${ri}]`;
    span(R, r);
    line(`${R}.line`, r.line);
    line(`${R}.headerLine`, r.headerLine);
    line(`${R}.endLine`, r.endLine);
    order(`${R}.line <= headerLine`, r.line, r.headerLine);
    order(`${R}.headerLine <= endLine`, r.headerLine, r.endLine);
    r.markerLines.forEach((l, i) => line(`${R}.markerLines[${i}]`, l));
    if (r.modulesLine !== -1) line(`${R}.modulesLine`, r.modulesLine);
    r.regs.forEach((b, bi) => {
      const B = `${R}.regs[${bi}]`;
      span(B, b);
      line(`${B}.line`, b.line);
      line(`${B}.endLine`, b.endLine);
      line(`${B}.ipLine`, b.ipLine);
      order(`${B}.line <= endLine`, b.line, b.endLine);
      registersOf(text, log.lineStarts, b).forEach((g, gi) => {
        span(`${B}.registers[${gi}].nameSpan`, g.nameSpan);
        span(`${B}.registers[${gi}].valueSpan`, g.valueSpan);
      });
      if (b.code) {
        span(`${B}.code`, b.code);
        line(`${B}.code.line`, b.code.line);
        onLine(`${B}.code`, b.code, b.code.line);
        offset(`${B}.code.trapping`, b.code.trapping);
      }
      if (b.ip) {
        span(`${B}.ip`, b.ip);
        span(`${B}.ip.symbol`, symbolSpan(b.ip));
        line(`${B}.ip.line`, b.ip.line);
        onLine(`${B}.ip`, b.ip, b.ip.line);
        onLine(`${B}.ip.symbol`, symbolSpan(b.ip), b.ip.line);
      }
    });
    r.stacks.forEach((s, si) => {
      const S = `${R}.stacks[${si}]`;
      span(S, s);
      span(`${S}.header`, s.header);
      line(`${S}.line`, s.line);
      line(`${S}.endLine`, s.endLine);
      order(`${S}.line <= endLine`, s.line, s.endLine);
      s.frames.forEach((f, fi) => {
        const F = `${S}.frames[${fi}]`;
        span(F, f);
        span(`${F}.symbol`, symbolSpan(f));
        line(`${F}.line`, f.line);
        onLine(F, f, f.line);
        onLine(`${F}.symbol`, symbolSpan(f), f.line);
        offset(`${F}.questionMark`, questionMarkOf(text, f));
      });
      s.markers.forEach((m, mi) => {
        span(`${S}.markers[${mi}]`, m);
        line(`${S}.markers[${mi}].line`, m.line);
        onLine(`${S}.markers[${mi}]`, m, m.line);
      });
      s.segments.forEach((g, gi) => {
        span(`${S}.segments[${gi}]`, g);
        line(`${S}.segments[${gi}].line`, g.line);
        line(`${S}.segments[${gi}].endLine`, g.endLine);
        order(`${S}.segments[${gi}].line <= endLine`, g.line, g.endLine);
      });
    });
  });
  log.problems.forEach((p, pi) => {
    span(`problems[${pi}]`, p);
    line(`problems[${pi}].line`, p.line);
    // The parser catches its own exceptions and turns them into a problem; for this test that is a throw.
    if (/internal parser error/.test(p.message)) bad.push(`problems[${pi}]: ${p.message}`);
  });
  log.reports.forEach((r, ri) => {
    if (r.corruptedReason && /title extraction failed/.test(r.corruptedReason)) bad.push(`reports[${ri}]: ${r.corruptedReason}`);
  });
  findings.forEach((f, i) => {
    span(`findings[${i}] (${f.code})`, f);
    line(`findings[${i}].line`, f.line);
    if (f.code !== 'corrupted-report') onLine(`findings[${i}] (${f.code})`, f, f.line);
    f.related.forEach((x, j) => {
      span(`findings[${i}].related[${j}]`, x);
      line(`findings[${i}].related[${j}].line`, x.line);
    });
  });

  if (bad.length) {
    const shown = bad.slice(0, 8).join('\n  ');
    assert.fail(`${bad.length} invariant violation(s) on a ${len}-char input:\n  ${shown}${bad.length > 8 ? '\n  ...' : ''}`);
  }
}

/** Parses and analyzes, checks the invariants, and (when asked) that a second run gives the same result. */
function check(text: string, opts: { determinism?: boolean } = {}): void {
  const log = parseCrashLog(text);
  const findings = analyze(log);
  checkResult(text, log, findings);
  if (opts.determinism) {
    const again = parseCrashLog(text);
    assert.deepStrictEqual(again, log, 'parsing the same text twice gave different results');
    assert.deepStrictEqual(analyze(again), findings, 'analyzing the same log twice gave different findings');
  }
}

// ------------------------------------------------------------------------------------------------
// Fixtures: whatever logs exist when the test runs.

function loadFixtures(): { name: string; bytes: Buffer; text: string }[] {
  const out: { name: string; bytes: Buffer; text: string }[] = [];
  for (const dir of ['test/fixtures', 'examples']) {
    const abs = path.join(ROOT, dir);
    if (!fs.existsSync(abs)) continue;
    for (const n of fs.readdirSync(abs).sort()) {
      if (!n.endsWith('.log')) continue;
      const bytes = fs.readFileSync(path.join(abs, n));
      out.push({ name: `${dir}/${n}`, bytes, text: bytes.toString('utf8') });
    }
  }
  return out;
}

const FIXTURES = loadFixtures();
// A built-in log so that the fixture properties still mean something in a checkout without fixtures.
const FALLBACK = [
  '[  402.118204][ T4471] ------------[ cut here ]------------',
  '[  402.118931][ T4471] WARNING: CPU: 1 PID: 4471 at net/core/skbuff.c:5112 skb_try_coalesce+0x6c2/0x1540',
  '[  402.122500][ T4471] RIP: 0010:skb_try_coalesce+0x6c2/0x1540',
  '[  402.123003][ T4471] Code: 48 8b 44 24 18 90 <0f> 0b 90 e9 91 fa ff ff',
  '[  402.124410][ T4471] RSP: 0018:ffffc90002f7f6a8 EFLAGS: 00010293',
  '[  402.130061][ T4471] Call Trace:',
  '[  402.130331][ T4471]  <TASK>',
  '[  402.130898][ T4471]  ? skb_try_coalesce+0x6c2/0x1540',
  '[  402.133474][ T4471]  tcp_try_coalesce+0x16c/0x5c0',
  '[  402.144722][ T4471]  </TASK>',
  '[  402.148188][ T4471] ---[ end trace 0000000000000000 ]---',
  '',
].join('\n');
const FIXTURE_TEXTS = FIXTURES.length ? FIXTURES.map((f) => f.text) : [FALLBACK];
const FIXTURE_BYTES = FIXTURES.length ? FIXTURES.map((f) => f.bytes) : [Buffer.from(FALLBACK)];

// ------------------------------------------------------------------------------------------------
// A line generator in the shapes the parser recognises, so random inputs reach deep code paths
// (open reports, register blocks completed by a second IP line, markers closing contexts, ...).

/**
 * fc.string({ unit: 'binary', ... }) without its first-use cost: fast-check builds a reverse map of
 * all 1,112,064 code points (about a second) to cut its list of dangerous strings (`__proto__`,
 * `constructor`...) into characters; the ASCII strings below still get those. The same characters
 * from the same generator: fast-check's binary unit is nat({ max: 0x10f7ff }) over the code points
 * without the surrogates.
 */
const binaryChar = fc.nat({ max: 0x10f7ff }).map((i) => String.fromCodePoint(i < 0xd800 ? i : i + 0x800));
const binaryString = (maxLength: number) => fc.array(binaryChar, { maxLength }).map((cs) => cs.join(''));

const hexN = (n: number) => fc.stringMatching(new RegExp(`^[0-9a-f]{${n}}$`));
const sym = fc.constantFrom('do_thing', '__schedule', 'foo.isra.0', '__pfx_bar', 'ret_from_fork_asm', '.show_stack', 'x', '$x', 'a.b.c');
const symOff = fc.tuple(sym, fc.nat(0xfff), fc.nat(0xfff)).map(([s, o, z]) => `${s}+0x${o.toString(16)}/0x${z.toString(16)}`);
const mod = fc.oneof(
  fc.constant(''),
  fc.constant(' [e1000]'),
  hexN(40).map((b) => ` [nf_nat ${b}]`),
  fc.constant(' [zfs'),
);
const marker = fc.constantFrom('<IRQ>', '</IRQ>', '<NMI>', '</NMI>', '<TASK>', '</TASK>', '<EOI>', '<EOE>', '<<EOE>>', '<#DF>', '<SOFTIRQ>', '</#DB>');

const prefix = fc.oneof(
  { weight: 4, arbitrary: fc.constant('') },
  { weight: 4, arbitrary: fc.tuple(fc.nat(99999), fc.nat(999999)).map(([s, u]) => `[${String(s).padStart(5)}.${String(u).padStart(6, '0')}] `) },
  {
    weight: 2,
    arbitrary: fc.tuple(fc.nat(999), fc.constantFrom('T', 'C'), fc.nat(99999)).map(([s, c, n]) => `[${String(s).padStart(5)}.000001][${(c + n).padStart(6)}] `),
  },
  { weight: 1, arbitrary: fc.constant('Mar 14 03:13:08 host kernel: [86239.771460] ') },
  { weight: 1, arbitrary: fc.constant('2014-11-04T14:57:15.529841-08:00 host kernel: ') },
  { weight: 1, arbitrary: fc.tuple(fc.nat(7), fc.nat(9999)).map(([l, q]) => `${l},${q},1234567,-,caller=T${q};`) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '<4>',
      '<4>[    2.856622] ',
      '[22:22:59:896] [    0.632863] ',
      'kern  :warn  : ',
      '[Thu Nov  5 16:44:42 2020] ',
      '[  +0.000155] ',
      '[   21.4] [     T17] ',
    ),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 6 }) },
);

const body = fc.oneof(
  // headers
  fc.constantFrom(
    'BUG: kernel NULL pointer dereference, address: 0000000000000008',
    'BUG: unable to handle kernel paging request at ffffffffa0000000',
    'BUG: KASAN: slab-use-after-free in foo+0x1/0x2',
    'BUG: soft lockup - CPU#1 stuck for 23s! [find:2871]',
    'watchdog: BUG: soft lockup - CPU#5 stuck for 26s! [cc1:1]',
    'WARNING: CPU: 0 PID: 1 at fs/foo.c:12 foo+0x1/0x2',
    'WARNING: fs/dcache.c:829 at fast_dput+0x334/0x430, CPU#0: syz.0.17/6007',
    'WARNING: possible circular locking dependency detected',
    'Oops: 0000 [#1] SMP PTI',
    'Oops: general protection fault, probably for non-canonical address 0xdffffc0000000004: 0000 [#1] SMP KASAN PTI',
    'general protection fault: 0000 [#1] SMP',
    'invalid opcode: 0000 [#1] SMP',
    'Internal error: Oops: 0000000096000006 [#1] PREEMPT SMP',
    'Unable to handle kernel NULL pointer dereference at virtual address 0000000000000010',
    'kernel BUG at lib/list_debug.c:51!',
    'Kernel panic - not syncing: Fatal exception',
    'NMI backtrace for cpu 1',
    'Sending NMI from CPU 1 to CPUs 0:',
    'INFO: task kworker/0:1:12 blocked for more than 120 seconds.',
    'rcu: INFO: rcu_preempt self-detected stall on CPU',
    'UBSAN: array-index-out-of-bounds in foo.c:1:2',
    '[ INFO: possible recursive locking detected ]',
    '------------[ cut here ]------------',
    '---[ end trace 0000000000000000 ]---',
    '---[ end Kernel panic - not syncing: Fatal exception ]---',
  ),
  // identification and facts
  fc.constantFrom(
    'CPU: 1 UID: 0 PID: 4471 Comm: sshd Not tainted 6.12.4 #3 PREEMPT(voluntary)',
    'CPU: 0 PID: 2 Comm: a b: c Tainted: G        W  O      6.1.0 #1',
    'Pid: 491, comm: scsi_eh_0 Tainted: G        W  ----------------   2.6.32-220.el6.x86_64 #1',
    '      Not tainted 6.6.30 #1',
    '6.15.0-rc7-dirty #2 Not tainted',
    'Tainted: [W]=WARN, [O]=OOT_MODULE',
    'Hardware name: QEMU Standard PC (Q35 + ICH9, 2009)',
    'Modules linked in: e1000(O) bridge stp llc [last unloaded: foo]',
    ' nls_iso8859_1 snd_sof_pci_intel_tgl soundwire_intel',
    'Modules linked in:',
    'Workqueue: events foo_work_fn',
    'Last Breaking-Event-Address:',
    'task: ffff880036a10000 ti: ffff880036a3c000 task.ti: ffff880036a3c000',
  ),
  // instruction-pointer lines and register lines
  fc.oneof(
    symOff.map((s) => `RIP: 0010:${s}`),
    fc.constantFrom('RIP: 0033:0x7f56a8c90369', 'RIP: 0010:0xffffffffc0a1b2c3', 'RIP: 0010:[<ffffffff8129b350>]  [<ffffffff8129b350>] path_init+0x0/0x750'),
    fc.constantFrom(
      'RIP: 0010:[<0000000000000000>]  [<          (null)>]           (null)',
      'RIP  [<ffffffffa02f13c8>] e1000_clean_tx_irq+0x98/0x4a0 [e1000]',
      'RIP: skb_pull+0xd5/0xf0 RSP: ffff8801d9fdf270',
    ),
    fc.constantFrom(
      'IP: [<ffffffff814529e2>] __clear_user+0x42/0x70',
      'IP: [<          (null)>]           (null)',
      'IP: kfree+0xb2/0x250',
      'IP: 0xffff880214d12c00',
    ),
    fc.constantFrom(
      'EIP: 0060:[<c01de48c>] EFLAGS: 00210286 CPU: 0',
      'EIP is at kobject_add+0x83/0xd7',
      'EIP: [<c01de48c>] kobject_add+0x83/0xd7 SS:ESP 0068:f5c4de5c',
      'EIP: kobject_add+0x83/0xd7',
    ),
    fc.constantFrom(
      'pstate: 60000005 (nZCv daif -PAN -UAO -TCO -DIT -SSBS BTYPE=--)',
      'pc : sdhci_send_command+0x1c8/0x9a0',
      'lr : sdhci_send_command_retry+0x50/0x138',
      'pc : [<7f2a3e18>]    lr : [<7f2a4540>]    psr: 60000013',
      'PC is at brcmf_sdiod_probe+0x38/0x2f4 [brcmfmac]',
      'LR is at foo+0x1/0x2',
    ),
    fc.constantFrom(
      'NIP:  c0000000004b1e7c LR: c0000000004b1e40 CTR: c0000000004b1d80',
      'NIP [c0000000004b1e7c] .folio_mark_accessed+0x3c/0x2a0',
      'LR [c0000000004b1e40] folio_mark_accessed+0x0/0x2a0',
    ),
    fc.constantFrom(
      'epc : nvme_pci_enable+0x2a/0x3d6 [nvme]',
      'epc : ffffffff02e1c2b2 ra : ffffffff02e1e46c sp : ffffffc80403bd30',
      'Krnl PSW : 0704c00180000000 000000000070d1f4 (foo+0x3c/0x90)',
    ),
    fc.constantFrom(
      'RSP: 0018:ffffc90002f7f6a8 EFLAGS: 00010293',
      'RAX: 0000000000000000 RBX: ffff88810c3a2800 RCX: ffffffff8a1d9f31',
      'R13: 0000000000000600 R14: ffff888107e61e00 R15: dffffc0000000000',
      'FS:  00007f3c1a2ff740(0000) GS:ffff88813bd00000(0000) knlGS:0000000000000000',
      'x29: ffff800082d9b9a0 x28: 0000000000000000 x27: ffff0000c2e0a880',
      'x9 : ffff8000808f6f80 x8 : ffff0000c1f30000',
      'GPR00: c0000000004b1e40 c00000003c2a7b40 c000000002a1c700 c00c0000001a0000',
      'EAX: 00000000 EBX: f5c4de9c ECX: 00000000 EDX: 00000000',
      'r10: 81e9a000  r9 : 00000001  r8 : 81e74c00',
      ' gp : ffffffff81b0a870 tp : ffffffd880a6c200 t0 : 0000000000000040',
      'Krnl GPRS: 0000000000000000 0000000000000001',
    ),
    fc.constantFrom(
      'Code: 48 8b 44 24 18 90 <0f> 0b 90 e9 91 fa ff ff',
      'Code: Bad RIP value.',
      'Code:  Bad RIP value.',
      'Code: Unable to access opcode bytes at 0x7f7cb9d1c2d4.',
      'Code: f9400a80 b9401a81 7100043f 54000a40 (f9400800)',
      'Code: ???????? ???????? (????????)',
      'Instruction dump:',
      'Krnl Code: 000000000070d1ee: e3102000 lg %r1,0(%r2)',
    ),
  ),
  // stack headers and entries
  fc.oneof(
    fc.constantFrom(
      'Call Trace:',
      'Call trace:',
      'Backtrace: ',
      'stack backtrace:',
      'Stack:',
      'Exception stack(0x82d8ffb0 to 0x82d8fff8)',
      'Allocated by task 8790 on cpu 1 at 213.512004s:',
      'Freed by task 1:',
      '-> #1 (usb_bus_idr_lock){+.+.}-{3:3}:',
      'read to 0xffff888100000000 of 8 bytes by task 1 on cpu 0:',
      'Task dump for CPU 3:',
    ),
    fc.tuple(fc.boolean(), symOff, mod).map(([q, s, m]) => ` ${q ? '? ' : ''}${s}${m}`),
    fc.tuple(hexN(16), fc.boolean(), symOff, mod).map(([a, q, s, m]) => ` [<${a}>] ${q ? '? ' : ''}${s}${m}`),
    fc.tuple(marker, hexN(16), symOff).map(([k, a, s]) => ` ${k}  [<${a}>] ${s}`),
    fc.tuple(fc.array(marker, { minLength: 1, maxLength: 3 })).map(([ks]) => ` ${ks.join(' ')}`),
    fc.tuple(hexN(8), sym, hexN(8), symOff).map(([a, f, b, s]) => `[<${a}>] (${f}) from [<${b}>] (${s})`),
    fc.tuple(sym, symOff).map(([f, s]) => ` ${f} from ${s}`),
    fc.tuple(hexN(16), hexN(16), symOff, fc.boolean()).map(([a, b, s, u]) => `[${a}] [${b}] ${s}${u ? ' (unreliable)' : ''}`),
    fc.tuple(hexN(16), symOff).map(([a, s]) => ` ([<${a}>] ${s})`),
    fc.tuple(fc.boolean(), sym).map(([q, f]) => ` ${q ? '? ' : ''}${f} lib/dump_stack.c:77 [inline]`),
    fc.tuple(symOff).map(([s]) => `       ${s} net/tipc/udp_media.c:820`),
    fc.tuple(hexN(16)).map(([a]) => ` 0x${a}`),
    fc.tuple(hexN(16)).map(([a]) => ` ? 0x${a}`),
    fc.tuple(symOff).map(([s]) => ` ${s} (P)`),
  ),
  // KASAN/lockdep bodies and plain noise
  fc.constantFrom(
    'The buggy address belongs to the object at ffff88802c4e9000',
    'Memory state around the buggy address:',
    '>ffff88802c4e9000: fa fb fb fb fb fb fb fb',
    '                         ^',
    '==================================================================',
    ' #0: ffff888100081548 ((wq_completion)usb_hub_wq){+.+.}-{0:0}, at: process_one_work+0x7e9/0x15a0',
    'irq event stamp: 20311',
    'hardirqs last  enabled at (20319): [<ffffffff816a7e62>] __up_console_sem+0x52/0x60',
    ' ffff88042b9f0940 0000004000000000 ffff88042b9f0000 ffff88042b9f0a40',
    'usb 3-2: new high-speed USB device number 9 using xhci_hcd',
    'EXT4-fs (nvme0n1p3): re-mounted. Quota mode: none.',
    '',
    ' ',
  ),
  fc.string({ maxLength: 40 }),
);

/** A kernel-ish line, possibly damaged (cut at a random point, or with junk inserted). */
const kernelLine = fc.tuple(prefix, body, fc.nat(), fc.constantFrom(0, 0, 0, 1, 2), binaryString(4)).map(([p, b, k, how, junk]) => {
  const l = p + b;
  if (how === 1) return l.slice(0, k % (l.length + 1));
  if (how === 2) {
    const at = k % (l.length + 1);
    return l.slice(0, at) + junk + l.slice(at);
  }
  return l;
});

const kernelLog = fc
  .tuple(fc.array(kernelLine, { maxLength: 80 }), fc.constantFrom('\n', '\n', '\r\n', '\r'), fc.boolean())
  .map(([ls, eol, final]) => ls.join(eol) + (final ? eol : ''));

// ------------------------------------------------------------------------------------------------
// Mutations of the fixtures.

type Mutation =
  | { op: 'truncate'; at: number }
  | { op: 'shuffle'; seed: number }
  | { op: 'swap'; a: number; b: number }
  | { op: 'delete'; at: number; n: number }
  | { op: 'duplicate'; at: number; n: number; times: number }
  | { op: 'split'; at: number }
  | { op: 'join'; at: number }
  | { op: 'insert'; at: number; s: string }
  | { op: 'nul'; at: number; n: number }
  | { op: 'crlf'; all: boolean; seed: number }
  | { op: 'cr'; at: number }
  | { op: 'strip-prefix'; seed: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('shuffle' as const), seed: fc.nat() }),
  fc.record({ op: fc.constant('swap' as const), a: fc.nat(), b: fc.nat() }),
  fc.record({ op: fc.constant('delete' as const), at: fc.nat(), n: fc.integer({ min: 1, max: 20 }) }),
  fc.record({ op: fc.constant('duplicate' as const), at: fc.nat(), n: fc.integer({ min: 1, max: 20 }), times: fc.integer({ min: 1, max: 4 }) }),
  fc.record({ op: fc.constant('split' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('join' as const), at: fc.nat() }),
  fc.record({
    op: fc.constant('insert' as const),
    at: fc.nat(),
    s: fc.oneof(
      binaryString(8),
      fc.constantFrom('\0', '\r', '\n', '\ufffd', '\ud800', '\udfff', '[', '<', '<IRQ>', ' ? ', '+0x', '/0x', ']', '(', ':', '\t', '\u2028'),
    ),
  }),
  fc.record({ op: fc.constant('nul' as const), at: fc.nat(), n: fc.integer({ min: 1, max: 64 }) }),
  fc.record({ op: fc.constant('crlf' as const), all: fc.boolean(), seed: fc.nat() }),
  fc.record({ op: fc.constant('cr' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('strip-prefix' as const), seed: fc.nat() }),
);

/** Small deterministic PRNG for the seeded mutations (shuffle, partial CRLF). */
function rng(seed: number): () => number {
  let x = seed | 0 || 0x9e3779b9;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 0x100000000;
  };
}

function mutate(text: string, m: Mutation): string {
  const lines = () => text.split('\n');
  const at = (n: number, size: number) => (size <= 0 ? 0 : n % size);
  switch (m.op) {
    case 'truncate':
      return text.slice(0, at(m.at, text.length + 1));
    case 'shuffle': {
      const ls = lines();
      const r = rng(m.seed);
      for (let i = ls.length - 1; i > 0; i--) {
        const j = Math.floor(r() * (i + 1));
        [ls[i], ls[j]] = [ls[j], ls[i]];
      }
      return ls.join('\n');
    }
    case 'swap': {
      const ls = lines();
      const a = at(m.a, ls.length);
      const b = at(m.b, ls.length);
      [ls[a], ls[b]] = [ls[b], ls[a]];
      return ls.join('\n');
    }
    case 'delete': {
      const ls = lines();
      ls.splice(at(m.at, ls.length), m.n);
      return ls.join('\n');
    }
    case 'duplicate': {
      const ls = lines();
      const from = at(m.at, ls.length);
      const chunk = ls.slice(from, from + m.n);
      for (let t = 0; t < m.times; t++) ls.splice(from, 0, ...chunk);
      return ls.join('\n');
    }
    case 'split': {
      // An email client wrapping a long line.
      const k = at(m.at, text.length + 1);
      return text.slice(0, k) + '\n' + text.slice(k);
    }
    case 'join': {
      const nl = text.indexOf('\n', at(m.at, text.length + 1));
      return nl < 0 ? text : text.slice(0, nl) + ' ' + text.slice(nl + 1);
    }
    case 'insert': {
      const k = at(m.at, text.length + 1);
      return text.slice(0, k) + m.s + text.slice(k);
    }
    case 'nul': {
      const k = at(m.at, text.length + 1);
      return text.slice(0, k) + '\0'.repeat(m.n) + text.slice(k);
    }
    case 'crlf': {
      if (m.all) return text.replace(/\r?\n/g, '\r\n');
      const r = rng(m.seed);
      return text.replace(/\n/g, () => (r() < 0.5 ? '\r\n' : '\n'));
    }
    case 'cr': {
      const nl = text.indexOf('\n', at(m.at, text.length + 1));
      return nl < 0 ? text + '\r' : text.slice(0, nl) + '\r' + text.slice(nl + 1);
    }
    case 'strip-prefix': {
      // Some lines lose their time stamp (another capture tool, a copy-paste).
      const r = rng(m.seed);
      return text.replace(/^\[[^\]\n]*\](?:\[[^\]\n]*\])? ?/gm, (p) => (r() < 0.3 ? '' : p));
    }
  }
}

const fixtureIndex = fc.nat({ max: FIXTURE_TEXTS.length - 1 });

/** Byte-level damage (random bytes, NULs, a cut UTF-8 sequence), decoded as UTF-8 or Latin-1. */
const damagedBytes = fc
  .tuple(
    fixtureIndex,
    fc.array(fc.tuple(fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 16 })), { maxLength: 6 }),
    fc.nat(),
    fc.constantFrom('utf8', 'latin1') as fc.Arbitrary<BufferEncoding>,
  )
  .map(([i, inserts, cut, enc]) => {
    let buf = FIXTURE_BYTES[i];
    for (const [pos, bytes] of inserts) {
      const k = pos % (buf.length + 1);
      buf = Buffer.concat([buf.subarray(0, k), Buffer.from(bytes), buf.subarray(k)]);
    }
    if (cut % 4 === 0) buf = buf.subarray(0, cut % (buf.length + 1));
    return buf.toString(enc);
  });

// ------------------------------------------------------------------------------------------------

test('fixtures parse within the invariants, deterministically', () => {
  const named = FIXTURES.length ? FIXTURES : [{ name: '(built-in log)', text: FALLBACK }];
  for (const { name, text } of named) {
    for (const [how, t] of [
      ['as is', text],
      ['with CRLF', text.replace(/\r?\n/g, '\r\n')],
    ]) {
      try {
        check(t, { determinism: true });
      } catch (err) {
        if (err instanceof Error) err.message = `${name} (${how}): ${err.message}`;
        throw err;
      }
    }
  }
});

test('arbitrary strings: never throws, spans inside the text', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 300 }), (s) => check(s)),
    { numRuns: runs(2000) },
  );
  fc.assert(
    fc.property(binaryString(300), (s) => check(s)),
    { numRuns: runs(2000) },
  );
  // UTF-16 code units, lone surrogates included (what an editor buffer may hold).
  const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));
  fc.assert(
    fc.property(fc.string({ unit: codeUnit, maxLength: 300 }), (s) => check(s)),
    { numRuns: runs(1500) },
  );
  // Strings over the characters the grammars care about, so that short random strings hit them.
  const busy = fc.constantFrom(
    ...'[]<>()?+/:;,.-_ \t\n\r\0x0123456789abcdefRIPCodeTrace#TCMN'.split(''),
    'RIP: ',
    'Call Trace:',
    ' ? ',
    '+0x1/0x2',
    '[<ffffffff81000000>] ',
    '<IRQ>',
    '</IRQ>',
    'BUG: ',
    'Oops: 0000 [#1] ',
    'Code: ',
  );
  fc.assert(
    fc.property(fc.string({ unit: busy, maxLength: 200 }), (s) => check(s)),
    { numRuns: runs(3000) },
  );
});

test('arbitrary bytes decoded as UTF-8 and Latin-1', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
      const b = Buffer.from(bytes);
      check(b.toString('utf8'));
      check(b.toString('latin1'));
    }),
    { numRuns: runs(2000) },
  );
});

test('generated kernel-log-shaped lines', () => {
  fc.assert(
    fc.property(kernelLog, (s) => check(s, { determinism: true })),
    { numRuns: runs(6000) },
  );
});

test('mutated fixtures', () => {
  fc.assert(
    fc.property(fixtureIndex, fc.array(mutation, { minLength: 1, maxLength: 5 }), (i, ms) => {
      let t = FIXTURE_TEXTS[i];
      for (const m of ms) t = mutate(t, m);
      check(t, { determinism: true });
    }),
    { numRuns: runs(3000) },
  );
});

test('fixtures with byte-level damage', () => {
  fc.assert(
    fc.property(damagedBytes, (s) => check(s)),
    { numRuns: runs(1500) },
  );
});

test('parsing a range of lines (incremental re-parse) stays inside the text', () => {
  const input = fc.oneof(
    kernelLog,
    fc.tuple(fixtureIndex, fc.array(mutation, { maxLength: 2 })).map(([i, ms]) => ms.reduce(mutate, FIXTURE_TEXTS[i])),
  );
  fc.assert(
    fc.property(input, fc.nat(), fc.nat(), (text, a, b) => {
      const lineStarts = computeLineStarts(text);
      const n = lineStarts.length;
      const s = a % (n + 1);
      const e = s + (b % (n - s + 1));
      const log = parseCrashLog(text, { lineStarts, startLine: s, endLine: e });
      checkResult(text, log, analyze(log));
      for (const r of log.reports) {
        assert.ok(r.line >= s && r.endLine < Math.max(e, 1), `report lines ${r.line}..${r.endLine} outside the range ${s}..${e}`);
      }
      // Handing in the line starts changes nothing.
      assert.deepStrictEqual(parseCrashLog(text, { lineStarts }), parseCrashLog(text));
    }),
    { numRuns: runs(1500) },
  );
});
