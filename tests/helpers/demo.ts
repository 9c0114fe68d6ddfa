// The synthetic demo dataset, loaded through the normal parser path (memoised per test file).
import { loadDataset } from '../../src/data/detect';
import type { Dataset } from '../../src/data/dataset';
import { readSource } from '../../src/data/source';
import { DEMO_SEED, syntheticInputs } from '../../src/data/synthetic';

let demo: Promise<Dataset> | null = null;
export function demoDataset(): Promise<Dataset> {
  demo ??= loadDataset(readSource(syntheticInputs(DEMO_SEED)));
  return demo;
}
