// Two versions of a protocol side by side (versions.ts): rows pair on seeds and test users, a dataset
// whose parts are the same code in both says so, and nothing is shown without a pair.
import { describe, expect, it } from 'vitest';
import { fakePart } from '../../tests/helpers/parts';
import { parseSpec } from './spec';
import { newerVersionNote, versionsSection } from './versions';

const spec = parseSpec({
  datasets: ['demo'],
  variants: [
    { name: 'A', preset: 'melu-paper', baselines: [] },
    { name: 'B', preset: 'melu-paper', baselines: [] },
  ],
  seeds: [1, 2],
  epochs: 2,
  parts: 'p',
});

/** Row `variant`'s part at `seed`, computed at `code`: each user's summed |error| 0.5 + shift + 0.1 u. */
const part = (variant: number, seed: number, shift: number, code: string, dataset = 'demo') =>
  fakePart(spec, { variant, seed, shift, code, dataset, recordMae: 0.65 });

describe('versionsSection', () => {
  it('pairs each row with itself across versions, per seed, and shows the shift with its interval', () => {
    const older = { label: 'v1', parts: [part(0, 1, 0, 'old'), part(0, 2, 0, 'old'), part(1, 1, 0, 'old')] };
    const newer = {
      label: 'v1.1',
      parts: [part(0, 1, 0.01, 'new'), part(0, 2, 0.01, 'new'), part(1, 2, 0, 'new')],
    };
    const { lines, count } = versionsSection(newer, older, ['A', 'B']);
    const text = lines.join('\n');
    // A: both seeds in both versions, each user's summed error 0.01 more over 2 ratings (MAE +0.005);
    // B: no seed in both, no row
    expect(count).toBe(1);
    expect(text).toContain('### demo: v1.1 − v1');
    expect(text).toContain('| A | 0.0050 [0.0050, 0.0050] (2) | – | – | – |');
    expect(text).not.toContain('| B |');
  });

  it('says so when a dataset holds the same parts in both, and is empty without pairs', () => {
    const same = [part(0, 1, 0, 'c', 'copied')];
    const { lines, count } = versionsSection(
      { label: 'v1.1', parts: [...same, part(0, 1, -0.02, 'new')] },
      { label: 'v1', parts: [...same, part(0, 1, 0, 'old')] },
      ['A'],
    );
    expect(count).toBe(1);
    expect(lines.join('\n')).toContain('The same parts in v1.1 and v1 (the same code).');
    expect(lines.join('\n')).toContain('| A | −0.0100 [−0.0100, −0.0100] (1) |');
    expect(versionsSection({ label: 'x', parts: same }, { label: 'y', parts: same }, ['A'])).toEqual({
      lines: [],
      count: 0,
    });
  });
});

describe('newerVersionNote', () => {
  it('counts the newer version’s parts per dataset and says which document is of record', () => {
    const running = newerVersionNote({
      title: 'Results, protocol v1.1',
      path: 'experiments/protocol-v1.1.json',
      datasets: [
        { label: 'ML-100K', jobs: 140, parts: 140 },
        { label: 'ML-1M', jobs: 105, parts: 60 },
      ],
    });
    expect(running).toContain(
      '200 of its 245 applicable jobs have parts (ML-100K: 140 of 140; ML-1M: 60 of 105)',
    );
    expect(running).toContain('this document stays the results of record');
    const done = newerVersionNote({
      title: 't',
      path: 'p.json',
      datasets: [{ label: 'ML-1M', jobs: 105, parts: 105 }],
    });
    expect(done).toContain('It is complete, and its merge replaces this document');
  });
});
