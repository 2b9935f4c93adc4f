// The decoding tables of server/src/decode: taint letters, control-register bits, the page-fault
// error code.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
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
