// Hovers on the lines of a report that are neither register values nor stack entries: the `Oops:`
// line (error code, `[#n]`, build flags), `Modules linked in:`, `Hardware name:`, the `CPU: … PID: …
// Comm: …` line, `cut here` / `end trace`, the `RSP <…>` after an old trace, arm's `LR is at`,
// KASAN's access line and shadow-memory dump, and powerpc's `Instruction dump:`. Each part of a line
// gets its own range. Part of the hover feature (../hover.ts asks here first for these lines).
import type { Report, Span, StackEntry } from '../../parser/model.ts';
import { taintFlag, taintTextIn } from '../../decode/taint.ts';
import { decodeBits, PF_ERROR_BITS, pfErrorSummary } from '../../decode/registers.ts';
import { KASAN_GRANULE, shadowByteMeaning, shadowRowOf } from '../../decode/kasan.ts';

export interface LineTarget {
  span: Span;
  sections: string[];
  /** The entry to symbolize, if any. */
  symbol?: { frame: StackEntry; report: Report };
}

export interface LineContext {
  /** The line's kernel text (after its prefix), and the document offset of its first character. */
  message: string;
  base: number;
  /** The offset hovered. */
  offset: number;
  line: number;
  report: Report;
  /** Another line's kernel text ('' out of the document): the row above a `^`, an `Instruction dump:` header. */
  messageAt: (line: number) => string;
  /** A value as an address, in one paragraph (the hover's words), or null. */
  addressText: (hex: string) => string | null;
}

