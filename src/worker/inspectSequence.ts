/**
 * The Users drill-down for a MELO or MML run: one test task's window, answered by the model the run
 * retained (train/sequenceInspect.ts), with the items named and the user's profile, as a
 * UserInspection carrying `sequence` (protocol.ts).
 */
import type { Dataset } from '../data/dataset';
import type { Scenario, ScenarioSplit } from '../data/scenarios/types';
import type { RetainedSequence } from '../train/sequenceInspect';
import { profileOf, testTask } from './inspect';
import type { SequenceInspection, UserInspection, WindowItem } from './protocol';

/** Task `task` of test scenario `scenario` through a sequence run's retained model. */
export async function inspectSequenceTask(
  model: RetainedSequence,
  dataset: Dataset,
  split: ScenarioSplit,
  scenario: Scenario,
  task: number,
): Promise<UserInspection> {
  const set = testTask(split, scenario, task);
  const a = await model.inspectTask(set, task);
  const named = (i: number) => ({
    title: dataset.items.titles[i] ?? `item ${dataset.items.rawIds[i]}`,
    year: dataset.items.year[i]!,
  });
  const at = (position: number): WindowItem => ({
    ...named(a.items[position]!),
    rating: a.ratings[position]!,
    position,
  });
  const support = Array.from({ length: a.support }, (_, l) => at(l));
  const base = { steps: a.steps, dropped: a.dropped, support };
  const sequence: SequenceInspection =
    a.kind === 'rating'
      ? {
          kind: 'rating',
          ...base,
          query: a.before.map((before, k) => ({ ...at(a.support + k), before, after: a.after[k]! })),
        }
      : {
          kind: 'ranking',
          ...base,
          candidates: a.candidates,
          query: a.cases.map((c) => ({
            ...at(c.position),
            rankBefore: c.rankBefore,
            rankAfter: c.rankAfter,
            top: c.top.map(named),
          })),
        };
  const u = set.users[task]!;
  return {
    scenario,
    task,
    rawUserId: dataset.users.rawIds[u]!,
    profile: profileOf(dataset, u),
    support: support.map(({ title, year, rating }) => ({ title, year, rating })),
    query:
      sequence.kind === 'rating'
        ? sequence.query.map(({ title, year, rating, before, after }) => ({
            title,
            year,
            rating,
            before,
            after,
          }))
        : [],
    attention: null,
    sequence,
  };
}
