// The staged MovieLens files (never in the repo): counts, and the published MeLU split's agreement with
// the melu protocol's rules. Skips with "skipped: no data" when ../shared/datasets is absent.
import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { readPaths } from '../../src/cli/readPaths';
import { loadDataset } from '../../src/data/detect';
import { splitScenarios } from '../../src/data/scenarios/split';
import { readSource } from '../../src/data/source';
import { stagedDataset } from '../helpers/datasets';

const load = (...folders: string[]) => loadDataset(readSource(readPaths(folders)));

describe('staged MovieLens data', () => {
  const ml100k = stagedDataset('ml-100k');
  const recbole = stagedDataset('ml-100k-recbole');
  const ml1m = stagedDataset('ml-1m');
  const melu = stagedDataset('ml-1m-melu');

  it.runIf(ml100k)(
    'ml-100k: 100,000 ratings, 943 users, 1,682 items; MAMO time split as mamo-spec 6.1',
    async () => {
      const d = await load(ml100k!);
      expect([d.ratings.count, d.users.count, d.items.count]).toEqual([100000, 943, 1682]);
      const mamo = splitScenarios(d, 'mamo', 1);
      const kept = 943;
      const cold = mamo.newUsers.reduce((n, x) => n + x, 0);
      // mamo-spec: 751 warm / 192 cold users (exact: user state needs only each user's first rating)
      expect([kept - cold, cold]).toEqual([751, 192]);
    },
  );

  it.runIf(ml100k)('the same files as a GroupLens-style zip (built in memory, never written)', async () => {
    const files = readPaths([ml100k!]).filter((f) => /u\.(data|item|user|genre)$/.test(f.path));
    const zip = zipSync(Object.fromEntries(files.map((f) => [f.path, f.bytes])));
    const d = await loadDataset(readSource([{ path: 'ml-100k.zip', bytes: zip }]));
    expect([d.ratings.count, d.users.count, d.items.count]).toEqual([100000, 943, 1682]);
    expect(d.items.titles).toContain('Misérables, Les (1995)'); // latin-1 0xE9
  });

  it.runIf(recbole)('RecBole ml-100k atomic files give the same counts', async () => {
    const d = await load(recbole!);
    expect([d.ratings.count, d.users.count, d.items.count]).toEqual([100000, 943, 1682]);
  });

  it.runIf(ml1m)('partial ml-1m: 487,650 ratings of 2,999 users (6,040 in users.dat)', async () => {
    const d = await load(ml1m!);
    expect(d.ratings.count).toBe(487650);
    expect(new Set(d.ratings.user).size).toBe(2999);
    expect(d.users.count).toBe(6040);
  });

  it.runIf(ml1m && melu)("MeLU's published split loads and agrees with the melu year rule", async () => {
    const d = await load(ml1m!, melu!);
    const p = d.published!;
    const size = (s: typeof p.user_cold) => [s.users.length, s.items.length];
    expect(size(p.item_cold)).toEqual([4769, 157456]);
    expect(size(p.user_cold)).toEqual([1208, 163702]);
    expect(size(p.user_item_cold)).toEqual([1197, 38603]);
    const yearOf = new Map(Array.from(d.items.rawIds, (id, i) => [id, d.items.year[i]!]));
    const range = (s: typeof p.user_cold) => {
      const ys = Array.from(s.items, (id) => yearOf.get(id)).filter((y): y is number => y !== undefined);
      return [ys.reduce((a, b) => Math.min(a, b)), ys.reduce((a, b) => Math.max(a, b))];
    };
    expect(range(p.item_cold)[0]).toBeGreaterThanOrEqual(1998);
    expect(range(p.user_item_cold)[0]).toBeGreaterThanOrEqual(1998);
    expect(range(p.user_cold)[1]).toBeLessThanOrEqual(1997);
    // the same membership through the "melu" protocol itself: its new items (year >= 1998 on ML-1M) are
    // exactly the movies of the published item-cold cells, and none of the user-cold cell
    const meluSplit = splitScenarios(d, 'melu', 1);
    const flags = (s: typeof p.user_cold) =>
      new Set(
        Array.from(s.items, (id) => d.items.ids.indexOf(id))
          .filter((i) => i >= 0)
          .map((i) => meluSplit.newItems[i]),
      );
    expect(flags(p.item_cold)).toEqual(new Set([1]));
    expect(flags(p.user_item_cold)).toEqual(new Set([1]));
    expect(flags(p.user_cold)).toEqual(new Set([0]));
    expect(meluSplit.summary.notes).toContain(
      "new items: released in or after 1998 (MeLU's rule for MovieLens 1M)",
    );
    // after MeLU's 13..100 filter (mamo-spec 1.2 and 6.2), with no validation hold-out
    const split = splitScenarios(d, 'published', 1, { validationFraction: 0 });
    expect(split.test.user_cold.count).toBe(668);
    expect(split.test.user_item_cold.count).toBe(723);
    expect(split.test.item_cold.count).toBe(1423);
    // every existing user passing the filter trains (warm-test users on what their held-out ratings leave)
    expect(split.train.count).toBe(1369);
    const all = splitScenarios(d, 'published', 1, { validationFraction: 0, itemColdUsers: 'all' });
    expect(all.test.item_cold.count).toBe(2863);
  });

  it.runIf(melu)('the ml-1m-melu folder alone loads (split files, no ratings)', async () => {
    const d = await load(melu!);
    expect(d.ratings.count).toBe(0);
    expect(d.published).toBeDefined();
    expect(d.items.actors).toBeDefined();
  });
});
