/**
 * The embedded default dataset: a SYNTHETIC MovieLens-100K-format dataset generated from a seed (no
 * MovieLens data in it), so the app has something to train on before a user uploads real data.
 *
 * The generative model (so meta-learning has something to find):
 * - 4 latent taste groups; a user's group depends on age and gender (with noise), so profiles predict
 *   taste, as MAMO's memories assume.
 * - Items: 1-3 of the 19 ml-100k genres, a release year 1930-1998 skewed to recent years, a quality bias.
 * - rating = round(3.5 + user bias + item bias + affinity(group, genres) + 0.4 <u, v> + noise), clipped
 *   to 1..5; affinity is a fixed group x genre matrix, <u, v> a small 3-d interaction.
 * - Each user rates 20-140 items chosen by a log-normal popularity (many rarely rated items, the newest
 *   a little less popular) over a few weeks after joining; joins spread over 2 years with a late wave
 *   (30% of users, lighter raters), so the MAMO time split has new users and both item rules have new items.
 */
import { createRng, type Rng } from '../lib/rng';
import { ML100K_GENRES } from './formats/ml100k';

export interface SyntheticOptions {
  readonly users: number;
  readonly items: number;
  readonly minRatings: number;
  readonly maxRatings: number;
}

export const DEFAULT_SYNTHETIC: SyntheticOptions = {
  users: 680,
  items: 720,
  minRatings: 20,
  maxRatings: 140,
};

const OCCUPATIONS = [
  'administrator',
  'artist',
  'doctor',
  'educator',
  'engineer',
  'entertainment',
  'executive',
  'healthcare',
  'homemaker',
  'lawyer',
  'librarian',
  'marketing',
  'none',
  'other',
  'programmer',
  'retired',
  'salesman',
  'scientist',
  'student',
  'technician',
  'writer',
];
const ADJECTIVES = [
  'Quiet',
  'Silver',
  'Last',
  'Hidden',
  'Broken',
  'Golden',
  'Distant',
  'Burning',
  'Secret',
  'Crimson',
  'Frozen',
  'Wild',
  'Electric',
  'Lonely',
  'Midnight',
  'Paper',
  'Iron',
  'Velvet',
];
const NOUNS = [
  'Harbor',
  'Garden',
  'Frontier',
  'Echo',
  'Kingdom',
  'River',
  'Signal',
  'Orchard',
  'Lantern',
  'Voyage',
  'Station',
  'Mirror',
  'Canyon',
  'Letter',
  'Carnival',
  'Machine',
  'Island',
  'Summer',
];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Genre affinities of the 4 taste groups (index = ML100K_GENRES position). */
function affinities(rng: Rng): number[][] {
  return Array.from({ length: 4 }, () =>
    ML100K_GENRES.map(() => (rng.next() < 0.3 ? 1.2 : rng.next() < 0.5 ? -0.9 : 0) + rng.normal() * 0.15),
  );
}

export interface SyntheticFiles {
  readonly 'u.data': string;
  readonly 'u.item': string;
  readonly 'u.user': string;
  readonly 'u.genre': string;
}

