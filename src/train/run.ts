/**
 * One experiment, start to end: baselines, meta-training in batches with the divergence guard,
 * evaluation of validation and test scenarios, events for every step. The browser worker and the CLI
 * both call runExperiment with their own sink; nothing here touches the DOM or the console.
 *
 * 1. Build the engine (initial parameters from the seed).
 * 2. With `pretrainEpochs`: that many supervised epochs on every training rating first (MAMO: the MSE at
 *    the personalised init, memories read, not written).
 * 3. Evaluate epoch 0, then for each epoch: shuffle the training tasks (seeded; with `resampleTasks`
 *    re-draw each user's support/query partition; with `featureDropout` hide items' multi-hot fields),
 *    meta-step every batch (guarded), then evaluate every `evalEvery` epochs and after the last: metrics
 *    before/after adaptation per scenario; for MAMO the attention of every evaluated test task and the
 *    profile memory.
 * 4. Baselines, after the first meta-training epoch (and its evaluation): global mean, support mean,
 *    bias, and a non-meta model (same features, MeLU network) trained on all training ratings and
 *    fine-tuned on each support set. They take their own seed forks, so where they run changes no
 *    number; run first they held the first meta-step back by seconds (bench/firstPoint.ts).
 * Every part reports its progress as `phase` events.
 */
import { SCENARIOS, type ScenarioTasks } from '../data/scenarios/types';
import { createRng } from '../lib/rng';
import { decideAutoBackend } from './backendTrial';
import { beforeAsBaseline, computeBaselines } from './baselines';
import type { ModelEngine } from './engine';
import {
  BackendLostError,
  batchesOf,
  createEngine,
  ratingRange,
  trainEpochs,
  trainable,
  type ExperimentInput,
  type RunControl,
} from './epochs';
import { predictTaskSet, scenarioMetrics } from './evaluate';
import { itemKindOf, type LocalRates } from './adaptation';
import { candidateRates, chooseLocalRate } from './localRate';
import { evaluationSample, type EvaluationSample } from './sample';
import { constantErrors } from './baselineErrors';
import { addPredictor, addSupport, supportOf, userErrorsOf, type SeedErrors } from './userErrors';
import { runMelo } from './meloRun';
import { runMml } from './mmlRun';
import type {
  BaselineName,
  EpochRecord,
  PhaseName,
  RunSummary,
  ScenarioRecord,
  TrainEvent,
  TrainSink,
} from './events';

export {
  BackendLostError,
  DIVERGENCE_LOSS,
  createEngine,
  meanTrainingRating,
  type ExperimentInput,
  type RunControl,
} from './epochs';

interface Evaluation {
  test: ScenarioRecord;
  validation: ScenarioRecord;
  memory: Extract<TrainEvent, { type: 'memory' }> | null;
  /** With chooseLocalRate: the local rates (warm items, new items) chosen on the validation users */
  localRate?: LocalRates;
  /** With localRateLr: the meta-learned local step of each adapted tensor at the configured rate */
  learnedRates?: Record<string, number>;
  /** Per test user: the model after (model) and before (noAdaptation) adaptation, and the baselines */
  userErrors?: SeedErrors;
}

