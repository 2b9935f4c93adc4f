// The arm64 tables of server/src/decode/arm64.ts (ESR classes, abort ISS fields, fault status
// codes, BRK immediates, pstate) and the address layouts of addresses.ts (x86-64 5-level paging,
// arm64 39/48/52-bit VAs, tagged pointers), on values real reports print.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type AddressFact, addressFacts, addressLayout, ARM64_LAYOUTS, X86_64_LA57_REGIONS } from '../../server/src/decode/addresses.ts';
import { arm64FieldsIn, brkMeaning, decodeEsr, decodePstate, ESR_CLASSES, esrClass, FAULT_STATUS, faultStatus } from '../../server/src/decode/arm64.ts';

describe('ESR_ELx exception classes', () => {
  it('names every class of esr.h once, in order, as traps.c prints it', () => {
    for (let i = 1; i < ESR_CLASSES.length; i++) assert.ok(ESR_CLASSES[i - 1].ec < ESR_CLASSES[i].ec);
    assert.equal(new Set(ESR_CLASSES.map((c) => c.name)).size, ESR_CLASSES.length);
    const names = ESR_CLASSES.map((c) => c.name);
    for (const n of [
      'UNKNOWN',
      'WFx',
      'FP_ASIMD',
      'BTI',
      'SVC64',
      'SYS64',
      'SVE',
      'FPAC',
      'SME',
      'IABT_LOW',
      'IABT_CUR',
      'PC_ALIGN',
      'DABT_LOW',
      'DABT_CUR',
      'SP_ALIGN',
      'SERROR',
      'BRK64',
      'GCS',
      'MOPS',
    ])
      assert.ok(names.includes(n), n);
    assert.equal(esrClass(0x25)?.text, 'DABT (current EL)');
    assert.equal(esrClass(0x24)?.text, 'DABT (lower EL)');
    assert.equal(esrClass(0x21)?.name, 'IABT_CUR');
    assert.equal(esrClass(0x3c)?.name, 'BRK64');
    assert.equal(esrClass(0x19)?.name, 'SVE');
    assert.equal(esrClass(0x02), null);
  });
  it('splits EC, IL and ISS', () => {
    const d = decodeEsr('0x0000000096000004')!;
    assert.equal(d.ec, 0x25);
    assert.equal(d.il32, true);
    assert.equal(d.iss, 0x4);
    assert.equal(d.iss2, 0);
    assert.equal(d.dataAbort, true);
    const svc = decodeEsr('56000000')!;
    assert.equal(svc.cls?.name, 'SVC64');
    assert.deepEqual(svc.fields, []);
    assert.equal(svc.fault, null);
    assert.equal(decodeEsr('zz'), null);
  });
});

