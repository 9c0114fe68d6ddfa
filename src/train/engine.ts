/**
 * A model engine owns one run's long-lived tensors (parameters, optimizer state, MAMO memories) and
 * exposes the three things a run needs: a meta-step, predictions for evaluation, and commit/rollback
 * around each step for the divergence guard (the last good state is kept until the new loss is known
 * to be finite). The math lives in models/ and meluMeta.ts / mamoMeta.ts; this file only decides which
 * tensors live across steps and disposes the rest.
 */
import * as tf from '@tensorflow/tfjs';
import type { TrainConfig } from '../config/experiment';
import type { Rng } from '../lib/rng';
import { MAMO_RATE_KEYS, initMamo, userNetShapes, type MamoDims, type MamoParams } from '../models/mamo';
import {
  USER_NET_KEYS,
  disposeMemory,
  initMemory,
  type MemoryState,
  type UserNetRecord,
} from '../models/memory';
import { initMelu, meluDepth, meluLocalKeys, type MeluDims, type MeluParams } from '../models/melu';
import { countScalars, disposeParams, tidyAll, type ParamRecord } from '../models/params';
import { sideWidth } from '../models/embedding';
import type { BatchTensors } from './batch';
import {
  inBatchOrder,
  weightedSum,
  type GroupedBatch,
  type Predictions,
  type RatePredictions,
} from './predictions';
import type { FeatureLayout } from './layout';
import { mamoMetaGradient, type MamoConfig, type MamoStrategy } from './mamoMeta';
import { mamoPredictAtRates } from './mamoPredict';
import { FULL_FINE_TUNE, type FineTune } from './adaptation';
import { mamoSupervisedGrad } from './mamoSupervised';
import { cloneMemory, writeAfterBatch } from './mamoWrites';
import { fromHost, toHost, type HostValue } from './snapshot';
import { meluMetaGradient, meluPredict, meluPredictAtRates, type MeluStrategy } from './meluMeta';
import { meluSupervisedGrad } from './meluSupervised';
import { learnedRatesOf, type InnerConfig } from './meta';
import {
  disposeOptimizer,
  initOptimizer,
  optimizerStep,
  type OptimizerConfig,
  type OptimizerState,
} from './optim';

export {
  disposePredictions,
  disposeRatePredictions,
  single,
  type GroupedBatch,
  type Predictions,
  type RatePredictions,
} from './predictions';

export interface ModelEngine {
  readonly model: TrainConfig['model'];
  readonly strategy: string;
  readonly parameters: number;
  /** Memory slots K (MAMO), 0 for MeLU. */
  readonly slots: number;
  /**
   * One meta-step; returns the mean query loss (caller disposes). The previous state is kept until
   * commit. `supervised`: a plain MSE step on every support and query rating instead, no
   * local adaptation (the pre-training epochs and the non-meta baseline).
   */
  trainStep(batch: GroupedBatch, supervised?: boolean): tf.Scalar;
  /** Drop the state before the last step (its loss was fine). */
  commit(): void;
  /** Go back to the state before the last step (its loss was not finite or exploded). */
  rollback(): void;
  /**
   * Predictions of a batch (caller disposes); memories are read, never written. `innerLr` overrides the
   * local rate (chosen on validation users: the non-meta baseline's, and the model's with chooseLocalRate),
   * `fineTune` the layers and clip of the non-meta baseline's fine-tuning (MeLU; localRate.ts). */
  predict(batch: BatchTensors, innerLr?: number, fineTune?: FineTune): Predictions;
  /**
   * predict at several local rates (undefined: the configured one) and fine-tunings (MeLU; default the
   * plain one), sharing the work that depends on neither; after[f * rates.length + k] equals
   * predict(batch, rates[k], fineTunes[f]).after (caller disposes).
   */
  predictAtRates(
    batch: BatchTensors,
    rates: readonly (number | undefined)[],
    fineTunes?: readonly FineTune[],
  ): RatePredictions;
  /** MAMO: the profile memory M_P [K, width] as host data. */
  profileMemory(): Promise<{ values: Float32Array; width: number } | null>;
  /** With learned local rates: each adapted tensor's local step at the configured rate (host data). */
  learnedRates(): Promise<Record<string, number> | null>;
  /**
   * A host copy of the committed state (call between steps, after commit; snapshot.ts). The device
   * work is enqueued before it returns, so the next step may start while the read is in flight.
   */
  exportState(): Promise<HostValue>;
  /** Replaces the state with one exported before (on any backend: the tensors are rebuilt here). */
  importState(state: HostValue): void;
  dispose(): void;
}

interface State<P extends ParamRecord> {
  params: P;
  optimizer: OptimizerState<P>;
  memory: MemoryState | null;
}

function disposeState<P extends ParamRecord>(s: State<P>): void {
  disposeParams(s.params);
  disposeOptimizer(s.optimizer);
  if (s.memory) disposeMemory(s.memory);
}