async function evaluateAll(
  engine: ModelEngine,
  input: ExperimentInput,
  epoch: number,
  sample: EvaluationSample,
  control: RunControl,
  baselineErrors: SeedErrors,
  onProgress: (done: number, total: number) => void = () => {},
): Promise<Evaluation> {
  const validationOnly = control.validationOnly ?? false;
  const result: Evaluation = { test: {}, validation: {}, memory: null };
  // the baselines' rows are constant over epochs: every evaluation starts from a copy of them, so the
  // last 'evaluated' event alone holds every predictor a paired interval needs
  const userErrors: SeedErrors = { ...baselineErrors };
  // chooseLocalRate: the validation users pick the local rates the test users are adapted with, one
  // for cells whose query items are warm and one for cells with new items
  const countSets = (which: 'validation' | 'test') =>
    SCENARIOS.filter((s) => input.split[which][s].count > 0).length;
  // progress units: the local-rate choice (one unit) and each predicted scenario set
  const picks = input.config.chooseLocalRate ? 1 : 0;
  const willRevalidate = !picks || (validationOnly && engine.slots > 0);
  const total =
    picks + (willRevalidate ? countSets('validation') : 0) + (validationOnly ? 0 : countSets('test'));
  let done = 0;
  onProgress(done, total);
  const chosen = input.config.chooseLocalRate
    ? await chooseLocalRate(engine, input, candidateRates(input.config.innerLr), sample.picker('validation'))
    : null;
  if (picks) onProgress((done += picks), total);
  if (chosen) {
    result.localRate = chosen.rates;
    result.validation = chosen.record;
  }
  const users: number[] = [];
  const scenarios: number[] = [];
  const tasks: number[] = [];
  const attention: number[] = [];
  const profiles: number[] = [];
  // validation again only when its attention is wanted (MAMO tuning), at the chosen rates
  const range = ratingRange(input.split.train);
  const sets: ['validation' | 'test', ScenarioTasks][] =
    chosen && !(validationOnly && engine.slots > 0) ? [] : [['validation', input.split.validation]];
  if (!validationOnly) sets.push(['test', input.split.test]);
  for (const [which, scenarioSets] of sets) {
    for (const scenario of SCENARIOS) {
      const set = scenarioSets[scenario];
      if (set.count === 0) continue;
      const ids = sample.tasks(which, scenario, set.count);
      const p = await predictTaskSet(engine, set, ids, input.layout, {
        innerLr: chosen?.rates[itemKindOf(scenario)],
        range,
      });
      result[which][scenario] = scenarioMetrics(set, p);
      onProgress(++done, total);
      if (which === 'test') {
        control.onTestPredictions?.(epoch, scenario, set, p);
        const after = userErrorsOf(set, ids, p.after);
        addPredictor(userErrors, scenario, 'model', after);
        addPredictor(userErrors, scenario, 'noAdaptation', userErrorsOf(set, ids, p.before));
        addSupport(userErrors, scenario, supportOf(set, ids, after.users));
      }
      // the memory event shows the test users' attention (the validation users' when tuning)
      if (which === (validationOnly ? 'validation' : 'test') && p.attention) {
        ids.forEach((t, k) => {
          users.push(set.users[t]!);
          scenarios.push(SCENARIOS.indexOf(scenario));
          tasks.push(t);
          for (let j = 0; j < engine.slots; j++) attention.push(p.attention![k * engine.slots + j]!);
          const w = p.profileWidth;
          if (p.profiles) for (let j = 0; j < w; j++) profiles.push(p.profiles[k * w + j]!);
        });
      }
    }
  }
  if (!validationOnly) result.userErrors = userErrors;
  const learned = await engine.learnedRates();
  if (learned) result.learnedRates = learned;
  const profile = await engine.profileMemory();
  if (profile) {
    result.memory = {
      type: 'memory',
      epoch,
      users: Int32Array.from(users),
      scenarios: Uint8Array.from(scenarios),
      tasks: Int32Array.from(tasks),
      attention: Float32Array.from(attention),
      k: engine.slots,
      profileMemory: profile.values,
      profileWidth: profile.width,
      profiles: Float32Array.from(profiles),
    };
  }
  return result;
}

