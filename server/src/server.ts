// Placeholder until the language server lands.
export function startServer(): void {
  process.stderr.write('kcrash lsp: not implemented yet\n');
}
