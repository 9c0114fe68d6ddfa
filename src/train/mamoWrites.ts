/**
 * MAMO's memory bookkeeping around a meta-step (engine.ts): the writes after a meta-batch (Eqs 5, 6, 8,
 * models/memory.ts) with the per-task clip of the M_U writes, and the copy a supervised step keeps.
 */
import * as tf from '@tensorflow/tfjs';
import type { TrainConfig } from '../config/experiment';
import {
  USER_NET_KEYS,
  writeMemory,
  type MemoryState,
  type UserNetKey,
  type UserNetRecord,
} from '../models/memory';
import type { MamoMetaResult } from './mamoMeta';

/** A copy of every memory tensor (the state holder disposes the previous state's memory on commit). */
export function cloneMemory(m: MemoryState): MemoryState {
  const gradient = {} as Record<UserNetKey, tf.Tensor2D>;
  for (const key of USER_NET_KEYS) gradient[key] = tf.clone(m.gradient[key]);
  return {
    profile: tf.clone(m.profile),
    gradient,
    taskUser: tf.clone(m.taskUser),
    taskItem: tf.clone(m.taskItem),
  };
}

/**
 * The per-task clip as a scale [T, 1]: min(1, clip / |g_t|) over each task's slice of a record of
 * [T, ...] tensors (global norm of the task's slices); null when off (clip 0). writeMemory folds it
 * into the M_U write coefficients, so the gradients themselves are never rescaled.
 */
function clipScalePerTask(record: UserNetRecord, clip: number): tf.Tensor | null {
  if (clip <= 0) return null;
  const squares = Object.values(record).map((g) =>
    tf.sum(
      tf.square(g),
      g.shape.slice(1).map((_, i) => i + 1),
    ),
  );
  const scale = tf.minimum(1, tf.div(clip, tf.add(tf.sqrt(tf.addN(squares)), 1e-12)));
  return tf.reshape(scale, [-1, 1]);
}

/** What a meta-batch writes, per task in batch order (mamoMeta.ts MamoMetaResult's write ingredients). */
export type MamoWriteIngredients = Pick<
  MamoMetaResult,
  'attention' | 'profiles' | 'userGradients' | 'muiUser' | 'muiItem'
>;

/**
 * Eqs 5, 6, 8: the memory writes after a meta-batch, in task order (models/memory.ts): M_P with p_u,
 * M_U with each task's theta_u query gradient clipped to gradClip, M_UI with the adapted M_uI.
 */
export function writeAfterBatch(
  memory: MemoryState,
  r: MamoWriteIngredients,
  config: Pick<
    TrainConfig,
    'gradClip' | 'profileWriteRate' | 'gradientWriteRate' | 'preferenceWriteRate' | 'memoryWrite'
  >,
): MemoryState {
  return writeMemory(
    memory,
    r.attention,
    { profiles: r.profiles, userGradients: r.userGradients, muiUser: r.muiUser, muiItem: r.muiItem },
    {
      profile: config.profileWriteRate,
      gradient: config.gradientWriteRate,
      preference: config.preferenceWriteRate,
    },
    config.memoryWrite,
    clipScalePerTask(r.userGradients, config.gradClip) ?? undefined,
  );
}
