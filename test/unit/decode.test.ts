// The decoding tables of server/src/decode: taint letters, control-register bits, the page-fault
// error code.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addressFacts, type AddressRegion, X86_64_REGIONS } from '../../server/src/decode/addresses.ts';
import { CR0_BITS, CR4_BITS, decodeBits, PF_ERROR_BITS, pfErrorCodeIn, pfErrorSummary } from '../../server/src/decode/registers.ts';
import { origRaxMeaning, x86_64SyscallName } from '../../server/src/decode/syscalls.ts';
import { TAINT_FLAGS, taintFlag, taintFlagsOf, taintMask, taintTextIn } from '../../server/src/decode/taint.ts';

describe('taint flags', () => {
  it('has one row per bit, in order, each letter once', () => {
    TAINT_FLAGS.forEach((f, i) => assert.equal(f.bit, i));
    assert.equal(new Set(TAINT_FLAGS.map((f) => f.letter)).size, TAINT_FLAGS.length);
    assert.equal(TAINT_FLAGS.map((f) => f.letter).join(''), 'PFSRMBUDAWCIOELKXTNJ');
  });
  it('reads the columns of a CPU line: a letter is its column', () => {
    const cols = 'G      D W  O';
    for (const f of taintFlagsOf(cols)) assert.equal(cols[f.bit], f.letter);
    assert.deepEqual(
      taintFlagsOf(cols).map((f) => f.letter),
      ['D', 'W', 'O'],
    );
    assert.equal(taintMask(taintFlagsOf(cols)), 0x80 + 0x200 + 0x1000);
    assert.deepEqual(
      taintFlagsOf('--L------------ T').map((f) => f.letter),
      ['L', 'T'],
    );
    assert.equal(taintFlag('G'), undefined);
    assert.match(taintFlag('D')!.meaning, /oops/);
  });
  it('finds the taint text of a line, and not the release after it', () => {
    const line = '[    1.583470] CPU: 0 PID: 93 Comm: init Tainted: G           OE      6.1.0-56-amd64 #1';
    const t = taintTextIn(line)!;
    assert.equal(line.slice(t.start, t.end), 'Tainted: G           OE');
    assert.equal(t.columns, 'G           OE');
    const n = taintTextIn('CPU: 1 PID: 0 Comm: swapper/1 Not tainted 6.1.0 #1')!;
    assert.equal(n.columns, null);
    const v = taintTextIn('[  402.120315][ T4411] Tainted: [W]=WARN, [O]=OOT_MODULE, [E]=UNSIGNED_MODULE')!;
    assert.equal(v.columns, 'WOE');
    assert.equal(taintTextIn('RIP: 0010:foo+0x1/0x2'), null);
  });
});

describe('control registers and the page-fault error code', () => {
  it('names the CR0 bits of a usual x86-64 value', () => {
    assert.deepEqual(
      decodeBits('0000000080050033', CR0_BITS)!.set.map((b) => b.name),
      ['PE', 'MP', 'ET', 'NE', 'WP', 'AM', 'PG'],
    );
  });
  it('names the CR4 bits and lists the unnamed ones', () => {
    const d = decodeBits('00000000007706e0', CR4_BITS)!;
    assert.deepEqual(
      d.set.map((b) => b.name),
      ['PAE', 'MCE', 'PGE', 'OSFXSR', 'OSXMMEXCPT', 'FSGSBASE', 'PCIDE', 'OSXSAVE', 'SMEP', 'SMAP', 'PKE'],
    );
    assert.deepEqual(d.unknown, []);
    assert.deepEqual(decodeBits('80000', CR4_BITS)!.unknown, [19]);
    assert.equal(decodeBits('xyz', CR4_BITS), null);
  });
  it('has bit numbers once per table', () => {
    for (const t of [CR0_BITS, CR4_BITS, PF_ERROR_BITS]) assert.equal(new Set(t.map((b) => b.bit)).size, t.length);
  });
  it('decodes the page-fault error code', () => {
    const line = '[    1.583470] #PF: error_code(0x0002) - not-present page';
    const pf = pfErrorCodeIn(line)!;
    assert.equal(line.slice(pf.start, pf.end), '#PF: error_code(0x0002)');
    assert.equal(pf.value, '0002');
    assert.equal(pfErrorSummary('0002'), 'kernel-mode write of a not-present page');
    assert.equal(pfErrorSummary('0000'), 'kernel-mode read of a not-present page');
    assert.equal(pfErrorSummary('0015'), 'user-mode instruction fetch, a protection violation on a present page');
    assert.deepEqual(
      decodeBits('0007', PF_ERROR_BITS)!.set.map((b) => b.name),
      ['P', 'W/R', 'U/S'],
    );
  });
});