/** Runs one experiment and emits its events; resolves with the summary (also on stop or failure). */
export async function runExperiment(
  input: ExperimentInput,
  sink: TrainSink,
  control: RunControl = {},
): Promise<RunSummary> {
  const startedAt = performance.now();
  // 'auto' on a hardware GPU: the faster of webgpu and wasm, measured on this configuration
  input = await decideAutoBackend(input);
  const { config } = input;
  if (config.model === 'melo' || config.model === 'mml')
    return (config.model === 'melo' ? runMelo : runMml)(input, sink, control);
  const rng = createRng(config.seed);
  const engine = createEngine(input, rng.fork('engine'));
  // resumed (a lost device, a reload): the committed state of the earlier run, rebuilt on this backend
  const resume = control.resume;
  if (resume) engine.importState(resume.state);
  control.retainEngine?.(engine);
  const epochs: EpochRecord[] = resume ? [...resume.epochs] : [];
  const baselines: Partial<Record<BaselineName, ScenarioRecord>> = {};
  let nonMetaLr: LocalRates | undefined;
  let nonMetaDropout: number | undefined;
  let nonMetaEpochs: number | undefined;
  let nonMetaValidation: ScenarioRecord | undefined;
  let biasLambdas: RunSummary['biasLambdas'];
  let nonMetaFineTune: RunSummary['nonMetaFineTune'];
  let last: Evaluation = { test: {}, validation: {}, memory: null };
  const baselineErrors: SeedErrors = {};
  let evaluatedEpoch = 0;
  // resumed from an end-of-epoch snapshot after the baselines ran: their results, as computed then
  if (resume?.baselines) {
    Object.assign(baselines, resume.baselines.metrics);
    Object.assign(baselineErrors, resume.baselines.errors);
    ({ nonMetaLr, nonMetaDropout, nonMetaEpochs, nonMetaValidation, biasLambdas, nonMetaFineTune } =
      resume.baselines.extra);
  }
  const summary = (): RunSummary => ({
    model: config.model,
    dataset: input.datasetName,
    ...(input.datasetIdentity ? { datasetIdentity: input.datasetIdentity } : {}),
    protocol: config.protocol,
    seed: config.seed,
    backend: input.backend.name,
    config,
    parameters: engine.parameters,
    epochs,
    scenarios: last.test,
    validation: last.validation,
    baselines: { ...baselines, noAdaptation: beforeAsBaseline(last.test) },
    ...(nonMetaLr === undefined ? {} : { nonMetaLr }),
    ...(nonMetaDropout === undefined ? {} : { nonMetaDropout }),
    ...(nonMetaEpochs === undefined ? {} : { nonMetaEpochs }),
    ...(nonMetaValidation === undefined ? {} : { nonMetaValidation }),
    ...(biasLambdas === undefined ? {} : { biasLambdas }),
    ...(nonMetaFineTune === undefined ? {} : { nonMetaFineTune }),
    ...(last.localRate === undefined ? {} : { localRate: last.localRate }),
    ...(last.learnedRates === undefined ? {} : { learnedLocalRates: last.learnedRates }),
    evaluatedEpoch,
    seconds: (performance.now() - startedAt) / 1000,
  });
  try {
    const stepsPerEpoch = batchesOf(
      trainable(input.split.train),
      config.batchSize,
      config.dropLastBatch,
    ).length;
    sink({
      type: 'started',
      backend: input.backend,
      split: input.split.summary,
      config,
      parameters: engine.parameters,
      stepsPerEpoch,
      strategy: engine.strategy,
    });
    const phase = (name: PhaseName, unit: string) => (done: number, total: number) =>
      sink({ type: 'phase', name, done, total, unit });
    // resumed after a lost device past epoch 1: the lost run computed (and sent) the baselines already
    const baselinesDone = { value: !config.baselines || (!!resume && resume.epochs.length > 0) };
    const runBaselines = async () => {
      baselinesDone.value = true;
      // when tuning (validationOnly) only the non-meta model's validation metrics are computed
      const computed = await computeBaselines(
        input,
        rng.fork('baselines'),
        control,
        phase('baselines', 'non-meta epochs'),
      );
      nonMetaLr = computed.nonMetaLr;
      nonMetaDropout = computed.nonMetaDropout;
      nonMetaEpochs = computed.nonMetaEpochs;
      nonMetaValidation = computed.validation;
      biasLambdas = computed.biasLambdas;
      nonMetaFineTune = computed.nonMetaFineTune;
      if (!control.validationOnly) {
        Object.assign(baselines, computed.metrics);
        constantErrors(input, baselineErrors, () => true);
        for (const [s, rows] of Object.entries(computed.nonMetaErrors))
          addPredictor(baselineErrors, s as keyof SeedErrors, 'nonMeta', rows);
        sink({ type: 'baselines', metrics: { ...baselines }, userErrors: baselineErrors });
      }
    };
    const evaluate = async (epoch: number) => {
      const t0 = performance.now();
      last = await evaluateAll(
        engine,
        input,
        epoch,
        evaluationSample(config.seed, config.evalUsers),
        control,
        baselineErrors,
        phase('evaluation', 'scenario sets'),
      );
      evaluatedEpoch = epoch;
      sink({
        type: 'evaluated',
        epoch,
        test: last.test,
        validation: last.validation,
        seconds: (performance.now() - t0) / 1000,
        ...(last.localRate === undefined ? {} : { localRate: last.localRate }),
        ...(last.userErrors === undefined ? {} : { userErrors: last.userErrors }),
      });
      if (last.memory) sink(last.memory);
    };
    if (config.pretrainEpochs > 0 && !resume) {
      const progress = phase('pretraining', 'steps');
      const total = config.pretrainEpochs * stepsPerEpoch;
      progress(0, total);
      const pre = await trainEpochs(
        engine,
        input,
        control,
        rng.fork('pretrain'),
        (e) => progress(e.step, total),
        async (record) =>
          sink({
            type: 'pretrained',
            epoch: record.epoch,
            epochs: config.pretrainEpochs,
            trainLoss: record.trainLoss,
            seconds: record.seconds,
          }),
        { epochs: config.pretrainEpochs, supervised: true },
      );
      if (pre.aborted) {
        sink({ type: 'stopped', summary: summary() });
        return summary();
      }
      if (pre.diverged) {
        sink({
          type: 'failed',
          code: 'diverged',
          message: `Pre-training: ${pre.diverged}; training stopped. Lower the meta rate.`,
          lastGoodEpoch: null,
        });
        return summary();
      }
    }
    if (!resume) await evaluate(0);
    const training = phase('training', 'meta-steps');
    const totalSteps = config.epochs * stepsPerEpoch;
    training(resume?.step ?? 0, totalSteps);
    let committedStep = resume?.step ?? 0;
    const outcome = await trainEpochs(
      engine,
      input,
      control,
      rng.fork('batches'),
      (e) => {
        committedStep = e.step;
        sink({ ...e, elapsed: (performance.now() - startedAt) / 1000 });
        training(e.step, totalSteps);
      },
      async (record) => {
        epochs.push(record);
        sink({ type: 'epoch', record });
        if (record.epoch % config.evalEvery === 0 || record.epoch === config.epochs)
          await evaluate(record.epoch);
        if (!baselinesDone.value && !control.signal?.aborted) await runBaselines();
        if (record.epoch < config.epochs) training(record.epoch * stepsPerEpoch, totalSteps);
        // the next epoch's start, from the state committed now (evaluation changes no state)
        if (record.epoch < config.epochs && !control.signal?.aborted)
          await control.onEpochSaved?.(
            { epoch: record.epoch + 1, stepInEpoch: 0, step: committedStep },
            [...epochs],
            engine,
            config.baselines && baselinesDone.value && !control.validationOnly
              ? {
                  metrics: { ...baselines },
                  errors: { ...baselineErrors },
                  extra: {
                    ...(nonMetaLr === undefined ? {} : { nonMetaLr }),
                    ...(nonMetaDropout === undefined ? {} : { nonMetaDropout }),
                    ...(nonMetaEpochs === undefined ? {} : { nonMetaEpochs }),
                    ...(nonMetaValidation === undefined ? {} : { nonMetaValidation }),
                    ...(biasLambdas === undefined ? {} : { biasLambdas }),
                    ...(nonMetaFineTune === undefined ? {} : { nonMetaFineTune }),
                  },
                }
              : undefined,
          );
      },
      {
        epochs: config.epochs,
        supervised: false,
        meta: { backendLost: control.backendLost, onCommitted: control.onCommitted, resume },
      },
    );
    // nothing more can run on a lost device: the owner resumes from its last snapshot elsewhere
    if (outcome.lost) throw new BackendLostError(outcome.lost, null);
    if (outcome.diverged) {
      sink({
        type: 'failed',
        code: 'diverged',
        message: `${outcome.diverged}; training stopped and the last good parameters were kept. Lower the meta rate or the local rate.`,
        lastGoodEpoch: epochs.length ? epochs[epochs.length - 1]!.epoch : null,
      });
      return summary();
    }
    if (outcome.aborted) {
      if (evaluatedEpoch !== epochs.length) await evaluate(epochs.length);
      sink({ type: 'stopped', summary: summary() });
      return summary();
    }
    if (!baselinesDone.value) await runBaselines();
    sink({ type: 'finished', summary: summary() });
    return summary();
  } finally {
    if (!control.retainEngine) engine.dispose();
  }
}
