import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEMO_SEED, generateSynthetic } from './synthetic';

describe('synthetic demo dataset', () => {
  it('the committed public/datasets/demo files are exactly the generator output (reproducible)', () => {
    const files = generateSynthetic(DEMO_SEED);
    let total = 0;
    for (const [name, text] of Object.entries(files)) {
      const committed = readFileSync(new URL(`../../public/datasets/demo/${name}`, import.meta.url), 'utf8');
      expect(committed === text, `${name} differs from the generator: run npm run cli -- generate-demo`).toBe(
        true,
      );
      total += committed.length;
    }
    expect(total).toBeLessThan(1024 * 1024);
  });

  it('different seeds give different data; ratings are 1..5 with a MovieLens-like mean', () => {
    const a = generateSynthetic(1)['u.data'];
    expect(a).not.toBe(generateSynthetic(2)['u.data']);
    const ratings = a
      .trim()
      .split('\n')
      .map((l) => Number(l.split('\t')[2]));
    expect(Math.min(...ratings)).toBe(1);
    expect(Math.max(...ratings)).toBe(5);
    const mean = ratings.reduce((s, r) => s + r, 0) / ratings.length;
    expect(mean).toBeGreaterThan(3.3);
    expect(mean).toBeLessThan(3.8);
  });
});
