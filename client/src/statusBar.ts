/**
 * The status bar item for the active kernel-log editor: "N reports, M findings" from the server's
 * `kernelLog/status` notification. Clicking it opens the Problems view.
 */
import * as vscode from 'vscode';
import { DiagnosticCodes, type StatusParams } from './protocol';
import { KERNEL_LOG_LANGUAGE } from './autoDetect';

export class StatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private readonly byUri = new Map<string, StatusParams>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor() {
    this.item = vscode.window.createStatusBarItem('kernelLog.status', vscode.StatusBarAlignment.Right, 100);
    this.item.name = 'Kernel Log';
    this.item.command = 'workbench.actions.view.problems';
    this.disposables.push(
      this.item,
      vscode.window.onDidChangeActiveTextEditor(() => this.render()),
      vscode.workspace.onDidCloseTextDocument((doc) => this.byUri.delete(doc.uri.toString())),
      vscode.workspace.onDidOpenTextDocument(() => this.render()),
    );
    this.render();
  }

  update(params: StatusParams): void {
    this.byUri.set(normalizeUri(params.uri), params);
    this.render();
  }

  /** Forgets every document's numbers (the server restarted). */
  clear(): void {
    this.byUri.clear();
    this.render();
  }

  private render(): void {
    const doc = vscode.window.activeTextEditor?.document;
    if (!doc || doc.languageId !== KERNEL_LOG_LANGUAGE) {
      this.item.hide();
      return;
    }
    const status = this.byUri.get(normalizeUri(doc.uri.toString()));
    if (!status) {
      this.item.text = '$(loading~spin) Kernel Log';
      this.item.tooltip = 'Analysing the kernel log…';
      this.item.show();
      return;
    }
    const findings = Object.values<number>(status.findingsByCode).reduce((a, b) => a + b, 0);
    const partial = status.complete === false;
    this.item.text = `${partial ? '$(loading~spin)' : '$(debug-stackframe)'} ${plural(status.reports, 'report')}, ${plural(findings, 'finding')}`;
    const tooltip = new vscode.MarkdownString(`**Kernel Log**: ${plural(status.reports, 'crash report')}${partial ? ' so far (still analysing)' : ''}\n\n`);
    const codes = [...DiagnosticCodes, ...Object.keys(status.findingsByCode).filter((c) => !(DiagnosticCodes as readonly string[]).includes(c))];
    for (const code of codes) {
      const n = (status.findingsByCode as Record<string, number>)[code];
      if (n) tooltip.appendMarkdown(`- \`${code}\`: ${n}\n`);
    }
    if (status.diagnosticsTruncated) tooltip.appendMarkdown('\nNot every finding is listed in Problems (`kernelLog.diagnostics.maxNumberOfProblems`).\n');
    tooltip.appendMarkdown('\nClick to open the Problems view.');
    this.item.tooltip = tooltip;
    this.item.accessibilityInformation = { label: `Kernel Log: ${plural(status.reports, 'report')}, ${plural(findings, 'finding')}` };
    this.item.show();
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** The server may spell a URI differently (e.g. `%3A` vs `:`): compare parsed forms. */
function normalizeUri(uri: string): string {
  try {
    return vscode.Uri.parse(uri).toString();
  } catch {
    return uri;
  }
}
