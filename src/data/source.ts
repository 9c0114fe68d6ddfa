/**
 * Inputs -> source files: what the browser's file picker, folder picker or drag-and-drop gives, and
 * what Node reads from disk, as {path, bytes}; zips (GroupLens ml-100k.zip / ml-1m.zip) are expanded
 * with fflate. Pure bytes in, bytes out: no DOM and no Node APIs, so it runs in a worker and in Node.
 */
import { DataError } from './errors';
import { readZip } from './zip';

export interface InputFile {
  /** Relative path as given (e.g. "ml-100k/u.data" from a folder, or "u.data"). */
  readonly path: string;
  readonly bytes: Uint8Array;
}

export interface SourceFile extends InputFile {
  /** Base name ("u.data"). */
  readonly name: string;
}

/** Default limit on the total size after unzipping: 600 MB (MovieLens 1M is 25 MB). */
export const DEFAULT_SIZE_LIMIT = 600 * 1024 * 1024;

const baseName = (path: string): string => path.split(/[\\/]/).pop() ?? path;
const megabytes = (n: number): string => `${(n / 1024 / 1024).toFixed(1)} MB`;

function isJunk(path: string): boolean {
  const name = baseName(path);
  return path.includes('__MACOSX/') || name.startsWith('._') || name === '.DS_Store' || name === '';
}

/**
 * Checks sizes BEFORE any byte is read (the browser's File.size, Node's stat): a 2 GB file is refused
 * with the limit's message instead of being read into memory first (or crashing the tab).
 */
export function checkInputSizes(
  inputs: readonly { readonly path: string; readonly size: number }[],
  sizeLimit = DEFAULT_SIZE_LIMIT,
): void {
  let total = 0;
  for (const input of inputs) {
    total += input.size;
    if (total > sizeLimit) throw tooLarge(sizeLimit, total, input.path);
  }
}

function tooLarge(sizeLimit: number, total: number, path: string): DataError {
  return new DataError(
    'too-large',
    `The input is larger than the ${megabytes(sizeLimit)} limit (over ${megabytes(total)} at ${path}); MovieLens 1M is about 25 MB.`,
  );
}

/** Expands zips, drops OS junk (__MACOSX, .DS_Store), enforces the size limit. */
export function readSource(inputs: readonly InputFile[], sizeLimit = DEFAULT_SIZE_LIMIT): SourceFile[] {
  const out: SourceFile[] = [];
  let total = 0;
  const add = (path: string, bytes: Uint8Array) => {
    if (isJunk(path)) return;
    total += bytes.length;
    if (total > sizeLimit) throw tooLarge(sizeLimit, total, path);
    out.push({ path, name: baseName(path), bytes });
  };
  for (const input of inputs) {
    if (!input.path.toLowerCase().endsWith('.zip')) {
      add(input.path, input.bytes);
      continue;
    }
    // paths, declared sizes (a zip bomb), lengths and CRCs are checked in zip.ts
    const entries = readZip(
      input.bytes,
      input.path,
      (name) => !isJunk(name),
      sizeLimit - total,
      (inflated, where) => tooLarge(sizeLimit, total + inflated, where),
    );
    for (const { name, bytes } of entries) add(`${input.path}/${name}`, bytes);
  }
  return out;
}
