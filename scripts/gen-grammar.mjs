#!/usr/bin/env node
// Generates the two TextMate grammars of the extension from one set of pattern definitions:
//
//   syntaxes/kernel-log.tmLanguage.json            scopeName text.kernel-log (language id kernel-log)
//   syntaxes/kernel-log-injection.tmLanguage.json  scopeName text.log.kernel-injection, injected into
//                                                   text.log (VS Code's "Log" language) with L: priority
//
// Both grammars are built by the same functions below; they differ only in how "start of the kernel
// message" is found and in their top-level patterns:
//   - kernel-log: every line is one begin/end rule whose begin consumes the line prefix (syslog level,
//     syslog/journal date+host+program, dmesg time, printk caller id); message-start rules are anchored
//     with \G right after that prefix (or after any "] ", for prefixes we do not know).
//   - injection: no line rule (the Log grammar owns the line); message-start rules are anchored at the
//     beginning of the line or right after "] " / "kernel: ", and everything else is matched inline.
//
// Usage:
//   node scripts/gen-grammar.mjs           write both JSON files
//   node scripts/gen-grammar.mjs --check   exit 1 if the committed JSON differs from the generator output
// test/grammar/grammar.test.ts also checks that the committed files are up to date.
//
// Regexes are Oniguruma (what VS Code uses). Rules are written with small helpers: rx() concatenates
// fragments and numbers the capture groups itself, so a capture's scope is written next to its regex and
// never by index. Plain string fragments must not contain capturing groups (checked).
//
// The scope names are listed in test/grammar/SCOPES.md; keep that table in sync when adding scopes.

import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const OUTPUTS = {
  main: path.join(ROOT, 'syntaxes', 'kernel-log.tmLanguage.json'),
  injection: path.join(ROOT, 'syntaxes', 'kernel-log-injection.tmLanguage.json'),
};

// ------------------------------------------------------------------------------------------------
// helpers

const SUFFIX = 'kernel-log';
/** Appends the language suffix to every (space-separated) scope. */
const sc = (...names) => names.map((n) => `${n}.${SUFFIX}`).join(' ');

/** A capturing group with a scope (scope may be null for an unscoped group). */
const g = (scope, ...inner) => ({ scope, inner });
/** A field label and its colon (`CPU:`, `Comm:`, `task:`), spread into a pattern's parts. */
const fieldLabel = (name) => [g(S.label, name), g(S.kv, ':')];

function assertNoCapturingGroup(fragment) {
  let inClass = false;
  for (let i = 0; i < fragment.length; i++) {
    const c = fragment[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') {
      inClass = true;
      continue;
    }
    if (c === '(' && fragment[i + 1] !== '?') {
      throw new Error(`capturing group in plain fragment ${JSON.stringify(fragment)}; use g() or (?:`);
    }
  }
}

/** Builds { source, captures } from fragments (strings, arrays, g() groups). */
function rx(...parts) {
  let source = '';
  const captures = {};
  let n = 0;
  const walk = (p) => {
    if (p === null || p === undefined || p === false) return;
    if (typeof p === 'string') {
      assertNoCapturingGroup(p);
      source += p;
      return;
    }
    if (Array.isArray(p)) {
      p.forEach(walk);
      return;
    }
    const idx = ++n;
    source += '(';
    p.inner.forEach(walk);
    source += ')';
    if (p.scope) captures[String(idx)] = { name: p.scope };
  };
  parts.forEach(walk);
  return { source, captures };
}

/** A match rule. */
function match(name, ...parts) {
  const { source, captures } = rx(...parts);
  const rule = {};
  if (name) rule.name = name;
  rule.match = source;
  if (Object.keys(captures).length) rule.captures = captures;
  return rule;
}

/** A begin/end rule. */
function region({ name, contentName, begin, end, patterns }) {
  const b = rx(...begin);
  const e = rx(...end);
  const rule = {};
  if (name) rule.name = name;
  if (contentName) rule.contentName = contentName;
  rule.begin = b.source;
  if (Object.keys(b.captures).length) rule.beginCaptures = b.captures;
  rule.end = e.source;
  if (Object.keys(e.captures).length) rule.endCaptures = e.captures;
  if (patterns) rule.patterns = patterns;
  return rule;
}

const inc = (...names) => names.map((n) => ({ include: `#${n}` }));

// ------------------------------------------------------------------------------------------------
// shared regex fragments

const H = '[0-9a-fA-F]';
const NOT_WORD_BEFORE = '(?<![\\w.$])';
const NOT_WORD_AFTER = '(?![\\w$])';
/** A kernel symbol: C identifiers plus GCC clone suffixes (.isra.0, .cold, .constprop.0, .part.0), $, __pfx_ ... */
const SYM = '[A-Za-z_$][\\w.$]*';
/** Looks ahead for a symbol+0xoff, a [<addr>] or a 0x address (what follows an instruction-pointer keyword). */
const IP_VALUE_AHEAD = `(?=[ \\t]+(?:\\[<|${SYM}\\+0x|0x${H}|\\(null\\)))`;
const TAINT_LETTERS = 'PGFSRMBUDAWCIOELKXTNJ';
const TO_EOL = '$';

