// The fused WebGPU attention kernel against the composite ops: forward, gradient and second order,
// on the real tfjs WebGPU backend (Dawn + SwiftShader in Node).
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { cosine } from '../models/memory';
import { softmax } from '../models/ops';
import { fusedCosineSoftmax } from './cosineSoftmax';
import { switchToWebGPU } from '../../tests/helpers/webgpu';
import { createRng } from '../lib/rng';

let gpu = false;
beforeAll(async () => {
  gpu = await switchToWebGPU();
});

const random = (shape: [number, number], seed: number) => {
  const rng = createRng(seed);
  return tf.tensor2d(
    Array.from({ length: shape[0] * shape[1] }, () => rng.normal()),
    shape,
  );
};
const composite = (q: tf.Tensor2D, m: tf.Tensor2D, s: number) =>
  softmax(tf.mul(s, cosine(q, m))) as tf.Tensor2D;
const maxDiff = async (a: tf.Tensor, b: tf.Tensor) => (await tf.max(tf.abs(tf.sub(a, b))).data())[0]!;

describe('fused cosine-softmax kernel (WebGPU)', () => {
  for (const [rows, slots, width, scale] of [
    [5, 3, 16, 1],
    [3, 100, 33, 3],
    [64, 7, 64, 2],
  ] as const) {
    it(`matches the composite ops for [${rows} x ${width}] vs [${slots} x ${width}], scale ${scale}`, async (ctx) => {
      if (!gpu) return ctx.skip();
      expect(tf.getBackend()).toBe('webgpu');
      const q = random([rows, width], 1);
      const m = random([slots, width], 2);
      const w = random([rows, slots], 3);
      const fused = fusedCosineSoftmax(q, m, scale)!;
      expect(await maxDiff(fused, composite(q, m, scale))).toBeLessThan(1e-5);
      const loss = (f: (a: tf.Tensor2D, b: tf.Tensor2D) => tf.Tensor2D) => (a: tf.Tensor, b: tf.Tensor) =>
        tf.sum(tf.mul(f(a as tf.Tensor2D, b as tf.Tensor2D), w));
      const gf = tf.grads(loss((a, b) => fusedCosineSoftmax(a, b, scale)!))([q, m]);
      const gc = tf.grads(loss((a, b) => composite(a, b, scale)))([q, m]);
      expect(await maxDiff(gf[0]!, gc[0]!)).toBeLessThan(1e-5);
      expect(await maxDiff(gf[1]!, gc[1]!)).toBeLessThan(1e-5);
    });
  }

  it('has the same second derivative as the composite ops', async (ctx) => {
    if (!gpu) return ctx.skip();
    const q = random([4, 6], 4);
    const m = random([3, 6], 5);
    const w = random([4, 3], 6);
    const u = random([4, 6], 7);
    // d/dq <dL/dq, u>: a Hessian-vector product through the gradient
    const hvp = (f: (a: tf.Tensor2D, b: tf.Tensor2D) => tf.Tensor2D) =>
      tf.grad((a: tf.Tensor) =>
        tf.sum(tf.mul(tf.grad((x: tf.Tensor) => tf.sum(tf.mul(f(x as tf.Tensor2D, m), w)))(a), u)),
      )(q);
    const fused = hvp((a, b) => fusedCosineSoftmax(a, b, 2)!);
    const reference = hvp((a, b) => composite(a, b, 2));
    expect(await maxDiff(fused, reference)).toBeLessThan(1e-4);
    expect(await tf.max(tf.abs(reference)).data()).not.toEqual(new Float32Array([0]));
  });
});
