/**
 * Pure helpers of the memory explorer: row order by dominant slot, and what distinguishes each slot's
 * users (profile values over-represented among the users whose dominant slot it is).
 */
import type { DatasetSummary } from '../../data/summary';

/** Dominant slot of each row of a [rows x k] attention matrix. */
export function dominantSlots(attention: Float32Array, k: number): Int32Array {
  const rows = attention.length / k;
  const out = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    let best = 0;
    for (let j = 1; j < k; j++) if (attention[r * k + j]! > attention[r * k + best]!) best = j;
    out[r] = best;
  }
  return out;
}

/** Row order: by dominant slot, then by its weight (strongest first). */
export function sortByDominant(attention: Float32Array, k: number): Int32Array {
  const dominant = dominantSlots(attention, k);
  const rows = Array.from({ length: dominant.length }, (_, r) => r);
  rows.sort(
    (a, b) =>
      dominant[a]! - dominant[b]! || attention[b * k + dominant[b]!]! - attention[a * k + dominant[a]!]!,
  );
  return Int32Array.from(rows);
}

/** How far an attention matrix is from uniform (1/k everywhere). */
export interface AttentionStats {
  readonly uniform: number;
  /** Mean over rows of the largest weight (uniform attention gives 1/k). */
  readonly meanTop: number;
  /** Largest |a - 1/k| over all cells. */
  readonly maxDeviation: number;
  /** Mean weight of each slot over the rows. */
  readonly slotMeans: readonly number[];
  /** Every weight within NEAR_UNIFORM of 1/k: the dominant slot is then decided by noise-sized gaps. */
  readonly nearUniform: boolean;
}

/** Within this of 1/k everywhere, attention is called near-uniform (K=3: no weight above 0.383). */
export const NEAR_UNIFORM = 0.05;

export function attentionStats(attention: Float32Array, k: number): AttentionStats {
  const rows = attention.length / k;
  const uniform = 1 / k;
  let top = 0;
  let deviation = 0;
  const sums = new Array<number>(k).fill(0);
  for (let r = 0; r < rows; r++) {
    let best = 0;
    for (let j = 0; j < k; j++) {
      const a = attention[r * k + j]!;
      best = Math.max(best, a);
      deviation = Math.max(deviation, Math.abs(a - uniform));
      sums[j]! += a;
    }
    top += best;
  }
  return {
    uniform,
    meanTop: rows ? top / rows : uniform,
    maxDeviation: deviation,
    slotMeans: sums.map((x) => (rows ? x / rows : uniform)),
    nearUniform: deviation < NEAR_UNIFORM,
  };
}

export interface ValueShare {
  readonly value: string;
  /** Share of the group's users with this value. */
  readonly share: number;
  /** share / the value's share among all evaluated users. */
  readonly lift: number;
}

export interface SlotProfile {
  readonly slot: number;
  readonly users: number;
  /** Per field, the most common values among the slot's users (share and lift), most common first. */
  readonly fields: { field: string; values: ValueShare[] }[];
}

/** Fewer users than this in a slot: its value shares are not shown as a description of the slot. */
export const MIN_SLOT_USERS = 5;

const FIELDS = ['gender', 'age', 'occupation'] as const;

function distribution(
  members: readonly number[],
  codes: ArrayLike<number>,
  vocab: readonly string[],
  overall: Map<number, number>,
  total: number,
  top: number,
): ValueShare[] {
  const mine = new Map<number, number>();
  for (const u of members) mine.set(codes[u]!, (mine.get(codes[u]!) ?? 0) + 1);
  return [...mine.entries()]
    .map(([code, n]) => ({
      value: vocab[code] ?? '?',
      share: n / Math.max(1, members.length),
      lift: n / Math.max(1, members.length) / ((overall.get(code) ?? 1) / Math.max(1, total)),
    }))
    .sort((a, b) => b.share - a.share || b.lift - a.lift)
    .slice(0, top);
}

/**
 * The gender, age and occupation distributions of each slot's users (users grouped by dominant slot),
 * and of all evaluated users (slot -1) for reference: the most common values, with their lift.
 */
export function slotProfiles(
  users: Int32Array,
  attention: Float32Array,
  k: number,
  summary: DatasetSummary,
  top = 3,
): { slots: SlotProfile[]; overall: SlotProfile } {
  const dominant = dominantSlots(attention, k);
  const all = Array.from(users);
  const fields = FIELDS.map((field) => {
    const codes = summary.userColumns[field];
    const counts = new Map<number, number>();
    for (const u of all) counts.set(codes[u]!, (counts.get(codes[u]!) ?? 0) + 1);
    return { field, codes, vocab: summary.vocabularies[field], counts };
  });
  const profile = (slot: number, members: number[]): SlotProfile => ({
    slot,
    users: members.length,
    fields: fields.map(({ field, codes, vocab, counts }) => ({
      field,
      values: distribution(members, codes, vocab, counts, all.length, top),
    })),
  });
  return {
    slots: Array.from({ length: k }, (_, slot) =>
      profile(
        slot,
        all.filter((_, r) => dominant[r] === slot),
      ),
    ),
    overall: profile(-1, all),
  };
}
