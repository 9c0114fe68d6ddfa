/**
 * The streaming load: sources (files, or GroupLens zips such as ml-10m.zip and ml-25m.zip) are read
 * chunk by chunk; the ratings file is parsed as it arrives into columnar typed arrays (pre-sized from
 * the file size, growing by doubling), so the whole text is never held. Other sets (ml-100k, ml-1m,
 * RecBole) are small: their bytes are collected and handed to detect.ts's loadDataset, which itself
 * hands large sets given as bytes back here, so both entry points give the same Dataset.
 */
import { yieldToEventLoop } from '../lib/yield';
import { browserBudget, checkRatingsFit, estimateRatings, type MemoryBudget } from './budget';
import type { FileContribution } from './contributions';
import type { Dataset } from './dataset';
import { loadDataset, type LoadOptions } from './detect';
import { DataError } from './errors';
import { assembleDataset } from './formats/assemble';
import { parseMl1mMovies } from './formats/ml1m';
import {
  countTags,
  isLargeSet,
  largeRoleByName,
  parseMoviesCsv,
  sniffLargeRole,
  type LargeRole,
} from './formats/movielensLarge';
import { ML10M_RATINGS, ML25M_RATINGS, ratingsParser, type RawRatings } from './formats/ratings';
import type { RawItems } from './formats/raw';
import { DEFAULT_SIZE_LIMIT, readSource } from './source';
import { decodeLatin1 } from './text';
import {
  collectSink,
  LineChunker,
  unzipStream,
  zipMemberNames,
  type ByteSink,
  type ByteSource,
} from './stream';

export interface StreamLoadOptions extends LoadOptions {
  /** Memory the ratings may take; default: browserBudget() (Node callers pass budgetFromTotal). */
  readonly budget?: MemoryBudget;
  /** The set, when the caller already knows it (largeSetOfSources); found here otherwise. */
  readonly kind?: 'ml-10m' | 'ml-25m' | null;
}

/** The large set among files in memory: by name, else by the content of files whose name says nothing. */
export function largeSetOf(
  files: readonly { path: string; name: string; bytes: Uint8Array }[],
): 'ml-10m' | 'ml-25m' | null {
  const byName = isLargeSet(files.map((f) => f.path));
  if (byName || files.some((f) => /^(users\.dat|u\.data)$/i.test(f.name))) return byName;
  for (const f of files) {
    const role = largeRoleByName(f.name) ?? sniffLargeRole(f.bytes.subarray(0, 512));
    if (role === 'ratings-csv' || role === 'movies-csv') return 'ml-25m';
    // a lone ratings.dat: ML-10M when its first 64 KB hold a half star (ML-1M has none)
    if (role === 'ratings-dat' && /::\d\.5::/.test(decodeLatin1(f.bytes.subarray(0, 1 << 16))))
      return 'ml-10m';
  }
  return null;
}

const isZip = (s: ByteSource) => s.name.toLowerCase().endsWith('.zip');
const GB = 1024 ** 3;

/** The large set among streamed sources: zip member names, file names, and the heads of unnamed files. */
export async function largeSetOfSources(sources: readonly ByteSource[]): Promise<'ml-10m' | 'ml-25m' | null> {
  const paths: string[] = [];
  for (const source of sources) paths.push(...(isZip(source) ? await zipMemberNames(source) : [source.path]));
  // the first 64 KB of files whose name says nothing, or a ratings.dat (half stars make it ML-10M)
  const heads = new Map<string, Uint8Array>();
  for (const s of sources)
    if (!isZip(s) && [null, 'ratings-dat'].includes(largeRoleByName(s.name)))
      heads.set(s.path, await head(s));
  return largeSetOf(
    paths.map((path) => ({
      path,
      name: path.split(/[\\/]/).pop() ?? path,
      bytes: heads.get(path) ?? new Uint8Array(0),
    })),
  );
}

