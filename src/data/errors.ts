/**
 * Errors of the data layer. They carry a code (class identity does not survive postMessage) and, for
 * parse errors, the file, line and what was expected, so the UI can say exactly what is wrong:
 * "Expected rating in 1..5 at u.data line 17, got 7".
 */
export type DataErrorCode =
  | 'parse' // a line does not have the expected shape or value
  | 'missing-file' // a needed file is absent (e.g. ratings)
  | 'unknown-format' // no parser recognises the files
  | 'too-large' // over the size limit
  | 'bad-zip' // a zip could not be read
  | 'empty' // a file or the whole dataset holds nothing usable
  | 'protocol'; // the chosen cold-start protocol cannot run on this data

export interface ParseLocation {
  readonly file: string;
  /** 1-based line number, or 0 when the error concerns the whole file. */
  readonly line: number;
  readonly expected: string;
  readonly got: string;
}

export class DataError extends Error {
  readonly code: DataErrorCode;
  readonly location: ParseLocation | undefined;

  constructor(code: DataErrorCode, message: string, location?: ParseLocation) {
    super(message);
    this.name = 'DataError';
    this.code = code;
    this.location = location;
  }

  /** "Expected rating in 1..5 at u.data line 17, got 7" */
  static parse(file: string, line: number, expected: string, got: string): DataError {
    const shown = got.length > 80 ? `${got.slice(0, 77)}...` : got;
    const where = line > 0 ? `${file} line ${line}` : file;
    return new DataError(
      'parse',
      `Expected ${expected} at ${where}, got ${shown === '' ? 'an empty value' : shown}`,
      {
        file,
        line,
        expected,
        got: shown,
      },
    );
  }
}

/** Serializable form for the worker protocol and the CLI. */
export interface DataErrorInfo {
  readonly code: DataErrorCode;
  readonly message: string;
  readonly location?: ParseLocation;
}

export function toDataErrorInfo(error: unknown): DataErrorInfo {
  if (error instanceof DataError) {
    return error.location
      ? { code: error.code, message: error.message, location: error.location }
      : { code: error.code, message: error.message };
  }
  return { code: 'parse', message: error instanceof Error ? error.message : String(error) };
}
