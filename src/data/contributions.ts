/**
 * What each given file contributed to a dataset (the data panel's per-file table and `cli inspect`), and
 * what the loaded data can and cannot do: which protocols can run and why not, and why a dataset has no
 * ratings. Plain data, no tfjs.
 */
import type { Dataset } from './dataset';
import type { Protocol } from './scenarios/types';

export interface FileContribution {
  readonly path: string;
  /** The role the file was read in ("ratings", "users", ...), or "not used". */
  readonly role: string;
  /** Rows it contributed (ratings, users, items, split lists); 0 when not used. */
  readonly rows: number;
  /** What the rows are ("ratings", "users", "lists"), or why the file was not used. */
  readonly detail: string;
}

/** Human names of the detector's roles (data/detect.ts FileRole). */
export const ROLE_LABELS: Readonly<Record<string, string>> = {
  'ml100k-ratings': 'ratings (ml-100k)',
  'ml100k-items': 'items (ml-100k)',
  'ml100k-users': 'users (ml-100k)',
  'ml100k-genres': 'genre names (ml-100k)',
  'ml1m-ratings': 'ratings (ml-1m)',
  'ml1m-movies': 'items (ml-1m)',
  'ml1m-users': 'users (ml-1m)',
  'recbole-inter': 'ratings (RecBole)',
  'recbole-items': 'items (RecBole)',
  'recbole-users': 'users (RecBole)',
  'melu-extras': "side information (MeLU's rate, directors, actors)",
  'melu-split': "MeLU's published split",
};

/**
 * Why a protocol cannot run on this dataset, or null when it can. Shown next to the protocol choice;
 * the Train button is disabled with this sentence instead of failing later.
 */
export function protocolBlocker(dataset: Dataset, protocol: Protocol): string | null {
  if (protocol === 'published' && !dataset.published)
    return "The published protocol needs MeLU's split files (user_cold_state.json, item_cold_state.json, user_and_item_cold_state.json and their _y partners): add them with Add files…, or choose the melu or mamo protocol.";
  if (dataset.ratings.count === 0) return noRatingsReason(dataset);
  return null;
}

/** The sentence that explains an empty ratings table (shown in view, never folded into the notes). */
export function noRatingsReason(dataset: Dataset): string {
  const files = dataset.files.length ? dataset.files.join(', ') : 'no files';
  return dataset.published
    ? `No ratings were loaded: ${files} hold MeLU's side information and published test sets, not the ratings training needs. Add ratings.dat from ml-1m (Add files…) to train; until then only the split's test sets can be inspected.`
    : `No ratings were loaded from ${files}: add a ratings file (u.data, ratings.dat or a .inter file) to train.`;
}
