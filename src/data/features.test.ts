import { describe, expect, it } from 'vitest';
import { buildFeatureLayout } from './features';
import { demoDataset } from '../../tests/helpers/demo';

describe('feature layout', () => {
  it('offsets every field into one table per side, with unknown rows and mean weights', async () => {
    const d = await demoDataset();
    const layout = buildFeatureLayout(d, { zipPrefix: 3, minCount: 1 });
    expect(layout.userFieldNames).toEqual(['gender', 'age', 'occupation', 'zip3']);
    expect(layout.itemFieldNames).toEqual(['decade', 'genre']);
    expect(layout.userRowLabels[0]).toBe('gender=<unk>');
    for (const row of layout.userIndex) expect(row).toBeLessThan(layout.user.tableRows);
    // multi-hot weights of each item's genre bag sum to 1
    const w = layout.item.width;
    for (let i = 0; i < d.items.count; i++) {
      let s = 0;
      for (let j = 0; j < w; j++) s += layout.itemMultiWeights[i * w + j]!;
      expect(s).toBeCloseTo(1, 6);
    }
  });

  it('maps values seen by fewer than minCount training rows to the unknown row', async () => {
    const d = await demoDataset();
    const training = { users: new Uint8Array(d.users.count), items: new Uint8Array(d.items.count).fill(1) };
    training.users[0] = 1; // one training user: every profile value is seen once
    const layout = buildFeatureLayout(d, { zipPrefix: 5, training });
    const unknownRows = new Set(
      ['gender', 'age', 'occupation', 'zip5'].map((f) => layout.userRowLabels.indexOf(`${f}=<unk>`)),
    );
    for (let u = 0; u < d.users.count; u++) {
      for (let f = 0; f < 4; f++) expect(unknownRows.has(layout.userIndex[u * 4 + f]!)).toBe(true);
    }
  });
});
