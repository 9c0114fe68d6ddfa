/**
 * Which meta-step formulation runs on which backend: the one place that decides (design.md). The
 * choices follow `npm run bench` (docs/results.md, "meta-step strategies"): every strategy computes the
 * same numbers (tests), only speed differs.
 */
import type { TrainConfig } from '../config/experiment';
import type { BackendName } from '../kernels/backend';
import { hasSegmentKernel } from '../kernels/segmentMatMul';
import type { MamoStrategy } from './mamoMeta';
import type { MeluStrategy } from './meluMeta';
import type { Form } from './perTask';

/**
 * The meta-step plan for a model on a backend: ragged (flat unpadded rows, the segmented and row
 * kernels) wherever those kernels exist (cpu, wasm, webgpu: kernels/segmentMatMul.ts, rowsWasm.ts and
 * their WGSL versions), else MeLU's algebraic form (one local step) or tile. The meta-gradient functions
 * run the strategy they are given; this is the only place that checks the backend.
 */
export function chooseStrategy(
  model: TrainConfig['model'],
  backend: BackendName,
  innerSteps: number,
): MeluStrategy | MamoStrategy {
  const ragged = hasSegmentKernel(backend);
  // MeLU, one local step: ragged (segmented kernel, no padding); measured on the partial ML-1M
  // published split, melu-paper preset, interleaved runs: wasm ~1,700-2,200 vs ~1,050-1,130 tasks/s
  // for algebraic, cpu ~50 vs ~27. Several local steps on wasm/cpu: ragged, tile's per-task weights on
  // unpadded rows (partial ML-1M, MeLU-5, `npx tsx bench/metaStep.ts melu <ragged|tile|loop> wasm 6 1 5
  // <order>`, 2026-12-02, another job running): first order ragged 302 tasks/s, loop 118, tile 84;
  // second order ragged 189, tile 26, loop 10. webgpu (issue #22): no padded rows, and fewer kernels
  // (a real GPU pays ~25 us of tfjs bookkeeping per kernel): 143 tfjs kernels per first-order step
  // (its backward by hand) against algebraic's 336 (docs/results.md, "WebGPU kernels per meta-step",
  // counted on SwiftShader).
  // Without the kernels (webgl): algebraic or tile.
  if (model === 'melu') {
    if (ragged) return 'ragged';
    return innerSteps === 1 ? 'algebraic' : 'tile';
  }
  // MAMO: ragged where the kernels exist; partial ML-1M published split, mamo-paper preset, wasm,
  // interleaved runs (`npx tsx bench/metaStep.ts mamo <tile|ragged> wasm 25 1`, 2026-12-02, another job
  // running): ragged 433 and 565 tasks/s, tile 226 and 237; cpu (`... cpu 4 1`): ragged 40, tile 26.
  // webgpu: ragged as issue #22 decided (no padded rows), and fewer tfjs kernels than tile there
  // (390 against 588 per first-order step with ragged's backward by hand, docs/results.md); to revisit
  // with timings on a real GPU.
  // Elsewhere tile.
  return ragged ? 'ragged' : 'tile';
}

/**
 * How many support-length groups a meta-batch is split into (batch.ts groupBySupport): fewer padded
 * rows in the per-task products against more kernel launches. Chosen with `npm run bench`
 * (docs/results.md); 1 = no split.
 */
export function supportGroups(
  _model: TrainConfig['model'],
  _backend: BackendName,
  _batchSize: number,
): number {
  // Measured on the partial ML-1M published split (docs/results.md): MeLU's algebraic step pads only
  // small corrections, so splitting costs more than it saves; MAMO's tile step gained nothing reliable
  // (median 220 vs 259 tasks/s with 2 groups, ranges overlapping), and its ragged step (wasm, cpu)
  // pads nothing. The bench keeps comparing.
  return 1;
}

/**
 * How a MeLU computation runs, resolved from the plan and its number of local steps: the row layout
 * ('loop': one task at a time; 'padded' [T, L, .]; 'ragged': unpadded rows through the segmented
 * kernel) and the formulation ('one-step algebra': one unclipped local step, no per-task weights ever
 * formed, x (W - a X^T D) = x W - a (x X^T) D; 'per-task weights': the weights tiled per task and k
 * local SGD steps). The meta-gradient and prediction read this and nothing else.
 */
export interface MeluPlan {
  readonly layout: 'loop' | 'padded' | 'ragged';
  readonly formulation: 'one-step algebra' | 'per-task weights';
}

export function meluPlan(strategy: MeluStrategy, steps: number, clipped = false): MeluPlan {
  const oneStep = steps === 1 && !clipped;
  if (strategy === 'loop') return { layout: 'loop', formulation: 'per-task weights' };
  if (strategy === 'ragged')
    return { layout: 'ragged', formulation: oneStep ? 'one-step algebra' : 'per-task weights' };
  return {
    layout: 'padded',
    formulation: strategy === 'algebraic' && oneStep ? 'one-step algebra' : 'per-task weights',
  };
}

/** The row form of a plan's per-task weights (MeLU and MAMO): ragged rows, else padded (the loop's adaptation is the padded one's, tested). */
export function formOf(strategy: MeluStrategy | MamoStrategy): Form {
  return strategy === 'ragged' ? 'ragged' : 'tile';
}
