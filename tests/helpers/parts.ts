// A synthetic job part (what `experiment --merge` reads), for the tests of the merge and its sections.
import { DEFAULT_CONFIG } from '../../src/config/experiment';
import { PART_FORMAT, type JobPart } from '../../src/experiment/part';
import type { ExperimentSpec } from '../../src/experiment/spec';
import type { ScenarioRecord } from '../../src/train/events';

export interface FakePart {
  /** index into spec.variants */
  variant: number;
  seed: number;
  /** added to every user's summed |error| and to the record's MAE */
  shift: number;
  /** the commit the part says it was computed at (absent: none recorded) */
  code?: string;
  dataset?: string;
  /** the warm record's MAE before the shift (default 0.6) */
  recordMae?: number;
  /** with a global-mean baseline whose summed |error| is 1.0 per user */
  globalMean?: boolean;
}

/**
 * A part of spec's row `variant` at `seed` (job index variant * 2 + seed - 1: a spec of seeds 1 and 2):
 * 4 warm test users of 2 ratings each, user u's summed |error| (and squared error) 0.5 + shift + 0.1 u.
 */
export function fakePart(spec: ExperimentSpec, o: FakePart): JobPart {
  const { variant, seed, shift, dataset = 'demo' } = o;
  const users = [0, 1, 2, 3];
  const abs = users.map((u) => 0.5 + shift + 0.1 * u);
  const base = users.map(() => 1.0);
  const record = {
    warm: { mae: (o.recordMae ?? 0.6) + shift, rmse: 0.8, users: 4, ratings: 8 },
  } as unknown as ScenarioRecord;
  return {
    format: PART_FORMAT,
    index: variant * 2 + seed - 1,
    dataset,
    datasetLabel: dataset,
    variant: spec.variants[variant]!,
    config: DEFAULT_CONFIG,
    seed,
    budget: spec.epochs,
    date: '2026-12-06',
    ...(o.code === undefined ? {} : { code: o.code }),
    result: {
      seed,
      parameters: 1,
      seconds: 1,
      model: record,
      baselines: o.globalMean ? { globalMean: record } : {},
      picks: { model: {}, nonMeta: {} },
      errors: {
        warm: {
          users,
          n: [2, 2, 2, 2],
          predictors: {
            model: { abs, sq: abs },
            ...(o.globalMean ? { globalMean: { abs: base, sq: base } } : {}),
          },
        },
      },
    },
  };
}
