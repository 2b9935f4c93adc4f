// server/src/disasm/x86.ts: x86 `Code:` lines disassembled decodecode's way, on `Code:` lines of the
// repository's own fixtures. The expected instructions were checked once against GNU objdump
// (`objdump -D -b binary -m i386:x86-64` / `-m i386` over the same bytes) and are written here as
// the mnemonics and offsets objdump gives.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { test } from 'node:test';
import { codeLineBytes, disassembleX86, type DisasmLine } from '../../server/src/disasm/x86.ts';

const FIXTURES = path.resolve(import.meta.dirname, '..', 'fixtures');

/** The first `Code:` line of a fixture that contains `needle`. */
function codeLine(fixture: string, needle: string): string {
  const line = readFileSync(path.join(FIXTURES, fixture), 'utf8')
    .split('\n')
    .find((l) => l.includes('Code: ') && l.includes(needle));
  assert.ok(line, `${fixture} has a Code: line with ${needle}`);
  return line;
}

function disassemble(line: string, bitness: 32 | 64) {
  const parsed = codeLineBytes(line);
  assert.ok(parsed, 'the line has bytes and a marker');
  const result = disassembleX86(parsed.bytes, parsed.marker, bitness);
  assert.ok(result.ok, result.ok ? '' : result.problem);
  return { ...result, marker: parsed.marker };
}

const mnemonic = (l: DisasmLine) => l.text.split(' ')[0];
const icedLoaded = () => Object.keys(createRequire(import.meta.url).cache).some((k) => /iced_x86\.js$/.test(k));

// Runs first (node:test runs a file's tests in order): importing the module must not load the decoder.
test('the decoder is loaded on the first disassembly, not on import', () => {
  assert.equal(icedLoaded(), false);
  codeLineBytes('Code: 90 <0f> 0b c3');
  assert.equal(icedLoaded(), false, 'reading the bytes needs no decoder');
  assert.ok(disassembleX86(Uint8Array.from([0x90, 0x0f, 0x0b, 0xc3]), 1, 64).ok);
  assert.equal(icedLoaded(), true);
});

test('the bytes and the marked byte of a Code: line; `(xx)` marks like `<xx>`', () => {
  assert.deepEqual(codeLineBytes('[ 1.0] Code: 90 <0f> 0b c3'), { bytes: Uint8Array.from([0x90, 0x0f, 0x0b, 0xc3]), marker: 1 });
  assert.deepEqual(codeLineBytes('Code: 90 (0f) 0b c3'), { bytes: Uint8Array.from([0x90, 0x0f, 0x0b, 0xc3]), marker: 1 });
  assert.equal(codeLineBytes('Code: 90 0f 0b c3'), null, 'no marker');
  assert.equal(codeLineBytes('Code: Unable to access opcode bytes at 0x7f1c2a8e3c07.'), null);
  assert.equal(codeLineBytes('Code: e5943028 e3530000 (e5932008)'), null, 'arm words are no bytes');
});

test('x86-64, starting on an instruction boundary: decoded from the first byte, the marked instruction at the marker', () => {
  // bench-x86-4x-irq-addresses.log: ... test $0x1,%al; je ...; <48> 8b 50 48 = mov 0x48(%rax),%rdx
  const r = disassemble(codeLine('bench-x86-4x-irq-addresses.log', '8b 87 c0 00 00 00 44 0f b7'), 64);
  assert.equal(r.skipped, 0);
  assert.equal(r.lines[0].offset, 0);
  assert.equal(r.lines[0].text, 'mov 0xc0(%rdi),%eax');
  const marked = r.lines.filter((l) => l.marked);
  assert.equal(marked.length, 1);
  assert.equal(marked[0].offset, r.marker);
  assert.equal(marked[0].bytes, '48 8b 50 48');
  assert.equal(marked[0].text, 'mov 0x48(%rax),%rdx');
  const before = r.lines[r.lines.indexOf(marked[0]) - 1];
  assert.equal(before.text, 'je 0x1eb');
  assert.equal(r.ud2, false);
});

test('x86-64, the first byte mid-instruction: the start that lands on the marker is kept', () => {
  // lsp-mixed-modern.log (KASAN): the line opens with `3c 02 00`, the tail of a `cmpb $0x0,(%rdx,%rax,1)`
  // (80 3c 02 00). From byte 0 objdump reads `cmp $0x2,%al; add %cl,(%rdi); test %esp,%ebp; (bad)`;
  // from byte 1 it reads `add (%rax),%al; jne; mov 0x238(%rbx),%rbx; movabs $0xdffffc0000000000,%rax;
  // lea 0xc8(%rbx),%rdi; mov %rdi,%rdx; shr $0x3,%rdx` and lands on the marked `cmpb` at 0x28.
  const r = disassemble(codeLine('lsp-mixed-modern.log', '3c 02 00 0f 85 e5 1f'), 64);
  assert.equal(r.skipped, 1);
  assert.equal(r.lines[0].offset, 1);
  const upTo = r.lines.slice(0, r.lines.findIndex((l) => l.marked) + 1);
  assert.deepEqual(upTo.map(mnemonic), ['add', 'jne', 'mov', 'movabs', 'lea', 'mov', 'shr', 'cmpb']);
  const marked = upTo[upTo.length - 1];
  assert.equal(marked.offset, 0x28);
  assert.equal(marked.offset, r.marker);
  assert.equal(marked.bytes, '80 3c 02 00');
  assert.ok(!r.lines.some((l) => l.text === '(bad)'));
});