// Colours in VS Code's default themes (light/dark Modern, Light/Dark 2026, both high contrast; the
// theme files of the code-server install, checked by test/grammar/themes.test.ts). A field label
// (`CPU:`, `PID:`, `Comm:`, `task:`, `Tainted:`, `RIP:`, `RSP:`, `EFLAGS:`, `Call Trace:`, `Code:`,
// `Modules linked in:`, stack headers) is `variable.other.constant.label.*`: blue in every default
// theme (#0070C1 Light Modern, #0550AE Light 2026, #4FC1FF Dark Modern, #79C0FF Dark 2026,
// #9CDCFE / #02715D high contrast), the colour C constants and macros get. Not `keyword.other`
// (red #CF222E in the 2026 light theme) nor `support.type.property-name` (red #E50000 in every light
// theme): a label is not an error. Taint letters are `constant.language.taint` (blue everywhere;
// `constant.character` is red in the 2026 themes). Red stays for what is wrong: the report's
// headline keyword (`keyword.other.report.*`, bold through `markup.heading.report`) and the
// faulting byte of a `Code:` line (`invalid.illegal`).
const label = (what) => sc(`variable.other.constant.label.${what}`);

// scope names used in more than one place
const S = {
  fn: sc('entity.name.function'),
  plus: sc('punctuation.separator.offset'),
  off: sc('constant.numeric.hex.offset'),
  slash: sc('punctuation.separator.size'),
  size: sc('constant.numeric.hex.size'),
  modBegin: sc('punctuation.definition.module.begin'),
  mod: sc('entity.name.type.module'),
  buildId: sc('constant.other.build-id'),
  modEnd: sc('punctuation.definition.module.end'),
  frameSource: sc('storage.modifier.frame-source'),
  addrBegin: sc('punctuation.definition.address.begin'),
  addr: sc('constant.numeric.hex.address'),
  addrEnd: sc('punctuation.definition.address.end'),
  nul: sc('constant.language.null'),
  hex: sc('constant.numeric.hex'),
  dec: sc('constant.numeric.decimal'),
  kv: sc('punctuation.separator.key-value'),
  regName: sc('variable.other.register'),
  regValue: sc('constant.numeric.hex.register'),
  segment: sc('constant.numeric.hex.segment'),
  segSep: sc('punctuation.separator.segment'),
  ipKeyword: label('register.ip'),
  spKeyword: label('register.sp'),
  flagsKeyword: label('register.flags'),
  heading: sc('markup.heading.report'),
  subsystem: sc('support.type.subsystem'),
  bugType: sc('support.constant.bug-type'),
  path: sc('string.unquoted.path'),
  line: sc('constant.numeric.line'),
  column: sc('constant.numeric.column'),
  label: label('field'),
  comm: sc('string.unquoted.comm'),
  taintLetter: sc('constant.language.taint'),
  tsBegin: sc('punctuation.definition.timestamp.begin'),
  tsEnd: sc('punctuation.definition.timestamp.end'),
  timestamp: sc('comment.other.timestamp'),
  callerBegin: sc('punctuation.definition.caller-id.begin'),
  callerEnd: sc('punctuation.definition.caller-id.end'),
  caller: sc('comment.other.caller-id'),
  callerTask: sc('constant.other.caller-id.task'),
  callerCpu: sc('constant.other.caller-id.cpu'),
  unreliable: sc('comment.line.unreliable'),
  stackHeader: label('stack-header'),
};
const report = (kind) => sc(`keyword.other.report.${kind}`);

/** symbol+0xoff/0xsize [module buildid] (C); `extra` is appended to every capture scope. */
function symbolParts(extra = '') {
  const x = (s) => (extra ? `${s} ${extra}` : s);
  return [
    NOT_WORD_BEFORE,
    g(x(S.fn), SYM),
    g(x(S.plus), '\\+'),
    g(x(S.off), `0x${H}+`),
    g(x(S.slash), '/'),
    g(x(S.size), `0x${H}+`),
    NOT_WORD_AFTER,
    '(?: ',
    g(x(S.modBegin), '\\['),
    g(x(S.mod), '[\\w-]+'),
    '(?: ',
    g(x(S.buildId), `${H}{16,64}`),
    ')?',
    g(x(S.modEnd), '\\]'),
    ')?',
    '(?: \\(',
    g(x(S.frameSource), '[CTPU]'),
    '\\))?',
  ];
}

function timestampParts() {
  return g(
    S.timestamp,
    g(S.tsBegin, '\\['),
    '(?:[ \\t]*[+-]?\\d+[.,]\\d+|[A-Z][a-z]{2} [A-Z][a-z]{2} [ \\d]\\d \\d{2}:\\d{2}:\\d{2} \\d{4})',
    g(S.tsEnd, '\\]'),
  );
}

function callerParts() {
  return g(S.caller, g(S.callerBegin, '\\['), '[ \\t]*', '(?:', g(S.callerTask, 'T\\d+'), '|', g(S.callerCpu, 'C\\d+'), ')', g(S.callerEnd, '\\]'));
}

function syslogLevelParts() {
  return [
    g(sc('punctuation.definition.syslog-level.begin'), '<'),
    g(sc('constant.numeric.syslog-level'), '\\d{1,3}'),
    g(sc('punctuation.definition.syslog-level.end'), '>'),
  ];
}

/**
 * The full line prefix of the kernel-log grammar. Every element is optional; elements appear in this order:
 * /dev/kmsg header | <level>; syslog/journal "date host program: "; dmesg -x "kern  :warn  : ";
 * serial-console time; [dmesg time]; [caller id]; short-monotonic "host kernel: ".
 */
