// Where the staged MovieLens data lives. MovieLens may not be redistributed, so it is never in the repo:
// tests read it at run time from ../shared/datasets (override with METAREC_DATASETS) and skip with
// "skipped: no data" when it is absent.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { datasetsRoot } from '../../src/cli/datasets';

export { datasetsRoot };

/** Absolute path of one staged dataset folder, or null (and a "skipped: no data" line) when absent. */
export function stagedDataset(name: string): string | null {
  const path = join(datasetsRoot(), name);
  if (existsSync(path)) return path;
  console.log(`skipped: no data (${path} not found; set METAREC_DATASETS to the folder holding ${name})`);
  return null;
}
