/**
 * The "Kernel Log Trace" output channel, driven by the `kernelLog.trace.server` setting.
 *
 * vscode-languageclient 11 traces into a LogOutputChannel only while that channel's log level is
 * Trace, which users would have to set by hand ("Developer: Set Log Level…") on top of the setting.
 * This adapter reports level Trace exactly when `kernelLog.trace.server` is not `off`, so the
 * setting alone turns tracing on and off (the client reads the verbosity from it).
 */
import * as vscode from 'vscode';

const SECTION = 'kernelLog.trace.server';

export function createTraceChannel(name: string): vscode.LogOutputChannel {
  const channel = vscode.window.createOutputChannel(name);
  const levelChanged = new vscode.EventEmitter<vscode.LogLevel>();
  const level = (): vscode.LogLevel =>
    vscode.workspace.getConfiguration().get<string>(SECTION, 'off') === 'off' ? vscode.LogLevel.Off : vscode.LogLevel.Trace;
  const configListener = vscode.workspace.onDidChangeConfiguration((e) => {
    if (e.affectsConfiguration(SECTION)) levelChanged.fire(level());
  });
  const write =
    (tag: string) =>
    (message: string | Error, ...args: unknown[]): void => {
      const text = message instanceof Error ? (message.stack ?? message.message) : message;
      const extra = args.length ? ` ${args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ')}` : '';
      channel.appendLine(`${new Date().toISOString()} [${tag}] ${text}${extra}`);
    };
  return {
    name: channel.name,
    get logLevel() {
      return level();
    },
    onDidChangeLogLevel: levelChanged.event,
    trace: write('trace'),
    debug: write('debug'),
    info: write('info'),
    warn: write('warning'),
    error: write('error'),
    append: (value: string) => channel.append(value),
    appendLine: (value: string) => channel.appendLine(value),
    replace: (value: string) => channel.replace(value),
    clear: () => channel.clear(),
    show: (columnOrPreserve?: vscode.ViewColumn | boolean, preserveFocus?: boolean) =>
      typeof columnOrPreserve === 'boolean' ? channel.show(columnOrPreserve) : channel.show(columnOrPreserve, preserveFocus),
    hide: () => channel.hide(),
    dispose: () => {
      configListener.dispose();
      levelChanged.dispose();
      channel.dispose();
    },
  };
}
