// The hover's words for arm64 values (tables in server/src/decode/arm64.ts): an ESR value, the
// kernel's own `Mem abort info:` / `Data abort info:` lines, a `pstate:` value.
import type { Arm64LineField, EsrDecoded } from '../decode/arm64.ts';
import { abortFieldText, decodeEsr, decodePstate, esrClass, faultStatus } from '../decode/arm64.ts';

const code = (s: string) => '`' + s.replace(/`/g, "'") + '`';
const hex = (n: number) => `0x${n.toString(16)}`;

/** The hover of one field of an arm64 fault line. */
export function arm64FieldText(field: Arm64LineField): string {
  const n = field.value.startsWith('0x') ? Number.parseInt(field.value.slice(2), 16) : Number(field.value);
  switch (field.name) {
    case 'ESR': {
      const d = decodeEsr(field.value);
      return d ? esrText(d) : `**ESR** ${code(field.value)}`;
    }
    case 'EC': {
      const c = esrClass(n);
      return [
        `**${code(`EC = ${hex(n)}`)}** · exception class${c ? ` ${code(`ESR_ELx_EC_${c.name}`)}` : ''}`,
        c ? `${capitalize(c.meaning)}.` : 'An exception class the kernel does not name (reserved).',
        '`IL`: the length of the trapped instruction (32 bits for every A64 instruction; 16 only for AArch32 Thumb).',
      ].join('\n\n');
    }
    case 'FSC':
    case 'DFSC':
    case 'IFSC': {
      const f = faultStatus(n);
      return [
        `**${code(`${field.name} = ${hex(n)}`)}** · fault status code (ESR bits 5:0)`,
        f ? `**${f.text}**: ${f.meaning}.` : 'A fault status code the kernel does not name.',
        f?.level !== undefined
          ? `The level is the page-table level (0 top … 3 last) where the walk stopped${f.text.includes('translation') ? `: at level ${f.level} no entry was valid` : ''}.`
          : '',
      ]
        .filter(Boolean)
        .join('\n\n');
    }
    case 'ISS':
      return `**${code(`ISS = ${field.value}`)}** · instruction-specific syndrome (ESR bits 24:0): for an abort, ISV, SAS, SRT, WnR and the fault status code (the lines around decode it).`;
    case 'ISS2':
      return `**${code(`ISS2 = ${field.value}`)}** · second syndrome (ESR bits 55:32): for an abort, TnD, TagAccess, GCS, Overlay, DirtyBit and Xs (FEAT_LS64, MTE, GCS, permission overlays).`;
    default: {
      const text = abortFieldText(field.name, n);
      return `**${code(`${field.name} = ${field.value}`)}** · ${FIELD_NAMES[field.name] ?? 'abort syndrome field'}${text ? `\n\n${capitalize(text)}.` : ''}`;
    }
  }
}

const FIELD_NAMES: Record<string, string> = {
  ISV: 'instruction syndrome valid (ISS bit 24)',
  SAS: 'syndrome access size (ISS bits 23:22)',
  SSE: 'syndrome sign extend (ISS bit 21)',
  SRT: 'syndrome register transfer (ISS bits 20:16)',
  SF: 'sixty-four bit register (ISS bit 15)',
  AR: 'acquire/release (ISS bit 14)',
  VNCR: 'VNCR_EL2 access (ISS bit 13)',
  SET: 'synchronous error type (ISS bits 12:11)',
  FnV: 'FAR not valid (ISS bit 10)',
  EA: 'external abort (ISS bit 9)',
  CM: 'cache maintenance (ISS bit 8)',
  S1PTW: 'stage 1 page-table walk (ISS bit 7)',
  WnR: 'write not read (ISS bit 6)',
  TnD: 'tag not data (ISS2 bit 10)',
  TagAccess: 'tag access (ISS2 bit 9)',
  GCS: 'guarded control stack (ISS2 bit 8)',
  Overlay: 'permission overlay (ISS2 bit 6)',
  DirtyBit: 'dirty state (ISS2 bit 5)',
  Xs: 'extended syndrome (ISS2 bits 4:0)',
  LST: 'load/store type (ISS bits 12:11 with FEAT_LS64)',
};

/** ESR_ELx as a whole: class, length, ISS and, for an abort, its fields and fault status. */
export function esrText(d: EsrDecoded): string {
  const parts = [`**${code(`ESR = 0x${d.value.toString(16).padStart(8, '0')}`)}** · exception syndrome register (ESR_ELx)`];
  parts.push(
    `- EC ${code(hex(d.ec))}${d.cls ? ` ${code(d.cls.text)} (\`ESR_ELx_EC_${d.cls.name}\`)` : ' (reserved)'}: ${d.cls ? d.cls.meaning : 'a class the kernel does not name'}\n` +
      `- IL ${d.il32 ? '1: 32-bit instruction' : '0: 16-bit instruction'}\n` +
      `- ISS ${code(`0x${d.iss.toString(16).padStart(7, '0')}`)}${d.iss2 ? `, ISS2 ${code(hex(d.iss2))}` : ''}`,
  );
  if (d.fault) {
    parts.push(
      `**${capitalize(d.fault.text)}** (${d.dataAbort ? 'DFSC' : 'IFSC'} ${code(hex(d.fault.code))})${d.dataAbort ? ` on ${d.write ? 'a **write**' : 'a **read**'}` : ' on an instruction fetch'}: ${d.fault.meaning}.`,
    );
  }
  if (d.fields.length) parts.push(d.fields.map((f) => `- ${code(`${f.name} = ${f.value}`)}: ${f.text}`).join('\n'));
  if (d.brk) {
    parts.push(`BRK immediate ${code(hex(d.brk.imm))}${d.brk.name ? ` (${code(d.brk.name)})` : ''}: ${d.brk.meaning}.`);
  }
  return parts.join('\n\n');
}

/** arm64's `pstate: 60400005 (nZCv daif +PAN …)` (the parser reads no register there): its span, to the
 * kernel's own text in parentheses, and the hover. */
export function pstateIn(line: string): { start: number; end: number; text: string } | null {
  const m = /\bpstate: ([0-9a-f]{8,16})\b(?: \([^)]*\))?/.exec(line);
  if (!m) return null;
  const text = [
    `**\`pstate\`** · processor state = \`${m[1]}\``,
    'The saved PSTATE (SPSR): condition flags, exception masks, the exception level and stack pointer, and feature bits. The kernel prints its own decoding in parentheses.',
    pstateText(m[1]),
  ].join('\n\n');
  return { start: m.index, end: m.index + m[0].length, text };
}

/** A `pstate:` value: flags, masks, PAN/UAO/TCO/DIT/SSBS, BTYPE and the mode. */
export function pstateText(value: string): string {
  const p = decodePstate(value);
  if (!p) return '';
  const flag = (on: boolean, name: string) => (on ? name.toUpperCase() : name.toLowerCase());
  const nzcv = `${flag(p.flags.N, 'n')}${flag(p.flags.Z, 'z')}${flag(p.flags.C, 'c')}${flag(p.flags.V, 'v')}`;
  const daif = `${flag(p.masks.D, 'd')}${flag(p.masks.A, 'a')}${flag(p.masks.I, 'i')}${flag(p.masks.F, 'f')}`;
  const masked = (['D', 'A', 'I', 'F'] as const).filter((k) => p.masks[k]);
  const maskWords: Record<string, string> = { D: 'debug', A: 'SError', I: 'IRQ', F: 'FIQ' };
  const items = [
    `- mode ${code(p.mode)}: ${p.modeText}`,
    `- ${code(nzcv)}: condition flags (capital = set): N negative, Z zero, C carry, V overflow`,
    `- ${code(daif)}: ${masked.length ? `masked: ${masked.map((k) => `${k} (${maskWords[k]})`).join(', ')}${p.masks.I ? ' — **interrupts were disabled**' : ''}` : 'no exception masked (interrupts enabled)'}`,
    `- ${p.pan ? '+' : '-'}PAN: privileged access never ${p.pan ? 'on: the kernel cannot touch user memory outside uaccess helpers' : 'off'}`,
    `- ${p.uao ? '+' : '-'}UAO: user access override ${p.uao ? 'on' : 'off'}`,
    `- ${p.tco ? '+' : '-'}TCO: MTE tag check override ${p.tco ? 'on (tag checks suppressed)' : 'off'}`,
    `- ${p.dit ? '+' : '-'}DIT: data-independent timing ${p.dit ? 'on' : 'off'}`,
    `- ${p.ssbs ? '+' : '-'}SSBS: speculative store bypass ${p.ssbs ? 'allowed' : 'not allowed (mitigation active)'}`,
    `- BTYPE=${p.btypeText}: branch type for BTI${p.btype ? ' (the last branch was indirect: the next instruction must be a valid landing pad)' : ''}`,
  ];
  if (p.ss) items.push('- SS: single step pending');
  if (p.il) items.push('- IL: **illegal execution state**');
  return `${code(hex(p.value))} decoded:\n\n${items.join('\n')}`;
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
