/**
 * Node only: reads files, folders (recursively) and zips from paths into the InputFile list that
 * data/source.ts expands. Paths inside a folder keep the folder name ("ml-1m-melu/splits/x.json").
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import type { InputFile } from '../data/source';

export function readPaths(paths: readonly string[]): InputFile[] {
  const out: InputFile[] = [];
  for (const path of paths) {
    const stat = statSync(path);
    if (stat.isFile()) {
      out.push({ path: basename(path), bytes: new Uint8Array(readFileSync(path)) });
      continue;
    }
    const root = join(path, '..');
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
        a.name.localeCompare(b.name),
      )) {
        const full = join(dir, entry.name);
        if (entry.isDirectory()) walk(full);
        else if (entry.isFile())
          out.push({ path: relative(root, full), bytes: new Uint8Array(readFileSync(full)) });
      }
    };
    walk(path);
  }
  return out;
}
