// What a 64-bit value looks like as an address: NULL plus a field offset, a poison pattern, an
// error pointer, a non-canonical value, user or kernel space and which region of the kernel's
// layout: x86-64 with 4- or 5-level paging (Documentation/arch/x86/x86_64/mm.rst), arm64 with 39-,
// 48- or 52-bit virtual addresses and tagged pointers (Documentation/arch/arm64/memory.rst,
// tagged-pointers.rst). Poison values: include/linux/poison.h. Pure: no LSP types. The hover words
// the answer; `addressLayout` chooses the layout from what the report says.

export interface AddressRegion {
  start: bigint;
  /** Exclusive. */
  end: bigint;
  name: string;
  /** Whether KASLR (memory randomization) moves this region's base: then a guess. */
  randomized: boolean;
}

/** x86-64 4-level paging, the default layout, in address order. */
export const X86_64_REGIONS: readonly AddressRegion[] = [
  { start: 0xffff800000000000n, end: 0xffff880000000000n, name: 'guard hole (reserved for a hypervisor)', randomized: false },
  {
    start: 0xffff880000000000n,
    end: 0xffff888000000000n,
    name: 'direct map of physical memory on kernels before 4.20 (since then: the LDT remap for page-table isolation)',
    randomized: true,
  },
  { start: 0xffff888000000000n, end: 0xffffc88000000000n, name: 'direct map of physical memory (kmalloc, page allocator memory)', randomized: true },
  { start: 0xffffc90000000000n, end: 0xffffe90000000000n, name: 'vmalloc/ioremap space (also task stacks with VMAP_STACK)', randomized: true },
  { start: 0xffffea0000000000n, end: 0xffffeb0000000000n, name: 'vmemmap: the `struct page` array', randomized: true },
  { start: 0xffffec0000000000n, end: 0xfffffc0000000000n, name: 'KASAN shadow memory', randomized: false },
  { start: 0xfffffe0000000000n, end: 0xfffffe8000000000n, name: 'cpu_entry_area', randomized: false },
  { start: 0xffffff0000000000n, end: 0xffffff8000000000n, name: '%esp fixup stacks', randomized: false },
  { start: 0xffffffef00000000n, end: 0xffffffff00000000n, name: 'EFI runtime services mapping', randomized: false },
  { start: 0xffffffff80000000n, end: 0xffffffffa0000000n, name: 'kernel image (text and data)', randomized: false },
  {
    start: 0xffffffffa0000000n,
    end: 0xffffffffc0000000n,
    name: 'kernel image with KASLR (up to 1 GB), or modules without it',
    randomized: false,
  },
  { start: 0xffffffffc0000000n, end: 0xffffffffff000000n, name: 'module mapping space', randomized: false },
  { start: 0xffffffffff000000n, end: 0xffffffffff600000n, name: 'fixmap', randomized: false },
  { start: 0xffffffffff600000n, end: 0xffffffffff601000n, name: 'legacy vsyscall page', randomized: false },
];

/**
 * x86-64 5-level paging (LA57): the regions below the shared top 1 TB, whose regions are the
 * 4-level layout's from `cpu_entry_area` up.
 */
export const X86_64_LA57_REGIONS: readonly AddressRegion[] = [
  { start: 0xff00000000000000n, end: 0xff10000000000000n, name: 'guard hole (reserved for a hypervisor)', randomized: false },
  { start: 0xff10000000000000n, end: 0xff11000000000000n, name: 'LDT remap for page-table isolation', randomized: false },
  { start: 0xff11000000000000n, end: 0xff91000000000000n, name: 'direct map of physical memory (kmalloc, page allocator memory)', randomized: true },
  { start: 0xffa0000000000000n, end: 0xffd2000000000000n, name: 'vmalloc/ioremap space (also task stacks with VMAP_STACK)', randomized: true },
  { start: 0xffd4000000000000n, end: 0xffd6000000000000n, name: 'vmemmap: the `struct page` array', randomized: true },
  { start: 0xffdf000000000000n, end: 0xfffffc0000000000n, name: 'KASAN shadow memory', randomized: false },
  ...X86_64_REGIONS.filter((r) => r.start >= 0xfffffe0000000000n),
];

/** An arm64 layout: its regions and where the kernel half starts. */
export interface Arm64Layout {
  vaBits: 39 | 48 | 52;
  /** PAGE_OFFSET: the lowest kernel address (the start of the linear map). */
  pageOffset: bigint;
  regions: readonly AddressRegion[];
  /** CONFIG_KASAN_SHADOW_OFFSET of generic KASAN (shadow = (addr >> 3) + offset). */
  kasanOffset: bigint;
}

