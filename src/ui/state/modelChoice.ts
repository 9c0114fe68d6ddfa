/**
 * The model picker's rules (pure): which presets belong to MELO and MML and what each does in one line,
 * what choosing a model changes (MELO and MML bring the sequence protocol, and say so), and why a model and a
 * protocol do not go together (the page shows it and keeps Train disabled; nothing is changed silently).
 */
import { CONFIG_TABLE, type TrainConfig } from '../../config/experiment';
import type { PresetName } from '../../config/presets';

type Model = TrainConfig['model'];
type Protocol = TrainConfig['protocol'];

/** MELO's presets, in the order the picker lists them, each with its one-line explanation. */
export const MELO_PRESETS: readonly { readonly name: PresetName; readonly line: string }[] = [
  {
    name: 'melo',
    line: "MELO: an LSTM over each user's support ratings weighs every rating's loss in the local steps; per-layer, per-step learned local rates (MAML++).",
  },
  {
    name: 'melo-mlp',
    line: 'MELO ablation: an MLP over (mean, std, rating, prediction, loss) weighs the support loss instead of the LSTM.',
  },
  {
    name: 'maml-sequence',
    line: "MELO's MAML column: the same MAML++ with learned rates, a plain (unweighted) support loss.",
  },
  {
    name: 'melo-gru',
    line: 'MELO over a GRU backbone (2 stacked GRU layers) instead of the attention blocks: our variant, not the paper’s.',
  },
  {
    name: 'sequence-basic',
    line: "MELO's Basic column: the backbone trained on every position; no meta-learning, no local steps.",
  },
];

/** MML's presets, in the order the picker lists them, each with its one-line explanation. */
export const MML_PRESETS: readonly { readonly name: PresetName; readonly line: string }[] = [
  {
    name: 'mml',
    line: 'MML: ID and text meta-learners fused per user (adaptive weights), new items from a text-neighbour generator.',
  },
  {
    name: 'mml-id',
    line: 'MML ablation: the ID meta-learner alone (with the generator): what fusion must beat.',
  },
  {
    name: 'mml-text',
    line: 'MML ablation: the text meta-learner alone (items as projected text embeddings).',
  },
];

/** Models that train on time-ordered sequences only, with the reason the note and the warning give. */
const SEQUENCE_MODELS: Partial<Record<Model, { name: string; why: string }>> = {
  melo: { name: 'MELO', why: "trains on each user's time-ordered ratings" },
  mml: { name: 'MML', why: "ranks each user's next item from their time-ordered history" },
};

/** The protocol's name as the form shows it. */
export function protocolLabel(protocol: Protocol): string {
  const field = CONFIG_TABLE.protocol;
  return field.optionLabels?.[field.options.indexOf(protocol)] ?? protocol;
}

/** Why this model cannot run on this protocol, in a sentence to act on; null when it can. */
export function modelProtocolProblem(config: Pick<TrainConfig, 'model' | 'protocol'>): string | null {
  if (config.model === 'melo' && config.protocol !== 'sequence')
    return `MELO reads each user's ratings as a time-ordered sequence, which only the sequence protocol builds; the ${protocolLabel(config.protocol)} protocol has none. Choose the protocol "${protocolLabel('sequence')}", or another model.`;
  if (config.model === 'mml' && config.protocol !== 'sequence')
    return `MML ranks each user's next item from a time-ordered history, which only the sequence protocol builds; the ${protocolLabel(config.protocol)} protocol has none. Choose the protocol "${protocolLabel('sequence')}", or another model.`;
  return null;
}

/**
 * The configuration after choosing `model` in the picker, and a note saying what else changed: MELO
 * and MML switch the protocol to `sequence` (their only protocol). Other models keep the protocol (each
 * runs on every protocol).
 */
export function chooseModel(config: TrainConfig, model: Model): { config: TrainConfig; note: string | null } {
  const sequential = SEQUENCE_MODELS[model];
  if (sequential && config.protocol !== 'sequence')
    return {
      config: { ...config, model, protocol: 'sequence' },
      note: `Protocol switched from "${protocolLabel(config.protocol)}" to "${protocolLabel('sequence')}": ${sequential.name} ${sequential.why}, which only that protocol builds.`,
    };
  return { config: { ...config, model }, note: null };
}