describe('abort ISS fields', () => {
  const field = (esr: string, name: string) => decodeEsr(esr)!.fields.find((f) => f.name === name);
  it('reads a kernel read of an unmapped page (DABT_CUR, level 0 translation fault)', () => {
    const d = decodeEsr('0000000096000004')!;
    assert.equal(d.fault?.text, 'level 0 translation fault');
    assert.equal(d.write, false);
    assert.deepEqual(
      d.fields.map((f) => `${f.name}=${f.value}`),
      ['ISV=0', 'SET=0', 'FnV=0', 'EA=0', 'CM=0', 'S1PTW=0', 'WnR=0'],
    );
  });
  it('reads WnR: a write', () => {
    const d = decodeEsr('0000000096000045')!;
    assert.equal(d.write, true);
    assert.equal(d.fault?.text, 'level 1 translation fault');
    assert.match(field('96000045', 'WnR')!.text, /a \*\*write\*\*/);
  });
  it('reads the instruction syndrome when ISV is set: SAS, SSE, SRT, SF, AR', () => {
    // ISV=1, SAS=3 (doubleword), SSE=0, SRT=x19, SF=1, AR=1, WnR=1, DFSC=0x07.
    const esr = (0x25 << 26) | (1 << 25) | (1 << 24) | (3 << 22) | (19 << 16) | (1 << 15) | (1 << 14) | (1 << 6) | 0x07;
    const d = decodeEsr((esr >>> 0).toString(16))!;
    assert.deepEqual(
      d.fields.slice(0, 6).map((f) => `${f.name}=${f.value}`),
      ['ISV=1', 'SAS=3', 'SSE=0', 'SRT=19', 'SF=1', 'AR=1'],
    );
    assert.match(d.fields[1].text, /doubleword/);
    assert.match(d.fields[3].text, /x19/);
    assert.equal(d.fault?.text, 'level 3 translation fault');
  });
  it('reads FnV, EA, CM and S1PTW', () => {
    const esr = ((0x25 << 26) | (1 << 25) | (1 << 10) | (1 << 9) | (1 << 8) | (1 << 7) | (1 << 6) | 0x10) >>> 0;
    const d = decodeEsr(esr.toString(16))!;
    assert.match(d.fields.find((f) => f.name === 'FnV')!.text, /not valid/);
    assert.match(d.fields.find((f) => f.name === 'EA')!.text, /external abort/);
    assert.match(d.fields.find((f) => f.name === 'CM')!.text, /cache maintenance/);
    assert.equal(d.fields.find((f) => f.name === 'S1PTW')!.value, 1);
    // A cache maintenance sets WnR but is no write.
    assert.equal(d.write, false);
    assert.equal(d.fault?.text, 'synchronous external abort');
  });
  it('reads ISS2 of a newer kernel (TagAccess, Overlay, DirtyBit)', () => {
    const d = decodeEsr('0000020096000047')!;
    assert.equal(d.iss2, 0x200);
    assert.equal(d.fields.find((f) => f.name === 'TagAccess')!.value, 1);
    assert.equal(d.fields.find((f) => f.name === 'Overlay')!.value, 0);
  });
  it('reads an instruction abort without the data-only fields', () => {
    const d = decodeEsr('8600000f')!;
    assert.equal(d.cls?.name, 'IABT_CUR');
    assert.equal(d.fault?.text, 'level 3 permission fault');
    assert.ok(!d.fields.some((f) => f.name === 'WnR' || f.name === 'CM' || f.name === 'ISV'));
  });
});

describe('fault status codes', () => {
  it('names the four levels of translation, access flag and permission faults', () => {
    for (let level = 0; level <= 3; level++) {
      assert.equal(faultStatus(0x04 + level)?.text, `level ${level} translation fault`);
      assert.equal(faultStatus(0x08 + level)?.text, `level ${level} access flag fault`);
      assert.equal(faultStatus(0x0c + level)?.text, `level ${level} permission fault`);
      assert.equal(faultStatus(0x00 + level)?.level, level);
    }
    assert.equal(faultStatus(0x21)?.text, 'alignment fault');
    assert.equal(faultStatus(0x10)?.text, 'synchronous external abort');
    assert.equal(faultStatus(0x11)?.text, 'synchronous tag check fault');
    assert.equal(faultStatus(0x30)?.text, 'TLB conflict abort');
    assert.equal(faultStatus(0x2b)?.level, -1);
    assert.equal(faultStatus(0x3f), null);
    assert.equal(new Set(FAULT_STATUS.map((f) => f.code)).size, FAULT_STATUS.length);
  });
});

