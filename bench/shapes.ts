// A synthetic meta-learning problem with MovieLens-1M/MeLU shapes (vocabularies, field counts, support
// sizes 3..90, 10 queries), for timing meta-steps when the real data is absent. Timing only: the values
// are random.
import { createRng } from '../src/lib/rng';
import type { TaskSet } from '../src/data/scenarios/types';
import type { FeatureLayout } from '../src/train/layout';

export function meluShapedProblem(seed: number, tasks: number): { layout: FeatureLayout; set: TaskSet } {
  const rng = createRng(seed);
  const users = 3000;
  const items = 3881;
  const userVocab = [2, 7, 21, 3402];
  const multiVocab = [25, 2186, 8030];
  const width = 4;
  const userOffsets = userVocab.map((_, i) => userVocab.slice(0, i).reduce((a, b) => a + b + 1, 0));
  const userIndex = new Int32Array(users * 4);
  for (let u = 0; u < users; u++)
    for (let f = 0; f < 4; f++) userIndex[u * 4 + f] = userOffsets[f]! + 1 + rng.int(userVocab[f]!);
  const itemIndex = new Int32Array(items);
  for (let i = 0; i < items; i++) itemIndex[i] = 1 + rng.int(6);
  let offset = 7;
  const multiOffsets = multiVocab.map((v) => {
    const o = offset;
    offset += v + 1;
    return o;
  });
  const itemMulti = new Int32Array(items * 3 * width);
  const itemMultiWeights = new Float32Array(items * 3 * width);
  for (let i = 0; i < items; i++) {
    for (let f = 0; f < 3; f++) {
      const n = 1 + rng.int(width);
      for (let j = 0; j < width; j++) {
        const slot = (i * 3 + f) * width + j;
        itemMulti[slot] = multiOffsets[f]! + (j < n ? 1 + rng.int(multiVocab[f]!) : 0);
        itemMultiWeights[slot] = j < n ? 1 / n : 0;
      }
    }
  }
  const layout: FeatureLayout = {
    user: { tableRows: userVocab.reduce((a, b) => a + b + 1, 0), indexFields: 4, multiFields: 0, width: 1 },
    item: { tableRows: offset, indexFields: 1, multiFields: 3, width },
    userIndex,
    itemIndex,
    itemMulti,
    itemMultiWeights,
    itemMultiUnknown: Int32Array.from(multiOffsets),
    userFieldNames: ['gender', 'age', 'occupation', 'zip'],
    itemFieldNames: ['rate', 'genre', 'director', 'actor'],
    userRowLabels: [],
  };
  const so = [0];
  const qo = [0];
  const si: number[] = [];
  const sv: number[] = [];
  const qi: number[] = [];
  const qv: number[] = [];
  const us: number[] = [];
  for (let t = 0; t < tasks; t++) {
    us.push(rng.int(users));
    const ns = 3 + rng.int(88);
    for (let j = 0; j < ns; j++) {
      si.push(rng.int(items));
      sv.push(1 + rng.int(5));
    }
    for (let j = 0; j < 10; j++) {
      qi.push(rng.int(items));
      qv.push(1 + rng.int(5));
    }
    so.push(si.length);
    qo.push(qi.length);
  }
  const set: TaskSet = {
    count: tasks,
    users: Int32Array.from(us),
    supportOffsets: Int32Array.from(so),
    supportItems: Int32Array.from(si),
    supportValues: Float32Array.from(sv),
    queryOffsets: Int32Array.from(qo),
    queryItems: Int32Array.from(qi),
    queryValues: Float32Array.from(qv),
  };
  return { layout, set };
}
