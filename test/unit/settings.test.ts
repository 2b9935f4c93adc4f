// The settings schema (package.json `contributes.configuration`) and what the server reads
// (server/src/service/settings.ts) are one list: every `kernelLog.*` setting the server does not read
// is named here as the client's, and every one it reads takes the value a user sets.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { DEFAULT_SEVERITY, FINDING_CODES } from '../../server/src/analyzer/rules/index.ts';
import { readSettings } from '../../server/src/service/settings.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const properties: Record<string, { default?: unknown; properties?: Record<string, { default?: unknown }> }> = JSON.parse(
  fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'),
).contributes.configuration.properties;

/** Read by the VS Code client itself, never sent for the server's use. */
const CLIENT_ONLY = ['kernelLog.detectInLogFiles', 'kernelLog.trace.server'];

/** The section VS Code sends for workspace/configuration when one setting is set. */
function section(key: string, value: unknown): Record<string, unknown> {
  const parts = key.replace(/^kernelLog\./, '').split('.');
  const out: Record<string, unknown> = {};
  let at = out;
  for (const p of parts.slice(0, -1)) at = (at[p] = {}) as Record<string, unknown>;
  at[parts.at(-1)!] = value;
  return out;
}

const SAMPLE: Record<string, { value: unknown; read: (s: ReturnType<typeof readSettings>) => unknown }> = {
  'kernelLog.diagnostics.severity': {
    value: { 'duplicate-frame': 'error' },
    read: (s) => s.severity['duplicate-frame'] === 'error' && { 'duplicate-frame': 'error' },
  },
  'kernelLog.diagnostics.onUnreliableEntries': {
    value: { 'function-end-return': true },
    read: (s) => s.onUnreliableEntries['function-end-return'] === true && { 'function-end-return': true },
  },
  'kernelLog.diagnostics.maxNumberOfProblems': { value: 7, read: (s) => s.maxDiagnostics },
  'kernelLog.vmlinux': { value: '/k/vmlinux', read: (s) => s.symbols.vmlinux },
  'kernelLog.systemMap': { value: '/k/System.map', read: (s) => s.symbols.systemMap },
  'kernelLog.modulePaths': { value: ['/k/mods', '/k/x.ko'], read: (s) => s.symbols.modulePaths },
  'kernelLog.sourceRoot': { value: '/src/linux', read: (s) => s.symbols.sourceRoot },
  'kernelLog.symbolizer.external': { value: 'off', read: (s) => s.symbols.external },
};

test("every setting in package.json is read by the server (or named as the client's)", () => {
  const serverKeys = Object.keys(properties).filter((k) => !CLIENT_ONLY.includes(k));
  assert.deepEqual(serverKeys.sort(), Object.keys(SAMPLE).sort());
  for (const key of serverKeys) assert.deepEqual(SAMPLE[key].read(readSettings(section(key, SAMPLE[key].value))), SAMPLE[key].value, key);
});

test("the severity schema lists every finding code with the analyzer's default", () => {
  const severity = properties['kernelLog.diagnostics.severity'].properties!;
  assert.deepEqual(Object.keys(severity).sort(), [...FINDING_CODES].sort());
  for (const code of FINDING_CODES) assert.equal(severity[code].default, DEFAULT_SEVERITY[code], code);
});

test("defaults in package.json are the server's defaults", () => {
  const d = readSettings({});
  assert.equal(properties['kernelLog.diagnostics.maxNumberOfProblems'].default, d.maxDiagnostics);
  for (const [code, p] of Object.entries(properties['kernelLog.diagnostics.onUnreliableEntries'].properties!))
    assert.equal(p.default, d.onUnreliableEntries[code as keyof typeof d.onUnreliableEntries] ?? false, code);
  assert.equal(properties['kernelLog.symbolizer.external'].default, d.symbols.external);
  assert.deepEqual(properties['kernelLog.modulePaths'].default, d.symbols.modulePaths);
  for (const key of ['vmlinux', 'systemMap', 'sourceRoot'] as const) assert.equal(properties[`kernelLog.${key}`].default || null, d.symbols[key]);
});