/** Since 6.4 (modules and kernel image at PAGE_END; older kernels differ in the upper half). */
function arm64Layout(vaBits: 39 | 48 | 52): Arm64Layout {
  const pageOffset = -(1n << BigInt(vaBits)) & 0xffffffffffffffffn;
  // The linear map ends, and modules start, at -(1 << (VA_BITS_MIN - 1)); 52-bit kernels keep the 48-bit upper half.
  const pageEnd = -(1n << BigInt(Math.min(vaBits, 48) - 1)) & 0xffffffffffffffffn;
  const kasanOffset = vaBits === 39 ? 0xdfffffc000000000n : 0xdfff800000000000n;
  const kasanStart = ((pageOffset >> 3n) + kasanOffset) & 0xffffffffffffffffn;
  const top: AddressRegion[] =
    vaBits === 39
      ? [
          {
            start: pageEnd + 0x80000000n,
            end: 0xffffffffffe00000n,
            name: 'vmalloc space (also the kernel image, task stacks, fixmap, PCI I/O and vmemmap near its end)',
            randomized: true,
          },
        ]
      : [
          {
            start: pageEnd + 0x80000000n,
            end: 0xfffffbfff0000000n,
            name: 'vmalloc space (also the kernel image, task stacks with VMAP_STACK, ioremap)',
            randomized: true,
          },
          { start: 0xfffffbfff0000000n, end: 0xfffffbfffe000000n, name: 'fixmap', randomized: false },
          { start: 0xfffffbfffe800000n, end: 0xfffffbffff800000n, name: 'PCI I/O space', randomized: false },
          {
            start: 0xfffffc0000000000n,
            end: vaBits === 52 ? 0xffffffe000000000n : 0xfffffe0000000000n,
            name: 'vmemmap: the `struct page` array',
            randomized: false,
          },
        ];
  return {
    vaBits,
    pageOffset,
    kasanOffset,
    regions: [
      { start: pageOffset, end: kasanStart, name: 'linear map of physical memory (kmalloc, page allocator memory)', randomized: true },
      { start: kasanStart, end: pageEnd, name: 'KASAN shadow memory, or the top of the linear map without KASAN', randomized: false },
      { start: pageEnd, end: pageEnd + 0x80000000n, name: 'module space (2 GB; the kernel image is just above it)', randomized: false },
      ...top,
    ],
  };
}

export const ARM64_LAYOUTS: Record<39 | 48 | 52, Arm64Layout> = { 39: arm64Layout(39), 48: arm64Layout(48), 52: arm64Layout(52) };

/** Which layout to read addresses with. `true`/`false`: x86-64 4-level / none (the older form). */
export type AddressLayout = { arch: 'x86_64'; la57: boolean } | { arch: 'arm64'; vaBits: 39 | 48 | 52 } | null;

/**
 * The layout for a report's architecture and what its lines say: x86-64 with 5-level paging when
 * `la57` appears in a flags list or a `CR4:` value has bit 12 (LA57) set; arm64 with the VA size of
 * a `… pgtable: 4k pages, 48-bit VAs` line (48 by default).
 */
export function addressLayout(arch: string | null, reportText: string): AddressLayout {
  if (arch === 'x86_64') {
    const cr4 = /\bCR4: ([0-9a-f]{8,16})\b/.exec(reportText);
    const la57 = (cr4 !== null && (Number.parseInt(cr4[1].slice(-8), 16) & 0x1000) !== 0) || /\bla57\b/.test(reportText);
    return { arch: 'x86_64', la57 };
  }
  if (arch === 'arm64') {
    const va = /\b(39|48|52)-bit VAs\b/.exec(reportText);
    return { arch: 'arm64', vaBits: va ? (Number(va[1]) as 39 | 48 | 52) : 48 };
  }
  return null;
}

/** KASAN (generic) maps address a to shadow (a >> 3) + this offset. */
export const KASAN_SHADOW_OFFSET = 0xdffffc0000000000n;
/** CONFIG_ILLEGAL_POINTER_VALUE on x86-64: poison pointers are this plus a small value. */
export const POISON_POINTER_DELTA = 0xdead000000000000n;

/** Poison pointers: POISON_POINTER_DELTA + these. */
const POISON_POINTERS: readonly [bigint, string][] = [
  [0x100n, 'LIST_POISON1: the `next` of a list entry after `list_del()` (use after removal from a list)'],
  [0x122n, 'LIST_POISON2: the `prev` of a list entry after `list_del()` (use after removal from a list)'],
  [0x300n, 'TIMER_ENTRY_STATIC: a statically initialized timer'],
];

