/**
 * Raw tables as parsed from the files (raw ids, strings), before assembly into a Dataset. Small (one
 * entry per user or item), so plain arrays are fine here; ratings stay typed arrays (ratings.ts).
 */
import { DataError } from '../errors';

export interface RawUsers {
  readonly ids: number[];
  readonly gender: string[];
  /** Age group label (ML-1M groups: "1", "18", ...). */
  readonly age: string[];
  readonly occupation: string[];
  readonly zip: string[];
}

export interface RawItems {
  readonly ids: number[];
  readonly titles: string[];
  readonly years: number[];
  readonly genres: string[][];
  readonly rate?: string[];
  readonly directors?: string[][];
  readonly actors?: string[][];
  /** MeLU's OMDb genres (movies_extrainfos.dat), beside the item file's own genres. */
  readonly extraGenres?: string[][];
  /** MeLU's OMDb plots (movies_extrainfos.dat; '' when none): MML's item text only. */
  readonly plots?: string[];
}

export function emptyUsers(): RawUsers {
  return { ids: [], gender: [], age: [], occupation: [], zip: [] };
}

export function emptyItems(): RawItems {
  return { ids: [], titles: [], years: [], genres: [] };
}

/** The release year at the end of a title, "Toy Story (1995)" -> 1995, or 0. */
export function yearFromTitle(title: string): number {
  const m = /\((\d{4})\)\s*$/.exec(title);
  return m ? Number(m[1]) : 0;
}

/**
 * A duplicate-id check for profile and item files, which know their line numbers (assembly does not):
 * a second row for the same id would silently replace the first one's features, so it is an error
 * naming both lines.
 */
export function uniqueIds(file: string, what: string): (id: number, line: number) => void {
  const firstLine = new Map<number, number>();
  return (id, line) => {
    const first = firstLine.get(id);
    if (first !== undefined)
      throw DataError.parse(file, line, `a ${what} not already used (line ${first} has it)`, String(id));
    firstLine.set(id, line);
  };
}
