/**
 * Entry point of the Kernel Log extension (bundled to dist/client.js).
 *
 * Wiring only: the analysis lives in the language server (dist/server.js), started over IPC for
 * documents in the `kernel-log` language. The client adds what needs VS Code's API: detection of
 * kernel crashes in `.log`/plain-text documents, a status bar item, and four commands.
 *
 * Activation stays cheap (target <= 50 ms, `npm run bench:activation`): the language client
 * (./languageClient, with vscode-languageclient and the protocol package, most of the bundle) is
 * imported only when the first kernel-log document is there. Modules loaded here import types
 * only from those packages.
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { AutoDetector, KERNEL_LOG_LANGUAGE } from './autoDetect';
import { registerCommands } from './commands';
import { StatusBar } from './statusBar';
import { createTraceChannel } from './traceChannel';

let client: LanguageClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  // One log channel for the client and server messages; a second one for the LSP trace, whose
  // level follows the `kernelLog.trace.server` setting (read by LanguageClient from its id).
  const output = vscode.window.createOutputChannel('Kernel Log', { log: true });
  const traceOutput = createTraceChannel('Kernel Log Trace');
  context.subscriptions.push(output, traceOutput);

  const statusBar = new StatusBar();
  context.subscriptions.push(statusBar);

  const detector = new AutoDetector(output);
  context.subscriptions.push(detector);

  // Start the server only when a kernel-log document is there: the extension also activates for
  // every `log`/plain-text file (to run the detection), and most of those are no kernel logs.
  let starting: Promise<void> | undefined;
  const ensureStarted = (): Promise<void> => {
    starting ??= (async () => {
      let lsp: typeof import('./languageClient');
      try {
        lsp = await import('./languageClient');
      } catch (err) {
        output.error(`The Kernel Log language client failed to load: ${String(err)}`);
        return;
      }
      const languageClient = lsp.createLanguageClient(context, { output, traceOutput, statusBar });
      client = languageClient;
      await lsp.startLanguageClient(context, languageClient, output);
    })();
    return starting;
  };
  context.subscriptions.push(
    vscode.workspace.onDidOpenTextDocument((doc) => {
      if (doc.languageId === KERNEL_LOG_LANGUAGE) void ensureStarted();
    }),
  );
  registerCommands(context, {
    client: () => client,
    output,
    statusBar,
    ensureStarted,
    noiseRanges: async (languageClient, uri) => (await import('./languageClient')).requestNoiseRanges(languageClient, uri),
  });
  detector.checkOpenDocuments();
  if (vscode.workspace.textDocuments.some((doc) => doc.languageId === KERNEL_LOG_LANGUAGE)) await ensureStarted();
}

export async function deactivate(): Promise<void> {
  const c = client;
  client = undefined;
  if (c?.needsStop()) await c.stop();
}
