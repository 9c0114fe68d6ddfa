import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { clipByGlobalNorm, initOptimizer, optimizerStep } from './optim';
import { switchToWebGPU } from '../../tests/helpers/webgpu';
import { squaredNorm } from '../models/params';

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

describe('the fused update kernels on webgpu (kernels/optimizerWebgpu.ts)', () => {
  it('give the composed ops’ parameters and moments over 3 steps (Adam and SGD, decay, a key rate)', async (ctx) => {
    if (!(await switchToWebGPU())) return ctx.skip();
    const run = async (backend: string, kind: 'adam' | 'sgd') => {
      await tf.setBackend(backend);
      const config = { kind, lr: 0.05, clip: 0, decay: 0.3, keyLr: { b: 0.2 } };
      let params: Record<string, tf.Tensor> = {
        w: tf.tensor2d([0.5, -1, 2, 0.25, 3, -0.7], [2, 3]),
        b: tf.tensor1d([0.1, -0.2, 0.3]),
      };
      let state = initOptimizer(params, config);
      for (let k = 1; k <= 3; k++) {
        const grads = { w: tf.mul(params.w!, k * 0.7), b: tf.sub(params.b!, k) };
        ({ params, state } = optimizerStep(params, grads, state, config));
      }
      const out = [params.w!, params.b!, ...(state.m ? [state.m.w!, state.v!.b!] : [])];
      return Promise.all(out.map(async (t) => Array.from(await t.data())));
    };
    for (const kind of ['adam', 'sgd'] as const) {
      const cpu = await run('cpu', kind);
      const gpu = await run('webgpu', kind);
      cpu.forEach((values, i) => values.forEach((v, j) => expect(gpu[i]![j]!).toBeCloseTo(v, 5)));
    }
  });
});

it('clips by the global norm of 14 tensors on webgpu as on cpu (AddN of at most 7 inputs there)', async (ctx) => {
  if (!(await switchToWebGPU())) return ctx.skip();
  const norms: number[] = [];
  for (const backend of ['cpu', 'webgpu']) {
    await tf.setBackend(backend);
    const grads = Object.fromEntries(Array.from({ length: 14 }, (_, k) => [`g${k}`, tf.fill([3], k + 1)]));
    const clipped = clipByGlobalNorm(grads, 1);
    norms.push(Math.sqrt((await squaredNorm(clipped).data())[0]!));
    norms.push((await clipped.g13!.data())[0]!);
  }
  expect(norms[0]).toBeCloseTo(1, 5);
  expect(norms[2]).toBeCloseTo(1, 5);
  expect(norms[3]).toBeCloseTo(norms[1]!, 6);
});
