// Test helpers over parameter records: random init, float64 flattening, directional derivatives.
import * as tf from '@tensorflow/tfjs';
import { createRng } from '../../src/lib/rng';
import type { FeatureLayout } from '../../src/train/layout';
import { flatten, type Flat } from '../oracle/mlp64';

/** A record of random tensors with the given shapes (N(0, std^2)), deterministic per seed. */
export function randomRecord<K extends string>(
  shapes: Record<K, number[]>,
  seed: number,
  std = 0.5,
): Record<K, tf.Tensor> {
  const rng = createRng(seed);
  const out = {} as Record<K, tf.Tensor>;
  for (const key of Object.keys(shapes) as K[]) {
    const shape = shapes[key];
    const size = shape.reduce((a, b) => a * b, 1);
    const v = new Float32Array(size);
    for (let i = 0; i < size; i++) v[i] = rng.normal() * std;
    out[key] = tf.tensor(v, shape);
  }
  return out;
}

/** The record as a float64 flat vector (same key order). */
export async function toFlat(record: Record<string, tf.Tensor>): Promise<Flat> {
  const parts: Record<string, { shape: number[]; values: ArrayLike<number> }> = {};
  for (const [key, t] of Object.entries(record)) parts[key] = { shape: t.shape, values: await t.data() };
  return flatten(parts);
}

/** A random unit vector of length n. */
export function unitDirection(n: number, seed: number): Float64Array {
  const rng = createRng(seed);
  const v = new Float64Array(n).map(() => rng.normal());
  const norm = Math.sqrt(v.reduce((s, x) => s + x * x, 0));
  return v.map((x) => x / norm);
}

/** <grads, v> in float64, grads in the same key order as the flat vector. */
export async function dot(grads: Record<string, tf.Tensor>, flat: Flat, v: Float64Array): Promise<number> {
  let s = 0;
  for (let k = 0; k < flat.keys.length; k++) {
    const g = await grads[flat.keys[k]!]!.data();
    const o = flat.offsets[k]!;
    for (let i = 0; i < g.length; i++) s += g[i]! * v[o + i]!;
  }
  return s;
}

/** max |a - b| / max(1e-8, max |b|) over all keys. */
export async function relativeMaxDiff(
  a: Record<string, tf.Tensor>,
  b: Record<string, tf.Tensor>,
): Promise<number> {
  let diff = 0;
  let scale = 1e-8;
  for (const key of Object.keys(b)) {
    const x = await a[key]!.data();
    const y = await b[key]!.data();
    for (let i = 0; i < y.length; i++) {
      diff = Math.max(diff, Math.abs(x[i]! - y[i]!));
      scale = Math.max(scale, Math.abs(y[i]!));
    }
  }
  return diff / scale;
}

const widths = (layout: FeatureLayout, e: number) => ({
  du: (layout.user.indexFields + layout.user.multiFields) * e,
  di: (layout.item.indexFields + layout.item.multiFields) * e,
});

/**
 * Shapes of every MeLU parameter (initMelu's key order) for embedding width e, hidden width h and
 * `hiddenLayers` hidden layers (MeLU: 2; then w2 .. w{L+1}, the last the output [h, 1]).
 */
export function meluShapes(layout: FeatureLayout, e: number, h: number, hiddenLayers = 2) {
  const { du, di } = widths(layout, e);
  const shapes: Record<string, number[]> = {
    userTable: [layout.user.tableRows, e],
    itemTable: [layout.item.tableRows, e],
    w1Item: [di, h],
    w1User: [du, h],
    b1: [h],
  };
  for (let k = 2; k <= hiddenLayers + 1; k++) {
    const out = k === hiddenLayers + 1 ? 1 : h;
    shapes[`w${k}`] = [h, out];
    shapes[`b${k}`] = [out];
  }
  return shapes;
}

/** Shapes of every MAMO parameter (initMamo's key order). */
export function mamoShapes(layout: FeatureLayout, e: number, h: number) {
  const { du, di } = widths(layout, e);
  return {
    userTable: [layout.user.tableRows, e],
    itemTable: [layout.item.tableRows, e],
    wu1: [du, h],
    bu1: [h],
    wu2: [h, e],
    bu2: [e],
    wi1: [di, h],
    bi1: [h],
    wi2: [h, e],
    bi2: [e],
    wr2: [e, h],
    br2: [h],
    wr3: [h, 1],
    br3: [1],
  };
}
