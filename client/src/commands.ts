/**
 * The client-side commands: fold noise, hide lines (run by the server's "Hide ..." quick fixes),
 * restart the server, show the output. (The server's `kernelLog.removeAllDuplicates` is registered
 * by the language client, see extension.ts.)
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { KERNEL_LOG_LANGUAGE } from './autoDetect';
import { FOLD_LINES_COMMAND, type FoldLinesParams, type LinesToHide, type NoiseRange } from './protocol';
import type { StatusBar } from './statusBar';

export interface CommandContext {
  /** The language client, once `ensureStarted` has created it (it is loaded lazily). */
  client: () => LanguageClient | undefined;
  output: vscode.LogOutputChannel;
  statusBar: StatusBar;
  /** Starts the language server if it is not started yet. */
  ensureStarted: () => Promise<void>;
  /** Sends kernelLog/noiseRanges for a document to a running server. */
  noiseRanges: (client: LanguageClient, uri: string) => Promise<NoiseRange[]>;
}

export function registerCommands(context: vscode.ExtensionContext, ctx: CommandContext): void {
  context.subscriptions.push(
    vscode.commands.registerCommand('kernelLog.foldNoise', () => foldNoise(ctx)),
    vscode.commands.registerCommand(FOLD_LINES_COMMAND, (params?: FoldLinesParams) => foldLines(params)),
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
    vscode.commands.registerCommand('kernelLog.chooseSymbolFile', () => chooseSymbolFile()),
  );
}

/**
 * Lets the user pick a vmlinux, System.map / kallsyms dump, module object or module folder, and
 * writes it to the matching setting of the active log's workspace folder (or the user settings
 * when the log is in none). The server reads the settings again and says in the status bar.
 */
async function chooseSymbolFile(): Promise<void> {
  const doc = vscode.window.activeTextEditor?.document;
  const folder = doc ? vscode.workspace.getWorkspaceFolder(doc.uri) : undefined;
  const picked = await vscode.window.showOpenDialog({
    title: 'Kernel Log: choose a vmlinux, System.map, module (.ko) or a folder of modules',
    canSelectFiles: true,
    canSelectFolders: true,
    canSelectMany: false,
    openLabel: 'Use for Symbols',
    defaultUri: folder?.uri ?? (doc?.uri.scheme === 'file' ? vscode.Uri.joinPath(doc.uri, '..') : undefined),
  });
  const uri = picked?.[0];
  if (!uri) return;
  const path = uri.fsPath;
  let isDir = false;
  try {
    isDir = (await vscode.workspace.fs.stat(uri)).type === vscode.FileType.Directory;
  } catch {
    void vscode.window.showErrorMessage(`Kernel Log: ${path} cannot be read.`);
    return;
  }
  const config = vscode.workspace.getConfiguration('kernelLog', folder?.uri ?? doc?.uri);
  const target = folder ? vscode.ConfigurationTarget.WorkspaceFolder : vscode.ConfigurationTarget.Global;
  const name = path.split(/[\\/]/).pop() ?? path;
  const key = symbolSettingFor(name, isDir);
  if (key === 'modulePaths') {
    const current = config.get<string[]>('modulePaths') ?? [];
    await config.update('modulePaths', current.includes(path) ? current : [...current, path], target);
  } else {
    await config.update(key, path, target);
  }
  void vscode.window.setStatusBarMessage(`Kernel Log: kernelLog.${key} set to ${path}`, 4000);
}

/** Which setting a picked file belongs to, by its name (the server checks the contents). */
export function symbolSettingFor(name: string, isDir: boolean): 'vmlinux' | 'systemMap' | 'modulePaths' {
  if (isDir || /\.ko(?:\.(?:xz|zst|gz))?$/.test(name)) return 'modulePaths';
  if (/^System\.map|kallsyms/i.test(name)) return 'systemMap';
  return 'vmlinux';
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
  const runs = await ctx.noiseRanges(client, uri);
  if (runs.length === 0) {
    void vscode.window.setStatusBarMessage('Kernel Log: no unreliable or duplicate entries to fold', 3000);
    return;
  }
  await hideLines(editor, runs);
}

/** ClientCommands.foldLines: hides the given lines of a document shown in an editor; the text is not edited. */
async function foldLines(params: FoldLinesParams | undefined): Promise<void> {
  if (!params || typeof params.uri !== 'string' || !Array.isArray(params.ranges)) return;
  const shown = (e: vscode.TextEditor | undefined) => e !== undefined && e.document.uri.toString() === params.uri;
  const active = vscode.window.activeTextEditor;
  const editor = shown(active) ? active! : vscode.window.visibleTextEditors.find(shown);
  if (!editor) return;
  if (editor !== active) await vscode.window.showTextDocument(editor.document, editor.viewColumn);
  await hideLines(editor, params.ranges);
}

/**
 * Folds the lines of each range under the line before it, which stays visible (VS Code hides the
 * lines after a folding range's first line). A range that one of the server's folding ranges hides
 * exactly is folded with `editor.fold` (which folds the innermost folding range at each given
 * line: the server's range starts on the line before the run). The others (another range starts
 * or ends on the line before them, so the server could offer none: VS Code keeps one range per
 * start line and drops one that starts on another's last line) become manual folding ranges from
 * the line before (`editor.createFoldingRangeFromSelection`, folded when made). VS Code's merge
 * (`FoldingRegions.sanitizeAndMerge`) lets such a user-defined range replace the range that starts
 * on the same line (a stack's `Call Trace:`) or ends on it (a register block); "Remove Manual
 * Folding Ranges" brings those back.
 */
export async function hideLines(editor: vscode.TextEditor, ranges: readonly LinesToHide[]): Promise<void> {
  const lineCount = editor.document.lineCount;
  const valid = ranges.filter(
    (r) => Number.isInteger(r.startLine) && Number.isInteger(r.endLine) && r.startLine >= 1 && r.endLine >= r.startLine && r.endLine < lineCount,
  );
  const exact = valid.filter((r) => r.fold && r.fold.startLine === r.startLine - 1 && r.fold.endLine === r.endLine);
  const manual = valid.filter((r) => !exact.includes(r));
  if (exact.length > 0) {
    await vscode.commands.executeCommand('editor.fold', { levels: 1, direction: 'up', selectionLines: exact.map((r) => r.startLine - 1) });
  }
  if (manual.length > 0) {
    editor.selections = manual.map((r) => {
      // The command drops a last line selected up to column 1: end the selection at the line's end.
      const end = editor.document.lineAt(r.endLine);
      const endPos = end.text.length > 0 || r.endLine + 1 >= lineCount ? end.range.end : new vscode.Position(r.endLine + 1, 0);
      return new vscode.Selection(new vscode.Position(r.startLine - 1, 0), endPos);
    });
    await vscode.commands.executeCommand('editor.createFoldingRangeFromSelection');
  }
}
