/**
 * What the client needs of the protocol with its language server, apart from the message types.
 * The messages are declared once, in server/src/service/protocol.ts; their values (built on
 * vscode-languageserver-protocol) are imported by ./languageClient only, which is loaded lazily:
 * this module re-exports types only, so that importing it costs nothing at activation.
 */
export type { FoldLinesParams, LinesToHide, NoiseRange, StatusParams, SymbolStatusParams } from '../../server/src/service/protocol.ts';

/**
 * The command the client runs for the server's "Hide ..." code actions (ClientCommands.foldLines of
 * the server's protocol; a value here, so that activation does not load the protocol package).
 */
export const FOLD_LINES_COMMAND = 'kernelLog.foldLines';

/** The diagnostic codes the server publishes, in display order. */
export const DiagnosticCodes = [
  'unreliable-frame',
  'duplicate-regs-ip',
  'duplicate-frame',
  'function-end-return',
  'corrupted-report',
] as const;