describe('BRK immediates', () => {
  it('tells BUG() from KASAN, UBSAN, kCFI, kprobes and KGDB', () => {
    const brk = decodeEsr('00000000f2000800')!;
    assert.equal(brk.cls?.name, 'BRK64');
    assert.equal(brk.brk?.name, 'BUG_BRK_IMM');
    assert.match(brk.brk!.meaning, /BUG\(\)/);
    assert.equal(brkMeaning(0x100).name, 'FAULT_BRK_IMM');
    assert.equal(brkMeaning(0x400).name, 'KGDB_DYN_DBG_BRK_IMM');
    assert.equal(brkMeaning(0x401).name, 'KGDB_COMPILED_DBG_BRK_IMM');
    assert.equal(brkMeaning(0x004).name, 'KPROBES_BRK_IMM');
    assert.equal(brkMeaning(0x005).name, 'UPROBES_BRK_IMM');
    const kasan = brkMeaning(0x913);
    assert.equal(kasan.name, 'KASAN_BRK_IMM');
    assert.match(kasan.meaning, /write of 8 bytes/);
    assert.match(brkMeaning(0x902).meaning, /read of 4 bytes/);
    assert.equal(brkMeaning(0x5503).name, 'UBSAN_BRK_IMM');
    assert.equal(brkMeaning(0x8228).name, 'CFI_BRK_IMM_BASE');
    assert.equal(brkMeaning(0x1234).name, '');
  });
});

describe('arm64 fault lines', () => {
  it('finds the ESR value and the fields of the kernel’s own decoding', () => {
    const esr = '[   57.302655]   ESR = 0x0000000096000005';
    const [f] = arm64FieldsIn(esr);
    assert.equal(f.name, 'ESR');
    assert.equal(f.value, '0x0000000096000005');
    assert.equal(esr.slice(f.start, f.end), 'ESR = 0x0000000096000005');
    const ec = arm64FieldsIn('[   57.302843]   EC = 0x25: DABT (current EL), IL = 32 bits');
    assert.equal(ec.length, 1);
    assert.equal(ec[0].name, 'EC');
    assert.equal(ec[0].value, '0x25');
    assert.deepEqual(
      arm64FieldsIn('[   57.304085]   CM = 0, WnR = 0, TnD = 0, TagAccess = 0').map((x) => `${x.name}=${x.value}`),
      ['CM=0', 'WnR=0', 'TnD=0', 'TagAccess=0'],
    );
    assert.deepEqual(
      arm64FieldsIn('Dec  3 kernel:   ISV = 0, ISS = 0x00000005, ISS2 = 0x00000000').map((x) => x.name),
      ['ISV', 'ISS', 'ISS2'],
    );
    assert.equal(arm64FieldsIn('[ 1.0] SError Interrupt on CPU1, code 0x00000000be000000 -- SError esr 0xbe000000')[0].value, '0xbe000000');
    // die()'s error code is the ESR on arm64 (only there: arm's is the FSR).
    const oops = '[   57.305013] Internal error: Oops: 0000000096000005 [#1] PREEMPT SMP';
    const [o] = arm64FieldsIn(oops, true);
    assert.equal(oops.slice(o.start, o.end), '0000000096000005');
    assert.equal(o.value, '0x0000000096000005');
    assert.deepEqual(arm64FieldsIn(oops), []);
    assert.equal(arm64FieldsIn('[ 9.1] Internal error: Oops - BUG: 00000000f2000800 [#1] SMP', true)[0].value, '0x00000000f2000800');
    assert.equal(arm64FieldsIn('[ 9.1] Internal error: Oops - SP/PC alignment exception: 000000008a000000 [#1] SMP', true)[0].value, '0x000000008a000000');
    assert.equal(
      arm64FieldsIn('[ 0.1] Bad mode in Synchronous Abort handler detected on CPU0, code 0x02000000 -- Unknown/Uncategorized', true)[0].value,
      '0x02000000',
    );
    // Not a fault line: an assignment in a message.
    assert.deepEqual(arm64FieldsIn('[ 1.0] foo: mode EC = 3 in driver'), []);
  });
});

