// `npm run bench -- scale [sizes in millions...]` (or `npx tsx bench/scale.ts 1 10 25`): synthetic
// MovieLens files of the real shapes (ML-20M/25M CSV: header, quoted titles with commas, half stars;
// ML-10M '::'), seeded, written to a temp dir that is deleted afterwards; each is loaded by the CLI's
// path (src/cli/readPaths.ts loadPaths: streamed from disk or from the zip) in a fresh process. Prints
// parse rate (ratings/s), peak RSS, RSS per rating, and whether the cost grows about linearly.
// Numbers go to docs/scale.md by hand, with the machine's conditions (never asserted in tests).
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { firstLine, runJson } from './child';
import { readFileSync } from 'node:fs';

/** A seeded 32-bit generator (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const GENRES = ['Action', 'Adventure', 'Animation', 'Comedy', 'Crime', 'Drama', 'Romance', 'Thriller'];

/**
 * Writes a set of `millions` million ratings in `shape` into dir: users rate ~154 distinct movies each
 * (ML-25M's mean), sorted by user as GroupLens files are; movie ids sparse; half stars; 2 GB lines max
 * per write. Returns the byte size of the ratings file.
 */
export function writeSet(dir: string, shape: 'csv' | 'dat', millions: number, seed: number): number {
  const random = rng(seed);
  const total = Math.round(millions * 1e6);
  const movies = Math.min(59_047, Math.max(10_000, Math.round(total / 400)));
  const movieId = (k: number) => 1 + k * 3;
  const csv = shape === 'csv';
  const sep = csv ? ',' : '::';
  const moviesLines = [csv ? 'movieId,title,genres' : ''];
  for (let k = 0; k < movies; k++) {
    const title = `Film ${k}, The (${1950 + (k % 70)})`;
    const genres = GENRES.filter(() => random() < 0.25).join('|') || (csv ? '(no genres listed)' : 'Drama');
    moviesLines.push(
      csv ? `${movieId(k)},"${title.replace(/"/g, '""')}",${genres}` : `${movieId(k)}::${title}::${genres}`,
    );
  }
  writeFileSync(join(dir, csv ? 'movies.csv' : 'movies.dat'), moviesLines.filter(Boolean).join('\n') + '\n');
  writeFileSync(
    join(dir, csv ? 'tags.csv' : 'tags.dat'),
    csv ? 'userId,movieId,tag,timestamp\n1,1,"funny, sad",1439472355\n' : '1::1::funny::1439472355\n',
  );
  const path = join(dir, csv ? 'ratings.csv' : 'ratings.dat');
  const fd = openSync(path, 'w');
  let lines: string[] = csv ? ['userId,movieId,rating,timestamp'] : [];
  let written = 0;
  let time = 1_000_000_000;
  for (let user = 1; written < total; user++) {
    const count = Math.min(total - written, 20 + Math.floor(random() * 268));
    const start = Math.floor(random() * movies);
    const stride = 7919; // prime, not a factor of any movie count here: distinct movies per user
    for (let j = 0; j < count; j++) {
      const item = movieId((start + j * stride) % movies);
      const rating = (1 + Math.floor(random() * 10)) / 2;
      time += Math.floor(random() * 50);
      lines.push(`${user}${sep}${item}${sep}${csv ? rating.toFixed(1) : rating}${sep}${time}`);
    }
    written += count;
    if (lines.length > 200_000) {
      writeSync(fd, lines.join('\n') + '\n');
      lines = [];
    }
  }
  if (lines.length) writeSync(fd, lines.join('\n') + '\n');
  closeSync(fd);
  return statSync(path).size;
}

interface Measured {
  count: number;
  ms: number;
  /** CPU time of the loading process (user + system) */
  cpuMs: number;
  rssBeforeMB: number;
  peakRssMB: number;
  format: string;
}

function measure(path: string): Measured | string {
  try {
    return runJson<Measured>('scaleLoad.ts', [path], 900_000);
  } catch (e) {
    return `failed (${e instanceof Error ? e.message.split('\n').slice(0, 3).join(' ') : String(e)})`;
  }
}

