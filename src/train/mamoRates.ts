/**
 * MAMO's learned local rates (config localRateLr): the step of every adapted key, and the first-order
 * gradient of the meta-loss w.r.t. the log-rates.
 */
import * as tf from '@tensorflow/tfjs';
import { MAMO_RATE_KEYS, type MamoParams, type MamoTaskLocal } from '../models/mamo';
import { learnedRates, type StepSizes } from './meta';

type Local = MamoTaskLocal;

/** The local step of every adapted key: lr, or lr * exp(rho_k) with learned rates (M_uI's halves share one). */
export function mamoRates(p: MamoParams, lr: number): StepSizes {
  const r = learnedRates(MAMO_RATE_KEYS, p.localLogRate, lr);
  return typeof r === 'number' ? r : { ...r, muiUser: r.mui!, muiItem: r.mui! };
}

/**
 * First order with learned rates: d L / d rho_k = -sum_t <dL/d theta'_t,k, theta_0,t,k - theta'_t,k>,
 * the local gradients held fixed (theta' = theta_0 - alpha_k sum_steps g, alpha_k = lr exp(rho_k), so
 * d theta' / d rho_k = -(theta_0 - theta')). `grads` are the gradients of the batch loss w.r.t. each
 * key's adapted weights (any leading task axis), `init` and `adapted` the weights before and after;
 * `terms`: keys whose term the caller computed itself (mamoByHand.ts: wi1, held as coefficient rows).
 */
export function rateGradient(
  grads: Partial<Local>,
  init: Partial<Local>,
  adapted: Partial<Local>,
  terms: Partial<Local> = {},
): tf.Tensor1D {
  const term = (key: keyof Local) =>
    terms[key] ?? tf.neg(tf.sum(tf.mul(grads[key]!, tf.sub(init[key]!, adapted[key]!))));
  return tf.stack(
    MAMO_RATE_KEYS.map((k) => (k === 'mui' ? tf.add(term('muiUser'), term('muiItem')) : term(k))),
  ) as tf.Tensor1D;
}
