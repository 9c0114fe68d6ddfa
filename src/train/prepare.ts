/**
 * From a loaded dataset and a configuration to what a run needs: the cold-start split of the chosen
 * protocol and seed, and the model-ready features. Shared by the worker and the CLI (one path).
 */
import type { TrainConfig } from '../config/experiment';
import type { Dataset } from '../data/dataset';
import { buildFeatureLayout, type FeatureLayout } from '../data/features';
import type { SplitOptions } from '../data/scenarios/options';
import { splitScenarios } from '../data/scenarios/split';
import type { ScenarioSplit } from '../data/scenarios/types';

/** The split options a configuration implies. */
export function splitOptionsOf(
  config: Pick<TrainConfig, 'newItemYear'> &
    Partial<
      Pick<
        TrainConfig,
        | 'sequenceWindow'
        | 'sequenceQuery'
        | 'sequenceMinRatings'
        | 'sequenceMinItemRatings'
        | 'sequenceNewUsers'
      >
    >,
): Partial<SplitOptions> {
  const sequence = {
    sequenceWindow: config.sequenceWindow,
    sequenceQuery: config.sequenceQuery,
    sequenceMinRatings: config.sequenceMinRatings,
    sequenceMinItemRatings: config.sequenceMinItemRatings,
    sequenceNewUsers: config.sequenceNewUsers,
  };
  return {
    newItemYear: config.newItemYear,
    ...Object.fromEntries(Object.entries(sequence).filter(([, v]) => v !== undefined)),
  };
}

/** Users and items that occur in the training tasks (feature vocabularies count only these). */
export function trainingMembers(
  dataset: Dataset,
  split: ScenarioSplit,
): { users: Uint8Array; items: Uint8Array } {
  const users = new Uint8Array(dataset.users.count);
  const items = new Uint8Array(dataset.items.count);
  for (const u of split.train.users) users[u] = 1;
  for (const i of split.train.supportItems) items[i] = 1;
  for (const i of split.train.queryItems) items[i] = 1;
  return { users, items };
}

export interface Prepared {
  readonly split: ScenarioSplit;
  readonly layout: FeatureLayout;
  /** Feature notes (e.g. truncated multi-hot sets). */
  readonly notes: string[];
}

/** `splitOptions`: protocol options beyond the config's (bench/fidelity.ts trains on every existing user). */
export function prepareExperiment(
  dataset: Dataset,
  config: TrainConfig,
  splitOptions: Partial<SplitOptions> = {},
): Prepared {
  const notes: string[] = [];
  const split = splitScenarios(dataset, config.protocol, config.seed, {
    ...splitOptionsOf(config),
    ...splitOptions,
  });
  const layout = buildFeatureLayout(
    dataset,
    {
      zipPrefix: config.zipPrefix,
      minCount: config.featureMinCount,
      itemDecade: config.itemDecade,
      genres: config.itemGenres,
      training: trainingMembers(dataset, split),
    },
    notes,
  );
  return { split, layout, notes };
}
