import { describe, expect, it } from 'vitest';
import { loadDataset } from './detect';
import { buildFeatureLayout } from './features';
import { readSource } from './source';
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

describe('release decades', () => {
  it('a dated item whose decade no training item has reads the nearest trained decade, never <unk>', async () => {
    const d = await demoDataset();
    const years = Array.from(d.items.year);
    const latest = Math.max(...years);
    // training: every item except those of the latest decade (as under MeLU's new-item rule for 2000)
    const lastDecade = Math.floor(latest / 10) * 10;
    const items = Uint8Array.from(years, (y) => (y > 0 && y < lastDecade ? 1 : 0));
    const training = { users: new Uint8Array(d.users.count).fill(1), items };
    const layout = buildFeatureLayout(d, { zipPrefix: 0, training });
    const fi = layout.item.indexFields;
    const decadeOf = (i: number) => layout.itemIndex[i * fi]!;
    const trainedCodes = new Set(years.flatMap((y, i) => (items[i] ? [decadeOf(i)] : [])));
    const nearest = Math.max(...years.filter((y, i) => items[i] && y > 0));
    const nearestCode = decadeOf(years.indexOf(nearest));
    for (let i = 0; i < years.length; i++) {
      if (years[i]! <= 0) continue;
      expect(trainedCodes.has(decadeOf(i))).toBe(true);
      if (years[i]! >= lastDecade) expect(decadeOf(i)).toBe(nearestCode);
    }
  });
});

describe('feature layout with MeLU side information', () => {
  it('adds MPAA rate (index), directors and actors (multi-hot), each with its own unknown row', async () => {
    const enc = new TextEncoder();
    const file = (path: string, text: string) => ({ path, bytes: enc.encode(text) });
    const extra = (id: number, rate: string, director: string, actors: string) =>
      `${id}::Film ${id}::1995::${rate}::1995::Drama::${director}::W::${actors}::Plot::N/A\r\n`;
    const d = await loadDataset(
      readSource([
        file('ratings.dat', '1::1::5::978300760\n2::2::3::978300761\n2::3::4::978300762\n'),
        file('users.dat', '1::F::1::10::48067\n2::M::56::16::70072\n'),
        file(
          'movies.dat',
          '1::Film 1 (1995)::Drama\n2::Film 2 (1995)::Comedy|Drama\n3::Film 3 (1999)::Drama\n',
        ),
        file(
          'movies_extrainfos.dat',
          extra(1, 'PG', 'Ann Director', 'Actor A, Actor B') +
            extra(2, 'PG', 'Ann Director (co-director)', 'Actor B') +
            extra(3, 'N/A', 'N/A', 'Actor C'),
        ),
      ]),
    );
    const layout = buildFeatureLayout(d, { zipPrefix: 2, minCount: 1 });
    expect(layout.userFieldNames).toEqual(['gender', 'age', 'occupation', 'zip2']);
    expect(layout.itemFieldNames).toEqual(['decade', 'rate', 'genre', 'director', 'actor']);
    expect(layout.item.multiFields).toBe(3);
    // vocabularies come from the data, '<unk>' first: rate = <unk>, PG; directors = <unk>, Ann Director
    expect(d.items.rate!.vocab).toEqual(['<unk>', 'PG']);
    expect(d.items.directors!.vocab).toEqual(['<unk>', 'Ann Director']);
    expect(d.items.actors!.vocab).toEqual(['<unk>', 'Actor A', 'Actor B', 'Actor C']);
    // items 1 and 2 share the cleaned director; item 3 has no rate and no director, so it reads each
    // field's unknown row (code 0, the row just below code 1) with weight 1
    const rateRow = (i: number) => layout.itemIndex[i * 2 + 1]!;
    expect(rateRow(0)).toBe(rateRow(1));
    expect(rateRow(2)).toBe(rateRow(0) - 1);
    const w = layout.item.width;
    const directorAt = (i: number) => (i * 3 + 1) * w; // multi-hot field 1 = director
    expect(layout.itemMulti[directorAt(1)]).toBe(layout.itemMulti[directorAt(0)]);
    expect(layout.itemMulti[directorAt(2)]).toBe(layout.itemMulti[directorAt(0)]! - 1);
    expect(layout.itemMultiWeights[directorAt(2)]).toBe(1);
    // item 1's two actors: mean embedding, weights 1/2
    const actorAt = (0 * 3 + 2) * w;
    expect(Array.from(layout.itemMultiWeights.subarray(actorAt, actorAt + 2))).toEqual([0.5, 0.5]);
  });
});

describe('feature options of the melu-paper preset', () => {
  it('itemDecade false leaves the decade out; minCount 0 gives every value its own row', async () => {
    const d = await demoDataset();
    const training = { users: new Uint8Array(d.users.count), items: new Uint8Array(d.items.count) };
    training.users[0] = 1; // one training user, no training item: minCount 2 would prune everything
    const layout = buildFeatureLayout(d, { zipPrefix: 5, minCount: 0, itemDecade: false, training });
    expect(layout.itemFieldNames).toEqual(['genre']);
    expect(layout.item.indexFields).toBe(0);
    // every user's profile values keep their own rows, never '<unk>'
    for (const row of layout.userIndex) expect(layout.userRowLabels[row]).not.toMatch(/<unk>$/);
    // multi-hot rows close the table: one entry per multi-hot field, '<unk>' included
    expect(layout.item.multiRows).toEqual([d.items.genres.vocab.length]);
    expect(layout.item.tableRows).toBe(d.items.genres.vocab.length);
  });
});

describe('genre source', () => {
  it("genres 'omdb' reads items.extraGenres when loaded, the item file's genres otherwise", async () => {
    const d = await demoDataset();
    const extraGenres = {
      vocab: ['<unk>', 'Drama', 'Sport'],
      offsets: new Int32Array(d.items.count + 1),
      codes: new Int32Array(0),
    };
    const withExtras = { ...d, items: { ...d.items, extraGenres } };
    const omdb = buildFeatureLayout(withExtras, { zipPrefix: 0, minCount: 0, genres: 'omdb' });
    expect(omdb.item.multiRows).toEqual([3]);
    const fallback = buildFeatureLayout(d, { zipPrefix: 0, minCount: 0, genres: 'omdb' });
    expect(fallback.item.multiRows).toEqual([d.items.genres.vocab.length]);
  });
});
