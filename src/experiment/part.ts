/** What one job stores: its place in the spec, the resolved config, and its outcome (job.ts). */
import type { TrainConfig } from '../config/experiment';
import type { PerKindSeed } from './job';
import type { VariantSpec } from './spec';

export const PART_FORMAT = 'metarec-job-part/1';

export interface JobPart {
  readonly format: typeof PART_FORMAT;
  readonly index: number;
  readonly dataset: string;
  readonly datasetLabel: string;
  readonly variant: VariantSpec;
  /** the variant's config on this dataset before the seed's run settings (job.ts seedConfig) */
  readonly config: TrainConfig;
  readonly seed: number;
  /** epochs each network may train, pre-training included */
  readonly budget: number;
  /** YYYY-MM-DD of the run */
  readonly date: string;
  /** the commit the job ran on ("+changes" when src/ differed from it); absent in parts written before it was kept */
  readonly code?: string | null;
  readonly result: PerKindSeed;
}

/**
 * Whether a parsed file is a complete part of this job, run with the same variant and budget (a re-run
 * skips it; a part of an edited variant or budget is stale: re-run, and left out of a merge).
 */
export function isCompletePart(
  value: unknown,
  job: { dataset: string; variant: VariantSpec; seed: number },
  budget: number,
): value is JobPart {
  const p = value as Partial<JobPart> | null;
  return (
    !!p &&
    p.format === PART_FORMAT &&
    p.dataset === job.dataset &&
    p.seed === job.seed &&
    p.budget === budget &&
    JSON.stringify(p.variant) === JSON.stringify(job.variant) &&
    typeof p.result === 'object'
  );
}
