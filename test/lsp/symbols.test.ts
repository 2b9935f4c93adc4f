// Hover symbolization, go to definition and the symbol status over real LSP stdio, against the bundled
// server (its symbolizer runs in dist/symbolizerWorker.js), on real logs of Debian's 6.1.0-56 with
// our module: the committed kcrash_test.ko and the real System.map (test/fixtures/real-debian/).
// The vmlinux is not in the repository, so kernel entries get their symbol and no source line here
// (test/debian/ checks them against the real vmlinux).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { DEFAULT_CAPABILITIES, fixture, hoverText, LspClient, positionAtText } from './client.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const REAL = path.join(ROOT, 'test/fixtures/real-debian');
const MODULE_SOURCE = path.join(ROOT, 'scripts/real-logs/module');
const uriOf = (name: string) => pathToFileURL(path.join(ROOT, 'test/fixtures', name)).href;

interface SymbolStatus {
  uri: string;
  status: {
    summary: string;
    matches: boolean | null;
    sources: { kind: string; path: string; ok: boolean | null; foundBy: string; release?: string | null; error?: string }[];
  };
}

describe('symbols over LSP: the real module and System.map', () => {
  let client: LspClient;
  before(async () => {
    client = await LspClient.start({
      settings: { systemMap: path.join(REAL, 'System.map-6.1.0-56-amd64'), modulePaths: [REAL], sourceRoot: MODULE_SOURCE, symbolizer: { external: 'off' } },
      capabilities: { ...DEFAULT_CAPABILITIES, window: { workDoneProgress: true } },
    });
  });
  after(async () => {
    assert.equal(await client.shutdown(), 0);
  });

  async function open(name: string): Promise<{ uri: string; text: string; status: SymbolStatus['status'] }> {
    const uri = uriOf(name);
    client.close(uri);
    const text = await fixture(name);
    const status = client.waitFor<SymbolStatus>('kernelLog/symbolStatus', (p) => p.uri === uri);
    client.open(uri, text, 1);
    return { uri, text, status: (await status).status };
  }
  const hover = (uri: string, text: string, needle: string, from = 0) =>
    client.request('textDocument/hover', { textDocument: { uri }, position: positionAtText(text, needle, 0, from) }).then(hoverText);

  it('hovers a module entry with its source line (address - 1), linked to the file under the source root', async () => {
    const { uri, text, status } = await open('real-debian-module-null-deref.log');
    assert.equal(status.summary, 'System.map · modules ✓');
    assert.deepEqual(
      status.sources.map((s) => [s.kind, s.ok, s.foundBy]),
      [
        ['system-map', true, 'setting'],
        ['modules', true, 'setting'],
        ['source-root', true, 'setting'],
      ],
    );
    assert.equal(status.matches, true, 'System.map-6.1.0-56-amd64 is for the release the log names');
    const md = await hover(uri, text, 'kcrash_null_middle.constprop.0+0xa');
    assert.match(md, /\*\*Source\*\* \(of the call: address − 1\)/);
    const link = pathToFileURL(path.join(MODULE_SOURCE, 'kcrash_test.c')).href;
    assert.ok(md.includes(`[\`/var/cache/kcrash-real/module/kcrash_test.c:46\`](${link}#L46)`), md);
    assert.match(md, /Symbol `kcrash_null_middle\.constprop\.0\+0xa\/0x10` in `kcrash_test`, looked up at \.text\+0x[0-9a-f]+ · `kcrash_test\.ko`/);
  });

  it('goes to the source line of an entry, and of the exact RIP', async () => {
    const { uri, text } = await open('real-debian-module-null-deref.log');
    const source = pathToFileURL(path.join(MODULE_SOURCE, 'kcrash_test.c')).href;
    const ret = await client.request<{ uri: string; range: { start: { line: number } } }[]>('textDocument/definition', {
      textDocument: { uri },
      position: positionAtText(text, 'kcrash_null_outer.constprop.0+0xa'),
    });
    assert.deepEqual(
      ret.map((l) => [l.uri, l.range.start.line + 1]),
      [[source, 52]],
    );
    const rip = await client.request<{ uri: string; range: { start: { line: number } } }[]>('textDocument/definition', {
      textDocument: { uri },
      position: positionAtText(text, 'kcrash_null_write.constprop.0+0xc'),
    });
    assert.equal(rip[0].uri, source);
    // A kernel entry: System.map gives the symbol, no source without a vmlinux.
    assert.equal(await client.request('textDocument/definition', { textDocument: { uri }, position: positionAtText(text, 'vfs_write+0xc7') }), null);
    assert.match(
      await hover(uri, text, 'vfs_write+0xc7'),
      /Symbol `vfs_write\+0xc7\/0x3f0`, looked up at 0xffffffff[0-9a-f]+ · `System\.map-6\.1\.0-56-amd64`[\s\S]*Source lines need a vmlinux/,
    );
  });

  it('from a duplicate entry, goes both to its twin in the log and to the source line', async () => {
    // The real log with a `? ` copy of an entry of its stack added after the entry below it.
    const real = await fixture('real-debian-module-null-deref.log');
    const below = '[    1.583470]  trigger_write+0x12f/0x199 [kcrash_test]\n';
    const text = real.replace(below, `${below}[    1.583470]  ? kcrash_null_middle.constprop.0+0xa/0x10 [kcrash_test]\n`);
    assert.notEqual(text, real);
    const uri = uriOf('real-debian-module-null-deref-with-duplicate.log');
    client.open(uri, text, 1);
    const { diagnostics } = await client.waitForDiagnostics(uri, 1);
    const at = positionAtText(text, '? kcrash_null_middle', 4);
    assert.ok(diagnostics.some((d) => d.code === 'duplicate-frame' && d.range.start.line === at.line));
    const locations = await client.request<{ uri: string; range: { start: { line: number } } }[]>('textDocument/definition', {
      textDocument: { uri },
      position: at,
    });
    client.close(uri);
    assert.deepEqual(
      locations.map((l) => [l.uri, l.range.start.line + 1]),
      [
        [uri, positionAtText(text, 'kcrash_null_middle').line + 1],
        [pathToFileURL(path.join(MODULE_SOURCE, 'kcrash_test.c')).href, 46],
      ],
    );
  });

  it('shows the inline chain of an exact RIP inside the module', async () => {
    const { uri, text } = await open('real-debian-module-warn-in-nmi.log');
    const md = await hover(uri, text, 'kcrash_nmi+0x1f', text.indexOf('RIP: 0010:kcrash_nmi'));
    assert.match(
      md,
      /\*\*Source\*\*\n\n- `kcrash_nmi` — \[`\/var\/cache\/kcrash-real\/module\/kcrash_test\.c:86`\]\([^)]+#L86\) \(inlined\)\n- `kcrash_nmi` — \[`\/var\/cache\/kcrash-real\/module\/kcrash_test\.c:82`\]/,
    );
  });

  it('says in the status and the hover when the files are for another release', async () => {
    client.settings = { ...client.settings, systemMap: path.join(REAL, 'System.map-6.1.0-56-amd64') };
    const uri = 'file:///elsewhere/other-release.log';
    const text = (await fixture('real-debian-module-null-deref.log')).replace(/6\.1\.0-56-amd64/g, '6.1.0-99-amd64');
    const status = client.waitFor<SymbolStatus>('kernelLog/symbolStatus', (p) => p.uri === uri);
    client.open(uri, text, 1);
    const s = (await status).status;
    assert.equal(s.matches, false);
    assert.equal(s.summary, 'System.map · modules: release differs');
    assert.match(await hover(uri, text, 'vfs_write+0xc7'), /⚠ System\.map-6\.1\.0-56-amd64 is not for 6\.1\.0-99-amd64/);
  });
});

