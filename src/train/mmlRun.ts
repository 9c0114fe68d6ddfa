/**
 * runMml(input, sink, control): MML (presets mml, mml-id, mml-text) from start to end, emitting the
 * same events and RunSummary as runExperiment (run.ts delegates here when model = 'mml'). Next-item
 * ranking: each cell's ScenarioMetrics carries `ranking` (Recall, MRR, NDCG at 5, 10, 20) and NaN
 * rating fields; the `evaluated` events carry `mml` (fusion weights per test task, the generator's
 * neighbours). No baselines (they predict ratings); no snapshots (restart only, as MELO).
 *
 * 1. X = textEmbeddings(item texts) [I+1, d_t] (row 0 zeros; seed 1: a property of the data);
 *    N = each item's K nearest training items by text; theta_m = initLearner(m) per learner;
 *    f = initFusion (two learners); g = initGenerator (an ID learner and K > 0).
 * 2. Evaluate before training, every `evalEvery` epochs and after the last.
 * 3. Each epoch: seeded order; per task a random window of its training sequence; per batch, per
 *    learner one first-order meta-gradient and a step of the meta optimizer (outer rate, clip; MML
 *    is first order only: second order is refused as a config failure); then one Adam step of
 *    f on the same batch's adapted learners (held constant).
 * 4. After each epoch: GENERATOR_STEPS full-batch Adam steps of g on L_gen (reconstruct every training
 *    item's ID row from its text neighbours, the row itself excluded).
 */
import * as tf from '@tensorflow/tfjs';
import { nearestNeighbours, textEmbeddings } from '../data/textEmbedding';
import { createRng, type Rng } from '../lib/rng';
import { yieldToEventLoop } from '../lib/yield';
import { initFusion, initLearner, type Modality } from '../models/mml';
import { generatorLoss, initGenerator } from '../models/mmlGenerator';
import { detached } from '../models/ops';
import { countScalars, disposeParams, fromList, keysOf, type ParamRecord } from '../models/params';
import { DIVERGENCE_LOSS, type ExperimentInput, type RunControl } from './epochs';
import type { EpochRecord, RunSummary, ScenarioRecord, TrainSink } from './events';
import { evaluateMml, type GeneratorTables, type MmlState } from './mmlEvaluate';
import { disposeMmlBatch, fusionGradient, learnerMetaGradient, mmlBatch, type MmlContext } from './mmlMeta';
import { disposeOptimizer, initOptimizer, ownedStep, type OptimizerState } from './optim';
import { evaluationSample } from './sample';
import { retainMml } from './sequenceInspect';
import {
  sequenceDims,
  sequenceEpochLoop,
  sequenceEpochSteps,
  sequenceSummary,
  type EpochOutcome,
} from './sequenceRun';

/** Full-batch generator steps after each epoch. */
const GENERATOR_STEPS = 30;
/** The generator's Adam rate (a small full-batch regression). */
const GENERATOR_LR = 1e-2;
/** Hidden width of the fusion MLP. */
const FUSION_WIDTH = 16;

type Opt = OptimizerState<ParamRecord>;
interface Owned {
  learners: Partial<Record<Modality, ParamRecord>>;
  fusion: ParamRecord | null;
  generator: ParamRecord | null;
  opts: Map<string, Opt>;
}

/** One optimiser step of the record `name` (its state in owned.opts); returns the new record. */
function step(
  owned: Owned,
  name: string,
  params: ParamRecord,
  grads: ParamRecord,
  lr: number,
  clip: number,
  kind: 'adam' | 'sgd' = 'adam',
) {
  const next = ownedStep(params, grads, owned.opts.get(name)!, { kind, lr, clip });
  owned.opts.set(name, next.state);
  return next.params;
}

/** The modalities of a configuration. */
export function modalitiesOf(learners: 'fusion' | 'id' | 'text'): Modality[] {
  return learners === 'fusion' ? ['id', 'text'] : [learners];
}

