// Entry point of the symbolizer's worker thread (dist/symbolizerWorker.js); see symbolizer/symbolService.ts.
import { parentPort } from 'node:worker_threads';
import { serveInWorker } from './symbolizer/symbolService.ts';

if (parentPort) serveInWorker(parentPort);
