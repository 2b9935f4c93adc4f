// registerPairs() lets the parser and titles take a register line without their other tests: on
// every line it accepts, it must agree with the full classifiers — fixture lines, and generated
// register lines (with header words, IP names, odd values and separators mixed in).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { parseMarkerLine } from '../../server/src/parser/frames.ts';
import { matchReportHeader } from '../../server/src/parser/headers.ts';
import { firstNonSpace } from '../../server/src/parser/lines.ts';
import { fixtureMessages } from './fixture-logs.ts';
import { countRegisters, isRegisterLine, parseIpLine, registerPairs } from '../../server/src/parser/registers.ts';
import { findOopsKind, INFO_WITH_STACK } from '../../server/src/parser/title/formats.ts';
import { isStackStart } from '../../server/src/parser/title/patterns.ts';
import { parseCrashLog } from '../../server/src/parser/parse.ts';

/** What the full classifiers say about a line registerPairs() accepted. */
function checkAccepted(message: string): void {
  const pairs = registerPairs(message, 0, message.length);
  if (pairs < 0) return;
  assert.equal(pairs, countRegisters(message), `pairs of ${JSON.stringify(message)}`);
  assert.ok(isRegisterLine(message), `register line: ${message}`);
  assert.equal(parseIpLine(message), null, `no IP line: ${message}`);
  assert.equal(matchReportHeader(message), null, `no header: ${message}`);
  assert.equal(parseMarkerLine(message, 0), null, `no marker: ${message}`);
  // What titles test (title/report-text.ts): no next report, no `? ` entry, no stack start, no
  // lock-debugging or NMI notes.
  assert.equal(findOopsKind(message), null, `no oops kind: ${message}`);
  assert.ok(!INFO_WITH_STACK.test(message), `no info-with-stack: ${message}`);
  assert.ok(!message.includes('?') && !message.endsWith(' (unreliable)'), `not questionable: ${message}`);
  assert.ok(!isStackStart(message), `no stack start: ${message}`);
  assert.ok(!message.includes('Disabling lock debugging') && !message.includes('Sending NMI from CPU'), message);
}

test('fixture register lines: registerPairs agrees with the full classifiers', () => {
  let accepted = 0;
  for (const m of fixtureMessages()) {
    checkAccepted(m);
    if (registerPairs(m, 0, m.length) >= 0) accepted++;
  }
  assert.ok(accepted > 50, `only ${accepted} fixture lines were taken as register lines`);
});

test('generated register lines: registerPairs agrees with the full classifiers', () => {
  const name = fc.constantFrom(
    'RAX',
    'RBX',
    'R08',
    'RSP',
    'RIP',
    'EIP',
    'IP',
    'NIP',
    'FS',
    'GS',
    'knlGS',
    'CS',
    'CR2',
    'EFLAGS',
    'ORIG_RAX',
    'x29',
    'x3',
    'lr',
    'sp',
    'pc',
    'r10',
    'ip',
    'fp',
    'pmr_save',
    'BUG',
    'INFO',
    'WARNING',
    'UBSAN',
    'Trace',
    'badaddr',
    'status',
    'Oops',
    'GPR00',
    'PKRU',
    'DR7',
    'int3',
    'panic',
  );
  const hex = fc.stringMatching(/^[0-9a-f]{1,18}$/);
  const sep = fc.constantFrom(' ', '  ', ' : ', ':', ': ', ' ? ', '(0000)', ':0010');
  const pair = fc.tuple(name, fc.constantFrom(': ', ':', ' : ', ':  '), hex, fc.constantFrom('', '(0000)', ':ffffc90000a9fe58', '(00)'));
  fc.assert(
    fc.property(fc.array(fc.tuple(pair, sep), { minLength: 1, maxLength: 5 }), (items) => {
      const line = items.map(([[n, colon, v, suffix], s], k) => `${n}${colon}${v}${suffix}${k < items.length - 1 ? s : ''}`).join('');
      checkAccepted(line);
    }),
    { numRuns: 3000 },
  );
});