describe('symbols over LSP: module build ids', () => {
  it("compares a module build id the log prints with the object's, in the status and the hover", async (t) => {
    const client = await LspClient.start({ settings: { modulePaths: [REAL], symbolizer: { external: 'off' } } });
    t.after(() => client.shutdown());
    const original = await fixture('real-debian-module-null-deref.log');
    for (const [id, fits] of [
      ['247cf8b49a0cd2c319339e1df37fc6274bd2eb2e', true],
      ['0123456789abcdef0123456789abcdef01234567', false],
    ] as const) {
      // As kernels with CONFIG_STACKTRACE_BUILD_ID print it: `[module build-id]`.
      const text = original.replaceAll('[kcrash_test]', `[kcrash_test ${id}]`);
      const uri = `file:///elsewhere/build-id-${fits}.log`;
      const status = client.waitFor<SymbolStatus>('kernelLog/symbolStatus', (p) => p.uri === uri);
      client.open(uri, text, 1);
      assert.equal((await status).status.matches, fits);
      const md = hoverText(
        await client.request('textDocument/hover', { textDocument: { uri }, position: positionAtText(text, 'kcrash_null_middle.constprop.0+0xa') }),
      );
      if (fits) assert.doesNotMatch(md, /⚠/);
      else
        assert.match(
          md,
          /⚠ kcrash_test\.ko has build id 247cf8b49a0cd2c319339e1df37fc6274bd2eb2e, the log 0123456789abcdef0123456789abcdef01234567: lines may be wrong/,
        );
    }
  });
});

