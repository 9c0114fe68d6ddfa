// A tiny random meta-learning problem (plain typed arrays) for gradient and equivalence tests:
// a FeatureLayout with index and multi-hot fields and a TaskSet with ragged supports and queries.
import { createRng } from '../../src/lib/rng';
import type { TaskSet } from '../../src/data/scenarios/types';
import type { FeatureLayout } from '../../src/train/layout';

export interface TinyProblem {
  readonly layout: FeatureLayout;
  readonly tasks: TaskSet;
  readonly users: number;
  readonly items: number;
}

export function tinyProblem(
  seed: number,
  options: { tasks?: number; maxSupport?: number; maxQuery?: number } = {},
): TinyProblem {
  const rng = createRng(seed);
  const users = 7;
  const items = 13;
  // user side: 2 index fields (vocab 3 and 4) -> table rows 7
  const userIndex = new Int32Array(users * 2);
  for (let u = 0; u < users; u++) {
    userIndex[u * 2] = rng.int(3);
    userIndex[u * 2 + 1] = 3 + rng.int(4);
  }
  // item side: 1 index field (vocab 5) + 2 multi-hot fields (vocab 6 and 4) of width 3 -> rows 15
  const width = 3;
  const itemIndex = new Int32Array(items);
  const itemMulti = new Int32Array(items * 2 * width);
  const itemMultiWeights = new Float32Array(items * 2 * width);
  for (let i = 0; i < items; i++) {
    itemIndex[i] = rng.int(5);
    const fields = [
      { offset: 5, vocab: 6 },
      { offset: 11, vocab: 4 },
    ];
    fields.forEach((f, fi) => {
      const n = 1 + rng.int(width);
      for (let j = 0; j < width; j++) {
        const slot = i * 2 * width + fi * width + j;
        itemMulti[slot] = j < n ? f.offset + rng.int(f.vocab) : f.offset;
        itemMultiWeights[slot] = j < n ? 1 / n : 0;
      }
    });
  }
  const layout: FeatureLayout = {
    user: { tableRows: 7, indexFields: 2, multiFields: 0, width: 1 },
    item: { tableRows: 15, indexFields: 1, multiFields: 2, width },
    userIndex,
    itemIndex,
    itemMulti,
    itemMultiWeights,
    itemMultiUnknown: Int32Array.from([5, 11]),
    userFieldNames: ['a', 'b'],
    itemFieldNames: ['c', 'm1', 'm2'],
    userRowLabels: Array.from({ length: 7 }, (_, r) => `row${r}`),
  };
  const count = options.tasks ?? 5;
  const maxSupport = options.maxSupport ?? 6;
  const maxQuery = options.maxQuery ?? 4;
  const taskUsers: number[] = [];
  const so = [0];
  const qo = [0];
  const si: number[] = [];
  const sv: number[] = [];
  const qi: number[] = [];
  const qv: number[] = [];
  for (let t = 0; t < count; t++) {
    taskUsers.push(rng.int(users));
    const ns = 1 + rng.int(maxSupport);
    const nq = 1 + rng.int(maxQuery);
    for (let j = 0; j < ns; j++) {
      si.push(rng.int(items));
      sv.push(1 + rng.int(5));
    }
    for (let j = 0; j < nq; j++) {
      qi.push(rng.int(items));
      qv.push(1 + rng.int(5));
    }
    so.push(si.length);
    qo.push(qi.length);
  }
  const tasks: TaskSet = {
    count,
    users: Int32Array.from(taskUsers),
    supportOffsets: Int32Array.from(so),
    supportItems: Int32Array.from(si),
    supportValues: Float32Array.from(sv),
    queryOffsets: Int32Array.from(qo),
    queryItems: Int32Array.from(qi),
    queryValues: Float32Array.from(qv),
  };
  return { layout, tasks, users, items };
}
