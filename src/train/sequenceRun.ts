/**
 * What the two sequence runners (meloRun.ts, mmlRun.ts) build alike: the backbone's sizes from the
 * config and the split, and the RunSummary of the run so far.
 */
import type { SequenceDims } from '../models/sequence';
import type { ExperimentInput } from './epochs';
import type { BaselineName, EpochRecord, RunSummary, ScenarioRecord } from './events';

/** items = the split's item rows + the padding row; length = the window; ffn width = hidden; the encoder. */
export function sequenceDims(input: ExperimentInput): SequenceDims {
  const { config, split } = input;
  return {
    items: split.newItems.length + 1,
    length: config.sequenceWindow,
    hidden: config.hiddenDim,
    heads: config.attentionHeads,
    blocks: config.attentionBlocks,
    ffn: config.hiddenDim,
    encoder: config.sequenceEncoder,
  };
}

/** The run's summary: its last evaluation's test and validation records, the epochs so far. */
export function sequenceSummary(
  input: ExperimentInput,
  startedAt: number,
  s: {
    parameters: number;
    epochs: EpochRecord[];
    last: { test: ScenarioRecord; validation: ScenarioRecord };
    evaluatedEpoch: number;
    baselines: Partial<Record<BaselineName, ScenarioRecord>>;
  },
): RunSummary {
  const { config } = input;
  return {
    model: config.model,
    dataset: input.datasetName,
    protocol: config.protocol,
    seed: config.seed,
    backend: input.backend.name,
    config,
    parameters: s.parameters,
    epochs: s.epochs,
    scenarios: s.last.test,
    validation: s.last.validation,
    baselines: s.baselines,
    evaluatedEpoch: s.evaluatedEpoch,
    seconds: (performance.now() - startedAt) / 1000,
  };
}
