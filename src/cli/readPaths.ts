/**
 * Node only: reads files, folders (recursively) and zips from paths into the InputFile list that
 * data/source.ts expands. Paths inside a folder keep the folder name ("ml-1m-melu/splits/x.json").
 * Sizes are checked from stat before any file is read, so an oversized input gets the size-limit
 * message instead of being read into memory (or failing in readFileSync past 2 GB).
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { totalmem } from 'node:os';
import { basename, join, relative } from 'node:path';
import { budgetFromTotal } from '../data/budget';
import type { Dataset } from '../data/dataset';
import { largeSetOfSources, loadStreamed } from '../data/streamLoad';
import { fileSource } from './fileSource';
import { loadDataset } from '../data/detect';
import { DataError } from '../data/errors';
import { checkInputSizes, DEFAULT_SIZE_LIMIT, readSource, type InputFile } from '../data/source';

/** The files under paths (folders walked in name order), with their sizes from stat. */
function listPaths(paths: readonly string[]): { path: string; full: string; size: number }[] {
  const found: { path: string; full: string; size: number }[] = [];
  for (const path of paths) {
    let stat;
    try {
      stat = statSync(path);
    } catch {
      throw new DataError('missing-file', `Expected a file, folder or zip at ${path}, got nothing there`);
    }
    if (stat.isFile()) {
      found.push({ path: basename(path), full: path, size: stat.size });
      continue;
    }
    const root = join(path, '..');
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
        a.name.localeCompare(b.name),
      )) {
        const full = join(dir, entry.name);
        if (entry.isDirectory()) walk(full);
        else if (entry.isFile()) found.push({ path: relative(root, full), full, size: statSync(full).size });
      }
    };
    walk(path);
  }
  return found;
}

export function readPaths(paths: readonly string[], sizeLimit = DEFAULT_SIZE_LIMIT): InputFile[] {
  const found = listPaths(paths);
  checkInputSizes(found, sizeLimit);
  return found.map((f) => ({ path: f.path, bytes: new Uint8Array(readFileSync(f.full)) }));
}

/** The CLI's one way from paths to a Dataset (inspect, train): read, expand zips, detect, parse. */
export async function loadPaths(paths: readonly string[]): Promise<Dataset> {
  // MovieLens 10M/20M/25M are streamed from disk (zips included) under half of the machine's memory
  const sources = listPaths(paths).map((f) => fileSource(f.full, f.path, f.size));
  const kind = await largeSetOfSources(sources);
  if (kind) return loadStreamed(sources, { kind, budget: budgetFromTotal(totalmem(), 'os.totalmem()') });
  return loadDataset(readSource(readPaths(paths)));
}
