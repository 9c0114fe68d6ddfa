/**
 * Which parser reads which file, and the assembly of a Dataset from a set of files (GroupLens ml-100k
 * or ml-1m, RecBole atomic files, MeLU's side information and split files, and combinations such as
 * the ml-1m folder together with the ml-1m-melu folder). Names decide first; unknown names are
 * sniffed from their first line. Nothing is half-loaded: any error aborts the whole load.
 */
import { ROLE_LABELS, type FileContribution } from './contributions';
import type { Dataset, DatasetFormat } from './dataset';
import { DataError } from './errors';
import { assembleDataset } from './formats/assemble';
import { parseMeluExtras, mergeExtras } from './formats/meluExtras';
import { checkSplitIds, parsePublishedSplit, PUBLISHED_FILES } from './formats/meluSplits';
import { parseGenreList, parseMl100kItems, parseMl100kUsers, ML100K_GENRES } from './formats/ml100k';
import { parseMl1mMovies, parseMl1mUsers } from './formats/ml1m';
import { ML100K_RATINGS, ML1M_RATINGS, parseRatingsChunked, type RawRatings } from './formats/ratings';
import type { RawItems, RawUsers } from './formats/raw';
import {
  parseRecboleHeader,
  parseRecboleItems,
  parseRecboleUsers,
  recboleRatingsFormat,
} from './formats/recbole';
import type { SourceFile } from './source';
import { largeSetOf, loadStreamed } from './streamLoad';
import { bytesSource } from './stream';
import { assertText, decodeLatin1, textLines } from './text';

export type FileRole =
  | 'ml100k-ratings'
  | 'ml100k-items'
  | 'ml100k-users'
  | 'ml100k-genres'
  | 'ml1m-ratings'
  | 'ml1m-movies'
  | 'ml1m-users'
  | 'recbole-inter'
  | 'recbole-items'
  | 'recbole-users'
  | 'melu-extras'
  | 'melu-split'
  | 'ignored';

/** The role of a file from its name, or from its first line when the name says nothing. */
export function roleOf(file: SourceFile): FileRole {
  const name = file.name.toLowerCase();
  if (name === 'u.data') return 'ml100k-ratings';
  if (name === 'u.item') return 'ml100k-items';
  if (name === 'u.user') return 'ml100k-users';
  if (name === 'u.genre') return 'ml100k-genres';
  if (/^ratings.*\.dat$/.test(name)) return 'ml1m-ratings';
  if (name === 'movies.dat') return 'ml1m-movies';
  if (name === 'users.dat') return 'ml1m-users';
  if (name.endsWith('.inter')) return 'recbole-inter';
  if (name.endsWith('.item')) return 'recbole-items';
  if (name.endsWith('.user')) return 'recbole-users';
  if (name === 'movies_extrainfos.dat') return 'melu-extras';
  if (/_state(_y)?\.json$/.test(name)) return 'melu-split';
  if (
    /^(u\.(info|occupation)|u\d\.(base|test)|u[ab]\.(base|test)|readme.*|.*\.(md|sh|pl|html|pdf|json))$/.test(
      name,
    )
  )
    return 'ignored';
  // any other name (ratings.csv.txt, my-items, MeLU's m_*.txt lists) is decided by its first line
  return sniff(file);
}

function sniff(file: SourceFile): FileRole {
  const head = decodeLatin1(file.bytes.subarray(0, 512));
  const first = head.split('\n')[0]?.replace(/\r$/, '') ?? '';
  if (/^\d+\t\d+\t\d+(\.\d+)?\t\d+$/.test(first)) return 'ml100k-ratings';
  if (/^\d+::\d+::\d+::\d+$/.test(first)) return 'ml1m-ratings';
  // GroupLens profile and item lines: u.user "1|24|M|technician|85711", u.item "1|Title|date|...|0|1|...",
  // users.dat "1::F::1::10::48067", movies.dat "1::Title (1995)::Genre|Genre"
  if (/^\d+\|\d+\|[MF]\|[^|]*\|[^|]*$/.test(first)) return 'ml100k-users';
  if (/^\d+\|[^|]*\|[^|]*\|[^|]*\|[^|]*(\|[01]){19}$/.test(first)) return 'ml100k-items';
  if (/^\d+::[MF]::\d+::\d+::[^:]*$/.test(first)) return 'ml1m-users';
  if (/^\d+::[^:].*\(\d{4}\)\s*::[^:]*$/.test(first)) return 'ml1m-movies';
  if (/^[a-z_]+:(token|float)/.test(first)) {
    if (first.includes('item_id') && first.includes('user_id')) return 'recbole-inter';
    if (first.startsWith('item_id')) return 'recbole-items';
    if (first.startsWith('user_id')) return 'recbole-users';
  }
  return 'ignored';
}

export interface LoadOptions {
  readonly name?: string;
  readonly onProgress?: (fraction: number, message: string) => void;
}

const yieldToLoop = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/**
 * Reads a Dataset from source files. Duplicate base names: the first file wins (a note says which
 * was ignored). Throws DataError with file, line and expectation on bad input.
 */
