/**
 * runMelo(input, sink, control): MELO (and its presets maml-sequence, melo-mlp, sequence-basic) from
 * start to end, emitting the same events and RunSummary as runExperiment (run.ts delegates here when
 * model = 'melo'). A separate runner because ModelEngine is built around MeLU/MAMO's feature batches;
 * this one owns the backbone, the local rates, the weighting network and their optimisers.
 *
 * 1. theta = initSequence (output bias at the mean training rating); alpha_k[j] = local rate; phi.
 * 2. Baselines: global mean, support mean and, when meta-training, 'basic' (the backbone trained on
 *    every training position for the same epochs, no adaptation: MELO's Basic column).
 * 3. Evaluate before training, every `evalEvery` epochs and after the last (validation and test cells,
 *    before / after the J local steps on each task's support).
 * 4. Each epoch: seeded order; per task a random window of its training sequence (MELO's random
 *    start; query = the window's latest positions); per batch one meta-gradient (meloMeta.ts) and Adam
 *    steps on theta (cosine-annealed to a tenth, clipped), alpha (LSLR) and phi (cosine-annealed).
 */
import * as tf from '@tensorflow/tfjs';
import type { TrainConfig } from '../config/experiment';
import { createRng, type Rng } from '../lib/rng';
import { countScalars, disposeParams, keysOf, type ParamRecord } from '../models/params';
import { initSequence, sequenceKeys, type SequenceDims } from '../models/sequence';
import { initWeighting } from '../models/sequenceWeighting';
import { DIVERGENCE_LOSS, meanTrainingRating, type ExperimentInput, type RunControl } from './epochs';
import { beforeAsBaseline } from './baselines';
import { supportMean } from './evaluate';
import type { BaselineName, EpochRecord, RunSummary, ScenarioRecord, TrainSink } from './events';
import {
  meloMetaGradient,
  multiStepWeights,
  supervisedLoss,
  type MeloConfig,
  type MeloState,
} from './meloMeta';
import { disposeOptimizer, initOptimizer, ownedStep, type OptimizerState } from './optim';
import { evaluateConstant, evaluateSets, learnedRates } from './meloEvaluate';
import { meloDiagnostics } from './meloDiagnostics';
import { disposeBatch, sequenceBatch } from './meloWindows';
import { evaluationSample } from './sample';
import { retainMelo } from './sequenceInspect';
import {
  sequenceDims,
  sequenceEpochLoop,
  sequenceEpochSteps,
  sequenceSummary,
  type EpochOutcome,
} from './sequenceRun';

/** theta's Adam rate at progress in [0, 1]: cosine from rate to rate / 10 (MELO's annealing). */
const cosine = (rate: number, progress: number) =>
  rate / 10 + 0.45 * rate * (1 + Math.cos(Math.PI * progress));

interface Learner {
  state: MeloState;
  thetaOpt: OptimizerState<ParamRecord>;
  ratesOpt: OptimizerState<ParamRecord> | null;
  phiOpt: OptimizerState<ParamRecord> | null;
}

function createLearner(
  config: TrainConfig,
  dims: SequenceDims,
  rng: Rng,
  mean: number,
  meta: boolean,
): Learner {
  const theta = initSequence(dims, rng.fork('theta'), mean);
  const rateKeys = ['itemRows', ...sequenceKeys(dims).filter((k) => k !== 'itemEmb')];
  const rates = Object.fromEntries(rateKeys.map((k) => [k, tf.fill([config.innerSteps], config.innerLr)]));
  const phi =
    meta && config.lossWeighting !== 'none'
      ? initWeighting(config.lossWeighting, config.weightingHidden, rng.fork('phi'))
      : null;
  const adam = (lr: number) => ({ kind: 'adam' as const, lr, clip: 0 });
  return {
    state: { theta, rates, phi },
    thetaOpt: initOptimizer(theta, {
      kind: config.outerOptimizer,
      lr: config.outerLr,
      clip: config.gradClip,
    }),
    ratesOpt: meta && config.stepRateLr > 0 ? initOptimizer(rates, adam(config.stepRateLr)) : null,
    phiOpt: phi ? initOptimizer(phi, adam(config.weightingLr)) : null,
  };
}