/** Byte patterns a whole word of filled memory shows. */
const POISON_BYTES: readonly [string, string][] = [
  ['6b', 'POISON_FREE: slab memory after `kfree()` (slab poisoning): a **use after free**'],
  ['5a', 'POISON_INUSE: slab memory allocated but never written (slab poisoning): an **uninitialized** field'],
  ['a5', 'POISON_END: the last byte of a poisoned slab object'],
  ['cc', 'SLUB_RED_ACTIVE: the red zone of an allocated slab object (an out-of-bounds access), or int3 padding'],
  ['bb', 'SLUB_RED_INACTIVE: the red zone of a free slab object'],
];

/** Other magic values debugging options write. */
const MAGICS: readonly [bigint, string][] = [
  [0xdead4eadn, 'SPINLOCK_MAGIC: the magic word of a debug spinlock (CONFIG_DEBUG_SPINLOCK)'],
  [0xdeaf1eedn, 'RWLOCK_MAGIC: the magic word of a debug rwlock'],
];

const ERRNO: Record<number, string> = {
  1: 'EPERM',
  2: 'ENOENT',
  3: 'ESRCH',
  4: 'EINTR',
  5: 'EIO',
  6: 'ENXIO',
  7: 'E2BIG',
  8: 'ENOEXEC',
  9: 'EBADF',
  10: 'ECHILD',
  11: 'EAGAIN',
  12: 'ENOMEM',
  13: 'EACCES',
  14: 'EFAULT',
  15: 'ENOTBLK',
  16: 'EBUSY',
  17: 'EEXIST',
  18: 'EXDEV',
  19: 'ENODEV',
  20: 'ENOTDIR',
  21: 'EISDIR',
  22: 'EINVAL',
  23: 'ENFILE',
  24: 'EMFILE',
  25: 'ENOTTY',
  26: 'ETXTBSY',
  27: 'EFBIG',
  28: 'ENOSPC',
  29: 'ESPIPE',
  30: 'EROFS',
  31: 'EMLINK',
  32: 'EPIPE',
  33: 'EDOM',
  34: 'ERANGE',
  35: 'EDEADLK',
  36: 'ENAMETOOLONG',
  37: 'ENOLCK',
  38: 'ENOSYS',
  39: 'ENOTEMPTY',
  40: 'ELOOP',
  95: 'EOPNOTSUPP',
  110: 'ETIMEDOUT',
  512: 'ERESTARTSYS',
  513: 'ERESTARTNOINTR',
  514: 'ERESTARTNOHAND',
  515: 'ENOIOCTLCMD',
  516: 'ERESTART_RESTARTBLOCK',
  524: 'ENOTSUPP',
};

export type AddressFact =
  | { kind: 'null'; offset: bigint }
  | { kind: 'zero-size-ptr' }
  | { kind: 'err-ptr'; errno: number; name: string | null }
  | { kind: 'poison-pointer'; offset: bigint; meaning: string }
  | { kind: 'poison-bytes'; byte: string; meaning: string }
  | { kind: 'magic'; meaning: string }
  | { kind: 'non-canonical'; canonicalWith5Level: boolean }
  /** arm64: bits 55..VA_BITS neither all 0 nor all 1 (`address between user and kernel address ranges`). */
  | { kind: 'arm64-invalid'; vaBits: number }
  | { kind: 'user'; layout?: string }
  /** `only5Level`: non-canonical with 4-level paging, so read with the 5-level layout the log did not name. */
  | { kind: 'kasan-shadow'; shadows: bigint; layout?: string; only5Level?: true }
  | { kind: 'kernel'; region: AddressRegion | null; layout?: string; only5Level?: true }
  /** arm64 top-byte-ignore: a tag in bits 63..56 (KASAN software tags, MTE, HWASan); `inner` reads the untagged pointer. */
  | { kind: 'tagged'; tag: number; inner: AddressFact | null };

/**
 * What a register value or stack word (hex digits, no 0x; 16 of them for a 64-bit value) says as an
 * address. The layout: `addressLayout(...)`'s answer, `true` for x86-64 with 4-level paging, or
 * `false`/null for only the architecture-independent facts. Null when nothing useful is known.
 */
