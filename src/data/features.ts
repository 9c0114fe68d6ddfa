/**
 * Feature encoding: a dataset's profile fields as model-ready typed arrays (FeatureLayout).
 *
 * Fields. User: gender, age group, occupation, zip prefix (the first `zipPrefix` characters; 0 = none).
 * Item: release year (as a category), MeLU's MPAA rate when present (index fields); genres, and MeLU's
 * directors and actors when present (multi-hot fields).
 *
 * Each side has ONE embedding table holding all its fields' rows: field f owns rows
 * [offset_f, offset_f + vocab_f), row offset_f being the field's '<unk>' (unknown, missing, or seen
 * fewer than `minCount` times among the users' / items' rows). Multi-hot fields are padded to one width
 * W with weights 1/count (their mean embedding, as MeLU); an empty set reads the field's unknown row
 * with weight 1, so "no director" is a learnable vector rather than zeros (or MeLU's 0/0).
 */
import { UNKNOWN, type CategoricalColumn, type Dataset, type MultiHotColumn } from './dataset';

export interface SideLayout {
  /** Rows of the side's combined table (sum of field vocabularies). */
  readonly tableRows: number;
  readonly indexFields: number;
  readonly multiFields: number;
  /** Codes per multi-hot field after padding (1 when there are none). */
  readonly width: number;
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
  /** Field names in table order: user index fields; item index fields, then multi-hot fields. */
  readonly userFieldNames: readonly string[];
  readonly itemFieldNames: readonly string[];
  /** Per user-table row: "field=value" (for the memory explorer). */
  readonly userRowLabels: readonly string[];
}

export interface FeatureOptions {
  /** Leading zip characters used as a feature (0 = no zip feature). */
  readonly zipPrefix: number;
  /** Values seen fewer times than this among the rows map to '<unk>'. */
  readonly minCount?: number;
  /** Widest multi-hot set kept (longer sets keep their first codes; a note says so). */
  readonly maxWidth?: number;
}

interface Field {
  readonly name: string;
  readonly vocab: readonly string[];
  readonly codes: Int32Array;
}

/** Re-codes a categorical column: values with fewer than minCount rows become '<unk>' (code 0). */
function prune(name: string, column: CategoricalColumn, minCount: number): Field {
  const counts = new Int32Array(column.vocab.length);
  for (const c of column.codes) counts[c]!++;
  const vocab = [UNKNOWN];
  const map = new Int32Array(column.vocab.length);
  for (let c = 1; c < column.vocab.length; c++) {
    if (counts[c]! >= minCount) {
      map[c] = vocab.length;
      vocab.push(column.vocab[c]!);
    }
  }
  return { name, vocab, codes: column.codes.map((c) => map[c]!) };
}

function prefixColumn(column: CategoricalColumn, length: number): CategoricalColumn {
  const values = Array.from(column.codes, (c) => (c === 0 ? '' : column.vocab[c]!.slice(0, length)));
  const vocab = [UNKNOWN];
  const index = new Map<string, number>();
  const codes = new Int32Array(values.length);
  values.forEach((v, r) => {
    if (v === '') return;
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

function yearColumn(years: Int32Array): CategoricalColumn {
  const distinct = [...new Set(Array.from(years).filter((y) => y > 0))].sort((a, b) => a - b);
  const code = new Map(distinct.map((y, k) => [y, k + 1]));
  return { vocab: [UNKNOWN, ...distinct.map(String)], codes: years.map((y) => code.get(y) ?? 0) };
}

/** Builds the FeatureLayout of a dataset; `notes` receives truncation messages. */
export function buildFeatureLayout(
  dataset: Dataset,
  options: FeatureOptions,
  notes: string[] = [],
): FeatureLayout {
  const minCount = options.minCount ?? 1;
  const { users, items } = dataset;
  const userFields: Field[] = [
    prune('gender', users.gender, minCount),
    prune('age', users.age, minCount),
    prune('occupation', users.occupation, minCount),
  ];
  if (options.zipPrefix > 0)
    userFields.push(prune(`zip${options.zipPrefix}`, prefixColumn(users.zip, options.zipPrefix), minCount));
  const itemIndexFields: Field[] = [prune('year', yearColumn(items.year), minCount)];
  if (items.rate) itemIndexFields.push(prune('rate', items.rate, minCount));
  const multi: { name: string; column: MultiHotColumn }[] = [{ name: 'genre', column: items.genres }];
  if (items.directors) multi.push({ name: 'director', column: items.directors });
  if (items.actors) multi.push({ name: 'actor', column: items.actors });

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

  // item side: index fields, then multi-hot fields
  let itemRows = 0;
  const indexOffsets = itemIndexFields.map((f) => {
    const o = itemRows;
    itemRows += f.vocab.length;
    return o;
  });
  const multiOffsets = multi.map((m) => {
    const o = itemRows;
    itemRows += m.column.vocab.length;
    return o;
  });
  const fi = itemIndexFields.length;
  const itemIndex = new Int32Array(items.count * fi);
  for (let i = 0; i < items.count; i++) {
    for (let f = 0; f < fi; f++) itemIndex[i * fi + f] = indexOffsets[f]! + itemIndexFields[f]!.codes[i]!;
  }
  let widest = 1;
  for (const m of multi)
    for (let i = 0; i < items.count; i++)
      widest = Math.max(widest, m.column.offsets[i + 1]! - m.column.offsets[i]!);
  const maxWidth = options.maxWidth ?? 8;
  const width = Math.min(widest, maxWidth);
  if (widest > maxWidth)
    notes.push(
      `multi-hot sets longer than ${maxWidth} keep their first ${maxWidth} values (longest: ${widest})`,
    );
  const g = multi.length;
  const itemMulti = new Int32Array(items.count * g * width);
  const itemMultiWeights = new Float32Array(items.count * g * width);
  for (let i = 0; i < items.count; i++) {
    multi.forEach((m, f) => {
      const start = m.column.offsets[i]!;
      const n = Math.min(width, m.column.offsets[i + 1]! - start);
      const base = (i * g + f) * width;
      for (let j = 0; j < width; j++) {
        itemMulti[base + j] = multiOffsets[f]! + (j < n ? m.column.codes[start + j]! : 0);
        itemMultiWeights[base + j] = n === 0 ? (j === 0 ? 1 : 0) : j < n ? 1 / n : 0;
      }
    });
  }
  return {
    user: { tableRows: userRows, indexFields: fu, multiFields: 0, width: 1 },
    item: { tableRows: itemRows, indexFields: fi, multiFields: g, width },
    userIndex,
    itemIndex,
    itemMulti,
    itemMultiWeights,
    userFieldNames: userFields.map((f) => f.name),
    itemFieldNames: [...itemIndexFields.map((f) => f.name), ...multi.map((m) => m.name)],
    userRowLabels,
  };
}
