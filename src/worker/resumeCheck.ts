/**
 * Checks a `resume` snapshot sent with a start message (read back from the page's IndexedDB, so it may
 * be damaged or from another config): a position inside the config's epochs, finished-epoch records,
 * and a state whose leaves are typed arrays matching their shapes. A bad one is a 'config' refusal,
 * said in words, before anything trains.
 */
import type { TrainConfig } from '../config/experiment';
import type { RunResume } from '../train/epochs';
import type { HostValue } from '../train/snapshot';
import { ConfigError } from './failures';

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null;
const isCount = (x: unknown): x is number => typeof x === 'number' && Number.isInteger(x) && x >= 0;
const DTYPES = new Set(['float32', 'int32', 'bool']);

/** Why `v` is not a host state (a path and what is wrong), or null. */
function stateProblem(v: unknown, path: string): string | null {
  if (v === null || typeof v === 'number') return null;
  if (!isObject(v)) return `${path} is ${typeof v}`;
  if ('values' in v && ArrayBuffer.isView(v.values)) {
    const shape = v.shape;
    if (!Array.isArray(shape) || !shape.every(isCount)) return `${path} has no valid shape`;
    if (typeof v.dtype !== 'string' || !DTYPES.has(v.dtype)) return `${path} has an unknown dtype`;
    const size = shape.reduce((a: number, b: number) => a * b, 1);
    if ((v.values as Float32Array).length !== size) return `${path} holds a wrong number of values`;
    return null;
  }
  for (const [key, child] of Object.entries(v)) {
    const problem = stateProblem(child, `${path}.${key}`);
    if (problem) return problem;
  }
  return null;
}

export function validateResume(raw: unknown, config: TrainConfig): RunResume {
  const refuse = (why: string) =>
    new ConfigError(`The stored training state cannot be resumed (${why}): restart the run instead.`);
  if (!isObject(raw)) throw refuse('it is not a snapshot');
  const { epoch, stepInEpoch, step, epochs, state } = raw;
  if (!isCount(epoch) || !isCount(stepInEpoch) || !isCount(step) || epoch < 1)
    throw refuse('its position is damaged');
  if (epoch > config.epochs) throw refuse(`it starts at epoch ${epoch} of ${config.epochs}`);
  if (
    !Array.isArray(epochs) ||
    epochs.length !== epoch - 1 ||
    !epochs.every((e, i) => isObject(e) && e.epoch === i + 1 && typeof e.trainLoss === 'number')
  )
    throw refuse('its finished epochs are damaged');
  const carried = raw.baselines;
  if (
    carried !== undefined &&
    !(isObject(carried) && isObject(carried.metrics) && isObject(carried.errors) && isObject(carried.extra))
  )
    throw refuse('its baselines are damaged');
  if (!isObject(state)) throw refuse('it holds no state');
  const problem = stateProblem(state, 'state');
  if (problem) throw refuse(problem);
  return raw as unknown as RunResume & { state: HostValue };
}
