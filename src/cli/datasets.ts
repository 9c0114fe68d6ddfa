/**
 * Node only: loading a spec's datasets and variants' base configs from files. Staged MovieLens lives in
 * ../shared/datasets (METAREC_DATASETS overrides it; never committed); 'demo' is generated in memory
 * from src/data/synthetic.ts (the same data as public/datasets/demo); a path is read as given.
 */
import { migrateKeys } from '../config/migrations';
import { ablate, type Resolved } from '../experiment/ablation';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_CONFIG, type TrainConfig } from '../config/experiment';
import { PRESETS } from '../config/presets';
import type { Dataset } from '../data/dataset';
import { loadDataset } from '../data/detect';
import { readSource } from '../data/source';
import { DEMO_SEED, syntheticInputs } from '../data/synthetic';
import { DATASETS, datasetRef, type NamedDataset } from '../experiment/datasets';
import type { VariantSpec } from '../experiment/spec';
import { readPaths } from './readPaths';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Absolute path of the datasets folder (METAREC_DATASETS or ../shared/datasets next to the repo). */
export function datasetsRoot(): string {
  return resolve(process.env.METAREC_DATASETS ?? join(repoRoot, '..', 'shared', 'datasets'));
}

const cache = new Map<string, Promise<Dataset>>();

/** A spec's dataset (a DATASETS name, 'demo' or a path, relative to `baseDir`), loaded once per process. */
export function loadSpecDataset(text: string, baseDir = process.cwd()): Promise<Dataset> {
  const ref = datasetRef(text);
  const key = ref.kind === 'path' ? resolve(baseDir, ref.path) : ref.name;
  if (!cache.has(key))
    cache.set(
      key,
      loadDataset(
        readSource(
          ref.kind === 'named'
            ? readPaths(ref.spec.folders.map((f) => join(datasetsRoot(), f)))
            : ref.kind === 'demo'
              ? syntheticInputs(DEMO_SEED)
              : readPaths([key]),
        ),
      ),
    );
  return cache.get(key)!;
}

/** A staged dataset by name (bench scripts, npm run results and npm run tune). */
export const loadNamed = (name: string) => loadSpecDataset(name);

/** The tuning file of a staged dataset and model: docs/tuning/<dataset>-<model>.json. */
export const tuningFile = (dataset: string, model: string) =>
  join(repoRoot, 'docs', 'tuning', `${dataset}-${model}.json`);

/** The `chosen` settings of a tuning file (npm run tune writes them). */
export function readTuningChosen(file: string): Partial<TrainConfig> {
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as { chosen?: Partial<TrainConfig> };
  if (!parsed.chosen) throw new Error(`Expected a tuning result with "chosen" settings in ${file}`);
  return migrateKeys(parsed.chosen);
}

/**
 * A dataset's protocol spec and the tuned config of docs/tuning/<name>-<model>.json with that protocol:
 * the starting point of bench/perKind.ts, bench/kindCurves.ts and bench/nonMetaBudget.ts.
 */
export function tunedBase(name: string, model: string): { spec: NamedDataset; base: TrainConfig } {
  const spec = DATASETS[name];
  if (!spec) throw new Error(`Unknown dataset ${name}; expected one of ${Object.keys(DATASETS).join(', ')}`);
  return {
    spec,
    base: { ...DEFAULT_CONFIG, ...readTuningChosen(tuningFile(name, model)), protocol: spec.protocol },
  };
}

/**
 * A variant's config on a dataset: the defaults, then its preset's values or its tuning file's chosen
 * settings ("{dataset}" in the path is replaced by the dataset's name; relative to `baseDir`), then its
 * overrides, with the dataset's protocol.
 */
/**
 * A job's variant as it runs: variantConfig, then the variant's ablation (experiment/ablation.ts) over
 * that config and its selection options; { notApplicable } when the chosen config lacks the addition.
 */
export function resolveVariant(
  variant: VariantSpec,
  dataset: string,
  protocol: TrainConfig['protocol'],
  baseDir: string,
): Resolved | { notApplicable: string } {
  const resolved: Resolved = {
    config: variantConfig(variant, dataset, protocol, baseDir),
    selection: variant.selection,
    chooseLocalRate: variant.chooseLocalRate,
  };
  return variant.ablate ? ablate(variant.ablate, resolved) : resolved;
}

export function variantConfig(
  variant: VariantSpec,
  dataset: string,
  protocol: TrainConfig['protocol'],
  baseDir: string,
): TrainConfig {
  const base = variant.preset
    ? PRESETS[variant.preset].values
    : readTuningChosen(resolve(baseDir, variant.tuning!.replaceAll('{dataset}', dataset)));
  return { ...DEFAULT_CONFIG, ...base, ...variant.overrides, protocol };
}