/** Reads a Dataset from streamed sources. Throws DataError (file, line, expected) on bad input. */
export async function loadStreamed(
  sources: readonly ByteSource[],
  options: StreamLoadOptions = {},
): Promise<Dataset> {
  const budget = options.budget ?? browserBudget();
  const progress = options.onProgress ?? (() => {});
  const tooLargeFor = (limit: number, what: string) => (total: number, where: string) =>
    new DataError(
      'too-large',
      `The input is larger than the ${(limit / GB).toFixed(2)} GB ${what}: over ${(total / GB).toFixed(2)} GB at ${where}`,
    );
  const tooLarge = tooLargeFor(
    budget.bytes / 4,
    `allowed for files read whole (a quarter of the ${(budget.bytes / GB).toFixed(1)} GB memory budget, ${budget.source})`,
  );
  // 1. which set (zips listed by a first pass that inflates nothing)
  const kind = options.kind !== undefined ? options.kind : await largeSetOfSources(sources);
  if (!kind) {
    // a small set (its text is held whole, as readSource's limit allows): collect, then load in memory
    const inputs: { path: string; bytes: Uint8Array }[] = [];
    let total = 0;
    const limit = Math.min(budget.bytes, DEFAULT_SIZE_LIMIT);
    for (const source of sources)
      await drain(
        source,
        collectSink(source.path, limit - total, tooLargeFor(limit, 'limit for files read whole'), (bytes) => {
          total += bytes.length;
          inputs.push({ path: source.path, bytes });
        }),
      );
    return loadDataset(readSource(inputs), options);
  }
  // 2. one pass: ratings parsed as they stream, movies and tags collected, the rest skipped unread
  const totalBytes = sources.reduce((sum, s) => sum + Math.max(0, s.size), 0);
  let readBytes = 0;
  const notes: string[] = [];
  const contributions: FileContribution[] = [];
  const used = new Map<LargeRole, string>();
  let ratings: RawRatings | null = null;
  let ratingsFile = '';
  let items: RawItems | null = null;
  let itemsFile = 'the item file';
  const small: { role: LargeRole; path: string; bytes: Uint8Array }[] = [];
  const open = (path: string, name: string, size: number): ByteSink | null => {
    const byName = largeRoleByName(name);
    if (byName === 'ignored') {
      contributions.push({ path, role: 'not used', rows: 0, detail: 'not a file this app reads' });
      return null;
    }
    return sniffingSink(byName, (role) => {
      const first = used.get(role);
      if (role === 'other' || role === 'ignored' || first) {
        const detail = first
          ? `another file of the same kind, ${first}, was used`
          : 'not a file this app reads';
        contributions.push({ path, role: 'not used', rows: 0, detail });
        return null;
      }
      used.set(role, path);
      if (role === 'ratings-dat' || role === 'ratings-csv') {
        ratingsFile = path;
        const entry = { path, role: `ratings (${kind})`, rows: 0, detail: 'ratings' };
        contributions.push(entry);
        return ratingsSink(path, size, role === 'ratings-csv', budget, (parsed) => {
          ratings = parsed;
          entry.rows = parsed.count;
        });
      }
      return collectSink(path, budget.bytes / 4, tooLarge, (bytes) => small.push({ role, path, bytes }));
    });
  };
  let sinceYield = 0;
  const counted = async (source: ByteSource, chunk: Uint8Array) => {
    readBytes += chunk.length;
    sinceYield += chunk.length;
    if (totalBytes) progress(0.9 * Math.min(1, readBytes / totalBytes), `reading ${source.path}`);
    if (sinceYield > 16 << 20) {
      sinceYield = 0;
      await yieldToEventLoop();
    }
  };
  for (const source of sources) {
    if (isZip(source)) {
      await unzipStream(countingSource(source, counted), (member) =>
        open(member.path, member.name, member.size),
      );
      continue;
    }
    const sink = open(source.path, source.name, source.size);
    if (sink) await drain(countingSource(source, counted), sink);
  }
  // 3. the small files, then assembly
  for (const { role, path, bytes } of small) {
    if (role === 'movies-dat' || role === 'movies-csv') {
      items =
        role === 'movies-csv'
          ? parseMoviesCsv(bytes, path)
          : parseMl1mMovies(bytes, path, utf8OrLatin1(bytes));
      itemsFile = path;
      contributions.push({ path, role: `items (${kind})`, rows: items.ids.length, detail: 'items' });
    } else {
      const tags = countTags(bytes, path, role === 'tags-csv');
      contributions.push({
        path,
        role: `tags (${kind})`,
        rows: tags,
        detail: 'tags (checked; not used as features)',
      });
    }
  }
  const parsed = ratings as RawRatings | null;
  if (!parsed)
    throw new DataError(
      'missing-file',
      `No ratings file among ${sources.map((source) => source.path).join(', ')}: expected ratings.dat or ratings.csv.`,
    );
  if (parsed.blankLines)
    notes.push(`${ratingsFile}: skipped ${parsed.blankLines} blank line${parsed.blankLines > 1 ? 's' : ''}`);
  progress(0.92, 'building the dataset');
  const dataset = assembleDataset({
    name: options.name ?? defaultName(kind, [...used.values()]),
    format: kind,
    files: [...used.values()],
    users: null,
    items,
    ratings: parsed,
    ratingsFile,
    itemsFile,
    notes,
  });
  if (dataset.ratings.count === 0) throw new DataError('empty', `${ratingsFile} holds no usable rating`);
  progress(1, 'loaded');
  return { ...dataset, contributions };
}

