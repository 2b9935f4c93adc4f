/**
 * The custom messages between the Kernel Log client and its language server. They are declared
 * once, in server/src/service/protocol.ts (types only, plus vscode-languageserver-protocol's
 * message types, which the client bundles anyway); this module re-exports what the client uses.
 */
export {
  Commands,
  FIX_ALL_KIND,
  NoiseRangesRequest,
  StatusNotification,
  type NoiseRange,
  type StatusParams,
} from '../../server/src/service/protocol.ts';
import { Commands } from '../../server/src/service/protocol.ts';

/** The server command run through workspace/executeCommand with arguments `[uri]`. */
export const RemoveAllDuplicatesCommand = Commands.removeAllDuplicates;

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
