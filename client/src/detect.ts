/**
 * Kernel crash detection for `.log` and plain-text documents. Pure: no `vscode` import, so the
 * unit tests can run it in plain node.
 *
 * Invariant: a document is recognised only by a real crash marker at the start of a log message
 * (after the optional syslog, `<N>`, timestamp and `[T123]` prefixes), never by a mere mention of
 * the word "kernel".
 */

/** How much of a document the detection reads. */
export const DETECTION_WINDOW = 64 * 1024;

/** The optional prefix printed before a kernel message: syslog `host kernel: `, `<4>`, `[ 12.345678]`, `[T123]`/`[C1]`. */
const PREFIX = /^(?:.*?\bkernel: )?(?:<\d+>)?(?:\[\s*\d+\.\d+\]\s?)?(?:\[\s*[TC]\d+\]\s?)?\s*/;

/** Markers matched against a message with its prefix removed. */
const MESSAGE_MARKERS: readonly RegExp[] = [
  /^Call Trace:/,
  /^RIP: [0-9a-f]{4}:/,
  /^BUG: [A-Za-z]/,
  /^kernel BUG at /,
  /^WARNING: CPU: \d+ PID: \d+/,
  /^WARNING: .+ at .+\+0x[0-9a-f]+\/0x[0-9a-f]+/,
  /^Kernel panic - not syncing/,
  /^(?:Oops: )?general protection fault/,
  /^Oops(?:: |\[#)/,
  /^Internal error: Oops/,
  /^Unable to handle kernel /,
  /^(?:watchdog: )?BUG: soft lockup/,
  /^INFO: task .+ blocked for more than \d+ seconds/,
  /^INFO: rcu_(?:sched|preempt|bh) (?:self-)?detected stall/,
  /^NMI backtrace for cpu \d+/,
  /^(?:UBSAN|KASAN|KFENCE|KMSAN): /,
  /^<(?:IRQ|NMI|TASK|SOFTIRQ)>$/,
  /^<\/(?:IRQ|NMI|TASK|SOFTIRQ)>$/,
  /^<EOI>$/,
  /^-+\[ cut here \]-+$/,
  /^-+\[ end (?:trace|Kernel panic)/,
];

/** True when `text` (the start of a document) holds at least one kernel crash marker. */
export function looksLikeKernelCrash(text: string): boolean {
  const head = text.length > DETECTION_WINDOW ? text.slice(0, DETECTION_WINDOW) : text;
  let start = 0;
  while (start < head.length) {
    let end = head.indexOf('\n', start);
    if (end < 0) end = head.length;
    const line = head.slice(start, end).replace(/\r$/, '');
    start = end + 1;
    if (line.length === 0 || line.length > 2000) continue;
    const message = line.replace(PREFIX, '').trimEnd();
    for (const marker of MESSAGE_MARKERS) {
      if (marker.test(message)) return true;
    }
  }
  return false;
}