export function runScale(sizes: readonly number[]): string[] {
  const out: string[] = [];
  const say = (line: string) => {
    console.log(line);
    out.push(line);
  };
  const rows: { label: string; millions: number; m: Measured }[] = [];
  say(
    '| shape | ratings | file MB | load s (wall) | ratings/s (wall) | CPU s | ratings per CPU s | peak RSS MB | RSS per rating (bytes, above the start) |',
  );
  say('|---|---|---|---|---|---|---|---|---|');
  const runs: [string, 'csv' | 'dat', number, boolean][] = [
    ...sizes.map((m): [string, 'csv' | 'dat', number, boolean] => ['ml-25m csv', 'csv', m, false]),
    ...sizes
      .filter((m) => m === 10)
      .map((m): [string, 'csv' | 'dat', number, boolean] => ['ml-10m dat', 'dat', m, false]),
    ...sizes
      .filter((m) => m === 1)
      .map((m): [string, 'csv' | 'dat', number, boolean] => ['ml-25m zip', 'csv', m, true]),
  ];
  for (const [label, shape, millions, zipped] of runs) {
    const dir = mkdtempSync(join(tmpdir(), 'metarec-scale-'));
    try {
      const set = join(dir, shape === 'csv' ? 'ml-25m' : 'ml-10M100K');
      execFileSync('mkdir', ['-p', set]);
      const bytes = writeSet(set, shape, millions, 22);
      let target = set;
      if (zipped) {
        const names = ['ratings.csv', 'movies.csv', 'tags.csv'];
        const entries = Object.fromEntries(
          names.map((n) => [`ml-25m/${n}`, new Uint8Array(readFileSync(join(set, n)))]),
        );
        target = join(dir, 'ml-25m.zip');
        writeFileSync(target, zipSync(entries, { level: 1 }));
      }
      const m = measure(target);
      if (typeof m === 'string') {
        say(`| ${label} | ${millions}M | ${(bytes / 1e6).toFixed(0)} | ${m} ||||||`);
        continue;
      }
      rows.push({ label, millions, m });
      const perRating = ((m.peakRssMB - m.rssBeforeMB) * 2 ** 20) / m.count;
      say(
        `| ${label} | ${m.count.toLocaleString('en')} | ${(bytes / 1e6).toFixed(0)} | ${(m.ms / 1000).toFixed(1)} | ${Math.round(m.count / (m.ms / 1000)).toLocaleString('en')} | ${(m.cpuMs / 1000).toFixed(1)} | ${Math.round(m.count / (m.cpuMs / 1000)).toLocaleString('en')} | ${m.peakRssMB.toFixed(0)} | ${perRating.toFixed(0)} |`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  // one MeLU training epoch (MeLU's protocol, melu-paper preset) on the ML-10M shape at 1M and 10M
  const epochSizes = sizes.filter((m) => m <= 10);
  if (epochSizes.length) {
    say('');
    say(
      "One MeLU training epoch (`npx tsx bench/scaleEpoch.ts <set>`: MeLU's protocol keeps users with 13-100 ratings, melu-paper preset, ragged plan, wasm, first order), on the ML-10M shape:",
    );
    say('| ratings | training tasks | load s | split s | epoch s | tasks/s | ms per task | peak RSS MB |');
    say('|---|---|---|---|---|---|---|---|');
    for (const millions of epochSizes) {
      const dir = mkdtempSync(join(tmpdir(), 'metarec-epoch-'));
      try {
        const set = join(dir, 'ml-10M100K');
        execFileSync('mkdir', ['-p', set]);
        writeSet(set, 'dat', millions, 22);
        const r = runJson<{
          ratings: number;
          trainingTasks: number;
          loadMs: number;
          splitMs: number;
          epochMs: number;
          tasksPerSecond: number;
          peakRssMB: number;
        }>('scaleEpoch.ts', [set], 1_800_000);
        say(
          `| ${r.ratings.toLocaleString('en')} | ${r.trainingTasks.toLocaleString('en')} | ${(r.loadMs / 1000).toFixed(1)} | ${(r.splitMs / 1000).toFixed(1)} | ${(r.epochMs / 1000).toFixed(1)} | ${r.tasksPerSecond.toFixed(0)} | ${(r.epochMs / r.trainingTasks).toFixed(2)} | ${r.peakRssMB.toFixed(0)} |`,
        );
      } catch (e) {
        say(`| ${millions}M | failed (${firstLine(e)}) |||||||`);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  }
  const csv = rows.filter((r) => r.label === 'ml-25m csv').sort((a, b) => a.millions - b.millions);
  if (csv.length > 1) {
    const base = csv[0]!;
    // CPU time, not wall time: on a shared machine the wall clock mostly measures the other jobs
    const per = (r: (typeof csv)[number]) => r.m.cpuMs / r.m.count;
    const ratios = csv.slice(1).map((r) => `${r.millions}M: ${(per(r) / per(base)).toFixed(2)}x`);
    const worst = Math.max(...csv.slice(1).map((r) => per(r) / per(base)));
    say('');
    say(
      `CPU time per rating relative to ${base.millions}M: ${ratios.join(', ')} -> ${worst < 1.5 ? 'about linear' : 'NOT linear'} (linear = 1.0x; 1.5x allowed for a shared machine)`,
    );
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const sizes = process.argv
    .slice(2)
    .map(Number)
    .filter((n) => n > 0);
  runScale(sizes.length ? sizes : [1, 10, 25]);
}