describe('symbols over LSP: loading a vmlinux', () => {
  const gcc = !spawnSync('gcc', ['--version']).error;
  it('reports progress while the vmlinux loads, and the hover says when it has no debug info', { skip: gcc ? false : 'needs gcc' }, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kcrash-lsp-vmlinux-'));
    let client: LspClient | undefined;
    try {
      fs.writeFileSync(
        path.join(dir, 'k.c'),
        '__attribute__((noinline)) int vfs_write(int x) { return x * 3; }\nint main(int c, char **v) { (void)v; return vfs_write(c); }\n',
      );
      const r = spawnSync('gcc', ['-O2', '-s', '-o', 'vmlinux', 'k.c'], { cwd: dir, encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      const c = (client = await LspClient.start({
        settings: { vmlinux: path.join(dir, 'vmlinux'), symbolizer: { external: 'off' } },
        capabilities: { ...DEFAULT_CAPABILITIES, window: { workDoneProgress: true } },
      }));
      const uri = 'file:///elsewhere/sysrq.log';
      const text = await fixture('real-debian-sysrq-c.log');
      const status = c.waitFor<SymbolStatus>('kernelLog/symbolStatus', (p) => p.uri === uri);
      c.open(uri, text, 1);
      const s = (await status).status;
      // A stripped binary: no symbol table, said plainly.
      assert.equal(s.sources[0].ok, false);
      assert.match(s.sources[0].error ?? '', /has no symbol table \(stripped\): use the vmlinux from the -dbg package/);
      assert.ok(
        c.serverRequests.some((q) => q.method === 'window/workDoneProgress/create'),
        'progress created',
      );
      // The progress is begun once the client answers its creation, so it may trail the status.
      const progress = () =>
        c.notifications.filter((n) => n.method === '$/progress').map((n) => (n.params as { value: { kind: string; message?: string } }).value);
      for (let i = 0; i < 100 && progress().length < 2; i++) await new Promise((r) => setTimeout(r, 50));
      assert.deepEqual(
        progress().map((v) => v.kind),
        ['begin', 'end'],
      );
      assert.match(progress()[0].message ?? '', /Loading symbols from vmlinux/);
      const md = hoverText(await c.request('textDocument/hover', { textDocument: { uri }, position: positionAtText(text, 'dump_stack_lvl+0x') }));
      assert.match(md, /has no symbol table \(stripped\)/);
    } finally {
      // Also when an assertion failed: a server left running would hold the test run open.
      if (client) assert.equal(await client.shutdown(), 0);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('symbols over LSP: nothing configured', () => {
  it('says "no symbols" and hovers without a source section', async (t) => {
    const client = await LspClient.start();
    t.after(() => client.shutdown());
    const uri = 'file:///nowhere/seed.log';
    const text = await fixture('lsp-seed-pt-regs.log');
    const status = client.waitFor<SymbolStatus>('kernelLog/symbolStatus', (p) => p.uri === uri);
    client.open(uri, text, 1);
    assert.equal((await status).status.summary, 'no symbols');
    const md = hoverText(await client.request('textDocument/hover', { textDocument: { uri }, position: positionAtText(text, 'lookup_fast+0x3d0') }));
    assert.doesNotMatch(md, /\*\*Source\*\*/);
    // No source: only the log's own place (this `? ` entry repeats the RIP line), no file.
    const definitions = await client.request<{ uri: string }[]>('textDocument/definition', {
      textDocument: { uri },
      position: positionAtText(text, 'lookup_fast+0x3d0'),
    });
    assert.deepEqual(
      definitions.map((d) => d.uri),
      [uri],
    );
    assert.equal(await client.request('textDocument/definition', { textDocument: { uri }, position: positionAtText(text, 'filename_lookup+0xb1') }), null);
  });
});