function linePrefixParts() {
  const month = '[^\\W\\d_]{3,4}\\.?';
  const classicDate = `${month}[ \\t]+\\d{1,2}[ \\t]+\\d{2}:\\d{2}:\\d{2}`;
  const isoDate = '\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(?:[.,]\\d+)?(?:Z|[+-]\\d{2}:?\\d{2})?';
  const host = g(sc('string.unquoted.host'), '[^\\s:]+');
  const program = g(sc('support.type.program'), '[\\w./-]+(?:\\[\\d+\\])?');
  return [
    '(?:',
    // /dev/kmsg: level,seq,usec,flags[,caller=T1][,ncfrag=a/b];
    g(
      sc('comment.other.kmsg-header'),
      g(sc('constant.numeric.syslog-level'), '\\d{1,3}'),
      ',\\d+,\\d+,[-c+]',
      '(?:,caller=',
      '(?:',
      g(S.callerTask, 'T\\d+'),
      '|',
      g(S.callerCpu, 'C\\d+'),
      '))?',
      '(?:,ncfrag=\\d+/\\d+)?;',
    ),
    '|',
    ...syslogLevelParts(),
    ')?',
    '(?:',
    g(sc('comment.other.date'), `${classicDate}|${isoDate}`),
    '[ \\t]+',
    host,
    '[ \\t]+',
    program,
    g(S.kv, ':'),
    '[ \\t]?',
    '|',
    g(sc('comment.other.date'), isoDate),
    '[ \\t]', // dmesg --time-format iso
    ')?',
    '(?:',
    g(
      sc('comment.other.facility'),
      '(?:kern|user|mail|daemon|auth|syslog|lpr|news|uucp|cron|authpriv|ftp|local\\d)[ \\t]*:[ \\t]*(?:emerg|alert|crit|err|warn|notice|info|debug)[ \\t]*:',
    ),
    '[ \\t]?)?',
    '(?:',
    g(sc('comment.other.timestamp.serial'), '\\[\\d{2}:\\d{2}:\\d{2}[:.,]\\d{3,6}\\]'),
    '[ \\t]?)?',
    '(?:',
    timestampParts(),
    ')?',
    '(?:[ \\t]?',
    callerParts(),
    ')?',
    '(?:[ \\t]',
    host,
    '[ \\t]',
    g(sc('support.type.program'), 'kernel'),
    g(S.kv, ':'),
    ')?',
  ];
}

// ------------------------------------------------------------------------------------------------
// the shared repository; ctx.start is the "start of the kernel message" anchor (no capturing groups)