test('firstNonSpace is where \\S first matches', () => {
  const ch = fc.constantFrom(' ', '\t', '\u00a0', '\u2003', '\ufeff', '\r', 'a', '<', 'C', '\u3000', '\u200b');
  fc.assert(
    fc.property(fc.array(ch, { maxLength: 8 }), (chars) => {
      const s = chars.join('');
      const at = s.search(/\S/);
      assert.equal(firstNonSpace(s), at < 0 ? s.length : at);
    }),
    { numRuns: 2000 },
  );
});

test('instruction-pointer lines of every architecture: the register, the arch, the address', () => {
  const ip = (line: string) => {
    const m = parseIpLine(line);
    return m && { register: m.register, arch: m.arch, address: m.address, opener: m.opener, symbol: m.symbolPos >= 0 ? line.slice(m.symbolPos) : null };
  };
  assert.deepEqual(ip('epc   : 80321a6c led_store_brightness+0x3c/0x98'), {
    register: 'epc',
    arch: 'mips',
    address: '80321a6c',
    opener: false,
    symbol: 'led_store_brightness+0x3c/0x98',
  });
  assert.deepEqual(ip('epc   : ffffffff80321a6c led_store_brightness+0x3c/0x98'), {
    register: 'epc',
    arch: 'mips',
    address: 'ffffffff80321a6c',
    opener: false,
    symbol: 'led_store_brightness+0x3c/0x98',
  });
  assert.deepEqual(ip('epc : riscv_probe+0x1c/0x40'), { register: 'epc', arch: 'riscv', address: null, opener: false, symbol: 'riscv_probe+0x1c/0x40' });
  assert.deepEqual(ip('epc : ffffffff8000a0c4 ra : ffffffff8000a0b0 sp : ff2000000001bd50'), {
    register: 'epc',
    arch: 'riscv',
    address: null,
    opener: true,
    symbol: null,
  });
  assert.deepEqual(ip('era   : 90000000013a5c2c strncmp+0x10/0x3c'), {
    register: 'era',
    arch: 'loongarch',
    address: '90000000013a5c2c',
    opener: false,
    symbol: 'strncmp+0x10/0x3c',
  });
  assert.deepEqual(ip('  ERA: 9000000002f1c6a4 gpio_chip_attach+0x3c/0x104'), {
    register: 'ERA',
    arch: 'loongarch',
    address: '9000000002f1c6a4',
    opener: false,
    symbol: 'gpio_chip_attach+0x3c/0x104',
  });
  assert.equal(ip('pc 9000000002f1c6a4 ra 9000000002f1c690 tp 900000010a4e0000 sp 900000010a4e3b70')?.arch, 'loongarch');
  assert.deepEqual(ip('$ 0   : 00000000 00000001 00000000 86f2de40'), { register: 'epc', arch: null, address: null, opener: true, symbol: null });
  assert.deepEqual(ip('Krnl PSW : 0704c00180000000 000003ff80127a5e (dasd_fba_fill_info+0x1e/0x58 [dasd_fba_mod])'), {
    register: 'PSW',
    arch: 's390',
    address: '000003ff80127a5e',
    opener: false,
    symbol: 'dasd_fba_fill_info+0x1e/0x58 [dasd_fba_mod])',
  });
  assert.equal(ip('pc : [<ffff800008123456>] lr : [<ffff800008123400>] pstate: 80000005')?.arch, 'arm64');
  assert.equal(ip('pc : [<bf0a402c>]    lr : [<c0a1e7b8>]    psr: 60000013')?.arch, 'arm');
  assert.equal(ip('EIP: 0060:[<c1234567>] EFLAGS: 00010246 CPU: 0')?.arch, 'i386');
});

