/**
 * MovieLens 1M (GroupLens layout, '::'-separated): movies.dat (latin-1: id::Title (Year)::Genre|Genre),
 * users.dat (id::gender::age group::occupation code::zip). ratings.dat goes through ratings.ts.
 */
import { AGE_GROUPS } from '../dataset';
import { DataError } from '../errors';
import { eachTextLine } from '../text';
import { emptyItems, emptyUsers, uniqueIds, yearFromTitle, type RawItems, type RawUsers } from './raw';

/** movies.dat -> raw items. */
export function parseMl1mMovies(
  bytes: Uint8Array,
  file: string,
  encoding: 'latin1' | 'utf8' = 'latin1',
): RawItems {
  const items = emptyItems();
  const unique = uniqueIds(file, 'movie id');
  eachTextLine(bytes, encoding, (line, k) => {
    if (line.trim() === '') return;
    const f = line.split('::');
    if (f.length !== 3)
      throw DataError.parse(file, k + 1, '3 "::"-separated fields (id::title::genres)', line);
    const id = Number(f[0]);
    if (!Number.isInteger(id)) throw DataError.parse(file, k + 1, 'an integer movie id', f[0]!);
    unique(id, k + 1);
    items.ids.push(id);
    items.titles.push(f[1]!);
    items.years.push(yearFromTitle(f[1]!));
    items.genres.push(f[2]!.trim() === '' ? [] : f[2]!.split('|'));
  });
  return items;
}

const AGE_LABELS = new Set(AGE_GROUPS.map(String));

/** users.dat -> raw users. */
export function parseMl1mUsers(bytes: Uint8Array, file: string): RawUsers {
  const users = emptyUsers();
  const unique = uniqueIds(file, 'user id');
  eachTextLine(bytes, 'latin1', (line, k) => {
    if (line.trim() === '') return;
    const f = line.split('::');
    const lineNo = k + 1;
    if (f.length !== 5)
      throw DataError.parse(file, lineNo, '5 "::"-separated fields (id::gender::age::occupation::zip)', line);
    const id = Number(f[0]);
    if (!Number.isInteger(id)) throw DataError.parse(file, lineNo, 'an integer user id', f[0]!);
    unique(id, lineNo);
    if (f[1] !== 'M' && f[1] !== 'F') throw DataError.parse(file, lineNo, 'gender M or F', f[1]!);
    if (!AGE_LABELS.has(f[2]!))
      throw DataError.parse(file, lineNo, `an age group (${[...AGE_LABELS].join(', ')})`, f[2]!);
    users.ids.push(id);
    users.gender.push(f[1]);
    users.age.push(f[2]!);
    users.occupation.push(f[3]!);
    users.zip.push(f[4]!.trim());
  });
  return users;
}
