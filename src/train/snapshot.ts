/**
 * Host copies of an engine's state (parameters, optimizer moments, MAMO memories), so a run can go on
 * on another backend when its device is lost: a lost WebGPU device's buffers can no longer be read,
 * so the copy must be taken while it is healthy (after each committed step, runController.ts).
 * Generic over any nested record of tensors and numbers; the structure is kept, so restore() rebuilds
 * exactly the shape the engine had.
 */
import * as tf from '@tensorflow/tfjs';

/** A tensor as host data: values, shape and dtype. */
export interface HostTensor {
  readonly values: Float32Array | Int32Array | Uint8Array;
  readonly shape: readonly number[];
  readonly dtype: tf.DataType;
}

export type HostValue = HostTensor | number | null | { readonly [key: string]: HostValue };

const isHostTensor = (v: HostValue): v is HostTensor =>
  typeof v === 'object' && v !== null && 'values' in v && ArrayBuffer.isView((v as HostTensor).values);

/** Reads every tensor of a nested record to host memory (await: one read per tensor). */
export async function toHost(value: unknown): Promise<HostValue> {
  if (value instanceof tf.Tensor)
    return {
      values: (await value.data()) as HostTensor['values'],
      shape: [...value.shape],
      dtype: value.dtype,
    };
  if (typeof value === 'number' || value === null || value === undefined) return value ?? null;
  const out: Record<string, HostValue> = {};
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) out[key] = await toHost(v);
  return out;
}

/** Rebuilds tensors (on the current backend) from a host copy, in the same nested shape. */
export function fromHost(value: HostValue): unknown {
  if (value === null || typeof value === 'number') return value;
  if (isHostTensor(value)) return tf.tensor(value.values, [...value.shape], value.dtype);
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) out[key] = fromHost(v);
  return out;
}
