// The sequence models (MELO, MML) at tiny sizes on the synthetic demo, as their unit tests run them:
// the presets with small dimensions and windows, and one run through runExperiment collecting events.
import { DEFAULT_CONFIG, type TrainConfig } from '../../src/config/experiment';
import { PRESETS } from '../../src/config/presets';
import type { BackendInfo } from '../../src/kernels/backend';
import type { RunSummary, TrainEvent } from '../../src/train/events';
import { prepareExperiment } from '../../src/train/prepare';
import { runExperiment } from '../../src/train/run';
import { demoDataset } from './demo';

/** The melo preset: hidden 8, 1 block, window 6, items with >= 5 ratings, 2 local steps, 1 epoch. */
export const TINY_MELO: TrainConfig = {
  ...DEFAULT_CONFIG,
  ...PRESETS.melo.values,
  hiddenDim: 8,
  attentionBlocks: 1,
  weightingHidden: 4,
  sequenceWindow: 6,
  sequenceMinItemRatings: 5,
  innerSteps: 2,
  batchSize: 16,
  epochs: 1,
  multiStepEpochs: 1,
  evalUsers: 3,
  backend: 'wasm',
};

/** The mml preset: hidden 8, 1 block, text 8, K 3, window 6, 1 local step, 2 epochs. */
export const TINY_MML: TrainConfig = {
  ...DEFAULT_CONFIG,
  ...PRESETS.mml.values,
  hiddenDim: 8,
  attentionBlocks: 1,
  textDim: 8,
  generatorNeighbours: 3,
  sequenceWindow: 6,
  sequenceMinItemRatings: 5,
  innerSteps: 1,
  batchSize: 16,
  epochs: 2,
  evalUsers: 3,
  backend: 'wasm',
};

/** `config` trained and evaluated on the demo through runExperiment; its summary and every event. */
export async function runOnDemo(
  config: TrainConfig,
  backend: BackendInfo,
): Promise<{ summary: RunSummary; events: TrainEvent[] }> {
  const prepared = prepareExperiment(await demoDataset(), config);
  const events: TrainEvent[] = [];
  const summary = await runExperiment(
    { datasetName: 'demo', split: prepared.split, layout: prepared.layout, config, backend },
    (e) => events.push(e),
  );
  return { summary, events };
}
