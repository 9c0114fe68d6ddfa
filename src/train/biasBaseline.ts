/**
 * The bias baseline: global mean + item bias + the user's support residual, plain JS (no tfjs).
 *
 *   μ    = mean of the training ratings (support and query of every training task)
 *   b_i  = Σ_{training ratings of i} (r − μ) / (λ_i + n_i)                 items with training ratings
 *   b_i  = x_i · w                                                         items without (new items)
 *          w = argmin Σ_{warm i} (b_i − x_i·w)² + RIDGE·‖w‖², x_i the item's feature encoding over the
 *          item table rows of the FeatureLayout the models use (1 for each index field's row, the bag
 *          weights 1/count for each multi-hot field's rows: what the models' embeddings average)
 *   b_u  = Σ_{support} (r − μ − b_i) / (λ_u + n_support)                   (0 when both are 0)
 *   ŷ    = μ + b_i + b_u          (before adaptation: μ + b_i)
 * λ_i, λ_u are chosen from BIAS_LAMBDA_GRID by the mean MAE over the VALIDATION scenarios (all their
 * tasks); the test scenarios never enter the choice. Predictions are clipped to the training rating
 * range in the error metrics, as every model's are.
 */
import { SCENARIOS, type ScenarioSplit, type TaskSet } from '../data/scenarios/types';
import { countsOf } from './evaluate';
import type { ScenarioMetrics, ScenarioRecord } from './events';
import type { FeatureLayout } from './layout';
import { errorMetrics } from './metrics';

/** The shrinkage values tried for λ_i and λ_u. */
export const BIAS_LAMBDA_GRID = [0, 1, 3, 10, 30] as const;
/** The ridge penalty of the new items' feature regression. */
export const BIAS_RIDGE = 1;
/** Without validation tasks: these λs. */
export const DEFAULT_BIAS_LAMBDAS: BiasLambdas = { item: 3, user: 3 };

export interface BiasLambdas {
  readonly item: number;
  readonly user: number;
}

export interface BiasModel {
  readonly mean: number;
  /** [items] b_i (warm items from their ratings, new items from the feature regression) */
  readonly itemBias: Float64Array;
  readonly lambdas: BiasLambdas;
}

/** Item count of a layout. */
function itemCount(layout: FeatureLayout): number {
  const { indexFields, multiFields, width } = layout.item;
  return indexFields > 0
    ? layout.itemIndex.length / indexFields
    : layout.itemMulti.length / (multiFields * width);
}

/** x_i as sparse (rows, weights) over the item table: index-field rows with 1, bag rows with their weights. */
function itemFeatures(layout: FeatureLayout, i: number): { rows: number[]; weights: number[] } {
  const { indexFields, multiFields, width } = layout.item;
  const rows: number[] = [];
  const weights: number[] = [];
  for (let f = 0; f < indexFields; f++) {
    rows.push(layout.itemIndex[i * indexFields + f]!);
    weights.push(1);
  }
  for (let k = i * multiFields * width; k < (i + 1) * multiFields * width; k++) {
    const w = layout.itemMultiWeights[k]!;
    if (w === 0) continue;
    rows.push(layout.itemMulti[k]!);
    weights.push(w);
  }
  return { rows, weights };
}

/**
 * Ridge regression w = (XᵀX + ridge·I)⁻¹ Xᵀy over sparse rows, by conjugate gradients (X: [m, d] given
 * as per-row (columns, values); d = columns). Deterministic; stops at a relative residual of 1e-10.
 */
export function ridgeSolve(
  rows: readonly { rows: number[]; weights: number[] }[],
  y: ArrayLike<number>,
  columns: number,
  ridge: number,
): Float64Array {
  const apply = (v: Float64Array, out: Float64Array): void => {
    for (let c = 0; c < columns; c++) out[c] = ridge * v[c]!;
    for (const x of rows) {
      let dot = 0;
      for (let k = 0; k < x.rows.length; k++) dot += x.weights[k]! * v[x.rows[k]!]!;
      for (let k = 0; k < x.rows.length; k++) out[x.rows[k]!] = out[x.rows[k]!]! + x.weights[k]! * dot;
    }
  };
  const w = new Float64Array(columns);
  const r = new Float64Array(columns);
  rows.forEach((x, m) => {
    for (let k = 0; k < x.rows.length; k++) r[x.rows[k]!] = r[x.rows[k]!]! + x.weights[k]! * y[m]!;
  });
  const p = Float64Array.from(r);
  const ap = new Float64Array(columns);
  let rr = r.reduce((s, v) => s + v * v, 0);
  const stop = rr * 1e-20;
  for (let iteration = 0; iteration < 4 * columns + 10 && rr > stop && rr > 0; iteration++) {
    apply(p, ap);
    let pap = 0;
    for (let c = 0; c < columns; c++) pap += p[c]! * ap[c]!;
    const alpha = rr / pap;
    let next = 0;
    for (let c = 0; c < columns; c++) {
      w[c] = w[c]! + alpha * p[c]!;
      r[c] = r[c]! - alpha * ap[c]!;
      next += r[c]! * r[c]!;
    }
    const beta = next / rr;
    for (let c = 0; c < columns; c++) p[c] = r[c]! + beta * p[c]!;
    rr = next;
  }
  return w;
}

