/**
 * The second-order-safe building blocks of the sequential backbone (models/sequence.ts). As in ops.ts,
 * every gradient here is computed from inputs by ops whose own gradients are right to second order in
 * tfjs 4.22 (sqrt, div, mul, sub, mean, relu, abs, matMul): tf.rsqrt's gradient goes through pow, and
 * tf.softmax's through its saved output (webgpu-feasibility.md), so neither is used.
 */
import * as tf from '@tensorflow/tfjs';
import { softmax } from './ops';

/** 1 / sqrt(x), x > 0, as div(1, sqrt(x)): gradient -dy / (2 x sqrt(x)) from x (second-order safe). */
export function rsqrt(x: tf.Tensor): tf.Tensor {
  return tf.div(1, tf.sqrt(x));
}

/**
 * Layer norm over the last axis: (x - mean) * rsqrt(var + eps) * gain + bias, x [..., d], gain and
 * bias broadcast to x (e.g. [d], or [T, 1, d] for per-task fast weights).
 */
export function layerNorm(x: tf.Tensor, gain: tf.Tensor, bias: tf.Tensor, eps = 1e-5): tf.Tensor {
  const centred = tf.sub(x, tf.mean(x, -1, true));
  const variance = tf.mean(tf.square(centred), -1, true);
  return tf.add(tf.mul(tf.mul(centred, rsqrt(tf.add(variance, eps))), gain), bias);
}

/** The additive causal mask [L, L]: 0 where key j <= query i, -1e9 above the diagonal (a constant). */
export function causalMask(length: number): tf.Tensor2D {
  const values = new Float32Array(length * length);
  for (let i = 0; i < length; i++) for (let j = i + 1; j < length; j++) values[i * length + j] = -1e9;
  return tf.tensor2d(values, [length, length]);
}

/**
 * Causal attention weights: softmax over keys of scores [..., L, L] + the causal mask, with ops.ts's
 * second-order-safe softmax. Row i attends to keys 0..i only (masked entries are exactly 0).
 */
export function causalSoftmax(scores: tf.Tensor): tf.Tensor {
  const length = scores.shape[scores.rank - 1]!;
  return softmax(tf.add(scores, causalMask(length)));
}
