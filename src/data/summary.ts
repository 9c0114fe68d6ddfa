/**
 * What the UI and `cli inspect` show about a loaded dataset: counts, the rating histogram, the profile
 * vocabularies (for "be the new user") and the most-rated items with their titles (for picking movies).
 */
import { noRatingsReason, protocolBlocker, type FileContribution } from './contributions';
import type { Dataset, DatasetFormat } from './dataset';
import { rowCodes } from './dataset';
import { datasetIdentity, type DatasetIdentity } from './identity';
import { PROTOCOLS, type Protocol } from './scenarios/types';

export interface ItemSummary {
  /** ItemIndex */
  readonly item: number;
  readonly rawId: number;
  readonly title: string;
  readonly year: number;
  readonly genres: readonly string[];
  readonly ratings: number;
  readonly mean: number;
}

export interface DatasetSummary {
  readonly name: string;
  readonly format: DatasetFormat;
  readonly files: readonly string[];
  /** Name, files and 64-bit content hash (identity.ts): what run summaries and links name. */
  readonly identity: DatasetIdentity;
  readonly notes: readonly string[];
  /** What each given file contributed (role, rows), in the order given. */
  readonly contributions: readonly FileContribution[];
  /** Sentences to keep in view (never folded into the notes), e.g. why there are no ratings. */
  readonly warnings: readonly string[];
  /** Per protocol: why it cannot run on this data, or null when it can (the UI disables Train with it). */
  readonly protocolBlockers: Readonly<Record<Protocol, string | null>>;
  readonly users: number;
  readonly items: number;
  readonly ratings: number;
  /** Users that have at least one rating. */
  readonly ratedUsers: number;
  /** Count of ratings rounded to 1..5 (index 0 = rating 1). */
  readonly histogram: readonly number[];
  readonly meanRating: number;
  /** First and last rating time (Unix seconds), 0 when there are no ratings. */
  readonly timeRange: readonly [number, number];
  readonly hasPublishedSplit: boolean;
  readonly hasSideInformation: boolean;
  readonly vocabularies: {
    readonly gender: readonly string[];
    readonly age: readonly string[];
    readonly occupation: readonly string[];
  };
  /** The most-rated items, most ratings first. */
  readonly popularItems: readonly ItemSummary[];
  /** Per user (by UserIndex): raw id and profile codes into `vocabularies`. */
  readonly userColumns: {
    readonly rawIds: Int32Array;
    readonly gender: Int32Array;
    readonly age: Int32Array;
    readonly occupation: Int32Array;
  };
}

/** Summarises a dataset; `popular` caps the item list (most ratings first). */
export function summarizeDataset(dataset: Dataset, popular = 400): DatasetSummary {
  const { users, items, ratings } = dataset;
  const histogram = [0, 0, 0, 0, 0];
  const perItem = new Int32Array(items.count);
  const sumItem = new Float64Array(items.count);
  const rated = new Uint8Array(users.count);
  let total = 0;
  let tMin = Infinity;
  let tMax = -Infinity;
  for (let r = 0; r < ratings.count; r++) {
    const v = ratings.value[r]!;
    const bin = Math.min(5, Math.max(1, Math.round(v))) - 1;
    histogram[bin]!++;
    total += v;
    const i = ratings.item[r]!;
    perItem[i]!++;
    sumItem[i]! += v;
    rated[ratings.user[r]!] = 1;
    const t = ratings.time[r]!;
    if (t < tMin) tMin = t;
    if (t > tMax) tMax = t;
  }
  const order = Array.from({ length: items.count }, (_, i) => i)
    .filter((i) => perItem[i]! > 0)
    .sort((a, b) => perItem[b]! - perItem[a]! || a - b)
    .slice(0, popular);
  return {
    name: dataset.name,
    format: dataset.format,
    files: dataset.files,
    identity: datasetIdentity(dataset),
    notes: dataset.notes,
    contributions: dataset.contributions ?? [],
    warnings: ratings.count === 0 ? [noRatingsReason(dataset)] : [],
    protocolBlockers: Object.fromEntries(PROTOCOLS.map((p) => [p, protocolBlocker(dataset, p)])) as Record<
      Protocol,
      string | null
    >,
    users: users.count,
    items: items.count,
    ratings: ratings.count,
    ratedUsers: rated.reduce((n, x) => n + x, 0),
    histogram,
    meanRating: ratings.count ? total / ratings.count : 0,
    timeRange: ratings.count ? [tMin, tMax] : [0, 0],
    hasPublishedSplit: dataset.published !== undefined,
    hasSideInformation: items.rate !== undefined,
    vocabularies: { gender: users.gender.vocab, age: users.age.vocab, occupation: users.occupation.vocab },
    popularItems: order.map((i) => ({
      item: i,
      rawId: items.rawIds[i]!,
      title: items.titles[i] ?? '',
      year: items.year[i]!,
      genres: Array.from(rowCodes(items.genres, i), (c) => items.genres.vocab[c] ?? ''),
      ratings: perItem[i]!,
      mean: sumItem[i]! / perItem[i]!,
    })),
    userColumns: {
      rawIds: users.rawIds.slice(),
      gender: users.gender.codes.slice(),
      age: users.age.codes.slice(),
      occupation: users.occupation.codes.slice(),
    },
  };
}