/** Mean training rating and per-item residual sums Σ(r − μ), counts n_i. */
function itemResiduals(
  train: TaskSet,
  items: number,
): { mean: number; sum: Float64Array; count: Int32Array } {
  let total = 0;
  let n = 0;
  for (const values of [train.supportValues, train.queryValues]) {
    for (const v of values) total += v;
    n += values.length;
  }
  const mean = n ? total / n : 3;
  const sum = new Float64Array(items);
  const count = new Int32Array(items);
  for (const [ids, values] of [
    [train.supportItems, train.supportValues],
    [train.queryItems, train.queryValues],
  ] as const) {
    values.forEach((v, r) => {
      sum[ids[r]!] = sum[ids[r]!]! + v - mean;
      count[ids[r]!]!++;
    });
  }
  return { mean, sum, count };
}

/** μ and b_i for every item at shrinkage λ_i (new items from the ridge regression on features). */
export function fitItemBiases(train: TaskSet, layout: FeatureLayout, itemLambda: number): BiasModel {
  const items = itemCount(layout);
  const { mean, sum, count } = itemResiduals(train, items);
  const itemBias = new Float64Array(items);
  const features: { rows: number[]; weights: number[] }[] = [];
  const targets: number[] = [];
  for (let i = 0; i < items; i++) {
    if (count[i]! === 0) continue;
    itemBias[i] = sum[i]! / (itemLambda + count[i]!);
    features.push(itemFeatures(layout, i));
    targets.push(itemBias[i]!);
  }
  const w = ridgeSolve(features, targets, layout.item.tableRows, BIAS_RIDGE);
  for (let i = 0; i < items; i++) {
    if (count[i]! > 0) continue;
    const x = itemFeatures(layout, i);
    let b = 0;
    for (let k = 0; k < x.rows.length; k++) b += x.weights[k]! * w[x.rows[k]!]!;
    itemBias[i] = b;
  }
  return { mean, itemBias, lambdas: { item: itemLambda, user: 0 } };
}

/** b_u of task t: Σ_support (r − μ − b_i) / (λ_u + n_support), 0 for an empty support. */
export function userResidual(model: BiasModel, set: TaskSet, t: number, userLambda: number): number {
  const s0 = set.supportOffsets[t]!;
  const s1 = set.supportOffsets[t + 1]!;
  if (s1 === s0) return 0;
  let s = 0;
  for (let r = s0; r < s1; r++)
    s += set.supportValues[r]! - model.mean - model.itemBias[set.supportItems[r]!]!;
  return s / (userLambda + s1 - s0);
}

/** Metrics of the bias model on `taskIds` of a set: after = μ + b_i + b_u, before = μ + b_i. */
export function biasMetrics(
  model: BiasModel,
  set: TaskSet,
  taskIds: Int32Array,
  range: readonly [number, number],
): ScenarioMetrics {
  const offsets = new Int32Array(taskIds.length + 1);
  taskIds.forEach((t, k) => {
    offsets[k + 1] = offsets[k]! + set.queryOffsets[t + 1]! - set.queryOffsets[t]!;
  });
  const total = offsets[taskIds.length]!;
  const truth = new Float32Array(total);
  const before = new Float32Array(total);
  const after = new Float32Array(total);
  taskIds.forEach((t, k) => {
    const bu = userResidual(model, set, t, model.lambdas.user);
    const q0 = set.queryOffsets[t]!;
    for (let j = 0; j < offsets[k + 1]! - offsets[k]!; j++) {
      const base = model.mean + model.itemBias[set.queryItems[q0 + j]!]!;
      truth[offsets[k]! + j] = set.queryValues[q0 + j]!;
      before[offsets[k]! + j] = base;
      after[offsets[k]! + j] = base + bu;
    }
  });
  const a = errorMetrics({ offsets, truth, predicted: after, range });
  const b = errorMetrics({ offsets, truth, predicted: before, range });
  return {
    ...countsOf(set, taskIds),
    ...a,
    maeBefore: b.mae,
    rmseBefore: b.rmse,
    ndcg3Before: b.ndcg3,
    lossBefore: b.loss,
  };
}

const allTasks = (set: TaskSet): Int32Array => Int32Array.from({ length: set.count }, (_, t) => t);

/**
 * The bias model with (λ_i, λ_u) chosen on the validation users: the pair of BIAS_LAMBDA_GRID with the
 * lowest mean MAE over the validation scenarios that have tasks (first in grid order on ties);
 * DEFAULT_BIAS_LAMBDAS without validation tasks. Also returns the validation metrics at the choice.
 */
export function chooseBiasModel(
  split: ScenarioSplit,
  layout: FeatureLayout,
  range: readonly [number, number],
): { model: BiasModel; validation: ScenarioRecord } {
  const scenarios = SCENARIOS.filter((s) => split.validation[s].count > 0);
  const atItem = new Map<number, BiasModel>();
  const itemModel = (lambda: number): BiasModel => {
    if (!atItem.has(lambda)) atItem.set(lambda, fitItemBiases(split.train, layout, lambda));
    return atItem.get(lambda)!;
  };
  const withUser = (lambdas: BiasLambdas): BiasModel => ({ ...itemModel(lambdas.item), lambdas });
  if (scenarios.length === 0) return { model: withUser(DEFAULT_BIAS_LAMBDAS), validation: {} };
  let best = { mae: Infinity, model: withUser(DEFAULT_BIAS_LAMBDAS), validation: {} as ScenarioRecord };
  for (const item of BIAS_LAMBDA_GRID)
    for (const user of BIAS_LAMBDA_GRID) {
      const model = withUser({ item, user });
      const validation: ScenarioRecord = {};
      let mae = 0;
      for (const s of scenarios) {
        const set = split.validation[s];
        validation[s] = biasMetrics(model, set, allTasks(set), range);
        mae += validation[s]!.mae / scenarios.length;
      }
      if (mae < best.mae) best = { mae, model, validation };
    }
  return { model: best.model, validation: best.validation };
}