describe('x86-64 system calls', () => {
  it('names numbers of syscall_64.tbl', () => {
    const known: [number, string][] = [
      [0, 'read'],
      [1, 'write'],
      [59, 'execve'],
      [60, 'exit'],
      [156, '_sysctl'],
      [202, 'futex'],
      [209, 'io_submit'],
      [231, 'exit_group'],
      [257, 'openat'],
      [321, 'bpf'],
      [334, 'rseq'],
      [424, 'pidfd_send_signal'],
      [435, 'clone3'],
      [462, 'mseal'],
    ];
    for (const [n, name] of known) assert.equal(x86_64SyscallName(n), name, String(n));
    for (const n of [-1, 1.5, 400, 423, 512, 100000]) assert.equal(x86_64SyscallName(n), null, String(n));
    for (let n = 0; n <= 336; n++) assert.match(x86_64SyscallName(n)!, /^[a-z_][a-z0-9_]*$/, String(n));
  });
  it('reads ORIG_RAX: −1 is no system call', () => {
    assert.deepEqual(origRaxMeaning('ffffffffffffffff'), { kind: 'none' });
    assert.deepEqual(origRaxMeaning('00000000000000d1'), { kind: 'number', n: 209, syscall: 'io_submit' });
    assert.equal(origRaxMeaning('ffff888000000000'), null);
    assert.equal(origRaxMeaning('zz'), null);
  });
});

describe('addresses', () => {
  const kind = (hex: string, x86 = true) => addressFacts(hex, x86)?.kind ?? null;
  it('reads NULL plus a small offset, ZERO_SIZE_PTR and error pointers', () => {
    assert.deepEqual(addressFacts('0000000000000040', true), { kind: 'null', offset: 0x40n });
    assert.deepEqual(addressFacts('0000000000000000', false), { kind: 'null', offset: 0n });
    assert.equal(kind('0000000000000010'), 'zero-size-ptr');
    assert.equal(kind('0000000000001000'), 'user');
    assert.deepEqual(addressFacts('ffffffffffffffda', true), { kind: 'err-ptr', errno: 38, name: 'ENOSYS' });
    assert.deepEqual(addressFacts('fffffffffffff001', true), { kind: 'err-ptr', errno: 4095, name: null });
  });
  it('knows the poison values', () => {
    assert.match((addressFacts('dead000000000100', true) as { meaning: string }).meaning, /LIST_POISON1/);
    assert.match((addressFacts('dead000000000122', true) as { meaning: string }).meaning, /LIST_POISON2/);
    assert.equal(kind('dead000000000400'), 'poison-pointer');
    assert.match((addressFacts('6b6b6b6b6b6b6b6b', true) as { meaning: string }).meaning, /POISON_FREE.*use after free/);
    assert.match((addressFacts('6b6b6b6b6b6b6b73', false) as { meaning: string }).meaning, /POISON_FREE/);
    assert.match((addressFacts('5a5a5a5a5a5a5a5a', true) as { meaning: string }).meaning, /POISON_INUSE/);
    assert.match((addressFacts('a5a5a5a5a5a5a5a5', true) as { meaning: string }).meaning, /POISON_END/);
    assert.match((addressFacts('cccccccccccccccc', true) as { meaning: string }).meaning, /RED_ACTIVE/);
    assert.match((addressFacts('bbbbbbbbbbbbbbbb', true) as { meaning: string }).meaning, /RED_INACTIVE/);
    assert.match((addressFacts('00000000dead4ead', true) as { meaning: string }).meaning, /SPINLOCK_MAGIC/);
  });
  it('tells canonical from non-canonical, user from kernel (x86-64 only)', () => {
    assert.equal(kind('0000800000000000'), 'non-canonical');
    assert.equal(kind('1234567812345678'), 'non-canonical');
    assert.deepEqual(addressFacts('1234567812345678', true), { kind: 'non-canonical', canonicalWith5Level: false });
    // Canonical only with 5-level paging, in its direct map: read by that layout (test/unit/decodeArm64.test.ts).
    assert.equal(kind('ff11000100a3c000'), 'kernel');
    assert.deepEqual(addressFacts('00ff000000000000', true), { kind: 'non-canonical', canonicalWith5Level: true });
    assert.equal(kind('1234567812345678', false), null);
    assert.equal(kind('00007ffc0a9f6e28'), 'user');
    assert.equal(kind('ffff800000000000'), 'kernel');
  });
  it('names the x86-64 regions', () => {
    const region = (hex: string) => (addressFacts(hex, true) as { region: AddressRegion | null }).region?.name ?? null;
    assert.match(region('ffff888100a3c000')!, /direct map/);
    assert.match(region('ffff88007876fd70')!, /direct map .* before 4\.20/);
    assert.match(region('ffffc90000123f00')!, /vmalloc/);
    assert.match(region('ffffea0004a1b2c0')!, /vmemmap/);
    assert.match(region('ffffffff8129b350')!, /kernel image/);
    assert.match(region('ffffffffc0a01234')!, /module/);
    assert.match(region('ffffffffff5fd000')!, /fixmap/);
    assert.equal(region('fffffc0000000000'), null);
    for (const [a, b] of X86_64_REGIONS.map((r) => [r.start, r.end])) assert.ok(a < b);
    for (let i = 1; i < X86_64_REGIONS.length; i++) assert.ok(X86_64_REGIONS[i - 1].end <= X86_64_REGIONS[i].start);
  });
  it('finds the address a KASAN shadow byte shadows', () => {
    assert.deepEqual(addressFacts('ffffed1020014780', true), { kind: 'kasan-shadow', shadows: 0xffff8881000a3c00n });
    assert.deepEqual(addressFacts('ffffec0000000000', true), { kind: 'kasan-shadow', shadows: 0xffff800000000000n });
  });
});
