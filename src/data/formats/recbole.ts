/**
 * RecBole atomic files: tab-separated with a typed header (`user_id:token  age:token  ...`); token_seq
 * values are space-separated. Known fields map onto the Dataset (user_id, item_id, rating, timestamp;
 * age, gender, occupation, zip_code; movie_title, release_year, class/genre); others are ignored with a
 * note.
 */
import { ageGroupOf } from '../dataset';
import { DataError } from '../errors';
import { decodeUtf8, textLines } from '../text';
import { emptyItems, emptyUsers, uniqueIds, type RawItems, type RawUsers } from './raw';
import type { RatingsFormat } from './ratings';

export interface RecboleHeader {
  readonly names: string[];
  readonly types: string[];
}

/** Parses the first line `name:type<TAB>...`. */
export function parseRecboleHeader(line: string, file: string): RecboleHeader {
  const names: string[] = [];
  const types: string[] = [];
  for (const column of line.split('\t')) {
    const m = /^([^:]+):(token|token_seq|float|float_seq)$/.exec(column.trim());
    if (!m)
      throw DataError.parse(
        file,
        1,
        'a RecBole header of name:type columns (token, token_seq, float, float_seq)',
        column,
      );
    names.push(m[1]!);
    types.push(m[2]!);
  }
  return { names, types };
}

/** The ratings format of a .inter file from its header (error when it has no rating column). */
export function recboleRatingsFormat(header: RecboleHeader, file: string): RatingsFormat {
  const col = (name: string) => header.names.indexOf(name);
  const user = col('user_id');
  const item = col('item_id');
  const rating = col('rating');
  if (user < 0 || item < 0)
    throw DataError.parse(file, 1, 'user_id and item_id columns', header.names.join(', '));
  if (rating < 0) {
    throw DataError.parse(
      file,
      1,
      'a rating column (this looks like implicit feedback; MetaRec Lab needs explicit ratings)',
      header.names.join(', '),
    );
  }
  return {
    separator: 'tab',
    columns: { user, item, rating, time: col('timestamp') },
    fields: header.names.length,
    integerRatings: false,
    headerLines: 1,
    description: `${header.names.length} tab-separated fields (${header.names.join(', ')})`,
  };
}

function rows(
  bytes: Uint8Array,
  file: string,
): { header: RecboleHeader; lines: { line: number; fields: string[] }[] } {
  const lines = textLines(decodeUtf8(bytes));
  if (lines.length === 0) throw DataError.parse(file, 1, 'a RecBole header line', 'an empty file');
  const header = parseRecboleHeader(lines[0]!, file);
  const out: { line: number; fields: string[] }[] = [];
  for (let k = 1; k < lines.length; k++) {
    const line = lines[k]!;
    if (line.trim() === '') continue;
    const fields = line.split('\t');
    if (fields.length !== header.names.length) {
      throw DataError.parse(
        file,
        k + 1,
        `${header.names.length} tab-separated fields (${header.names.join(', ')})`,
        line,
      );
    }
    out.push({ line: k + 1, fields });
  }
  return { header, lines: out };
}

/** A .user file -> raw users; returns the ignored columns too. */
export function parseRecboleUsers(bytes: Uint8Array, file: string): { users: RawUsers; ignored: string[] } {
  const { header, lines } = rows(bytes, file);
  const at = (name: string) => header.names.indexOf(name);
  const [id, age, gender, occupation, zip] = ['user_id', 'age', 'gender', 'occupation', 'zip_code'].map(at);
  if (id! < 0) throw DataError.parse(file, 1, 'a user_id column', header.names.join(', '));
  const users = emptyUsers();
  const unique = uniqueIds(file, 'user_id');
  for (const { line, fields } of lines) {
    const raw = Number(fields[id!]);
    if (!Number.isInteger(raw)) throw DataError.parse(file, line, 'an integer user_id', fields[id!]!);
    unique(raw, line);
    users.ids.push(raw);
    const a = age! >= 0 ? Number(fields[age!]) : NaN;
    users.age.push(Number.isFinite(a) ? ageGroupOf(a) : '');
    users.gender.push(gender! >= 0 ? fields[gender!]! : '');
    users.occupation.push(occupation! >= 0 ? fields[occupation!]! : '');
    users.zip.push(zip! >= 0 ? fields[zip!]!.trim() : '');
  }
  const known = new Set(['user_id', 'age', 'gender', 'occupation', 'zip_code']);
  return { users, ignored: header.names.filter((n) => !known.has(n)) };
}

/** A .item file -> raw items; returns the ignored columns too. */
export function parseRecboleItems(bytes: Uint8Array, file: string): { items: RawItems; ignored: string[] } {
  const { header, lines } = rows(bytes, file);
  const at = (name: string) => header.names.indexOf(name);
  const id = at('item_id');
  const title = at('movie_title');
  const year = at('release_year');
  const genre = at('class') >= 0 ? at('class') : at('genre');
  if (id < 0) throw DataError.parse(file, 1, 'an item_id column', header.names.join(', '));
  const items = emptyItems();
  const unique = uniqueIds(file, 'item_id');
  for (const { line, fields } of lines) {
    const raw = Number(fields[id]);
    if (!Number.isInteger(raw)) throw DataError.parse(file, line, 'an integer item_id', fields[id]!);
    unique(raw, line);
    items.ids.push(raw);
    items.titles.push(title >= 0 ? fields[title]! : `item ${raw}`);
    const y = year >= 0 ? Number(fields[year]) : 0;
    items.years.push(Number.isInteger(y) ? y : 0);
    items.genres.push(genre >= 0 ? fields[genre]!.split(' ').filter((g) => g !== '') : []);
  }
  const known = new Set(['item_id', 'movie_title', 'release_year', 'class', 'genre']);
  return { items, ignored: header.names.filter((n) => !known.has(n)) };
}
