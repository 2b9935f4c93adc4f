// The grammar's colours in VS Code's default themes (Light/Dark Modern, Light/Dark 2026 — the
// default of current VS Code and code-server —, High Contrast dark and light), computed by VS Code's
// own engine (vscode-textmate) from the theme files of the code-server install that
// scripts/e2e-setup.sh caches. Skipped when that install is absent.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { colourise, DEFAULT_THEMES, loadTheme, themesAvailable } from './themes.ts';

const PREFIX = '[  812.004810] ';
const LOG = [
  'BUG: unable to handle kernel NULL pointer dereference at 0000000000000008',
  'CPU: 1 PID: 0 Comm: swapper/1 Tainted: G           O    4.15.0-rc3 #7',
  'Hardware name: QEMU Standard PC (i440FX + PIIX, 1996), BIOS 1.10.2-1 04/01/2014',
  'Workqueue: events_long acme_watchdog_fn [acme_eth]',
  'task: ffff88003d1a8000 task.stack: ffffc90000ca0000',
  'RIP: 0010:widget_timer_fn+0x41/0x60 [widget]',
  'RSP: 0018:ffff88003fc83e60 EFLAGS: 00010246',
  'Call Trace:',
  'Code: 48 8b 43 28 48 85 c0 74 1c <0f> 0b 90 48',
  'Modules linked in: widget(O) e1000',
  'Tainted: [W]=WARN, [O]=OOT_MODULE',
  'task:kworker/0:1     state:D stack:0     pid:42    tgid:42    ppid:2      flags:0x00004000',
].map((l) => PREFIX + l);
const LABELS = [
  'CPU',
  'PID',
  'Comm',
  'Tainted',
  'Hardware name',
  'Workqueue',
  'task',
  'task.stack',
  'RIP',
  'RSP',
  'EFLAGS',
  'Call Trace',
  'Code',
  'Modules linked in',
  'state',
  'pid',
  'flags',
];

function rgb(hex: string): [number, number, number] {
  const h = hex.replace('#', '');
  return [0, 2, 4].map((i) => Number.parseInt(h.slice(i, i + 2), 16)) as [number, number, number];
}
/** Hue (degrees) and saturation (HSL) of a colour. */
function hueSat(hex: string): { hue: number; sat: number } {
  const [r, g, b] = rgb(hex).map((v) => v / 255);
  const max = Math.max(r, g, b);
  const min = Math.min(r, g, b);
  const d = max - min;
  if (d === 0) return { hue: 0, sat: 0 };
  const l = (max + min) / 2;
  const sat = d / (1 - Math.abs(2 * l - 1));
  let hue = max === r ? ((g - b) / d) % 6 : max === g ? (b - r) / d + 2 : (r - g) / d + 4;
  hue *= 60;
  return { hue: hue < 0 ? hue + 360 : hue, sat };
}
/** Red as errors are: a saturated colour within 25° of pure red. */
const looksRed = (hex: string) => {
  const { hue, sat } = hueSat(hex);
  return sat > 0.35 && (hue < 25 || hue > 335);
};
function luminance(hex: string): number {
  const [r, g, b] = rgb(hex).map((v) => {
    const c = v / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}
function contrast(a: string, b: string): number {
  const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
  return (x + 0.05) / (y + 0.05);
}

describe('colours in the default themes', { skip: themesAvailable() ? false : 'no code-server install (scripts/e2e-setup.sh)' }, () => {
  for (const [name, file] of Object.entries(DEFAULT_THEMES)) {
    test(`${name}: every field label is coloured, not red, and readable`, async () => {
      const theme = loadTheme(file);
      // The workbench's defaults where a theme leaves them out (the high contrast ones).
      const fallback = file.startsWith('hc_light') ? ['#292929', '#FFFFFF'] : file.startsWith('hc_') ? ['#FFFFFF', '#000000'] : ['#000000', '#FFFFFF'];
      const fg = (theme.colors['editor.foreground'] ?? fallback[0]).toUpperCase();
      const bg = theme.colors['editor.background'] ?? fallback[1];
      const lines = await colourise(file, LOG.join('\n'));
      for (const label of LABELS) {
        const tokens = lines.flatMap((l) => l.filter((t) => t.text === label));
        assert.ok(tokens.length > 0, `${label} is not a token of its own`);
        for (const t of tokens) {
          assert.notEqual(t.foreground, fg, `${name}: ${label} has the plain text colour`);
          assert.ok(!looksRed(t.foreground), `${name}: ${label} is ${t.foreground}, red like an error`);
          assert.ok(contrast(t.foreground, bg) >= 4.5, `${name}: ${label} ${t.foreground} on ${bg}: contrast ${contrast(t.foreground, bg).toFixed(2)}`);
        }
      }
      // The labels look alike.
      const colours = new Set(LABELS.map((label) => lines.flatMap((l) => l.filter((t) => t.text === label))[0].foreground));
      assert.equal(colours.size, 1, `${name}: labels in ${[...colours].join(', ')}`);
    });
  }

  test('Light and Dark Modern keep the report headline emphasised (bold)', async () => {
    for (const file of [DEFAULT_THEMES['Light Modern'], DEFAULT_THEMES['Dark Modern']]) {
      const [headline] = await colourise(file, LOG[0]);
      // (tokens of the same colour and style come merged)
      const bug = headline.find((t) => t.text.trim().startsWith('BUG'));
      assert.ok(bug && (bug.fontStyle & 2) !== 0, `${file}: BUG is not bold`);
    }
  });
});
