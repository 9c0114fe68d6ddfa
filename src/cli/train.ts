/**
 * `npm run cli -- train --data <folder|zip> [--data ...] [--model melu|mamo|melo|mml] [--protocol ...] [--epochs N]
 * [--seed S] [--backend cpu|wasm|webgpu] [--out results.json] [--preset name] [--<any setting> value]`:
 * the same runExperiment as the browser, with a console sink; writes the RunSummary as JSON.
 */
import { datasetIdentity } from '../data/identity';
import { writeFileSync } from 'node:fs';
import type { TrainConfig } from '../config/experiment';
import { SCENARIOS } from '../data/scenarios/types';
import { initBackend, type BackendName } from '../kernels/backend';
import type { MmlInspection, RunSummary, ScenarioRecord, TrainEvent } from '../train/events';
import { formatRates } from '../train/adaptation';
import { prepareExperiment } from '../train/prepare';
import { runExperiment } from '../train/run';
import { protocolBlocker } from '../data/contributions';
import { loadPaths } from './readPaths';
import { installNodeWebGPU } from './webgpuNode';

const f3 = (x: number | undefined) => (x === undefined || Number.isNaN(x) ? '  -  ' : x.toFixed(3));

function scenarioLine(record: ScenarioRecord): string {
  return SCENARIOS.filter((s) => record[s])
    .map((s) => `${s} ${f3(record[s]!.mae)}`)
    .join('  ');
}

/** MML: Recall@10 / NDCG@10 of the model after adaptation per cell (ranking over all items). */
function rankingLine(record: ScenarioRecord): string {
  return SCENARIOS.filter((s) => record[s]?.ranking)
    .map((s) => `${s} ${f3(record[s]!.ranking!.after.recall10)}/${f3(record[s]!.ranking!.after.ndcg10)}`)
    .join('  ');
}

/** Prints the events of a run as lines; returns the sink. */
export function consoleSink(log: (line: string) => void, verbose: boolean): (e: TrainEvent) => void {
  return (e) => {
    switch (e.type) {
      case 'started':
        log(
          `backend ${e.backend.name}${e.backend.adapter ? ` (${e.backend.adapter.vendor} ${e.backend.adapter.architecture})` : ''}; ${e.parameters} parameters; strategy ${e.strategy}; ${e.stepsPerEpoch} steps/epoch`,
        );
        for (const f of e.backend.fallbacks) log(`  fell back from ${f.backend}: ${f.reason}`);
        break;
      case 'step':
        if (verbose) log(`  step ${e.step} loss ${e.loss.toFixed(4)} ${e.tasksPerSecond.toFixed(0)} tasks/s`);
        break;
      case 'epoch':
        log(
          `epoch ${e.record.epoch}: train loss ${e.record.trainLoss.toFixed(4)}, ${e.record.seconds.toFixed(1)} s, ${e.record.usersPerSecond.toFixed(0)} users/s`,
        );
        break;
      case 'pretrained':
        log(
          `pre-training epoch ${e.epoch}/${e.epochs}: train loss ${e.trainLoss.toFixed(4)}, ${e.seconds.toFixed(1)} s`,
        );
        break;
      case 'evaluated':
        if (e.mml) {
          log(
            `  eval ${e.epoch}: test R@10/NDCG@10 ${rankingLine(e.test)} | validation ${rankingLine(e.validation)} (${e.seconds.toFixed(1)} s)`,
          );
          break;
        }
        log(
          `  eval ${e.epoch}: test MAE ${scenarioLine(e.test)} | validation MAE ${scenarioLine(e.validation)}${e.localRate === undefined ? '' : ` | local rate ${formatRates(e.localRate)} (chosen on validation${e.localRate.warmItems === e.localRate.newItems ? '' : ': warm items / new items'})`} (${e.seconds.toFixed(1)} s)`,
        );
        break;
      case 'baselines':
        for (const [name, record] of Object.entries(e.metrics))
          log(`  baseline ${name}: MAE ${scenarioLine(record)}`);
        break;
      case 'memory':
        break;
      case 'meloDiagnostics': {
        const cell = (v: number | null | undefined) => (v === null || v === undefined ? '-' : f3(v));
        const weights = e.lossWeights ? e.lossWeights.map((b) => cell(b?.median)).join(' ') : 'none';
        const errors = e.ratingErrors.map((r) => `${cell(r.maeBefore)}>${cell(r.maeAfter)}`).join(' ');
        log(
          `  melo ${e.epoch} (${e.tasks} validation tasks): loss weight median by rating 1-5 ${weights} | MAE by rating before>after ${errors}`,
        );
        break;
      }
      case 'finished':
      case 'stopped':
        log(`${e.type} after ${e.summary.epochs.length} epochs in ${e.summary.seconds.toFixed(1)} s`);
        break;
      case 'failed':
        log(`FAILED (${e.code}): ${e.message}`);
        break;
    }
  };
}

