import { describe, expect, it } from 'vitest';
import { createRng } from '../../lib/rng';
import { packTasks, redrawSupportQuery } from './taskset';
import { taskAt, type TaskSet } from './types';

function ratingsOf(set: TaskSet, t: number): string[] {
  const task = taskAt(set, t);
  const rows: string[] = [];
  task.supportItems.forEach((item, k) => rows.push(`${item}:${task.supportValues[k]}`));
  task.queryItems.forEach((item, k) => rows.push(`${item}:${task.queryValues[k]}`));
  return rows.sort();
}

describe('redrawSupportQuery (task augmentation)', () => {
  const set = packTasks(
    Array.from({ length: 5 }, (_, u) => ({
      user: u,
      supportItems: Array.from({ length: 3 + u }, (_, k) => 100 * u + k),
      supportValues: Array.from({ length: 3 + u }, (_, k) => 1 + (k % 5)),
      queryItems: Array.from({ length: 4 }, (_, k) => 100 * u + 50 + k),
      queryValues: Array.from({ length: 4 }, (_, k) => 1 + ((k + 2) % 5)),
    })),
  );

  it("keeps each task's sizes and its ratings, and moves ratings between support and query", () => {
    const redrawn = redrawSupportQuery(set, createRng(7));
    expect(redrawn.supportOffsets).toEqual(set.supportOffsets);
    expect(redrawn.queryOffsets).toEqual(set.queryOffsets);
    expect(redrawn.users).toEqual(set.users);
    let moved = 0;
    for (let t = 0; t < set.count; t++) {
      expect(ratingsOf(redrawn, t)).toEqual(ratingsOf(set, t));
      const before = new Set(taskAt(set, t).supportItems);
      moved += Array.from(taskAt(redrawn, t).supportItems).filter((i) => !before.has(i)).length;
    }
    expect(moved).toBeGreaterThan(0);
  });

  it('is deterministic per seed and differs across seeds; the input is not modified', () => {
    const copy = Int32Array.from(set.supportItems);
    const a = redrawSupportQuery(set, createRng(3));
    const b = redrawSupportQuery(set, createRng(3));
    const c = redrawSupportQuery(set, createRng(4));
    expect(a.supportItems).toEqual(b.supportItems);
    expect(a.queryValues).toEqual(b.queryValues);
    expect(Array.from(a.supportItems)).not.toEqual(Array.from(c.supportItems));
    expect(set.supportItems).toEqual(copy);
  });
});
