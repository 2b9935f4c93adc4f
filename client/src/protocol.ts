/**
 * What the client needs of the protocol with its language server, apart from the message types.
 * The messages are declared once, in server/src/service/protocol.ts; their values (built on
 * vscode-languageserver-protocol) are imported by ./languageClient only, which is loaded lazily:
 * this module re-exports types only, so that importing it costs nothing at activation.
 */
export type { NoiseRange, StatusParams } from '../../server/src/service/protocol.ts';

/** The diagnostic codes the server publishes, in display order. */
export const DiagnosticCodes = [
  'unreliable-frame',
  'duplicate-regs-ip',
  'duplicate-frame',
  'function-end-return',
  'corrupted-report',
] as const;

/** Line ranges to fold for a noise run: the server's `fold` range when it has one. */
export function foldRangeOf(range: { startLine: number; endLine: number; fold?: { startLine: number; endLine: number } | null }): { startLine: number; endLine: number } | null {
  if (range.fold !== undefined) return range.fold && range.fold.endLine > range.fold.startLine ? range.fold : null;
  return range.endLine > range.startLine ? { startLine: range.startLine, endLine: range.endLine } : null;
}
