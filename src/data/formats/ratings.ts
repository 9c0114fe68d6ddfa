/**
 * The ratings parser shared by every format: user, item, rating, timestamp per line, parsed from bytes
 * in place (the hot path: >100 MB/s). Raw ids are kept as written; datasets map them to indices.
 *
 * Errors name the file, the line and what was expected:
 *   "Expected rating in 1..5 at u.data line 17, got 7"
 * Blank lines are the only lines skipped here (safe: they hold nothing); they are counted, and the
 * count goes into the dataset's notes. Any other bad line stops the load: a silently dropped rating
 * would change every split and metric downstream.
 */
import { DataError } from '../errors';
import { yieldToEventLoop } from '../../lib/yield';
import { FieldReader, forEachLine, grow, sliceText } from '../text';

export interface RawRatings {
  readonly count: number;
  readonly user: Int32Array;
  readonly item: Int32Array;
  readonly value: Float32Array;
  readonly time: Float64Array;
  /** 1-based line of each rating in its file (messages about pairs of lines, e.g. duplicates). */
  readonly line: Int32Array;
  /** Blank lines skipped. */
  readonly blankLines: number;
}

export interface RatingsFormat {
  /** 'tab' for u.data and RecBole, 'double-colon' for ml-1m's and ml-10m's '::', 'comma' for ml-20m/25m. */
  readonly separator: 'tab' | 'double-colon' | 'comma';
  /** Column of each field (0-based); timestamp -1 = none (row order is used as time). */
  readonly columns: {
    readonly user: number;
    readonly item: number;
    readonly rating: number;
    readonly time: number;
  };
  /** Total columns expected on every line. */
  readonly fields: number;
  /** Integer ratings in 1..5 (MovieLens) or any finite number (RecBole rating:float). */
  readonly integerRatings: boolean;
  /** Half stars 0.5..5 (ML-10M, ML-20M, ML-25M); integerRatings is false then. */
  readonly halfStars?: boolean;
  /** Lines to skip at the top (RecBole's header). */
  readonly headerLines: number;
  /** The exact first line, when the format fixes it (ML-20M/25M's ratings.csv). */
  readonly header?: string;
  /** How the fields are described in messages, e.g. "4 tab-separated fields (user, item, rating, timestamp)". */
  readonly description: string;
}

/**
 * Timestamps are Unix seconds; 0..MAX_TIME (2100-01-01) is the plausible range. Milliseconds (13
 * digits) are the usual mistake: they would sort fine but put every rating after T80's cut-off.
 */
export const MAX_TIME = 4102444800;

export const ML100K_RATINGS: RatingsFormat = {
  separator: 'tab',
  columns: { user: 0, item: 1, rating: 2, time: 3 },
  fields: 4,
  integerRatings: true,
  headerLines: 0,
  description: '4 tab-separated fields (user, item, rating, timestamp)',
};

export const ML1M_RATINGS: RatingsFormat = {
  separator: 'double-colon',
  columns: { user: 0, item: 1, rating: 2, time: 3 },
  fields: 4,
  integerRatings: true,
  headerLines: 0,
  description: '4 "::"-separated fields (user::item::rating::timestamp)',
};

/** ML-10M's ratings.dat: '::' like ML-1M, but half stars 0.5..5. */
export const ML10M_RATINGS: RatingsFormat = {
  ...ML1M_RATINGS,
  integerRatings: false,
  halfStars: true,
};

/** ML-20M's and ML-25M's ratings.csv: header userId,movieId,rating,timestamp; half stars 0.5..5. */
export const ML25M_RATINGS: RatingsFormat = {
  separator: 'comma',
  columns: { user: 0, item: 1, rating: 2, time: 3 },
  fields: 4,
  integerRatings: false,
  halfStars: true,
  headerLines: 1,
  header: 'userId,movieId,rating,timestamp',
  description: '4 comma-separated fields (userId,movieId,rating,timestamp)',
};

/**
 * A ratings parser fed line-aligned byte ranges (of one whole file, or of the chunks of a stream);
 * `estimate` pre-sizes the columns (they grow by doubling past it); result() gives what was parsed.
 */
