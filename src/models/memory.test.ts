import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { attention, blendWrite, cosine, initMemory, readMemory, writeMemory } from './memory';
import { createRng } from '../lib/rng';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** A [2, 3] memory, the attention of 4 tasks over its 2 slots and the 4 tasks' values [4, 3]. */
function writeFixture(seed: number) {
  const rng = createRng(seed);
  const memory = tf.tensor2d(
    Array.from({ length: 6 }, () => rng.normal()),
    [2, 3],
  );
  const a = tf.tensor2d([
    [0.2, 0.8],
    [0.6, 0.4],
    [0.5, 0.5],
    [1, 0],
  ]);
  const values = tf.tensor2d(
    Array.from({ length: 12 }, () => rng.normal()),
    [4, 3],
  );
  return { memory, a, values };
}

describe('MAMO memory rules', () => {
  it('cosine is 1 for parallel, -1 for opposite, 0 for orthogonal vectors', async () => {
    const c = cosine(
      tf.tensor2d([[2, 0]]),
      tf.tensor2d([
        [1, 0],
        [-3, 0],
        [0, 5],
      ]),
    );
    expect(Array.from(await c.data()).map((v) => Math.round(v * 1e6) / 1e6)).toEqual([1, -1, 0]);
  });

  it('attention rows are a distribution that favours the closest slot', async () => {
    const memory = initMemory(createRng(1), 3, 4, [[2, 2], [2], [2, 1], [1]], 2);
    const a = attention(tf.slice(memory.profile, [1, 0], [1, 4]) as tf.Tensor2D, memory, 5);
    const values = Array.from(await a.data());
    expect(values.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 6);
    expect(values.indexOf(Math.max(...values))).toBe(1);
  });

  it('the closed-form write equals blending task after task', async () => {
    const { memory, a, values } = writeFixture(3);
    const rate = 0.3;
    let sequential = memory;
    for (let t = 0; t < 4; t++) {
      const at = tf.slice(a, [t, 0], [1, 2]);
      const vt = tf.slice(values, [t, 0], [1, 3]);
      sequential = tf.add(tf.mul(rate, tf.matMul(at, vt, true, false)), tf.mul(1 - rate, sequential));
    }
    const closed = blendWrite(memory, a, values, rate);
    const diff = tf.max(tf.abs(tf.sub(closed, sequential)));
    expect((await diff.data())[0]).toBeLessThan(1e-6);
  });

  it('the slot-gated closed form equals gated blends task after task, and keeps unread slots', async () => {
    const { memory, a, values } = writeFixture(4);
    const rate = 0.5;
    // M_k <- M_k + r a_tk (v_t - M_k), one task at a time
    let sequential = memory;
    for (let t = 0; t < 4; t++) {
      const gate = tf.reshape(tf.mul(rate, tf.slice(a, [t, 0], [1, 2])), [2, 1]);
      const vt = tf.slice(values, [t, 0], [1, 3]);
      sequential = tf.add(sequential, tf.mul(gate, tf.sub(vt, sequential)));
    }
    const closed = blendWrite(memory, a, values, rate, 'slot-gated');
    expect((await tf.max(tf.abs(tf.sub(closed, sequential))).data())[0]).toBeLessThan(1e-6);
    // a slot nobody reads is left exactly as it was (the printed rule would shrink it by (1 - r)^T)
    const unread = blendWrite(
      memory,
      tf.tensor2d([
        [1, 0],
        [1, 0],
      ]),
      tf.ones([2, 3]) as tf.Tensor2D,
      rate,
      'slot-gated',
    );
    expect(Array.from(await tf.slice(unread, [1, 0], [1, 3]).data())).toEqual(
      Array.from(await tf.slice(memory, [1, 0], [1, 3]).data()),
    );
  });

  it('reads b_u = a M_U and M_uI = a M_UI, and writes all three memories', async () => {
    const shapes = [[3, 2], [2], [2, 2], [2]];
    const memory = initMemory(createRng(2), 2, 3, shapes, 2);
    const a = tf.tensor2d([
      [1, 0],
      [0.25, 0.75],
    ]);
    const { bias, muiUser, muiItem } = readMemory(a, memory, shapes);
    expect(bias.wu1.shape).toEqual([2, 3, 2]);
    expect(bias.bu2.shape).toEqual([2, 2]);
    expect(muiUser.shape).toEqual([2, 2, 2]);
    // a = [1, 0] reads slot 0 exactly
    const slot0 = tf.slice(memory.taskItem, [0, 0, 0], [1, 2, 2]);
    expect((await tf.max(tf.abs(tf.sub(tf.slice(muiItem, [0, 0, 0], [1, 2, 2]), slot0))).data())[0]).toBe(0);
    const written = writeMemory(
      memory,
      a,
      {
        profiles: tf.ones([2, 3]) as tf.Tensor2D,
        userGradients: {
          wu1: tf.ones([2, 3, 2]),
          bu1: tf.ones([2, 2]),
          wu2: tf.ones([2, 2, 2]),
          bu2: tf.ones([2, 2]),
        },
        muiUser: tf.ones([2, 2, 2]),
        muiItem: tf.ones([2, 2, 2]),
      },
      { profile: 1, gradient: 0, preference: 0.5 },
    );
    // alpha = 1: only the last task's write survives: M_P[k] = a_last,k * p_last
    expect(Array.from(await written.profile.data())).toEqual([0.25, 0.25, 0.25, 0.75, 0.75, 0.75]);
    // beta = 0: M_U unchanged
    expect(Array.from(await written.gradient.wu1.data())).toEqual(
      Array.from(await memory.gradient.wu1.data()),
    );
    expect(written.taskUser.shape).toEqual([2, 2, 2]);
  });
});
