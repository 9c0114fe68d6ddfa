import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initOptimizer, optimizerStep } from './optim';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('meta-optimizers', () => {
  it('decoupled weight decay shrinks matrices and tables by (1 - lr * decay), never biases', async () => {
    const params = { w: tf.ones([2, 2]), b: tf.ones([2]) };
    const zero = { w: tf.zeros([2, 2]), b: tf.zeros([2]) };
    for (const kind of ['sgd', 'adam'] as const) {
      const config = { kind, lr: 0.1, clip: 0, decay: 2 };
      const { params: next } = optimizerStep(params, zero, initOptimizer(params, config), config);
      expect(Array.from(await next.w.data())).toEqual(Array(4).fill(Math.fround(0.8)));
      expect(Array.from(await next.b.data())).toEqual([1, 1]);
    }
  });

  it('without decay a zero gradient leaves every parameter as it was', async () => {
    const params = { w: tf.ones([2, 2]), b: tf.ones([2]) };
    const zero = { w: tf.zeros([2, 2]), b: tf.zeros([2]) };
    const config = { kind: 'adam' as const, lr: 0.1, clip: 0 };
    const { params: next } = optimizerStep(params, zero, initOptimizer(params, config), config);
    expect(Array.from(await next.w.data())).toEqual([1, 1, 1, 1]);
  });
});
