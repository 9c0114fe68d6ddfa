// Every parser on small fixtures written here (invented users and titles; no MovieLens data), and
// every error message a researcher can get.
import { itemTexts } from '../textEmbedding';
import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { loadDataset } from '../detect';
import { DataError } from '../errors';
import { readSource, type InputFile } from '../source';

const enc = new TextEncoder();
const file = (path: string, text: string): InputFile => ({ path, bytes: enc.encode(text) });
const latin1 = (text: string): Uint8Array => Uint8Array.from(text, (c) => c.charCodeAt(0));
const flags = (...on: number[]) =>
  Array.from({ length: 19 }, (_, g) => (on.includes(g) ? '1' : '0')).join('|');

const U_ITEM = [
  `1|Lumi\xe8re Tale (1995)|01-Jan-1995||http://x|${flags(3, 5)}`,
  `2|Second Film (1997)|15-Mar-1997||http://x|${flags(8)}`,
  `3|No Date Film (1980)|||http://x|${flags(0)}`,
].join('\n');
const U_USER = '1|24|M|technician|85711\n2|53|F|other|94043\n3|16|M|student|32067\n';
const U_DATA = '1\t1\t5\t881250949\n1\t2\t3\t881250950\n2\t1\t4\t881250951\n3\t3\t1\t881250952\n';

async function load(files: InputFile[]) {
  return loadDataset(readSource(files));
}

async function errorOf(files: InputFile[]): Promise<DataError> {
  try {
    await load(files);
  } catch (e) {
    if (e instanceof DataError) return e;
    throw e;
  }
  throw new Error('expected a DataError');
}

describe('MovieLens 100K', () => {
  it('parses u.data, u.item (latin-1) and u.user', async () => {
    const d = await load([
      file('u.data', U_DATA),
      { path: 'u.item', bytes: latin1(U_ITEM) },
      file('u.user', U_USER),
    ]);
    expect(d.format).toBe('ml-100k');
    expect([d.users.count, d.items.count, d.ratings.count]).toEqual([3, 3, 4]);
    expect(d.items.titles[0]).toBe('Lumière Tale (1995)');
    expect(Array.from(d.items.year)).toEqual([1995, 1997, 1980]);
    expect(d.items.genres.vocab[d.items.genres.codes[0]!]).toBe('Animation');
    expect(d.users.age.vocab[d.users.age.codes[2]!]).toBe('1'); // 16 years -> the ML-1M "under 18" group
    expect(Array.from(d.ratings.value)).toEqual([5, 3, 4, 1]);
  });

  it.each([
    ['1\t1\t7\t881250949\n', 'Expected rating in 1..5 at u.data line 1, got 7'],
    [
      '1\t1\t5\t881250949\n1\t1\n',
      'Expected 4 tab-separated fields (user, item, rating, timestamp) at u.data line 2, got 1\t1',
    ],
    ['1\t1\t5\t881250949\nabc\t1\t5\t881250949\n', 'Expected an integer user id at u.data line 2, got abc'],
    [
      '1\t1\t5\t881250949\t9\n',
      'Expected 4 tab-separated fields (user, item, rating, timestamp) at u.data line 1, got 1\t1\t5\t881250949\t9',
    ],
    ['1\t1\tfive\t881250949\n', 'Expected rating in 1..5 at u.data line 1, got five'],
  ])('rejects a bad u.data line: %j', async (data, message) => {
    const e = await errorOf([
      file('u.data', data),
      { path: 'u.item', bytes: latin1(U_ITEM) },
      file('u.user', U_USER),
    ]);
    expect(e.message).toBe(message);
    expect(e.location?.file).toBe('u.data');
  });

  it('rejects a bad u.item and u.user line with the file and line', async () => {
    const e1 = await errorOf([
      file('u.data', U_DATA),
      file('u.item', '1|Only|three'),
      file('u.user', U_USER),
    ]);
    expect(e1.message).toMatch(
      /^Expected 24 '\|'-separated fields .* at u\.item line 1, got 1\|Only\|three$/,
    );
    const e2 = await errorOf([
      file('u.data', U_DATA),
      { path: 'u.item', bytes: latin1(U_ITEM) },
      file('u.user', '1|24|X|technician|85711\n'),
    ]);
    expect(e2.message).toBe('Expected gender M or F at u.user line 1, got X');
  });

  it('skips blank lines, counts safe skips in notes, and refuses a duplicate naming both lines', async () => {
    const data = '1\t1\t5\t881250949\n\n2\t99\t4\t881250951\n';
    const d = await load([
      file('u.data', data),
      { path: 'u.item', bytes: latin1(U_ITEM) },
      file('u.user', U_USER),
    ]);
    expect(d.ratings.count).toBe(1);
    expect(d.ratings.value[0]).toBe(5);
    expect(d.notes).toContain('skipped 1 ratings of 1 items missing from u.item');
    const duplicate = await errorOf([
      file('u.data', `${data}1\t1\t2\t881250960\n`),
      { path: 'u.item', bytes: latin1(U_ITEM) },
      file('u.user', U_USER),
    ]);
    expect(duplicate.message).toBe(
      'Expected one rating per (user, item) pair at u.data line 4, got user 1 and item 1 again (first at line 1)',
    );
  });

  it('refuses binary data and unknown files with a clear message', async () => {
    const png = { path: 'u.data', bytes: Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 13]) };
    expect((await errorOf([png])).message).toBe(
      'Expected a text file at u.data, got binary data (a NUL byte near the start)',
    );
    const e = await errorOf([file('notes.txt', 'hello')]);
    expect(e.code).toBe('unknown-format');
    expect(e.message).toContain('notes.txt');
  });

  it('builds users and items from the ratings when their files are missing', async () => {
    const d = await load([file('u.data', U_DATA)]);
    expect([d.users.count, d.items.count]).toEqual([3, 3]);
    expect(d.notes.some((n) => n.startsWith('no user file'))).toBe(true);
  });
});

