// One load for bench/scale.ts, in its own process so that its peak RSS is its own:
// `npx tsx bench/scaleLoad.ts <path>` prints {count, ms, rssBeforeMB, peakRssMB, heapMB} as JSON.
import { loadPaths } from '../src/cli/readPaths';

const path = process.argv[2];
if (!path) throw new Error('Expected a path: npx tsx bench/scaleLoad.ts <folder or zip>');
const rssBeforeMB = process.memoryUsage().rss / 2 ** 20;
const t0 = performance.now();
const dataset = await loadPaths([path]);
const ms = performance.now() - t0;
console.log(
  JSON.stringify({
    count: dataset.ratings.count,
    users: dataset.users.count,
    items: dataset.items.count,
    format: dataset.format,
    scale: dataset.ratingScale,
    ms,
    rssBeforeMB,
    // resourceUsage().maxRSS is in kilobytes
    peakRssMB: process.resourceUsage().maxRSS / 1024,
    heapMB: process.memoryUsage().heapUsed / 2 ** 20,
  }),
);
