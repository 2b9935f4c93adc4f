// Title normalisation as syzbot does it, so that the same bug gets the same title on every run:
// executor names, addresses, IPs, line numbers, offsets, CPU and other numbers are replaced.

const REPLACEMENTS: [RegExp, string][] = [
  [/syz-executor\.?[0-9]+(?:[/:][0-9]+)?/g, 'syz-executor'],
  [/syzkaller[0-9]+(?:[/:][0-9]+)?/g, 'syzkaller'],
  // anything that looks like an address
  [/([^a-zA-Z0-9])(?:0x)?[0-9a-f]{6,}/g, '$1ADDR'],
  [/[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}/g, 'IP'],
  [/(\.\w+)(?::[0-9]+)+/g, '$1:LINE'],
  // `func+0x1a/0x30` -> `func`: offsets change with every build
  [/([a-zA-Z][a-zA-Z0-9_.]+)\+0x[0-9a-z]+\/0x[0-9a-z]+/g, '$1'],
  [/CPU#[0-9]+/g, 'CPU'],
  // remaining decimal numbers (repeated until stable: matches may overlap, `0,1,2`)
  [/(\W)(\d+)(\W|$)/g, '$1NUM$3'],
  // digits inside names stay (cfg80211), unless there are too many of them
  [/\d{7,}/g, 'NUM'],
];

const MAX_TITLE = 120;

// The same crash is reported again and again in one log: titles are worked out once per raw title
// (keyed by the title alone: the same answers for every parse).
const NORMALIZED = new Map<string, string>();
const FRAMES = new Map<string, string | null>();
const MAX_CACHED = 1 << 12;

function remember<V>(cache: Map<string, V>, key: string, value: V): V {
  if (cache.size >= MAX_CACHED) cache.clear();
  cache.set(key, value);
  return value;
}

export function normalizeTitle(title: string): string {
  const known = NORMALIZED.get(title);
  return known !== undefined ? known : remember(NORMALIZED, title, normalize(title));
}

function normalize(title: string): string {
  for (const [re, by] of REPLACEMENTS) {
    for (let round = 0; round < 8; round++) {
      const next = title.replace(re, by);
      if (next === title) break;
      title = next;
    }
  }
  // At most 120 characters of input; tabs become spaces, control and non-ASCII characters go, runs
  // of spaces collapse.
  let out = '';
  let prev = ' ';
  for (let i = 0; i < title.length && i < MAX_TITLE; i++) {
    let ch = title[i];
    const code = title.charCodeAt(i);
    if (ch === '\t') ch = ' ';
    else if (code < 0x20 || code >= 0x7f) continue;
    if (ch === ' ' && prev === ' ') continue;
    out += ch;
    prev = ch;
  }
  return out.trim();
}

// The function a title names: the identifier after the last ` in `.
const TITLE_FRAME = /.* in ((?:<[a-zA-Z0-9_: ]+>)?[a-zA-Z0-9_:]+)/;

export function titleFrame(title: string): string | null {
  const known = FRAMES.get(title);
  return known !== undefined ? known : remember(FRAMES, title, TITLE_FRAME.exec(title)?.[1] ?? null);
}