test('register rows without a name per value count every value', () => {
  assert.equal(countRegisters('$ 4   : 87a41000 00000000 00000004 00000001'), 4);
  assert.equal(countRegisters('$24   : 00000000 80320f00'), 2);
  assert.equal(countRegisters('GPR04: c00000002b8dfa58 0000000000000001 0000000000000000 0000000000000000'), 4);
  assert.equal(countRegisters('Krnl GPRS: 0000000000000000 0000000000000001 0000000000000000 00000000735a3800'), 4);
  assert.equal(countRegisters('a0 0000000000000000 a1 900000010a4e3c18 a2 0000000000000001 a3 0000000000000000'), 4);
  for (const line of [
    'Hi    : 00000000',
    'PrId  : 00019374 (MIPS 24Kc)',
    'Cause : 00800008 (ExcCode 02)',
    ' CRMD: 000000b0 (PLV0 -IE -DA +PG DACF=CC DACM=CC -WE)',
    'CSR crmd: 000000b0\tCSR prmd: 00000004',
  ]) {
    assert.ok(isRegisterLine(line), line);
    assert.ok(countRegisters(line) >= 1, line);
  }
  assert.ok(isRegisterLine('           R:0 T:1 IO:1 EX:1 Key:0 M:1 W:0 P:0 AS:3 CC:0 PM:0 RI:0 EA:3'));
});

test('the RIP and Code: printed again after end trace are a block of their own, not the user-mode block before', () => {
  const log = [
    '[  100.000001][ T4242] kernel BUG at mm/frob.c:123!',
    '[  100.000002][ T4242] invalid opcode: 0000 [#1] PREEMPT SMP KASAN',
    '[  100.000003][ T4242] CPU: 1 PID: 4242 Comm: syz-executor.0 Not tainted 5.10.0-syzkaller #0',
    '[  100.000004][ T4242] RIP: 0010:frob_page+0x5aa/0x720',
    '[  100.000005][ T4242] Code: 48 89 ef e8 3d b6 08 00 0f 0b e8 96 12 d8 ff <0f> 0b e8 8f 12 d8 ff 48 c7 c6',
    '[  100.000006][ T4242] RSP: 0018:ffffc90017cffa00 EFLAGS: 00010212',
    '[  100.000007][ T4242] Call Trace:',
    '[  100.000008][ T4242]  frob_truncate+0x69/0x90',
    '[  100.000009][ T4242]  do_syscall_64+0x2d/0x70',
    '[  100.000010][ T4242]  entry_SYSCALL_64_after_hwframe+0x44/0xa9',
    '[  100.000011][ T4242] RIP: 0033:0x45deb9',
    '[  100.000012][ T4242] Code: 0d b4 fb ff c3 66 2e 0f 1f 84 00 00 00 00 00 66 90 0f 05 <48> 3d 01 f0 ff ff',
    '[  100.000013][ T4242] RSP: 002b:00007faa603fdc78 EFLAGS: 00000246 ORIG_RAX: 000000000000004c',
    '[  100.000014][ T4242] RAX: ffffffffffffffda RBX: 0000000000038100 RCX: 000000000045deb9',
    '[  100.000015][ T4242] Modules linked in:',
    '[  100.000016][ T4242] ---[ end trace 428895aedee6133c ]---',
    '[  100.000017][ T4242] RIP: 0010:frob_page+0x5aa/0x720',
    '[  100.000018][ T4242] Code: 48 89 ef e8 3d b6 08 00 0f 0b e8 96 12 d8 ff <0f> 0b e8 8f 12 d8 ff 48 c7 c6',
    '[  100.000019][ T4242] RSP: 0018:ffffc90017cffa00 EFLAGS: 00010212',
  ].join('\n');
  const [report] = parseCrashLog(log).reports;
  assert.deepEqual(
    report.regs.map((b) => [b.line, b.kind, b.user, b.ip?.line ?? null, b.ip?.address ?? null, b.code?.line ?? null]),
    [
      [3, 'full', false, 3, null, 4],
      [10, 'full', true, 10, '45deb9', 11],
      [16, 'summary', false, 16, null, 17],
    ],
  );
});