const code = (s: string) => '`' + s.replace(/`/g, "'") + '`';

interface Part {
  start: number;
  end: number;
  text: () => string;
  symbol?: StackEntry;
}

/** The hover of a line kind this module knows, or null (then ../hover.ts goes on). */
export function lineTarget(ctx: LineContext): LineTarget | null {
  const parts = partsOf(ctx);
  if (!parts) return null;
  const at = ctx.offset - ctx.base;
  // The narrowest part under the cursor: a line's parts may nest (the whole line, then its words).
  let best: Part | null = null;
  for (const p of parts) if (at >= p.start && at <= p.end && (!best || p.end - p.start < best.end - best.start)) best = p;
  if (!best) return null;
  const span = { start: ctx.base + best.start, end: ctx.base + best.end };
  return { span, sections: [best.text()], symbol: best.symbol ? { frame: best.symbol, report: ctx.report } : undefined };
}

function partsOf(ctx: LineContext): Part[] | null {
  const m = ctx.message;
  const lead = m.trimStart();
  const indent = m.length - lead.length;
  if (lead.startsWith('Modules linked in:')) return modulesParts(m, indent);
  if (lead.startsWith('Hardware name:')) return [{ start: indent, end: m.trimEnd().length, text: () => hardwareText(lead.slice(15).trim()) }];
  if (/^CPU: ?\d+ /.test(lead)) return cpuParts(m, indent);
  if (/^-+\[ cut here \]-+\s*$|^8<-+ cut here -+\s*$/.test(lead)) return [{ start: indent, end: m.trimEnd().length, text: () => CUT_HERE }];
  const end = /^-+\[ end (trace [0-9a-f]+|.*?) \]-+\s*$/.exec(lead);
  if (end) return [{ start: indent, end: m.trimEnd().length, text: () => endText(end[1]) }];
  const rsp = /^RSP <([0-9a-f]{8,16})>\s*$/.exec(lead);
  if (rsp) return [{ start: indent, end: m.trimEnd().length, text: () => rspSummaryText(rsp[1], ctx) }];
  // `LR is at func` (arm, older arm64), `lr : func+0x50/0x138` (arm64 since 4.x prints no address).
  const lr = /^(?:LR is at|lr : (?!\[<))\s*(\S+)/.exec(lead);
  if (lr) return lrParts(m, indent, lr[1], ctx);
  if (/\[#\d+\]/.test(m)) {
    const oops = oopsParts(m, ctx.report, ctx.line === ctx.report.headerLine);
    if (oops) return oops;
  }
  if (/^(?:Read|Write) of size \d+ at addr /.test(lead)) return kasanAccessParts(m, indent, ctx);
  if (lead.startsWith('Instruction dump:') || WORD_ROW.test(m)) {
    const dump = instructionDumpParts(m, ctx);
    if (dump) return dump;
  }
  if (/^(?:LE|BE) PAGE_SIZE=/.test(lead)) return flagParts(m, 0);
  // The shadow dump is KASAN's; other hex dumps (`print_hex_dump`) look alike.
  if (ctx.report.kind !== 'kasan') return null;
  if (lead.startsWith('Memory state around the buggy address')) return [{ start: indent, end: m.trimEnd().length, text: () => SHADOW_DUMP }];
  const row = shadowRowOf(m);
  if (row) return shadowRowParts(row);
  if (/^\s*\^\s*$/.test(m)) return caretParts(m, ctx);
  return null;
}

// ------------------------------------------------------------------------------------------------
// Oops: 0002 [#1] SMP PTI

/** What the words after `[#n]` say about the kernel's build (die()'s `__die_header`, powerpc's line). */
const BUILD_FLAGS: Record<string, string> = {
  PREEMPT: 'the kernel is preemptible (`CONFIG_PREEMPT`): a task can be preempted in kernel code',
  PREEMPT_RT: 'the real-time kernel (`CONFIG_PREEMPT_RT`)',
  PREEMPT_LAZY: 'lazy preemption (`CONFIG_PREEMPT_LAZY`)',
  SMP: 'a multiprocessor kernel (`CONFIG_SMP`)',
  PTI: 'page-table isolation is on (the Meltdown mitigation: user mode runs on page tables without the kernel)',
  NOPTI: 'page-table isolation is built in but turned off',
  KASAN: 'the kernel address sanitizer is built in (`CONFIG_KASAN`): slower, and memory bugs are caught as they happen',
  DEBUG_PAGEALLOC: 'freed pages are unmapped (`CONFIG_DEBUG_PAGEALLOC`): a use-after-free of a page faults at once',
  ARM: 'the kernel runs in the ARM instruction set',
  THUMB2: 'the kernel is built in the Thumb-2 instruction set',
  NUMA: 'a NUMA kernel',
  LE: 'little-endian',
  BE: 'big-endian',
};

function flagText(flag: string): string {
  const known = BUILD_FLAGS[flag];
  if (known) return `**${code(flag)}** · ${known}.`;
  const kv = /^(PAGE_SIZE|MMU|NR_CPUS)=(.*)$/.exec(flag);
  if (kv)
    return `**${code(flag)}** · ${kv[1] === 'PAGE_SIZE' ? 'the page size' : kv[1] === 'MMU' ? 'the MMU mode (Radix or Hash page tables)' : 'the most CPUs the kernel was built for'}: ${code(kv[2])}.`;
  return `**${code(flag)}** · a word the architecture prints about the kernel or the machine (its platform, build or mode).`;
}

function oopsParts(m: string, report: Report, headerLine: boolean): Part[] | null {
  const counter = /\[#(\d+)\]/.exec(m);
  if (!counter) return null;
  const cStart = counter.index;
  const cEnd = cStart + counter[0].length;
  // The error code right before `[#n]` (`Oops: 0002`, `general protection fault: 0000`, `Oops: 96000005`).
  const before = /(^|:\s*)([0-9a-f]{1,16})\s+$/.exec(m.slice(0, cStart));
  const lead = /^\s*(Internal error: )?(Oops|[a-z][\w ,-]*?)(?: - [^:]*)?:/.exec(m);
  if (!before && !lead) return null;
  const parts: Part[] = [];
  // The line's words before the code; on the report's header line the header's hover keeps them.
  if (lead && !headerLine) {
    parts.push({ start: m.length - m.trimStart().length, end: m.trimEnd().length, text: () => oopsLineText(lead[0].trim().replace(/:$/, '')) });
  }
  const n = Number(counter[1]);
  parts.push({
    start: cStart,
    end: cEnd,
    text: () =>
      `**${code(counter[0])}** · the oops counter\n\nHow many times the kernel has died (oops, BUG, fatal fault) since boot, this one included. ` +
      (n === 1
        ? '`[#1]`: the first one, so this report is not the consequence of an earlier oops.'
        : `${n}: earlier oopses happened (look for \`[#1]\` above); the first one is usually the real cause, and the taint flag \`D\` says so.`),
  });
  if (before) {
    const value = before[2];
    const start = m.lastIndexOf(value, cStart);
    parts.push({ start, end: start + value.length, text: () => errorCodeText(value, m.slice(0, start), report) });
  }
  parts.push(...flagParts(m, cEnd));
  return parts;
}

/** The build words of an oops line from `from` on (powerpc prints them on a line of their own). */
function flagParts(m: string, from: number): Part[] {
  const parts: Part[] = [];
  for (const f of m.slice(from).matchAll(/\S+/g)) {
    const start = from + (f.index as number);
    parts.push({ start, end: start + f[0].length, text: () => flagText(f[0]) });
  }
  return parts;
}

function oopsLineText(what: string): string {
  return (
    `**${code(what)}** · the line \`die()\` prints\n\n` +
    'The error code of the trap (for a page fault, its bits; on arm64 the ESR), then `[#n]`, how many times the kernel has died since boot, then words on how the kernel was built (`PREEMPT`, `SMP`, `PTI`, `KASAN`…). Hover each part.'
  );
}

/** Signals an oops line names (`sig: 11`): the one the task would get had it faulted in user mode. */
const SIGNALS: Record<string, string> = { '4': 'SIGILL', '5': 'SIGTRAP', '7': 'SIGBUS', '8': 'SIGFPE', '11': 'SIGSEGV' };

function errorCodeText(value: string, lead: string, report: Report): string {
  if (/sig: ?$/.test(lead))
    return `**${code(`sig: ${value}`)}** · the signal of the fault${SIGNALS[value] ? `: ${code(SIGNALS[value])}` : ''}\n\nWhat a user program would have got for the same fault; in the kernel it is fatal instead.`;
  // arm64's ESR (`Internal error: Oops: 96000005`) is decoded before this (decode/arm64.ts, ../hoverArm64.ts).
  if (report.arch === 'arm')
    return `**${code(value)}** · the fault status (FSR) of the abort: its low bits say which kind of fault (translation, permission, alignment…).`;
  if (/^\s*Oops/.test(lead) && report.arch !== 'powerpc') {
    const summary = pfErrorSummary(value);
    const d = decodeBits(value, PF_ERROR_BITS);
    const bits = d?.set.map((b) => `${code(b.name)} ${b.meaning}`) ?? [];
    return (
      `**${code(value)}** · the x86 page-fault error code\n\nThe CPU's error code of the page fault that led here${summary ? `: a **${summary}**` : ''}.` +
      (bits.length ? ` Bits set: ${bits.join('; ')}.` : ' No bit set: a kernel read of a page that was not present.') +
      ' The faulting address is in `CR2`.'
    );
  }
  if (/general protection/.test(lead))
    return `**${code(value)}** · the general-protection error code\n\n${value.replace(/^0+/, '') === '' ? '0: the fault was not about a segment selector (most often a non-canonical address).' : 'The segment selector the fault was about.'}`;
  return `**${code(value)}** · the error code the trap handler passed to \`die()\`${/^0+$/.test(value) ? ' (none: 0)' : ''}.`;
}

// ------------------------------------------------------------------------------------------------
// Modules linked in:

function modulesParts(m: string, indent: number): Part[] {
  const headEnd = m.indexOf(':') + 1;
  const list = m.slice(headEnd);
  const names = [...list.matchAll(/([\w-]+)(?:\(([A-Z]+)\))?/g)];
  const last = /\[last unloaded: ([\w-]+)(?:\(([A-Z]+)\))?\]/.exec(m);
  const parts: Part[] = [
    {
      start: indent,
      end: m.trimEnd().length,
      text: () =>
        `**${code('Modules linked in:')}** · the modules loaded when this was printed\n\n` +
        (names.length === 0 ? 'None: no module was loaded. ' : '') +
        "As `lsmod` lists them, the most recently loaded first. Letters in parentheses after a name are that module's own taint flags (`O` out-of-tree, `E` unsigned, `P` proprietary…); `[last unloaded: x]` names the module removed last — a bug in its unload path, or code of it still referenced, can show up later.",
    },
  ];
  for (const n of names) {
    const start = headEnd + (n.index as number);
    if (last && start >= last.index && start < last.index + last[0].length) continue;
    parts.push({ start, end: start + n[0].length, text: () => moduleText(n[1], n[2] ?? '') });
  }
  if (last)
    parts.push({
      start: last.index,
      end: last.index + last[0].length,
      text: () =>
        `**${code(last[0])}** · the module unloaded last\n\n${code(last[1])} was removed before this report${last[2] ? ` (its taint flags: ${code(last[2])})` : ''}. A use of its code or data after the unload (a callback or timer left registered) faults in freed module memory.`,
    });
  return parts;
}

function moduleText(name: string, letters: string): string {
  const head = `**${code(name)}** · a loaded module`;
  if (!letters) return `${head}\n\nLoaded when this was printed; entries of the call trace in it end with \`[${name}]\`.`;
  const flags = [...letters].map((l) => `- ${code(l)}: ${taintFlag(l)?.meaning ?? 'a taint letter this table does not know'}`);
  return `${head}\n\nIts taint flags (${code(`(${letters})`)}):\n\n${flags.join('\n')}`;
}

// ------------------------------------------------------------------------------------------------
// Hardware name:, CPU: line

function hardwareText(name: string): string {
  const dt = /\(DT\)\s*$/.test(name);
  return (
    `**${code('Hardware name:')}** ${code(name)}\n\n` +
    (dt
      ? 'The machine as its device tree names it (`(DT)`: the `model` of the tree the boot loader passed).'
      : 'The machine as its firmware names it (DMI/SMBIOS): system vendor, product, board, then the BIOS version and date.') +
    (/QEMU|KVM|VirtualBox|VMware|Hyper-V|Google Compute Engine|Amazon EC2|BHYVE|Xen/i.test(name) ? ' A virtual machine.' : '')
  );
}

function cpuParts(m: string, indent: number): Part[] {
  const parts: Part[] = [];
  const field = (re: RegExp, text: (v: string) => string) => {
    const f = re.exec(m);
    if (!f) return;
    const start = f.index + (f[0].length - f[0].trimStart().length);
    parts.push({ start, end: f.index + f[0].length, text: () => text(f[1]) });
  };
  field(/CPU: ?(\d+)/, (v) => `**CPU ${v}** · the CPU that printed this: the one the task ran on when it failed (numbered from 0).`);
  field(/ UID: (\d+)/, (v) => `**UID ${v}** · the user id of the task${v === '0' ? ' (root)' : ''}.`);
  field(
    / PID: (\d+)/,
    (v) =>
      `**PID ${v}** · the id of the task that was running on this CPU${v === '0' ? ': 0 is the idle task (`swapper`), so the CPU was idle or in an interrupt' : ''}.`,
  );
  const comm = / Comm: (.{1,20}?)(?= (?:Kdump: loaded )?(?:Not tainted|Tainted:))/.exec(m);
  if (comm) {
    const start = comm.index + 1;
    parts.push({
      start,
      end: comm.index + comm[0].length,
      text: () =>
        `**Comm ${code(comm[1])}** · the task's name (\`comm\`, at most 15 characters): the program's name${/^kworker\//.test(comm[1]) ? '; `kworker/…` is a workqueue worker (the `Workqueue:` line names the work)' : /^(swapper|ksoftirqd|migration|rcu_)/.test(comm[1]) ? ', here a kernel thread' : ''}.`,
    });
  }
  const kdump = / Kdump: loaded/.exec(m);
  if (kdump)
    parts.push({
      start: kdump.index + 1,
      end: kdump.index + kdump[0].length,
      text: () => '**Kdump: loaded** · a crash kernel is loaded: a panic will boot it and save a vmcore.',
    });
  const taint = taintTextIn(m);
  if (taint) {
    // The release and the build number follow the taint text: `… 6.1.0-18-amd64 #1 Debian …`.
    const rest = /^\s+\(?(\S+?)\s+(#[^\s)]+)/.exec(m.slice(taint.end));
    if (rest) {
      const relStart = taint.end + rest[0].indexOf(rest[1], rest[0].length - rest[0].trimStart().length);
      const buildStart = taint.end + rest[0].lastIndexOf(rest[2]);
      parts.push({
        start: relStart,
        end: relStart + rest[1].length,
        text: () =>
          `**${code(rest[1])}** · the kernel release (\`uname -r\`): the version and the distribution's or builder's suffix. Symbols are looked for by this name (Debian: \`/usr/lib/debug/boot/vmlinux-${rest[1]}\`).`,
      });
      parts.push({
        start: buildStart,
        end: buildStart + rest[2].length,
        text: () =>
          `**${code(rest[2])}** · the build number: how many times this tree was built (\`uname -v\` starts with it); with the release, it tells two builds of one version apart.`,
      });
    }
  }
  if (!parts.length) return [];
  parts.push({
    start: indent,
    end: m.trimEnd().length,
    text: () => 'The task and kernel this report was printed in: CPU, PID, task name (`Comm`), taint, kernel release and build number.',
  });
  return parts;
}

// ------------------------------------------------------------------------------------------------
// cut here, end trace, RSP <…>, LR is at

const CUT_HERE =
  '**`cut here`** · the start of a report\n\n`WARN()`, `BUG()` and (on arm) a kernel fault print this line first, so a bug report can start here: everything from it to `---[ end trace … ]---` belongs together.';

function endText(what: string): string {
  const trace = /^trace ([0-9a-f]+)$/.exec(what);
  if (trace)
    return (
      `**${code(`end trace ${trace[1]}`)}** · the end of the report\n\n` +
      (/^0+$/.test(trace[1])
        ? 'Printed last by `oops_exit()`/`__warn()`. Newer kernels print zeros here; older ones printed a random id chosen once per boot.'
        : 'Printed last by `oops_exit()`/`__warn()`. The number is a random id older kernels chose once per boot: reports with the same id come from the same boot.')
    );
  return `**${code(`end ${what}`)}** · the end of a panic\n\nThe last line \`panic()\` prints before the machine stops (or reboots, with \`panic=\`): nothing of this boot follows on a live console.`;
}

function rspSummaryText(value: string, ctx: LineContext): string {
  const address = ctx.addressText(value);
  return [
    `**${code(`RSP <${value}>`)}** · the stack pointer at the fault`,
    'The second line of the summary kernels up to 4.x printed after the trace (below `RIP  [<…>]`): the stack pointer of the register dump, again.',
    ...(address ? [address] : []),
  ].join('\n\n');
}

function lrParts(m: string, indent: number, symbol: string, ctx: LineContext): Part[] {
  const at = m.indexOf(symbol, indent + 4);
  const label = m.slice(indent, at).trimEnd();
  const frame = frameOf(symbol, ctx.base + at, ctx.line);
  const text = () =>
    `**${code(symbol)}** · the link register (\`lr\`)\n\n` +
    'The return address the link register held (printed beside the pc): the caller of the faulting function, unless the function had already made a call of its own or was interrupted before it saved `lr`. Its call is the instruction before it (address − 4).';
  return [
    { start: indent, end: indent + label.length, text },
    { start: at, end: at + symbol.length, text, symbol: frame ?? undefined },
  ];
}

/** `func+0x1c/0x90 [mod]` read as an entry to symbolize, or null for a bare address. */
function frameOf(symbol: string, start: number, line: number): StackEntry | null {
  const s = /^([\w.$]+)\+0x([0-9a-f]+)\/0x([0-9a-f]+)$/.exec(symbol);
  if (!s) return null;
  return {
    start,
    end: start + symbol.length,
    line,
    function: s[1],
    offset: parseInt(s[2], 16),
    size: parseInt(s[3], 16),
    module: null,
    address: null,
    reliable: true,
    context: null,
    symbolStart: start,
    symbolEnd: start + symbol.length,
  };
}

// ------------------------------------------------------------------------------------------------
// KASAN

function kasanAccessParts(m: string, indent: number, ctx: LineContext): Part[] {
  const a = /^(\s*)(Read|Write) of size (\d+) at addr ([0-9a-f]+)(?: by task (.+?)\/(\d+))?\s*$/.exec(m);
  if (!a) return [];
  const parts: Part[] = [];
  const kindEnd = indent + `${a[2]} of size ${a[3]}`.length;
  parts.push({
    start: indent,
    end: kindEnd,
    text: () =>
      `**${a[2]} of size ${a[3]}** · the bad access\n\nThe instrumented ${a[2] === 'Read' ? 'load' : 'store'} of ${a[3]} byte${a[3] === '1' ? '' : 's'} that KASAN caught: the first entry of the call trace below that is not KASAN's own made it.`,
  });
  const addrStart = m.indexOf(a[4], kindEnd);
  parts.push({
    start: addrStart,
    end: addrStart + a[4].length,
    text: () => {
      const address = ctx.addressText(a[4]);
      return [
        `**${code(a[4])}** · the address accessed`,
        'The memory state below shows its shadow bytes (the row marked `>`, the byte under `^`); for a slab object, the lines after the stacks say which object and how far into it.',
        ...(address ? [address] : []),
      ].join('\n\n');
    },
  });
  if (a[5] !== undefined) {
    const tStart = m.indexOf(' by task ', addrStart) + 9;
    parts.push({
      start: tStart,
      end: tStart + a[5].length + 1 + a[6].length,
      text: () => `**${code(`${a[5]}/${a[6]}`)}** · the task that made the access: its name (\`comm\`) and PID.`,
    });
  }
  return parts;
}

const SHADOW_DUMP =
  "**Memory state around the buggy address** · KASAN's shadow memory\n\nEach row is 16 shadow bytes; with generic KASAN one shadow byte stands for 8 bytes of memory, so a row covers 128 bytes from the address at its start. `>` marks the row of the bad address, `^` its shadow byte. `00`: accessible; `01`–`07`: only the first N bytes are; `fc` redzone, `fb`/`fa` freed object, `fe`/`ff` page redzone or free page, `f1`–`f3` stack redzones, `f9` global redzone, `f8` vmalloc invalid.";

function shadowRowParts(row: NonNullable<ReturnType<typeof shadowRowOf>>): Part[] {
  const parts: Part[] = [
    {
      start: row.addressSpan.start,
      end: row.addressSpan.end,
      text: () =>
        `**${code(row.address.toString(16))}** · ${row.buggy ? 'the row of the bad address (`>`)' : 'a row of the shadow dump'}\n\nThe memory address the row's first shadow byte stands for; each byte after it covers the next ${KASAN_GRANULE} bytes (generic KASAN).`,
    },
  ];
  row.bytes.forEach((b, i) => {
    parts.push({ start: b.start, end: b.start + 2, text: () => shadowByteText(b.value, row.address + BigInt(i * KASAN_GRANULE)) });
  });
  return parts;
}

function shadowByteText(value: number, covers: bigint): string {
  const s = shadowByteMeaning(value);
  const hex2 = value.toString(16).padStart(2, '0');
  return `**${code(hex2)}** · shadow byte: ${s.name}\n\n${s.meaning[0].toUpperCase()}${s.meaning.slice(1)}. It stands for the ${KASAN_GRANULE} bytes at ${code(covers.toString(16))}.`;
}

function caretParts(m: string, ctx: LineContext): Part[] {
  const col = m.indexOf('^');
  const row = shadowRowOf(ctx.messageAt(ctx.line - 1));
  const byte = row?.bytes.find((b) => col >= b.start && col <= b.start + 1);
  return [
    {
      start: col,
      end: col + 1,
      text: () =>
        '**`^`** · the shadow byte of the bad address\n\nIt points into the row marked `>` above: the byte over it is the state of the 8 bytes the access reached.' +
        (byte && row ? `\n\n${shadowByteText(byte.value, row.address + BigInt(row.bytes.indexOf(byte) * KASAN_GRANULE))}` : ''),
    },
  ];
}

// ------------------------------------------------------------------------------------------------
// powerpc Instruction dump:

/** A row of 8 instruction words, one of them perhaps `<marked>`. */
const WORD_ROW = /^\s*(?:<?[0-9a-f]{8}>? ){7}<?[0-9a-f]{8}>?\s*$/;

function instructionDumpParts(m: string, ctx: LineContext): Part[] | null {
  // The header and the rows below it (two on powerpc); a row counts only under its header.
  let header = ctx.line;
  while (header > ctx.line - 4 && !ctx.messageAt(header).trimStart().startsWith('Instruction dump:')) header--;
  if (!ctx.messageAt(header).trimStart().startsWith('Instruction dump:')) return null;
  const rows: string[] = [];
  for (let l = header + 1; l <= header + 4 && WORD_ROW.test(ctx.messageAt(l)); l++) rows.push(ctx.messageAt(l).trim());
  const words = rows.join(' ').split(/\s+/).filter(Boolean);
  const marked = words.findIndex((w) => w.startsWith('<'));
  const text = () =>
    '**`Instruction dump:`** · the instruction words around the faulting one (powerpc)\n\n' +
    '```\n' +
    words.map((w, i) => (i === marked ? `${w}   <-- at NIP: the faulting instruction` : w)).join('\n') +
    '\n```\n\n' +
    `${marked >= 0 ? `The word in \`<…>\` is the instruction at NIP, ${marked} words (${marked * 4} bytes) after the first. ` : ''}powerpc instructions are not disassembled here (no maintained package decodes them); \`scripts/decodecode\` with \`ARCH=powerpc CROSS_COMPILE=powerpc64le-linux-gnu-\` does.`;
  const lead = m.length - m.trimStart().length;
  const parts: Part[] = [{ start: lead, end: m.trimEnd().length, text }];
  const mark = /<([0-9a-f]{8})>/.exec(m);
  if (mark && ctx.line !== header)
    parts.push({
      start: mark.index,
      end: mark.index + mark[0].length,
      text: () =>
        `**${code(mark[1])}** · the faulting instruction (the word at NIP)\n\nNot decoded here: no powerpc disassembler is built in. \`scripts/decodecode\` (\`ARCH=powerpc\`) or \`objdump -d\` of the function at NIP shows it.`,
    });
  return parts;
}