/** The state machine shared by both engines: current, previous (until commit) and disposal. */
class StateHolder<P extends ParamRecord> {
  current: State<P>;
  private previous: State<P> | null = null;
  constructor(initial: State<P>) {
    this.current = initial;
  }
  replace(next: State<P>): void {
    if (this.previous) disposeState(this.previous);
    this.previous = this.current;
    this.current = next;
  }
  commit(): void {
    if (this.previous) disposeState(this.previous);
    this.previous = null;
  }
  rollback(): void {
    if (!this.previous) return;
    disposeState(this.current);
    this.current = this.previous;
    this.previous = null;
  }
  dispose(): void {
    this.commit();
    disposeState(this.current);
  }
  exportState(): Promise<HostValue> {
    return toHost(this.current);
  }
  importState(state: HostValue): void {
    this.commit();
    disposeState(this.current);
    this.current = fromHost(state) as State<P>;
  }
}

export interface EngineOptions {
  readonly config: TrainConfig;
  readonly layout: FeatureLayout;
  readonly meanRating: number;
  readonly rng: Rng;
  readonly strategy: MeluStrategy | MamoStrategy;
  /** MeLU only: train without meta-learning (the non-meta baseline), still adapting at prediction. */
  readonly supervised?: boolean;
}

function innerOf(config: TrainConfig): InnerConfig {
  return { steps: config.innerSteps, lr: config.innerLr, order: config.metaOrder };
}

function optimizerOf(config: TrainConfig): OptimizerConfig {
  return {
    kind: config.outerOptimizer,
    lr: config.outerLr,
    clip: config.gradClip,
    decay: config.weightDecay,
    keyLr: { localLogRate: config.localRateLr },
  };
}

export function createMeluEngine(options: EngineOptions): ModelEngine {
  const { config, layout } = options;
  const dims: MeluDims = {
    e: config.embeddingDim,
    hidden: config.hiddenDim,
    hiddenLayers: config.hiddenLayers,
    user: layout.user,
    item: layout.item,
  };
  // learned local rates belong to meta-learning: the non-meta baseline fine-tunes at a chosen rate
  const learnRates = config.localRateLr > 0 && !options.supervised;
  const params = initMelu(dims, options.rng.fork('melu'), options.meanRating, {
    learnRates,
    scheme: config.initScheme,
  });
  const holder = new StateHolder<MeluParams>({
    params,
    optimizer: initOptimizer(params, optimizerOf(config)),
    memory: null,
  });
  const strategy = options.strategy as MeluStrategy;
  const inner = innerOf(config);
  return {
    model: 'melu',
    strategy,
    parameters: countScalars(params),
    slots: 0,
    trainStep(batch, supervised = options.supervised) {
      const { loss, next } = tidyAll(() => {
        const { params: p, optimizer } = holder.current;
        const weights = batch.groups.map((g) => g.tasks / batch.tasks);
        const parts = batch.groups.map((g) =>
          supervised ? meluSupervisedGrad(p, dims, g) : meluMetaGradient(strategy, p, dims, g, inner),
        );
        let grads = weightedSum(
          parts.map((r) => r.grads),
          weights,
        );
        // meta-loss + lambda * supervised MSE of the shared weights: gradients add
        const lambda = supervised ? 0 : config.supervisedWeight;
        if (lambda > 0) {
          const extra = weightedSum(
            batch.groups.map((g) => meluSupervisedGrad(p, dims, g).grads),
            weights,
          );
          grads = addScaled(grads, extra, lambda);
        }
        const loss = tf.addN(parts.map((r, g) => tf.mul(weights[g]!, r.loss))) as tf.Scalar;
        const updated = optimizerStep(p, grads, optimizer, optimizerOf(config));
        return { loss, next: { params: updated.params, optimizer: updated.state, memory: null } };
      });
      holder.replace(next);
      return loss;
    },
    commit: () => holder.commit(),
    rollback: () => holder.rollback(),
    exportState: () => holder.exportState(),
    importState: (state) => holder.importState(state),
    predict(batch, innerLr, fineTune) {
      const local = innerLr === undefined ? inner : { ...inner, lr: innerLr };
      return tidyAll(() => ({
        ...meluPredict(strategy, holder.current.params, dims, batch, local, fineTune),
        attention: null,
      }));
    },
    predictAtRates(batch, rates, fineTunes) {
      return tidyAll(() => ({
        ...meluPredictAtRates(strategy, holder.current.params, dims, batch, inner, rates, fineTunes),
        attention: null,
      }));
    },
    profileMemory: async () => null,
    learnedRates: () =>
      learnedRatesOf(
        holder.current.params.localLogRate,
        meluLocalKeys(meluDepth(holder.current.params)),
        config.innerLr,
      ),
    dispose: () => holder.dispose(),
  };
}

/** a + lambda b, key by key (a meta-gradient plus the supervised term's gradient). */
function addScaled<P extends Record<string, tf.Tensor>>(a: P, b: P, lambda: number): P {
  const out: Record<string, tf.Tensor> = {};
  for (const key of Object.keys(a)) out[key] = tf.add(a[key]!, tf.mul(lambda, b[key]!));
  return out as P;
}

