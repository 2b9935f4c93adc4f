// Long requests (the Outline and folding of a 50 MB log take hundreds of milliseconds) work in
// slices and give the event loop a turn between them, so that a `$/cancelRequest` or an edit that
// arrives meanwhile is read; they stop as soon as their answer is no longer wanted. (A request that
// never yields cannot be cancelled: the cancellation is read only after it has answered.)

/** How a long computation learns that its answer is no longer wanted, and gives others a turn. */
export interface Interruption {
  /** True once the request was cancelled or the document changed: stop, the answer is dropped. */
  readonly stopped: boolean;
  /** Resolves after other work has had a turn. */
  pause(): Promise<void>;
}

/** Work between two turns given to the event loop. */
const SLICE_MS = 10;
/** Items (reports) from which a job pauses once before it starts. */
const BIG_JOB = 1024;

/**
 * Calls `body(k)` for k in [0, count), pausing about every SLICE_MS. Returns false, having stopped,
 * when the interruption says so; nothing is read after a pause that said to stop (after an edit the
 * analysis may have moved on).
 */
export async function forEachSliced(count: number, body: (k: number) => void, interruption?: Interruption): Promise<boolean> {
  if (!interruption) {
    for (let k = 0; k < count; k++) body(k);
    return true;
  }
  // A big job first lets the messages already sent after its request be read (a cancellation, an edit).
  if (count >= BIG_JOB) {
    await interruption.pause();
    if (interruption.stopped) return false;
  }
  let sliceStart = performance.now();
  for (let k = 0; k < count; k++) {
    if ((k & 63) === 0 && performance.now() - sliceStart > SLICE_MS) {
      await interruption.pause();
      if (interruption.stopped) return false;
      sliceStart = performance.now();
    }
    body(k);
  }
  return !interruption.stopped;
}
