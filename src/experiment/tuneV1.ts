/**
 * The tuning of results protocol v1 (docs/protocol.md, section 4), as data and one pure score: the
 * grids of MeLU+ and MAMO+ (12 trained configurations each), their base settings, the tuning seeds per
 * dataset, the budget, and how a configuration is scored on the VALIDATION cells. src/cli/tuneV1.ts
 * runs it (one trial file per configuration, so a cluster can run the trials as array tasks).
 *
 * Score of a configuration (the per-item-kind checkpoint rule of section 6, as the report jobs apply
 * it): per checkpoint c (every second epoch, pre-training included) and item kind k, the validation MAE
 * on k's cell (warm for warm items, item-cold for new items) at the local rates chosen on validation,
 * averaged over the tuning seeds: v_k(c). score = mean over the kinds of min_c v_k(c). The lowest score
 * wins; ties keep the earlier row.
 */
import { MAMO_MEMORY } from '../config/presets';
import type { TrainConfig } from '../config/experiment';
import type { ScenarioRecord } from '../train/events';
import { KIND_CELL } from '../train/kindSelection';
import type { ItemKind } from '../train/adaptation';

export const V1_BUDGET = 30;
export const V1_EVAL_EVERY = 2;

/** Tuning seeds per dataset name (section 5): never a report seed (101+). */
export const V1_TUNING_SEEDS: Readonly<Record<string, readonly number[]>> = {
  'ml-100k': [1, 2, 3],
  'ml-1m-published': [1],
  // the synthetic demo: for trying the command, not for a table
  demo: [1],
};

export const V1_BASE: Record<'melu' | 'mamo', Partial<TrainConfig>> = {
  melu: {
    model: 'melu',
    embeddingDim: 32,
    hiddenDim: 64,
    innerSteps: 5,
    innerLr: 0.01,
    outerLr: 1e-3,
    outerOptimizer: 'adam',
    batchSize: 32,
    weightDecay: 3,
    metaOrder: 'first-order',
    gradClip: 0,
  },
  mamo: {
    model: 'mamo',
    embeddingDim: 32,
    hiddenDim: 64,
    ...MAMO_MEMORY, // K, the write rates and the init scale in this order (stored trials' key order)
    memoryWrite: 'slot-gated',
    attentionScale: 10,
    innerSteps: 1,
    innerLr: 0.01,
    outerLr: 1e-3,
    outerOptimizer: 'adam',
    batchSize: 32,
    weightDecay: 3,
    metaOrder: 'first-order',
    gradClip: 5,
  },
};

// MeLU+ (section 4): R = re-drawn tasks + dropout 0.3; S = R + supervised 1; P = S + 4 pre-training
// epochs; O = P + second order; L = O + learned local rates 0.03
const R: Partial<TrainConfig> = { resampleTasks: true, featureDropout: 0.3 };
const S = { ...R, supervisedWeight: 1 };
const P = { ...S, pretrainEpochs: 4 };
const O: Partial<TrainConfig> = { ...P, metaOrder: 'second-order' };
const L = { ...O, localRateLr: 0.03 };

// MAMO+: F = R with 5 local steps; LM = F + learned local rates 0.03
const F = { ...R, innerSteps: 5 };
const LM = { ...F, localRateLr: 0.03 };

export const V1_GRIDS: Record<'melu' | 'mamo', readonly Partial<TrainConfig>[]> = {
  melu: [
    {},
    R,
    S,
    P,
    O,
    L,
    { ...L, featureDropout: 0 },
    { localRateLr: 0.03 },
    { weightDecay: 0 },
    { innerSteps: 1, innerLr: 0.05 },
    { ...L, embeddingDim: 16 },
    { embeddingDim: 16 },
  ],
  mamo: [
    {},
    { attentionScale: 1 },
    R,
    { innerSteps: 5 },
    F,
    LM,
    { ...F, supervisedWeight: 1 },
    { ...F, pretrainEpochs: 4 },
    { ...F, metaOrder: 'second-order' },
    { ...LM, attentionScale: 1 },
    { weightDecay: 0 },
    { ...LM, embeddingDim: 16 },
  ],
};

/** One tuning seed's checkpoints: epoch (pre-training included) and its validation record. */
export interface SeedCurve {
  readonly seed: number;
  readonly checkpoints: readonly { readonly epoch: number; readonly validation: ScenarioRecord }[];
}

export interface TrialScore {
  /** mean over kinds of each kind's best seed-averaged validation MAE; null when a kind has no cell */
  readonly score: number | null;
  /** per kind: the best checkpoint's epoch and its seed-averaged validation MAE */
  readonly kinds: Partial<Record<ItemKind, { epoch: number; mae: number }>>;
}

/**
 * The score above from each seed's checkpoints. Seeds must share their checkpoint epochs; a kind whose
 * cell is missing in the split is left out of the mean (a split without item-cold validation cells
 * scores on warm alone, as the report's selection then uses the warm pick for both kinds).
 */
export function scoreTrial(seeds: readonly SeedCurve[]): TrialScore {
  if (!seeds.length) throw new Error('Expected at least one seed curve');
  const epochs = seeds[0]!.checkpoints.map((c) => c.epoch);
  for (const s of seeds)
    if (s.checkpoints.map((c) => c.epoch).join() !== epochs.join())
      throw new Error(`Expected every seed to have checkpoints at epochs ${epochs.join(', ')}`);
  const kinds: TrialScore['kinds'] = {};
  for (const [kind, cell] of Object.entries(KIND_CELL) as [ItemKind, keyof ScenarioRecord][]) {
    let best: { epoch: number; mae: number } | null = null;
    epochs.forEach((epoch, i) => {
      const values = seeds.map((s) => s.checkpoints[i]!.validation[cell]?.mae);
      if (values.some((v) => v === undefined || !Number.isFinite(v))) return;
      const mae = (values as number[]).reduce((a, b) => a + b, 0) / values.length;
      if (!best || mae < best.mae) best = { epoch, mae };
    });
    if (best) kinds[kind] = best;
  }
  const maes = Object.values(kinds).map((k) => k.mae);
  return { score: maes.length ? maes.reduce((a, b) => a + b, 0) / maes.length : null, kinds };
}
