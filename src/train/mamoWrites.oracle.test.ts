// MAMO's memory writes (train/mamoWrites.ts writeAfterBatch over mamoMeta.ts's write ingredients) against a
// float64 oracle (tests/oracle/mamo64.ts) that adapts every task, takes its query gradient w.r.t. the
// adapted theta_u by hand-written backprop, clips it and blends the three memories one task at a time:
// the values written, not only agreement between strategies.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import type { MamoDims, MamoParams } from '../models/mamo';
import type { MemoryState } from '../models/memory';
import { batchTensors, makeBatch } from './batch';
import { writeAfterBatch } from './mamoWrites';
import { mamoMetaGradient, type MamoConfig, type MamoStrategy } from './mamoMeta';
import { tinyProblem } from '../../tests/helpers/tinyProblem';
import { switchToWebGPU } from '../../tests/helpers/webgpu';
import { mamoShapes, randomRecord, toFlat } from '../../tests/helpers/params';
import type { Problem64 } from '../../tests/oracle/melu64';
import { mamoWrites64, writeMemory64, type MamoSetup64, type Memory64 } from '../../tests/oracle/mamo64';

const E = 3;
const H = 4;
const K = 3;
const prob = tinyProblem(23, { tasks: 5 });
const dims: MamoDims = { e: E, hidden: H, slots: K, user: prob.layout.user, item: prob.layout.item };
const DU = prob.layout.user.indexFields * E;
const SIZES = [DU * H, H, H * E, E]; // wu1, bu1, wu2, bu2: M_U's flat order
const USER_NET = SIZES.reduce((a, b) => a + b, 0);
const taskIds = [0, 1, 2, 3, 4];
const p64: Problem64 = { layout: prob.layout, tasks: prob.tasks, taskIds, e: E };
const TAU = 0.5;
const SCALE = 2;
// the paper's alpha, beta, gamma (the oracle's names; config profileWriteRate, gradientWriteRate, preferenceWriteRate)
const RATES = { alpha: 0.5, beta: 0.3, gamma: 0.2 };

function makeParams(): MamoParams {
  const r = randomRecord(mamoShapes(prob.layout, E, H), 7, 0.7);
  return { ...r, br3: tf.add(r.br3, 3) } as unknown as MamoParams;
}

async function makeMemory(): Promise<{ memory: MemoryState; memory64: Memory64 }> {
  const m = randomRecord({ profile: [K, DU], gradient: [K, USER_NET], task: [K, E, 2 * E] }, 8, 0.8);
  const parts = tf.split(m.gradient!, SIZES, 1) as tf.Tensor2D[];
  const [taskUser, taskItem] = tf.split(m.task!, 2, 2) as tf.Tensor3D[];
  return {
    memory: {
      profile: m.profile as tf.Tensor2D,
      gradient: { wu1: parts[0]!, bu1: parts[1]!, wu2: parts[2]!, bu2: parts[3]! },
      taskUser: taskUser!,
      taskItem: taskItem!,
    },
    memory64: {
      k: K,
      profile: Float64Array.from(await m.profile.data()),
      gradient: Float64Array.from(await m.gradient.data()),
      task: Float64Array.from(await m.task.data()),
    },
  };
}

/** The written state in the oracle's flat layouts: M_P [K, Du], M_U [K, |theta_u|], M_UI [K, e, 2e]. */
async function flatState(m: MemoryState) {
  return {
    profile: await m.profile.data(),
    gradient: await tf.concat([m.gradient.wu1, m.gradient.bu1, m.gradient.wu2, m.gradient.bu2], 1).data(),
    task: await tf.concat([m.taskUser, m.taskItem], 2).data(),
  };
}

function maxRelative(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) scale = Math.max(scale, Math.abs(b[i]!));
  for (let i = 0; i < b.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst / Math.max(scale, 1e-12);
}

// webgpu (Dawn in Node): the strategies it runs, through its fused kernels (tile, ReLU adjoint, writes)
for (const backend of ['cpu', 'wasm', 'webgpu'] as const) {
  describe(`MAMO memory writes = float64 oracle on ${backend}`, () => {
    let available = true;
    beforeAll(async () => {
      if (backend === 'webgpu') available = await switchToWebGPU();
      else expect(await tf.setBackend(backend)).toBe(true);
    });
    const strategies =
      backend === 'webgpu' ? (['tile', 'ragged'] as const) : (['tile', 'ragged', 'loop'] as const);

    for (const strategy of strategies satisfies readonly MamoStrategy[]) {
      for (const memoryWrite of ['paper', 'slot-gated'] as const) {
        // clip 0.05 scales (almost) every task's gradient down; 0 writes it as it is
        for (const gradClip of [0, 0.05]) {
          it(`${strategy}, ${memoryWrite} writes, clip ${gradClip}, 2 local steps`, async (ctx) => {
            if (!available) return ctx.skip();
            const params = makeParams();
            const { memory, memory64 } = await makeMemory();
            const cfg: MamoConfig = {
              steps: 2,
              lr: 0.1,
              order: 'first-order',
              personalInitScale: TAU,
              attentionScale: SCALE,
            };
            const batch = batchTensors(makeBatch(prob.tasks, taskIds, prob.layout), prob.layout);
            const r = mamoMetaGradient(strategy, params, memory, dims, batch, cfg);
            const written = await flatState(
              writeAfterBatch(memory, r, {
                profileWriteRate: RATES.alpha,
                gradientWriteRate: RATES.beta,
                preferenceWriteRate: RATES.gamma,
                gradClip,
                memoryWrite,
              }),
            );
            const setup: MamoSetup64 = {
              prob: p64,
              hidden: H,
              tau: TAU,
              scale: SCALE,
              slope: 0.1,
              memory: memory64,
            };
            const writes = mamoWrites64(await toFlat(params), setup, 2, 0.1);
            if (gradClip > 0) {
              const norms = writes.map((w) => Math.hypot(...w.userGradient));
              expect(norms.filter((n) => n > gradClip).length).toBeGreaterThan(2);
            }
            const oracle = writeMemory64(memory64, writes, RATES, memoryWrite, gradClip);
            expect(maxRelative(written.profile, oracle.profile)).toBeLessThan(1e-5);
            expect(maxRelative(written.gradient, oracle.gradient)).toBeLessThan(1e-5);
            expect(maxRelative(written.task, oracle.task)).toBeLessThan(1e-5);
            // the writes moved every memory (a test of something, not of the initial state)
            expect(maxRelative(written.gradient, memory64.gradient)).toBeGreaterThan(1e-3);
            expect(maxRelative(written.task, memory64.task)).toBeGreaterThan(1e-3);
          });
        }
      }
    }
  });
}
