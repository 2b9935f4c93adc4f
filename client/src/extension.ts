/**
 * Entry point of the Kernel Log extension (bundled to dist/client.js).
 *
 * Wiring only: the analysis lives in the language server (dist/server.js), started over IPC for
 * documents in the `kernel-log` language. The client adds what needs VS Code's API: detection of
 * kernel crashes in `.log`/plain-text documents, a status bar item, and four commands.
 */
import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import { AutoDetector, KERNEL_LOG_LANGUAGE } from './autoDetect';
import { registerCommands } from './commands';
import { StatusNotification, RemoveAllDuplicatesCommand } from './protocol';
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

  const serverModule = context.asAbsolutePath('dist/server.js');
  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.ipc },
    debug: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6019'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', language: KERNEL_LOG_LANGUAGE },
      { scheme: 'untitled', language: KERNEL_LOG_LANGUAGE },
    ],
    outputChannel: output,
    traceOutputChannel: traceOutput,
    synchronize: { configurationSection: 'kernelLog' },
    middleware: {
      // From the command palette the command gets no arguments: give it the active document.
      executeCommand: (command, args, next) => {
        if (command === RemoveAllDuplicatesCommand && args.length === 0) {
          const doc = vscode.window.activeTextEditor?.document;
          if (!doc || doc.languageId !== KERNEL_LOG_LANGUAGE) {
            void vscode.window.showInformationMessage('Open a Kernel Log document first.');
            return undefined;
          }
          return next(command, [doc.uri.toString()]);
        }
        return next(command, args);
      },
    },
  };
  const languageClient = new LanguageClient('kernelLog', 'Kernel Log', serverOptions, clientOptions);
  client = languageClient;
  context.subscriptions.push(languageClient.onNotification(StatusNotification.type, (params) => statusBar.update(params)));

  // Start the server only when a kernel-log document is there: the extension also activates for
  // every `log`/plain-text file (to run the detection), and most of those are no kernel logs.
  let starting: Promise<void> | undefined;
  const ensureStarted = (): Promise<void> => {
    starting ??= startClient(context, languageClient, output);
    return starting;
  };
  context.subscriptions.push(vscode.workspace.onDidOpenTextDocument((doc) => {
    if (doc.languageId === KERNEL_LOG_LANGUAGE) void ensureStarted();
  }));
  registerCommands(context, { client: languageClient, output, statusBar, ensureStarted });
  detector.checkOpenDocuments();
  if (vscode.workspace.textDocuments.some((doc) => doc.languageId === KERNEL_LOG_LANGUAGE)) await ensureStarted();
}

async function startClient(context: vscode.ExtensionContext, languageClient: LanguageClient, output: vscode.LogOutputChannel): Promise<void> {
  try {
    await languageClient.start();
  } catch (err) {
    output.error(`The Kernel Log language server failed to start: ${String(err)}`);
    return;
  }
  // If the server does not declare the command itself (executeCommandProvider), the client
  // registers it here and forwards it with the active document's URI.
  const declared = languageClient.initializeResult?.capabilities.executeCommandProvider?.commands ?? [];
  if (!declared.includes(RemoveAllDuplicatesCommand)) {
    context.subscriptions.push(vscode.commands.registerCommand(RemoveAllDuplicatesCommand, async (uri?: string) => {
      const target = uri ?? activeKernelLogUri();
      if (!target) return;
      await languageClient.sendRequest('workspace/executeCommand', { command: RemoveAllDuplicatesCommand, arguments: [target] });
    }));
  }
}

function activeKernelLogUri(): string | undefined {
  const doc = vscode.window.activeTextEditor?.document;
  if (doc && doc.languageId === KERNEL_LOG_LANGUAGE) return doc.uri.toString();
  void vscode.window.showInformationMessage('Open a Kernel Log document first.');
  return undefined;
}

export async function deactivate(): Promise<void> {
  const c = client;
  client = undefined;
  if (c?.needsStop()) await c.stop();
}
