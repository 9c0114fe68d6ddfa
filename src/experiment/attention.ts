/** MAMO's memory attention at a checkpoint, in a few numbers (what the results tables report). */
import type { TrainEvent } from '../train/events';

type MemoryEvent = Extract<TrainEvent, { type: 'memory' }>;

/** MAMO: how its memory attention discriminates users at a picked checkpoint, and the number of slots. */
export type AttentionInfo = ReturnType<typeof attentionSummary> & { readonly k: number };

/**
 * How much MAMO's memory attention discriminates between users, from a memory event: the mean over
 * users of the largest attention weight (1/k means uniform), the share of users whose dominant slot is
 * each slot, and the spread of the profile memory rows (mean pairwise L2 distance / mean row norm; 0
 * means all slots are the same vector, so attention cannot tell users apart).
 */
export function attentionSummary(memory: MemoryEvent): {
  meanMaxWeight: number;
  dominantShare: number[];
  slotSpread: number;
} {
  const { attention, k, profileMemory, profileWidth } = memory;
  const rows = attention.length / k;
  let maxSum = 0;
  const dominant = new Array<number>(k).fill(0);
  for (let r = 0; r < rows; r++) {
    let best = 0;
    for (let j = 1; j < k; j++) if (attention[r * k + j]! > attention[r * k + best]!) best = j;
    maxSum += attention[r * k + best]!;
    dominant[best]!++;
  }
  const row = (i: number) => profileMemory.subarray(i * profileWidth, (i + 1) * profileWidth);
  const norm = (v: Float32Array) => Math.hypot(...v);
  let dist = 0;
  let pairs = 0;
  for (let a = 0; a < k; a++)
    for (let b = a + 1; b < k; b++) {
      const va = row(a);
      const vb = row(b);
      dist += Math.hypot(...va.map((x, i) => x - vb[i]!));
      pairs++;
    }
  const meanNorm = Array.from({ length: k }, (_, i) => norm(row(i))).reduce((x, y) => x + y, 0) / k;
  return {
    meanMaxWeight: rows ? maxSum / rows : NaN,
    dominantShare: dominant.map((d) => (rows ? d / rows : NaN)),
    slotSpread: pairs && meanNorm > 0 ? dist / pairs / meanNorm : 0,
  };
}
