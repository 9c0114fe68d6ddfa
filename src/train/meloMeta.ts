/**
 * MELO's meta-objective (peers.md A.4-A.5) over the sequential backbone (models/sequence.ts):
 * MAML++ local steps with per-layer per-step learned rates (LSLR), the multi-step loss (MSL), and the
 * adaptive weighted support loss (models/sequenceWeighting.ts). Pure functions of records; the runner
 * (meloRun.ts) owns the variables and optimisers.
 *
 * For a meta-batch of T tasks (one user each; support positions first, then query, right-padded):
 *   1. theta_0 = taskParams(theta)                      (tiled per task; the item rows gathered)
 *   2. for j = 0 .. J-1:
 *        L_s(theta_j) = sum_t (1/n_t) sum_{s in support_t} w_ts (y^_ts - y_ts)^2,
 *                       w = |g_phi(ratings, y^, l)| (1 when no weighting)
 *        theta_{j+1}[k] = theta_j[k] - alpha_k[j] * dL_s/dtheta_j[k]   (first order: the gradient detached)
 *        with MSL: loss += v_{j+1} * L_q(theta_{j+1})
 *   3. L_q(theta) = mean_t (1/m_t) sum_{q in query_t} (y^_tq - y_tq)^2 (plain, unweighted, as MELO)
 * The meta-gradient is d loss / d (theta, alpha, phi).
 */
import * as tf from '@tensorflow/tfjs';
import { detached } from '../models/ops';
import { fromList, keysOf } from '../models/params';
import {
  sequenceForward,
  taskParams,
  type SequenceDims,
  type SequenceParams,
  type TaskParams,
} from '../models/sequence';
import { lossWeights, type Weighting, type WeightingParams } from '../models/sequenceWeighting';
import { localGrads, tileTasks, type MetaOrder } from './meta';

/** A padded batch of task sequences [T, L]: support positions first (time order), then the query. */
export interface SequenceBatch {
  /** Item rows (ItemIndex + 1; 0 = padding), int32. */
  readonly items: tf.Tensor2D;
  readonly ratings: tf.Tensor2D;
  /** 1 at support positions. */
  readonly support: tf.Tensor2D;
  /** 1 at query positions. */
  readonly query: tf.Tensor2D;
  /** The longest support of the batch (positions 0 .. S-1 hold every support position). */
  readonly supportLength: number;
}

export interface MeloConfig {
  readonly steps: number;
  readonly order: MetaOrder;
  readonly weighting: Weighting;
  /** Importance of the query loss after each local step 1..J (MSL); null = the last step only. */
  readonly stepWeights: readonly number[] | null;
}

/** The meta-learned state: the backbone, the local rates alpha_k [J] per task-parameter key, phi. */
export interface MeloState {
  readonly theta: SequenceParams;
  readonly rates: Readonly<Record<string, tf.Tensor>>;
  readonly phi: WeightingParams | null;
}

/**
 * MAML++'s multi-step loss importance (Antoniou et al., HowToTrainYourMAML `get_per_step_loss_importance_vector`):
 * uniform 1/J at epoch 0; non-final steps decay linearly to 0.03/J at `epochs`, the last grows to
 * 1 - (J-1) 0.03/J; from `epochs` on (or with epochs <= 0) only the last step counts.
 */
export function multiStepWeights(steps: number, epoch: number, epochs: number): number[] {
  const last = Array.from({ length: steps }, (_, j) => (j === steps - 1 ? 1 : 0));
  if (epochs <= 0 || epoch >= epochs || steps === 1) return last;
  const decay = 1 / steps / epochs;
  const floor = 0.03 / steps;
  const out = Array.from({ length: steps }, () => Math.max(1 / steps - epoch * decay, floor));
  out[steps - 1] = Math.min(1 / steps + epoch * (steps - 1) * decay, 1 - (steps - 1) * floor);
  return out;
}

/** Per-task squared errors [T, L] of predictions y^ [T, L]. */
const squaredErrors = (pred: tf.Tensor, b: SequenceBatch) => tf.square(tf.sub(pred, b.ratings));

/** sum_t (1/n_t) sum_l mask_tl e_tl for errors e [T, L] and a 0/1 mask. */
function perTaskMean(errors: tf.Tensor, mask: tf.Tensor2D): tf.Tensor {
  const n = tf.maximum(tf.sum(mask, 1), 1);
  return tf.div(tf.sum(tf.mul(errors, mask), 1), n);
}

/** The (weighted) support loss summed over tasks, at per-task parameters tp. */
export function supportLoss(
  tp: TaskParams,
  dims: SequenceDims,
  b: SequenceBatch,
  weighting: Weighting,
  phi: WeightingParams | null,
): tf.Scalar {
  const pred = sequenceForward(tp, dims);
  const errors = squaredErrors(pred, b);
  if (weighting === 'none' || !phi) return tf.sum(perTaskMean(errors, b.support));
  const [tasks] = pred.shape;
  const s = b.supportLength;
  const cut = (t: tf.Tensor) => tf.slice(t, [0, 0], [tasks, s]) as tf.Tensor2D;
  const mask = cut(b.support);
  const w = lossWeights(weighting, phi, cut(b.ratings), cut(pred), cut(errors), mask);
  return tf.sum(perTaskMean(tf.mul(w, cut(errors)), mask));
}

