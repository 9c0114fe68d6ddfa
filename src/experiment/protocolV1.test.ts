import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fakePart } from '../../tests/helpers/parts';
import { DEFAULT_CONFIG, type TrainConfig } from '../config/experiment';
import type { ScenarioRecord } from '../train/events';
import { ablate, ABLATIONS } from './ablation';
import { NON_META_GRID_V1 } from './job';
import { renderMerged } from './render';
import { createSingleSelection } from './selection';
import { jobsOf, parseSpec } from './spec';
import { scoreTrial, V1_BASE, V1_GRIDS } from './tuneV1';

const rec = (warm: number, itemCold?: number): ScenarioRecord =>
  ({
    warm: { mae: warm },
    ...(itemCold !== undefined ? { item_cold: { mae: itemCold } } : {}),
  }) as unknown as ScenarioRecord;

describe('results protocol v1', () => {
  it('the grids hold 12 trained configurations per tuned learner, the non-meta network 12 too', () => {
    expect(V1_GRIDS.melu).toHaveLength(12);
    expect(V1_GRIDS.mamo).toHaveLength(12);
    expect(new Set(V1_GRIDS.melu.map((r) => JSON.stringify(r))).size).toBe(12);
    expect(new Set(V1_GRIDS.mamo.map((r) => JSON.stringify(r))).size).toBe(12);
    expect(NON_META_GRID_V1).toHaveLength(12);
    // MeLU+'s L row: O (P + second order) + learned local rates
    expect(V1_GRIDS.melu[5]).toEqual({
      resampleTasks: true,
      featureDropout: 0.3,
      supervisedWeight: 1,
      pretrainEpochs: 4,
      metaOrder: 'second-order',
      localRateLr: 0.03,
    });
  });

  it('scores a trial by the mean over item kinds of each kind’s best seed-averaged checkpoint', () => {
    const s = scoreTrial([
      {
        seed: 1,
        checkpoints: [
          { epoch: 2, validation: rec(0.9, 1.0) },
          { epoch: 4, validation: rec(0.8, 1.2) },
        ],
      },
      {
        seed: 2,
        checkpoints: [
          { epoch: 2, validation: rec(1.0, 1.0) },
          { epoch: 4, validation: rec(0.8, 1.0) },
        ],
      },
    ]);
    // warm: epoch 2 mean 0.95, epoch 4 mean 0.8 -> 0.8 at 4; item-cold: 1.0 at 2 (1.1 at 4)
    expect(s.kinds.warmItems).toEqual({ epoch: 4, mae: 0.8 });
    expect(s.kinds.newItems).toEqual({ epoch: 2, mae: 1.0 });
    expect(s.score).toBeCloseTo(0.9, 12);
    // no item-cold cell: warm alone
    expect(scoreTrial([{ seed: 1, checkpoints: [{ epoch: 2, validation: rec(0.7) }] }]).score).toBe(0.7);
    expect(() =>
      scoreTrial([
        { seed: 1, checkpoints: [{ epoch: 2, validation: rec(0.7) }] },
        { seed: 2, checkpoints: [{ epoch: 4, validation: rec(0.7) }] },
      ]),
    ).toThrow(/checkpoints at epochs 2/);
  });

  it("'single' keeps one checkpoint for both kinds, by the mean of their validation MAE", () => {
    const sel = createSingleSelection();
    const test = (x: number) => rec(x, x);
    sel.consider('a', rec(0.7, 1.3), test(1)); // mean 1.0
    sel.consider('b', rec(0.9, 1.0), test(2)); // mean 0.95: wins though warm is worse
    sel.consider('c', rec(0.6, 1.3), test(3)); // mean 0.95: a tie keeps b
    const picks = sel.picks();
    expect(picks.warmItems?.label).toBe('b');
    expect(picks.newItems?.label).toBe('b');
    expect(Object.values(sel.reported()).map((r) => r.label)).toEqual(['b', 'b']);
  });

  it('an ablation removes one addition, or says it does not apply', () => {
    const melu: TrainConfig = { ...DEFAULT_CONFIG, ...V1_BASE.melu, ...V1_GRIDS.melu[5] } as TrainConfig;
    const v = { config: melu, selection: 'per-kind' as const, chooseLocalRate: true };
    const applied = (a: (typeof ABLATIONS)[number]) => {
      const r = ablate(a, v);
      if ('notApplicable' in r) throw new Error(r.notApplicable);
      return r;
    };
    expect(applied('supervised').config).toMatchObject({ supervisedWeight: 0, pretrainEpochs: 0 });
    expect(applied('secondOrder').config.metaOrder).toBe('first-order');
    expect(applied('perKind').selection).toBe('single');
    expect(applied('rateChoice').chooseLocalRate).toBe(false);
    expect(applied('dropout').config.featureDropout).toBe(0);
    // nothing else moves
    const { supervisedWeight: _s, pretrainEpochs: _p, ...rest } = applied('supervised').config;
    const { supervisedWeight: _s2, pretrainEpochs: _p2, ...restBefore } = melu;
    expect(rest).toEqual(restBefore);
    expect(ablate('paperWrite', v)).toEqual({ notApplicable: 'MeLU has no memory' });
    const plain = { ...v, config: { ...DEFAULT_CONFIG, ...V1_BASE.melu } as TrainConfig };
    expect(ablate('learnedRates', plain)).toHaveProperty('notApplicable');
    const mamo = { ...v, config: { ...DEFAULT_CONFIG, ...V1_BASE.mamo } as TrainConfig };
    const noMemory = ablate('noMemory', mamo);
    expect(noMemory).toMatchObject({ config: { memorySlots: 1, personalInitScale: 0 } });
    expect(ablate('paperWrite', mamo)).toMatchObject({ config: { memoryWrite: 'paper' } });
  });

  it('the committed spec: 10 seeds on ML-100K, 5 on ML-1M, none a tuning seed; every ablation named', () => {
    const spec = parseSpec(
      JSON.parse(readFileSync(join(import.meta.dirname, '../../experiments/protocol-v1.json'), 'utf8')),
    );
    expect(spec.seeds['ml-100k']).toEqual([101, 102, 103, 104, 105, 106, 107, 108, 109, 110]);
    expect(spec.seeds['ml-1m-published']).toEqual([101, 102, 103, 104, 105]);
    expect(jobsOf(spec)).toHaveLength(spec.variants.length * 15);
    const ablated = spec.variants.filter((v) => v.ablate).map((v) => v.ablate);
    for (const a of ABLATIONS) expect(ablated).toContain(a);
    for (const v of spec.variants.filter((x) => x.ablate)) expect(v.against).toHaveLength(1);
  });

  it('spec v1.1 is v1 with another title and parts folder (docs/protocol.md, section 11)', () => {
    const read = (f: string) =>
      JSON.parse(readFileSync(join(import.meta.dirname, '../../experiments', f), 'utf8')) as Record<
        string,
        unknown
      >;
    const { title: t0, parts: p0, ...v1 } = read('protocol-v1.json');
    const { title: t1, parts: p1, ...v11 } = read('protocol-v1.1.json');
    expect(v11).toEqual(v1);
    expect([t0 === t1, p0 === p1]).toEqual([false, false]);
    expect(p1).toBe('../docs/results-v1.1-parts');
  });

  it('the merged document pairs rows against rows, shows quoted figures and counts its intervals', () => {
    const spec = parseSpec({
      datasets: ['demo'],
      variants: [
        { name: 'A', preset: 'melu-paper', baselines: ['globalMean'], against: ['B'] },
        { name: 'B', preset: 'melu-paper', baselines: [], ablate: 'dropout' },
        { name: 'C', preset: 'melu-paper', baselines: [], ablate: 'learnedRates', against: ['A'] },
        { name: 'D', preset: 'melu-paper', baselines: [], ablate: 'perKind' },
        { name: 'E', preset: 'melu-paper', baselines: [] },
      ],
      seeds: [1, 2],
      epochs: 2,
      parts: 'p',
      quoted: { demo: [{ label: 'their code', source: 'elsewhere', mae: { warm: 0.5 } }] },
    });
    const jobs = jobsOf(spec);
    // A's parts carry a global-mean baseline (each user's summed |error| 1.0)
    const part = (variant: number, seed: number, shift: number) =>
      fakePart(spec, { variant, seed, shift, globalMean: variant === 0 });
    const parts = [
      part(0, 1, 0),
      part(0, 2, 0),
      part(1, 1, 0.2),
      part(1, 2, 0.2),
      part(3, 1, 0),
      part(3, 2, 0),
    ];
    const doc = renderMerged(
      spec,
      'x.json',
      jobs,
      parts,
      new Map([
        [4, 'no learned local rates'],
        [5, 'no learned local rates'],
      ]),
    );
    expect(doc).toMatch(/\| A − B \| −?0\.\d+ \[/);
    expect(doc).toContain('2/2, ahead'); // A is 0.1 MAE per rating better than B on every user and seed
    expect(doc).toContain('| quoted | their code (elsewhere) | 0.500');
    expect(doc).toContain('C (no learned local rates)');
    expect(doc).toMatch(/\*\*Incomplete: 2 of 8 jobs have no part yet\*\*/);
    expect(doc).toMatch(/Missing: demo \/ E seeds 1, 2\./); // not C: it does not apply
    // what the job ran: the perKind ablation keeps one checkpoint for both kinds
    expect(doc).toMatch(
      /\*\*D\*\*: [^\n]*without per-item-kind checkpoints[^\n]*; one checkpoint for both item kinds chosen on validation;/,
    );
    expect(doc).toMatch(/holds 2 paired intervals/);
  });
});
