/**
 * splitScenarios(dataset, protocol, seed, options) -> ScenarioSplit: the one entry point of the cold-start
 * protocols (melu.ts, mamo.ts, published.ts). Deterministic for a given dataset, protocol, seed and options.
 */
import type { Dataset } from '../dataset';
import { DataError } from '../errors';
import { splitMamo } from './mamo';
import { splitMelu } from './melu';
import { resolveOptions, type SplitOptions } from './options';
import { splitPublished } from './published';
import { splitSequence } from './sequence';
import { summarizeScenarios, summarizeTasks } from './taskset';
import { PROTOCOLS, type Protocol, type ScenarioSplit } from './types';

export function splitScenarios(
  dataset: Dataset,
  protocol: Protocol,
  seed: number,
  options: Partial<SplitOptions> = {},
): ScenarioSplit {
  if (!PROTOCOLS.includes(protocol))
    throw new DataError('protocol', `Expected a protocol in ${PROTOCOLS.join(', ')}, got ${protocol}`);
  const o = resolveOptions(options);
  const notes: string[] = [];
  const parts =
    protocol === 'melu'
      ? splitMelu(dataset, seed, o, notes)
      : protocol === 'mamo'
        ? splitMamo(dataset, seed, o, notes)
        : protocol === 'sequence'
          ? splitSequence(dataset, seed, o, notes)
          : splitPublished(dataset, seed, o, notes);
  return {
    protocol,
    seed,
    ...parts,
    summary: {
      protocol,
      seed,
      train: summarizeTasks(parts.train),
      validation: summarizeScenarios(parts.validation),
      test: summarizeScenarios(parts.test),
      notes,
    },
  };
}
