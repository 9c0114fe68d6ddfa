/**
 * Item text embeddings computed offline-free (MML's text modality, peers.md B.6-B.7, without a
 * pre-trained encoder or any download): a hashed TF-IDF of each item's text, projected by a fixed
 * seeded random (Gaussian) projection to d dims and L2-normalised. Plain JS, no tfjs.
 *
 *   tokens(doc)        lower-cased runs of letters, digits, '_'; multi-word names joined by '_' (itemTexts)
 *   tf_b(doc)          1 + ln(count of tokens hashing to bucket b)  (b = FNV-1a(token) mod B)
 *   idf_b              ln((1 + N) / (1 + df_b)) + 1                  over the N documents given
 *   x(doc) = R^T (tf . idf)      R [B, d], R_bj ~ N(0, 1/d) from the seed (Johnson-Lindenstrauss)
 *   e(doc) = x / ||x||_2         (all zeros for a document without tokens)
 *
 * Hash collisions merge tokens (B = 4096 by default; MovieLens item texts hold a few thousand
 * distinct tokens). There is no image modality: only poster URLs exist, nothing is fetched.
 */
import type { Dataset, MultiHotColumn } from './dataset';
import { createRng, hashString } from '../lib/rng';

export interface TextEmbeddingOptions {
  /** Output dims d. */
  readonly dim: number;
  /** Hash buckets B. */
  readonly buckets?: number;
  /** Seeds the projection R (the same seed, the same vectors). */
  readonly seed?: number;
}

/** Lower-cased runs of letters, digits and '_' (any script; other characters separate tokens). */
export function tokens(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}_]+/gu) ?? [];
}

/** A multi-hot set's values as tokens `prefix_value_words` (spaces and punctuation become '_'). */
function setTokens(column: MultiHotColumn | undefined, item: number, prefix: string): string[] {
  if (!column) return [];
  const out: string[] = [];
  for (let k = column.offsets[item]!; k < column.offsets[item + 1]!; k++) {
    const value = column.vocab[column.codes[k]!] ?? '';
    out.push(`${prefix}_${tokens(value).join('_')}`);
  }
  return out;
}

/**
 * Each item's text (ItemIndex order): its title words, one token per genre, director and actor, and
 * the plot's words where the dataset has them (ML-100K: title and genres; ML-1M with MeLU's extras:
 * also the OMDb genres, directors, actors and plot).
 */
export function itemTexts(dataset: Dataset): string[] {
  const { items } = dataset;
  return Array.from({ length: items.count }, (_, i) =>
    [
      items.titles[i] ?? '',
      ...setTokens(items.genres, i, 'genre'),
      ...setTokens(items.extraGenres, i, 'genre'),
      ...setTokens(items.directors, i, 'director'),
      ...setTokens(items.actors, i, 'actor'),
      items.plots?.[i] ?? '',
    ].join(' '),
  );
}

/** The projection row of bucket b: d values ~ N(0, 1/d), from (seed, b) alone. */
function projectionRow(seed: number, bucket: number, dim: number): Float64Array {
  const rng = createRng(seed).fork(`bucket${bucket}`);
  return Float64Array.from({ length: dim }, () => rng.normal() / Math.sqrt(dim));
}

/** e(doc) [N * d] for N documents: hashed TF-IDF -> seeded random projection -> L2 norm (above). */
export function textEmbeddings(docs: readonly string[], options: TextEmbeddingOptions): Float32Array {
  const dim = options.dim;
  const buckets = options.buckets ?? 4096;
  const seed = options.seed ?? 1;
  // 1. per document: bucket -> count
  const counts = docs.map((doc) => {
    const c = new Map<number, number>();
    for (const token of tokens(doc)) {
      const b = hashString(token) % buckets;
      c.set(b, (c.get(b) ?? 0) + 1);
    }
    return c;
  });
  // 2. document frequencies and idf over the corpus
  const df = new Float64Array(buckets);
  for (const c of counts) for (const b of c.keys()) df[b]!++;
  const idf = (b: number) => Math.log((1 + docs.length) / (1 + df[b]!)) + 1;
  // 3. x = R^T (tf . idf), R's rows made once per used bucket; 4. L2 normalise
  const rows = new Map<number, Float64Array>();
  const out = new Float32Array(docs.length * dim);
  const x = new Float64Array(dim);
  counts.forEach((c, n) => {
    x.fill(0);
    for (const [b, count] of c) {
      let row = rows.get(b);
      if (!row) rows.set(b, (row = projectionRow(seed, b, dim)));
      const w = (1 + Math.log(count)) * idf(b);
      for (let j = 0; j < dim; j++) x[j]! += w * row[j]!;
    }
    let norm = 0;
    for (let j = 0; j < dim; j++) norm += x[j]! * x[j]!;
    norm = Math.sqrt(norm);
    if (norm > 0) for (let j = 0; j < dim; j++) out[n * dim + j] = x[j]! / norm;
  });
  return out;
}

/** Cosine of rows a and b of a table [N * d] of L2-normalised rows (their dot product). */
export function rowDot(table: Float32Array, dim: number, a: number, b: number): number {
  let s = 0;
  for (let j = 0; j < dim; j++) s += table[a * dim + j]! * table[b * dim + j]!;
  return s;
}

/**
 * The K nearest candidates of every row by dot product (cosine for normalised rows), the row itself
 * excluded: [N * K] candidate indices, best first (ties: lower index first). `candidates` lists the
 * rows that may be neighbours (MML: the training items); fewer than K candidates repeat the last.
 */
export function nearestNeighbours(
  table: Float32Array,
  dim: number,
  candidates: ArrayLike<number>,
  k: number,
): Int32Array {
  const n = table.length / dim;
  const out = new Int32Array(n * k);
  const best = new Int32Array(k);
  const bestScore = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    let found = 0;
    for (let c = 0; c < candidates.length; c++) {
      const j = candidates[c]!;
      if (j === i) continue;
      const score = rowDot(table, dim, i, j);
      // insertion into the sorted top k (a tie keeps the earlier candidate first)
      let at = Math.min(found, k);
      while (at > 0 && (score > bestScore[at - 1]! || (score === bestScore[at - 1]! && j < best[at - 1]!)))
        at--;
      if (at >= k) continue;
      for (let m = Math.min(found, k - 1); m > at; m--) {
        best[m] = best[m - 1]!;
        bestScore[m] = bestScore[m - 1]!;
      }
      best[at] = j;
      bestScore[at] = score;
      found++;
    }
    const kept = Math.min(found, k);
    for (let m = 0; m < k; m++) out[i * k + m] = kept ? best[Math.min(m, kept - 1)]! : i;
  }
  return out;
}
