/**
 * Activation benchmark in a real VS Code (code-server + headless Chromium, the e2e harness): each
 * run starts a fresh code-server with the packaged .vsix installed, opens a kernel log
 * (`bench.dmesg`, language `kernel-log` by its extension, so the activation event is
 * `onLanguage:kernel-log`), and reads the activation times VS Code itself records for the
 * extension (ExtHostExtensionService's ActivationTimes, no instrumentation in the extension):
 *   - "Developer: Show Running Extensions": `Activation: N ms` = load code + call activate();
 *   - "Developer: Startup Performance", table "Extension Activation Stats": Load Code (require of
 *     dist/client.js), Call Activate (the synchronous part of activate(), up to the promise it
 *     returns) and Finish Activate (until that promise resolves: with a kernel-log document open,
 *     this includes starting the language server).
 * The activation event comes from the table and from the extension host log
 * (`ExtensionService#_doActivateExtension ...`).
 *
 * Usage (scripts/bench-activation.mjs packages the .vsix once and runs this):
 *   KCRASH_E2E_VSIX=dist/kernel-crash-log.vsix node --import tsx test/e2e/bench-activation.ts [--runs 5] [--file bench.dmesg]
 * Prints `# ...` progress lines and, last, one JSON line `{"runs":[...]}`.
 */
import { copyFileSync, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Page } from 'playwright-core';
import {
  SLOW,
  activeEditor,
  closeQuickInput,
  fixturesDir,
  openFile,
  runCommand,
  screenshot,
  startSession,
  visibleLines,
  waitFor,
  type Session,
} from './harness.ts';

const EXTENSION_ID = 'kernel-crash-log.kernel-crash-log';
const args = process.argv.slice(2);
const option = (name: string, fallback: string): string => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] ? args[i + 1] : fallback;
};
const RUNS = Number(option('--runs', '5'));
const FILE = option('--file', 'bench.dmesg');
const log = (msg: string) => console.log(`# ${msg}`);

export interface ActivationRun {
  /** "Activation: N ms" of the Running Extensions view (load code + call activate). */
  runningExtensionsMs: number;
  /** From the Startup Performance table. */
  loadCodeMs: number;
  callActivateMs: number;
  finishActivateMs: number;
  eager: boolean;
  event: string;
  /** The extension host log line for the activation, if found. */
  exthostLog?: string;
}

/** The Running Extensions view's "Activation: N ms" (or "Startup Activation: N ms") for us. */
async function runningExtensionsMs(page: Page): Promise<number> {
  await runCommand(page, 'Developer: Show Running Extensions');
  const list = page.locator('.runtime-extensions-editor .monaco-list').first();
  await list.waitFor({ timeout: SLOW });
  // The list is virtual, sorted by activation time (slowest first): scroll until our row renders.
  const row = list.locator('.monaco-list-row', { has: page.locator('.name', { hasText: /^Kernel Crash Log$|^kernel-crash-log\.kernel-crash-log$/ }) }).first();
  let ms = NaN;
  await waitFor(
    '"Activation: N ms" of Kernel Crash Log in Running Extensions',
    async () => {
      if (!(await row.isVisible())) {
        await list.hover();
        await page.mouse.wheel(0, 200);
        return false;
      }
      const m = /Activation: (\d+(?:\.\d+)?)\s*ms/.exec(await row.locator('.activation-time').innerText());
      if (m) ms = Number(m[1]);
      return !!m;
    },
    SLOW,
    200,
  );
  return ms;
}

/** Closes the Running Extensions editor (code-server shows it as a modal editor). */
async function closeRunningExtensions(page: Page): Promise<void> {
  const view = page.locator('.runtime-extensions-editor').first();
  await page.keyboard.press('Escape');
  if (await view.isVisible()) {
    await waitFor(
      'Running Extensions closed',
      async () => {
        if (!(await view.isVisible())) return true;
        await runCommand(page, 'View: Close Editor');
        return false;
      },
      15_000,
      500,
    );
  }
}