/** Runs MML and emits its events; resolves with the summary (also on stop or failure). */
export async function runMml(
  input: ExperimentInput,
  sink: TrainSink,
  control: RunControl = {},
): Promise<RunSummary> {
  const { config, split } = input;
  const startedAt = performance.now();
  const rng = createRng(config.seed).fork('mml');
  const modalities = modalitiesOf(config.mmlLearners);
  const rows = split.newItems.length + 1;
  const dims = sequenceDims(input);
  const epochs: EpochRecord[] = [];
  let last: { test: ScenarioRecord; validation: ScenarioRecord } = { test: {}, validation: {} };
  let evaluatedEpoch = 0;
  let parameters = 0;
  const summary = (): RunSummary =>
    sequenceSummary(input, startedAt, { parameters, epochs, last, evaluatedEpoch, baselines: {} });
  const texts = input.layout.itemText;
  const firstOrder = config.metaOrder === 'first-order';
  if (config.protocol !== 'sequence' || dims.hidden % dims.heads !== 0 || !texts || !firstOrder) {
    sink({
      type: 'failed',
      code: 'config',
      message: `Expected protocol sequence, a hidden size divisible by the attention heads, first-order meta-gradients and item texts for MML, got protocol ${config.protocol}, hidden ${dims.hidden}, heads ${dims.heads}, ${config.metaOrder}${texts ? '' : ', no item texts'}`,
      lastGoodEpoch: null,
    });
    return summary();
  }
  // 1. text table, neighbours among training items, records
  const embedded = textEmbeddings(texts, { dim: config.textDim, seed: 1 });
  const textRows = new Float32Array(rows * config.textDim);
  textRows.set(embedded, config.textDim);
  const trained = new Uint8Array(rows);
  for (const i of split.train.supportItems) trained[i + 1] = 1;
  for (const i of split.train.queryItems) trained[i + 1] = 1;
  const K = config.generatorNeighbours;
  const useGenerator = modalities.includes('id') && K > 0;
  let tables: GeneratorTables | null = null;
  if (useGenerator) {
    const candidates = Int32Array.from({ length: rows - 1 }, (_, i) => i).filter((i) => trained[i + 1]);
    const nb = nearestNeighbours(embedded, config.textDim, candidates, K);
    const neighbours = new Int32Array(rows * K);
    for (let j = 0; j < nb.length; j++) neighbours[K + j] = nb[j]! + 1;
    const unseen = Int32Array.from({ length: rows - 1 }, (_, i) => i + 1).filter((r) => !trained[r]);
    tables = { neighbours, k: K, unseen };
  }
  const text = tf.tensor2d(textRows, [rows, config.textDim]);
  const ctx: MmlContext = { dims, text, steps: config.innerSteps, lr: config.innerLr };
  const owned: Owned = { learners: {}, fusion: null, generator: null, opts: new Map() };
  const adam = (record: ParamRecord, clip: number, kind: 'adam' | 'sgd' = 'adam') =>
    initOptimizer(record, { kind, lr: config.outerLr, clip });
  for (const m of modalities) {
    owned.learners[m] = initLearner(m, dims, config.textDim, rng.fork(m));
    owned.opts.set(m, adam(owned.learners[m]!, config.gradClip, config.outerOptimizer));
  }
  if (modalities.length > 1) {
    owned.fusion = initFusion(modalities, dims.hidden, FUSION_WIDTH, rng.fork('fusion'));
    owned.opts.set('fusion', adam(owned.fusion, 0));
  }
  if (useGenerator) {
    owned.generator = initGenerator(config.textDim, dims.hidden, rng.fork('generator'));
    owned.opts.set('generator', adam(owned.generator, 0));
  }
  const state = (): MmlState => ({
    learners: owned.learners,
    fusion: owned.fusion,
    generator: owned.generator as MmlState['generator'],
  });
  // the learned records and the text table go to the drill-down when the run finishes or is stopped
  let handedOver = false;
  const handOver = () => {
    if (!control.retainSequence) return;
    control.retainSequence(retainMml(state(), ctx, tables));
    handedOver = true;
  };
  const records = [...Object.values(owned.learners), owned.fusion, owned.generator];
  parameters = records.reduce((s, r) => s + (r ? countScalars(r) : 0), 0);
  const stepsPerEpoch = Math.ceil(split.train.count / config.batchSize);
  const sample = evaluationSample(config.seed, config.evalUsers);
  try {
    sink({
      type: 'started',
      backend: input.backend,
      split: split.summary,
      config,
      parameters,
      stepsPerEpoch,
      strategy: `mml (${modalities.join(' + ')}${owned.fusion ? ', fusion' : ''}${useGenerator ? `, generator K=${K}` : ''}; first order)`,
    });
    // 2. evaluations
    const evaluate = async (epoch: number) => {
      const t0 = performance.now();
      const roles = control.validationOnly ? (['validation'] as const) : (['validation', 'test'] as const);
      const r = await evaluateMml(
        state(),
        input,
        ctx,
        tables,
        sample,
        roles,
        control.onTestRanks && ((s, set, ranks) => control.onTestRanks!(epoch, s, set, ranks)),
      );
      last = { test: r.test, validation: r.validation };
      evaluatedEpoch = epoch;
      sink({
        type: 'evaluated',
        epoch,
        test: last.test,
        validation: last.validation,
        seconds: (performance.now() - t0) / 1000,
        ...(r.inspection ? { mml: r.inspection } : {}),
      });
    };
    return await sequenceEpochLoop(input, sink, {
      epochs,
      evaluate,
      evaluatedEpoch: () => evaluatedEpoch,
      trainEpoch: (e) => trainEpoch(owned, input, ctx, modalities, e, rng.fork(`epoch${e}`), control, sink),
      // 4. the generator, on the epoch's ID table
      afterSteps: async () => {
        if (tables && owned.generator) await trainGenerator(owned, ctx, tables, trained);
      },
      handOver,
      summary,
    });
  } finally {
    if (!handedOver) {
      for (const r of [...Object.values(owned.learners), owned.fusion, owned.generator])
        if (r) disposeParams(r);
      text.dispose();
    }
    for (const o of owned.opts.values()) disposeOptimizer(o);
  }
}

