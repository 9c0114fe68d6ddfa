/**
 * MeLU's published cold-start splits: {user_cold,item_cold,user_and_item_cold}_state.json (raw user id
 * -> movie ids) with their *_y.json partners (-> ratings). warm_state.json, if given, is not used (the
 * warm set is rebuilt from the ratings; mamo-spec.md 6.2).
 */
import type { PublishedSplit, PublishedState } from '../dataset';
import { DataError } from '../errors';
import { decodeUtf8 } from '../text';

export const PUBLISHED_FILES = {
  user_cold: 'user_cold_state',
  item_cold: 'item_cold_state',
  user_item_cold: 'user_and_item_cold_state',
} as const;

function parseJsonObject(bytes: Uint8Array, file: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(decodeUtf8(bytes));
  } catch (error) {
    throw DataError.parse(file, 0, 'a JSON object', error instanceof Error ? error.message : String(error));
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw DataError.parse(file, 0, 'a JSON object of user id -> list', typeof value);
  }
  return value as Record<string, unknown>;
}

/** One state: x (movie ids) and y (ratings) files -> a CSR of raw ids and values. */
export function parsePublishedState(
  xBytes: Uint8Array,
  xFile: string,
  yBytes: Uint8Array,
  yFile: string,
): PublishedState {
  const x = parseJsonObject(xBytes, xFile);
  const y = parseJsonObject(yBytes, yFile);
  const users: number[] = [];
  const offsets = [0];
  const items: number[] = [];
  const values: number[] = [];
  for (const [key, list] of Object.entries(x)) {
    const ys = y[key];
    if (!Array.isArray(list) || !Array.isArray(ys)) {
      throw DataError.parse(
        xFile,
        0,
        `lists of movie ids and ratings for user ${key} in both files`,
        `${typeof list} / ${typeof ys}`,
      );
    }
    if (list.length !== ys.length) {
      throw DataError.parse(
        yFile,
        0,
        `${list.length} ratings for user ${key} (as many as movies in ${xFile})`,
        String(ys.length),
      );
    }
    const user = Number(key);
    if (!Number.isInteger(user)) throw DataError.parse(xFile, 0, 'integer user ids as keys', key);
    users.push(user);
    list.forEach((movie, k) => {
      const id = Number(movie);
      const rating = Number(ys[k]);
      if (!Number.isInteger(id))
        throw DataError.parse(xFile, 0, `integer movie ids for user ${key}`, String(movie));
      if (!Number.isFinite(rating))
        throw DataError.parse(yFile, 0, `numeric ratings for user ${key}`, String(ys[k]));
      items.push(id);
      values.push(rating);
    });
    offsets.push(items.length);
  }
  return {
    users: Int32Array.from(users),
    offsets: Int32Array.from(offsets),
    items: Int32Array.from(items),
    values: Float32Array.from(values),
  };
}

/** Finds the three states among the files (by base name) and parses them; null when none is present. */
export function parsePublishedSplit(
  files: ReadonlyMap<string, { path: string; bytes: Uint8Array }>,
): PublishedSplit | null {
  const present = Object.values(PUBLISHED_FILES).filter((name) => files.has(`${name}.json`));
  if (present.length === 0) return null;
  const states = {} as Record<keyof typeof PUBLISHED_FILES, PublishedState>;
  for (const [key, name] of Object.entries(PUBLISHED_FILES) as [keyof typeof PUBLISHED_FILES, string][]) {
    const x = files.get(`${name}.json`);
    const y = files.get(`${name}_y.json`);
    if (!x || !y) {
      throw new DataError(
        'missing-file',
        `MeLU's split needs ${name}.json and ${name}_y.json; ${!x ? `${name}.json` : `${name}_y.json`} is missing`,
      );
    }
    states[key] = parsePublishedState(x.bytes, x.path, y.bytes, y.path);
  }
  return states;
}

/** 1-based line of the first `"needle"` (a JSON key or string) or bare number in a file, 0 if not found. */
function lineOf(bytes: Uint8Array, needle: string): number {
  const text = decodeUtf8(bytes);
  const match = new RegExp(`(^|[^0-9])"?${needle}"?([^0-9]|$)`).exec(text);
  if (!match) return 0;
  let line = 1;
  const at = match.index + match[1]!.length;
  for (let i = 0; i < at; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/**
 * A split list must name users of the users file and movies of the item files, when those were given:
 * an unknown id means the split belongs to other data (another MovieLens, or re-numbered ids), and
 * skipping it would quietly shrink the test sets. Without a users or items file there is nothing to
 * check against.
 */
export function checkSplitIds(
  split: PublishedSplit,
  users: { readonly ids: readonly number[] } | null,
  items: { readonly ids: readonly number[] } | null,
  files: ReadonlyMap<string, { path: string; bytes: Uint8Array }>,
): void {
  const knownUsers = users ? new Set(users.ids) : null;
  const knownItems = items ? new Set(items.ids) : null;
  for (const [key, name] of Object.entries(PUBLISHED_FILES) as [keyof typeof PUBLISHED_FILES, string][]) {
    const state = split[key];
    const file = files.get(`${name}.json`)!;
    for (let k = 0; k < state.users.length; k++) {
      const user = state.users[k]!;
      if (knownUsers && !knownUsers.has(user))
        throw DataError.parse(
          file.path,
          lineOf(file.bytes, String(user)),
          'user ids of the users file',
          `user ${user}, which the users file does not have (a split made for other data?)`,
        );
      if (!knownItems) continue;
      for (let j = state.offsets[k]!; j < state.offsets[k + 1]!; j++) {
        const item = state.items[j]!;
        if (!knownItems.has(item))
          throw DataError.parse(
            file.path,
            lineOf(file.bytes, String(item)),
            'movie ids of the item files',
            `movie ${item} for user ${user}, which no item file has (a split made for other data?)`,
          );
      }
    }
  }
}