test('ud2 at the marker: a BUG()/WARN() trap', () => {
  // bench-x86-6x-warn-caller.log: `call ...; nop; <0f> 0b` = ud2 (a WARN), then `nop; jmp ...`.
  const r = disassemble(codeLine('bench-x86-6x-warn-caller.log', 'e8 a4 61 4c fd 90 <0f> 0b'), 64);
  assert.equal(r.ud2, true);
  const k = r.lines.findIndex((l) => l.marked);
  assert.equal(r.lines[k].text, 'ud2');
  assert.equal(r.lines[k].offset, r.marker);
  assert.equal(r.lines[k - 1].text, 'nop');
  assert.equal(mnemonic(r.lines[k - 2]), 'call');
});

test('ud2 of a real BUG_ON() (Debian kernel module): the same instructions objdump lists', () => {
  // real-debian-module-bug-on.log; objdump from byte 0: add %al,(%rax); test %eax,%eax; je; mov $0x1,%eax;
  // test %edi,%edi; je; ret; int3 x4; ud2; ret; int3 x4; nopw; nopl; then the marked ud2 at 0x2a.
  const r = disassemble(codeLine('real-debian-module-bug-on.log', '0f 1f 44 00 00 <0f> 0b 66'), 64);
  assert.equal(r.skipped, 0);
  const k = r.lines.findIndex((l) => l.marked);
  assert.deepEqual(r.lines.slice(0, k + 1).map(mnemonic), [
    'add',
    'test',
    'je',
    'mov',
    'test',
    'je',
    'ret',
    'int3',
    'int3',
    'int3',
    'int3',
    'ud2',
    'ret',
    'int3',
    'int3',
    'int3',
    'int3',
    'nopw',
    'nopl',
    'ud2',
  ]);
  assert.equal(r.lines[k].offset, 0x2a);
  assert.equal(r.ud2, true);
});

test('i386: 32-bit decoding of an i386 report', () => {
  // wild/x86-i386-6.7-lkp-decoded-lockdep-warning.log; objdump -m i386: call; test %eax,%eax; je 0xf1b;
  // mov 0xceb59c94,%ebx; test; jne; push $0xce341664; push $0xce3317fe; call; <ud2>; pop %eax; pop %edx.
  const line = codeLine('wild/x86-i386-6.7-lkp-decoded-lockdep-warning.log', '<0f> 0b 58 5a');
  const r = disassemble(line, 32);
  assert.equal(r.skipped, 0);
  const k = r.lines.findIndex((l) => l.marked);
  assert.deepEqual(
    r.lines.slice(0, k + 3).map((l) => l.text),
    [
      'call 0x2e10b3',
      'test %eax,%eax',
      'je 0xf1b',
      'mov 0xceb59c94,%ebx',
      'test %ebx,%ebx',
      'jne 0xf1b',
      'push $0xce341664',
      'push $0xce3317fe',
      'call 0xfffc2233',
      'ud2',
      'pop %eax',
      'pop %edx',
    ],
  );
  assert.equal(r.ud2, true);
  // The same bytes read as x86-64 differ (`8b 1d` is RIP-relative there): the bitness matters.
  const as64 = disassemble(line, 64);
  assert.notDeepEqual(
    as64.lines.map((l) => l.text),
    r.lines.map((l) => l.text),
  );
});

test('the last instruction cut off by the end of the line is marked truncated, not decoded', () => {
  // bench-x86-4x-irq-addresses.log ends in `48 89`: the start of a mov whose ModRM byte was not printed.
  const r = disassemble(codeLine('bench-x86-4x-irq-addresses.log', '8b 87 c0 00 00 00 44 0f b7'), 64);
  const last = r.lines[r.lines.length - 1];
  assert.equal(last.bytes, '48 89');
  assert.equal(last.truncated, true);
});

test('bytes that cannot land on the marker from any start are shown from the marker on', () => {
  // `0f 0f 0b` with the last byte marked: from byte 0 a 3DNow! instruction, from byte 1 a ud2, both
  // run over the marker; no start lands on it, so the listing begins at the marker.
  const result = disassembleX86(Uint8Array.from([0x0f, 0x0f, 0x0b]), 2, 64);
  assert.ok(result.ok);
  assert.equal(result.skipped, 2);
  assert.equal(result.lines[0].offset, 2);
  assert.equal(result.lines[0].marked, true);
  assert.equal(disassembleX86(Uint8Array.from([0x90]), 3, 64).ok, false, 'a marker outside the bytes');
});

test('the same line asked again is answered from the recent listings', () => {
  const bytes = Uint8Array.from([0x48, 0x8b, 0x40, 0x10, 0x0f, 0x0b, 0xc3]);
  const first = disassembleX86(bytes, 4, 64);
  assert.equal(disassembleX86(Uint8Array.from(bytes), 4, 64), first);
  assert.notEqual(disassembleX86(bytes, 4, 32), first, 'the bitness is part of the key');
  assert.notEqual(disassembleX86(bytes, 0, 64), first, 'so is the marker');
});
