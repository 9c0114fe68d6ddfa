/**
 * The ablations of results protocol v1 (docs/protocol.md, section 3): a tuned variant with ONE of its
 * additions removed and nothing re-tuned. An ablation applies to the variant's resolved config (a
 * tuning file's `chosen`) and its selection options; when the chosen configuration does not hold the
 * addition, the ablation is not applicable and its job produces no row (the merged document says so).
 *
 * "No memory" (MAMO): K = 1 and tau = 0. theta_u = phi_u (the gradient memory M_U is not read), and the
 * one slot of M_UI is the same preference-matrix initialisation for every user (a shared running mean
 * of adapted M_uI, no per-user read); the network, local update and training are otherwise MAMO's.
 */
import type { TrainConfig } from '../config/experiment';
import type { SelectionRule } from './selection';

export const ABLATIONS = [
  'supervised',
  'learnedRates',
  'rateChoice',
  'perKind',
  'secondOrder',
  'weightDecay',
  'dropout',
  'resample',
  'paperWrite',
  'oneSlot',
  'noMemory',
] as const;
export type Ablation = (typeof ABLATIONS)[number];

/** What each ablation removes, as a table row says it ("without ..."). */
export const ABLATION_LABELS: Record<Ablation, string> = {
  supervised: 'supervised term and pre-training',
  learnedRates: 'learned local rates',
  rateChoice: 'test-time local-rate choice (the training rate instead)',
  perKind: 'per-item-kind checkpoints (one checkpoint by the mean of both kinds)',
  secondOrder: 'second order (first order instead)',
  weightDecay: 'weight decay',
  dropout: 'feature dropout',
  resample: 're-drawn tasks',
  paperWrite: "slot-gated memory writes (the paper's write rule instead)",
  oneSlot: 'memory slots (K = 1)',
  noMemory: 'memory (K = 1, tau = 0: no personalised initialisation)',
};

/** A variant's config and selection options, as a job runs them. */
export interface Resolved {
  readonly config: TrainConfig;
  readonly selection: SelectionRule;
  readonly chooseLocalRate: boolean;
}

/**
 * The selection options a job runs with: the variant's, except the two ablations that remove a
 * selection step (rateChoice: the training rate at evaluation; perKind: one checkpoint for both kinds).
 */
export function ablatedOptions<O extends Pick<Resolved, 'selection' | 'chooseLocalRate'>>(
  a: Ablation | undefined,
  o: O,
): O {
  if (a === 'rateChoice') return { ...o, chooseLocalRate: false };
  if (a === 'perKind') return { ...o, selection: 'single' };
  return o;
}

/**
 * The variant without the addition `a`, or the reason it does not apply (the chosen configuration
 * lacks the addition, or the model has no memory).
 */
export function ablate(a: Ablation, v: Resolved): Resolved | { notApplicable: string } {
  const c = v.config;
  const mamo = c.model === 'mamo';
  const with_ = (config: Partial<TrainConfig>, options: Partial<Resolved> = {}): Resolved => ({
    ...v,
    ...options,
    config: { ...c, ...config },
  });
  const lacks = (what: string) => ({ notApplicable: `the chosen configuration has no ${what}` });
  switch (a) {
    case 'supervised':
      return c.supervisedWeight > 0 || c.pretrainEpochs > 0
        ? with_({ supervisedWeight: 0, pretrainEpochs: 0 })
        : lacks('supervised term or pre-training');
    case 'learnedRates':
      return c.localRateLr > 0 ? with_({ localRateLr: 0 }) : lacks('learned local rates');
    case 'rateChoice':
      return v.chooseLocalRate ? with_({}, ablatedOptions(a, v)) : lacks('test-time rate choice');
    case 'perKind':
      return v.selection === 'per-kind' ? with_({}, ablatedOptions(a, v)) : lacks('per-kind checkpoints');
    case 'secondOrder':
      return c.metaOrder === 'second-order' ? with_({ metaOrder: 'first-order' }) : lacks('second order');
    case 'weightDecay':
      return c.weightDecay > 0 ? with_({ weightDecay: 0 }) : lacks('weight decay');
    case 'dropout':
      return c.featureDropout > 0 ? with_({ featureDropout: 0 }) : lacks('feature dropout');
    case 'resample':
      return c.resampleTasks ? with_({ resampleTasks: false }) : lacks('re-drawn tasks');
    case 'paperWrite':
      if (!mamo) return { notApplicable: 'MeLU has no memory' };
      return c.memoryWrite !== 'paper' ? with_({ memoryWrite: 'paper' }) : lacks('slot-gated writes');
    case 'oneSlot':
      if (!mamo) return { notApplicable: 'MeLU has no memory' };
      return c.memorySlots > 1 ? with_({ memorySlots: 1 }) : lacks('second memory slot');
    case 'noMemory':
      if (!mamo) return { notApplicable: 'MeLU has no memory' };
      return with_({ memorySlots: 1, personalInitScale: 0 });
  }
}