export function ratingsParser(file: string, format: RatingsFormat, estimate: number) {
  let bytes: Uint8Array = new Uint8Array(0);
  estimate = Math.max(16, Math.ceil(estimate));
  let user = new Int32Array(estimate);
  let item = new Int32Array(estimate);
  let value = new Float32Array(estimate);
  let time = new Float64Array(estimate);
  let lines = new Int32Array(estimate);
  let count = 0;
  let blankLines = 0;
  const tab = format.separator === 'tab';
  const double = format.separator === 'double-colon';
  const reader = new FieldReader(tab ? 9 : double ? 58 : 44, double);
  const cols = format.columns;
  // role of each column: 0 user, 1 item, 2 rating, 3 time, -1 ignored
  const roles = Array.from({ length: format.fields }, (_, c) =>
    [cols.user, cols.item, cols.rating, cols.time].indexOf(c),
  );
  // On the error path only: a line with a field missing ("1::2::978302109") would otherwise be blamed
  // on whichever value landed in the wrong column; the field count is the better sentence then.
  const separator = tab ? '\t' : double ? '::' : ',';
  const valueError = (expected: string, line: number, start: number, end: number) =>
    sliceText(bytes, start, end).split(separator).length !== format.fields
      ? fieldError(bytes, start, end, file, line, format)
      : DataError.parse(file, line, expected, reader.fieldText());
  const onLine = (start: number, end: number, line: number) => {
    if (line <= format.headerLines) {
      const text = format.header === undefined ? '' : sliceText(bytes, start, end).replace(/^\ufeff/, '');
      if (format.header !== undefined && line === 1 && text !== format.header)
        throw DataError.parse(file, 1, `the header ${format.header}`, text);
      return;
    }
    if (end === start || isBlank(bytes, start, end)) {
      blankLines++;
      return;
    }
    if (count === user.length) {
      user = grow(user, count + 1);
      item = grow(item, count + 1);
      value = grow(value, count + 1);
      time = grow(time, count + 1);
      lines = grow(lines, count + 1);
    }
    reader.reset(bytes, start, end);
    let u = NaN;
    let i = NaN;
    let r = NaN;
    let t = NaN;
    for (let c = 0; c < format.fields; c++) {
      const role = roles[c]!;
      if (role === -1) {
        if (!reader.skip()) throw fieldError(bytes, start, end, file, line, format);
        continue;
      }
      if (reader.done) throw fieldError(bytes, start, end, file, line, format);
      if (role === 2) {
        r = format.integerRatings ? reader.nextInt() : reader.nextNumber();
        // MovieLens ratings are whole stars: "4.5", "five" and 7 all get the same sentence
        if (format.integerRatings && !(r >= 1 && r <= 5))
          throw valueError('rating in 1..5', line, start, end);
        if (format.halfStars && !(r >= 0.5 && r <= 5 && Number.isInteger(r * 2)))
          throw valueError('rating in 0.5..5 in half stars', line, start, end);
        if (Number.isNaN(r)) throw valueError('a numeric rating', line, start, end);
        if (!Number.isFinite(r)) throw valueError('a finite rating', line, start, end);
        continue;
      }
      const v = role === 3 ? reader.nextNumber() : reader.nextInt();
      if (Number.isNaN(v)) {
        const what = ['an integer user id', 'an integer item id', '', 'a numeric timestamp'][role]!;
        throw valueError(what, line, start, end);
      }
      // MovieLens and RecBole ids start at 1: "-5" or "0" is a broken export, not a new user
      if (role < 2 && v < 1)
        throw valueError(`a positive integer ${role ? 'item' : 'user'} id`, line, start, end);
      if (role === 3 && !(v >= 0 && v <= MAX_TIME))
        throw valueError(
          `a Unix time in seconds (0..${MAX_TIME}${v > MAX_TIME * 100 ? '; milliseconds?' : ''})`,
          line,
          start,
          end,
        );
      if (role === 0) u = v;
      else if (role === 1) i = v;
      else t = v;
    }
    if (!reader.done) throw fieldError(bytes, start, end, file, line, format);
    user[count] = u;
    item[count] = i;
    value[count] = r;
    time[count] = cols.time < 0 ? count : t;
    lines[count] = line;
    count++;
  };
  return {
    /** Parses bytes[from, to) (to on a line boundary), lines numbered from firstLine; returns the next number. */
    parse: (source: Uint8Array, from: number, to: number, firstLine: number) => {
      bytes = source;
      return forEachLine(source, onLine, from, to, firstLine);
    },
    result: (): RawRatings => ({
      count,
      user: user.subarray(0, count),
      item: item.subarray(0, count),
      value: value.subarray(0, count),
      time: time.subarray(0, count),
      line: lines.subarray(0, count),
      blankLines,
    }),
  };
}

/** True when bytes[start, end) are only spaces, tabs and CRs. */
function isBlank(bytes: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const b = bytes[i];
    if (b !== 32 && b !== 9 && b !== 13) return false;
  }
  return true;
}

/** The end of the chunk starting at `from`: the first line boundary at or after from + size. */
function chunkEnd(bytes: Uint8Array, from: number, size: number): number {
  if (from + size >= bytes.length) return bytes.length;
  const newline = bytes.indexOf(10, from + size);
  return newline < 0 ? bytes.length : newline + 1;
}

const CHUNK = 4 << 20;

/** Parses a ratings file in one go. */
export function parseRatings(bytes: Uint8Array, file: string, format: RatingsFormat): RawRatings {
  const parser = ratingsParser(file, format, bytes.length / 16);
  parser.parse(bytes, 0, bytes.length, 1);
  return parser.result();
}

/**
 * Parses a ratings file in 4 MB line-aligned chunks, reporting progress (0..1) and yielding to the
 * event loop between chunks, so a worker parsing a large file still answers messages.
 */
export async function parseRatingsChunked(
  bytes: Uint8Array,
  file: string,
  format: RatingsFormat,
  onProgress?: (fraction: number) => void,
): Promise<RawRatings> {
  const parser = ratingsParser(file, format, bytes.length / 16);
  let line = 1;
  for (let from = 0; from < bytes.length;) {
    const to = chunkEnd(bytes, from, CHUNK);
    line = parser.parse(bytes, from, to, line);
    from = to;
    onProgress?.(from / bytes.length);
    if (from < bytes.length) await yieldToEventLoop();
  }
  return parser.result();
}

function fieldError(
  bytes: Uint8Array,
  start: number,
  end: number,
  file: string,
  line: number,
  format: RatingsFormat,
) {
  return DataError.parse(file, line, format.description, sliceText(bytes, start, end));
}
