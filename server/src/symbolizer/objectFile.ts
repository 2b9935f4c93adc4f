// Opening a kernel object file for the symbolizer: vmlinux and plain `.ko` are read at offsets
// (FileSource, never the whole file), while distro modules come compressed (`.ko.xz` on Debian 13,
// `.ko.zst` on Arch/Fedora, `.ko.gz` elsewhere) and are decompressed into memory once (BufferSource).
// The format is told by the magic bytes, not the name, and the output is bounded so that a corrupt or
// hostile archive cannot make the extension allocate gigabytes. xz-decompress (WASM xz-embedded) only
// has an async web-stream API, hence the Promise.
//
// Decompression measured on Debian 6.1 modules (image package), Node 20, 2 shared vCPUs, median of 5
// warm runs; xz with the kernel's --check=crc32 --lzma2=dict=1MiB, zstd -19, gzip -9:
//                      amdgpu.ko 19.5 MB (xz 2.9, zst 3.4, gz 4.5 MB)   ext4.ko 2.1 MB (0.36 / 0.40 / 0.49 MB)
//   xz   xz-decompress 0.2.3 (WASM)   289 ms                               46 ms
//        @napi-rs/lzma (native addon) 273 ms                               43 ms
//   zstd fzstd 0.1.1 (pure JS)        159-170 ms                           13-16 ms
//        @bokuweb/zstd-wasm           87 ms                                10 ms
//   gzip node:zlib                    46 ms                                9 ms
//        fflate                       93 ms                                9 ms
// The native addon buys nothing for xz, and zstd-wasm's gain on the largest module does not pay for a
// second zstd decoder (fzstd is already used for SHF_COMPRESSED sections): the packages as they are.
import { readFileSync, statSync } from 'node:fs';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { Decompress as ZstdStream } from 'fzstd';
import { XzReadableStream } from 'xz-decompress';
import { BufferSource, FileSource, ObjectFileError } from './byteSource.ts';
import { ElfFile } from './elf.ts';

/** A module never decompresses to more than this (the largest real .ko with DWARF is ~300 MB). */
export const MAX_DECOMPRESSED = 512 * 1024 * 1024;

export type Compression = 'none' | 'xz' | 'zstd' | 'gzip';

const gunzipAsync = promisify(gunzip);

/** The container format from the first bytes of the file. */
export function detectCompression(head: Uint8Array): Compression {
  if (head.length >= 6 && head[0] === 0xfd && head[1] === 0x37 && head[2] === 0x7a && head[3] === 0x58 && head[4] === 0x5a && head[5] === 0) return 'xz';
  if (head.length >= 4 && head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) return 'zstd';
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  return 'none';
}

function compressionOfName(path: string): Compression {
  if (/\.xz$/i.test(path)) return 'xz';
  if (/\.zst$/i.test(path)) return 'zstd';
  if (/\.gz$/i.test(path)) return 'gzip';
  return 'none';
}

/**
 * vmlinux, `.ko`, `.ko.xz`, `.ko.zst` or `.ko.gz` as an ElfFile. Throws ObjectFileError with a message
 * for the user when the file is missing, not ELF, or a corrupt or oversized archive.
 */
export async function openObjectFile(path: string, maxBytes = MAX_DECOMPRESSED): Promise<ElfFile> {
  let source: FileSource;
  try {
    source = new FileSource(path);
  } catch (e) {
    throw new ObjectFileError(`${path}: cannot open (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  let kind: Compression;
  try {
    kind = detectCompression(source.read(0, Math.min(6, source.size)));
  } catch (e) {
    source.close();
    throw e;
  }
  const named = compressionOfName(path);
  if (kind === 'none') {
    if (named !== 'none') {
      source.close();
      throw new ObjectFileError(`${path}: the name says ${named} but the file is not ${named} data (truncated or renamed?)`);
    }
    try {
      return new ElfFile(source, path);
    } catch (e) {
      source.close();
      throw e;
    }
  }
  source.close();
  const size = statSync(path).size;
  if (size > maxBytes) throw new ObjectFileError(`${path}: ${size} bytes of ${kind} data, more than the ${maxBytes >> 20} MB allowed`);
  const data = await decompress(readFileSync(path), kind, path, maxBytes);
  return new ElfFile(new BufferSource(data), path);
}

/** The decompressed bytes of a whole `.xz`/`.zst`/`.gz` file, at most maxBytes. */
export async function decompress(data: Buffer, kind: Compression, path: string, maxBytes = MAX_DECOMPRESSED): Promise<Buffer> {
  const tooBig = () => new ObjectFileError(`${path}: decompresses to more than ${maxBytes >> 20} MB (corrupt, or not a kernel module)`);
  try {
    switch (kind) {
      case 'none':
        return data;
      case 'gzip':
        return await gunzipAsync(data, { maxOutputLength: maxBytes });
      case 'zstd':
        return zstd(data, maxBytes, tooBig);
      case 'xz':
        return await xz(data, maxBytes, tooBig);
    }
  } catch (e) {
    if (e instanceof ObjectFileError) throw e;
    if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw tooBig();
    throw new ObjectFileError(`${path}: corrupt ${kind} data (${(e as Error).message})`);
  }
}

function zstd(data: Buffer, maxBytes: number, tooBig: () => Error): Buffer {
  // fzstd allocates the window (or the declared content size) from the frame header: check it first.
  const declared = zstdFrameAllocation(data);
  if (declared > maxBytes) throw tooBig();
  const chunks: Uint8Array[] = [];
  let total = 0;
  let ended = false;
  const stream = new ZstdStream((chunk, final) => {
    total += chunk.length;
    if (total > maxBytes) throw tooBig();
    chunks.push(chunk);
    if (final) ended = true;
  });
  stream.push(data, true);
  if (!ended) throw new Error('unexpected end of data');
  return Buffer.concat(chunks, total);
}

/** Bytes fzstd will allocate for the first frame: its window, or its content size when single-segment. */
function zstdFrameAllocation(d: Buffer): number {
  if (d.length < 6) throw new Error('unexpected end of data');
  const flags = d[4];
  const singleSegment = (flags >> 5) & 1;
  const fcsField = flags >> 6;
  if (!singleSegment) {
    const exponent = 10 + (d[5] >> 3);
    const base = 2 ** exponent;
    return base + (base / 8) * (d[5] & 7);
  }
  const dictBytes = [0, 1, 2, 4][flags & 3];
  const at = 5 + dictBytes;
  const fcsBytes = [1, 2, 4, 8][fcsField];
  if (d.length < at + fcsBytes) throw new Error('unexpected end of data');
  let v = 0;
  for (let i = fcsBytes - 1; i >= 0; i--) v = v * 256 + d[at + i];
  return fcsField === 1 ? v + 256 : v;
}

async function xz(data: Buffer, maxBytes: number, tooBig: () => Error): Promise<Buffer> {
  // Feed in 1 MB pieces; an empty input would make xz-decompress read past its own state.
  if (data.length === 0) throw new Error('empty input');
  let at = 0;
  const input = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (at >= data.length) return controller.close();
      const end = Math.min(data.length, at + (1 << 20));
      controller.enqueue(new Uint8Array(data.buffer, data.byteOffset + at, end - at));
      at = end;
    },
  });
  const reader = new XzReadableStream(input).getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > maxBytes) {
      await reader.cancel().catch(() => {});
      throw tooBig();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, total);
}
