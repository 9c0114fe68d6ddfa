// `npm run cli -- inspect <path>` on the committed synthetic demo (always present, so this never skips):
// the JSON has the format, counts, the rating histogram and per-scenario counts for the chosen protocol.
import { describe, expect, it } from 'vitest';
import { inspect } from '../../src/cli/inspect';
import { SCENARIOS } from '../../src/data/scenarios/types';

const DEMO = new URL('../../public/datasets/demo', import.meta.url).pathname;

describe('cli inspect', () => {
  it('summarises the demo folder with per-scenario counts for a protocol and seed', async () => {
    const out = JSON.parse(JSON.stringify(await inspect([DEMO], 'mamo', 3))) as {
      format: string;
      users: number;
      ratings: number;
      histogram: number[];
      seed: number;
      splits: Record<string, { test: Record<string, { tasks: number; users: number; ratings: number }> }>;
    };
    expect(out.format).toBe('ml-100k');
    expect(out.seed).toBe(3);
    expect(out.histogram.reduce((a, b) => a + b, 0)).toBe(out.ratings);
    expect(Object.keys(out.splits)).toEqual(['mamo']);
    for (const s of SCENARIOS) expect(out.splits.mamo!.test[s]!.tasks).toBeGreaterThan(0);
  });

  it('without --protocol, every protocol the data supports; bad seeds and paths are sentences', async () => {
    const out = (await inspect([DEMO], null, 1)) as { splits: Record<string, unknown> };
    expect(Object.keys(out.splits)).toEqual(['melu', 'mamo', 'sequence']);
    await expect(inspect([DEMO], null, NaN)).rejects.toThrow('Expected --seed to be an integer, got NaN');
    await expect(inspect(['/nonexistent/ml-100k'], null, 1)).rejects.toThrow(
      'Expected a file, folder or zip at /nonexistent/ml-100k, got nothing there',
    );
  });
});
