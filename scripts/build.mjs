// Bundles the entry points into dist/: the VS Code client (vscode stays external), and the
// self-contained language server, and the CLI (which loads dist/server.js for `kcrash lsp`).
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { build } from 'esbuild';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

// The CLI's `lsp` command loads the language server's entry (server/src/main.ts) from dist/server.js
// (shipped beside it) instead of a second copy inside dist/cli.js: every `kcrash decode` compiles the
// whole bundle at start, and the server half (vscode-languageserver and friends) is more than half of it.
const serverBesideCli = {
  name: 'server-beside-cli',
  setup(b) {
    b.onResolve({ filter: /^\.\/main\.ts$/ }, (args) => (/[\\/]cli\.ts$/.test(args.importer) ? { path: './server.js', external: true } : undefined));
  },
};
// The x86 disassembler (iced-x86: ~0.9 MB of JavaScript and ~0.8 MB of WebAssembly, ~70-190 ms to
// load and compile) stays out of the server's bundle: dist/iced_x86.js and its dist/iced_x86_bg.wasm
// (which it reads from its own directory) are copied beside it and required on the first `Code:`
// hover only (server/src/disasm/x86.ts), so starting the server never reads them.
const icedBesideServer = {
  name: 'iced-beside-server',
  setup(b) {
    b.onResolve({ filter: /^iced-x86$/ }, () => ({ path: './iced_x86.js', external: true }));
  },
};
// KCRASH_VERSION: the server's version in its initialize result (server/src/server.ts).
const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node18',
  sourcemap: false,
  logLevel: 'warning',
  define: { KCRASH_VERSION: JSON.stringify(version) },
};
await Promise.all([
  // The client ships in the .vsix: minified (the server and CLI keep readable stack traces).
  build({ ...common, entryPoints: ['client/src/extension.ts'], outfile: 'dist/client.js', external: ['vscode'], minify: true }),
  // The server's entry file starts it; server/src/server.ts only exports.
  build({ ...common, entryPoints: ['server/src/main.ts'], outfile: 'dist/server.js', plugins: [icedBesideServer] }),
  // The symbolizer's worker thread, started by the server (server/src/symbolizer/symbolService.ts).
  build({ ...common, entryPoints: ['server/src/symbolizerWorker.ts'], outfile: 'dist/symbolizerWorker.js' }),
  build({ ...common, entryPoints: ['server/src/cli.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' }, plugins: [serverBesideCli] }),
]);
mkdirSync('dist', { recursive: true });
for (const file of ['iced_x86.js', 'iced_x86_bg.wasm']) copyFileSync(new URL(`../node_modules/iced-x86/${file}`, import.meta.url), `dist/${file}`);
// Its licence travels with it (MIT: the notice must ship with copies).
copyFileSync(new URL('../node_modules/iced-x86/LICENSE.txt', import.meta.url), 'dist/iced_x86.LICENSE.txt');
