import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { loadDataset } from './detect';
import { contentHash, datasetIdentity } from './identity';
import { readSource } from './source';
import { DEMO_SEED, syntheticInputs } from './synthetic';

const load = (inputs: { path: string; bytes: Uint8Array }[]) => loadDataset(readSource(inputs));

describe('datasetIdentity', () => {
  it('is the same for the same content however it is packaged, and computed once per dataset', async () => {
    const files = syntheticInputs(DEMO_SEED);
    const a = await load(files);
    const zipped = zipSync(Object.fromEntries(files.map((f) => [`demo/${f.path}`, f.bytes])));
    const b = await load([{ path: 'demo.zip', bytes: zipped }]);
    expect(datasetIdentity(a).hash).toMatch(/^[0-9a-f]{16}$/);
    expect(datasetIdentity(b).hash).toBe(datasetIdentity(a).hash);
    expect(datasetIdentity(a).files).toEqual(a.files);
    expect(datasetIdentity(a)).toBe(datasetIdentity(a)); // memoised: the same object
  });

  it('changes when one rating, one time or one title changes', async () => {
    const d = await load(syntheticInputs(DEMO_SEED));
    const base = contentHash(d);
    const value = Float32Array.from(d.ratings.value);
    value[17] = value[17] === 5 ? 4 : 5;
    expect(contentHash({ ...d, ratings: { ...d.ratings, value } })).not.toBe(base);
    const time = Float64Array.from(d.ratings.time);
    time[3]! += 1;
    expect(contentHash({ ...d, ratings: { ...d.ratings, time } })).not.toBe(base);
    const titles = [...d.items.titles];
    titles[0] = `${titles[0]}!`;
    expect(contentHash({ ...d, items: { ...d.items, titles } })).not.toBe(base);
    expect(contentHash(await load(syntheticInputs(DEMO_SEED + 1)))).not.toBe(base);
  });
});
