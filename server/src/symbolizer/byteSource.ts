// Positional reads of an object file. A vmlinux with DWARF is 600 MB and more: the symbolizer reads
// the parts it needs at their offsets and never the whole file. A decompressed module (.ko.xz) is a
// Buffer already, behind the same interface.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

export interface ByteSource {
  readonly size: number;
  /** Exactly `length` bytes at `offset`; throws ObjectFileError past the end. */
  read(offset: number, length: number): Buffer;
  /** Optional: reads `length` bytes at `offset` into the start of `target` (no allocation). */
  readInto?(offset: number, length: number, target: Buffer): void;
  close(): void;
}

/** A file or object that cannot be used, with a message for the user (never a stack trace). */
export class ObjectFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ObjectFileError';
  }
}

export class BufferSource implements ByteSource {
  constructor(private readonly buffer: Buffer) {}
  get size(): number {
    return this.buffer.length;
  }
  read(offset: number, length: number): Buffer {
    checkRange(offset, length, this.buffer.length);
    return this.buffer.subarray(offset, offset + length);
  }
  close(): void {}
}

export class FileSource implements ByteSource {
  private fd: number | null;
  readonly size: number;
  constructor(readonly path: string) {
    this.fd = openSync(path, 'r');
    this.size = fstatSync(this.fd).size;
  }
  read(offset: number, length: number): Buffer {
    if (this.fd === null) throw new ObjectFileError(`${this.path} is closed`);
    checkRange(offset, length, this.size);
    const out = Buffer.allocUnsafe(length);
    this.readInto(offset, length, out);
    return out;
  }
  readInto(offset: number, length: number, out: Buffer): void {
    if (this.fd === null) throw new ObjectFileError(`${this.path} is closed`);
    checkRange(offset, length, this.size);
    let done = 0;
    while (done < length) {
      const n = readSync(this.fd, out, done, length - done, offset + done);
      if (n <= 0) throw new ObjectFileError(`${this.path}: short read at ${offset + done}`);
      done += n;
    }
  }
  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}

function checkRange(offset: number, length: number, size: number): void {
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > size) {
    throw new ObjectFileError(`truncated: wants bytes ${offset}..${offset + length} of ${size}`);
  }
}
