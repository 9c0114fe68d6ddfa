// The frozen protocol's disjointness invariants (tests/helpers/splitInvariants.ts) on the staged
// MovieLens, seeds 1..5: ML-100K (melu, mamo), partial ML-1M (melu, mamo) and ML-1M with MeLU's split
// files (published). Skips with "skipped: no data" when ../shared/datasets is absent.
import { describe, expect, it } from 'vitest';
import { readPaths } from '../../src/cli/readPaths';
import { loadDataset } from '../../src/data/detect';
import { readSource } from '../../src/data/source';
import type { ScenarioSplit } from '../../src/data/scenarios/types';
import { stagedDataset } from '../helpers/datasets';
import { checkSplitInvariants } from '../helpers/splitInvariants';

const load = (...folders: string[]) => loadDataset(readSource(readPaths(folders)));

/** Seed 1's counts, printed for the report: training users and tasks, warm test tasks, validation users. */
function counts(name: string, split: ScenarioSplit) {
  const line = {
    trainingUsers: new Set(split.train.users).size,
    trainingTasks: split.train.count,
    warmTestTasks: split.test.warm.count,
    validationUsers: split.validationUsers.reduce((n, x) => n + x, 0),
  };
  console.log(`${name} seed ${split.seed}: ${JSON.stringify(line)}`);
  return line;
}

describe('frozen protocol invariants on the staged MovieLens (seeds 1..5)', () => {
  const ml100k = stagedDataset('ml-100k');
  const ml1m = stagedDataset('ml-1m');
  const melu = stagedDataset('ml-1m-melu');

  it.runIf(ml100k)('ml-100k: melu and mamo', { timeout: 120_000 }, async () => {
    const d = await load(ml100k!);
    for (const protocol of ['melu', 'mamo'] as const) {
      const line = counts(`ml-100k ${protocol}`, checkSplitInvariants(d, protocol)[0]!);
      expect(line.warmTestTasks).toBeGreaterThan(0);
    }
  });

  it.runIf(ml1m)('partial ml-1m: melu and mamo', { timeout: 240_000 }, async () => {
    const d = await load(ml1m!);
    for (const protocol of ['melu', 'mamo'] as const) {
      const line = counts(`ml-1m ${protocol}`, checkSplitInvariants(d, protocol)[0]!);
      expect(line.warmTestTasks).toBeGreaterThan(0);
    }
  });

  it.runIf(ml1m && melu)('ml-1m with the published split files', { timeout: 240_000 }, async () => {
    const d = await load(ml1m!, melu!);
    const line = counts('ml-1m published', checkSplitInvariants(d, 'published')[0]!);
    expect(line.warmTestTasks).toBeGreaterThan(0);
  });
});