/** Disposes the learner; its state too unless handed over (retainMelo owns it then). */
function disposeLearner(l: Learner, keepState = false) {
  if (!keepState) {
    disposeParams(l.state.theta);
    disposeParams(l.state.rates);
    if (l.state.phi) disposeParams(l.state.phi);
  }
  for (const o of [l.thetaOpt, l.ratesOpt, l.phiOpt]) if (o) disposeOptimizer(o);
}

/** Runs MELO and emits its events; resolves with the summary (also on stop or failure). */
export async function runMelo(
  input: ExperimentInput,
  sink: TrainSink,
  control: RunControl = {},
): Promise<RunSummary> {
  const { config, split } = input;
  const startedAt = performance.now();
  const rng = createRng(config.seed).fork('melo');
  const meta = config.sequenceTraining === 'meta';
  const dims = sequenceDims(input);
  const mean = meanTrainingRating(split.train);
  const steps = meta ? config.innerSteps : 0;
  const epochs: EpochRecord[] = [];
  const baselines: Partial<Record<BaselineName, ScenarioRecord>> = {};
  let last: { test: ScenarioRecord; validation: ScenarioRecord } = { test: {}, validation: {} };
  let evaluatedEpoch = 0;
  let learner: Learner | null = null;
  let parameters = 0;
  let rates: Record<string, number> | null = null;
  const summary = (): RunSummary => ({
    ...sequenceSummary(input, startedAt, {
      parameters,
      epochs,
      last,
      evaluatedEpoch,
      baselines: { ...baselines, ...(meta ? { noAdaptation: beforeAsBaseline(last.test) } : {}) },
    }),
    ...(rates ? { learnedLocalRates: rates } : {}),
  });
  if (config.protocol !== 'sequence' || dims.hidden % dims.heads !== 0) {
    sink({
      type: 'failed',
      code: 'config',
      message: `Expected protocol sequence and a hidden size divisible by the attention heads for MELO, got protocol ${config.protocol}, hidden ${dims.hidden}, heads ${dims.heads}`,
      lastGoodEpoch: null,
    });
    return summary();
  }
  learner = createLearner(config, dims, rng.fork('learner'), mean, meta);
  parameters = countScalars(learner.state.theta) + (learner.state.phi ? countScalars(learner.state.phi) : 0);
  // the learned state goes to the drill-down when the run finishes or is stopped
  let handedOver = false;
  const handOver = () => {
    if (!control.retainSequence || !learner) return;
    control.retainSequence(retainMelo(learner.state, dims, { steps, weighting: config.lossWeighting }));
    handedOver = true;
  };
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
      strategy: meta
        ? `melo (${config.lossWeighting} weighting, ${config.metaOrder})`
        : 'melo basic (supervised)',
    });
    if (config.baselines) {
      baselines.globalMean = evaluateConstant(split.test, sample, () => mean);
      baselines.supportMean = evaluateConstant(split.test, sample, (set, t) => supportMean(set, t, mean));
      if (meta && !control.validationOnly) {
        const basic = createLearner(
          { ...config, sequenceTraining: 'supervised' },
          dims,
          rng.fork('basic'),
          mean,
          false,
        );
        try {
          for (let e = 1; e <= config.epochs; e++) {
            const outcome = await trainEpoch(
              basic,
              input,
              dims,
              false,
              e,
              rng.fork(`basic${e}`),
              control,
              null,
            );
            if (outcome.aborted || outcome.diverged) break;
          }
          baselines.basic = (await evaluateSets(basic.state, input, dims, 0, sample, ['test'])).test;
        } finally {
          disposeLearner(basic);
        }
      }
      sink({ type: 'baselines', metrics: { ...baselines } });
    }
    const evaluate = async (epoch: number) => {
      const t0 = performance.now();
      const roles = control.validationOnly ? (['validation'] as const) : (['validation', 'test'] as const);
      last = await evaluateSets(
        learner!.state,
        input,
        dims,
        steps,
        sample,
        roles,
        control.onTestPredictions && ((s, set, p) => control.onTestPredictions!(epoch, s, set, p)),
      );
      if (meta) rates = await learnedRates(learner!.state);
      evaluatedEpoch = epoch;
      sink({
        type: 'evaluated',
        epoch,
        test: last.test,
        validation: last.validation,
        seconds: (performance.now() - t0) / 1000,
      });
    };
    // what the meta-learner learned (loss weights, local rates, error per rating), every epoch
    const diagnose = async (epoch: number) => {
      if (!meta || control.validationOnly) return;
      const d = await meloDiagnostics(learner!.state, input, dims, steps, sample, epoch);
      sink({ type: 'meloDiagnostics', ...d });
    };
    return await sequenceEpochLoop(input, sink, {
      epochs,
      evaluate,
      evaluatedEpoch: () => evaluatedEpoch,
      trainEpoch: (e) => trainEpoch(learner!, input, dims, meta, e, rng.fork(`epoch${e}`), control, sink),
      afterEpoch: diagnose,
      handOver,
      summary,
    });
  } finally {
    disposeLearner(learner, handedOver);
  }
}

