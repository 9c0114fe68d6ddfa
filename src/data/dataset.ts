/**
 * The in-memory dataset every parser produces: columnar, typed arrays, no object per rating, so a
 * million ratings cost ~20 MB and cross the worker boundary as transferable buffers.
 *
 * Conventions
 * - Every categorical vocabulary has UNKNOWN ('<unk>') at code 0; unseen or missing values get code 0.
 * - Users and items are indexed densely (UserIndex / ItemIndex); rawIds maps back to file ids.
 * - Multi-hot columns are CSR: row r's codes are codes[offsets[r] .. offsets[r+1]).
 */
import type { FileContribution } from './contributions';
import type { ItemIdMap, UserIdMap } from './ids';

export const UNKNOWN = '<unk>';

/** 'ml-10m': GroupLens ml-10M100K; 'ml-25m': the CSV layout of ml-20m and ml-25m (data/formats/movielensLarge.ts). */
export type DatasetFormat = 'ml-100k' | 'ml-1m' | 'ml-10m' | 'ml-25m' | 'recbole' | 'synthetic';

/** The ratings' scale as found in the data: ML-100K/1M whole stars 1..5, ML-10M/20M/25M half stars 0.5..5. */
export interface RatingScale {
  readonly min: number;
  readonly max: number;
  /** 1 = whole stars, 0.5 = half stars, 0 = any value (RecBole rating:float). */
  readonly step: 1 | 0.5 | 0;
}

/** One code per row; vocab[0] is UNKNOWN. */
export interface CategoricalColumn {
  readonly vocab: readonly string[];
  readonly codes: Int32Array;
}

/** A set of codes per row (CSR); vocab[0] is UNKNOWN and is never stored in a row. */
export interface MultiHotColumn {
  readonly vocab: readonly string[];
  /** length rows + 1 */
  readonly offsets: Int32Array;
  readonly codes: Int32Array;
}

export interface Users {
  readonly count: number;
  /** UserIndex -> raw user id */
  readonly rawIds: Int32Array;
  /** Branded conversions raw user id <-> UserIndex (the only way code outside assembly should convert). */
  readonly ids: UserIdMap;
  readonly gender: CategoricalColumn;
  /** Age group (MovieLens-1M buckets: 1, 18, 25, 35, 45, 50, 56; ml-100k ages are bucketed the same way). */
  readonly age: CategoricalColumn;
  readonly occupation: CategoricalColumn;
  /** Full zip code as written (features.ts takes a prefix). */
  readonly zip: CategoricalColumn;
}

export interface Items {
  readonly count: number;
  /** ItemIndex -> raw item id */
  readonly rawIds: Int32Array;
  /** Branded conversions raw movie id <-> ItemIndex. */
  readonly ids: ItemIdMap;
  /** Titles as plain text (never HTML); year suffix kept as in the file. */
  readonly titles: readonly string[];
  /** Release year, 0 when unknown. */
  readonly year: Int32Array;
  readonly genres: MultiHotColumn;
  /** MeLU side information (movies_extrainfos.dat), present only when that file was loaded. */
  readonly rate?: CategoricalColumn;
  readonly directors?: MultiHotColumn;
  readonly actors?: MultiHotColumn;
  /** The OMDb genres of movies_extrainfos.dat (MeLU's 25), beside the item file's own `genres`. */
  readonly extraGenres?: MultiHotColumn;
  /** MeLU's OMDb plots ('' when none; MML's item text only; not part of the content hash). */
  readonly plots?: readonly string[];
}

export interface Ratings {
  readonly count: number;
  /** UserIndex per rating */
  readonly user: Int32Array;
  /** ItemIndex per rating */
  readonly item: Int32Array;
  /** Rating value (1..5 for ML-100K/1M, 0.5..5 in half stars for ML-10M/20M/25M) */
  readonly value: Float32Array;
  /** Unix seconds */
  readonly time: Float64Array;
}

/** MeLU's published cold-start test sets (splits/*_state.json + *_state_y.json), in raw ids. */
export interface PublishedState {
  /** raw user id per list */
  readonly users: Int32Array;
  /** CSR over users: raw movie ids and ratings */
  readonly offsets: Int32Array;
  readonly items: Int32Array;
  readonly values: Float32Array;
}

export interface PublishedSplit {
  readonly user_cold: PublishedState;
  readonly item_cold: PublishedState;
  readonly user_item_cold: PublishedState;
}

export interface Dataset {
  /** A human name, e.g. "ml-100k" or "synthetic demo". */
  readonly name: string;
  readonly format: DatasetFormat;
  readonly users: Users;
  readonly items: Items;
  readonly ratings: Ratings;
  /** The scale the ratings use (set by assembly; absent for built datasets, which use 1..5). */
  readonly ratingScale?: RatingScale;
  /** Present when MeLU's split files were among the inputs. */
  readonly published?: PublishedSplit;
  /** Where each part came from, e.g. ["u.data", "u.item", "u.user"]. */
  readonly files: readonly string[];
  /** Non-fatal notes: skipped lines with counts and reasons, ignored files, defaults taken. */
  readonly notes: readonly string[];
  /** What each given file contributed (role, rows), in the order given; absent for built datasets. */
  readonly contributions?: readonly FileContribution[];
}

/** The ML-1M age groups; other sources are bucketed into them (lower bound of each group). */
export const AGE_GROUPS = [1, 18, 25, 35, 45, 50, 56] as const;

/** Maps an age in years to its ML-1M group label ("1" = under 18, ..., "56" = 56+). */
export function ageGroupOf(age: number): string {
  let group: number = AGE_GROUPS[0];
  for (const lower of AGE_GROUPS) if (age >= lower) group = lower;
  return String(group);
}

/** Codes of row r of a multi-hot column. */
export function rowCodes(column: MultiHotColumn, row: number): Int32Array {
  return column.codes.subarray(column.offsets[row]!, column.offsets[row + 1]!);
}
