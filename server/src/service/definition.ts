// Go to definition on a call-trace entry or an instruction pointer: the source line the symbolizer
// finds for it (the innermost inlined frame first, where the address is), as a file on disk under
// the source root or a workspace folder. Nothing when the file is not there.
import type { Location, Position } from 'vscode-languageserver-types';
import { pathToFileURL } from 'node:url';
import type { CancellationLike, Symbolizer } from '../symbolizer/types.ts';
import type { LogAnalysis } from './analysis.ts';
import type { DocumentVersion } from './document.ts';
import { symbolTargetAt } from './hover.ts';
import { symbolQuery } from '../symbolizer/query.ts';
import { offsetAt } from './positions.ts';

export async function computeDefinition(
  document: DocumentVersion,
  analysis: LogAnalysis,
  position: Position,
  symbolizer: Symbolizer | undefined,
  token?: CancellationLike,
): Promise<Location[] | null> {
  if (!symbolizer) return null;
  const target = symbolTargetAt(document, analysis, offsetAt(document, position));
  if (!target) return null;
  const info = await symbolizer.symbolize(symbolQuery(document.text, document.version, target.frame, target.report), token).catch(() => null);
  if (!info || token?.isCancellationRequested) return null;
  const locations: Location[] = [];
  for (const f of info.frames) {
    if (!f.path) continue;
    const line = Math.max(0, (f.line ?? 1) - 1);
    const character = Math.max(0, (f.column ?? 1) - 1);
    locations.push({ uri: pathToFileURL(f.path).href, range: { start: { line, character }, end: { line, character } } });
    break; // the innermost frame with a file: where the address is
  }
  return locations.length ? locations : null;
}