export function addressFacts(hex: string, layout: AddressLayout | boolean): AddressFact | null {
  if (!/^[0-9a-f]{1,16}$/i.test(hex)) return null;
  const t = hex.toLowerCase();
  const v = BigInt('0x' + t);
  if (v === 0x10n) return { kind: 'zero-size-ptr' };
  if (v < 0x1000n) return { kind: 'null', offset: v };
  if (t.length !== 16) return null;
  if (v >= 0xfffffffffffff001n) {
    const errno = Number(0x10000000000000000n - v);
    return { kind: 'err-ptr', errno, name: ERRNO[errno] ?? null };
  }
  for (const [off, meaning] of POISON_POINTERS) if (v === POISON_POINTER_DELTA + off) return { kind: 'poison-pointer', offset: off, meaning };
  for (const [byte, meaning] of POISON_BYTES) if (t.startsWith(byte.repeat(6))) return { kind: 'poison-bytes', byte, meaning };
  for (const [magic, meaning] of MAGICS) if ((v & 0xffffffffn) === magic) return { kind: 'magic', meaning };
  if (v >> 48n === 0xdeadn && v - POISON_POINTER_DELTA < 0x10000n)
    return { kind: 'poison-pointer', offset: v - POISON_POINTER_DELTA, meaning: 'a poison pointer (POISON_POINTER_DELTA plus a small value)' };
  const l: AddressLayout = layout === true ? { arch: 'x86_64', la57: false } : layout === false ? null : layout;
  if (l?.arch === 'arm64') return arm64Facts(v, l.vaBits, true);
  if (l?.arch !== 'x86_64') return null;
  return x86_64Facts(v, l.la57);
}

function x86_64Facts(v: bigint, la57: boolean): AddressFact | null {
  // 4-level paging: bits 63..47 all equal; 5-level (LA57 in CR4): bits 63..56.
  const top = v >> 47n;
  const top57 = v >> 56n;
  const canonical57 = top57 === 0n || top57 === 0xffn;
  if (!la57 && top !== 0n && top !== 0x1ffffn) {
    // Only canonical with 5-level paging, and in one of its regions: read it so (said so by `layout`).
    const region = canonical57 && top57 === 0xffn ? regionOf(X86_64_LA57_REGIONS, v) : null;
    if (region) return { ...kernelFact(v, region, 'x86-64 5-level paging'), only5Level: true } as AddressFact;
    return { kind: 'non-canonical', canonicalWith5Level: canonical57 };
  }
  if (la57 && !canonical57) return { kind: 'non-canonical', canonicalWith5Level: false };
  if (top57 === 0n && (la57 || top === 0n)) return la57 ? { kind: 'user', layout: 'x86-64 5-level paging' } : { kind: 'user' };
  if (la57) return kernelFact(v, regionOf(X86_64_LA57_REGIONS, v), 'x86-64 5-level paging');
  return kernelFact(v, regionOf(X86_64_REGIONS, v), undefined);
}

function kernelFact(v: bigint, region: AddressRegion | null, layout: string | undefined, kasanOffset = KASAN_SHADOW_OFFSET): AddressFact {
  const at = layout ? { layout } : {};
  if (region?.name.startsWith('KASAN shadow')) return { kind: 'kasan-shadow', shadows: ((v - kasanOffset) << 3n) & 0xffffffffffffffffn, ...at };
  return { kind: 'kernel', region, ...at };
}

function regionOf(regions: readonly AddressRegion[], v: bigint): AddressRegion | null {
  return regions.find((r) => v >= r.start && v < r.end) ?? null;
}

/** KASAN software tags: 0xff matches every tag (KASAN_TAG_KERNEL), 0xfe marks invalid memory. */
export const ARM64_TAG_MEANINGS: ReadonlyMap<number, string> = new Map([
  [0xff, 'KASAN_TAG_KERNEL: the match-all tag of an untagged kernel pointer'],
  [0xfe, 'KASAN_TAG_INVALID: the tag of freed or never-allocated memory'],
]);

function arm64Facts(v: bigint, vaBits: 39 | 48 | 52, untag: boolean): AddressFact | null {
  const topByte = Number(v >> 56n);
  const bit55 = (v >> 55n) & 1n;
  if (untag && topByte !== 0 && topByte !== 0xff) {
    // Top byte ignore: bit 55 chooses the half; the top byte is a tag the MMU does not see.
    const untagged = bit55 ? v | 0xff00000000000000n : v & 0x00ffffffffffffffn;
    return { kind: 'tagged', tag: topByte, inner: arm64Facts(untagged, vaBits, false) };
  }
  // Bits 55..VA_BITS must all equal bit 55.
  const high = (v >> BigInt(vaBits)) & ((1n << BigInt(56 - vaBits)) - 1n);
  const all = (1n << BigInt(56 - vaBits)) - 1n;
  if (bit55 === 0n) return high === 0n ? { kind: 'user', layout: `arm64 ${vaBits}-bit VA` } : { kind: 'arm64-invalid', vaBits };
  if (high !== all) {
    // A 52-bit linear map address read with the 48-bit layout: say so.
    if (vaBits < 52 && ((v >> 52n) & 0xfn) === 0xfn) return arm64Facts(v, 52, false);
    return { kind: 'arm64-invalid', vaBits };
  }
  const layout = ARM64_LAYOUTS[vaBits];
  return kernelFact(v, regionOf(layout.regions, v), `arm64 ${vaBits}-bit VA`, layout.kasanOffset);
}
