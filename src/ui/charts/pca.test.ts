// The user map's PCA: power iteration recovers known principal axes and their variances.
import { describe, expect, it } from 'vitest';
import { createRng } from '../../lib/rng';
import { pca2 } from './pca';

describe('pca2', () => {
  it('finds the axes of a cloud stretched along known orthogonal directions', () => {
    const d = 6;
    const n = 4000;
    const rng = createRng(3);
    const gauss = () => Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
    // u, v orthonormal; spreads 3 (u), 1.5 (v), 0.1 (noise in every dimension); mean offset 5
    const u = [1, 1, 0, 0, 0, 0].map((x) => x / Math.SQRT2);
    const v = [0, 0, 1, -1, 1, -1].map((x) => x / 2);
    const rows = new Float32Array(n * d);
    for (let r = 0; r < n; r++) {
      const a = 3 * gauss();
      const b = 1.5 * gauss();
      for (let j = 0; j < d; j++) rows[r * d + j] = 5 + a * u[j]! + b * v[j]! + 0.1 * gauss();
    }
    const p = pca2(rows, n, d);
    const dot = (k: number, w: number[]) => w.reduce((s, x, j) => s + x * p.axes[k * d + j]!, 0);
    expect(Math.abs(dot(0, u))).toBeGreaterThan(0.999);
    expect(Math.abs(dot(1, v))).toBeGreaterThan(0.999);
    expect(p.variances[0]).toBeCloseTo(9 + 0.01, 0);
    expect(p.variances[1]).toBeCloseTo(2.25 + 0.01, 0);
    expect(p.explained).toBeGreaterThan(0.98);
    // coordinates are centred projections: their variance is the axis' variance
    let m2 = 0;
    for (let r = 0; r < n; r++) m2 += p.coords[2 * r]! ** 2 / (n - 1);
    expect(m2 / p.variances[0]).toBeCloseTo(1, 3);
    // the sign convention: the largest entry of each axis is positive
    for (let k = 0; k < 2; k++) {
      const axis = Array.from(p.axes.subarray(k * d, (k + 1) * d));
      const big = axis.reduce((b, x, j) => (Math.abs(x) > Math.abs(axis[b]!) ? j : b), 0);
      expect(axis[big]).toBeGreaterThan(0);
    }
  });

  it('handles a degenerate cloud and checks its input size', () => {
    const p = pca2(new Float32Array([1, 2, 1, 2, 1, 2]), 3, 2);
    expect(Array.from(p.coords)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(p.explained).toBe(0);
    expect(() => pca2(new Float32Array(5), 3, 2)).toThrow('Expected 3 x 2 = 6 values, got 5');
  });
});
