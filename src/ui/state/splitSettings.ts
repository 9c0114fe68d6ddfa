/**
 * The sequence protocol's split settings of a configuration (protocol.ts SequenceSplitSettings): the
 * page asks for its split with them, so its test-task index is the run's, and compares them by key.
 */
import type { TrainConfig } from '../../config/experiment';
import type { SequenceSplitSettings } from '../../worker/protocol';

/** The settings of a `sequence` config; undefined for the other protocols (they ignore them). */
export function sequenceSplitSettings(config: TrainConfig): SequenceSplitSettings | undefined {
  if (config.protocol !== 'sequence') return undefined;
  return {
    sequenceWindow: config.sequenceWindow,
    sequenceQuery: config.sequenceQuery,
    sequenceMinRatings: config.sequenceMinRatings,
    sequenceMinItemRatings: config.sequenceMinItemRatings,
    sequenceNewUsers: config.sequenceNewUsers,
  };
}

/** A comparable key of settings ('' without). */
export function splitKey(settings: SequenceSplitSettings | undefined): string {
  return settings
    ? [
        settings.sequenceWindow,
        settings.sequenceQuery,
        settings.sequenceMinRatings,
        settings.sequenceMinItemRatings,
        settings.sequenceNewUsers,
      ].join('/')
    : '';
}
