import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerSharedIdentity } from './identityWasm';

beforeAll(async () => {
  expect(await tf.setBackend('wasm')).toBe(true);
  registerSharedIdentity();
});

describe('sharing Identity kernel on tfjs-wasm', () => {
  it('a clone shares the data, outlives its source and frees the memory with the last reference', async () => {
    const before = tf.memory().numDataBuffers;
    const x = tf.tensor2d([
      [1, 2],
      [3, 4],
    ]);
    const y = tf.clone(x);
    expect(tf.memory().numDataBuffers).toBe(before + 1); // one buffer for both: no copy
    x.dispose();
    expect(Array.from(await y.data())).toEqual([1, 2, 3, 4]);
    expect(tf.memory().numDataBuffers).toBe(before + 1);
    y.dispose();
    expect(tf.memory().numDataBuffers).toBe(before);
  });

  it('gradients that save their inputs (cloned through Identity) are unchanged', async () => {
    const x = tf.tensor1d([0.5, -1, 2]);
    const f = (v: tf.Tensor) => tf.sum(tf.mul(tf.square(v), tf.relu(v)));
    const g = tf.grad(f)(x);
    // d/dv v^2 relu(v) = 3 v^2 for v > 0, 0 otherwise
    expect(Array.from(await g.data())).toEqual([0.75, 0, 12]);
    const start = tf.memory().numTensors;
    for (let i = 0; i < 20; i++) tf.tidy(() => void tf.grad(f)(x));
    expect(tf.memory().numTensors).toBe(start);
  });
});
