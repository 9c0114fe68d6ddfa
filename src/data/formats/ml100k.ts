/**
 * MovieLens 100K (GroupLens layout): u.item (latin-1, 24 '|' fields: id | title | release date | video
 * release date | IMDb URL | 19 genre flags), u.user (id | age | gender | occupation | zip), u.genre
 * (name | index). u.data goes through ratings.ts (ML100K_RATINGS).
 */
import { ageGroupOf } from '../dataset';
import { DataError } from '../errors';
import { eachTextLine } from '../text';
import { emptyItems, emptyUsers, uniqueIds, yearFromTitle, type RawItems, type RawUsers } from './raw';

/** The 19 genres of u.genre, in flag order. */
export const ML100K_GENRES = [
  'unknown',
  'Action',
  'Adventure',
  'Animation',
  "Children's",
  'Comedy',
  'Crime',
  'Documentary',
  'Drama',
  'Fantasy',
  'Film-Noir',
  'Horror',
  'Musical',
  'Mystery',
  'Romance',
  'Sci-Fi',
  'Thriller',
  'War',
  'Western',
] as const;

/** u.genre lines "name|index" -> names by index. */
export function parseGenreList(bytes: Uint8Array, file: string): string[] {
  const names: string[] = [];
  eachTextLine(bytes, 'latin1', (line, k) => {
    if (line.trim() === '') return;
    const [name, index] = line.split('|');
    const i = Number(index);
    if (name === undefined || !Number.isInteger(i) || i < 0)
      throw DataError.parse(file, k + 1, '"name|index"', line);
    names[i] = name;
  });
  return names;
}

/** Year of a GroupLens release date "01-Jan-1995", or 0. */
function yearFromDate(date: string): number {
  const m = /(\d{4})\s*$/.exec(date);
  return m ? Number(m[1]) : 0;
}

/** u.item -> raw items (genre flags become genre names). */
export function parseMl100kItems(
  bytes: Uint8Array,
  file: string,
  genres: readonly string[] = ML100K_GENRES,
): RawItems {
  const items = emptyItems();
  const unique = uniqueIds(file, 'movie id');
  eachTextLine(bytes, 'latin1', (line, k) => {
    if (line.trim() === '') return;
    const f = line.split('|');
    const lineNo = k + 1;
    if (f.length !== 5 + genres.length) {
      throw DataError.parse(
        file,
        lineNo,
        `${5 + genres.length} '|'-separated fields (id|title|date|video date|URL|${genres.length} genre flags)`,
        line,
      );
    }
    const id = Number(f[0]);
    if (!Number.isInteger(id)) throw DataError.parse(file, lineNo, 'an integer movie id', f[0]!);
    unique(id, lineNo);
    const names: string[] = [];
    for (let g = 0; g < genres.length; g++) {
      const flag = f[5 + g]!;
      if (flag !== '0' && flag !== '1')
        throw DataError.parse(file, lineNo, `genre flag 0 or 1 in field ${6 + g}`, flag);
      if (flag === '1') names.push(genres[g]!);
    }
    const title = f[1]!;
    items.ids.push(id);
    items.titles.push(title);
    items.years.push(yearFromDate(f[2]!) || yearFromTitle(title));
    items.genres.push(names);
  });
  return items;
}

/** u.user -> raw users (ages bucketed into the ML-1M groups). */
export function parseMl100kUsers(bytes: Uint8Array, file: string): RawUsers {
  const users = emptyUsers();
  const unique = uniqueIds(file, 'user id');
  eachTextLine(bytes, 'latin1', (line, k) => {
    if (line.trim() === '') return;
    const f = line.split('|');
    const lineNo = k + 1;
    if (f.length !== 5)
      throw DataError.parse(file, lineNo, "5 '|'-separated fields (id|age|gender|occupation|zip)", line);
    const id = Number(f[0]);
    const age = Number(f[1]);
    if (!Number.isInteger(id)) throw DataError.parse(file, lineNo, 'an integer user id', f[0]!);
    unique(id, lineNo);
    if (!Number.isInteger(age) || age < 0 || age > 150)
      throw DataError.parse(file, lineNo, 'an age in years', f[1]!);
    if (f[2] !== 'M' && f[2] !== 'F') throw DataError.parse(file, lineNo, 'gender M or F', f[2]!);
    users.ids.push(id);
    users.age.push(ageGroupOf(age));
    users.gender.push(f[2]);
    users.occupation.push(f[3]!);
    users.zip.push(f[4]!.trim());
  });
  return users;
}