/** Step 3: one epoch of meta-steps per learner and fusion steps; mean learner query loss. */
function trainEpoch(
  owned: Owned,
  input: ExperimentInput,
  ctx: MmlContext,
  modalities: readonly Modality[],
  epoch: number,
  rng: Rng,
  control: RunControl,
  sink: TrainSink,
): Promise<EpochOutcome> {
  const { config } = input;
  return sequenceEpochSteps(input, ctx.dims.length, epoch, rng, control, sink, async (windows, k) => {
    const batch = mmlBatch(windows, ctx.dims.length);
    const sides: { scores: tf.Tensor; reps: tf.Tensor2D }[] = [];
    let loss = 0;
    try {
      for (const m of modalities) {
        const g = tf.tidy(() => {
          const r = learnerMetaGradient(owned.learners[m]!, ctx, batch);
          return {
            loss: r.loss,
            grads: r.grads,
            scores: r.side.scores,
            reps: r.side.reps,
          } as unknown as tf.TensorContainer;
        }) as unknown as { loss: tf.Scalar; grads: ParamRecord; scores: tf.Tensor; reps: tf.Tensor2D };
        sides.push({ scores: g.scores, reps: g.reps });
        const value = (await g.loss.data())[0]!;
        g.loss.dispose();
        if (!Number.isFinite(value) || value > DIVERGENCE_LOSS) {
          disposeParams(g.grads);
          return { loss: value, diverged: `${m} meta-loss ${value} at epoch ${epoch}, step ${k + 1}` };
        }
        owned.learners[m] = step(
          owned,
          m,
          owned.learners[m]!,
          g.grads,
          config.outerLr,
          config.gradClip,
          config.outerOptimizer,
        );
        disposeParams(g.grads);
        loss += value / modalities.length;
      }
      if (owned.fusion) {
        const g = tf.tidy(() => fusionGradient(owned.fusion!, modalities, sides, batch).grads);
        owned.fusion = step(owned, 'fusion', owned.fusion, g, config.outerLr, 0);
        disposeParams(g);
      }
    } finally {
      disposeMmlBatch(batch);
      for (const s of sides) [s.scores, s.reps].forEach((t) => t.dispose());
    }
    return { loss, diverged: null };
  });
}

/** Step 4: full-batch Adam steps of g on L_gen over the training items (E held constant). */
async function trainGenerator(owned: Owned, ctx: MmlContext, tables: GeneratorTables, trained: Uint8Array) {
  const rowsTrained = Int32Array.from(trained.keys()).filter((r) => trained[r]);
  if (!rowsTrained.length) return;
  const items = tf.tensor1d(rowsTrained, 'int32');
  const nb = new Int32Array(rowsTrained.length * tables.k);
  rowsTrained.forEach((r, j) =>
    nb.set(tables.neighbours.subarray(r * tables.k, (r + 1) * tables.k), j * tables.k),
  );
  const neighbours = tf.tensor2d(nb, [rowsTrained.length, tables.k], 'int32');
  const table = detached(owned.learners.id!.itemEmb as tf.Tensor2D);
  try {
    for (let s = 0; s < GENERATOR_STEPS; s++) {
      const g = owned.generator!;
      const keys = keysOf(g);
      const grads = tf.tidy(() => {
        const list = tf.grads((...xs: tf.Tensor[]) =>
          generatorLoss(fromList(keys, xs) as never, ctx.text!, table, items, neighbours),
        )(keys.map((key) => g[key]!));
        return fromList<Record<string, tf.Tensor>>(keys, list) as unknown as tf.TensorContainer;
      }) as unknown as ParamRecord;
      owned.generator = step(owned, 'generator', g, grads, GENERATOR_LR, 0);
      disposeParams(grads);
      if (s % 10 === 9) await yieldToEventLoop();
    }
  } finally {
    [items, neighbours, table].forEach((t) => t.dispose());
  }
}
