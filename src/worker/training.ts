/**
 * The tfjs half of the worker: training and the questions asked of a trained model. host.ts imports it
 * with import() on first use, so loading, parsing and splitting a dataset (the first screen) never wait
 * for tfjs's ~1.8 MB to download and evaluate.
 */
export { runExperiment } from '../train/run';
export { inspectTask, recommendFor } from './inspect';
export { inspectSequenceTask } from './inspectSequence';
