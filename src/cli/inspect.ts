/**
 * `npm run cli -- inspect <path...> [--protocol melu|mamo|published] [--seed S]`: a JSON summary of a
 * dataset (format, users, items, ratings, rating histogram, notes) and its cold-start split (per
 * scenario: tasks, users, items, ratings, support and query sizes). Without --protocol, every protocol
 * the data supports is summarised.
 */
import { splitScenarios } from '../data/scenarios/split';
import { PROTOCOLS, type Protocol } from '../data/scenarios/types';
import { summarizeDataset } from '../data/summary';
import { loadPaths } from './readPaths';

export async function inspect(paths: string[], protocol: Protocol | null, seed: number): Promise<object> {
  if (paths.length === 0)
    throw new Error('Expected at least one dataset path: npm run cli -- inspect <folder|zip|files>');
  // a seed like "abc" (NaN) would give a split that is not reproducible from the printed seed
  if (!Number.isSafeInteger(seed)) throw new Error(`Expected --seed to be an integer, got ${seed}`);
  const dataset = await loadPaths(paths);
  const { popularItems: _items, userColumns: _columns, ...summary } = summarizeDataset(dataset, 0);
  const protocols = protocol ? [protocol] : PROTOCOLS.filter((p) => p !== 'published' || dataset.published);
  const splits: Record<string, unknown> = {};
  for (const p of protocols) {
    if (p !== 'published' && dataset.ratings.count === 0) {
      splits[p] = { skipped: 'no ratings loaded' };
      continue;
    }
    splits[p] = splitScenarios(dataset, p, seed).summary;
  }
  return { ...summary, seed, splits };
}