export function createMamoEngine(options: EngineOptions): ModelEngine {
  const { config, layout } = options;
  const dims: MamoDims = {
    e: config.embeddingDim,
    hidden: config.hiddenDim,
    slots: config.memorySlots,
    user: layout.user,
    item: layout.item,
  };
  const params = initMamo(dims, options.rng.fork('mamo'), options.meanRating, config.localRateLr > 0);
  const memory = initMemory(
    options.rng.fork('memory'),
    dims.slots,
    sideWidth(layout.user, dims.e),
    userNetShapes(dims),
    dims.e,
  );
  const holder = new StateHolder<MamoParams>({
    params,
    optimizer: initOptimizer(params, optimizerOf(config)),
    memory,
  });
  const strategy = options.strategy as MamoStrategy;
  const cfg: MamoConfig = {
    ...innerOf(config),
    personalInitScale: config.personalInitScale,
    attentionScale: config.attentionScale,
  };
  const predictAtRates = (
    batch: BatchTensors,
    rates: readonly (number | undefined)[],
    fineTunes: readonly FineTune[] = [FULL_FINE_TUNE],
  ): RatePredictions => {
    // MAMO adapts every local weight with its own rule: the non-meta network's choices are MeLU's
    if (fineTunes.length !== 1 || fineTunes[0]!.layers !== 'all' || fineTunes[0]!.clip > 0)
      throw new Error(`MAMO adapts one way; fine-tunings ${JSON.stringify(fineTunes)} are MeLU's`);
    return tidyAll(() =>
      mamoPredictAtRates(holder.current.params, holder.current.memory!, dims, batch, cfg, rates, strategy),
    );
  };
  return {
    model: 'mamo',
    strategy,
    parameters: countScalars(params),
    slots: dims.slots,
    trainStep(batch, supervised) {
      // pre-training: the supervised MSE at the personalised init alone, memories read but not written
      if (supervised) {
        const { loss, next } = tidyAll(() => {
          const { params: p, optimizer, memory: m } = holder.current;
          const weights = batch.groups.map((g) => g.tasks / batch.tasks);
          const parts = batch.groups.map((g) => mamoSupervisedGrad(p, m!, dims, g, cfg, strategy));
          const grads = weightedSum(
            parts.map((x) => x.grads),
            weights,
          );
          const loss = tf.addN(parts.map((x, g) => tf.mul(weights[g]!, x.loss))) as tf.Scalar;
          const updated = optimizerStep(p, grads, optimizer, optimizerOf(config));
          return {
            loss,
            next: { params: updated.params, optimizer: updated.state, memory: cloneMemory(m!) },
          };
        });
        holder.replace(next);
        return loss;
      }
      const { loss, next } = tidyAll(() => {
        const { params: p, optimizer, memory: m } = holder.current;
        const weights = batch.groups.map((g) => g.tasks / batch.tasks);
        const parts = batch.groups.map((g) => mamoMetaGradient(strategy, p, m!, dims, g, cfg));
        const ordered = (pick: (x: (typeof parts)[number]) => tf.Tensor) =>
          inBatchOrder(parts.map(pick), batch);
        const userGradients = {} as UserNetRecord;
        for (const key of USER_NET_KEYS) userGradients[key] = ordered((x) => x.userGradients[key]);
        let grads = weightedSum(
          parts.map((x) => x.grads),
          weights,
        );
        // meta-loss + lambda * supervised MSE at the personalised init: gradients add (as MeLU's)
        if (config.supervisedWeight > 0) {
          const extra = weightedSum(
            batch.groups.map((g) => mamoSupervisedGrad(p, m!, dims, g, cfg, strategy).grads),
            weights,
          );
          grads = addScaled(grads, extra, config.supervisedWeight);
        }
        const r = {
          loss: tf.addN(parts.map((x, g) => tf.mul(weights[g]!, x.loss))) as tf.Scalar,
          grads,
          attention: ordered((x) => x.attention) as tf.Tensor2D,
          profiles: ordered((x) => x.profiles) as tf.Tensor2D,
          userGradients,
          muiUser: ordered((x) => x.muiUser),
          muiItem: ordered((x) => x.muiItem),
        };
        const updated = optimizerStep(p, r.grads, optimizer, optimizerOf(config));
        const written = writeAfterBatch(m!, r, config);
        return { loss: r.loss, next: { params: updated.params, optimizer: updated.state, memory: written } };
      });
      holder.replace(next);
      return loss;
    },
    commit: () => holder.commit(),
    rollback: () => holder.rollback(),
    exportState: () => holder.exportState(),
    importState: (state) => holder.importState(state),
    predict: (batch, innerLr) => {
      const { after, ...rest } = predictAtRates(batch, [innerLr]);
      return { ...rest, after: after[0]! };
    },
    predictAtRates,
    async profileMemory() {
      const m = holder.current.memory!.profile;
      return { values: (await m.data()) as Float32Array, width: m.shape[1] };
    },
    learnedRates: () => learnedRatesOf(holder.current.params.localLogRate, MAMO_RATE_KEYS, config.innerLr),
    dispose: () => holder.dispose(),
  };
}
