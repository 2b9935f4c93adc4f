/**
 * What the client needs of the protocol with its language server, apart from the message types.
 * The protocol is declared once, in server/src/protocol/: the message types (built on
 * vscode-languageserver-protocol) in protocol.ts, imported as values by ./languageClient only,
 * which is loaded lazily; the plain values in codes.ts, which loads no package. This module takes
 * types from the first and values from the second only, so that importing it costs nothing at
 * activation.
 */
import { ClientCommands, FINDING_CODES } from '../../server/src/protocol/codes.ts';

export type { FindingCode } from '../../server/src/protocol/codes.ts';
export type { FoldLinesParams, LinesToHide, NoiseRange, StatusParams, SymbolStatusParams } from '../../server/src/protocol/protocol.ts';

/** The command the client runs for the server's "Hide ..." code actions. */
export const FOLD_LINES_COMMAND = ClientCommands.foldLines;

/** The diagnostic codes the server publishes, in display order (the server's rule table). */
export const DiagnosticCodes = FINDING_CODES;
