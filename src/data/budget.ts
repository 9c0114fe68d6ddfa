/**
 * How many ratings this machine can hold: the large MovieLens sets are refused only when the columnar
 * form's estimated size exceeds a budget derived from the memory the platform reports, never by a fixed
 * file size. Pure: the caller passes what it knows (browser: navigator.deviceMemory and Chrome's
 * performance.memory, read here from globalThis; Node: os.totalmem(), passed in by src/cli).
 */
import { DataError } from './errors';

export interface MemoryBudget {
  /** Bytes the dataset may take. */
  readonly bytes: number;
  /** Where the figure comes from, for messages ("half of navigator.deviceMemory = 8 GB"). */
  readonly source: string;
}

/**
 * Peak bytes per rating from parsing to the assembled Dataset: the parser's columns (user, item, line
 * and value 4 bytes each, time 8 = 24, with up to ~1.3x slack from the size estimate and doubling)
 * plus assembly (index columns 8, flags 1, order and grouping 8, output 20 = 37). bench/scale.ts
 * measures the real figure (docs/scale.md).
 */
export const BYTES_PER_RATING = 72;

/** The budget when the platform reports nothing (Firefox, Safari): 2 GB, what a 64-bit tab can count on. */
export const DEFAULT_BUDGET: MemoryBudget = {
  bytes: 2 * 1024 ** 3,
  source: 'the default for browsers that report no memory',
};

const GB = 1024 ** 3;
const gigabytes = (n: number) => `${(n / GB).toFixed(1)} GB`;

/** Half of the machine's memory (Node: os.totalmem()). */
export function budgetFromTotal(totalBytes: number, what: string): MemoryBudget {
  return { bytes: totalBytes / 2, source: `half of ${what} = ${gigabytes(totalBytes)}` };
}

interface BrowserMemory {
  readonly navigator?: { readonly deviceMemory?: number };
  readonly performance?: { readonly memory?: { readonly jsHeapSizeLimit?: number } };
}

/**
 * The browser's budget: half of navigator.deviceMemory (GB, Chrome rounds it down and caps it at 8),
 * and, where Chrome reports it, no more than performance.memory.jsHeapSizeLimit; else DEFAULT_BUDGET.
 */
export function browserBudget(env: BrowserMemory = globalThis as BrowserMemory): MemoryBudget {
  const device = env.navigator?.deviceMemory;
  const heap = env.performance?.memory?.jsHeapSizeLimit;
  const candidates: MemoryBudget[] = [];
  if (typeof device === 'number' && device > 0)
    candidates.push(budgetFromTotal(device * GB, 'navigator.deviceMemory'));
  if (typeof heap === 'number' && heap > 0)
    candidates.push({ bytes: heap, source: `performance.memory.jsHeapSizeLimit = ${gigabytes(heap)}` });
  if (!candidates.length) return DEFAULT_BUDGET;
  return candidates.reduce((a, b) => (b.bytes < a.bytes ? b : a));
}

/**
 * The number of ratings in a file of `size` bytes, from the mean line length of its first bytes
 * (`head`, whole lines only); rounded up by 5% so that a file with longer lines later is not
 * under-estimated by much.
 */
export function estimateRatings(size: number, head: Uint8Array): number {
  let lines = 0;
  let last = -1;
  for (let i = 0; i < head.length; i++)
    if (head[i] === 10) {
      lines++;
      last = i;
    }
  const meanLine = lines ? (last + 1) / lines : 24;
  return Math.ceil((size / meanLine) * 1.05);
}

/** Throws the 'too-large' error when `ratings` ratings would not fit the budget. */
export function checkRatingsFit(file: string, ratings: number, budget: MemoryBudget): void {
  const needed = ratings * BYTES_PER_RATING;
  if (needed <= budget.bytes) return;
  const millions = (ratings / 1e6).toFixed(1);
  throw new DataError(
    'too-large',
    `${file} holds about ${millions} million ratings, which need about ${gigabytes(needed)} in memory (${BYTES_PER_RATING} bytes each), more than the ${gigabytes(budget.bytes)} budget (${budget.source}). Use a machine with more memory, or the command line (npm run cli), whose budget is half of the machine's memory.`,
    {
      file,
      line: 0,
      expected: `at most ${gigabytes(budget.bytes)} of ratings`,
      got: `about ${millions}M ratings`,
    },
  );
}
