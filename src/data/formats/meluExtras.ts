/**
 * MeLU's side information (movies_extrainfos.dat, from OMDb; UTF-8, CRLF), 11 '::' fields:
 * id :: title :: year :: rate :: released :: genres :: directors :: writers :: actors :: plot :: poster.
 * Lists are ", "-separated; director names are cleaned as MeLU does (text in parentheses removed).
 * "N/A", "nan" and empty values mean "none".
 */
import { DataError } from '../errors';
import { eachTextLine } from '../text';
import { uniqueIds, type RawItems } from './raw';

export interface ExtraInfo {
  readonly title: string;
  readonly year: number;
  readonly rate: string;
  readonly genres: string[];
  readonly directors: string[];
  readonly actors: string[];
  readonly plot: string;
}

const NONE = new Set(['', 'N/A', 'nan', 'NaN']);

function list(text: string, clean = false): string[] {
  return text
    .split(',')
    .map((s) => (clean ? s.replace(/\([^()]*\)/g, '') : s).trim())
    .filter((s) => !NONE.has(s));
}

/** movies_extrainfos.dat -> side information by raw movie id. */
export function parseMeluExtras(bytes: Uint8Array, file: string): Map<number, ExtraInfo> {
  const out = new Map<number, ExtraInfo>();
  const unique = uniqueIds(file, 'movie id');
  eachTextLine(bytes, 'utf8', (line, k) => {
    if (line.trim() === '') return;
    const f = line.split('::');
    // 11 fields on every line of MeLU's file; more only when a plot contains "::" (fields 0..8 are used)
    if (f.length < 11) {
      throw DataError.parse(
        file,
        k + 1,
        '11 "::"-separated fields (id::title::year::rate::released::genres::directors::writers::actors::plot::poster)',
        line,
      );
    }
    const id = Number(f[0]);
    if (!Number.isInteger(id)) throw DataError.parse(file, k + 1, 'an integer movie id', f[0]!);
    unique(id, k + 1);
    const year = Number(f[2]);
    out.set(id, {
      title: f[1]!,
      year: Number.isInteger(year) ? year : 0,
      rate: NONE.has(f[3]!.trim()) ? '' : f[3]!.trim(),
      genres: list(f[5]!),
      directors: list(f[6]!, true),
      actors: list(f[8]!),
      plot: NONE.has(f.slice(9, -1).join('::').trim()) ? '' : f.slice(9, -1).join('::').trim(),
    });
  });
  return out;
}

/**
 * Adds rate, directors and actors (and MeLU's year) to items; items without an entry keep unknown
 * values. With no items yet (no movies.dat), the items come from the extras alone. Returns a note.
 */
export function mergeExtras(
  items: RawItems | null,
  extras: Map<number, ExtraInfo>,
): { items: RawItems; note: string } {
  const base: RawItems = items ?? {
    ids: [...extras.keys()],
    titles: [...extras.values()].map((e) => e.title),
    years: [...extras.values()].map((e) => e.year),
    genres: [...extras.values()].map((e) => e.genres),
  };
  const rate: string[] = [];
  const directors: string[][] = [];
  const actors: string[][] = [];
  const extraGenres: string[][] = [];
  const plots: string[] = [];
  const years = [...base.years];
  let missing = 0;
  base.ids.forEach((id, k) => {
    const e = extras.get(id);
    if (!e) {
      missing++;
      rate.push('');
      directors.push([]);
      actors.push([]);
      extraGenres.push([]);
      plots.push('');
      return;
    }
    rate.push(e.rate);
    directors.push(e.directors);
    actors.push(e.actors);
    extraGenres.push(e.genres);
    plots.push(e.plot);
    if (e.year > 0) years[k] = e.year;
  });
  const note = missing
    ? `movies_extrainfos.dat: side information for ${base.ids.length - missing} of ${base.ids.length} items; ${missing} without an entry get unknown rate, directors and actors`
    : `movies_extrainfos.dat: side information for all ${base.ids.length} items (release year taken from it, as MeLU does)`;
  return { items: { ...base, years, rate, directors, actors, extraGenres, plots }, note };
}
