/**
 * Assembles parsed tables into a Dataset: dense indices (users and items in file order), categorical
 * vocabularies with '<unk>' at code 0, multi-hot CSR columns, ratings mapped to indices. Only safe skips
 * happen here, each counted in a note: ratings of items missing from the item file. A duplicate
 * (user, item) pair is an error naming both lines: which of two ratings is right cannot be known, and a
 * silent choice would change every split. Users missing from the user file are added with unknown
 * features (they are real raters; dropping them would lose data).
 */
import {
  UNKNOWN,
  type CategoricalColumn,
  type Dataset,
  type DatasetFormat,
  type MultiHotColumn,
  type PublishedSplit,
  type RatingScale,
} from '../dataset';
import { DataError } from '../errors';
import { IdMap, type ItemIdMap, type UserIdMap } from '../ids';
import type { RawItems, RawUsers } from './raw';
import type { RawRatings } from './ratings';

const NONE = new Set(['', 'N/A', UNKNOWN]);

/** Values -> codes with vocab[0] = UNKNOWN, others in first-appearance order. */
export function categorical(values: readonly string[]): CategoricalColumn {
  const vocab: string[] = [UNKNOWN];
  const index = new Map<string, number>();
  const codes = new Int32Array(values.length);
  values.forEach((v, r) => {
    if (NONE.has(v)) return;
    let c = index.get(v);
    if (c === undefined) {
      c = vocab.length;
      index.set(v, c);
      vocab.push(v);
    }
    codes[r] = c;
  });
  return { vocab, codes };
}

/** Lists of values -> CSR multi-hot (duplicates within a row removed). */
export function multiHot(lists: readonly (readonly string[])[]): MultiHotColumn {
  const vocab: string[] = [UNKNOWN];
  const index = new Map<string, number>();
  const offsets = new Int32Array(lists.length + 1);
  const codes: number[] = [];
  lists.forEach((list, r) => {
    const seen = new Set<number>();
    for (const v of list) {
      if (NONE.has(v)) continue;
      let c = index.get(v);
      if (c === undefined) {
        c = vocab.length;
        index.set(v, c);
        vocab.push(v);
      }
      if (!seen.has(c)) {
        seen.add(c);
        codes.push(c);
      }
    }
    offsets[r + 1] = codes.length;
  });
  return { vocab, offsets, codes: Int32Array.from(codes) };
}

export interface AssembleInput {
  readonly name: string;
  readonly format: DatasetFormat;
  readonly files: readonly string[];
  readonly users: RawUsers | null;
  readonly items: RawItems | null;
  readonly ratings: RawRatings | null;
  /** File names for messages. */
  readonly ratingsFile: string;
  readonly itemsFile: string;
  readonly published?: PublishedSplit | null;
  readonly notes: string[];
}

