// Hashed TF-IDF + seeded random projection: deterministic, unit length, same text same vector,
// similar texts closer; K nearest neighbours exclude the row itself.
import { describe, expect, it } from 'vitest';
import { nearestNeighbours, rowDot, textEmbeddings, tokens } from './textEmbedding';

const DOCS = [
  'Toy Story (1995) genre_animation genre_children_s genre_comedy',
  'Toy Story 2 (1999) genre_animation genre_children_s genre_comedy',
  'Heat (1995) genre_action genre_crime genre_thriller',
  'Toy Story (1995) genre_animation genre_children_s genre_comedy',
  '',
];

describe('textEmbeddings', () => {
  const e = textEmbeddings(DOCS, { dim: 32, seed: 7 });

  it('tokenises lower-cased alphanumeric runs', () => {
    expect(tokens("Children's Toy-Story (1995) Café")).toEqual([
      'children',
      's',
      'toy',
      'story',
      '1995',
      'café',
    ]);
  });
  it('is deterministic for a seed and changes with it', () => {
    expect(textEmbeddings(DOCS, { dim: 32, seed: 7 })).toEqual(e);
    expect(textEmbeddings(DOCS, { dim: 32, seed: 8 })).not.toEqual(e);
  });
  it('gives unit rows (zeros for a text without tokens)', () => {
    for (const n of [0, 1, 2, 3]) expect(rowDot(e, 32, n, n)).toBeCloseTo(1, 5);
    expect(Array.from(e.subarray(4 * 32))).toEqual(new Array(32).fill(0));
  });
  it('gives the same text the same vector and similar texts closer', () => {
    expect(Array.from(e.subarray(0, 32))).toEqual(Array.from(e.subarray(3 * 32, 4 * 32)));
    const sequel = rowDot(e, 32, 0, 1);
    const other = rowDot(e, 32, 0, 2);
    expect(sequel).toBeGreaterThan(0.3);
    expect(sequel).toBeGreaterThan(other + 0.25);
  });
});

describe('nearestNeighbours', () => {
  it('ranks candidates by dot product, never the row itself', () => {
    const e = textEmbeddings(DOCS, { dim: 32, seed: 7 });
    const nn = nearestNeighbours(e, 32, [0, 1, 2, 3], 2);
    expect(Array.from(nn.subarray(0, 2))).toEqual([3, 1]); // the identical text, then the sequel
    expect(Array.from(nn.subarray(2 * 2, 3 * 2))).not.toContain(2);
    // one candidate: it repeats
    expect(Array.from(nearestNeighbours(e, 32, [2], 3).subarray(0, 3))).toEqual([2, 2, 2]);
  });
});
