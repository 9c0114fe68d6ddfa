// The meta-gradients of both models on the real tfjs WebGPU backend (Dawn + SwiftShader in Node)
// equal the cpu backend's, which the float64 finite-difference tests check. Tiny shapes: SwiftShader
// is slow (webgpu-feasibility.md).
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import type { MamoDims, MamoParams } from '../models/mamo';
import type { MeluDims, MeluParams } from '../models/melu';
import type { MemoryState } from '../models/memory';
import { batchTensors, makeBatch } from './batch';
import { mamoMetaGradient } from './mamoMeta';
import { meluMetaGradient } from './meluMeta';
import { tinyProblem } from '../../tests/helpers/tinyProblem';
import { mamoShapes, meluShapes, randomRecord } from '../../tests/helpers/params';
import { switchToWebGPU } from '../../tests/helpers/webgpu';

const prob = tinyProblem(5, { tasks: 3 });
const E = 3;
const H = 4;
const DU = prob.layout.user.indexFields * E;

/** Runs f on cpu and on webgpu with the same host inputs and returns both gradient records as arrays. */
async function onBoth(
  f: () => Record<string, tf.Tensor>,
): Promise<[Record<string, Float32Array>, Record<string, Float32Array>]> {
  const read = async (r: Record<string, tf.Tensor>) =>
    Object.fromEntries(
      await Promise.all(Object.entries(r).map(async ([k, t]) => [k, (await t.data()) as Float32Array])),
    );
  await tf.setBackend('cpu');
  const cpu = await read(f());
  await switchToWebGPU();
  const gpu = await read(f());
  return [cpu, gpu];
}

function maxRelative(a: Record<string, Float32Array>, b: Record<string, Float32Array>): number {
  let diff = 0;
  let scale = 1e-8;
  for (const key of Object.keys(a)) {
    a[key]!.forEach((v, i) => {
      diff = Math.max(diff, Math.abs(v - b[key]![i]!));
      scale = Math.max(scale, Math.abs(v));
    });
  }
  return diff / scale;
}

describe('meta-gradients on WebGPU equal cpu', () => {
  it('MeLU, algebraic and tile, second order', async (ctx) => {
    if (!(await switchToWebGPU())) return ctx.skip();
    const dims: MeluDims = { e: E, hidden: H, user: prob.layout.user, item: prob.layout.item };
    for (const strategy of ['algebraic', 'tile'] as const) {
      const [cpu, gpu] = await onBoth(() => {
        const params = randomRecord(meluShapes(prob.layout, E, H), 1) as unknown as MeluParams;
        const b = batchTensors(makeBatch(prob.tasks, [0, 1, 2], prob.layout), prob.layout);
        const g = meluMetaGradient(strategy, params, dims, b, { steps: 1, lr: 0.05, order: 'second-order' });
        return { loss: g.loss, ...g.grads };
      });
      expect(maxRelative(cpu, gpu)).toBeLessThan(1e-4);
    }
  });

  it('MAMO tile, first order, with the memory-write ingredients', async (ctx) => {
    if (!(await switchToWebGPU())) return ctx.skip();
    const dims: MamoDims = { e: E, hidden: H, slots: 2, user: prob.layout.user, item: prob.layout.item };
    const [cpu, gpu] = await onBoth(() => {
      const params = randomRecord(mamoShapes(prob.layout, E, H), 2) as unknown as MamoParams;
      const m = randomRecord(
        {
          profile: [2, DU],
          wu1: [2, DU * H],
          bu1: [2, H],
          wu2: [2, H * E],
          bu2: [2, E],
          tu: [2, E, E],
          ti: [2, E, E],
        },
        3,
      );
      const memory: MemoryState = {
        profile: m.profile as tf.Tensor2D,
        gradient: { wu1: m.wu1, bu1: m.bu1, wu2: m.wu2, bu2: m.bu2 } as MemoryState['gradient'],
        taskUser: m.tu as tf.Tensor3D,
        taskItem: m.ti as tf.Tensor3D,
      };
      const b = batchTensors(makeBatch(prob.tasks, [0, 1, 2], prob.layout), prob.layout);
      const r = mamoMetaGradient('tile', params, memory, dims, b, {
        steps: 1,
        lr: 0.1,
        order: 'first-order',
        personalInitScale: 0.5,
        attentionScale: 2,
      });
      return { loss: r.loss, attention: r.attention, ...r.userGradients, ...r.grads };
    });
    expect(maxRelative(cpu, gpu)).toBeLessThan(1e-4);
  });
});
