// The fused kernels of issue #22 on webgpu (Dawn in Node) against their composed forms on cpu: the
// ReLU adjoint and the per-task tile (kernels/elementwiseWebgpu.ts, with their registered gradients),
// the global-norm clip scale (kernels/normWebgpu.ts) and the optimizers reading it; and wasm's fused
// updates (kernels/optimizerWasm.ts): the SIMD module's pass for every tensor, and without the module
// the JS loops for small tensors.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, expect, it } from 'vitest';
import { reluBackward, tileTasksFused } from './elementwiseWebgpu';
import { leakyRelu } from '../models/ops';
import { globalClipScale } from './normWebgpu';
import { WASM_FUSED_MAX } from './optimizerWasm';
import { setSimdKernels } from './simdWasm';
import { switchToWebGPU } from '../../tests/helpers/webgpu';
import { initOptimizer, optimizerStep } from '../train/optim';
import { tileTasks } from '../train/meta';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const values = async (t: tf.Tensor) => Array.from(await t.data());
const close = (a: number[], b: number[], digits = 5) => {
  expect(a.length).toBe(b.length);
  a.forEach((v, i) => expect(v).toBeCloseTo(b[i]!, digits));
};
/** Deterministic values with both signs and exact zeros. */
const wave = (shape: number[], phase: number) => {
  const n = shape.reduce((s, k) => s * k, 1);
  return tf.tensor(
    Array.from({ length: n }, (_, i) => (i % 7 === 3 ? 0 : Math.sin(1.3 * i + phase) * (1 + (i % 5)))),
    shape,
  );
};

it('the ReLU adjoint and the per-task tile: one kernel each on webgpu, the composed values and gradients', async (ctx) => {
  await tf.setBackend('cpu');
  expect(tileTasksFused(tf.ones([2]), 3)).toBeNull(); // composed elsewhere
  if (!(await switchToWebGPU())) return ctx.skip();
  const run = async (backend: string) => {
    await tf.setBackend(backend);
    const dy = wave([5, 6], 0.2);
    const x = wave([5, 6], 1.1);
    const w = wave([4, 3], 0.7);
    const out: number[][] = [];
    for (const slope of [0, 0.2]) out.push(await values(reluBackward(dy, x, slope)));
    const tiled = tileTasks(w, 3);
    expect(tiled.shape).toEqual([3, 4, 3]);
    out.push(await values(tiled));
    // gradients through both: d/dw sum(c * tile(w)) = sum over tasks of c; d/d(dy) of the adjoint
    const c = wave([3, 4, 3], 2.3);
    out.push(await values(tf.grad((v: tf.Tensor) => tf.sum(tf.mul(c, tileTasks(v, 3))))(w)));
    const [gdy, gx] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(x, reluBackward(a, b, 0.2))))([
      dy,
      x,
    ]);
    out.push(await values(gdy!), await values(gx!));
    return out;
  };
  const cpu = await run('cpu');
  const gpu = await run('webgpu');
  const [dy, x, w] = [wave([5, 6], 0), wave([5, 6], 1), wave([4, 3], 0)];
  // (tf.profile reuses its result object: read each before the next)
  const names = async (f: () => tf.Tensor) => (await tf.profile(f)).kernels.map((k) => k.name);
  expect(await names(() => reluBackward(dy, x, 0.2))).toEqual(['MetaRecReluBackward']);
  expect(await names(() => tileTasks(w, 3))).toEqual(['MetaRecTileTasks']);
  cpu.forEach((v, i) => close(gpu[i]!, v, 6));
  await tf.setBackend('cpu');
});

it('the global-norm clip scale on webgpu: one to three kernels for 1 to 14 tensors, the composed value', async (ctx) => {
  if (!(await switchToWebGPU())) return ctx.skip();
  for (const n of [1, 6, 7, 14]) {
    // norms: sqrt(sum_k (k+1)^2 * size_k), sizes 3, 64 ... and one larger than a workgroup's stride
    const shapes = Array.from({ length: n }, (_, k) => (k % 3 === 0 ? [3] : k % 3 === 1 ? [8, 8] : [20, 33]));
    const grads = shapes.map((s, k) => tf.fill(s, (k + 1) * 0.5));
    const squares = shapes.reduce(
      (acc, s, k) => acc + ((k + 1) * 0.5) ** 2 * s.reduce((a, b) => a * b, 1),
      0,
    );
    for (const clip of [1, 1e6]) {
      let scale: tf.Tensor | null = null;
      const profile = await tf.profile(() => {
        scale = globalClipScale(grads, clip);
        return scale!;
      });
      expect(profile.kernels.every((k) => k.name === 'MetaRecSquares')).toBe(true);
      expect(profile.kernels.length).toBeLessThanOrEqual(Math.ceil(n / 6));
      const expected = Math.min(1, clip / (Math.sqrt(squares) + 1e-12));
      expect((await scale!.data())[0]! / expected).toBeCloseTo(1, 5);
    }
  }
  await tf.setBackend('cpu');
});

