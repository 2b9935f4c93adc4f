// Diagnostics per code over a folder of logs, as the language server would publish them with the
// default settings and no cap (kernelLog.diagnostics.maxNumberOfProblems), beside the findings per
// code (what `kcrash check` lists). Run: node --import tsx scripts/diagnostic-counts.ts [DIR...]
// (default ../shared/corpus).
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createLanguageService } from '../server/src/service/languageService.ts';
import { defaultSettings } from '../server/src/service/settings.ts';

function* logFiles(dir: string): Generator<string> {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) yield* logFiles(p);
    else if (e.isFile() && !/\.(json|md|ya?ml|py|sh|txt\.expected)$/i.test(e.name)) yield p;
  }
}

const dirs = process.argv.slice(2);
const settings = { ...defaultSettings(), maxDiagnostics: Number.MAX_SAFE_INTEGER };
const capabilities = { relatedInformation: true, unnecessaryTag: true };
const diagnostics = new Map<string, number>();
const findings = new Map<string, number>();
const bump = (m: Map<string, number>, k: string, n = 1) => m.set(k, (m.get(k) ?? 0) + n);
let files = 0;
let lines = 0;
const perLine = new Map<string, number>();
for (const dir of dirs.length ? dirs : [path.resolve(import.meta.dirname, '../../shared/corpus')]) {
  for (const file of logFiles(dir)) {
    const text = fs.readFileSync(file, 'utf8');
    const service = createLanguageService();
    const uri = pathToFileURL(file).href;
    service.openDocument(uri, 'kernel-log', 1, text);
    const snapshot = service.getSnapshot(uri)!;
    files++;
    const analysis = snapshot.analysis;
    for (let k = 0; k < analysis.reportCount; k++) {
      for (const f of analysis.findingsOf(k)) {
        bump(findings, f.code);
        const { stack, frame } = f.data;
        const entry = stack !== undefined && frame !== undefined ? analysis.report(k).stacks[stack]?.frames[frame] : undefined;
        if (entry && !entry.reliable) bump(findings, `${f.code} on ? entries`);
        if (entry && !entry.reliable && entry.function?.startsWith('__pfx_')) bump(findings, `${f.code} on ? __pfx_`);
      }
    }
    const { diagnostics: list } = service.computeDiagnostics(snapshot.document, snapshot.analysis, settings, capabilities);
    for (const d of list) {
      bump(diagnostics, `${String(d.code)} (${['', 'error', 'warning', 'information', 'hint'][d.severity ?? 0]})`);
      bump(perLine, `${uri}:${d.range.start.line}`);
    }
    lines += list.length;
    service.closeDocument(uri);
  }
}
const sorted = (m: Map<string, number>) => [...m].sort((a, b) => a[0].localeCompare(b[0]));
console.log(`${files} files`);
console.log('findings (kcrash check):');
for (const [k, n] of sorted(findings)) console.log(`  ${k.padEnd(34)} ${n}`);
console.log(`diagnostics (published, defaults, no cap): ${lines}`);
for (const [k, n] of sorted(diagnostics)) console.log(`  ${k.padEnd(34)} ${n}`);
const shared = [...perLine.values()].filter((n) => n > 1).length;
console.log(`lines with more than one diagnostic: ${shared}`);