/** The mean over tasks of each task's query MSE at per-task parameters tp. */
export function queryLoss(tp: TaskParams, dims: SequenceDims, b: SequenceBatch): tf.Scalar {
  return tf.mean(perTaskMean(squaredErrors(sequenceForward(tp, dims), b), b.query));
}

/** J local steps from theta_0 = tp; `each(j, theta_{j+1})` sees every adapted record. */
export function adapt(
  tp: TaskParams,
  state: MeloState,
  dims: SequenceDims,
  b: SequenceBatch,
  config: Pick<MeloConfig, 'steps' | 'order' | 'weighting'>,
  each: (step: number, fast: TaskParams) => void = () => undefined,
): TaskParams {
  let fast = tp;
  for (let j = 0; j < config.steps; j++) {
    const g = localGrads(fast, (w) => supportLoss(w, dims, b, config.weighting, state.phi));
    const next: Record<string, tf.Tensor> = {};
    for (const key of keysOf(fast)) {
      const gk = config.order === 'first-order' ? detached(g[key]!) : g[key]!;
      next[key] = tf.sub(fast[key]!, tf.mul(tf.slice(state.rates[key]!, [j], [1]), gk));
    }
    fast = next;
    each(j, fast);
  }
  return fast;
}

/** The meta-loss of a batch: sum_j v_j L_q(theta_j) (MSL) or L_q(theta_J). */
export function meloMetaLoss(
  state: MeloState,
  dims: SequenceDims,
  b: SequenceBatch,
  config: MeloConfig,
): tf.Scalar {
  const tp = taskParams(state.theta, b.items, (t) => tileTasks(t, b.items.shape[0]));
  const terms: tf.Scalar[] = [];
  const fast = adapt(tp, state, dims, b, config, (j, f) => {
    const v = config.stepWeights?.[j] ?? 0;
    if (v > 0 && j < config.steps - 1) terms.push(tf.mul(v, queryLoss(f, dims, b)));
  });
  terms.push(tf.mul(config.stepWeights?.[config.steps - 1] ?? 1, queryLoss(fast, dims, b)));
  return tf.addN(terms);
}

export interface MeloGradient {
  readonly loss: tf.Scalar;
  readonly theta: SequenceParams;
  readonly rates: Record<string, tf.Tensor>;
  readonly phi: WeightingParams | null;
}

/** The meta-loss and its gradient w.r.t. theta, the local rates and phi (one tf.grads). */
export function meloMetaGradient(
  state: MeloState,
  dims: SequenceDims,
  b: SequenceBatch,
  config: MeloConfig,
): MeloGradient {
  // first order: phi reaches the meta-loss only through the (constant) local gradients: no gradient
  const learnPhi = state.phi !== null && config.order === 'second-order' && config.weighting !== 'none';
  const groups = [state.theta, state.rates, learnPhi ? state.phi! : {}] as const;
  const keys = groups.map((g) => keysOf(g));
  const list = groups.flatMap((g, i) => keys[i]!.map((k) => g[k]!));
  const { value, grads } = tf.valueAndGrads((...xs: tf.Tensor[]) => {
    let at = 0;
    const [theta, rates, phi] = keys.map((ks) => fromList(ks, xs.slice(at, (at += ks.length))));
    return meloMetaLoss({ theta: theta!, rates: rates!, phi: learnPhi ? phi! : state.phi }, dims, b, config);
  })(list);
  let at = 0;
  const [theta, rates, phi] = keys.map((ks) =>
    fromList<Record<string, tf.Tensor>>(ks, grads.slice(at, (at += ks.length))),
  );
  const zeros = () => Object.fromEntries(keysOf(state.phi!).map((k) => [k, tf.zerosLike(state.phi![k]!)]));
  return {
    loss: value as tf.Scalar,
    theta: theta!,
    rates: rates!,
    phi: learnPhi ? phi! : state.phi ? zeros() : null,
  };
}

/** The supervised ("basic") loss: MSE over every support and query position of the batch, at theta. */
export function supervisedLoss(theta: SequenceParams, dims: SequenceDims, b: SequenceBatch): tf.Scalar {
  const tp = taskParams(theta, b.items, (t) => tileTasks(t, b.items.shape[0]));
  const mask = tf.add(b.support, b.query) as tf.Tensor2D;
  return tf.mean(perTaskMean(squaredErrors(sequenceForward(tp, dims), b), mask));
}

/** Predictions [T, L] before (theta) and after J local steps on each task's support. */
export function meloPredict(
  state: MeloState,
  dims: SequenceDims,
  b: SequenceBatch,
  config: Pick<MeloConfig, 'steps' | 'weighting'>,
): { before: tf.Tensor2D; after: tf.Tensor2D } {
  const tp = taskParams(state.theta, b.items, (t) => tileTasks(t, b.items.shape[0]));
  const before = sequenceForward(tp, dims);
  const after =
    config.steps > 0
      ? sequenceForward(adapt(tp, state, dims, b, { ...config, order: 'first-order' }), dims)
      : before;
  return { before, after };
}