function repository(ctx) {
  const START = ctx.start;
  const repo = {};

  // ---- inline tokens ---------------------------------------------------------------------------

  repo.symbol = match(sc('meta.symbol'), ...symbolParts());

  // "? func+0x1/0x2" (optionally preceded by the pre-4.10 "[<address>] "): a stack entry that the
  // unwinder did not confirm. Every token of the entry gets comment.line.unreliable as its innermost
  // scope, so themes draw the whole entry in comment colour; "?" itself is keyword.operator.unreliable.
  repo['unreliable-frame'] = match(
    sc('meta.frame.unreliable') + ' ' + S.unreliable,
    '(?:',
    g(`${S.addrBegin} ${S.unreliable}`, '\\[<'),
    g(`${S.addr} ${S.unreliable}`, `${H}+`),
    g(`${S.addrEnd} ${S.unreliable}`, '>\\]'),
    '[ \\t]+)?',
    '(?:^|(?<=\\s))',
    g(sc('keyword.operator.unreliable'), '\\?'),
    '[ \\t]+',
    '(?:',
    ...symbolParts(S.unreliable),
    '|',
    g(`${S.addr} ${S.unreliable}`, `0x${H}+`),
    NOT_WORD_AFTER,
    ')',
  );

  repo.address = {
    patterns: [
      // [<ffffffff81000000>], [<          (null)>]
      match(sc('meta.address'), g(S.addrBegin, '\\[<'), '(?:', g(S.addr, `${H}+`), '|[ \\t]*', g(S.nul, '\\(null\\)'), ')', g(S.addrEnd, '>\\]')),
      // powerpc [c0000000000286fc] and the page-table dump [0000000000000008] pgd=...
      match(sc('meta.address'), g(S.addrBegin, '\\['), g(S.addr, `${H}{8,16}`), g(S.addrEnd, '\\]')),
      match(S.nul, '\\(null\\)'),
    ],
  };

  repo['source-location'] = match(
    sc('meta.source-location'),
    '(?<![\\w/.+-])',
    g(S.path, '(?:[\\w.+-]+/)*[\\w.+-]+\\.(?:c|h|S|s|rs|cc|cpp|lds)'),
    g(S.kv, ':'),
    g(S.line, '\\d+'),
    '(?:',
    g(S.kv, ':'),
    g(S.column, '\\d+'),
    ')?',
    '(?!\\w)',
  );

  repo.hex = {
    patterns: [match(S.hex, '(?<![\\w.])0x', H, '+', '(?![\\w])'), match(S.hex, '(?<![\\w.])', H, '{16}', '(?![\\w])')],
  };

  // <IRQ> </IRQ> <NMI> </NMI> <TASK> </TASK> <#DF> <SOFTIRQ> <ENTRY_TRAMPOLINE>; closers <EOI> <EOE> <<EOE>>
  repo['context-marker'] = {
    patterns: [
      match(sc('keyword.control.context.end'), g(sc('punctuation.definition.tag.begin'), '<<'), 'EOE', g(sc('punctuation.definition.tag.end'), '>>')),
      match(
        sc('keyword.control.context.end'),
        g(sc('punctuation.definition.tag.begin'), '</'),
        '(?:IRQ|SOFTIRQ|NMI|TASK|ENTRY_TRAMPOLINE|#DF|#DB[12]?|#MC|#VC2?|#BP|#SS|#NMI)',
        g(sc('punctuation.definition.tag.end'), '>'),
      ),
      match(sc('keyword.control.context.end'), g(sc('punctuation.definition.tag.begin'), '<'), '(?:EOI|EOE)', g(sc('punctuation.definition.tag.end'), '>')),
      match(
        sc('keyword.control.context.begin'),
        g(sc('punctuation.definition.tag.begin'), '<'),
        '(?:IRQ|SOFTIRQ|NMI|TASK|ENTRY_TRAMPOLINE|#DF|#DB[12]?|#MC|#VC2?|#BP|#SS)',
        g(sc('punctuation.definition.tag.end'), '>'),
      ),
      // 4.9 consoles: " <IRQ> [  168.317567]  [<ffffffff81eb4be9>] dump_stack+0xc1/0x128"
      match(null, '(?<=> )', timestampParts(), '(?:', callerParts(), ')?'),
    ],
  };

  repo.registers = {
    patterns: [
      // instruction pointer: RIP: 0010:sym+off/size, EIP: 0060:[<c01de48c>], old summary "RIP  [<...>]"
      match(
        sc('meta.register.ip'),
        NOT_WORD_BEFORE,
        g(S.ipKeyword, 'RIP|EIP'),
        '(?:',
        g(S.kv, ':'),
        '(?:[ \\t]?',
        g(S.segment, `${H}{4}`),
        g(S.segSep, ':'),
        ')?',
        '|(?=[ \\t]+\\[<))',
      ),
      match(sc('meta.register.ip'), NOT_WORD_BEFORE, g(S.ipKeyword, 'IP'), g(S.kv, ':'), IP_VALUE_AHEAD),
      match(sc('meta.register.ip'), NOT_WORD_BEFORE, g(S.ipKeyword, 'pc'), g(S.kv, '[ \\t]?:'), `(?=[ \\t]+(?:\\[<|${SYM}\\+0x|0x${H}|${H}{8,16}(?![\\w])))`),
      match(sc('meta.register.ip'), NOT_WORD_BEFORE, g(S.ipKeyword, 'PC|EIP'), '(?= is at )'),
      match(sc('meta.register.ip'), NOT_WORD_BEFORE, g(S.ipKeyword, 'NIP'), g(S.kv, ':?'), `(?=[ \\t]+(?:\\[${H}|${H}{8,16}(?![\\w])))`),
      // stack pointer: RSP: 0018:ffffc90003defcd8, ESP: f5e7bf1c, " RSP <ffff880073473cb0>", sp : ffff80008c597650
      match(
        sc('meta.register.sp'),
        NOT_WORD_BEFORE,
        g(S.spKeyword, 'RSP|ESP'),
        g(S.kv, ':'),
        '[ \\t]?',
        '(?:',
        g(S.segment, `${H}{4}`),
        g(S.segSep, ':'),
        ')?',
        g(S.regValue, `${H}+`),
        '(?![\\w])',
      ),
      match(sc('meta.register.sp'), NOT_WORD_BEFORE, g(S.spKeyword, 'RSP'), '[ \\t]+', g(S.addrBegin, '<'), g(S.regValue, `${H}+`), g(S.addrEnd, '>')),
      match(
        sc('meta.register.sp'),
        NOT_WORD_BEFORE,
        g(S.regName, 'SS'),
        g(S.kv, ':'),
        g(S.spKeyword, 'ESP'),
        '[ \\t]+',
        g(S.segment, `${H}{4}`),
        g(S.segSep, ':'),
        g(S.regValue, `${H}+`),
        '(?![\\w])',
      ),
      match(sc('meta.register.sp'), NOT_WORD_BEFORE, g(S.spKeyword, 'sp'), g(S.kv, '[ \\t]?:'), '[ \\t]*', g(S.regValue, `${H}{8,16}`), '(?![\\w])'),
      // flags
      match(sc('meta.register.flags'), NOT_WORD_BEFORE, g(S.flagsKeyword, 'EFLAGS'), g(S.kv, ':'), '[ \\t]*', g(S.regValue, `${H}+`), '(?![\\w])'),
      match(
        sc('meta.register'),
        NOT_WORD_BEFORE,
        g(S.regName, 'pstate|cpsr|psr'),
        g(S.kv, ':'),
        '[ \\t]*',
        g(S.regValue, `${H}+`),
        '(?![\\w])',
        '(?:[ \\t]+',
        g(sc('punctuation.definition.flags.begin'), '\\('),
        g(sc('constant.other.flags'), '[^()]*'),
        g(sc('punctuation.definition.flags.end'), '\\)'),
        ')?',
      ),
      // x86 general purpose, segment, control and debug registers: RAX: ..., FS:  0000(0000), knlGS:..., CR2: ...
      match(
        sc('meta.register'),
        NOT_WORD_BEFORE,
        g(
          S.regName,
          'knlGS|ORIG_RAX|ORIG_EAX|R[ABCD]X|R[SD]I|RBP|R(?:0?[89]|1[0-5])|E[ABCD]X|E[SD]I|EBP|CR[0-8]|DR[0-7]|[CDEFGS]S|PKRU|XCS|GPR\\d\\d|MSR|CTR|XER|CR|LR|DAR|DSISR|SOFTE|TRAP|CFAR|IRQMASK',
        ),
        g(S.kv, ':'),
        '[ \\t]*',
        g(S.regValue, `${H}+`),
        '(?:',
        g(sc('punctuation.definition.segment.begin'), '\\('),
        g(S.segment, `${H}+`),
        g(sc('punctuation.definition.segment.end'), '\\)'),
        '|(?![\\w]))',
      ),
      // arm/arm64: x29: ..., x9 : ..., lr : sym+off/size, fp : ..., r10: ...
      match(
        sc('meta.register'),
        NOT_WORD_BEFORE,
        g(S.regName, 'x(?:30|[12]\\d|\\d)|r(?:1[0-5]|\\d)|fp|ip|lr|pmr_save|pmr|elr|esr|far'),
        g(S.kv, '[ \\t]?:'),
        `(?=[ \\t]+(?:${H}{8,16}(?![\\w])|\\[<|${SYM}\\+0x))`,
        '(?:[ \\t]+',
        g(S.regValue, `${H}{8,16}`),
        '(?![\\w]))?',
      ),
      match(sc('meta.register'), NOT_WORD_BEFORE, g(S.regName, 'LR'), '(?= is at |[ \\t]+\\[)'),
    ],
  };

  repo.taint = {
    patterns: [
      // Tainted: G        W  O      6.1.0 #1   (fixed-width flag columns; ends before the release)
      region({
        name: sc('meta.taint'),
        begin: [NOT_WORD_BEFORE, g(label('taint.tainted'), 'Tainted'), g(S.kv, ':'), `(?=[ \\t][PG](?:[ \\t${TAINT_LETTERS}]|$))`],
        // at the first blank before a word that is not made of taint letters (the release), or at the end;
        // the lookbehind keeps this linear on long runs of blanks
        end: [`(?<![ \\t])(?=[ \\t]++[${TAINT_LETTERS}]*+[^\\s${TAINT_LETTERS}]|[ \\t]*+$)`],
        patterns: [match(S.taintLetter, `[${TAINT_LETTERS}]`)],
      }),
      match(label('taint.not-tainted'), NOT_WORD_BEFORE, 'Not tainted', '(?![\\w])'),
    ],
  };

  repo.deadlock = match(report('lockdep'), '\\*\\*\\* DEADLOCK \\*\\*\\*');

  repo['lock-usage'] = match(
    sc('meta.lock-usage'),
    g(sc('punctuation.definition.lock-usage.begin'), '\\{'),
    g(sc('constant.other.lock-usage'), '[-+.?]{4,6}'),
    g(sc('punctuation.definition.lock-usage.end'), '\\}'),
    '(?:-',
    g(sc('punctuation.definition.lock-usage.begin'), '\\{'),
    g(sc('constant.other.wait-type'), '\\d+:\\d+'),
    g(sc('punctuation.definition.lock-usage.end'), '\\}'),
    ')?',
  );

  repo.markers = {
    patterns: [
      match(sc('keyword.control.cut-here'), '-+\\[ cut here \\]-+'),
      // ---[ end trace 0000000000000000 ]---, ---[ end trace ]---, ---[ end Kernel panic - not syncing: x ]---
      match(sc('keyword.control.end-trace'), '-+\\[ end trace', '(?: ', g(sc('constant.numeric.hex.trace-id'), `${H}+`), ')?', ' \\]-+'),
      match(
        sc('keyword.control.end-trace'),
        '-+\\[ end ',
        g(report('panic'), 'Kernel panic - not syncing'),
        '(?::[ \\t]*',
        g(sc('string.unquoted.panic-message'), '.*?'),
        ')?',
        ' \\]-+',
      ),
    ],
  };

  repo['die-info'] = {
    patterns: [
      // error code in "Oops: 0002 [#1]" / "Internal error: Oops: 0000000096000005 [#1]"
      match(sc('constant.numeric.hex.error-code'), '(?<=: )', H, '{1,16}', '(?=[ \\t]+\\[#\\d+\\])'),
      match(
        sc('meta.die-counter'),
        g(sc('punctuation.definition.die-counter.begin'), '\\[#'),
        g(sc('constant.numeric.decimal.die-counter'), '\\d+'),
        g(sc('punctuation.definition.die-counter.end'), '\\]'),
        g(sc('storage.modifier.die-flags'), '(?:[ \\t]+(?:PREEMPT_RT|PREEMPT_LAZY|PREEMPT|SMP|DEBUG_PAGEALLOC|KASAN|KMSAN|PTI|NOPTI|ARM|THUMB2|MMU))*'),
      ),
      match(
        report('die'),
        '(?<=: )',
        '(?:segment-related )?general protection fault|invalid opcode|double fault|stack segment|divide error|int3|coprocessor segment overrun|invalid TSS|segment not present|alignment check|stack guard page was hit|kernel stack overflow|bounds',
        '(?=[:,])',
      ),
      match(report('lockup'), NOT_WORD_BEFORE, 'soft lockup|hard LOCKUP|workqueue lockup', '(?![\\w])'),
      // KCSAN: "data-race in func_a / func_b" (no offsets)
      match(null, '(?<= in )', g(S.fn, SYM), '[ \\t]+', g(sc('punctuation.separator.race'), '/'), '[ \\t]+', g(S.fn, SYM), '[ \\t]*$'),
    ],
  };

  // patterns used inside header lines and other line regions
  repo.inline = {
    patterns: inc('unreliable-frame', 'registers', 'taint', 'deadlock', 'lock-usage', 'symbol', 'address', 'source-location', 'hex'),
  };
  repo['header-inline'] = {
    patterns: inc('die-info', 'taint', 'symbol', 'address', 'source-location', 'hex'),
  };

  // ---- message-start rules -----------------------------------------------------------------------

  const header = (begin) =>
    region({
      name: S.heading,
      begin: [START, ...begin],
      end: [TO_EOL],
      patterns: inc('header-inline'),
    });
  const sanitizer = (name) => g(report(name.toLowerCase()), name);
  repo['report-header'] = {
    patterns: [
      header([g(report('panic'), 'Kernel panic - not syncing'), g(S.kv, ':')]),
      header([
        '(?:',
        g(S.subsystem, 'NMI watchdog|watchdog'),
        g(S.kv, ':'),
        '[ \\t]+)?',
        g(report('bug'), 'BUG'),
        g(S.kv, ':'),
        '(?:[ \\t]+(?:',
        sanitizer('KASAN'),
        '|',
        sanitizer('KMSAN'),
        '|',
        sanitizer('KCSAN'),
        '|',
        sanitizer('KFENCE'),
        ')',
        g(S.kv, ':'),
        '[ \\t]+',
        g(S.bugType, '[\\w-]+(?: or [\\w-]+)?'),
        ')?',
      ]),
      header([g(report('bug'), '[Kk]ernel BUG at'), '(?=[ \\t])']),
      header([
        g(report('warning'), 'WARNING'),
        g(S.kv, ':'),
        '[ \\t]+',
        g(
          report('lockdep'),
          'possible circular locking dependency detected|possible recursive locking detected|inconsistent lock state|possible irq lock inversion dependency detected|[\\w-]+-safe -> [\\w-]+-unsafe lock order detected|suspicious RCU usage\\.?|bad unlock balance detected!|held lock freed!|lock held when returning to user space!|nested lock was not taken|bad contention detected!|inconsistent lock state',
        ),
      ]),
      header([g(report('warning'), 'WARNING'), g(S.kv, ':')]),
      header([g(report('oops'), 'Oops'), g(S.kv, ':')]),
      header([
        g(report('die'), '(?:segment-related )?general protection fault|invalid opcode|double fault|stack segment|divide error|int3|kernel stack overflow'),
        '(?=[:,])',
      ]),
      header([g(report('fault'), 'Unable to handle kernel'), '(?=[ \\t])']),
      header([g(report('internal-error'), 'Internal error'), g(S.kv, ':')]),
      header([
        g(sc('keyword.other.report.info'), 'INFO'),
        g(S.kv, ':'),
        '[ \\t]+',
        g(report('hung-task'), 'task'),
        '[ \\t]+',
        g(S.comm, '.+?'),
        g(S.kv, ':'),
        g(S.dec, '\\d+'),
        '[ \\t]+',
        g(report('hung-task'), 'blocked for more than|is blocked on a [\\w-]+'),
      ]),
      header([
        '(?:',
        g(S.subsystem, 'rcu'),
        g(S.kv, ':'),
        '[ \\t]+)?',
        g(sc('keyword.other.report.info'), 'INFO'),
        g(S.kv, ':'),
        '[ \\t]+',
        g(sc('support.constant.rcu-flavor'), '\\w+'),
        '[ \\t]+',
        g(report('rcu-stall'), 'self-detected stall on CPU|detected stalls on CPUs/tasks|detected expedited stalls on CPUs/tasks'),
      ]),
      header([g(report('kasan'), 'KASAN'), g(S.kv, ':'), '[ \\t]+', g(S.bugType, '(?:maybe |probably )?[\\w-]+'), '(?=[ \\t]+in range)']),
      header([g(report('ubsan'), 'UBSAN'), g(S.kv, ':'), '[ \\t]+', g(S.bugType, 'Undefined behaviour|[\\w-]+'), '(?=[ \\t]+in[ \\t])']),
      header([g(report('nmi-backtrace'), 'NMI backtrace for cpu'), '[ \\t]+', g(S.dec, '\\d+')]),
      header([g(report('lockup'), 'Watchdog detected hard LOCKUP on cpu'), '[ \\t]+', g(S.dec, '\\d+')]),
      header([g(S.subsystem, 'rust_kernel'), g(S.kv, ':'), '[ \\t]+', g(report('panic'), 'panicked at')]),
      // OOM killer, warn_alloc(), kmemleak
      header([g(S.comm, '\\S.*?'), '[ \\t]+', g(report('oom'), 'invoked oom-killer'), g(S.kv, ':')]),
      header([g(S.comm, '\\S.*?'), g(S.kv, ':'), '[ \\t]+', g(report('allocation-failure'), 'page allocation failure'), '(?=[:.])']),
      header([g(report('kmemleak'), 'unreferenced object'), '(?=[ \\t]+0x)']),
    ],
  };

  const identPatterns = inc('taint', 'identification-inline', 'hex');
  repo['identification-inline'] = {
    patterns: [
      match(label('kdump'), 'Kdump: loaded'),
      match(
        sc('storage.modifier.preempt-model'),
        NOT_WORD_BEFORE,
        '(?:PREEMPT_\\{RT,\\(full\\)\\}|PREEMPT(?:_RT|_DYNAMIC|_LAZY)?(?:\\([\\w,]+\\))?|VOLUNTARY|NONE)',
        '(?![\\w(])',
      ),
      match(sc('string.unquoted.release'), '(?<=[ \\t])\\d+\\.\\d+[\\w.+~-]*(?= #\\d)'),
      match(sc('constant.numeric.build-number'), '(?<=[ \\t])#\\d+(?![\\w])'),
      match(S.buildId, '(?<=[ \\t])', H, '{40}', '(?![\\w])'),
    ],
  };
  repo.identification = {
    patterns: [
      // CPU: 1 UID: 0 PID: 5827 Comm: foo Not tainted 6.14.0 #0 PREEMPT(full)
      region({
        name: sc('meta.identification'),
        begin: [
          START,
          ...fieldLabel('CPU'),
          '[ \\t]+',
          g(S.dec, '\\d+'),
          '(?:[ \\t]+',
          ...fieldLabel('UID'),
          '[ \\t]+',
          g(S.dec, '\\d+'),
          ')?',
          '[ \\t]+',
          ...fieldLabel('PID'),
          '[ \\t]+',
          g(S.dec, '\\d+'),
          '[ \\t]+',
          ...fieldLabel('Comm'),
          '[ \\t]',
          g(S.comm, '.*?'),
          '(?=[ \\t]+(?:Not tainted|Tainted:|Kdump:)|[ \\t]*$)',
        ],
        end: [TO_EOL],
        patterns: identPatterns,
      }),
      // 2.6: Pid: 491, comm: scsi_eh_0 Tainted: ...
      region({
        name: sc('meta.identification'),
        begin: [START, ...fieldLabel('Pid'), '[ \\t]+', g(S.dec, '\\d+'), ',[ \\t]+', ...fieldLabel('comm'), '[ \\t]+', g(S.comm, '\\S+')],
        end: [TO_EOL],
        patterns: identPatterns,
      }),
      match(sc('meta.identification'), START, ...fieldLabel('Hardware name'), '[ \\t]*', g(sc('string.unquoted.hardware-name'), '.*'), '$'),
      match(
        sc('meta.identification'),
        START,
        ...fieldLabel('Workqueue'),
        '[ \\t]+',
        g(sc('string.unquoted.workqueue'), '\\S+'),
        '(?:[ \\t]+',
        g(S.fn, SYM),
        ')?',
      ),
      // 6.10+: Tainted: [W]=WARN, [O]=OOT_MODULE
      region({
        name: sc('meta.taint'),
        begin: [START, g(label('taint.tainted'), 'Tainted'), g(S.kv, ':'), '(?=[ \\t]+\\[)'],
        end: [TO_EOL],
        patterns: [
          match(
            null,
            g(sc('punctuation.definition.taint.begin'), '\\['),
            g(S.taintLetter, '[A-Z]'),
            g(sc('punctuation.definition.taint.end'), '\\]'),
            g(sc('keyword.operator.assignment'), '='),
            g(sc('support.constant.taint-name'), '[A-Z_]+'),
          ),
        ],
      }),
    ],
  };

  // The task line printed after the CPU line (x86/arm before 4.x: `task: <addr> ti: <addr> task.ti:
  // <addr>`, then `task: <addr> task.stack: <addr>`) and a task dump's `task:comm state:D stack:0
  // pid:42 tgid:42 ppid:2 flags:0x00004000`: labelled like the other fields.
  const taskField = match(
    null,
    '(?<![\\w.])',
    ...fieldLabel('task\\.ti|task\\.stack|[a-z_]+'),
    '[ \\t]*',
    '(?:',
    g(S.hex, '0x', H, '+'),
    '|',
    g(S.hex, H, '{8,16}'),
    '|',
    g(S.dec, '\\d+'),
    '|',
    g(sc('constant.language.task-state'), '[A-Z]'),
    ')',
    '(?![\\w])',
  );
  repo.task = {
    patterns: [
      region({
        name: sc('meta.identification.task'),
        begin: [START, ...fieldLabel('task'), '[ \\t]+', g(S.hex, H, '{8,16}'), `(?=[ \\t]+(?:ti|task\\.stack):)`],
        end: [TO_EOL],
        patterns: [taskField],
      }),
      region({
        name: sc('meta.identification.task'),
        begin: [START, ...fieldLabel('task'), g(S.comm, '\\S+'), '(?=[ \\t]+state:)'],
        end: [TO_EOL],
        patterns: [taskField],
      }),
    ],
  };

  repo.modules = region({
    name: sc('meta.modules'),
    begin: [START, g(label('modules'), 'Modules linked in|Unloaded tainted modules'), g(S.kv, ':')],
    end: [TO_EOL],
    patterns: [
      match(
        sc('meta.last-unloaded'),
        g(sc('punctuation.definition.module.begin'), '\\['),
        g(label('last-unloaded'), 'last unloaded'),
        g(S.kv, ':'),
        '[ \\t]*',
        g(S.mod, '[\\w-]+'),
        '(?:',
        g(sc('punctuation.definition.module-flags.begin'), '\\('),
        g(sc('constant.language.taint.module'), '[A-Z+-]+'),
        g(sc('punctuation.definition.module-flags.end'), '\\)'),
        ')?',
        g(sc('punctuation.definition.module.end'), '\\]'),
      ),
      match(
        null,
        '(?<![\\w-])',
        g(S.mod, '[\\w-]+'),
        '(?:',
        g(sc('punctuation.definition.module-flags.begin'), '\\('),
        g(sc('constant.language.taint.module'), '[A-Z+-]+'),
        g(sc('punctuation.definition.module-flags.end'), '\\)'),
        ')?',
        '(?::',
        g(S.dec, '\\d+'),
        ')?',
      ),
    ],
  });

  repo['stack-header'] = {
    patterns: [
      match(null, START, g(label('call-trace'), 'Call Trace|Call trace|Backtrace'), g(S.kv, ':')),
      match(null, START, g(label('stack-dump'), 'Stack'), g(S.kv, ':'), '[ \\t]*$'),
      match(
        null,
        START,
        g(S.stackHeader, '(?:Allocated|Freed) by task'),
        '[ \\t]+',
        g(S.dec, '\\d+'),
        '(?:[ \\t]+on cpu[ \\t]+\\d+[ \\t]+at[ \\t]+[\\d.]+s)?',
        g(S.kv, ':'),
      ),
      match(
        null,
        START,
        g(S.stackHeader, '(?:Second to last |Last )?potentially related work creation|Uninit was (?:created|stored to memory) at|stack backtrace'),
        g(S.kv, ':'),
      ),
      // lockdep dependency chain: "-> #1 (&lock){+.+.}:"
      match(null, START, g(sc('keyword.operator.lockdep-chain'), '->'), '[ \\t]+', g(sc('constant.numeric.decimal.lockdep-chain'), '#\\d+')),
    ],
  };

  repo.code = region({
    name: sc('meta.code'),
    begin: [START, g(label('code'), 'Code'), g(S.kv, ':')],
    end: [TO_EOL],
    patterns: [
      match(sc('comment.line.code-unavailable'), 'Bad RIP value\\.|Unable to access opcode bytes at(?: RIP)?'),
      match(S.hex, '0x', H, '+'),
      // the byte (x86, <xx>; powerpc, <xxxxxxxx>) or word (arm, (xxxxxxxx)) at the faulting instruction
      match(
        sc('meta.code.trap'),
        g(sc('punctuation.definition.trap.begin'), '<'),
        g(sc('invalid.illegal.trapping-instruction'), `${H}{2,8}`),
        g(sc('punctuation.definition.trap.end'), '>'),
      ),
      match(
        sc('meta.code.trap'),
        g(sc('punctuation.definition.trap.begin'), '\\('),
        g(sc('invalid.illegal.trapping-instruction'), `${H}{4,8}`),
        g(sc('punctuation.definition.trap.end'), '\\)'),
      ),
      match(sc('constant.numeric.hex.code'), '(?<![\\w])', H, '{2,8}', '(?![\\w])'),
      match(sc('invalid.deprecated.unreadable'), '\\?{4,8}'),
    ],
  });

  repo.separator = match(sc('meta.separator'), START, '(?:={10,}|-{10,})[ \\t]*$');

  repo.message = {
    patterns: inc('separator', 'markers', 'report-header', 'identification', 'task', 'modules', 'stack-header', 'code', 'context-marker', 'inline'),
  };

  return repo;
}

