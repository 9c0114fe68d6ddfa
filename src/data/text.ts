/**
 * Byte-level text helpers. Ratings files are parsed straight from bytes (no string per line, no split,
 * no regex): the line scanner hands out [start, end) byte ranges and the field readers parse integers
 * and decimals in place. Other files are streamed line by line from their bytes (eachTextLine; latin-1
 * for GroupLens u.item / movies.dat, UTF-8 elsewhere).
 */
import { DataError } from './errors';

const LF = 10;
const CR = 13;

/**
 * Throws a clear error when the bytes are not text this app reads (UTF-8, ASCII or latin-1): a UTF-16
 * or UTF-32 byte-order mark, or a NUL byte in the first 4 KB (UTF-16 without a mark has one every
 * other byte; a binary file soon has one). UTF-16 is named, since re-saving as UTF-8 fixes it.
 */
export function assertText(bytes: Uint8Array, file: string): void {
  const [a, b, c, d] = [bytes[0], bytes[1], bytes[2], bytes[3]];
  const encoding =
    a === 0xff && b === 0xfe && c === 0 && d === 0
      ? 'UTF-32 (little-endian byte-order mark)'
      : a === 0 && b === 0 && c === 0xfe && d === 0xff
        ? 'UTF-32 (big-endian byte-order mark)'
        : a === 0xff && b === 0xfe
          ? 'UTF-16 (little-endian byte-order mark)'
          : a === 0xfe && b === 0xff
            ? 'UTF-16 (big-endian byte-order mark)'
            : null;
  if (encoding)
    throw DataError.parse(file, 0, 'UTF-8 or latin-1 text', `${encoding}; save the file as UTF-8`);
  const n = Math.min(bytes.length, 4096);
  for (let i = 0; i < n; i++) {
    if (bytes[i] !== 0) continue;
    // ASCII as UTF-16 without a mark: every other byte is NUL
    const utf16 = n >= 4 && (bytes[1] === 0 || bytes[0] === 0) && (bytes[3] === 0 || bytes[2] === 0);
    throw DataError.parse(
      file,
      0,
      utf16 ? 'UTF-8 or latin-1 text' : 'a text file',
      utf16
        ? 'what looks like UTF-16 text without a byte-order mark; save the file as UTF-8'
        : 'binary data (a NUL byte near the start)',
    );
  }
}

/** Decodes bytes as ISO-8859-1 (each byte one character; GroupLens u.item and movies.dat). */
export function decodeLatin1(bytes: Uint8Array): string {
  let out = '';
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) {
    out += String.fromCharCode.apply(null, Array.from(bytes.subarray(i, i + chunk)));
  }
  return out;
}

/** Decodes UTF-8 (a leading byte-order mark is dropped). */
export function decodeUtf8(bytes: Uint8Array): string {
  return new TextDecoder('utf-8').decode(bytes);
}

/**
 * Calls onLine(start, end, lineNumber) for every line of bytes[from, to) (LF or CRLF; the CR is
 * excluded), numbering from firstLine; returns the next line number. A final line without a newline
 * counts; a trailing newline does not create an empty last line. `to` must be a line boundary. A
 * UTF-8 byte-order mark at byte 0 is skipped.
 */
export function forEachLine(
  bytes: Uint8Array,
  onLine: (start: number, end: number, line: number) => void,
  from = 0,
  to = bytes.length,
  firstLine = 1,
): number {
  // A UTF-8 byte-order mark (Windows editors write one) is not part of the first line's first field.
  let start = from === 0 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : from;
  let line = firstLine;
  const n = to;
  while (start < n) {
    let end = bytes.indexOf(LF, start);
    if (end < 0 || end > n) end = n;
    const stop = end > start && bytes[end - 1] === CR ? end - 1 : end;
    onLine(start, stop, line);
    start = end + 1;
    line++;
  }
  return line;
}

/**
 * Streams the lines of a text file straight from its bytes: onLine(text, index) for each line (index
 * from 0; LF or CRLF, no trailing empty line), each line decoded on its own, so no whole-file string
 * or line array is ever built (the same lines textLines(decode(bytes)) would give).
 */
export function eachTextLine(
  bytes: Uint8Array,
  encoding: 'latin1' | 'utf8',
  onLine: (line: string, index: number) => void,
): void {
  const utf8 = encoding === 'utf8' ? new TextDecoder('utf-8') : null;
  forEachLine(bytes, (start, end, line) => {
    const view = bytes.subarray(start, end);
    onLine(utf8 ? utf8.decode(view) : decodeLatin1(view), line - 1);
  });
}

