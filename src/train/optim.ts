/**
 * Meta-optimizers over parameter records (pure: a new params record and a new state each step; the
 * caller disposes the old ones). No host reads: clipping scales with a tensor, so a step never waits
 * for the device.
 */
import * as tf from '@tensorflow/tfjs';
import { disposeParams, keysOf, squaredNorm, type ParamRecord } from '../models/params';
import { fusedAdam, fusedSgd, fusedUpdateFor, hasFusedUpdate } from '../kernels/optimizerWebgpu';
import { globalClipScale } from '../kernels/normWebgpu';

export interface OptimizerState<P extends ParamRecord> {
  readonly step: number;
  /** Adam first and second moments (absent for SGD). */
  readonly m: P | null;
  readonly v: P | null;
}

export interface OptimizerConfig {
  readonly kind: 'adam' | 'sgd';
  readonly lr: number;
  /** Clip the whole gradient to this global norm (0 = off). */
  readonly clip: number;
  /**
   * Decoupled weight decay (Loshchilov & Hutter, AdamW): p <- p - lr * decay * p for tensors of rank >= 2
   * (weight matrices, embedding tables), never biases (the output bias sits at the mean rating).
   */
  readonly decay?: number;
  /** A step size of its own for some keys (the learned local log-rates move on another scale). */
  readonly keyLr?: Readonly<Record<string, number>>;
}

const BETA1 = 0.9;
const BETA2 = 0.999;
const EPSILON = 1e-8;

export function initOptimizer<P extends ParamRecord>(params: P, config: OptimizerConfig): OptimizerState<P> {
  if (config.kind === 'sgd') return { step: 0, m: null, v: null };
  const zeros = () =>
    Object.fromEntries(keysOf(params).map((k) => [k, tf.zerosLike(params[k]!)])) as unknown as P;
  return { step: 0, m: zeros(), v: zeros() };
}

/** g * min(1, clip / ||g||) over the whole record (global norm). */
export function clipByGlobalNorm<P extends ParamRecord>(grads: P, clip: number): P {
  if (clip <= 0) return grads;
  const norm = tf.sqrt(squaredNorm(grads));
  const scale = tf.minimum(1, tf.div(clip, tf.add(norm, 1e-12)));
  return Object.fromEntries(keysOf(grads).map((k) => [k, tf.mul(grads[k]!, scale)])) as unknown as P;
}

/**
 * One update. SGD: p <- p - lr g. Adam (Kingma & Ba): m <- b1 m + (1-b1) g; v <- b2 v + (1-b2) g^2;
 * p <- p - lr sqrt(1-b2^t)/(1-b1^t) m / (sqrt(v) + eps). With `decay`, p is first shrunk (decoupled).
 * On webgpu each tensor's update is one fused kernel (kernels/optimizerWebgpu.ts) that reads the clip's
 * scale (kernels/normWebgpu.ts: a few kernels for the whole record); on wasm small tensors take a fused
 * kernel too (kernels/optimizerWasm.ts), large ones and every other backend the composed ops.
 */
export function optimizerStep<P extends ParamRecord>(
  params: P,
  grads: P,
  state: OptimizerState<P>,
  config: OptimizerConfig,
): { params: P; state: OptimizerState<P> } {
  // webgpu: the clip's scale in a few kernels, read by the fused updates (the clipped g never written)
  const scale =
    hasFusedUpdate() && config.clip > 0 ? globalClipScale(Object.values(grads), config.clip) : null;
  const fused = (key: string) => fusedUpdateFor(params[key]!);
  const g = scale ? grads : clipByGlobalNorm(grads, config.clip);
  const step = state.step + 1;
  const shrink = 1 - config.lr * (config.decay ?? 0);
  const decayed = (key: keyof P & string): tf.Tensor =>
    shrink !== 1 && params[key]!.rank >= 2 ? tf.mul(shrink, params[key]!) : params[key]!;
  const lrOf = (key: string): number => config.keyLr?.[key] ?? config.lr;
  const shrinkOf = (key: keyof P & string): number => (params[key]!.rank >= 2 ? shrink : 1);
  const next: Record<string, tf.Tensor> = {};
  if (config.kind === 'sgd' || !state.m || !state.v) {
    for (const key of keysOf(params))
      next[key] = fused(key)
        ? fusedSgd(params[key]!, g[key]!, lrOf(key), shrinkOf(key), scale)
        : tf.sub(decayed(key), tf.mul(lrOf(key), g[key]!));
    return { params: next as unknown as P, state: { step, m: null, v: null } };
  }
  const m: Record<string, tf.Tensor> = {};
  const v: Record<string, tf.Tensor> = {};
  const correction = Math.sqrt(1 - Math.pow(BETA2, step)) / (1 - Math.pow(BETA1, step));
  for (const key of keysOf(params)) {
    const rate = lrOf(key) * correction;
    const gk = g[key]!;
    if (fused(key)) {
      const attrs = { rate, shrink: shrinkOf(key), beta1: BETA1, beta2: BETA2, eps: EPSILON };
      [next[key], m[key], v[key]] = fusedAdam(params[key]!, gk, state.m[key]!, state.v[key]!, attrs, scale);
      continue;
    }
    m[key] = tf.add(tf.mul(BETA1, state.m[key]!), tf.mul(1 - BETA1, gk));
    v[key] = tf.add(tf.mul(BETA2, state.v[key]!), tf.mul(1 - BETA2, tf.square(gk)));
    next[key] = tf.sub(decayed(key), tf.mul(rate, tf.div(m[key], tf.add(tf.sqrt(v[key]), EPSILON))));
  }
  return { params: next as unknown as P, state: { step, m: m as unknown as P, v: v as unknown as P } };
}

/** Disposes the optimizer's tensors. */
export function disposeOptimizer<P extends ParamRecord>(state: OptimizerState<P>): void {
  for (const record of [state.m, state.v]) if (record) for (const t of Object.values(record)) t.dispose();
}

/**
 * optimizerStep for a caller that owns its record and state outside any tidy (the sequence runners):
 * the step runs in a tidy, the old record and state are disposed, the new ones returned.
 */
export function ownedStep(
  params: ParamRecord,
  grads: ParamRecord,
  state: OptimizerState<ParamRecord>,
  config: OptimizerConfig,
): { params: ParamRecord; state: OptimizerState<ParamRecord> } {
  const next = tf.tidy(() => {
    const r = optimizerStep(params, grads, state, config);
    return { params: r.params, m: r.state.m, v: r.state.v } as unknown as tf.TensorContainer;
  }) as unknown as { params: ParamRecord; m: ParamRecord | null; v: ParamRecord | null };
  disposeParams(params);
  disposeOptimizer(state);
  return { params: next.params, state: { step: state.step + 1, m: next.m, v: next.v } };
}
