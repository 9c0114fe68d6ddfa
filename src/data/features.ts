/**
 * Feature encoding: a dataset's profile fields as model-ready typed arrays (FeatureLayout).
 *
 * Fields. User: gender, age group, occupation, zip prefix (the first `zipPrefix` characters; 0 = none).
 * Item: release decade ("1990s") and MeLU's MPAA rate when present (index fields); genres, and MeLU's
 * directors and actors when present (multi-hot fields). The decade, not the year: under MeLU's year
 * rule every new item's year is unseen in training, while its decade is shared with older, trained
 * items (a numeric year was tried and extrapolated badly: item-cold MAE rose as training went on).
 *
 * Cold start: a value seen by fewer than `minCount` (2) TRAINING users or items maps to '<unk>', so
 * values that only new users or items have (a new director, a new zip) read the trained unknown row
 * instead of a random, never-trained one; rare training values teach that row.
 *
 * Each side has ONE embedding table holding all its fields' rows: field f owns rows
 * [offset_f, offset_f + vocab_f), row offset_f being the field's '<unk>'. Multi-hot fields are padded to
 * one width W with weights 1/count (their mean embedding, as MeLU); an empty set reads the field's
 * unknown row with weight 1, so "no director" is a learnable vector rather than zeros (or MeLU's 0/0).
 */
import { itemTexts } from './textEmbedding';
import { UNKNOWN, type CategoricalColumn, type Dataset, type MultiHotColumn } from './dataset';
import { categorical } from './formats/assemble';

export interface SideLayout {
  /** Rows of the side's combined table (sum of field vocabularies). */
  readonly tableRows: number;
  readonly indexFields: number;
  readonly multiFields: number;
  /** Codes per multi-hot field after padding (1 when there are none). */
  readonly width: number;
  /**
   * Table rows of each multi-hot field, in order ('<unk>' included); their rows close the table, after
   * the index fields' rows. Absent = none (or unknown: every row is then initialised alike).
   */
  readonly multiRows?: readonly number[];
}

export interface FeatureLayout {
  readonly user: SideLayout;
  readonly item: SideLayout;
  /** [users * user.indexFields] table rows */
  readonly userIndex: Int32Array;
  /** [items * item.indexFields] table rows */
  readonly itemIndex: Int32Array;
  /** [items * item.multiFields * item.width] table rows (padding = the field's unknown row) */
  readonly itemMulti: Int32Array;
  /** same shape: 1/count per real code, 0 for padding */
  readonly itemMultiWeights: Float32Array;
  /** [item.multiFields] the '<unk>' table row of each multi-hot field (what an unknown set reads) */
  readonly itemMultiUnknown: Int32Array;
  /** Field names in table order: user index fields; item index fields, then multi-hot fields. */
  readonly userFieldNames: readonly string[];
  readonly itemFieldNames: readonly string[];
  /** Per user-table row: "field=value" (for the memory explorer). */
  readonly userRowLabels: readonly string[];
  /** Each item's text (title, genres, directors, actors; textEmbedding.ts itemTexts): MML's text modality. */
  readonly itemText?: readonly string[];
  /** Each item's title (ItemIndex order), for views that name items (MML's generator neighbours). */
  readonly itemTitles?: readonly string[];
}

export interface FeatureOptions {
  /** Leading zip characters used as a feature (0 = no zip feature). */
  readonly zipPrefix: number;
  /** Values seen by fewer than this many training users / items map to '<unk>' (default 2; 0 keeps all). */
  readonly minCount?: number;
  /** The item's release decade as an index field (default true; MeLU's code has no year feature). */
  readonly itemDecade?: boolean;
  /** Which genres: the item file's (default) or MeLU's OMDb ones (items.extraGenres, when loaded). */
  readonly genres?: 'movielens' | 'omdb';
  /** Widest multi-hot set kept (longer sets keep their first codes; a note says so). */
  readonly maxWidth?: number;
  /** Which users and items the training tasks contain (1 = training); all when absent. */
  readonly training?: { readonly users: Uint8Array; readonly items: Uint8Array };
}

interface Field {
  readonly name: string;
  readonly vocab: readonly string[];
  readonly codes: Int32Array;
}

/** The kept vocabulary (UNKNOWN first, then values counted >= minCount) and old code -> new code. */
function keepFrequent(
  old: readonly string[],
  counts: Int32Array,
  minCount: number,
): { vocab: string[]; map: Int32Array } {
  const vocab = [UNKNOWN];
  const map = new Int32Array(old.length);
  for (let c = 1; c < old.length; c++) {
    if (counts[c]! >= minCount) {
      map[c] = vocab.length;
      vocab.push(old[c]!);
    }
  }
  return { vocab, map };
}

