// The plain values of the protocol between the language server and its clients: diagnostic source
// and codes, code action and folding kinds, command names. Declared once for the server and the
// client, and free of vscode-languageserver-protocol (the message types are in ./protocol.ts), so
// that the VS Code client can import these at activation for nothing.
export { FINDING_CODES, type FindingCode } from '../analyzer/rules/index.ts';

/** `source` of every diagnostic, and the suffix of the fix-all code action kind. */
export const DIAGNOSTIC_SOURCE = 'kernel-log';

/**
 * Code action kind of "fix all": removes every duplicate entry in the file. Offered on save only
 * when `editor.codeActionsOnSave` names this kind (never for a plain `source.fixAll`).
 */
export const FIX_ALL_KIND = 'source.fixAll.kernel-log';

/** Folding range kind given to runs of unreliable and duplicate entries ("Fold All Block Comments" folds just those). */
export const NOISE_FOLDING_KIND = 'comment';

/** workspace/executeCommand commands the server implements. */
export namespace Commands {
  /**
   * Removes every duplicate entry in a document with one workspace/applyEdit (one undo step).
   * Arguments: `[uri]` or `[{ uri }]`. Returns RemoveAllDuplicatesResult. The VS Code client should
   * not register this command itself (vscode-languageclient does, from executeCommandProvider), but
   * add the active editor's uri in `middleware.executeCommand` when it is run from the palette.
   */
  export const removeAllDuplicates = 'kernelLog.removeAllDuplicates';
  /**
   * The command a code action with an edit becomes for a client without code action literals
   * (`textDocument.codeAction.codeActionLiteralSupport` absent): the server applies the edit with
   * workspace/applyEdit. Arguments: `[WorkspaceEdit]`. Offered in executeCommandProvider to such
   * clients only.
   */
  export const applyEdit = 'kernelLog.applyEdit';
}

/**
 * Commands the client runs itself (never sent to the server): code actions carry them as their
 * `command`. The server offers such actions only to a client that says it has them, in
 * `initializationOptions.clientCommands` (the VS Code client does; other editors get the edits only).
 */
export namespace ClientCommands {
  /**
   * Hides lines by folding them; the document is not edited. Arguments: `[FoldLinesParams]`.
   * Each range's lines are hidden under the line before them, which stays visible.
   */
  export const foldLines = 'kernelLog.foldLines';
}
