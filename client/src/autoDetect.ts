/**
 * Switches `.log` and plain-text documents that hold a kernel crash to the `kernel-log` language,
 * when `kernelLog.detectInLogFiles` is on for the document's resource.
 *
 * Invariant: a document is switched at most once per session; if the user then picks another
 * language for it, that choice stands.
 */
import * as vscode from 'vscode';
import { DETECTION_WINDOW, looksLikeKernelCrash } from './detect';

export const KERNEL_LOG_LANGUAGE = 'kernel-log';
const CANDIDATE_LANGUAGES = new Set(['log', 'plaintext']);

export class AutoDetector implements vscode.Disposable {
  private readonly switched = new Set<string>();
  private readonly disposables: vscode.Disposable[] = [];
  /** Untitled plain-text buffers are empty when opened: check them again after edits, debounced. */
  private readonly pending = new Map<string, NodeJS.Timeout>();

  constructor(private readonly log: vscode.LogOutputChannel) {
    this.disposables.push(
      vscode.workspace.onDidOpenTextDocument((doc) => void this.check(doc)),
      vscode.workspace.onDidChangeTextDocument((e) => this.onChange(e)),
      vscode.workspace.onDidCloseTextDocument((doc) => this.clearPending(doc.uri.toString())),
    );
  }

  /** Checks every document that is already open (on activation). */
  checkOpenDocuments(): void {
    for (const doc of vscode.workspace.textDocuments) void this.check(doc);
  }

  private isCandidate(doc: vscode.TextDocument): boolean {
    if (!CANDIDATE_LANGUAGES.has(doc.languageId)) return false;
    if (doc.uri.scheme !== 'file' && doc.uri.scheme !== 'untitled') return false;
    if (this.switched.has(doc.uri.toString())) return false;
    return vscode.workspace.getConfiguration('kernelLog', doc.uri).get<boolean>('detectInLogFiles', true);
  }

  private onChange(e: vscode.TextDocumentChangeEvent): void {
    const doc = e.document;
    if (doc.uri.scheme !== 'untitled' || e.contentChanges.length === 0 || !this.isCandidate(doc)) return;
    const key = doc.uri.toString();
    this.clearPending(key);
    this.pending.set(
      key,
      setTimeout(() => {
        this.pending.delete(key);
        void this.check(doc);
      }, 300),
    );
  }

  private clearPending(key: string): void {
    const timer = this.pending.get(key);
    if (timer) clearTimeout(timer);
    this.pending.delete(key);
  }

  async check(doc: vscode.TextDocument): Promise<void> {
    if (!this.isCandidate(doc)) return;
    const head = doc.getText(new vscode.Range(new vscode.Position(0, 0), doc.positionAt(DETECTION_WINDOW)));
    if (!looksLikeKernelCrash(head)) return;
    const key = doc.uri.toString();
    const previous = doc.languageId;
    this.switched.add(key);
    try {
      await vscode.languages.setTextDocumentLanguage(doc, KERNEL_LOG_LANGUAGE);
      this.log.info(`Detected a kernel crash log: ${doc.uri.toString(true)} (was ${previous})`);
    } catch (err) {
      this.switched.delete(key);
      this.log.warn(`Could not switch ${doc.uri.toString(true)} to Kernel Log: ${String(err)}`);
    }
  }

  dispose(): void {
    for (const timer of this.pending.values()) clearTimeout(timer);
    this.pending.clear();
    for (const d of this.disposables) d.dispose();
  }
}
