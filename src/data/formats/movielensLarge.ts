/**
 * MovieLens 10M (ml-10M100K: ratings.dat, movies.dat, tags.dat, '::'-separated, half stars) and 20M/25M
 * (ml-20m, ml-25m: ratings.csv, movies.csv, tags.csv with a header line, quoted CSV titles, half stars):
 * which file is which (by name, else by content), and the parsers of the small files. ratings go through
 * ratings.ts (ML10M_RATINGS, ML25M_RATINGS), streamed by data/streamLoad.ts.
 */
import { DataError } from '../errors';
import { decodeLatin1, eachTextLine } from '../text';
import { emptyItems, uniqueIds, yearFromTitle, type RawItems } from './raw';

export type LargeRole =
  | 'ratings-dat'
  | 'ratings-csv'
  | 'movies-dat'
  | 'movies-csv'
  | 'tags-dat'
  | 'tags-csv'
  /** a GroupLens file this app does not read (links.csv, genome-*.csv, README.txt, scripts) */
  | 'ignored'
  /** not a large-set file: the in-memory loader decides (u.data, users.dat, .inter, ...) */
  | 'other';

/** The role of a file of a large set from its name; null when the name says nothing. */
export function largeRoleByName(name: string): LargeRole | null {
  const lower = name.toLowerCase();
  const known: Record<string, LargeRole> = {
    'ratings.csv': 'ratings-csv',
    'movies.csv': 'movies-csv',
    'tags.csv': 'tags-csv',
    'ratings.dat': 'ratings-dat',
    'movies.dat': 'movies-dat',
    'tags.dat': 'tags-dat',
  };
  if (known[lower]) return known[lower];
  if (/^(links\.csv|genome-(scores|tags)\.csv|readme.*|.*\.(sh|pl|html|pdf|md))$/.test(lower))
    return 'ignored';
  return null;
}

/** The role of a file from its first bytes (headers of the CSV files; '::' ratings, ML-10M when half stars follow). */
export function sniffLargeRole(head: Uint8Array): LargeRole {
  const text = decodeLatin1(head.subarray(0, 512));
  const first = (text.split('\n')[0] ?? '').replace(/^\ufeff|^ï»¿/, '').replace(/\r$/, '');
  if (first === 'userId,movieId,rating,timestamp') return 'ratings-csv';
  if (first === 'movieId,title,genres') return 'movies-csv';
  if (first === 'userId,movieId,tag,timestamp') return 'tags-csv';
  if (/^\d+::\d+::\d(\.\d)?::\d+$/.test(first)) return 'ratings-dat';
  return 'other';
}

/** True when a set of paths is a large MovieLens set: CSV names, tags.dat, or a GroupLens ml-10m folder. */
export function isLargeSet(paths: readonly string[]): 'ml-10m' | 'ml-25m' | null {
  const names = paths.map((p) => (p.split(/[\\/]/).pop() ?? p).toLowerCase());
  if (names.includes('ratings.csv') || names.includes('movies.csv')) return 'ml-25m';
  if (names.includes('users.dat') || names.includes('u.data')) return null;
  if (names.includes('tags.dat') || paths.some((p) => /ml-10m/i.test(p) && /ratings\.dat$/i.test(p)))
    return 'ml-10m';
  return null;
}

/**
 * Splits one CSV line (RFC 4180: fields in double quotes may hold commas, a doubled quote is a quote);
 * returns the fields, or a string saying what is wrong.
 */
export function splitCsvLine(line: string): string[] | string {
  const out: string[] = [];
  let i = 0;
  for (;;) {
    if (line[i] === '"') {
      let value = '';
      i++;
      for (;;) {
        const close = line.indexOf('"', i);
        if (close < 0) return 'an unclosed quote';
        value += line.slice(i, close);
        if (line[close + 1] === '"') {
          value += '"';
          i = close + 2;
          continue;
        }
        i = close + 1;
        break;
      }
      out.push(value);
      if (i === line.length) return out;
      if (line[i] !== ',') return `text after a closing quote (at character ${i + 1})`;
      i++;
    } else {
      const comma = line.indexOf(',', i);
      const end = comma < 0 ? line.length : comma;
      const value = line.slice(i, end);
      if (value.includes('"')) return `a quote inside an unquoted field (${value})`;
      out.push(value);
      if (comma < 0) return out;
      i = comma + 1;
    }
  }
}

/** movies.csv (ML-20M/25M, UTF-8): movieId,title,genres; "(no genres listed)" is no genre. */
export function parseMoviesCsv(bytes: Uint8Array, file: string): RawItems {
  const items = emptyItems();
  const unique = uniqueIds(file, 'movie id');
  const expected = '3 comma-separated fields (movieId,title,genres; titles with commas in double quotes)';
  eachTextLine(bytes, 'utf8', (line, k) => {
    if (k === 0) {
      if (line.replace(/^\ufeff/, '') !== 'movieId,title,genres')
        throw DataError.parse(file, 1, 'the header movieId,title,genres', line);
      return;
    }
    if (line.trim() === '') return;
    const fields = splitCsvLine(line);
    if (typeof fields === 'string') throw DataError.parse(file, k + 1, expected, `${line} (${fields})`);
    if (fields.length !== 3) throw DataError.parse(file, k + 1, expected, line);
    const id = Number(fields[0]);
    if (!Number.isInteger(id) || id < 1 || fields[0] === '')
      throw DataError.parse(file, k + 1, 'a positive integer movie id', fields[0]!);
    unique(id, k + 1);
    const title = fields[1]!.trim();
    items.ids.push(id);
    items.titles.push(title);
    items.years.push(yearFromTitle(title));
    const genres = fields[2]!.trim();
    items.genres.push(genres === '' || genres === '(no genres listed)' ? [] : genres.split('|'));
  });
  return items;
}

/**
 * tags.dat (userId::movieId::tag::timestamp) or tags.csv (header userId,movieId,tag,timestamp, quoted
 * tags): every line is checked; the count of tags is returned (tags are not features yet).
 */
export function countTags(bytes: Uint8Array, file: string, csv: boolean): number {
  let count = 0;
  const expected = csv
    ? '4 comma-separated fields (userId,movieId,tag,timestamp; tags with commas in double quotes)'
    : '4 "::"-separated fields (userId::movieId::tag::timestamp)';
  eachTextLine(bytes, 'utf8', (line, k) => {
    if (csv && k === 0) {
      if (line.replace(/^\ufeff/, '') !== 'userId,movieId,tag,timestamp')
        throw DataError.parse(file, 1, 'the header userId,movieId,tag,timestamp', line);
      return;
    }
    if (line.trim() === '') return;
    let fields: string[] | string = csv ? splitCsvLine(line) : line.split('::');
    // a tag may itself hold "::" in tags.dat: the first two and the last field are fixed
    if (!csv && Array.isArray(fields) && fields.length > 4)
      fields = [fields[0]!, fields[1]!, fields.slice(2, -1).join('::'), fields[fields.length - 1]!];
    if (typeof fields === 'string') throw DataError.parse(file, k + 1, expected, `${line} (${fields})`);
    if (fields.length !== 4) throw DataError.parse(file, k + 1, expected, line);
    for (const [index, what] of [
      [0, 'an integer user id'],
      [1, 'an integer movie id'],
      [3, 'a numeric timestamp'],
    ] as const)
      if (fields[index]!.trim() === '' || !Number.isFinite(Number(fields[index])))
        throw DataError.parse(file, k + 1, what, fields[index]!);
    count++;
  });
  return count;
}
