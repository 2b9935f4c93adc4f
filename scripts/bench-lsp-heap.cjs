// Preloaded into the language server by scripts/bench-lsp.mjs (node --expose-gc -r this file): on
// SIGUSR2 the server collects garbage fully and prints its heap and RSS as one line on stderr. The
// server's own code has no benchmark hooks.
process.on('SIGUSR2', () => {
  globalThis.gc?.();
  globalThis.gc?.();
  const m = process.memoryUsage();
  process.stderr.write(`KCRASH_HEAP ${JSON.stringify({ heapUsed: m.heapUsed, rss: m.rss, external: m.external, arrayBuffers: m.arrayBuffers })}\n`);
});
