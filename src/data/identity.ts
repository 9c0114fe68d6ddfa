/**
 * A dataset's identity, carried by run summaries and shareable links so that a link names the data it
 * was made with: the name, the file names, and a 64-bit content hash of everything training reads.
 *
 * The hash is over the PARSED dataset (ids, ratings with times, profile and item columns, side
 * information, MeLU's split lists), not the file bytes: the same ratings loaded as a zip, a folder or
 * loose files give the same hash, while a different or edited file gives another. Two independent
 * 32-bit lanes (murmur3's block step with different seeds and constants, fmix at the end) over the
 * 32-bit words of each column, each column prefixed by its length. Not cryptographic: it tells data
 * apart, it does not defend against forgery. Computed once per Dataset object (memoised).
 */
import type { CategoricalColumn, Dataset, MultiHotColumn, PublishedState } from './dataset';

export interface DatasetIdentity {
  readonly name: string;
  readonly files: readonly string[];
  /** 16 lower-case hex digits */
  readonly hash: string;
}

const rotl = (x: number, r: number) => (x << r) | (x >>> (32 - r));
const fmix = (h: number) => {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
};

/** Streaming 64-bit hash of 32-bit words: lanes h1, h2. */
class Hasher {
  private h1 = 0x9747b28c;
  private h2 = 0x2f6fb0d1;
  private words = 0;

  word(w: number): void {
    let k = Math.imul(w, 0xcc9e2d51);
    k = Math.imul(rotl(k, 15), 0x1b873593);
    this.h1 = (Math.imul(rotl(this.h1 ^ k, 13), 5) + 0xe6546b64) | 0;
    let j = Math.imul(w ^ 0x5bd1e995, 0x85ebca6b);
    j = Math.imul(rotl(j, 17), 0xc2b2ae35);
    this.h2 = (Math.imul(rotl(this.h2 ^ j, 19), 9) + 0x7f4a7c15) | 0;
    this.words++;
  }

  /** A column: its word count, then its words (any 4- or 8-byte typed array, read as raw bytes). */
  array(a: Int32Array | Float32Array | Float64Array): void {
    const words = new Uint32Array(a.buffer, a.byteOffset, a.byteLength / 4);
    this.word(words.length);
    for (let i = 0; i < words.length; i++) this.word(words[i]!);
  }

  /** Strings as UTF-8, 0-separated, zero-padded to whole words. */
  strings(list: readonly string[]): void {
    const bytes = new TextEncoder().encode(list.join('\u0000'));
    this.word(list.length);
    this.word(bytes.length);
    for (let i = 0; i < bytes.length; i += 4)
      this.word(
        bytes[i]! | ((bytes[i + 1] ?? 0) << 8) | ((bytes[i + 2] ?? 0) << 16) | ((bytes[i + 3] ?? 0) << 24),
      );
  }

  hex(): string {
    const a = fmix(this.h1 ^ this.words);
    const b = fmix(this.h2 ^ Math.imul(this.words, 0x9e3779b1));
    return a.toString(16).padStart(8, '0') + b.toString(16).padStart(8, '0');
  }
}

function categorical(h: Hasher, c: CategoricalColumn | undefined): void {
  if (!c) return h.word(0);
  h.strings(c.vocab);
  h.array(c.codes);
}

function multiHot(h: Hasher, c: MultiHotColumn | undefined): void {
  if (!c) return h.word(0);
  h.strings(c.vocab);
  h.array(c.offsets);
  h.array(c.codes);
}

function published(h: Hasher, s: PublishedState): void {
  h.array(s.users);
  h.array(s.offsets);
  h.array(s.items);
  h.array(s.values);
}

/** The 64-bit content hash (16 hex digits) of a dataset; see the file comment for what it covers. */
export function contentHash(d: Dataset): string {
  const h = new Hasher();
  h.strings([d.format]);
  h.array(d.users.rawIds);
  for (const c of [d.users.gender, d.users.age, d.users.occupation, d.users.zip]) categorical(h, c);
  h.array(d.items.rawIds);
  h.strings(d.items.titles);
  h.array(d.items.year);
  multiHot(h, d.items.genres);
  categorical(h, d.items.rate);
  multiHot(h, d.items.directors);
  multiHot(h, d.items.actors);
  h.array(d.ratings.user);
  h.array(d.ratings.item);
  h.array(d.ratings.value);
  h.array(d.ratings.time);
  if (d.published)
    for (const s of [d.published.user_cold, d.published.item_cold, d.published.user_item_cold])
      published(h, s);
  else h.word(0);
  return h.hex();
}

const memo = new WeakMap<Dataset, DatasetIdentity>();

/** Name, file names and content hash of a dataset, computed once per Dataset object. */
export function datasetIdentity(d: Dataset): DatasetIdentity {
  let identity = memo.get(d);
  if (!identity) {
    identity = { name: d.name, files: [...d.files], hash: contentHash(d) };
    memo.set(d, identity);
  }
  return identity;
}

/** The short form people read and compare: "ml-100k · 3f2a…" (name and the hash's first 8 digits). */
export const identityLabel = (i: DatasetIdentity): string => `${i.name} · ${i.hash.slice(0, 8)}`;
