/**
 * End-to-end: the packaged extension in a real VS Code workbench (code-server + headless
 * Chromium). Each scenario is a user action checked on the screen and leaves a screenshot in
 * test-results/e2e/. Setup: scripts/e2e-setup.sh (the `test:e2e` npm script runs it first).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import {
  SLOW,
  activeEditor,
  closeQuickInput,
  fixturesDir,
  goToLine,
  makeLargeLog,
  openFile,
  resultsDir,
  root,
  runCommand,
  screenshot,
  startSession,
  textPoint,
  visibleLines,
  waitFor,
  type Session,
} from './harness.ts';

const LARGE_BYTES = 20 * 1000 * 1000;
let session: Session;
let page: Page;
let largeCopies = 0;
const timings: string[] = [];
const log = (msg: string) => {
  timings.push(msg);
  console.log(`# ${msg}`);
};

/** Runs a scenario body and always leaves a screenshot, also when it fails. */
async function scenario(shot: string, body: () => Promise<void>): Promise<void> {
  const t0 = Date.now();
  try {
    await body();
  } finally {
    await screenshot(page, shot);
    // Surface error notifications (e.g. a failed LSP request) in the log of the run.
    for (const toast of await page.locator('.notification-toast:has(.codicon-error) .notification-list-item-message').allInnerTexts()) {
      log(`${shot}: error notification: ${toast.replace(/\s+/g, ' ').slice(0, 300)}`);
    }
    log(`${shot}: ${Date.now() - t0} ms`);
  }
}

const languageMode = () => page.locator('#status\\.editor\\.mode');
const kernelStatus = () => page.locator('.statusbar-item', { hasText: /\d+ reports?, \d+ findings?/ }).first();

async function expectLanguage(name: string, timeout = SLOW): Promise<void> {
  await waitFor(`language mode "${name}"`, async () => (await languageMode().innerText()).trim() === name, timeout);
}

async function openProblems(): Promise<void> {
  const panel = page.locator('.markers-panel');
  if (!(await panel.isVisible())) await page.keyboard.press('Control+Shift+M');
  await panel.waitFor({ state: 'visible' });
}

async function closePanel(): Promise<void> {
  if (await page.locator('.part.panel').isVisible()) await runCommand(page, 'View: Hide Panel');
}

/** Hovers the middle of `sub` in the line containing `lineText`, returns the hover's text. */
async function hoverText(lineText: string, sub: string): Promise<string> {
  await page.mouse.move(5, 5);
  await page
    .locator('.monaco-hover')
    .first()
    .waitFor({ state: 'hidden' })
    .catch(() => {});
  const p = await textPoint(page, lineText, sub);
  await page.mouse.move(p.x, p.y, { steps: 2 });
  // A provider hover (not only the diagnostics' marker hover) must render.
  // (Diagnostics render as `.marker` rows; a hover provider's markdown as `.rendered-markdown`.)
  const part = page.locator('.monaco-hover:visible .rendered-markdown', { hasText: /\S/ }).first();
  await part.waitFor({ state: 'visible', timeout: 15_000 });
  const text = (await page.locator('.monaco-hover:visible').first().innerText()).replace(/\u00a0/g, ' ');
  return text;
}

/** Puts the cursor on `sub` in the line containing `lineText` and runs Inspect Editor Tokens. */
async function inspectScopes(lineText: string, sub: string): Promise<string[]> {
  const p = await textPoint(page, lineText, sub);
  await page.mouse.click(p.x, p.y);
  await runCommand(page, 'Developer: Inspect Editor Tokens and Scopes');
  const widget = page.locator('.token-inspect-widget');
  await widget.waitFor({ state: 'visible' });
  await waitFor('textmate scopes', async () => /textmate scopes/i.test(await widget.innerText()), 10_000);
  const text = (await widget.innerText()).replace(/\u00a0/g, ' ');
  await page.keyboard.press('Escape');
  await widget.waitFor({ state: 'hidden' }).catch(() => {});
  const after = text.split(/textmate scopes/i)[1] ?? '';
  return after.split(/\s+/).filter((s) => /^[a-z][\w-]*(\.[\w-]+)+$/i.test(s));
}

