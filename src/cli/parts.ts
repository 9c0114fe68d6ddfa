/** Node only: part files of an experiment, written atomically and read back. */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Writes `text` to `file` through a temporary file in the same folder and a rename, so a reader (or a
 * re-run after a crash) sees the old file, nothing, or the whole new one, never half of it.
 */
export function writeAtomic(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(temp, text);
  renameSync(temp, file);
}

/** The parsed JSON of a file, or null when it is absent or not valid JSON. */
export function readJson(file: string): unknown {
  if (!existsSync(file)) return null;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as unknown;
  } catch {
    return null;
  }
}

/**
 * The commit this process runs (HEAD when asked, "+changes" when src/ differs from it), or null outside a
 * git checkout: stored with every tuning trial and job part, so a table says which code made it.
 */
export function codeVersion(): string | null {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src'], { encoding: 'utf8' }).trim();
    return dirty ? `${head}+changes` : head;
  } catch {
    return null;
  }
}

/** A spec file parsed by `parse`; a missing file or a parse error names the path. */
export function readSpecFile<T>(path: string, parse: (raw: unknown) => T): T {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`Expected a spec file at ${path}, got nothing there`, { cause: error });
  }
  try {
    return parse(JSON.parse(text));
  } catch (error) {
    throw new Error(`${path}: ${(error as Error).message}`, { cause: error });
  }
}
