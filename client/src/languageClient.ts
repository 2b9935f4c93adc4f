/**
 * The language client: starts dist/server.js over IPC for `kernel-log` documents.
 *
 * Loaded lazily (extension.ts imports it with `import()` when the first kernel-log document is
 * there): vscode-languageclient and the protocol package are most of dist/client.js, and the
 * extension also activates for every `log`/plain-text file, most of which are no kernel logs.
 * Only this module may import values from vscode-languageclient or the message types of
 * server/src/protocol/protocol.ts; the others import types only (and plain values from
 * server/src/protocol/codes.ts, through ./protocol).
 */
import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import {
  ClientCommands,
  Commands,
  NoiseRangesRequest,
  StatusNotification,
  SymbolStatusNotification,
  WorkspaceTrustNotification,
  type NoiseRange,
} from '../../server/src/protocol/protocol.ts';
import { KERNEL_LOG_LANGUAGE } from './autoDetect';
import type { StatusBar } from './statusBar';

/** The server command run through workspace/executeCommand with arguments `[uri]`. */
const RemoveAllDuplicatesCommand = Commands.removeAllDuplicates;

export interface ClientParts {
  output: vscode.LogOutputChannel;
  traceOutput: vscode.LogOutputChannel;
  statusBar: StatusBar;
}

export function createLanguageClient(context: vscode.ExtensionContext, parts: ClientParts): LanguageClient {
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
    outputChannel: parts.output,
    traceOutputChannel: parts.traceOutput,
    synchronize: { configurationSection: 'kernelLog' },
    // The hide quick fixes carry a command that this client runs itself (commands.ts).
    // External symbolizer processes (llvm-symbolizer, addr2line) run only in trusted workspaces.
    // Each diagnostic code links (codeDescription) to its section of the packaged docs/findings.md.
    initializationOptions: {
      clientCommands: [ClientCommands.foldLines],
      trustedWorkspace: vscode.workspace.isTrusted,
      findingsDocs: vscode.Uri.joinPath(context.extensionUri, 'docs', 'findings.md').toString(),
    },
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
  context.subscriptions.push(
    languageClient.onNotification(StatusNotification.type, (params) => parts.statusBar.update(params)),
    languageClient.onNotification(SymbolStatusNotification.type, (params) => parts.statusBar.updateSymbols(params)),
    vscode.workspace.onDidGrantWorkspaceTrust(() => {
      if (languageClient.isRunning()) void languageClient.sendNotification(WorkspaceTrustNotification.type, { trusted: true });
    }),
  );
  return languageClient;
}

export async function startLanguageClient(context: vscode.ExtensionContext, languageClient: LanguageClient, output: vscode.LogOutputChannel): Promise<void> {
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
    context.subscriptions.push(
      vscode.commands.registerCommand(RemoveAllDuplicatesCommand, async (uri?: string) => {
        const target = uri ?? activeKernelLogUri();
        if (!target) return;
        await languageClient.sendRequest('workspace/executeCommand', { command: RemoveAllDuplicatesCommand, arguments: [target] });
      }),
    );
  }
}

/** kernelLog/noiseRanges for a document (the server must be running). */
export function requestNoiseRanges(languageClient: LanguageClient, uri: string): Promise<NoiseRange[]> {
  return languageClient.sendRequest(NoiseRangesRequest.type, { textDocument: { uri } });
}

function activeKernelLogUri(): string | undefined {
  const doc = vscode.window.activeTextEditor?.document;
  if (doc && doc.languageId === KERNEL_LOG_LANGUAGE) return doc.uri.toString();
  void vscode.window.showInformationMessage('Open a Kernel Log document first.');
  return undefined;
}