describe('Kernel Log extension in VS Code (code-server + Chromium)', { concurrency: false }, () => {
  before(
    async () => {
      const t0 = Date.now();
      session = await startSession({
        log,
        prepare: ({ mainDir }) => {
          const t = Date.now();
          const { size, copies } = makeLargeLog(join(mainDir, 'large.log'), 'crash.log', LARGE_BYTES);
          largeCopies = copies;
          // A copy of the seed case that the hide scenario may fold and save.
          writeFileSync(join(mainDir, 'hide-seed.log'), readFileSync(join(fixturesDir, 'seed.log')));
          // A real module oops with its symbol files beside it (found without settings) and the
          // module's source in the workspace (found by the tail of its build path).
          const real = join(root, 'test', 'fixtures');
          mkdirSync(join(mainDir, 'symbols'), { recursive: true });
          cpSync(join(real, 'real-debian-module-warn-in-nmi.log'), join(mainDir, 'symbols', 'module-nmi.log'));
          cpSync(join(real, 'real-debian', 'kcrash_test.ko'), join(mainDir, 'symbols', 'kcrash_test.ko'));
          cpSync(join(real, 'real-debian', 'System.map-6.1.0-56-amd64'), join(mainDir, 'symbols', 'System.map-6.1.0-56-amd64'));
          mkdirSync(join(mainDir, 'module'), { recursive: true });
          cpSync(join(root, 'scripts', 'real-logs', 'module', 'kcrash_test.c'), join(mainDir, 'module', 'kcrash_test.c'));
          log(`generated large.log: ${(size / 1e6).toFixed(1)} MB, ${largeCopies} copies, ${Date.now() - t} ms`);
        },
      });
      page = session.page;
      log(`session ready: ${Date.now() - t0} ms`);
    },
    { timeout: 240_000 },
  );

  after(async () => {
    if (session) {
      log(`blocked non-loopback requests: ${session.blockedRequests.length} (${[...new Set(session.blockedRequests.map((u) => new URL(u).host))].join(', ')})`);
      await session.close();
    }
  });

  it('a .log holding a crash becomes Kernel Log, lists findings by code, fades unreliable entries', { timeout: 180_000 }, () =>
    scenario('01-crash-log', async () => {
      await openFile(page, 'crash.log');
      await expectLanguage('Kernel Log');
      // Unreliable `? ` entries are hints tagged Unnecessary: faded, not squiggled.
      await activeEditor(page).locator('.squiggly-inline-unnecessary').first().waitFor({ timeout: SLOW });
      await activeEditor(page).locator('.squiggly-warning').first().waitFor({ timeout: SLOW });
      await openProblems();
      const rows = page.locator('.markers-panel .monaco-list-row');
      // Each code through the Problems filter: related information rows can push a row out of view.
      const filter = page.getByPlaceholder(/^Filter \(e\.g\./).first();
      for (const code of ['duplicate-regs-ip', 'duplicate-frame', 'function-end-return']) {
        await filter.fill(code);
        await rows.filter({ hasText: code }).first().waitFor({ timeout: SLOW });
      }
      await filter.fill('');
      // The status bar item counts the reports and findings of the active editor.
      await waitFor('status bar "2 reports"', async () => /\b2 reports, [1-9]\d* findings\b/.test(await kernelStatus().innerText()), SLOW);
      // Clicking it opens the Problems view.
      await closePanel();
      await kernelStatus().click();
      await page.locator('.markers-panel').waitFor({ state: 'visible' });
    }),
  );

  it('seed case: the `? ` copy of the RIP has a warning; quick fix, fix all and undo', { timeout: 180_000 }, () =>
    scenario('02-seed-quick-fix', async () => {
      const original = readFileSync(join(fixturesDir, 'seed.log'), 'utf8').split('\n');
      const dupRip = '? zero_user_buf+0x42/0x70';
      const dupFrameLine = original.map((l) => l.includes('? fill_stat_reply')).lastIndexOf(true);
      await openFile(page, 'seed.log');
      await expectLanguage('Kernel Log');
      await closePanel();
      await waitFor('all lines on screen', async () => (await visibleLines(page)).length >= original.length, 10_000);
      await activeEditor(page).locator('.squiggly-warning').first().waitFor({ timeout: SLOW });
      // The status bar tells when the server has analysed the current text: after an undo, wait
      // for the original counts before the next action (else the action may see the old version).
      await waitFor('status bar counts', async () => /\d+ findings?/.test(await kernelStatus().innerText()), SLOW);
      const statusOriginal = (await kernelStatus().innerText()).trim();
      const waitStatus = (what: string, ok: (text: string) => boolean) =>
        waitFor(`status bar ${what}`, async () => ok((await kernelStatus().innerText()).trim()), 15_000);

      // Quick fix on the duplicate: Ctrl+. → "Remove duplicate entry" removes exactly that line.
      const p = await textPoint(page, dupRip, 'zero_user_buf');
      await page.mouse.click(p.x, p.y);
      const action = await quickFixRow(page, 'Remove duplicate entry');
      await screenshot(page, '02-seed-quick-fix-menu');
      await action.click();
      const expectedAfterFix = original.filter((l) => !l.includes(dupRip));
      assert.equal(expectedAfterFix.length, original.length - 1);
      await waitFor('the duplicate line removed', async () => JSON.stringify(await visibleLines(page)) === JSON.stringify(expectedAfterFix), 10_000).catch(
        async (e) => {
          assert.deepEqual(await visibleLines(page), expectedAfterFix, String(e));
        },
      );

      await waitStatus('after the quick fix', (t) => t !== statusOriginal);
      await page.keyboard.press('Control+Z');
      await waitFor('undo restores the line', async () => JSON.stringify(await visibleLines(page)) === JSON.stringify(original), 10_000);
      await waitStatus('after undo', (t) => t === statusOriginal);

      // Fix all (source.fixAll.kernel-log) removes every duplicate, and nothing else.
      const expectedAfterFixAll = original.filter((l, i) => !l.includes(dupRip) && i !== dupFrameLine);
      const fixedAll = async () => JSON.stringify(await visibleLines(page)) === JSON.stringify(expectedAfterFixAll);
      // VS Code sometimes drops the result of "Fix All" run from the command palette (the server
      // answered with the source.fixAll.kernel-log action, seen in the LSP trace, but the editor's
      // code-action model was re-triggered meanwhile). Like a user, run it again then.
      for (let attempt = 1; ; attempt++) {
        await runCommand(page, 'Fix All');
        const done = await waitFor('fix all applied', fixedAll, 4_000).then(
          () => true,
          () => false,
        );
        if (done) {
          if (attempt > 1) log(`fix all: applied on attempt ${attempt}`);
          break;
        }
        if (attempt === 3) assert.deepEqual(await visibleLines(page), expectedAfterFixAll, 'Fix All did not apply in 3 attempts');
      }
      await screenshot(page, '02-seed-fix-all');
      await waitStatus('after fix all', (t) => t !== statusOriginal);
      await page.keyboard.press('Control+Z');
      await waitFor('undo restores every duplicate', async () => JSON.stringify(await visibleLines(page)) === JSON.stringify(original), 10_000);
      await waitStatus('after undo', (t) => t === statusOriginal);

      // The command "Remove All Duplicate Entries in File" does the same through the server.
      await runCommand(page, 'Kernel Log: Remove All Duplicate Entries in File');
      await waitFor('remove-all command applied', async () => JSON.stringify(await visibleLines(page)) === JSON.stringify(expectedAfterFixAll), 15_000);
      await waitStatus('after remove-all', (t) => t !== statusOriginal);
      await page.keyboard.press('Control+Z');
      await waitFor('undo again', async () => JSON.stringify(await visibleLines(page)) === JSON.stringify(original), 10_000);
      await waitStatus('after undo', (t) => t === statusOriginal);
    }),
  );

  it('the first quick fix hides the duplicate (fold) and leaves the file unmodified; saving never removes lines', { timeout: 180_000 }, () =>
    scenario('02b-hide-quick-fix', async () => {
      const name = 'hide-seed.log';
      const file = join(session.mainDir, name);
      const original = readFileSync(file, 'utf8');
      const lines = original.split('\n');
      const dupRip = '? zero_user_buf+0x42/0x70';
      const tab = page.locator(`.tab[data-resource-name="${name}"]`);
      const isDirty = async () => /\bdirty\b/.test((await tab.getAttribute('class')) ?? '');
      const noise = (shown: string[]) => shown.filter((l) => /\] \? /.test(l));
      await openFile(page, name);
      await expectLanguage('Kernel Log');
      await closePanel();
      await waitFor('all lines on screen', async () => (await visibleLines(page)).length >= lines.length - 1, 10_000);
      await activeEditor(page).locator('.squiggly-warning').first().waitFor({ timeout: SLOW });
      await waitFor('status bar counts', async () => /\d+ findings?/.test(await kernelStatus().innerText()), SLOW);
      assert.equal(await isDirty(), false);

      // Ctrl+. on the `? ` copy of the RIP: hiding comes first, removing after it.
      const p = await textPoint(page, dupRip, 'zero_user_buf');
      await page.mouse.click(p.x, p.y);
      const rows = page.locator('.action-widget .monaco-list-row');
      const hide = await quickFixRow(page, 'Hide duplicate entry');
      const titles = (await rows.allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
      const at = (needle: string) => titles.findIndex((t) => t.includes(needle));
      assert.ok(at('Hide duplicate entry') >= 0 && at('Hide duplicate entry') < at('Remove duplicate entry'), titles.join(' | '));
      await screenshot(page, '02b-hide-menu');
      await hide.click();

      // The line folds away under the register line before it; nothing else goes, nothing is edited.
      await waitFor('the duplicate line hidden', async () => !(await visibleLines(page)).some((l) => l.includes(dupRip)), 10_000);
      const shown = await visibleLines(page);
      for (const keep of ['R13: 0000000000000000', '? zero_user_buf+0x23/0x70', 'copy_to_user_zeroed+0x2b/0x40', '? fill_stat_reply+0x9e/0x140']) {
        assert.ok(
          shown.some((l) => l.includes(keep)),
          `${keep} must stay visible`,
        );
      }
      await activeEditor(page).locator('.margin-view-overlays [class*="codicon-folding-"][class*="collapsed"]').first().waitFor({ timeout: 10_000 });
      await screenshot(page, '02b-hidden');
      assert.equal(await isDirty(), false, 'the tab shows no dirty marker');
      assert.equal(readFileSync(file, 'utf8'), original);

      // "Hide duplicate and unreliable (?) entries in this report": every `? ` line folds away.
      const q = await textPoint(page, 'copy_to_user_zeroed', 'copy_to_user_zeroed');
      await page.mouse.click(q.x, q.y);
      const hideAll = await quickFixRow(page, 'Hide duplicate and unreliable');
      await hideAll.click();
      await waitFor('every ? line hidden', async () => noise(await visibleLines(page)).length === 0, 10_000).catch(async (e) => {
        assert.deepEqual(noise(await visibleLines(page)), [], String(e));
      });
      for (const keep of ['copy_to_user_zeroed+0x2b/0x40', 'stat_ioctl+0x60/0x90', 'do_vfs_ioctl+0x97/0x5f0']) {
        assert.ok(
          (await visibleLines(page)).some((l) => l.includes(keep)),
          `${keep} must stay visible`,
        );
      }
      await screenshot(page, '02b-hidden-report');
      assert.equal(await isDirty(), false);
      assert.equal(readFileSync(file, 'utf8'), original);
      await runCommand(page, 'Unfold All');

      // With `"source.fixAll": "explicit"` in the user settings, an edit and Ctrl+S save the edit
      // and keep every duplicate line.
      await goToLine(page, 1);
      await page.keyboard.press('End');
      await page.keyboard.type(' (edited)');
      await waitFor('dirty after typing', isDirty, 5_000);
      await page.keyboard.press('Control+S');
      await waitFor('saved', async () => !(await isDirty()), 15_000);
      const saved = readFileSync(file, 'utf8');
      assert.equal(saved, original.replace(lines[0], `${lines[0]} (edited)`));
    }),
  );

  it('hover explains a frame, a RIP line and a `? ` entry', { timeout: 120_000 }, () =>
    scenario('03-hover', async () => {
      await openFile(page, 'crash.log');
      await closePanel();
      await goToLine(page, 30);
      await activeEditor(page).locator('.squiggly-inline-unnecessary').first().waitFor({ timeout: SLOW });
      const frame = await hoverText('call_timer_fn+0x30/0x120', 'call_timer_fn');
      assert.match(frame, /call_timer_fn/);
      await screenshot(page, '03-hover-frame');
      const rip = await hoverText('RIP: 0010:[<ffffffff8127c5a2>]', 'RIP');
      assert.ok(rip.trim().length > 10, rip);
      await screenshot(page, '03-hover-rip');
      const unreliable = await hoverText('? scan_dirty_pages+0x31/0x90', 'scan_dirty_pages');
      assert.match(unreliable, /scan_dirty_pages/);
      await page.mouse.move(5, 5);
    }),
  );

  it(
    'symbols: the status bar names the files found, a module frame hovers with its source line and inline chain, F12 opens the source',
    { timeout: 150_000 },
    () =>
      scenario('06-symbols', async () => {
        await openFile(page, 'module-nmi.log');
        await closePanel();
        const symbols = page.locator('.statusbar-item', { hasText: /System\.map/ }).first();
        await waitFor('symbol status "System.map · modules ✓"', async () => /System\.map · modules ✓/.test(await symbols.innerText().catch(() => '')), SLOW);
        const rip = await hoverText('RIP: 0010:kcrash_nmi+0x1f/0x30 [kcrash_test]', 'kcrash_nmi');
        assert.match(
          rip,
          /kcrash_nmi — \/var\/cache\/kcrash-real\/module\/kcrash_test\.c:86 \(inlined\)\s+kcrash_nmi — \/var\/cache\/kcrash-real\/module\/kcrash_test\.c:82/,
        );
        assert.match(rip, /Symbol kcrash_nmi\+0x1f\/0x30 in kcrash_test, at \.text\+0x[0-9a-f]+ · kcrash_test\.ko/);
        await screenshot(page, '06-symbols-hover-inline');
        await goToLine(page, 31);
        await hoverText('? trigger_write+0x128/0x199 [kcrash_test]', 'trigger_write');
        // The diagnostics' part of the hover renders first; the provider's part follows ("Loading...").
        const frame = await waitFor(
          'the source part of the hover',
          async () => {
            const t = (
              await page
                .locator('.monaco-hover:visible')
                .first()
                .innerText()
                .catch(() => '')
            ).replace(/\u00a0/g, ' ');
            return /Source \(of the call: address − 1\)[\s\S]*kcrash_test\.c:\d+/.test(t) ? t : undefined;
          },
          15_000,
        );
        assert.match(frame, /Symbol trigger_write\+0x128\/0x199 in kcrash_test, looked up at \.text\+0x/);
        await screenshot(page, '06-symbols-hover');
        await page.mouse.move(5, 5);
        // Go to Definition on the entry opens the module's source at that line.
        const p = await textPoint(page, 'RIP: 0010:kcrash_nmi+0x1f/0x30 [kcrash_test]', 'kcrash_nmi');
        await page.mouse.click(p.x, p.y);
        await page.keyboard.press('F12');
        await page.locator('.tab.active', { hasText: 'kcrash_test.c' }).waitFor({ timeout: SLOW });
        const position = page.locator('.statusbar-item', { hasText: /Ln \d+, Col \d+/ }).first();
        await waitFor('cursor on line 86', async () => /Ln 86,/.test(await position.innerText().catch(() => '')), 10_000);
        await screenshot(page, '06-symbols-definition');
      }),
  );

  it('the Outline lists the reports; folding a report and "Fold Unreliable and Duplicate Entries" work', { timeout: 120_000 }, () =>
    scenario('04-outline-folding', async () => {
      await openFile(page, 'crash.log');
      await closePanel();
      await runCommand(page, 'Explorer: Focus on Outline View');
      const outlinePane = page.locator('.pane:has(.pane-header[aria-label*="Outline"])');
      // The server nests stacks and register blocks under each report: collapse to the reports.
      await outlinePane.locator('.monaco-list-row').first().waitFor({ timeout: SLOW });
      await outlinePane.locator('.pane-header').hover();
      await outlinePane.locator('.action-label.codicon-collapse-all, .action-label[aria-label*="Collapse All"]').first().click();
      const outline = outlinePane.locator('.monaco-list-row[aria-level="1"]');
      await outline
        .filter({ hasText: /BUG: unable to handle kernel NULL pointer dereference/ })
        .first()
        .waitFor({ timeout: SLOW });
      await outline
        .filter({ hasText: /WARNING.*gizmo_release/ })
        .first()
        .waitFor({ timeout: SLOW });
      assert.equal(await outline.count(), 2, 'one Outline entry per report');
      await screenshot(page, '04-outline');

      // Fold the first report from its header line: its stack disappears, the next report moves up.
      await goToLine(page, 2);
      await page.keyboard.press('Control+Shift+BracketLeft');
      await activeEditor(page).locator('.margin-view-overlays .codicon-folding-collapsed').first().waitFor({ timeout: 10_000 });
      await waitFor(
        'report 1 folded',
        async () => {
          const lines = (await visibleLines(page)).join('\n');
          return !lines.includes('widget_timer_fn+0x41/0x60') && lines.includes('BUG: unable to handle kernel');
        },
        10_000,
      );
      await screenshot(page, '04-folded-report');
      await runCommand(page, 'Unfold All');
      await activeEditor(page).locator('.margin-view-overlays .codicon-folding-collapsed').first().waitFor({ state: 'detached', timeout: 10_000 });

      // Fold the noise in the seed case: the unreliable/duplicate runs fold, reliable frames stay.
      await openFile(page, 'seed.log');
      await activeEditor(page).locator('.squiggly-inline-unnecessary').first().waitFor({ timeout: SLOW });
      const noise = (lines: string[]) => lines.filter((l) => /\] \? /.test(l)).length;
      const before = await visibleLines(page);
      await runCommand(page, 'Kernel Log: Fold Unreliable and Duplicate Entries');
      await activeEditor(page).locator('.margin-view-overlays .codicon-folding-collapsed').first().waitFor({ timeout: 10_000 });
      // Every noise line goes, also the run right after the register block (the line before it ends
      // the block's range, so the client makes a range of its own there).
      await waitFor('every ? line of seed.log hidden', async () => noise(await visibleLines(page)) === 0, 10_000).catch(() => {});
      const afterFold = await visibleLines(page);
      assert.ok(noise(before) > 0);
      assert.deepEqual(
        afterFold.filter((l) => /\] \? /.test(l)),
        [],
        `noise lines ${noise(before)} → ${noise(afterFold)}`,
      );
      for (const reliable of ['copy_to_user_zeroed+0x2b/0x40', 'stat_ioctl+0x60/0x90', 'do_vfs_ioctl+0x97/0x5f0']) {
        assert.ok(
          afterFold.some((l) => l.includes(reliable)),
          `${reliable} must stay visible`,
        );
      }
      await screenshot(page, '04-folded-noise');
      await runCommand(page, 'Unfold All');

      // crash.log: runs right after `Call Trace:`-like lines where another range starts (`<EOI>`,
      // `<TASK>`): their first line goes too, the line before stays.
      await openFile(page, 'crash.log');
      await runCommand(page, 'Kernel Log: Fold Unreliable and Duplicate Entries');
      await activeEditor(page).locator('.margin-view-overlays .codicon-folding-collapsed').first().waitFor({ timeout: 10_000 });
      for (const [key, anchor] of [
        ['Control+Home', '<EOI>'],
        ['Control+End', '<TASK>'],
      ] as const) {
        await page.keyboard.press(key);
        await waitFor(
          `crash.log: no ? line shown around ${anchor}`,
          async () => {
            const shown = await visibleLines(page);
            return shown.some((l) => l.includes(anchor)) && noise(shown) === 0;
          },
          10_000,
        ).catch(() => {});
        const shown = await visibleLines(page);
        assert.ok(
          shown.some((l) => l.includes(anchor)),
          `${anchor} stays visible`,
        );
        assert.deepEqual(
          shown.filter((l) => /\] \? /.test(l)),
          [],
          `crash.log around ${anchor}`,
        );
      }
      await screenshot(page, '04-folded-noise-task');
      await runCommand(page, 'Unfold All');
    }),
  );

  it('Inspect Editor Tokens shows the grammar scopes, also in a file left in the `log` language', { timeout: 120_000 }, () =>
    scenario('05-token-scopes', async () => {
      await openFile(page, 'crash.log');
      await closePanel();
      await goToLine(page, 38);
      for (const [line, sub] of [
        ['RIP: 0010:[<ffffffff8127c5a2>]', 'RIP:'],
        ['RSP: 0018:ffff880036a3fd30', 'RSP:'],
        ['<EOI>', '<EOI>'],
      ] as const) {
        const scopes = await inspectScopes(line, sub.slice(0, 2));
        assert.ok(scopes.includes('text.kernel-log'), `${sub}: ${scopes.join(' ')}`);
        assert.ok(
          scopes.some((s) => s !== 'text.kernel-log' && s.endsWith('.kernel-log')),
          `${sub} has no kernel-log token scope: ${scopes.join(' ')}`,
        );
      }
      await screenshot(page, '05-token-scopes-kernel-log');

      // In the folder where kernelLog.detectInLogFiles is false, the file stays `log`, and the
      // injection grammar still marks the kernel tokens.
      await openFile(page, 'left-as-log.log');
      await expectLanguage('Log');
      await goToLine(page, 38);
      for (const [line, sub] of [
        ['RIP: 0010:[<ffffffff8127c5a2>]', 'RIP:'],
        ['RSP: 0018:ffff880036a3fd30', 'RSP:'],
        ['<EOI>', '<EOI>'],
      ] as const) {
        const scopes = await inspectScopes(line, sub.slice(0, 2));
        assert.ok(scopes.includes('text.log'), `${sub}: ${scopes.join(' ')}`);
        assert.ok(
          scopes.some((s) => s.endsWith('.kernel-log')),
          `${sub} has no injected kernel-log scope: ${scopes.join(' ')}`,
        );
      }
      const p = await textPoint(page, '<EOI>', '<EOI>');
      await page.mouse.click(p.x, p.y);
      await runCommand(page, 'Developer: Inspect Editor Tokens and Scopes');
      await page.locator('.token-inspect-widget').waitFor({ state: 'visible' });
      await screenshot(page, '05-token-scopes-log');
      await page.keyboard.press('Escape');
      await expectLanguage('Log', 1000); // detection did not switch it meanwhile
    }),
  );

  it('field labels are coloured, not red, in the Light Modern, Dark Modern and High Contrast themes', { timeout: 180_000 }, () =>
    scenario('07-themes', async () => {
      await openFile(page, 'crash.log');
      await closePanel();
      await goToLine(page, 1);
      const labels = ['CPU', 'Tainted', 'task', 'RIP', 'RSP', 'Call Trace'];
      try {
        for (const [theme, shot, themeFile] of [
          ['Light Modern', 'light-modern', 'light_modern'],
          ['Dark Modern', 'dark-modern', 'dark_modern'],
          ['Dark High Contrast', 'high-contrast', 'hc_black'],
        ] as const) {
          // Preferences: Color Theme (Ctrl+K Ctrl+T), as a user picks one; the workbench then carries
          // the theme's id as a class.
          await closeQuickInput(page);
          await activeEditor(page).click({ position: { x: 600, y: 40 } });
          await page.keyboard.press('Control+K');
          await page.keyboard.press('Control+T');
          const input = page.locator('.quick-input-widget input');
          await input.waitFor({ state: 'visible', timeout: 5_000 }).catch(async () => {
            await page.keyboard.press('F1');
            await input.fill('>Preferences: Color Theme');
            await page
              .locator('.quick-input-list .monaco-list-row', { hasText: /^Preferences: Color Theme/ })
              .first()
              .click();
          });
          await page.locator('.quick-input-list .monaco-list-row', { hasText: theme }).first().waitFor({ timeout: 10_000 });
          await input.fill(theme);
          await page.locator('.quick-input-list .monaco-list-row.focused', { hasText: theme }).waitFor({ timeout: 10_000 });
          await page.keyboard.press('Enter');
          await page.locator(`.monaco-workbench[class*="${themeFile}"]`).waitFor({ timeout: 20_000 });
          // The colour of each label's token as the editor draws it (the theme's CSS applied).
          let colours: Record<string, string> = {};
          await waitFor(
            `${theme}: the labels drawn`,
            async () => {
              colours = await activeEditor(page)
                .locator('.view-lines')
                .evaluate(
                  (el: any, names: string[]) =>
                    Object.fromEntries(
                      names.map((n) => {
                        const span = [...(el.querySelectorAll('.view-line span span') as any[])].find((s: any) => s.textContent.replace(/\u00a0/g, ' ') === n);
                        return [n, span ? (globalThis as any).getComputedStyle(span).color : ''];
                      }),
                    ),
                  labels,
                );
              return labels.every((l) => colours[l]);
            },
            10_000,
          ).catch(() => {});
          log(`${theme}: ${labels.map((l) => `${l} ${colours[l] || 'not shown'}`).join(', ')}`);
          for (const l of labels) {
            const m = /rgba?\((\d+), (\d+), (\d+)/.exec(colours[l] ?? '');
            assert.ok(m, `${theme}: ${l} not drawn (${colours[l]})`);
            const [r, g, b] = m.slice(1).map(Number);
            assert.ok(!(r > 150 && r > 2 * g && r > 2 * b), `${theme}: ${l} is red (${colours[l]})`);
          }
          assert.equal(new Set(labels.map((l) => colours[l])).size, 1, `${theme}: labels alike ${JSON.stringify(colours)}`);
          const box = await page.locator('.part.editor').boundingBox();
          await page.screenshot({ path: join(resultsDir, `${shot}.png`), clip: box ?? undefined }).catch(() => {});
        }
      } finally {
        session.setUserSettings({ 'workbench.colorTheme': undefined });
        await closeQuickInput(page);
      }
    }),
  );

  it("the extension's Details page shows the user README packaged in the .vsix", { timeout: 120_000 }, () =>
    scenario('08-details', async () => {
      await runCommand(page, 'Extensions: Show Installed Extensions');
      const entry = page.locator('.extensions-viewlet .monaco-list-row', { hasText: 'Kernel Crash Log' }).first();
      await entry.waitFor({ timeout: SLOW });
      await entry.click();
      await page.locator('.extension-editor').waitFor({ timeout: SLOW });
      // The README is in a webview: an iframe holding the active frame.
      let found: { text: string; images: { src: string; loaded: boolean }[] } | null = null;
      await waitFor(
        'the README in the Details page',
        async () => {
          for (const frame of page.frames()) {
            const r = await frame
              .evaluate(() => {
                const d = (globalThis as any).document;
                const text = d?.body?.innerText ?? '';
                if (!text.includes('Reads Linux kernel crash logs')) return null;
                return {
                  text,
                  images: [...d.querySelectorAll('img')].map((i: any) => ({
                    src: String(i.getAttribute('src') ?? ''),
                    loaded: i.complete && i.naturalWidth > 0,
                  })),
                };
              })
              .catch(() => null);
            if (r) found = r;
          }
          return found !== null;
        },
        SLOW,
      );
      const readme = found as unknown as { text: string; images: { src: string; loaded: boolean }[] };
      log(
        `Details page: ${readme.images.length} images: ${readme.images.map((i) => `${i.src || '(no src)'} ${i.loaded ? 'loaded' : 'not loaded'}`).join(', ')}`,
      );
      assert.match(readme.text, /Fold Unreliable and Duplicate Entries/);
      assert.doesNotMatch(readme.text, /npm ci|example\.invalid/);
      assert.ok(!readme.images.some((i) => i.src.includes('example.invalid')), 'no image from the placeholder host');
      await screenshot(page, '08-details-readme');
      await page.keyboard.press('Control+W');
    }),
  );

  it('a 20 MB log opens and shows its findings while the UI stays responsive', { timeout: 300_000 }, () =>
    scenario('06-large-log', async () => {
      await closePanel();
      const t0 = Date.now();
      // Measured, not asserted: when the first and the complete diagnostics reach the status bar.
      let firstAt = 0;
      let shownAt = 0;
      let polling = true;
      const firstDiagnostics = (async () => {
        while (polling && firstAt === 0) {
          const text = await kernelStatus()
            .innerText()
            .catch(() => '');
          if (/\b[1-9]\d* reports?, [1-9]\d* findings?\b/.test(text)) firstAt = Date.now();
          else await new Promise((r) => setTimeout(r, 50));
        }
      })();
      await openFile(page, 'large.log');
      shownAt = Date.now();
      log(`large.log editor shown: ${shownAt - t0} ms`);
      // While the log is being analysed, the command palette still answers typing.
      const t1 = Date.now();
      await page.keyboard.press('F1');
      const input = page.locator('.quick-input-widget input');
      await input.waitFor({ state: 'visible', timeout: 10_000 });
      await input.pressSequentially('>Kernel Log: Restart', { delay: 20 });
      await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Restart Language Server' }).first().waitFor({ timeout: 10_000 });
      const paletteMs = Date.now() - t1;
      log(`command palette answered while loading: ${paletteMs} ms`);
      await closeQuickInput(page);
      await expectLanguage('Kernel Log');
      // Each copy holds two reports, and all of them must be found.
      let reports = 0;
      await waitFor(
        `status bar "${2 * largeCopies} reports"`,
        async () => {
          const m = /\b(\d+) reports, ([1-9]\d*) findings\b/.exec(await kernelStatus().innerText());
          reports = m ? Number(m[1]) : 0;
          return reports === 2 * largeCopies;
        },
        240_000,
        250,
      );
      const completeAt = Date.now();
      polling = false;
      await firstDiagnostics;
      log(`large.log: ${await kernelStatus().innerText()}`);
      log(`large.log analysed: ${completeAt - t0} ms`);
      log(
        `large.log first diagnostics: ${firstAt ? `${firstAt - t0} ms after opening, ${firstAt - shownAt} ms after the editor showed it` : 'not seen before the complete ones'}`,
      );
      log(`large.log complete diagnostics: ${completeAt - t0} ms after opening, ${completeAt - shownAt} ms after the editor showed it`);
      // A line typed at the top, then (after VS Code has caught up with it: a new line at the top moves
      // every marker; 2 s were not enough under load) one keystroke that makes it a report's header: time from that
      // keystroke until the status bar counts the new report (the keystrokes before it each got their
      // own diagnostics too; VS Code types them one by one).
      await page.keyboard.press('Control+Home');
      await page.keyboard.insertText('UG: kernel NULL pointer dereference, address: 0000000000000008\n');
      await page.keyboard.press('ArrowUp');
      await page.keyboard.press('Home');
      await page.waitForTimeout(Number(process.env.KCRASH_E2E_SETTLE_MS ?? 8000)); // the keystrokes above are analysed and shown
      const t3 = Date.now();
      await page.keyboard.type('B');
      await waitFor(
        'the typed report counted',
        async () => new RegExp(`\\b${2 * largeCopies + 1} reports\\b`).test(await kernelStatus().innerText()),
        30_000,
        10,
      );
      log(`large.log a keystroke that adds a report → updated diagnostics: ${Date.now() - t3} ms`);
      await page.keyboard.press('Control+z');
      await waitFor('the typed report gone', async () => new RegExp(`\\b${2 * largeCopies} reports\\b`).test(await kernelStatus().innerText()), 30_000, 20);
      // Still responsive afterwards: a frame renders promptly and typing in the editor works.
      const t2 = Date.now();
      await page.evaluate(() => new Promise((r) => (globalThis as any).requestAnimationFrame(() => r(null))));
      assert.ok(Date.now() - t2 < 2000, `a frame took ${Date.now() - t2} ms`);
      await activeEditor(page).locator('.squiggly-warning').first().waitFor({ timeout: SLOW });
    }),
  );
});

/**
 * Opens the quick-fix menu (Ctrl+.) at the cursor and returns its row holding `text`. A loaded
 * machine sometimes loses the first key press or answers after the menu has shown its first
 * list: the menu is closed and asked for again, up to three times.
 */
async function quickFixRow(page: Page, text: string): Promise<Locator> {
  const row = page.locator('.action-widget .monaco-list-row', { hasText: text }).first();
  for (let attempt = 1; ; attempt++) {
    await page.keyboard.press('Control+.');
    try {
      await row.waitFor({ timeout: 7_000 });
      return row;
    } catch (err) {
      if (attempt === 3) throw err;
      await page.keyboard.press('Escape');
    }
  }
}
