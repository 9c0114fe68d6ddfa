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

/**
 * Reads every tensor of a nested record to host memory. Everything on the device happens before this
 * returns its promise: the float32 tensors (all of an engine's state) are flattened and concatenated
 * into one tensor, any other tensor is cloned, so the caller may go on (the next step may dispose the
 * state) while the read is in flight. One read, not one per tensor: on WebGPU each read is a mapAsync
 * round trip, and ~100 sequential ones per step (MAMO with Adam) would cost more than the step.
 */
export function toHost(value: unknown): Promise<HostValue> {
  const leaves: tf.Tensor[] = [];
  const collect = (v: unknown): void => {
    if (v instanceof tf.Tensor) leaves.push(v);
    else if (typeof v === 'object' && v !== null) Object.values(v).forEach(collect);
  };
  collect(value);
  const floats = leaves.filter((t) => t.dtype === 'float32');
  const offsets = new Map<tf.Tensor, number>();
  let size = 0;
  for (const t of floats) {
    offsets.set(t, size);
    size += t.size;
  }
  const joined = floats.length ? tf.tidy(() => tf.concat(floats.map((t) => tf.reshape(t, [-1])))) : null;
  const others = new Map(leaves.filter((t) => t.dtype !== 'float32').map((t) => [t, tf.clone(t)]));
  const read = async (): Promise<HostValue> => {
    const packed = joined ? ((await joined.data()) as Float32Array) : new Float32Array(0);
    const build = async (v: unknown): Promise<HostValue> => {
      if (v instanceof tf.Tensor) {
        const start = offsets.get(v);
        const values =
          start === undefined
            ? ((await others.get(v)!.data()) as HostTensor['values'])
            : packed.slice(start, start + v.size);
        return { values, shape: [...v.shape], dtype: v.dtype };
      }
      if (typeof v === 'number' || v === null || v === undefined) return v ?? null;
      const out: Record<string, HostValue> = {};
      for (const [key, child] of Object.entries(v as Record<string, unknown>)) out[key] = await build(child);
      return out;
    };
    return build(value);
  };
  return read().finally(() => {
    joined?.dispose();
    others.forEach((t) => t.dispose());
  });
}

/** Rebuilds tensors (on the current backend) from a host copy, in the same nested shape. */
export function fromHost(value: HostValue): unknown {
  if (value === null || typeof value === 'number') return value;
  if (isHostTensor(value)) return tf.tensor(value.values, [...value.shape], value.dtype);
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) out[key] = fromHost(v);
  return out;
}