/** Lines of a decoded text (LF or CRLF), without a trailing empty line. */
export function textLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (l.endsWith('\r')) lines[i] = l.slice(0, -1);
  }
  return lines;
}

/** The text of bytes [start, end) as latin-1 (for error messages). */
export function sliceText(bytes: Uint8Array, start: number, end: number): string {
  return decodeLatin1(bytes.subarray(start, Math.min(end, start + 200)));
}

/**
 * A cursor over one line's fields. Separators: a single byte (tab, '|', ',') or the two-byte '::'.
 * next*() read the next field; NaN signals a malformed number (the caller reports the line).
 */
export class FieldReader {
  private pos = 0;
  private end = 0;
  private bytes: Uint8Array = new Uint8Array(0);
  /** Field start and end of the last field read (for messages). */
  fieldStart = 0;
  fieldEnd = 0;

  constructor(
    private readonly separator: number,
    private readonly double: boolean,
  ) {}

  reset(bytes: Uint8Array, start: number, end: number): void {
    this.bytes = bytes;
    this.pos = start;
    this.end = end;
  }

  /** True when the whole line has been read. */
  get done(): boolean {
    return this.pos > this.end;
  }

  private advance(): void {
    const { bytes, separator, end } = this;
    let i = this.pos;
    if (this.double) {
      while (i < end && !(bytes[i] === separator && bytes[i + 1] === separator)) i++;
    } else {
      while (i < end && bytes[i] !== separator) i++;
    }
    this.fieldStart = this.pos;
    this.fieldEnd = i;
    this.pos = i + (this.double ? 2 : 1);
  }

  /** Skips one field; returns false when the line has no more fields. */
  skip(): boolean {
    if (this.done) return false;
    this.advance();
    return true;
  }

  /** The next field as a 32-bit integer (optional leading '-'); NaN when it is not one or is missing. */
  nextInt(): number {
    if (this.done) return NaN;
    this.advance();
    const { bytes } = this;
    let i = this.fieldStart;
    const end = this.fieldEnd;
    while (i < end && bytes[i] === 32) i++;
    let sign = 1;
    if (bytes[i] === 45) {
      sign = -1;
      i++;
    }
    if (i >= end) return NaN;
    let v = 0;
    for (; i < end; i++) {
      const d = bytes[i]! - 48;
      if (d < 0 || d > 9) break;
      v = v * 10 + d;
    }
    // only trailing blanks may follow the digits: "1 2" or "4.0" is not an integer
    for (; i < end; i++) if (bytes[i] !== 32 && bytes[i] !== CR) return NaN;
    // ids live in Int32Arrays: a larger value would wrap silently
    if (v > 0x7fffffff) return NaN;
    return sign * v;
  }

  /** The next field as a decimal number (digits, one '.', optional sign/exponent); NaN otherwise. */
  nextNumber(): number {
    if (this.done) return NaN;
    this.advance();
    const { bytes } = this;
    let i = this.fieldStart;
    let end = this.fieldEnd;
    while (i < end && bytes[i] === 32) i++;
    while (end > i && bytes[end - 1] === 32) end--;
    let sign = 1;
    if (bytes[i] === 45 || bytes[i] === 43) {
      if (bytes[i] === 45) sign = -1;
      i++;
    }
    let v = 0;
    let digits = 0;
    for (; i < end; i++, digits++) {
      const d = bytes[i]! - 48;
      if (d < 0 || d > 9) break;
      v = v * 10 + d;
    }
    if (i < end && bytes[i] === 46) {
      let scale = 0.1;
      for (i++; i < end; i++, digits++, scale /= 10) {
        const d = bytes[i]! - 48;
        if (d < 0 || d > 9) break;
        v += d * scale;
      }
    }
    if (digits === 0) return NaN;
    if (i < end) {
      // exponent or junk: let the platform decide on the whole text
      const text = decodeLatin1(bytes.subarray(this.fieldStart, this.fieldEnd)).trim();
      return /^[-+]?(\d+\.?\d*|\.\d+)[eE][-+]?\d+$/.test(text) ? Number(text) : NaN;
    }
    return sign * v;
  }

  /** The last field's text (latin-1), for messages. */
  fieldText(): string {
    return decodeLatin1(this.bytes.subarray(this.fieldStart, this.fieldEnd));
  }
}

/** Grows a typed array to at least `min` elements (doubling). */
export function grow<T extends Int32Array | Float32Array | Float64Array>(array: T, min: number): T {
  if (array.length >= min) return array;
  const next = new (array.constructor as new (n: number) => T)(Math.max(min, array.length * 2));
  next.set(array);
  return next;
}