describe('pstate', () => {
  it('decodes NZCV, DAIF, PAN/UAO/TCO/DIT/SSBS, BTYPE and the mode as the kernel prints them', () => {
    const p = decodePstate('60400005')!; // nZCv daif +PAN -UAO -TCO -DIT -SSBS BTYPE=--
    assert.deepEqual(p.flags, { N: false, Z: true, C: true, V: false });
    assert.deepEqual(p.masks, { D: false, A: false, I: false, F: false });
    assert.equal(p.pan, true);
    assert.equal(p.uao, false);
    assert.equal(p.ssbs, false);
    assert.equal(p.btypeText, '--');
    assert.equal(p.mode, 'EL1h');
    const q = decodePstate('80000489')!; // Nzcv daIf -PAN -UAO -TCO BTYPE=jc, EL2h (VHE)
    assert.equal(q.flags.N, true);
    assert.deepEqual(q.masks, { D: false, A: false, I: true, F: false });
    assert.equal(q.btypeText, 'jc');
    assert.equal(q.mode, 'EL2h');
    const r = decodePstate('404000c5')!; // nZcv daIF
    assert.deepEqual(r.masks, { D: false, A: false, I: true, F: true });
    const s = decodePstate('83401000')!; // SSBS, TCO, DIT, UAO? bits 12, 25, 24; EL0t
    assert.equal(s.ssbs, true);
    assert.equal(s.tco, true);
    assert.equal(s.dit, true);
    assert.equal(s.mode, 'EL0t');
    assert.equal(decodePstate('20000010')!.mode, 'AArch32');
    assert.equal(decodePstate('xyz'), null);
  });
});

describe('x86-64 5-level paging (LA57)', () => {
  const la57 = { arch: 'x86_64', la57: true } as const;
  const region = (f: AddressFact | null) => (f && 'region' in f ? (f.region?.name ?? null) : null);
  it('names the 5-level regions when the log says LA57', () => {
    assert.match(region(addressFacts('ff11000100a3c000', la57))!, /direct map/);
    assert.match(region(addressFacts('ffa0000000a3c000', la57))!, /vmalloc/);
    assert.match(region(addressFacts('ffd4000004a1b2c0', la57))!, /vmemmap/);
    assert.match(region(addressFacts('ffffffff8129b350', la57))!, /kernel image/);
    assert.match(region(addressFacts('ffffffffc0a01234', la57))!, /module/);
    assert.equal(addressFacts('00ff7ffc0a9f6e28', la57)?.kind, 'user');
    assert.equal(addressFacts('0100000000000000', la57)?.kind, 'non-canonical');
    // KASAN shadow, same offset as 4-level: shadow of ff11000100a3c000.
    const shadow = (((0xff11000100a3c000n >> 3n) + 0xdffffc0000000000n) & 0xffffffffffffffffn).toString(16);
    assert.deepEqual(addressFacts(shadow, la57), { kind: 'kasan-shadow', shadows: 0xff11000100a3c000n, layout: 'x86-64 5-level paging' });
    for (let i = 1; i < X86_64_LA57_REGIONS.length; i++) assert.ok(X86_64_LA57_REGIONS[i - 1].end <= X86_64_LA57_REGIONS[i].start);
  });
  it('reads an address only canonical with 5-level paging by that layout', () => {
    const f = addressFacts('ff11000100a3c000', true);
    assert.equal(f?.kind, 'kernel');
    assert.match(region(f)!, /direct map/);
    assert.match((f as { layout: string }).layout, /5-level/);
    // Canonical with 5 levels but in no region: still non-canonical for 4 levels.
    assert.deepEqual(addressFacts('00ff000000000000', true), { kind: 'non-canonical', canonicalWith5Level: true });
  });
  it('chooses LA57 from CR4 bit 12 or an `la57` flag', () => {
    assert.deepEqual(addressLayout('x86_64', 'CR2: 0000000000000040 CR3: 000000010d6e2000 CR4: 0000000000771ef0'), { arch: 'x86_64', la57: true });
    assert.deepEqual(addressLayout('x86_64', 'CR2: 0000000000000040 CR3: 000000010d6e2000 CR4: 00000000007706e0'), { arch: 'x86_64', la57: false });
    assert.deepEqual(addressLayout('x86_64', 'flags: fpu vme de pse la57 rdpid'), { arch: 'x86_64', la57: true });
    assert.equal(addressLayout('powerpc', ''), null);
  });
});

