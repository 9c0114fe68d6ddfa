// `npx tsx bench/sameParts.ts a.json b.json`: are two job parts (experiment parts, src/experiment/part.ts)
// the same computation? Walks both JSON trees and prints the key paths where they differ, ignoring what
// says when, where and how long (code, date, seconds); never prints a value, so comparing parts of a
// protocol whose numbers are not yet read reads none of them. Exit code 1 when they differ.
import { readFileSync } from 'node:fs';

const IGNORED = new Set(['code', 'date', 'seconds']);
const [a, b] = process.argv.slice(2).map((f) => JSON.parse(readFileSync(f, 'utf8')) as unknown);
if (a === undefined || b === undefined) throw new Error('usage: npx tsx bench/sameParts.ts a.json b.json');

const diffs: string[] = [];
function walk(x: unknown, y: unknown, path: string): void {
  if (typeof x !== typeof y || Array.isArray(x) !== Array.isArray(y) || (x === null) !== (y === null)) {
    diffs.push(`${path} (type)`);
    return;
  }
  if (x && typeof x === 'object') {
    const xr = x as Record<string, unknown>;
    const yr = y as Record<string, unknown>;
    for (const k of new Set([...Object.keys(xr), ...Object.keys(yr)])) {
      if (IGNORED.has(k)) continue;
      if (!(k in xr) || !(k in yr)) diffs.push(`${path}.${k} (in one only)`);
      else walk(xr[k], yr[k], `${path}.${k}`);
    }
  } else if (x !== y) diffs.push(path);
}
walk(a, b, '');
console.log(
  diffs.length
    ? `differ at ${diffs.length} paths: ${diffs.slice(0, 20).join(', ')}`
    : 'identical apart from code, date and seconds',
);
process.exitCode = diffs.length ? 1 : 0;