export function assembleDataset(input: AssembleInput): Dataset {
  const notes = [...input.notes];
  const ratings = input.ratings ?? {
    count: 0,
    user: new Int32Array(),
    item: new Int32Array(),
    value: new Float32Array(),
    time: new Float64Array(),
    line: new Int32Array(),
    blankLines: 0,
  };
  // users: from the file, plus raters missing from it
  const users: RawUsers = input.users
    ? {
        ids: [...input.users.ids],
        gender: [...input.users.gender],
        age: [...input.users.age],
        occupation: [...input.users.occupation],
        zip: [...input.users.zip],
      }
    : { ids: [], gender: [], age: [], occupation: [], zip: [] };
  const userIndex = new Map<number, number>();
  users.ids.forEach((id, k) => {
    if (userIndex.has(id))
      throw new DataError('parse', `Expected unique user ids in the user file, got ${id} twice`);
    userIndex.set(id, k);
  });
  let addedUsers = 0;
  const items = input.items ?? { ids: [], titles: [], years: [], genres: [] };
  const itemIndex = new Map<number, number>();
  items.ids.forEach((id, k) => {
    if (itemIndex.has(id))
      throw new DataError('parse', `Expected unique item ids in ${input.itemsFile}, got ${id} twice`);
    itemIndex.set(id, k);
  });
  const buildItems = input.items === null;
  // Dense raw-id -> index tables when the ids are small (MovieLens: < 10^4), else the Maps.
  const denseLimit = 1 << 24;
  const maxRaw = (ids: Int32Array) => ids.reduce((m, v) => (v > m ? v : m), 0);
  const userTable =
    maxRaw(ratings.user) < denseLimit ? new Int32Array(maxRaw(ratings.user) + 1).fill(-1) : null;
  const itemTable =
    maxRaw(ratings.item) < denseLimit ? new Int32Array(maxRaw(ratings.item) + 1).fill(-1) : null;
  if (userTable) for (const [id, k] of userIndex) if (id >= 0 && id < userTable.length) userTable[id] = k;
  if (itemTable) for (const [id, k] of itemIndex) if (id >= 0 && id < itemTable.length) itemTable[id] = k;
  const rUser = new Int32Array(ratings.count);
  const rItem = new Int32Array(ratings.count);
  const keep = new Uint8Array(ratings.count);
  let missingItemRatings = 0;
  const missingItems = new Set<number>();
  for (let r = 0; r < ratings.count; r++) {
    const rawUser = ratings.user[r]!;
    let u = userTable && rawUser >= 0 ? userTable[rawUser]! : (userIndex.get(rawUser) ?? -1);
    if (u < 0) {
      u = users.ids.length;
      userIndex.set(rawUser, u);
      if (userTable && rawUser >= 0) userTable[rawUser] = u;
      users.ids.push(rawUser);
      users.gender.push('');
      users.age.push('');
      users.occupation.push('');
      users.zip.push('');
      addedUsers++;
    }
    const rawItem = ratings.item[r]!;
    let i: number | undefined =
      itemTable && rawItem >= 0 ? itemTable[rawItem]! : (itemIndex.get(rawItem) ?? -1);
    if (i < 0) i = undefined;
    if (i === undefined && buildItems) {
      i = items.ids.length;
      itemIndex.set(rawItem, i);
      if (itemTable && rawItem >= 0) itemTable[rawItem] = i;
      items.ids.push(rawItem);
      items.titles.push(`item ${rawItem}`);
      items.years.push(0);
      items.genres.push([]);
    }
    if (i === undefined) {
      missingItemRatings++;
      missingItems.add(rawItem);
      continue;
    }
    rUser[r] = u;
    rItem[r] = i;
    keep[r] = 1;
  }
  if (input.users === null && ratings.count)
    notes.push(
      `no user file: ${users.ids.length} users built from the ratings, with unknown profile features`,
    );
  else if (addedUsers)
    notes.push(
      `${addedUsers} raters are missing from the user file; they were added with unknown profile features`,
    );
  if (buildItems && ratings.count)
    notes.push(
      `no item file: ${items.ids.length} items built from the ratings, with unknown titles, years and genres`,
    );
  if (missingItemRatings) {
    notes.push(
      `skipped ${missingItemRatings} ratings of ${missingItems.size} items missing from ${input.itemsFile}`,
    );
  }
  // duplicates (user, item): found per user with a stamp array (no hashing)
  let kept = 0;
  for (let r = 0; r < ratings.count; r++) if (keep[r]) kept++;
  const order = new Int32Array(kept);
  for (let r = 0, k = 0; r < ratings.count; r++) if (keep[r]) order[k++] = r;
  const byUser = new Int32Array(users.ids.length + 1);
  for (const r of order) byUser[rUser[r]! + 1]!++;
  for (let u = 0; u < users.ids.length; u++) byUser[u + 1]! += byUser[u]!;
  const grouped = new Int32Array(order.length);
  const fill = byUser.slice(0, users.ids.length);
  for (const r of order) grouped[fill[rUser[r]!]!++] = r;
  const stamp = new Int32Array(items.ids.length).fill(-1);
  const last = new Int32Array(items.ids.length);
  for (let u = 0; u < users.ids.length; u++) {
    for (let k = byUser[u]!; k < byUser[u + 1]!; k++) {
      const r = grouped[k]!;
      const i = rItem[r]!;
      if (stamp[i] === u)
        throw DataError.parse(
          input.ratingsFile,
          ratings.line[r] ?? 0,
          'one rating per (user, item) pair',
          `user ${ratings.user[r]} and item ${ratings.item[r]} again (first at line ${ratings.line[last[i]!] ?? '?'})`,
        );
      stamp[i] = u;
      last[i] = r;
    }
  }
  let n = 0;
  for (let r = 0; r < ratings.count; r++) if (keep[r]) n++;
  const out = {
    user: new Int32Array(n),
    item: new Int32Array(n),
    value: new Float32Array(n),
    time: new Float64Array(n),
  };
  let w = 0;
  for (let r = 0; r < ratings.count; r++) {
    if (!keep[r]) continue;
    out.user[w] = rUser[r]!;
    out.item[w] = rItem[r]!;
    out.value[w] = ratings.value[r]!;
    out.time[w] = ratings.time[r]!;
    w++;
  }
  const userRawIds = Int32Array.from(users.ids);
  const itemRawIds = Int32Array.from(items.ids);
  const userIds: UserIdMap = new IdMap(userRawIds);
  const itemIds: ItemIdMap = new IdMap(itemRawIds);
  const dataset: Dataset = {
    name: input.name,
    format: input.format,
    files: input.files,
    notes,
    users: {
      count: users.ids.length,
      rawIds: userRawIds,
      ids: userIds,
      gender: categorical(users.gender),
      age: categorical(users.age),
      occupation: categorical(users.occupation),
      zip: categorical(users.zip),
    },
    items: {
      count: items.ids.length,
      rawIds: itemRawIds,
      ids: itemIds,
      titles: items.titles,
      year: Int32Array.from(items.years),
      genres: multiHot(items.genres),
      ...(items.rate ? { rate: categorical(items.rate) } : {}),
      ...(items.directors ? { directors: multiHot(items.directors) } : {}),
      ...(items.actors ? { actors: multiHot(items.actors) } : {}),
      ...(items.extraGenres ? { extraGenres: multiHot(items.extraGenres) } : {}),
      ...(items.plots ? { plots: items.plots } : {}),
    },
    ratings: { count: n, ...out },
    ...(n ? { ratingScale: ratingScaleOf(out.value) } : {}),
    ...(input.published ? { published: input.published } : {}),
  };
  return dataset;
}

/** The scale of a set of ratings: [min, max] and whether all are whole or half stars. */
export function ratingScaleOf(values: Float32Array): RatingScale {
  let min = Infinity;
  let max = -Infinity;
  let whole = true;
  let half = true;
  for (let k = 0; k < values.length; k++) {
    const v = values[k]!;
    if (v < min) min = v;
    if (v > max) max = v;
    if (whole && !Number.isInteger(v)) whole = false;
    if (half && !Number.isInteger(v * 2)) half = false;
  }
  return { min, max, step: whole ? 1 : half ? 0.5 : 0 };
}
