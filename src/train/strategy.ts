/**
 * Which meta-step formulation runs on which backend: the one place that decides (design.md). The
 * choices follow `npm run bench` (docs/results.md, "meta-step strategies"): every strategy computes the
 * same numbers (tests), only speed differs.
 */
import type { TrainConfig } from '../config/experiment';
import type { BackendName } from '../kernels/backend';
import type { MamoStrategy } from './mamoMeta';
import type { MeluStrategy } from './meluMeta';

export function chooseStrategy(
  model: TrainConfig['model'],
  _backend: BackendName,
  innerSteps: number,
): MeluStrategy | MamoStrategy {
  if (model === 'melu')
    return innerSteps === 1 ? 'algebraic' : _backend === 'wasm' || _backend === 'cpu' ? 'loop' : 'tile';
  return 'tile';
}