// ------------------------------------------------------------------------------------------------
// the two grammars

export function buildMainGrammar() {
  const repo = repository({ start: '(?:\\G|(?<=\\] ))[ \\t]*' });
  // One rule per (non-empty) line: the begin consumes the line prefix, so \G marks the message start.
  repo.line = region({
    begin: ['^(?=.)', g(sc('meta.prefix'), ...linePrefixParts())],
    end: [TO_EOL],
    patterns: inc('message'),
  });
  return {
    $schema: 'https://raw.githubusercontent.com/martinring/tmlanguage/master/tmlanguage.json',
    information_for_contributors: ['GENERATED by scripts/gen-grammar.mjs; do not edit by hand. Run `node scripts/gen-grammar.mjs`.'],
    name: 'Kernel Log',
    scopeName: 'text.kernel-log',
    fileTypes: ['oops', 'dmesg', 'kcrash'],
    patterns: inc('line'),
    repository: sortKeys(repo),
  };
}

export function buildInjectionGrammar() {
  const repo = repository({ start: '(?:^|(?<=\\] |kernel: ))[ \\t]*' });
  // dmesg time + caller id at the start of a line, so kernel prefixes look the same as in kernel-log
  repo['line-prefix'] = match(sc('meta.prefix'), '^', '(?:', ...syslogLevelParts(), ')?', timestampParts(), '(?:[ \\t]?', callerParts(), ')?');
  return {
    $schema: 'https://raw.githubusercontent.com/martinring/tmlanguage/master/tmlanguage.json',
    information_for_contributors: [
      'GENERATED by scripts/gen-grammar.mjs; do not edit by hand. Run `node scripts/gen-grammar.mjs`.',
      'Injected into text.log (VS Code Log files) through package.json contributes.grammars[].injectTo.',
    ],
    name: 'Kernel Log (injection into Log)',
    scopeName: 'text.log.kernel-injection',
    injectionSelector: `L:text.log ${regionScopes(repo)
      .map((r) => `-${r}`)
      .join(' ')}`,
    patterns: inc('line-prefix', 'message'),
    repository: sortKeys(repo),
  };
}