/** MAMO: each evaluated test user's attention over the K slots (last evaluation), for the JSON output. */
function attentionOf(memory: Extract<TrainEvent, { type: 'memory' }> | null, rawIds: Int32Array) {
  if (!memory) return null;
  const { k } = memory;
  return {
    epoch: memory.epoch,
    k,
    rows: Array.from(memory.users, (u, r) => ({
      user: rawIds[u]!,
      scenario: SCENARIOS[memory.scenarios[r]!]!,
      attention: Array.from(memory.attention.subarray(r * k, (r + 1) * k)),
    })),
  };
}

/** MML: per evaluated test user the fusion weights, and the generator's neighbours (raw ids; last evaluation). */
function mmlJson(
  mml: MmlInspection | null,
  dataset: { users: { rawIds: Int32Array }; items: { rawIds: Int32Array } },
) {
  if (!mml) return {};
  const { learners, k } = mml;
  const m = learners.length;
  return {
    mml: {
      learners,
      fusion: Array.from(mml.users, (u, r) => ({
        user: dataset.users.rawIds[u]!,
        scenario: SCENARIOS[mml.scenarios[r]!]!,
        weights: Array.from(mml.weights.subarray(r * m, (r + 1) * m)),
      })),
      generator: Array.from(mml.newItems, (i, r) => ({
        item: dataset.items.rawIds[i]!,
        neighbours: Array.from(mml.neighbours.subarray(r * k, (r + 1) * k), (j) => dataset.items.rawIds[j]!),
        attention: Array.from(mml.attention.subarray(r * k, (r + 1) * k)),
      })),
    },
  };
}

export interface TrainCommand {
  readonly data: string[];
  readonly config: TrainConfig;
  readonly out: string | null;
  readonly verbose: boolean;
}

export async function train(command: TrainCommand, log: (line: string) => void): Promise<RunSummary> {
  if (command.data.length === 0)
    throw new Error(
      'Expected --data <folder|zip> (repeat --data to combine folders, e.g. ml-1m and ml-1m-melu)',
    );
  const { config } = command;
  let uninstall: (() => void) | null = null;
  if (config.backend === 'webgpu') uninstall = await installNodeWebGPU();
  try {
    const backend = await initBackend(config.backend === 'auto' ? 'auto' : (config.backend as BackendName));
    // an explicit backend is a request, not a wish: training on another one would report other timings
    if (config.backend !== 'auto' && backend.name !== config.backend)
      throw new Error(
        `Expected the ${config.backend} backend, got ${backend.name}: ${backend.fallbacks.map((f) => `${f.backend}: ${f.reason}`).join('; ')}. Choose --backend auto to accept a fallback.`,
      );
    const dataset = await loadPaths(command.data);
    const blocker = protocolBlocker(dataset, config.protocol);
    if (blocker)
      throw new Error(
        blocker
          .replace(' with Add files…', ' with another --data')
          .replace('(Add files…)', '(another --data)'),
      );
    const prepared = prepareExperiment(dataset, config);
    log(
      `${dataset.name}: ${dataset.users.count} users, ${dataset.items.count} items, ${dataset.ratings.count} ratings; protocol ${config.protocol}, seed ${config.seed}`,
    );
    let failure: string | null = null;
    let memory: Extract<TrainEvent, { type: 'memory' }> | null = null;
    let mml: MmlInspection | null = null;
    const sink = consoleSink(log, command.verbose);
    const summary = await runExperiment(
      {
        datasetName: dataset.name,
        datasetIdentity: datasetIdentity(dataset),
        split: prepared.split,
        layout: prepared.layout,
        config,
        backend,
      },
      (e) => {
        if (e.type === 'failed') failure = e.message;
        if (e.type === 'memory') memory = e;
        if (e.type === 'evaluated' && e.mml) mml = e.mml;
        sink(e);
      },
    );
    if (command.out) {
      const attention = attentionOf(memory, dataset.users.rawIds);
      writeFileSync(
        command.out,
        JSON.stringify(
          { ...summary, split: prepared.split.summary, attention, ...mmlJson(mml, dataset), failure },
          null,
          2,
        ),
      );
      log(`wrote ${command.out}`);
    }
    if (failure) throw new Error(failure);
    return summary;
  } finally {
    uninstall?.();
  }
}
