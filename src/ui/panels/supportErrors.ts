/**
 * Error by support-set size: per test scenario, the users binned by how many support ratings they gave
 * (the local adaptation's data), and per bin each predictor's query MAE = Σ_u abs_u / Σ_u n_u over the
 * bin's users (the scenario MAE restricted to the bin, so bins weight users by their query ratings as
 * the scenario MAE does). Input: the per-user errors of an `evaluated` event (experiment/userErrors.ts
 * shape, with `support`: each user's support ratings). Pure; unit-tested.
 */
import type { Scenario } from '../../data/scenarios/types';

/** The per-user errors of one scenario (structurally experiment/userErrors.ts ScenarioErrors + support). */
export interface UserErrorsLike {
  readonly users: readonly number[];
  readonly n: readonly number[];
  readonly support?: readonly number[];
  readonly predictors: Partial<
    Record<string, { readonly abs: readonly number[]; readonly sq: readonly number[] }>
  >;
}
export type SeedErrorsLike = Partial<Record<Scenario, UserErrorsLike>>;

/** Support-size bins, doubling widths: 1-3, 4-7, 8-15, 16-31, 32-63, 64+ ratings (0: none). */
export const SUPPORT_EDGES = [0, 1, 4, 8, 16, 32, 64] as const;

export interface SupportBin {
  /** Support sizes lo..hi (hi = Infinity for the last) */
  readonly lo: number;
  readonly hi: number;
  readonly label: string;
  readonly users: number;
  readonly ratings: number;
  /** predictor -> query MAE over the bin's users (absent when a predictor has no errors here) */
  readonly mae: Readonly<Record<string, number>>;
}

function binOf(size: number): number {
  let b = 0;
  while (b + 1 < SUPPORT_EDGES.length && size >= SUPPORT_EDGES[b + 1]!) b++;
  return b;
}

function labelOf(b: number): string {
  const lo = SUPPORT_EDGES[b]!;
  const next = SUPPORT_EDGES[b + 1];
  if (next === undefined) return `${lo}+`;
  return next - 1 === lo ? String(lo) : `${lo}–${next - 1}`;
}

/** The non-empty bins of one scenario (in size order), or null without support sizes. */
export function errorsBySupport(errors: UserErrorsLike): SupportBin[] | null {
  const support = errors.support;
  if (!support || support.length !== errors.users.length) return null;
  const predictors = Object.keys(errors.predictors);
  const acc = SUPPORT_EDGES.map(() => ({ users: 0, ratings: 0, abs: new Map<string, number>() }));
  errors.users.forEach((_, u) => {
    const bin = acc[binOf(support[u]!)]!;
    bin.users++;
    bin.ratings += errors.n[u]!;
    for (const p of predictors) bin.abs.set(p, (bin.abs.get(p) ?? 0) + errors.predictors[p]!.abs[u]!);
  });
  return acc.flatMap((bin, b) =>
    bin.users === 0
      ? []
      : [
          {
            lo: SUPPORT_EDGES[b]!,
            hi: b + 1 < SUPPORT_EDGES.length ? SUPPORT_EDGES[b + 1]! - 1 : Infinity,
            label: labelOf(b),
            users: bin.users,
            ratings: bin.ratings,
            mae: Object.fromEntries(
              [...bin.abs].map(([p, abs]) => [p, bin.ratings ? abs / bin.ratings : NaN]),
            ),
          },
        ],
  );
}
