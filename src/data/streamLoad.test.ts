// MovieLens 10M / 20M / 25M: hand-written files of each shape, streamed in chunks of every awkward
// size (a line or a UTF-8 character split across chunks, a zip split anywhere), against the whole-text
// parse; malformed lines and the memory budget give the repo's sentences (file, line, expected).
import { strToU8, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { browserBudget, budgetFromTotal, checkRatingsFit, estimateRatings } from './budget';
import type { Dataset } from './dataset';
import { loadDataset } from './detect';
import { DataError } from './errors';
import { splitCsvLine } from './formats/movielensLarge';
import { ML10M_RATINGS, ML25M_RATINGS, parseRatings, ratingsParser } from './formats/ratings';
import { readSource } from './source';
import { blobSource, bytesSource, LineChunker } from './stream';
import { forEachLine } from './text';
import { loadStreamed } from './streamLoad';

const ML10M = {
  'ml-10M100K/ratings.dat': '1::122::5::838985046\n1::185::4.5::838983525\n2::122::0.5::868245777\n',
  'ml-10M100K/movies.dat': '122::Boomerang (1992)::Comedy|Romance\n185::Net, The (1995)::Action|Crime\n',
  'ml-10M100K/tags.dat': '15::4973::excellent!::1215184630\n20::1747::politics::1188263867\n',
};
const ML25M = {
  'ml-25m/ratings.csv':
    'userId,movieId,rating,timestamp\r\n1,1,4.0,1147880044\r\n1,11,3.5,1147868817\r\n2,1,0.5,1147868828\r\n3,11,5.0,1147878820',
  'ml-25m/movies.csv':
    'movieId,title,genres\r\n1,Toy Story (1995),Adventure|Animation\r\n11,"American President, The (1995)",Comedy|Drama\r\n' +
    '12,"Film ""Quoted"", Amélie (2001)",(no genres listed)\r\n',
  'ml-25m/tags.csv':
    'userId,movieId,tag,timestamp\n3,11,"funny, sad",1439472355\n3,1,"say ""hi""",1573943598\n',
  'ml-25m/links.csv': 'movieId,imdbId,tmdbId\n1,0114709,862\n',
};
const files = (set: Record<string, string>) =>
  Object.entries(set).map(([path, body]) => ({ path, bytes: strToU8(body) }));
const sources = (set: Record<string, string>, chunk: number) =>
  files(set).map((f) => bytesSource(f.path, f.bytes, chunk));
const inMemory = (set: Record<string, string>) => loadDataset(readSource(files(set)));
const ratingsOf = (d: Dataset) => ({
  user: [...d.ratings.user],
  item: [...d.ratings.item],
  value: [...d.ratings.value],
  time: [...d.ratings.time],
});
async function errorOf(promise: Promise<unknown>): Promise<DataError> {
  try {
    await promise;
  } catch (e) {
    if (e instanceof DataError) return e;
    throw e;
  }
  throw new Error('expected a DataError');
}

describe('MovieLens 10M shape', () => {
  it('reads ratings.dat in half stars, movies.dat and tags.dat; records the scale', async () => {
    const d = await inMemory(ML10M);
    expect(d.format).toBe('ml-10m');
    expect(d.ratings.count).toBe(3);
    expect([...d.ratings.value]).toEqual([5, 4.5, 0.5]);
    expect(d.ratingScale).toEqual({ min: 0.5, max: 5, step: 0.5 });
    expect(d.items.titles).toEqual(['Boomerang (1992)', 'Net, The (1995)']);
    expect(d.contributions?.find((c) => c.path.endsWith('tags.dat'))?.rows).toBe(2);
  });

  it('a lone ratings.dat with half stars is ML-10M', async () => {
    const d = await inMemory({ 'ratings.dat': ML10M['ml-10M100K/ratings.dat'] });
    expect(d.format).toBe('ml-10m');
    expect(d.notes.join(' ')).toContain('no item file');
  });

  it('an ML-1M set keeps whole stars and its own format', async () => {
    const d = await inMemory({ 'ratings.dat': '1::1::5::978300760\n2::1::3::978302109\n' });
    expect(d.format).toBe('ml-1m');
    expect(d.ratingScale).toEqual({ min: 3, max: 5, step: 1 });
  });
});

describe('MovieLens 20M/25M shape', () => {
  it('reads the CSV files: header, CRLF, quoted titles with commas and doubled quotes, no genres', async () => {
    const d = await inMemory(ML25M);
    expect(d.format).toBe('ml-25m');
    expect([...d.ratings.value]).toEqual([4, 3.5, 0.5, 5]);
    expect(d.items.titles).toEqual([
      'Toy Story (1995)',
      'American President, The (1995)',
      'Film "Quoted", Amélie (2001)',
    ]);
    expect([...d.items.year]).toEqual([1995, 1995, 2001]);
    expect(d.items.genres.offsets[3]! - d.items.genres.offsets[2]!).toBe(0);
    expect(d.contributions?.find((c) => c.path.endsWith('tags.csv'))?.rows).toBe(2);
    expect(d.contributions?.find((c) => c.path.endsWith('links.csv'))?.role).toBe('not used');
  });

  it('splits CSV lines as RFC 4180 says', () => {
    expect(splitCsvLine('1,"a, ""b""",c')).toEqual(['1', 'a, "b"', 'c']);
    expect(splitCsvLine('1,,')).toEqual(['1', '', '']);
    expect(splitCsvLine('1,"open')).toBe('an unclosed quote');
  });

  it('detects the files by content when their names say nothing', async () => {
    const d = await inMemory({
      'r.txt': ML25M['ml-25m/ratings.csv'],
      'm.txt': ML25M['ml-25m/movies.csv'],
    });
    expect(d.format).toBe('ml-25m');
    expect(d.items.count).toBe(3);
  });
});

describe('streaming', () => {
  it.each([1, 2, 3, 7, 64, 4096])('gives the whole-text parse with %i-byte chunks', async (chunk) => {
    for (const set of [ML10M, ML25M]) {
      const whole = await inMemory(set);
      const streamed = await loadStreamed(sources(set, chunk));
      expect(ratingsOf(streamed)).toEqual(ratingsOf(whole));
      expect(streamed.items.titles).toEqual(whole.items.titles);
    }
  });

  it('joins lines and UTF-8 characters split at every byte', () => {
    const text = 'Amélie::1\n日本::2\r\nlast';
    const bytes = strToU8(text);
    for (let cut = 0; cut <= bytes.length; cut++) {
      const lines: string[] = [];
      const chunker = new LineChunker((b, from, to, first) =>
        forEachLine(
          b,
          (start, end, line) => lines.push(`${line}:${new TextDecoder().decode(b.subarray(start, end))}`),
          from,
          to,
          first,
        ),
      );
      chunker.push(bytes.subarray(0, cut));
      chunker.push(bytes.subarray(cut));
      chunker.end();
      expect(lines).toEqual(['1:Amélie::1', '2:日本::2', '3:last']);
    }
  });

  it('equals the byte parser on a larger seeded file', () => {
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648);
    const lines = ['userId,movieId,rating,timestamp'];
    for (let k = 0; k < 2000; k++)
      lines.push(`${1 + (next() % 500)},${1 + (next() % 900)},${(1 + (next() % 10)) / 2},${next()}`);
    const bytes = strToU8(lines.join('\n'));
    const whole = parseRatings(bytes, 'ratings.csv', ML25M_RATINGS);
    for (const chunk of [5, 333, 65536]) {
      const parser = ratingsParser('ratings.csv', ML25M_RATINGS, 16);
      const chunker = new LineChunker(parser.parse);
      for (let k = 0; k < bytes.length; k += chunk) chunker.push(bytes.subarray(k, k + chunk));
      chunker.end();
      expect(parser.result()).toEqual(whole);
    }
  });

  it('reads a GroupLens-style zip pushed in chunks that split its headers and data', async () => {
    const zip = zipSync(Object.fromEntries(files(ML25M).map((f) => [f.path, f.bytes])));
    const whole = await inMemory(ML25M);
    for (const chunk of [1, 13, 100, 1 << 20]) {
      const streamed = await loadStreamed([bytesSource('ml-25m.zip', zip, chunk)]);
      expect(streamed.format).toBe('ml-25m');
      expect(ratingsOf(streamed)).toEqual(ratingsOf(whole));
      expect(streamed.items.titles).toEqual(whole.items.titles);
    }
    const tenM = zipSync(Object.fromEntries(files(ML10M).map((f) => [f.path, f.bytes])));
    expect((await loadStreamed([bytesSource('ml-10m.zip', tenM, 17)])).format).toBe('ml-10m');
  });
});

