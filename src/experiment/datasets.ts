/**
 * The datasets a spec may name: the staged MovieLens folders (under ../shared/datasets, or
 * METAREC_DATASETS; never committed), 'demo' (the synthetic dataset of src/data/synthetic.ts, the
 * same as public/datasets/demo), or a path to a folder or zip of any format data/detect.ts reads.
 * Plain data: loading is the caller's (src/cli/datasets.ts reads files; a browser worker would fetch).
 */
import type { TrainConfig } from '../config/experiment';

export interface NamedDataset {
  /** folders under the datasets root, read together (e.g. ml-1m and MeLU's split files) */
  readonly folders: readonly string[];
  readonly protocol: TrainConfig['protocol'];
  readonly label: string;
}

/** Named datasets: folders under ../shared/datasets (METAREC_DATASETS). */
export const DATASETS: Readonly<Record<string, NamedDataset>> = {
  'ml-100k': { folders: ['ml-100k'], protocol: 'melu', label: 'MovieLens 100K, protocol melu' },
  'ml-1m-published': {
    folders: ['ml-1m', 'ml-1m-melu'],
    protocol: 'published',
    label: "partial MovieLens 1M (users 1-2999), MeLU's published split",
  },
};

/** The synthetic demo dataset's name in a spec. */
export const DEMO = 'demo';

/** How a spec's dataset string is read. */
export type DatasetRef =
  | { readonly kind: 'named'; readonly name: string; readonly spec: NamedDataset }
  | { readonly kind: 'demo'; readonly name: string }
  | { readonly kind: 'path'; readonly name: string; readonly path: string };

/** A path is anything with a slash or a leading dot; other strings must be a DATASETS name or 'demo'. */
export const isPathLike = (text: string) => text.includes('/') || text.includes('\\') || text.startsWith('.');

/** The allowed values, for error messages. */
export const datasetChoices = () => [...Object.keys(DATASETS), DEMO, '<path to a folder or zip>'];

/** Reads a spec's dataset string; throws "Expected ..." with the allowed values for an unknown name. */
export function datasetRef(text: string): DatasetRef {
  const named = DATASETS[text];
  if (named) return { kind: 'named', name: text, spec: named };
  if (text === DEMO) return { kind: 'demo', name: text };
  if (isPathLike(text)) return { kind: 'path', name: text, path: text };
  throw new Error(`Unknown dataset '${text}'; expected one of ${datasetChoices().join(', ')}`);
}

/** The protocol a dataset is split with (a path or the demo: 'melu', unless the spec says otherwise). */
export function protocolOf(ref: DatasetRef): TrainConfig['protocol'] {
  return ref.kind === 'named' ? ref.spec.protocol : 'melu';
}

/** A table heading for a dataset. */
export function labelOf(ref: DatasetRef): string {
  if (ref.kind === 'named') return ref.spec.label;
  return ref.kind === 'demo' ? 'synthetic demo dataset (src/data/synthetic.ts)' : ref.path;
}