describe('arm64 address layouts', () => {
  const a48 = { arch: 'arm64', vaBits: 48 } as const;
  const region = (f: AddressFact | null) => (f && 'region' in f ? (f.region?.name ?? null) : null);
  it('names the 48-bit regions (linear map, modules, vmalloc, fixmap, PCI I/O, vmemmap)', () => {
    assert.match(region(addressFacts('ffff0000c1a4e000', a48))!, /linear map/);
    assert.match(region(addressFacts('ffff80008263b9d0', a48))!, /vmalloc/);
    assert.match(region(addressFacts('ffff800079a01234', a48))!, /module/);
    assert.match(region(addressFacts('fffffbfffdfa0000', a48))!, /fixmap/);
    assert.match(region(addressFacts('fffffbfffe800000', a48))!, /PCI I\/O/);
    assert.match(region(addressFacts('fffffc0003106a80', a48))!, /vmemmap/);
    assert.equal(addressFacts('0000ffffe1b0f3a0', a48)?.kind, 'user');
    for (const l of Object.values(ARM64_LAYOUTS))
      for (let i = 1; i < l.regions.length; i++)
        assert.ok(l.regions[i - 1].end <= l.regions[i].start && l.regions[i].start < l.regions[i].end, `${l.vaBits} ${i}`);
  });
  it('finds the address a generic KASAN shadow byte shadows', () => {
    // 48-bit: KASAN_SHADOW_OFFSET 0xdfff800000000000.
    assert.deepEqual(addressFacts('ffff6000183499c0', a48), { kind: 'kasan-shadow', shadows: 0xffff0000c1a4ce00n, layout: 'arm64 48-bit VA' });
  });
  it('reads 39- and 52-bit layouts, and a 52-bit linear map address under the 48-bit default', () => {
    assert.match(region(addressFacts('ffffff80c1a4e000', { arch: 'arm64', vaBits: 39 }))!, /linear map/);
    assert.match(region(addressFacts('ffffffc008123456', { arch: 'arm64', vaBits: 39 }))!, /module/);
    assert.equal(addressFacts('0000008000000000', { arch: 'arm64', vaBits: 39 })?.kind, 'arm64-invalid');
    assert.match(region(addressFacts('fff0000c1a4e0000', { arch: 'arm64', vaBits: 52 }))!, /linear map/);
    const f = addressFacts('fff0000c1a4e0000', a48);
    assert.match(region(f)!, /linear map/);
    assert.equal((f as { layout: string }).layout, 'arm64 52-bit VA');
    assert.deepEqual(addressLayout('arm64', 'swapper pgtable: 4k pages, 52-bit VAs, pgdp=0000000044a53000'), { arch: 'arm64', vaBits: 52 });
    assert.deepEqual(addressLayout('arm64', 'no pgtable line'), { arch: 'arm64', vaBits: 48 });
  });
  it('says an address between user and kernel ranges is invalid', () => {
    // A syzkaller report's `Unable to handle kernel paging request at virtual address 00616161616161a1`.
    assert.deepEqual(addressFacts('00616161616161a1', a48), { kind: 'arm64-invalid', vaBits: 48 });
  });
  it('strips a pointer tag (top byte ignore) and reads the rest', () => {
    const f = addressFacts('f2ff0000c1a4e000', a48) as Extract<AddressFact, { kind: 'tagged' }>;
    assert.equal(f.kind, 'tagged');
    assert.equal(f.tag, 0xf2);
    assert.match(region(f.inner)!, /linear map/);
    const invalid = addressFacts('feff0000c1a4e000', a48) as Extract<AddressFact, { kind: 'tagged' }>;
    assert.equal(invalid.tag, 0xfe);
    const user = addressFacts('0b0000ffe1b0f3a0', a48) as Extract<AddressFact, { kind: 'tagged' }>;
    assert.equal(user.inner?.kind, 'user');
  });
});