export async function loadDataset(files: readonly SourceFile[], options: LoadOptions = {}): Promise<Dataset> {
  // MovieLens 10M / 20M / 25M: the streaming loader, whether the bytes are in memory or not
  if (largeSetOf(files))
    return loadStreamed(
      files.map((f) => bytesSource(f.path, f.bytes)),
      options,
    );
  const progress = options.onProgress ?? (() => {});
  const notes: string[] = [];
  const byRole = new Map<FileRole, SourceFile[]>();
  const byName = new Map<string, SourceFile>();
  const unused: string[] = [];
  // what each file gave, in the order given (rows are filled in as the files are parsed)
  const contributions = new Map<string, { role: string; rows: number; detail: string }>();
  const contributed = (file: SourceFile, rows: number, detail: string) => {
    const entry = contributions.get(file.path);
    if (entry) Object.assign(entry, { rows: entry.rows + rows, detail });
  };
  for (const file of files) {
    const role = roleOf(file);
    if (role === 'ignored') {
      unused.push(file.name);
      contributions.set(file.path, {
        role: 'not used',
        rows: 0,
        detail: /^m_\w+\.txt$/.test(file.name)
          ? "MeLU's feature list (vocabularies are built from the data instead)"
          : 'not a file this app reads',
      });
      continue;
    }
    const existing = byName.get(file.name);
    if (existing) {
      notes.push(`${file.path} was ignored: ${existing.path} has the same name and was given first`);
      contributions.set(file.path, {
        role: 'not used',
        rows: 0,
        detail: `${existing.path} has the same name and was given first`,
      });
      continue;
    }
    byName.set(file.name, file);
    assertText(file.bytes, file.path);
    if (isBlankFile(file.bytes))
      throw DataError.parse(file.path, 0, `${ROLE_LABELS[role] ?? role} rows`, 'an empty file');
    byRole.set(role, [...(byRole.get(role) ?? []), file]);
    contributions.set(file.path, { role: ROLE_LABELS[role] ?? role, rows: 0, detail: '' });
  }
  if (unused.length) notes.push(`not used: ${[...new Set(unused)].join(', ')}`);
  const one = (role: FileRole): SourceFile | null => {
    const list = byRole.get(role);
    if (list && list.length > 1) {
      notes.push(`several ${role} files; ${list[0]!.path} was used`);
      for (const other of list.slice(1))
        contributions.set(other.path, {
          role: 'not used',
          rows: 0,
          detail: `another ${ROLE_LABELS[role] ?? role} file, ${list[0]!.path}, was used`,
        });
    }
    return list?.[0] ?? null;
  };
  const has = (...roles: FileRole[]) => roles.some((r) => byRole.has(r));
  let format: DatasetFormat;
  if (has('ml100k-ratings', 'ml100k-items', 'ml100k-users')) format = 'ml-100k';
  else if (has('ml1m-ratings', 'ml1m-movies', 'ml1m-users', 'melu-extras', 'melu-split')) format = 'ml-1m';
  else if (has('recbole-inter', 'recbole-items', 'recbole-users')) format = 'recbole';
  else {
    const seen = files.map((f) => f.path).join(', ') || 'no files';
    throw new DataError(
      'unknown-format',
      `No MovieLens data found among: ${seen}. Expected GroupLens ml-100k (u.data, u.item, u.user), ml-1m (ratings.dat, movies.dat, users.dat), RecBole atomic files (.inter, .item, .user) or a GroupLens zip.`,
    );
  }
  progress(0.02, 'reading profiles and items');
  let users: RawUsers | null = null;
  let items: RawItems | null = null;
  let ratings: RawRatings | null = null;
  let ratingsFile = '';
  let itemsFile = 'the item file';
  if (format === 'ml-100k') {
    const genreFile = one('ml100k-genres');
    const genres = genreFile
      ? parseGenreList(genreFile.bytes, genreFile.path).filter((g) => g !== undefined)
      : ML100K_GENRES;
    if (genreFile) contributed(genreFile, genres.length, 'genres');
    const u = one('ml100k-users');
    const i = one('ml100k-items');
    if (u) {
      users = parseMl100kUsers(u.bytes, u.path);
      contributed(u, users.ids.length, 'users');
    }
    if (i) {
      items = parseMl100kItems(i.bytes, i.path, genres);
      itemsFile = i.path;
      contributed(i, items.ids.length, 'items');
    }
    const r = one('ml100k-ratings');
    if (r) {
      await yieldToLoop();
      ratings = await parseRatingsChunked(r.bytes, r.path, ML100K_RATINGS, (f) =>
        progress(0.1 + 0.8 * f, `parsing ${r.path}`),
      );
      ratingsFile = r.path;
      contributed(r, ratings.count, 'ratings');
    }
  } else if (format === 'ml-1m') {
    const u = one('ml1m-users');
    const m = one('ml1m-movies');
    if (u) {
      users = parseMl1mUsers(u.bytes, u.path);
      contributed(u, users.ids.length, 'users');
    }
    if (m) {
      items = parseMl1mMovies(m.bytes, m.path, looksUtf8(m.bytes) ? 'utf8' : 'latin1');
      itemsFile = m.path;
      contributed(m, items.ids.length, 'items');
    }
    const extras = one('melu-extras');
    if (extras) {
      const parsedExtras = parseMeluExtras(extras.bytes, extras.path);
      contributed(extras, parsedExtras.size, 'items with rate, directors and actors');
      const merged = mergeExtras(items, parsedExtras);
      items = merged.items;
      notes.push(merged.note);
      if (!m) itemsFile = extras.path;
    }
    const r = one('ml1m-ratings');
    if (r) {
      await yieldToLoop();
      ratings = await parseRatingsChunked(r.bytes, r.path, ML1M_RATINGS, (f) =>
        progress(0.1 + 0.8 * f, `parsing ${r.path}`),
      );
      ratingsFile = r.path;
      contributed(r, ratings.count, 'ratings');
    }
  } else {
    const u = one('recbole-users');
    const i = one('recbole-items');
    if (u) {
      const parsed = parseRecboleUsers(u.bytes, u.path);
      users = parsed.users;
      contributed(u, users.ids.length, 'users');
      if (parsed.ignored.length) notes.push(`${u.path}: columns not used: ${parsed.ignored.join(', ')}`);
    }
    if (i) {
      const parsed = parseRecboleItems(i.bytes, i.path);
      items = parsed.items;
      itemsFile = i.path;
      contributed(i, items.ids.length, 'items');
      if (parsed.ignored.length) notes.push(`${i.path}: columns not used: ${parsed.ignored.join(', ')}`);
    }
    const r = one('recbole-inter');
    if (r) {
      const header = parseRecboleHeader(textLines(decodeLatin1(r.bytes.subarray(0, 4096)))[0] ?? '', r.path);
      ratings = await parseRatingsChunked(r.bytes, r.path, recboleRatingsFormat(header, r.path), (f) =>
        progress(0.1 + 0.8 * f, `parsing ${r.path}`),
      );
      ratingsFile = r.path;
      contributed(r, ratings.count, 'ratings');
    }
  }
  if (ratings?.blankLines)
    notes.push(
      `${ratingsFile}: skipped ${ratings.blankLines} blank line${ratings.blankLines > 1 ? 's' : ''}`,
    );
  const published = parsePublishedSplit(new Map([...byName.entries()].map(([name, f]) => [name, f])));
  if (published) {
    for (const [key, name] of Object.entries(PUBLISHED_FILES) as [keyof typeof PUBLISHED_FILES, string][]) {
      const state = published[key];
      for (const suffix of ['', '_y']) {
        const file = byName.get(`${name}${suffix}.json`);
        if (file) contributed(file, state.users.length, `test lists (${state.items.length} ratings)`);
      }
    }
    checkSplitIds(published, users, items, byName);
  }
  for (const file of byRole.get('melu-split') ?? [])
    if (contributions.get(file.path)?.detail === '')
      Object.assign(contributions.get(file.path)!, {
        role: 'not used',
        detail: 'MeLU split file this app does not read (warm_state is rebuilt from the ratings)',
      });
  if (!ratings) {
    if (!published) {
      throw new DataError(
        'missing-file',
        `No ratings file among ${files.map((f) => f.path).join(', ')}: expected u.data, ratings.dat or a .inter file.`,
      );
    }
    notes.push('no ratings file: only the published split (its cold-start test sets) can be inspected');
  }
  for (const [path, c] of contributions)
    if (c.role !== 'not used' && c.detail === '') Object.assign(contributions.get(path)!, { detail: 'read' });
  progress(0.92, 'building the dataset');
  const dataset = assembleDataset({
    name: options.name ?? defaultName(format, files),
    format,
    files: [...byName.values()].map((f) => f.path),
    users,
    items,
    ratings,
    ratingsFile,
    itemsFile,
    published,
    notes,
  });
  const withContributions: Dataset = {
    ...dataset,
    contributions: [...contributions].map(([path, c]): FileContribution => ({ path, ...c })),
  };
  if (ratings && dataset.ratings.count === 0)
    throw new DataError('empty', `${ratingsFile} holds no usable rating`);
  progress(1, 'loaded');
  return withContributions;
}

/** True when a file holds nothing but blanks and line ends (a UTF-8 byte-order mark aside). */
function isBlankFile(bytes: Uint8Array): boolean {
  for (let i = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (b !== 32 && b !== 9 && b !== 10 && b !== 13) return false;
  }
  return true;
}

/** True when the bytes decode as UTF-8 with non-ASCII characters (MeLU's re-encoded movies.dat). */
function looksUtf8(bytes: Uint8Array): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return bytes.some((b) => b > 0x7f);
  } catch {
    return false;
  }
}

function defaultName(format: DatasetFormat, files: readonly SourceFile[]): string {
  const folders = [...new Set(files.map((f) => f.path.split(/[\\/]/).slice(-2, -1)[0]).filter(Boolean))];
  return folders.length ? folders.join(' + ') : format;
}