/**
 * The scopes of the injection's own begin/end regions. The selector excludes them: inside a region only the
 * region's patterns apply (as in kernel-log), instead of the whole injection winning over them with L: priority.
 */
function regionScopes(repo) {
  const found = new Set();
  const walk = (node) => {
    if (Array.isArray(node)) {
      node.forEach(walk);
      return;
    }
    if (!node || typeof node !== 'object') return;
    if (typeof node.begin === 'string' && node.name) found.add(node.name.split(' ')[0]);
    Object.values(node).forEach(walk);
  };
  walk(repo);
  return [...found].sort();
}

function sortKeys(obj) {
  return Object.fromEntries(
    Object.keys(obj)
      .sort()
      .map((k) => [k, obj[k]]),
  );
}

export function render(grammar) {
  return `${JSON.stringify(grammar, null, 2)}\n`;
}

/** The generated text for each output file, keyed by absolute path. */
export function generate() {
  return {
    [OUTPUTS.main]: render(buildMainGrammar()),
    [OUTPUTS.injection]: render(buildInjectionGrammar()),
  };
}

function main(argv) {
  const check = argv.includes('--check');
  let stale = 0;
  for (const [file, text] of Object.entries(generate())) {
    const rel = path.relative(ROOT, file);
    let current = null;
    try {
      current = readFileSync(file, 'utf8');
    } catch {
      /* missing */
    }
    if (current === text) {
      console.log(`up to date: ${rel}`);
      continue;
    }
    if (check) {
      console.error(`STALE: ${rel} (run: node scripts/gen-grammar.mjs)`);
      stale++;
      continue;
    }
    writeFileSync(file, text);
    console.log(`wrote ${rel}`);
  }
  if (stale) process.exit(1);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2));
}