/** One epoch of meta-steps (or supervised steps) over the training tasks; mean loss. */
function trainEpoch(
  learner: Learner,
  input: ExperimentInput,
  dims: SequenceDims,
  meta: boolean,
  epoch: number,
  rng: Rng,
  control: RunControl,
  sink: TrainSink | null,
): Promise<EpochOutcome> {
  const { config } = input;
  const total = Math.ceil(input.split.train.count / config.batchSize) * config.epochs;
  return sequenceEpochSteps(input, dims.length, epoch, rng, control, sink, async (windows, k, perEpoch) => {
    const batch = sequenceBatch(windows, dims.length);
    const progress = ((epoch - 1) * perEpoch + k) / total;
    const meloConfig: MeloConfig = {
      steps: config.innerSteps,
      order: config.metaOrder,
      weighting: config.lossWeighting,
      stepWeights:
        config.multiStepEpochs > 0
          ? multiStepWeights(config.innerSteps, epoch - 1 + k / perEpoch, config.multiStepEpochs)
          : null,
    };
    const s = learner.state;
    const grads = tf.tidy(() => {
      if (meta) {
        const g = meloMetaGradient(s, dims, batch, meloConfig);
        return { loss: g.loss, theta: g.theta, rates: g.rates, phi: g.phi } as unknown as tf.TensorContainer;
      }
      const keys = keysOf(s.theta);
      const { value, grads } = tf.valueAndGrads((...xs: tf.Tensor[]) =>
        supervisedLoss(Object.fromEntries(keys.map((key, i) => [key, xs[i]!])), dims, batch),
      )(keys.map((key) => s.theta[key]!));
      return {
        loss: value,
        theta: Object.fromEntries(keys.map((key, i) => [key, grads[i]!])),
      } as unknown as tf.TensorContainer;
    }) as unknown as { loss: tf.Scalar; theta: ParamRecord; rates?: ParamRecord; phi?: ParamRecord | null };
    disposeBatch(batch);
    const loss = (await grads.loss.data())[0]!;
    if (!Number.isFinite(loss) || loss > DIVERGENCE_LOSS) {
      for (const record of [grads.theta, grads.rates, grads.phi]) if (record) disposeParams(record);
      grads.loss.dispose();
      return { loss, diverged: `meta-loss ${loss} at epoch ${epoch}, step ${k + 1}` };
    }
    const theta = ownedStep(s.theta, grads.theta, learner.thetaOpt, {
      kind: config.outerOptimizer,
      lr: cosine(config.outerLr, progress),
      clip: config.gradClip,
    });
    let rates = s.rates;
    if (learner.ratesOpt && grads.rates) {
      const r = ownedStep(s.rates, grads.rates, learner.ratesOpt, {
        kind: 'adam',
        lr: config.stepRateLr,
        clip: 0,
      });
      rates = r.params;
      learner.ratesOpt = r.state;
    }
    let phi = s.phi;
    if (learner.phiOpt && grads.phi && s.phi) {
      const r = ownedStep(s.phi, grads.phi, learner.phiOpt, {
        kind: 'adam',
        lr: cosine(config.weightingLr, progress),
        clip: 0,
      });
      phi = r.params;
      learner.phiOpt = r.state;
    }
    for (const record of [grads.theta, grads.rates, grads.phi]) if (record) disposeParams(record);
    grads.loss.dispose();
    learner.state = { theta: theta.params, rates, phi };
    learner.thetaOpt = theta.state;
    return { loss, diverged: null };
  });
}
