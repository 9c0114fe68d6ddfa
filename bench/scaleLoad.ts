// One load for bench/scale.ts, in its own process so that its peak RSS is its own:
// `npx tsx bench/scaleLoad.ts <path>` prints {count, ms, rssBeforeMB, peakRssMB, heapMB} as JSON.
import { appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPaths } from '../src/cli/readPaths';

const path = process.argv[2];
if (!path) throw new Error('Expected a path: npx tsx bench/scaleLoad.ts <folder or zip>');
const rssBeforeMB = process.memoryUsage().rss / 2 ** 20;
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const dataset = await loadPaths([path]);
const ms = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
const row = JSON.stringify({
  count: dataset.ratings.count,
  users: dataset.users.count,
  items: dataset.items.count,
  format: dataset.format,
  scale: dataset.ratingScale,
  ms,
  // CPU time of this process (user + system): on a shared machine, the figure that wall time is not
  cpuMs: (cpu.user + cpu.system) / 1000,
  rssBeforeMB,
  // resourceUsage().maxRSS is in kilobytes
  peakRssMB: process.resourceUsage().maxRSS / 1024,
  heapMB: process.memoryUsage().heapUsed / 2 ** 20,
});
console.log(row);
// every row is also appended to BENCH_SCALE_LOG (default: metarec-bench-scale.jsonl in the temp dir)
appendFileSync(
  process.env.BENCH_SCALE_LOG ?? join(tmpdir(), 'metarec-bench-scale.jsonl'),
  `${path}\t${row}\n`,
);