describe('malformed lines (file, line, expected)', () => {
  const csv = (bad: string) => ({
    'ratings.csv': `userId,movieId,rating,timestamp\n1,1,4.0,1147880044\n${bad}\n2,1,3.0,1147880045\n`,
  });
  it.each([
    ['1,2,6.0,1147880044', 'Expected rating in 0.5..5 in half stars at ratings.csv line 3, got 6.0'],
    ['1,2,4.25,1147880044', 'Expected rating in 0.5..5 in half stars at ratings.csv line 3, got 4.25'],
    ['1,2,4.0', 'Expected 4 comma-separated fields (userId,movieId,rating,timestamp) at ratings.csv line 3'],
    ['x,2,4.0,1147880044', 'Expected an integer user id at ratings.csv line 3, got x'],
  ])('%s', async (bad, message) => {
    for (const chunk of [3, 4096]) {
      const e = await errorOf(loadStreamed(sources(csv(bad), chunk)));
      expect(e.code).toBe('parse');
      expect(e.message).toContain(message);
      expect(e.location?.line).toBe(3);
    }
  });

  it('names the header, the movies line and the tags line', async () => {
    const noHeader = await errorOf(inMemory({ 'ratings.csv': '1,1,4.0,1147880044\n' }));
    expect(noHeader.message).toBe(
      'Expected the header userId,movieId,rating,timestamp at ratings.csv line 1, got 1,1,4.0,1147880044',
    );
    const movies = await errorOf(
      inMemory({ ...csv('1,2,4.0,1'), 'movies.csv': 'movieId,title,genres\n1,"Open, (1995),Drama\n' }),
    );
    expect(movies.message).toContain('at movies.csv line 2');
    expect(movies.message).toContain('an unclosed quote');
    const tags = await errorOf(inMemory({ ...ML10M, 'ml-10M100K/tags.dat': '15::4973::x\n' }));
    expect(tags.message).toContain('Expected 4 "::"-separated fields');
    expect(tags.message).toContain('tags.dat line 1');
  });

  it('names the zip member and the line when the bad line is inside a zip', async () => {
    const zip = zipSync({
      'ml-10M100K/ratings.dat': strToU8('1::1::5::1\n1::2::7::2\n'),
      'ml-10M100K/tags.dat': strToU8(''),
    });
    const e = await errorOf(loadStreamed([bytesSource('ml-10m.zip', zip, 9)]));
    expect(e.message).toBe(
      'Expected rating in 0.5..5 in half stars at ml-10m.zip/ml-10M100K/ratings.dat line 2, got 7',
    );
  });

  it('ML-10M ratings.dat lines keep the "::" sentences', () => {
    expect(() => parseRatings(strToU8('1::2::4.5\n'), 'ratings.dat', ML10M_RATINGS)).toThrow(
      'Expected 4 "::"-separated fields (user::item::rating::timestamp) at ratings.dat line 1, got 1::2::4.5',
    );
  });
});