/** Re-codes a categorical column: values of fewer than minCount counted rows become '<unk>' (code 0). */
function prune(name: string, column: CategoricalColumn, minCount: number, counted: Uint8Array | null): Field {
  const counts = new Int32Array(column.vocab.length);
  column.codes.forEach((c, r) => {
    if (!counted || counted[r]) counts[c]!++;
  });
  const { vocab, map } = keepFrequent(column.vocab, counts, minCount);
  return { name, vocab, codes: column.codes.map((c) => map[c]!) };
}

/** The same for a multi-hot column (a value counts once per counted row). */
function pruneMulti(column: MultiHotColumn, minCount: number, counted: Uint8Array | null): MultiHotColumn {
  const counts = new Int32Array(column.vocab.length);
  for (let r = 0; r + 1 < column.offsets.length; r++) {
    if (counted && !counted[r]) continue;
    for (let k = column.offsets[r]!; k < column.offsets[r + 1]!; k++) counts[column.codes[k]!]!++;
  }
  const { vocab, map } = keepFrequent(column.vocab, counts, minCount);
  // pruned values become '<unk>' members of the set (a set of only rare values reads the unknown row)
  const offsets = new Int32Array(column.offsets.length);
  const codes: number[] = [];
  for (let r = 0; r + 1 < column.offsets.length; r++) {
    const seen = new Set<number>();
    for (let k = column.offsets[r]!; k < column.offsets[r + 1]!; k++) seen.add(map[column.codes[k]!]!);
    for (const c of seen) codes.push(c);
    offsets[r + 1] = codes.length;
  }
  return { vocab, offsets, codes: Int32Array.from(codes) };
}

function prefixColumn(column: CategoricalColumn, length: number): CategoricalColumn {
  return categorical(Array.from(column.codes, (c) => (c === 0 ? '' : column.vocab[c]!.slice(0, length))));
}

/** One multi-hot "bag" field of the item side: its table rows and, per item, codes and weights. */
interface Bag {
  readonly name: string;
  readonly rows: number;
  /** Codes (within the field, 0 = unknown) and weights of item i. */
  bag(i: number): { codes: number[]; weights: number[] };
}

function setBag(name: string, column: MultiHotColumn): Bag {
  return {
    name,
    rows: column.vocab.length,
    bag: (i) => {
      const codes = Array.from(column.codes.subarray(column.offsets[i]!, column.offsets[i + 1]!));
      if (codes.length === 0) return { codes: [0], weights: [1] };
      return { codes, weights: codes.map(() => 1 / codes.length) };
    },
  };
}

/** Release decade as a category: 1994 -> "1990s" (0 = unknown). */
function decadeColumn(years: Int32Array): CategoricalColumn {
  const values = Array.from(years, (y) => (y > 0 ? `${Math.floor(y / 10) * 10}s` : ''));
  const vocab = [UNKNOWN, ...[...new Set(values.filter((v) => v !== ''))].sort()];
  const code = new Map(vocab.map((v, k) => [v, k]));
  return { vocab, codes: Int32Array.from(values, (v) => (v === '' ? 0 : code.get(v)!)) };
}

/**
 * A decade no training item has (under MeLU's rule every film of 2000 is new, so "2000s" is never
 * trained) would read the decade's '<unk>' row, which no training item reads either: an untrained random
 * vector. Time is ordinal, so a dated item whose decade was pruned reads the nearest decade that training
 * has instead (2000 -> 1990s, a lone 1910s film -> 1920s); items without a year keep '<unk>'.
 */
function nearestKnown(field: Field, years: Int32Array): Field {
  const decadeOf = (label: string) => Number.parseInt(label, 10);
  const known = field.vocab.map((v, code) => ({ code, decade: decadeOf(v) })).filter((k) => k.code > 0);
  if (known.length === 0) return field;
  const codes = field.codes.map((c, r) => {
    const y = years[r]!;
    if (c !== 0 || y <= 0) return c;
    const decade = Math.floor(y / 10) * 10;
    let best = known[0]!;
    for (const k of known) if (Math.abs(k.decade - decade) < Math.abs(best.decade - decade)) best = k;
    return best.code;
  });
  return { ...field, codes };
}

