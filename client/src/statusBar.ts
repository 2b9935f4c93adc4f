/**
 * The status bar items for the active kernel-log editor: "N reports, M findings" from the server's
 * `kernelLog/status` notification, M being what the Problems view lists (the diagnostics published
 * with severity information and above; hints counted apart in the tooltip; click: the Problems view), and the symbol files in use from
 * `kernelLog/symbolStatus` (click: choose a symbol file).
 */
import * as vscode from 'vscode';
import { DiagnosticCodes, type StatusParams, type SymbolStatusParams } from './protocol';
import { KERNEL_LOG_LANGUAGE } from './autoDetect';

export class StatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private readonly symbolItem: vscode.StatusBarItem;
  private readonly byUri = new Map<string, StatusParams>();
  private readonly symbolsByUri = new Map<string, SymbolStatusParams['status']>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor() {
    this.item = vscode.window.createStatusBarItem('kernelLog.status', vscode.StatusBarAlignment.Right, 100);
    this.item.name = 'Kernel Log';
    this.item.command = 'workbench.actions.view.problems';
    this.symbolItem = vscode.window.createStatusBarItem('kernelLog.symbols', vscode.StatusBarAlignment.Right, 99);
    this.symbolItem.name = 'Kernel Log Symbols';
    this.symbolItem.command = 'kernelLog.chooseSymbolFile';
    this.disposables.push(
      this.item,
      this.symbolItem,
      vscode.window.onDidChangeActiveTextEditor(() => this.render()),
      vscode.workspace.onDidCloseTextDocument((doc) => {
        this.byUri.delete(normalizeUri(doc.uri.toString()));
        this.symbolsByUri.delete(normalizeUri(doc.uri.toString()));
      }),
      vscode.workspace.onDidOpenTextDocument(() => this.render()),
    );
    this.render();
  }

  update(params: StatusParams): void {
    this.byUri.set(normalizeUri(params.uri), params);
    this.render();
  }

  updateSymbols(params: SymbolStatusParams): void {
    this.symbolsByUri.set(normalizeUri(params.uri), params.status);
    this.render();
  }

  /** Forgets every document's numbers (the server restarted). */
  clear(): void {
    this.byUri.clear();
    this.symbolsByUri.clear();
    this.render();
  }

  private render(): void {
    const doc = vscode.window.activeTextEditor?.document;
    if (!doc || doc.languageId !== KERNEL_LOG_LANGUAGE) {
      this.item.hide();
      this.symbolItem.hide();
      return;
    }
    this.renderSymbols(this.symbolsByUri.get(normalizeUri(doc.uri.toString())));
    const status = this.byUri.get(normalizeUri(doc.uri.toString()));
    if (!status) {
      this.item.text = '$(loading~spin) Kernel Log';
      this.item.tooltip = 'Analysing the kernel log…';
      this.item.show();
      return;
    }
    // What Problems lists (severity information and above, after the cap); hints are counted apart.
    // A server that sends no published counts: every finding.
    const problemsByCode = (status.problemsByCode ?? status.findingsByCode) as Record<string, number>;
    const hintsByCode = (status.hintsByCode ?? {}) as Record<string, number>;
    const sum = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + (b ?? 0), 0);
    const findings = sum(problemsByCode);
    const partial = status.complete === false;
    this.item.text = `${partial ? '$(loading~spin)' : '$(debug-stackframe)'} ${plural(status.reports, 'report')}, ${plural(findings, 'finding')}`;
    const tooltip = new vscode.MarkdownString(`**Kernel Log**: ${plural(status.reports, 'crash report')}${partial ? ' so far (still analysing)' : ''}\n\n`);
    const codes = [...DiagnosticCodes, ...Object.keys(status.findingsByCode).filter((c) => !(DiagnosticCodes as readonly string[]).includes(c))];
    const list = (counts: Record<string, number>) => {
      for (const code of codes) if (counts[code]) tooltip.appendMarkdown(`- \`${code}\`: ${counts[code]}\n`);
    };
    tooltip.appendMarkdown(`${plural(findings, 'finding')} listed in Problems (one per line; severity information and above):\n\n`);
    list(problemsByCode);
    if (sum(hintsByCode) > 0) {
      tooltip.appendMarkdown(`\nHints, shown faded in the editor only (not in Problems):\n\n`);
      list(hintsByCode);
    }
    if (status.diagnosticsTruncated) tooltip.appendMarkdown('\nNot every finding is listed in Problems (`kernelLog.diagnostics.maxNumberOfProblems`).\n');
    tooltip.appendMarkdown('\nClick to open the Problems view.');
    this.item.tooltip = tooltip;
    this.item.accessibilityInformation = { label: `Kernel Log: ${plural(status.reports, 'report')}, ${plural(findings, 'finding')} in Problems` };
    this.item.show();
  }

  /** "$(symbol-function) vmlinux" (✓ when it matches the log, ⚠ when not); "No symbols" invites a choice. */
  private renderSymbols(status: SymbolStatusParams['status'] | undefined): void {
    if (!status) {
      this.symbolItem.hide();
      return;
    }
    const none = !status.sources.some((s) => s.kind !== 'source-root');
    const mark = status.matches === false ? '$(warning) ' : '';
    this.symbolItem.text = none ? '$(symbol-function) No symbols' : `$(symbol-function) ${mark}${status.summary}`;
    const tooltip = new vscode.MarkdownString(
      none ? '**Kernel Log**: no symbol files for this log. Click to choose a vmlinux, System.map or module folder.\n\n' : '**Kernel Log symbols**\n\n',
    );
    for (const s of status.sources) {
      const state =
        s.ok === false
          ? `⚠ ${s.error ?? 'unusable'}`
          : s.matches === false
            ? `⚠ for ${s.release ?? 'another release'}, not this log`
            : s.matches === true
              ? '✓ matches the log'
              : s.ok
                ? 'loaded'
                : 'loading';
      tooltip.appendMarkdown(
        `- ${s.kind}: \`${s.path}\` (${s.foundBy.replace('-', ' ')}) — ${state}${s.kind === 'vmlinux' && s.ok && s.debugInfo === false ? ', no debug info' : ''}\n`,
      );
    }
    tooltip.appendMarkdown('\nClick to choose a symbol file.');
    this.symbolItem.tooltip = tooltip;
    this.symbolItem.backgroundColor = status.matches === false ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    this.symbolItem.accessibilityInformation = { label: `Kernel Log symbols: ${none ? 'none' : status.summary}` };
    this.symbolItem.show();
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
