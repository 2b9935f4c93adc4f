// KASAN's shadow memory as its reports print it (`Memory state around the buggy address:`): what each
// shadow byte value means (the kernel's mm/kasan/kasan.h; generic KASAN: one byte per 8 bytes of
// memory). Pure: no LSP types. The hover words the answer.

/** Bytes of memory one shadow byte stands for with generic KASAN (tag-based KASAN: 16). */
export const KASAN_GRANULE = 8;

export interface ShadowByte {
  /** Short name, as the kernel's constant says it. */
  name: string;
  meaning: string;
}

/** Named shadow values of generic KASAN (values 0x01–0x07 are partial granules, see shadowByteMeaning). */
const SHADOW_CODES: ReadonlyMap<number, ShadowByte> = new Map([
  [0xff, { name: 'page free', meaning: 'a freed page (page allocator)' }],
  [0xfe, { name: 'page redzone', meaning: 'the redzone of a page-allocator or large `kmalloc` allocation' }],
  [0xfc, { name: 'slab redzone', meaning: 'the redzone around a slab object: outside any object (an out-of-bounds access lands here)' }],
  [0xfb, { name: 'slab free', meaning: 'a freed slab object (a use-after-free lands here)' }],
  [0xfa, { name: 'slab free (tracked)', meaning: "a freed slab object whose free stack is kept in it; on kernels before 5.x, a global variable's redzone" }],
  [0xf9, { name: 'global redzone', meaning: 'the redzone after a global variable' }],
  [0xf8, { name: 'vmalloc invalid', meaning: 'unmapped vmalloc space; on older kernels, a stack variable used after its scope ended' }],
  [0xf1, { name: 'stack left redzone', meaning: 'the redzone before the first variable of a stack frame' }],
  [0xf2, { name: 'stack mid redzone', meaning: 'the redzone between two variables of a stack frame' }],
  [0xf3, { name: 'stack right redzone', meaning: 'the redzone after the last variable of a stack frame' }],
  [0xf4, { name: 'stack partial redzone', meaning: 'a partly used granule of a stack variable (older kernels)' }],
  [0xf5, { name: 'stack after return', meaning: 'a stack frame that has returned' }],
  [0xca, { name: 'alloca left redzone', meaning: 'the redzone before an `alloca()`/VLA area' }],
  [0xcb, { name: 'alloca right redzone', meaning: 'the redzone after an `alloca()`/VLA area' }],
]);

/** What a shadow byte of generic KASAN says about the 8 bytes it stands for. */
export function shadowByteMeaning(value: number): ShadowByte {
  if (value === 0) return { name: 'accessible', meaning: 'all 8 bytes are accessible' };
  if (value >= 1 && value <= 7)
    return { name: 'partly accessible', meaning: `the first ${value} of the 8 bytes are accessible, the other ${8 - value} are not (the end of an object)` };
  return SHADOW_CODES.get(value) ?? { name: 'unknown', meaning: 'not a value generic KASAN uses (with tag-based KASAN every byte is a memory tag)' };
}

/** A row of the memory-state dump (`>ffff888012345600: fb fb fc fc …`): offsets in the message. */
export interface ShadowRow {
  /** True on the row with the buggy address (`>`). */
  buggy: boolean;
  address: bigint;
  addressSpan: { start: number; end: number };
  bytes: { value: number; start: number }[];
}

const ROW = /^([ >])([0-9a-f]{8,16}): ((?:[0-9a-f]{2} ){3,}[0-9a-f]{2})\s*$/;

/** A shadow-dump row, or null. */
export function shadowRowOf(message: string): ShadowRow | null {
  const m = ROW.exec(message);
  if (!m) return null;
  const bytes: ShadowRow['bytes'] = [];
  const first = m[1].length + m[2].length + 2;
  for (const b of m[3].matchAll(/[0-9a-f]{2}/g)) bytes.push({ value: parseInt(b[0], 16), start: first + (b.index as number) });
  return { buggy: m[1] === '>', address: BigInt('0x' + m[2]), addressSpan: { start: 1, end: 1 + m[2].length }, bytes };
}
