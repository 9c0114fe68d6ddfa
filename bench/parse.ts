// Parsing and splitting speed (printed, never asserted): the partial ML-1M ratings file alone, whole
// dataset loads, and scenario splits. Median of 5 runs after one warm-up.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readPaths } from '../src/cli/readPaths';
import { loadDataset } from '../src/data/detect';
import { ML1M_RATINGS, parseRatings } from '../src/data/formats/ratings';
import { splitScenarios } from '../src/data/scenarios/split';
import { readSource } from '../src/data/source';
import { datasetsRoot } from '../tests/helpers/datasets';
import { existsSync } from 'node:fs';

export async function median(runs: number, f: () => Promise<unknown> | unknown): Promise<number> {
  await f();
  const times: number[] = [];
  for (let k = 0; k < runs; k++) {
    const t0 = performance.now();
    await f();
    times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b)[runs >> 1]!;
}

export async function benchParse(): Promise<string[]> {
  const root = datasetsRoot();
  const out: string[] = [];
  const ratingsFile = join(root, 'ml-1m', 'ratings.PARTIAL-users-1-2999.dat');
  if (!existsSync(ratingsFile)) return [`parse: skipped: no data (${ratingsFile})`];
  const bytes = new Uint8Array(readFileSync(ratingsFile));
  const ms = await median(5, () => parseRatings(bytes, 'ratings.dat', ML1M_RATINGS));
  out.push(
    `parse ml-1m ratings (${(bytes.length / 1e6).toFixed(1)} MB, 487,650 lines): ${ms.toFixed(1)} ms = ${(bytes.length / 1e6 / (ms / 1000)).toFixed(0)} MB/s`,
  );
  for (const folders of [['ml-100k'], ['ml-1m'], ['ml-1m', 'ml-1m-melu']]) {
    const inputs = readPaths(folders.map((f) => join(root, f))); // disk reads excluded
    let dataset = await loadDataset(readSource(inputs));
    const load = await median(5, async () => (dataset = await loadDataset(readSource(inputs))));
    const protocol = folders.includes('ml-1m-melu') ? 'published' : 'melu';
    const split = await median(5, () => splitScenarios(dataset, protocol, 1));
    out.push(
      `load ${folders.join(' + ')}: ${load.toFixed(0)} ms; split (${protocol}): ${split.toFixed(0)} ms; together ${(load + split).toFixed(0)} ms`,
    );
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) for (const line of await benchParse()) console.log(line);
