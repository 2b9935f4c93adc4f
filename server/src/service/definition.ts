// Go to definition on a call-trace entry or an instruction pointer:
// - from a duplicate entry (a `duplicate-regs-ip` or `duplicate-frame` finding) to what it repeats:
//   the register block's IP or the twin entry (the finding's related location), in the log itself;
// - the source line the symbolizer finds for it (the innermost inlined frame first, where the
//   address is), as a file on disk under the source root or a workspace folder (nothing when the
//   file is not there). With symbols loaded, both are offered, the log's own place first.
import type { Location, Position } from 'vscode-languageserver-types';
import { pathToFileURL } from 'node:url';
import type { CancellationLike, Symbolizer } from '../symbolizer/types.ts';
import type { LogAnalysis } from './analysis.ts';
import type { DocumentVersion } from './document.ts';
import { symbolTargetAt } from './hover.ts';
import { symbolQuery } from '../symbolizer/query.ts';
import { offsetAt, parserLineAt, spanRange } from './positions.ts';
import { isDuplicateCode } from './queries.ts';

/** The places a duplicate entry at `offset` repeats (its findings' related locations), in the document. */
export function repeatedAt(document: DocumentVersion, analysis: LogAnalysis, offset: number): Location[] {
  const line = parserLineAt(document, offset);
  const k = analysis.reportIndexAtLine(line);
  if (k < 0) return [];
  const locations: Location[] = [];
  for (const f of analysis.findingsOf(k)) {
    if (f.line !== line || !isDuplicateCode(f.code) || offset < f.start || offset > f.end) continue;
    for (const r of f.related) locations.push({ uri: document.uri, range: spanRange(document, r) });
  }
  return locations;
}

export async function computeDefinition(
  document: DocumentVersion,
  analysis: LogAnalysis,
  position: Position,
  symbolizer: Symbolizer | undefined,
  token?: CancellationLike,
): Promise<Location[] | null> {
  const offset = offsetAt(document, position);
  const locations = repeatedAt(document, analysis, offset);
  if (!symbolizer) return locations.length ? locations : null;
  const target = symbolTargetAt(document, analysis, offset);
  if (!target) return locations.length ? locations : null;
  const info = await symbolizer.symbolize(symbolQuery(document.text, document.version, target.frame, target.report), token).catch(() => null);
  if (token?.isCancellationRequested) return null;
  for (const f of info?.frames ?? []) {
    if (!f.path) continue;
    const line = Math.max(0, (f.line ?? 1) - 1);
    const character = Math.max(0, (f.column ?? 1) - 1);
    locations.push({ uri: pathToFileURL(f.path).href, range: { start: { line, character }, end: { line, character } } });
    break; // the innermost frame with a file: where the address is
  }
  return locations.length ? locations : null;
}