it('SGD and Adam (clip, decay, a key rate) fused on webgpu and wasm (SIMD: every tensor; JS: small ones): the composed steps on cpu', async () => {
  const gpu = await switchToWebGPU();
  const run = async (backend: string, kind: 'adam' | 'sgd', clip: number, simd = true) => {
    await tf.setBackend(backend);
    setSimdKernels(simd);
    const config = { kind, lr: 0.05, clip, decay: 0.3, keyLr: { b: 0.2 } };
    // big: over WASM_FUSED_MAX elements (composed on wasm without the SIMD module); sizes 6, 3, 36 and
    // 17,030 take the SIMD loops' vector bodies and scalar tails
    let params: Record<string, tf.Tensor> = {
      w: wave([2, 3], 0.4),
      b: wave([3], 1.9),
      t: wave([9, 4], 0.1),
      big: wave([131, 130], 0.8),
    };
    let state = initOptimizer(params, config);
    const kernels: string[] = [];
    for (let k = 1; k <= 3; k++) {
      const grads = {
        w: tf.mul(params.w!, k * 0.7),
        b: tf.sub(params.b!, k),
        t: tf.mul(params.t!, -k),
        big: tf.mul(params.big!, 0.1 * k),
      };
      const profile = await tf.profile(() => {
        ({ params, state } = optimizerStep(params, grads, state, config));
        return Object.values(params);
      });
      if (k === 1) kernels.push(...profile.kernels.map((x) => x.name));
    }
    const out = [
      params.w!,
      params.b!,
      params.t!,
      params.big!,
      ...(state.m ? [state.m.w!, state.v!.big!] : []),
    ];
    return { values: await Promise.all(out.map(values)), kernels };
  };
  expect(131 * 130).toBeGreaterThan(WASM_FUSED_MAX);
  const runs = [
    ...(gpu ? [['webgpu', true] as const] : []),
    ['wasm', true] as const,
    ['wasm', false] as const,
  ];
  for (const kind of ['adam', 'sgd'] as const)
    for (const clip of [0, 0.5, 100]) {
      const cpu = await run('cpu', kind, clip);
      const update = kind === 'adam' ? 'MetaRecAdam' : 'MetaRecSgd';
      for (const [backend, simd] of runs) {
        const fused = await run(backend, kind, clip, simd);
        cpu.values.forEach((v, i) => close(fused.values[i]!, v, 5));
        if (backend === 'webgpu')
          // one kernel per tensor, and one for the clip's scale (at most 6 tensors per kernel)
          expect(fused.kernels).toEqual([...(clip > 0 ? ['MetaRecSquares'] : []), ...Array(4).fill(update)]);
        // wasm: all four fused by the SIMD module; without it the three small tensors, the big one composed
        else expect(fused.kernels.filter((k) => k === update)).toHaveLength(simd ? 4 : 3);
      }
    }
  setSimdKernels(true);
  await tf.setBackend('cpu');
});

it('leaky ReLU on wasm (SIMD module): one kernel forward and one backward, the cpu values and gradients to second order', async () => {
  const x = wave([7, 9], 0.4); // 63 floats: vector bodies and a scalar tail, exact zeros included
  const run = async (backend: string) => {
    await tf.setBackend(backend);
    const out: number[][] = [];
    for (const slope of [0, 0.2]) {
      out.push(await values(leakyRelu(x, slope)));
      out.push(await values(reluBackward(wave([7, 9], 2.1), x, slope)));
      // first and second derivatives of sum(c * leakyRelu(v)^2) in v
      const c = wave([7, 9], 1.7);
      const f = (v: tf.Tensor) => tf.sum(tf.mul(c, tf.square(leakyRelu(v, slope))));
      out.push(await values(tf.grad(f)(x)));
      out.push(await values(tf.grad((v: tf.Tensor) => tf.sum(tf.grad(f)(v)))(x)));
    }
    return out;
  };
  const cpu = await run('cpu');
  const wasm = await run('wasm');
  cpu.forEach((v, i) => close(wasm[i]!, v, 5));
  // (customGrad's own record has no name)
  const names = async (f: () => tf.Tensor) =>
    (await tf.profile(f)).kernels.map((k) => k.name).filter((n) => n !== '');
  expect(await names(() => leakyRelu(x, 0.2))).toEqual(['MetaRecLeakyRelu']);
  expect(await names(() => reluBackward(x, x, 0.2))).toEqual(['MetaRecReluBackward']);
  setSimdKernels(false);
  expect(await names(() => leakyRelu(x, 0.2))).toEqual(['LeakyRelu']);
  setSimdKernels(true);
  await tf.setBackend('cpu');
});
