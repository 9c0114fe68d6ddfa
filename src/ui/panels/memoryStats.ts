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

export interface SlotProfile {
  readonly slot: number;
  readonly users: number;
  /** Top values by lift (share among the slot's users / share among all rows), per field. */
  readonly fields: { field: string; values: { value: string; share: number; lift: number }[] }[];
}

/** For every slot: its users' gender, age and occupation values with the highest lift. */
export function slotProfiles(
  users: Int32Array,
  attention: Float32Array,
  k: number,
  summary: DatasetSummary,
): SlotProfile[] {
  const dominant = dominantSlots(attention, k);
  const fields = [
    { field: 'gender', codes: summary.userColumns.gender, vocab: summary.vocabularies.gender },
    { field: 'age', codes: summary.userColumns.age, vocab: summary.vocabularies.age },
    { field: 'occupation', codes: summary.userColumns.occupation, vocab: summary.vocabularies.occupation },
  ];
  return Array.from({ length: k }, (_, slot) => {
    const members = Array.from(users).filter((_, r) => dominant[r] === slot);
    return {
      slot,
      users: members.length,
      fields: fields.map(({ field, codes, vocab }) => {
        const all = new Map<number, number>();
        const mine = new Map<number, number>();
        for (const u of users) all.set(codes[u]!, (all.get(codes[u]!) ?? 0) + 1);
        for (const u of members) mine.set(codes[u]!, (mine.get(codes[u]!) ?? 0) + 1);
        const values = [...mine.entries()]
          .map(([code, n]) => ({
            value: vocab[code] ?? '?',
            share: n / Math.max(1, members.length),
            lift: n / Math.max(1, members.length) / ((all.get(code) ?? 1) / users.length),
          }))
          .sort((a, b) => b.lift - a.lift || b.share - a.share)
          .slice(0, 3);
        return { field, values };
      }),
    };
  });
}
