/** The one-line name of a run that every exported figure carries under its title. */
import type { RunView } from './runState';

/** "MAMO · synthetic demo · melu protocol · seed 1 · wasm" (empty before a run). */
export function runCaption(run: RunView, datasetName = ''): string {
  if (!run.config) return '';
  const model = run.config.model === 'mamo' ? 'MAMO' : 'MeLU';
  const dataset = run.summary?.dataset ?? datasetName;
  return [
    model,
    dataset,
    `${run.config.protocol} protocol`,
    `seed ${run.config.seed}`,
    run.backend?.name ?? '',
  ]
    .filter(Boolean)
    .join(' · ');
}