describe('MovieLens 1M and MeLU side information', () => {
  const movies = '1::Caf\xe9 Story (1995)::Animation|Comedy\r\n2::Other Film (1998)::Drama\r\n';
  const users = '1::F::1::10::48067\r\n2::M::56::16::70072\r\n';
  const ratings = '1::1::5::978300760\r\n1::2::3::978302109\r\n2::1::4::978301968\r\n';
  it('parses ratings.dat (CRLF), movies.dat (latin-1) and users.dat', async () => {
    const d = await load([
      file('ratings.PARTIAL.dat', ratings),
      { path: 'movies.dat', bytes: latin1(movies) },
      file('users.dat', users),
    ]);
    expect(d.format).toBe('ml-1m');
    expect(d.ratings.count).toBe(3);
    expect(d.items.titles[0]).toBe('Café Story (1995)');
    expect(Array.from(d.items.year)).toEqual([1995, 1998]);
  });

  it('rejects a bad ratings.dat line', async () => {
    const e = await errorOf([file('ratings.dat', '1::1::5::978300760\n1::2::3\n'), file('users.dat', users)]);
    expect(e.message).toBe(
      'Expected 4 "::"-separated fields (user::item::rating::timestamp) at ratings.dat line 2, got 1::2::3',
    );
  });

  it('adds MeLU extras (UTF-8, CRLF; directors cleaned) and reads the published split', async () => {
    const extras =
      '1::Café Story::1995::PG-13::22 Nov 1995::Animation, Comedy::Ann Director (co-director), Bo Other::W::Actor A, Actor B::Toys talk:: at night::N/A\r\n' +
      '2::Other Film::1998::N/A::1998::Drama::N/A::W::Actor C::Plot::N/A\r\n';
    const d = await load([
      file('ml-1m/ratings.dat', ratings),
      { path: 'ml-1m/movies.dat', bytes: latin1(movies) },
      file('ml-1m/users.dat', users),
      file('melu/movies_extrainfos.dat', extras),
      file('melu/splits/user_cold_state.json', '{"2": ["1", "2"]}'),
      file('melu/splits/user_cold_state_y.json', '{"2": [4, 5]}'),
      file('melu/splits/item_cold_state.json', '{"1": ["2"]}'),
      file('melu/splits/item_cold_state_y.json', '{"1": [3]}'),
      file('melu/splits/user_and_item_cold_state.json', '{}'),
      file('melu/splits/user_and_item_cold_state_y.json', '{}'),
    ]);
    expect(d.items.directors!.vocab).toEqual(['<unk>', 'Ann Director', 'Bo Other']);
    expect(d.items.rate!.vocab[d.items.rate!.codes[1]!]).toBe('<unk>');
    expect(Array.from(d.items.actors!.codes)).toEqual([1, 2, 3]);
    // MeLU's OMDb genres beside the item file's own (itemGenres 'omdb' reads them)
    expect(d.items.extraGenres!.vocab).toEqual(['<unk>', 'Animation', 'Comedy', 'Drama']);
    // plots (a "::" inside one kept): MML's item text, with titles, genres, directors and actors
    expect(d.items.plots).toEqual(['Toys talk:: at night', 'Plot']);
    expect(itemTexts(d)[0]).toBe(
      'Café Story (1995) genre_animation genre_comedy genre_animation genre_comedy director_ann_director director_bo_other actor_actor_a actor_actor_b Toys talk:: at night',
    );
    expect(Array.from(d.published!.user_cold.items)).toEqual([1, 2]);
    expect(Array.from(d.published!.item_cold.values)).toEqual([3]);
  });

  it('names the file and user when a split list and its ratings differ in length', async () => {
    const e = await errorOf([
      file('ratings.dat', ratings),
      file('user_cold_state.json', '{"2": ["1", "2"]}'),
      file('user_cold_state_y.json', '{"2": [4]}'),
      file('item_cold_state.json', '{}'),
      file('item_cold_state_y.json', '{}'),
      file('user_and_item_cold_state.json', '{}'),
      file('user_and_item_cold_state_y.json', '{}'),
    ]);
    expect(e.message).toBe(
      'Expected 2 ratings for user 2 (as many as movies in user_cold_state.json) at user_cold_state_y.json, got 1',
    );
  });
});