describe('memory budget', () => {
  it('refuses with the estimate, the budget and where the budget comes from', async () => {
    const e = await errorOf(
      loadStreamed(sources(ML25M, 64), { budget: { bytes: 100, source: 'a test budget' } }),
    );
    expect(e.code).toBe('too-large');
    expect(e.message).toMatch(
      /^ml-25m\/ratings\.csv holds about 0\.0 million ratings, which need about 0\.0 GB in memory \(72 bytes each\), more than the 0\.0 GB budget \(a test budget\)\./,
    );
  });

  it('derives the budget from the platform', () => {
    expect(browserBudget({ navigator: { deviceMemory: 4 } })).toEqual({
      bytes: 2 * 1024 ** 3,
      source: 'half of navigator.deviceMemory = 4.0 GB',
    });
    expect(
      browserBudget({
        navigator: { deviceMemory: 8 },
        performance: { memory: { jsHeapSizeLimit: 1024 ** 3 } },
      }).source,
    ).toBe('performance.memory.jsHeapSizeLimit = 1.0 GB');
    expect(browserBudget({}).source).toBe('the default for browsers that report no memory');
    expect(budgetFromTotal(16 * 1024 ** 3, 'os.totalmem()').bytes).toBe(8 * 1024 ** 3);
  });

  it('estimates the ratings of a file from its first lines', () => {
    const head = strToU8('1,2,3.5,1147880044\n'.repeat(100));
    expect(estimateRatings(19 * 25_000_000, head)).toBe(Math.ceil(25_000_000 * 1.05));
    expect(() => checkRatingsFit('r.csv', 25_000_000, { bytes: 1024 ** 3, source: 'x' })).toThrow(
      /r\.csv holds about 25\.0 million ratings, which need about 1\.7 GB/,
    );
  });
});

describe('browser sources', () => {
  it('a Blob streams to the same dataset as its bytes', async () => {
    const set = files(ML25M);
    const viaBlob = await loadStreamed(set.map((f) => blobSource(new Blob([f.bytes]), f.path)));
    expect(ratingsOf(viaBlob)).toEqual(ratingsOf(await inMemory(ML25M)));
  });
});

describe('the command line (Node read streams)', () => {
  it('loads a folder and its zip from disk, streamed, under half of os.totalmem()', async () => {
    const { mkdtempSync, mkdirSync, rmSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { loadPaths } = await import('../cli/readPaths');
    const dir = mkdtempSync(join(tmpdir(), 'metarec-scale-test-'));
    try {
      mkdirSync(join(dir, 'ml-25m'));
      for (const f of files(ML25M)) writeFileSync(join(dir, f.path), f.bytes);
      writeFileSync(
        join(dir, 'ml-25m.zip'),
        zipSync(Object.fromEntries(files(ML25M).map((f) => [f.path, f.bytes]))),
      );
      writeFileSync(join(dir, 'r.dat'), strToU8(ML10M['ml-10M100K/ratings.dat']));
      const whole = ratingsOf(await inMemory(ML25M));
      expect(ratingsOf(await loadPaths([join(dir, 'ml-25m')]))).toEqual(whole);
      expect(ratingsOf(await loadPaths([join(dir, 'ml-25m.zip')]))).toEqual(whole);
      expect((await loadPaths([join(dir, 'r.dat')])).format).toBe('ml-10m');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
