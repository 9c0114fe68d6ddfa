import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../config/experiment';
import { SCENARIOS, type TaskSet } from '../data/scenarios/types';
import type { BackendInfo } from '../kernels/backend';
import { demoDataset } from '../../tests/helpers/demo';
import { constantBaselinesWithChoice } from './baselines';
import { BIAS_LAMBDA_GRID, biasMetrics, fitItemBiases, ridgeSolve, userResidual } from './biasBaseline';
import type { FeatureLayout } from './layout';
import { prepareExperiment } from './prepare';

/** A TaskSet from per-task [support, query] lists of [item, rating]. */
function taskSet(tasks: [number, number][][][]): TaskSet {
  const so = [0];
  const qo = [0];
  const si: number[] = [];
  const sv: number[] = [];
  const qi: number[] = [];
  const qv: number[] = [];
  for (const [support, query] of tasks) {
    for (const [i, r] of support!) {
      si.push(i);
      sv.push(r);
    }
    for (const [i, r] of query!) {
      qi.push(i);
      qv.push(r);
    }
    so.push(si.length);
    qo.push(qi.length);
  }
  return {
    count: tasks.length,
    users: Int32Array.from(tasks.map((_, t) => t)),
    supportOffsets: Int32Array.from(so),
    supportItems: Int32Array.from(si),
    supportValues: Float32Array.from(sv),
    queryOffsets: Int32Array.from(qo),
    queryItems: Int32Array.from(qi),
    queryValues: Float32Array.from(qv),
  };
}

// 5 items with one index field of 3 table rows (0 = unknown, 1 = A, 2 = B): items 0, 1, 3 are A, 2 and 4 B
const layout: FeatureLayout = {
  user: { tableRows: 1, indexFields: 1, multiFields: 0, width: 1 },
  item: { tableRows: 3, indexFields: 1, multiFields: 0, width: 1 },
  userIndex: Int32Array.from([0, 0]),
  itemIndex: Int32Array.from([1, 1, 2, 1, 2]),
  itemMulti: new Int32Array(0),
  itemMultiWeights: new Float32Array(0),
  itemMultiUnknown: new Int32Array(0),
  userFieldNames: ['u'],
  itemFieldNames: ['kind'],
  userRowLabels: ['u=<unk>'],
};

describe('the bias baseline', () => {
  // training ratings: item 0: 5, 4; item 1: 3; item 2: 1  ->  μ = 13/4 = 3.25
  const train = taskSet([
    [
      [
        [0, 5],
        [1, 3],
      ],
      [
        [2, 1],
        [0, 4],
      ],
    ],
  ]);

  it('computes μ, shrunk item biases, the ridge biases of new items and the user residual by hand', () => {
    const model = fitItemBiases(train, layout, 1);
    expect(model.mean).toBe(3.25);
    const b0 = (1.75 + 0.75) / (1 + 2);
    const b1 = -0.25 / (1 + 1);
    const b2 = -2.25 / (1 + 1);
    expect(model.itemBias[0]).toBeCloseTo(b0, 12);
    expect(model.itemBias[1]).toBeCloseTo(b1, 12);
    expect(model.itemBias[2]).toBeCloseTo(b2, 12);
    // ridge (penalty 1) over one-hot kinds: (XᵀX + I) = diag(1, 3, 2), Xᵀb = (0, b0 + b1, b2)
    expect(model.itemBias[3]).toBeCloseTo((b0 + b1) / 3, 10);
    expect(model.itemBias[4]).toBeCloseTo(b2 / 2, 10);
    // a test user: support item 0 rated 5 and new item 3 rated 2; query item 4 rated 3
    const test = taskSet([
      [
        [
          [0, 5],
          [3, 2],
        ],
        [[4, 3]],
      ],
      [[], [[1, 4]]],
    ]);
    const bu = (5 - 3.25 - b0 + (2 - 3.25 - (b0 + b1) / 3)) / (3 + 2);
    expect(userResidual(model, test, 0, 3)).toBeCloseTo(bu, 10);
    expect(userResidual(model, test, 1, 0)).toBe(0); // empty support
    const m = biasMetrics({ ...model, lambdas: { item: 1, user: 3 } }, test, Int32Array.from([0, 1]), [1, 5]);
    const e0 = Math.abs(3.25 + b2 / 2 + bu - 3);
    const e1 = Math.abs(3.25 + b1 - 4);
    expect(m.mae).toBeCloseTo((e0 + e1) / 2, 6);
    expect(m.maeBefore).toBeCloseTo((Math.abs(3.25 + b2 / 2 - 3) + e1) / 2, 6);
    expect(m.ratings).toBe(2);
  });

  it('λ_i = 0 gives the plain mean residual; ridge matches the normal equations', () => {
    const model = fitItemBiases(train, layout, 0);
    expect(model.itemBias[0]).toBeCloseTo(1.25, 12);
    expect(model.itemBias[2]).toBeCloseTo(-2.25, 12);
    // a dense 2-column problem: X = [[1, 2], [0, 1], [1, 0]], y = (1, 2, 3), penalty 0.5
    const rows = [
      { rows: [0, 1], weights: [1, 2] },
      { rows: [1], weights: [1] },
      { rows: [0], weights: [1] },
    ];
    const w = ridgeSolve(rows, [1, 2, 3], 2, 0.5);
    // (XᵀX + 0.5 I) = [[2.5, 2], [2, 5.5]], Xᵀy = (4, 4): w = [[5.5, −2], [−2, 2.5]]·(4, 4) / 9.75
    expect(w[0]).toBeCloseTo((5.5 * 4 - 2 * 4) / 9.75, 10);
    expect(w[1]).toBeCloseTo((-2 * 4 + 2.5 * 4) / 9.75, 10);
  });

  it('beats the global mean on every scenario of the synthetic demo; λs chosen from the grid', async () => {
    const dataset = await demoDataset();
    const config = { ...DEFAULT_CONFIG, evalUsers: 0 };
    const prepared = prepareExperiment(dataset, config);
    const backend = { name: 'cpu' } as BackendInfo;
    const { records, biasLambdas } = constantBaselinesWithChoice({
      datasetName: 'demo',
      split: prepared.split,
      layout: prepared.layout,
      config,
      backend,
    });
    expect(BIAS_LAMBDA_GRID).toContain(biasLambdas.item);
    expect(BIAS_LAMBDA_GRID).toContain(biasLambdas.user);
    for (const s of SCENARIOS) {
      expect(records.bias[s]!.mae, s).toBeLessThan(records.globalMean[s]!.mae);
      expect(records.bias[s]!.rmse, s).toBeLessThan(records.globalMean[s]!.rmse);
    }
  });
});