/** Generates the four ml-100k files (text) of the synthetic dataset. */
export function generateSynthetic(
  seed: number,
  options: SyntheticOptions = DEFAULT_SYNTHETIC,
): SyntheticFiles {
  const rng = createRng(seed);
  const taste = affinities(rng.fork('taste'));
  // items
  const itemRng = rng.fork('items');
  const items = Array.from({ length: options.items }, (_, i) => {
    const year = Math.min(
      1998,
      Math.round(1998 - Math.abs(itemRng.normal()) * 14 - (itemRng.next() < 0.1 ? 30 * itemRng.next() : 0)),
    );
    const genreCount = 1 + itemRng.int(3);
    const genres = new Set<number>();
    while (genres.size < genreCount) genres.add(1 + itemRng.int(ML100K_GENRES.length - 1));
    const title = `The ${ADJECTIVES[itemRng.int(ADJECTIVES.length)]} ${NOUNS[itemRng.int(NOUNS.length)]}${i % 7 === 0 ? ` ${1 + itemRng.int(3)}` : ''} (${year})`;
    return {
      id: i + 1,
      year,
      genres: [...genres],
      bias: itemRng.normal() * 0.45,
      factor: [itemRng.normal(), itemRng.normal(), itemRng.normal()],
      // log-normal popularity (many rarely rated items), slightly lower for the newest releases
      popularity: Math.exp(itemRng.normal() * 1.1 - Math.max(0, year - 1995) * 0.12),
      title,
      month: itemRng.int(12),
      day: 1 + itemRng.int(28),
    };
  });
  const totalPopularity = items.reduce((s, it) => s + it.popularity, 0);
  const cumulative = items.map(
    (
      (acc) => (it: { popularity: number }) =>
        (acc += it.popularity / totalPopularity)
    )(0),
  );
  // users
  const userRng = rng.fork('users');
  const start = 874724710; // a fixed epoch start (Sept 1997); two years of activity
  const span = 2 * 365 * 86400;
  const users = Array.from({ length: options.users }, (_, u) => {
    const age = Math.max(
      7,
      Math.min(73, Math.round(18 + Math.abs(userRng.normal()) * 15 + userRng.next() * 12)),
    );
    const gender = userRng.next() < 0.71 ? 'M' : 'F';
    const base = (age < 25 ? 0 : age < 40 ? 1 : 2) + (gender === 'F' ? 1 : 0);
    const group = userRng.next() < 0.8 ? base % 4 : userRng.int(4);
    const late = userRng.next() < 0.3;
    return {
      id: u + 1,
      age,
      gender,
      occupation: OCCUPATIONS[(group * 5 + userRng.int(8)) % OCCUPATIONS.length]!,
      zip: String(10000 + userRng.int(89999)),
      group,
      bias: userRng.normal() * 0.35,
      factor: [userRng.normal(), userRng.normal(), userRng.normal()],
      join: start + Math.floor((late ? 0.8 + 0.2 * userRng.next() : 0.78 * userRng.next()) * span),
      // late joiners have had less time to rate
      count:
        options.minRatings +
        Math.floor(
          Math.pow(userRng.next(), 1.3) * (options.maxRatings - options.minRatings) * (late ? 0.3 : 1),
        ),
    };
  });
  // ratings
  const lines: string[] = [];
  const ratingRng = rng.fork('ratings');
  for (const user of users) {
    const chosen = new Set<number>();
    let guard = 0;
    while (chosen.size < Math.min(user.count, items.length) && guard++ < user.count * 50) {
      const x = ratingRng.next();
      let lo = 0;
      let hi = items.length - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (cumulative[mid]! < x) lo = mid + 1;
        else hi = mid;
      }
      chosen.add(lo);
    }
    for (const i of chosen) {
      const item = items[i]!;
      const affinity = item.genres.reduce((s, g) => s + taste[user.group]![g]!, 0) / item.genres.length;
      const dot = user.factor.reduce((s, f, k) => s + f * item.factor[k]!, 0);
      const score = 3.5 + user.bias + item.bias + affinity + 0.15 * dot + ratingRng.normal() * 0.55;
      const rating = Math.max(1, Math.min(5, Math.round(score)));
      const time = user.join + Math.floor(ratingRng.next() * 40 * 86400);
      lines.push(`${user.id}\t${item.id}\t${rating}\t${time}`);
    }
  }
  // shuffle lines like u.data (not grouped)
  const order = Array.from({ length: lines.length }, (_, k) => k);
  const shuffleRng = rng.fork('order');
  for (let k = order.length - 1; k > 0; k--) {
    const j = shuffleRng.int(k + 1);
    [order[k], order[j]] = [order[j]!, order[k]!];
  }
  const itemLines = items.map((it) => {
    const flags = ML100K_GENRES.map((_, g) => (it.genres.includes(g) ? '1' : '0'));
    const date = `${String(it.day).padStart(2, '0')}-${MONTHS[it.month]}-${it.year}`;
    return [it.id, it.title, date, '', '', ...flags].join('|');
  });
  return {
    'u.data': order.map((k) => lines[k]).join('\n') + '\n',
    'u.item': itemLines.join('\n') + '\n',
    'u.user': users.map((u) => [u.id, u.age, u.gender, u.occupation, u.zip].join('|')).join('\n') + '\n',
    'u.genre': ML100K_GENRES.map((g, k) => `${g}|${k}`).join('\n') + '\n\n',
  };
}

/** The files of the synthetic dataset as bytes (what the loader reads). */
export function syntheticInputs(
  seed: number,
  options?: SyntheticOptions,
): { path: string; bytes: Uint8Array }[] {
  const files = generateSynthetic(seed, options);
  const encoder = new TextEncoder();
  return Object.entries(files).map(([name, text]) => ({ path: `demo/${name}`, bytes: encoder.encode(text) }));
}

/** Seed of the committed demo files (public/datasets/demo). */
export const DEMO_SEED = 20261123;