/** Builds the FeatureLayout of a dataset; `notes` receives truncation messages. */
export function buildFeatureLayout(
  dataset: Dataset,
  options: FeatureOptions,
  notes: string[] = [],
): FeatureLayout {
  const minCount = options.minCount ?? 2;
  const { users, items } = dataset;
  const trainUsers = options.training?.users ?? null;
  const trainItems = options.training?.items ?? null;
  const userFields: Field[] = [
    prune('gender', users.gender, minCount, trainUsers),
    prune('age', users.age, minCount, trainUsers),
    prune('occupation', users.occupation, minCount, trainUsers),
  ];
  if (options.zipPrefix > 0) {
    userFields.push(
      prune(`zip${options.zipPrefix}`, prefixColumn(users.zip, options.zipPrefix), minCount, trainUsers),
    );
  }
  const itemIndexFields: Field[] = [];
  if (options.itemDecade ?? true)
    itemIndexFields.push(
      nearestKnown(prune('decade', decadeColumn(items.year), minCount, trainItems), items.year),
    );
  if (items.rate) itemIndexFields.push(prune('rate', items.rate, minCount, trainItems));
  const genres = options.genres === 'omdb' && items.extraGenres ? items.extraGenres : items.genres;
  const bags: Bag[] = [setBag('genre', pruneMulti(genres, minCount, trainItems))];
  if (items.directors) bags.push(setBag('director', pruneMulti(items.directors, minCount, trainItems)));
  if (items.actors) bags.push(setBag('actor', pruneMulti(items.actors, minCount, trainItems)));

  // user side: index fields only
  const userOffsets: number[] = [];
  let userRows = 0;
  const userRowLabels: string[] = [];
  for (const f of userFields) {
    userOffsets.push(userRows);
    userRows += f.vocab.length;
    for (const v of f.vocab) userRowLabels.push(`${f.name}=${v}`);
  }
  const fu = userFields.length;
  const userIndex = new Int32Array(users.count * fu);
  for (let u = 0; u < users.count; u++) {
    for (let f = 0; f < fu; f++) userIndex[u * fu + f] = userOffsets[f]! + userFields[f]!.codes[u]!;
  }

  // item side: index fields, then bags
  let itemRows = 0;
  const indexOffsets = itemIndexFields.map((f) => {
    const o = itemRows;
    itemRows += f.vocab.length;
    return o;
  });
  const bagOffsets = bags.map((b) => {
    const o = itemRows;
    itemRows += b.rows;
    return o;
  });
  const fi = itemIndexFields.length;
  const itemIndex = new Int32Array(items.count * fi);
  for (let i = 0; i < items.count; i++) {
    for (let f = 0; f < fi; f++) itemIndex[i * fi + f] = indexOffsets[f]! + itemIndexFields[f]!.codes[i]!;
  }
  const contents = bags.map((b) => Array.from({ length: items.count }, (_, i) => b.bag(i)));
  const widest = contents.reduce((w, list) => list.reduce((m, x) => Math.max(m, x.codes.length), w), 1);
  const maxWidth = options.maxWidth ?? 8;
  const width = Math.min(widest, maxWidth);
  if (widest > maxWidth)
    notes.push(
      `multi-hot sets longer than ${maxWidth} keep their first ${maxWidth} values (longest: ${widest})`,
    );
  const g = bags.length;
  const itemMulti = new Int32Array(items.count * g * width);
  const itemMultiWeights = new Float32Array(items.count * g * width);
  for (let i = 0; i < items.count; i++) {
    contents.forEach((list, f) => {
      const { codes, weights } = list[i]!;
      const n = Math.min(width, codes.length);
      const scale = codes.length > n ? codes.length / n : 1; // keep a truncated mean a mean
      const base = (i * g + f) * width;
      for (let j = 0; j < width; j++) {
        itemMulti[base + j] = bagOffsets[f]! + (j < n ? codes[j]! : 0);
        itemMultiWeights[base + j] = j < n ? weights[j]! * scale : 0;
      }
    });
  }
  return {
    user: { tableRows: userRows, indexFields: fu, multiFields: 0, width: 1 },
    item: { tableRows: itemRows, indexFields: fi, multiFields: g, width, multiRows: bags.map((b) => b.rows) },
    userIndex,
    itemIndex,
    itemMulti,
    itemMultiWeights,
    itemMultiUnknown: Int32Array.from(bagOffsets),
    userFieldNames: userFields.map((f) => f.name),
    itemFieldNames: [...itemIndexFields.map((f) => f.name), ...bags.map((b) => b.name)],
    userRowLabels,
    itemText: itemTexts(dataset),
    itemTitles: dataset.items.titles,
  };
}
