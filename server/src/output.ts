// The CLI's standard output: text gathered in one reused buffer and written with few `write` calls
// (a 100 MB log has half a million findings; one syscall and one fresh Buffer each cost more than
// the analysis). Writes are synchronous, so everything is out when the process exits, to a file, a
// pipe or a terminal alike. A reader that goes away (`kcrash check big.log | head`) ends the output
// with OutputClosed, which the CLI turns into a quiet exit.
import fs from 'node:fs';

/** The reader of the output has gone away (EPIPE). */
export class OutputClosed extends Error {
  constructor() {
    super('output closed');
  }
}

const CHUNK = 1 << 20;
/** Small pieces are joined into a string this long before being encoded: one call per batch, not per piece. */
const BATCH = 1 << 14;
/** UTF-8 needs at most 3 bytes per UTF-16 code unit (a surrogate pair: 4 bytes for 2 units). */
const MAX_BYTES_PER_UNIT = 3;

export class Output {
  private readonly buf = Buffer.allocUnsafeSlow(CHUNK);
  private used = 0;
  private pending = '';

  constructor(private readonly fd: number) {}

  write(text: string): void {
    this.pending += text;
    if (this.pending.length >= BATCH) this.encodePending();
  }

  /** Writes out what is gathered; call before anything else writes to the same file (stderr on a terminal). */
  flush(): void {
    this.encodePending();
    if (this.used === 0) return;
    const n = this.used;
    this.used = 0;
    writeAll(this.fd, this.buf.subarray(0, n));
  }

  private encodePending(): void {
    const text = this.pending;
    this.pending = '';
    if (text.length * MAX_BYTES_PER_UNIT > CHUNK - this.used) {
      this.flush();
      if (text.length * MAX_BYTES_PER_UNIT > CHUNK) {
        writeAll(this.fd, Buffer.from(text, 'utf8'));
        return;
      }
    }
    this.used += this.buf.write(text, this.used);
  }
}

function writeAll(fd: number, bytes: Uint8Array): void {
  let off = 0;
  while (off < bytes.length) {
    try {
      off += fs.writeSync(fd, bytes, off, bytes.length - off);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EPIPE') throw new OutputClosed();
      // A non-blocking pipe whose reader is slower than us: wait for it.
      if (code === 'EAGAIN') sleep(1);
      else throw err;
    }
  }
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));
function sleep(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms);
}