/** A sink that learns its role from the name or, failing that, from the first line, then forwards. */
function sniffingSink(byName: LargeRole | null, choose: (role: LargeRole) => ByteSink | null): ByteSink {
  let target: ByteSink | null = null;
  let decided = false;
  let head = new Uint8Array(0);
  const decide = () => {
    decided = true;
    target = choose(byName ?? sniffLargeRole(head));
    if (target && head.length) target.push(head);
  };
  return {
    push(chunk) {
      if (decided) return target?.push(chunk);
      const joined = new Uint8Array(head.length + chunk.length);
      joined.set(head);
      joined.set(chunk, head.length);
      head = joined;
      if (byName || head.length >= 512 || head.includes(10)) decide();
    },
    end() {
      if (!decided) decide();
      target?.end();
    },
  };
}

/** Streams a ratings file into the columnar parser, after checking the estimate against the budget. */
function ratingsSink(
  path: string,
  size: number,
  csv: boolean,
  budget: MemoryBudget,
  done: (ratings: RawRatings) => void,
): ByteSink {
  const format = csv ? ML25M_RATINGS : ML10M_RATINGS;
  let parser: ReturnType<typeof ratingsParser> | null = null;
  let chunker: LineChunker | null = null;
  let seen = 0;
  return {
    push(chunk) {
      seen += chunk.length;
      if (!parser) {
        const estimate = estimateRatings(size >= 0 ? size : chunk.length, chunk.subarray(0, 1 << 16));
        checkRatingsFit(path, estimate, budget);
        parser = ratingsParser(path, format, estimate);
        chunker = new LineChunker(parser.parse);
      } else if (size < 0 && seen % (64 << 20) < chunk.length) {
        // size unknown (a zip entry with a data descriptor): check as the file grows
        checkRatingsFit(path, estimateRatings(seen, chunk.subarray(0, 1 << 16)), budget);
      }
      chunker!.push(chunk);
    },
    end() {
      if (!parser) parser = ratingsParser(path, format, 16);
      chunker?.end();
      done(parser.result());
    },
  };
}

/** The first `size` bytes of a source (the rest is not read). */
async function head(source: ByteSource, size = 1 << 16): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of source.chunks()) {
    parts.push(chunk.slice(0, size - total));
    total += parts[parts.length - 1]!.length;
    if (total >= size) break;
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

async function drain(source: ByteSource, sink: ByteSink): Promise<void> {
  for await (const chunk of source.chunks()) sink.push(chunk);
  sink.end();
}

function countingSource(
  source: ByteSource,
  onChunk: (source: ByteSource, chunk: Uint8Array) => Promise<void>,
): ByteSource {
  return {
    ...source,
    async *chunks() {
      for await (const chunk of source.chunks()) {
        yield chunk;
        await onChunk(source, chunk);
      }
    },
  };
}

function utf8OrLatin1(bytes: Uint8Array): 'utf8' | 'latin1' {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return 'utf8';
  } catch {
    return 'latin1';
  }
}

function defaultName(kind: string, files: readonly string[]): string {
  const folders = [...new Set(files.map((f) => f.split(/[\\/]/).slice(-2, -1)[0]).filter(Boolean))];
  return folders.length ? folders.join(' + ') : kind;
}
