// What a 64-bit value looks like as an address: NULL plus a field offset, a poison pattern, an
// error pointer, a non-canonical value, user or kernel space and, on x86-64 with 4-level paging,
// which region of the kernel's layout (Documentation/arch/x86/x86_64/mm.rst). Poison values:
// include/linux/poison.h. Pure: no LSP types. The hover words the answer.

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
  | { kind: 'user' }
  | { kind: 'kasan-shadow'; shadows: bigint }
  | { kind: 'kernel'; region: AddressRegion | null };

/**
 * What a register value or stack word (hex digits, no 0x; 16 of them for a 64-bit value) says as an
 * address. `x86_64`: use the x86-64 layout (canonical form, regions); otherwise only the
 * architecture-independent facts. Null when nothing useful is known.
 */
export function addressFacts(hex: string, x86_64: boolean): AddressFact | null {
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
  if (!x86_64) return null;
  // 4-level paging: bits 63..47 all equal. (5-level, LA57 in CR4: bits 63..56.)
  const top = v >> 47n;
  if (top !== 0n && top !== 0x1ffffn) {
    const top57 = v >> 56n;
    const bit56 = (v >> 56n) & 1n;
    return { kind: 'non-canonical', canonicalWith5Level: (top57 === 0n && bit56 === 0n) || top57 === 0xffn };
  }
  if (top === 0n) return { kind: 'user' };
  const region = X86_64_REGIONS.find((r) => v >= r.start && v < r.end) ?? null;
  if (region && region.start === 0xffffec0000000000n) return { kind: 'kasan-shadow', shadows: ((v - KASAN_SHADOW_OFFSET) << 3n) & 0xffffffffffffffffn };
  return { kind: 'kernel', region };
}