describe('RecBole atomic files', () => {
  it('maps typed headers onto the dataset and accepts float ratings', async () => {
    const d = await load([
      file(
        'x.inter',
        'user_id:token\titem_id:token\trating:float\ttimestamp:float\n1\t10\t4.5\t100\n2\t10\t3\t101\n',
      ),
      file(
        'x.item',
        'item_id:token\tmovie_title:token_seq\trelease_year:token\tclass:token_seq\n10\tSome Film\t1990\tAction Drama\n',
      ),
      file(
        'x.user',
        'user_id:token\tage:token\tgender:token\toccupation:token\tzip_code:token\textra:float\n1\t30\tF\twriter\t12345\t0.5\n2\t40\tM\tother\t54321\t1\n',
      ),
    ]);
    expect(d.format).toBe('recbole');
    expect(Array.from(d.ratings.value)).toEqual([4.5, 3]);
    expect(d.items.genres.vocab).toEqual(['<unk>', 'Action', 'Drama']);
    expect(d.notes).toContain('x.user: columns not used: extra');
  });

  it('explains a .inter without ratings', async () => {
    const e = await errorOf([file('x.inter', 'user_id:token\titem_id:token\n1\t2\n')]);
    expect(e.message).toContain('a rating column');
  });
});

describe('sources', () => {
  it('reads a GroupLens zip with a top folder and __MACOSX junk', async () => {
    const zip = zipSync({
      'ml-100k/u.data': enc.encode(U_DATA),
      'ml-100k/u.item': latin1(U_ITEM),
      'ml-100k/u.user': enc.encode(U_USER),
      '__MACOSX/ml-100k/._u.data': Uint8Array.from([0, 1, 2]),
    });
    const files = readSource([{ path: 'ml-100k.zip', bytes: zip }]);
    expect(files.map((f) => f.name).sort()).toEqual(['u.data', 'u.item', 'u.user']);
    expect((await loadDataset(files)).ratings.count).toBe(4);
  });

  it('rejects a corrupt zip and enforces the size limit', () => {
    expect(() => readSource([{ path: 'x.zip', bytes: Uint8Array.from([1, 2, 3, 4]) }])).toThrow(
      /^Expected a complete zip archive at x\.zip, got invalid zip data/,
    );
    expect(() => readSource([file('u.data', U_DATA)], 10)).toThrow(/larger than the 0\.0 MB limit/);
  });

  it('sniffs unknown file names and merges folders (first name wins)', async () => {
    const d = await load([
      file('mine.tsv', U_DATA),
      { path: 'a/u.item', bytes: latin1(U_ITEM) },
      file('b/u.item', 'junk'),
    ]);
    expect(d.format).toBe('ml-100k');
    expect(d.ratings.count).toBe(4);
    expect(d.notes).toContain('b/u.item was ignored: a/u.item has the same name and was given first');
  });
});

describe('chunked ratings parsing', () => {
  it('parses across 4 MB chunk boundaries like the one-go parser, with correct line numbers in errors', async () => {
    const { parseRatings, parseRatingsChunked, ML100K_RATINGS } = await import('./ratings');
    const lines: string[] = [];
    for (let k = 0; k < 260_000; k++)
      lines.push(`${1 + (k % 900)}\t${1 + ((k * 7) % 1600)}\t${1 + (k % 5)}\t${881250949 + k}`);
    const bytes = enc.encode(lines.join('\n') + '\n');
    expect(bytes.length).toBeGreaterThan(5 << 20);
    const progress: number[] = [];
    const chunked = await parseRatingsChunked(bytes, 'u.data', ML100K_RATINGS, (f) => progress.push(f));
    const whole = parseRatings(bytes, 'u.data', ML100K_RATINGS);
    expect(chunked.count).toBe(260_000);
    expect(Array.from(chunked.item)).toEqual(Array.from(whole.item));
    expect(Array.from(chunked.time.subarray(-3))).toEqual(Array.from(whole.time.subarray(-3)));
    expect(progress.length).toBeGreaterThanOrEqual(2);
    lines[250_000] = '1\t1\t9\t881250949';
    await expect(parseRatingsChunked(enc.encode(lines.join('\n')), 'u.data', ML100K_RATINGS)).rejects.toThrow(
      'Expected rating in 1..5 at u.data line 250001, got 9',
    );
  });
});
