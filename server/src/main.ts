// Entry point of the language server bundle (dist/server.js): `node dist/server.js --stdio`, or
// --node-ipc as the VS Code client starts it, and `kcrash lsp --stdio` (dist/cli.js loads this
// bundle). Loading it starts the server; server.ts itself only exports.
import { startServer } from './server.ts';

startServer();