/** The row of "Extension Activation Stats" in "Developer: Startup Performance". */
async function startupPerformanceRow(page: Page): Promise<Omit<ActivationRun, 'runningExtensionsMs' | 'exthostLog'>> {
  await runCommand(page, 'Developer: Startup Performance');
  await page.locator('.tab.active', { hasText: 'Startup Performance' }).waitFor({ timeout: SLOW });
  // The text is filled in asynchronously; find our row with the find widget (reveals the line).
  await waitFor('the Extension Activation Stats table', async () => (await visibleLines(page)).some((l) => /System Info|Startup Performance/.test(l)), SLOW);
  await activeEditor(page).click({ position: { x: 200, y: 50 } });
  await page.keyboard.press('Control+F');
  const findInput = page.locator('.find-widget textarea, .find-widget input').first();
  await findInput.waitFor({ state: 'visible' });
  await findInput.fill(EXTENSION_ID);
  const rowPattern = new RegExp(`^\\|\\s*${EXTENSION_ID.replace(/\./g, '\\.')}\\s*\\|\\s*(true|false)\\s*\\|`);
  let cells: string[] = [];
  await waitFor(
    `the "${EXTENSION_ID}" row of Extension Activation Stats`,
    async () => {
      await page.keyboard.press('Enter');
      const line = (await visibleLines(page)).find((l) => rowPattern.test(l));
      if (!line) return false;
      cells = line
        .split('|')
        .map((c) => c.trim())
        .filter((c, i, a) => !(c === '' && (i === 0 || i === a.length - 1)));
      return cells.length >= 6;
    },
    SLOW,
    250,
  );
  await page.keyboard.press('Escape');
  // Columns: Extension | Eager | Load Code | Call Activate | Finish Activate | Event | By
  return {
    eager: cells[1] === 'true',
    loadCodeMs: Number(cells[2]),
    callActivateMs: Number(cells[3]),
    finishActivateMs: Number(cells[4]),
    event: cells[5],
  };
}

/** The `ExtensionService#_doActivateExtension <id>, ...` line of the extension host log. */
function exthostLogLine(session: Session): string | undefined {
  const logsDir = join(dirname(session.workspaceDir), 'user', 'logs');
  const found: string[] = [];
  const walk = (dir: string) => {
    if (!existsSync(dir)) return;
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith('.log')) {
        for (const line of readFileSync(p, 'utf8').split('\n')) {
          if (line.includes(`_doActivateExtension ${EXTENSION_ID}`)) found.push(`${name}: ${line.trim()}`);
        }
      }
    }
  };
  walk(logsDir);
  return found[0];
}

async function oneRun(i: number): Promise<ActivationRun> {
  const t0 = Date.now();
  const session = await startSession({
    log: (m) => log(`run ${i}: ${m}`),
    prepare: ({ mainDir }) => copyFileSync(join(fixturesDir, 'crash.log'), join(mainDir, FILE)),
  });
  const { page } = session;
  try {
    await openFile(page, FILE);
    await waitFor('language mode "Kernel Log"', async () => (await page.locator('#status\\.editor\\.mode').innerText()).trim() === 'Kernel Log', SLOW);
    // The server has started and analysed the file: activate()'s promise has resolved.
    await page
      .locator('.statusbar-item', { hasText: /\d+ reports?, \d+ findings?/ })
      .first()
      .waitFor({ timeout: SLOW });
    const running = await runningExtensionsMs(page);
    await screenshot(page, `bench-activation-running-extensions-${i}`);
    await closeRunningExtensions(page);
    const perf = await startupPerformanceRow(page);
    await closeQuickInput(page);
    const run: ActivationRun = { runningExtensionsMs: running, ...perf, exthostLog: exthostLogLine(session) };
    log(
      `run ${i}: Running Extensions "Activation: ${running}ms"; load code ${perf.loadCodeMs} ms, call activate ${perf.callActivateMs} ms, ` +
        `finish activate ${perf.finishActivateMs} ms; event ${perf.event}${perf.eager ? ' (eager)' : ''}; ${Date.now() - t0} ms in all`,
    );
    if (run.exthostLog) log(`run ${i}: ${run.exthostLog}`);
    return run;
  } catch (err) {
    await screenshot(page, `bench-activation-failed-${i}`);
    throw err;
  } finally {
    await session.close();
  }
}

async function main(): Promise<void> {
  const runs: ActivationRun[] = [];
  for (let i = 1; i <= RUNS; i++) runs.push(await oneRun(i));
  console.log(JSON.stringify({ runs }));
}

// (No top-level await: tsx loads this package's .ts files as CommonJS.)
main().catch((err) => {
  console.error(err);
  process.exit(1);
});
