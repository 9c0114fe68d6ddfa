/**
 * Worker-side answers about a trained model: one test user's adaptation (the Users panel) and
 * recommendations for a profile and ratings typed in by the researcher (Be the new user).
 */
import type { Dataset } from '../data/dataset';
import type { FeatureLayout } from '../data/features';
import { packTasks } from '../data/scenarios/taskset';
import type { Scenario, ScenarioSplit, TaskSet } from '../data/scenarios/types';
import { batchTensors, disposeBatchTensors, makeBatch } from '../train/batch';
import { disposePredictions, type ModelEngine } from '../train/engine';
import type { NewUserProfile, Recommendations, UserInspection } from './protocol';

async function predictOne(
  engine: ModelEngine,
  set: TaskSet,
  layout: FeatureLayout,
  userRows?: Int32Array,
): Promise<{ before: Float32Array; after: Float32Array; attention: number[] | null; length: number }> {
  const batch = makeBatch(set, [0], layout, userRows);
  const tensors = batchTensors(batch, layout);
  try {
    const p = engine.predict(tensors);
    const [before, after, attention] = await Promise.all([
      p.before.data(),
      p.after.data(),
      p.attention?.data() ?? null,
    ]);
    disposePredictions(p);
    return {
      before: before as Float32Array,
      after: after as Float32Array,
      attention: attention ? Array.from(attention) : null,
      length: batch.query.maxLen,
    };
  } finally {
    disposeBatchTensors(tensors);
  }
}

/** A user's profile as "field=value" labels. */
export function profileOf(dataset: Dataset, u: number): string[] {
  const { users } = dataset;
  const v = (c: { vocab: readonly string[]; codes: Int32Array }) => c.vocab[c.codes[u]!] ?? '<unk>';
  return [
    `gender=${v(users.gender)}`,
    `age=${v(users.age)}`,
    `occupation=${v(users.occupation)}`,
    `zip=${v(users.zip)}`,
  ];
}

/** Task `task` of test scenario `scenario`: support, query with predictions before/after, attention. */
export async function inspectTask(
  engine: ModelEngine,
  dataset: Dataset,
  split: ScenarioSplit,
  layout: FeatureLayout,
  scenario: Scenario,
  task: number,
): Promise<UserInspection> {
  const set = testTask(split, scenario, task);
  const one = sliceTask(set, task);
  const p = await predictOne(engine, one, layout);
  const item = (i: number) => ({
    title: dataset.items.titles[i] ?? `item ${dataset.items.rawIds[i]}`,
    year: dataset.items.year[i]!,
  });
  const u = set.users[task]!;
  return {
    scenario,
    task,
    rawUserId: dataset.users.rawIds[u]!,
    profile: profileOf(dataset, u),
    support: Array.from(one.supportItems, (i, k) => ({ ...item(i), rating: one.supportValues[k]! })),
    query: Array.from(one.queryItems, (i, k) => ({
      ...item(i),
      rating: one.queryValues[k]!,
      before: p.before[k]!,
      after: p.after[k]!,
    })),
    attention: p.attention,
  };
}

/** The test set of `scenario`, checking that `task` is one of its tasks. */
export function testTask(split: ScenarioSplit, scenario: Scenario, task: number): TaskSet {
  const set = split.test[scenario];
  if (!Number.isInteger(task) || task < 0 || task >= set.count) {
    throw new Error(`Expected a task in 0..${set.count - 1} of the ${scenario} test set, got ${task}`);
  }
  return set;
}

function sliceTask(set: TaskSet, t: number): TaskSet {
  const s0 = set.supportOffsets[t]!;
  const s1 = set.supportOffsets[t + 1]!;
  const q0 = set.queryOffsets[t]!;
  const q1 = set.queryOffsets[t + 1]!;
  return packTasks([
    {
      user: set.users[t]!,
      supportItems: set.supportItems.subarray(s0, s1),
      supportValues: set.supportValues.subarray(s0, s1),
      queryItems: set.queryItems.subarray(q0, q1),
      queryValues: set.queryValues.subarray(q0, q1),
    },
  ]);
}

/** The user-table rows of a typed-in profile ("field=value" labels; unknown values read '<unk>'). */
export function profileRows(layout: FeatureLayout, profile: NewUserProfile): Int32Array {
  const rows = new Int32Array(layout.user.indexFields);
  layout.userFieldNames.forEach((field, f) => {
    const raw =
      field === 'gender'
        ? profile.gender
        : field === 'age'
          ? profile.age
          : field === 'occupation'
            ? profile.occupation
            : field.startsWith('zip')
              ? profile.zip.slice(0, Number(field.slice(3)))
              : '';
    const wanted = layout.userRowLabels.indexOf(`${field}=${raw}`);
    rows[f] = wanted >= 0 && raw !== '' ? wanted : layout.userRowLabels.indexOf(`${field}=<unk>`);
  });
  return rows;
}

/** Adapts to the given ratings and ranks every other item: the top `count` by predicted rating. */
export async function recommendFor(
  engine: ModelEngine,
  dataset: Dataset,
  layout: FeatureLayout,
  profile: NewUserProfile,
  ratings: readonly { item: number; rating: number }[],
  count: number,
): Promise<Recommendations> {
  for (const r of ratings) {
    if (!Number.isInteger(r.item) || r.item < 0 || r.item >= dataset.items.count)
      throw new Error(`Expected an item index, got ${r.item}`);
    // 1..5, widened to the dataset's own scale (half stars down to 0.5 on ML-10M/20M/25M)
    const min = Math.min(1, dataset.ratingScale?.min ?? 1);
    const max = Math.max(5, dataset.ratingScale?.max ?? 5);
    if (!(r.rating >= min && r.rating <= max))
      throw new Error(`Expected a rating in ${min}..${max}, got ${r.rating}`);
  }
  const rated = new Set(ratings.map((r) => r.item));
  const candidates = Array.from({ length: dataset.items.count }, (_, i) => i).filter((i) => !rated.has(i));
  const set = packTasks([
    {
      user: 0,
      supportItems: ratings.map((r) => r.item),
      supportValues: ratings.map((r) => r.rating),
      queryItems: candidates,
      queryValues: candidates.map(() => 0),
    },
  ]);
  const p = await predictOne(engine, set, layout, profileRows(layout, profile));
  const order = candidates.map((item, k) => ({ item, score: p.after[k]! })).sort((a, b) => b.score - a.score);
  return {
    items: order.slice(0, count).map(({ item, score }) => ({
      item,
      title: dataset.items.titles[item] ?? `item ${dataset.items.rawIds[item]}`,
      year: dataset.items.year[item]!,
      genres: Array.from(
        dataset.items.genres.codes.subarray(
          dataset.items.genres.offsets[item]!,
          dataset.items.genres.offsets[item + 1]!,
        ),
        (c) => dataset.items.genres.vocab[c]!,
      ),
      score,
    })),
    attention: p.attention,
    supportSize: ratings.length,
  };
}
