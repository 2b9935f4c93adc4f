/**
 * The client-side commands: fold noise, restart the server, show the output. (The server's
 * `kernelLog.removeAllDuplicates` is registered by the language client, see extension.ts.)
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { KERNEL_LOG_LANGUAGE } from './autoDetect';
import { foldRangeOf, type NoiseRange } from './protocol';
import type { StatusBar } from './statusBar';

export interface CommandContext {
  /** The language client, once `ensureStarted` has created it (it is loaded lazily). */
  client: () => LanguageClient | undefined;
  output: vscode.LogOutputChannel;
  statusBar: StatusBar;
  /** Starts the language server if it is not started yet. */
  ensureStarted: () => Promise<void>;
  /** Sends kernelLog/noiseRanges for a document to a running server. */
  noiseRanges: (client: LanguageClient, uri: string) => Promise<unknown>;
}

export function registerCommands(context: vscode.ExtensionContext, ctx: CommandContext): void {
  context.subscriptions.push(
    vscode.commands.registerCommand('kernelLog.foldNoise', () => foldNoise(ctx)),
    vscode.commands.registerCommand('kernelLog.restartServer', async () => {
      ctx.statusBar.clear();
      const client = ctx.client();
      if (!client?.needsStop()) {
        await ctx.ensureStarted();
        return;
      }
      ctx.output.info('Restarting the Kernel Log language server');
      await client.restart();
    }),
    vscode.commands.registerCommand('kernelLog.showOutput', () => ctx.output.show(true)),
  );
}

/** Folds exactly the runs of unreliable and duplicate entries that the server reports. */
async function foldNoise(ctx: CommandContext): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  if (!editor || editor.document.languageId !== KERNEL_LOG_LANGUAGE) {
    void vscode.window.showInformationMessage('Open a Kernel Log document first.');
    return;
  }
  await ctx.ensureStarted();
  const client = ctx.client();
  if (!client?.isRunning()) {
    void vscode.window.showWarningMessage('The Kernel Log language server is not running.');
    return;
  }
  const uri = editor.document.uri.toString();
  const result: unknown = await ctx.noiseRanges(client, uri);
  // The server answers NoiseRange[]; accept `{ ranges }` too (the first draft of the protocol).
  const runs = (Array.isArray(result) ? result : (result as { ranges?: NoiseRange[] } | null)?.ranges ?? []) as NoiseRange[];
  const foldable = runs.map(foldRangeOf).filter((r): r is { startLine: number; endLine: number } => r !== null);
  if (foldable.length === 0) {
    void vscode.window.setStatusBarMessage('Kernel Log: no unreliable or duplicate entries to fold', 3000);
    return;
  }
  // `editor.fold` folds the innermost folding region at each line; the server's folding ranges
  // hold each of these `fold` ranges (kind comment), starting on the line before the run.
  await vscode.commands.executeCommand('editor.fold', {
    levels: 1,
    direction: 'up',
    selectionLines: foldable.map((r) => r.startLine),
  });
}
