/**
 * The custom messages between the Kernel Log client and its language server, by name and shape.
 * The server (server/src/server.ts) must use exactly these method names and parameter shapes.
 */
import { NotificationType, RequestType } from 'vscode-languageclient/node';

/** Parameters of {@link StatusNotification}. */
export interface StatusParams {
  /** The analysed document. */
  uri: string;
  /** How many crash reports the document holds. */
  reports: number;
  /** How many findings (diagnostics before severity filtering) there are, per diagnostic code. */
  findingsByCode: Record<string, number>;
}

/** Sent by the server after each analysis of a document; the client shows it in the status bar. */
export namespace StatusNotification {
  export const method = 'kernelLog/status' as const;
  export const type = new NotificationType<StatusParams>(method);
}

/** A run of lines to fold, 0-based and inclusive. */
export interface NoiseRange {
  startLine: number;
  endLine: number;
}

/** Parameters of {@link NoiseRangesRequest}. */
export interface NoiseRangesParams {
  uri: string;
}

/** Result of {@link NoiseRangesRequest}. */
export interface NoiseRangesResult {
  ranges: NoiseRange[];
}

/**
 * Asked by the client for the command "Fold Unreliable and Duplicate Entries": the runs of
 * unreliable (`? `) and duplicate entries in a document. The client folds each range by its start
 * line, so the server's folding ranges must include a region starting at each `startLine`.
 */
export namespace NoiseRangesRequest {
  export const method = 'kernelLog/noiseRanges' as const;
  export const type = new RequestType<NoiseRangesParams, NoiseRangesResult, void>(method);
}

/** Server commands, run through workspace/executeCommand with arguments `[uri]`. */
export const RemoveAllDuplicatesCommand = 'kernelLog.removeAllDuplicates';

/** The diagnostic codes the server publishes, in display order. */
export const DiagnosticCodes = [
  'unreliable-frame',
  'duplicate-regs-ip',
  'duplicate-frame',
  'function-end-return',
  'corrupted-report',
] as const;
