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

/** Each task's slice of a record of [T, ...] tensors scaled to global norm <= clip (0 = off). */
function clipPerTask(record: UserNetRecord, clip: number): UserNetRecord {
  if (clip <= 0) return record;
  const squares = Object.values(record).map((g) => tf.sum(tf.square(tf.reshape(g, [g.shape[0]!, -1])), 1));
  const scale = tf.minimum(1, tf.div(clip, tf.add(tf.sqrt(tf.addN(squares)), 1e-12)));
  const out = {} as UserNetRecord;
  for (const key of USER_NET_KEYS) {
    const g = record[key];
    out[key] = tf.mul(g, tf.reshape(scale, [-1, ...g.shape.slice(1).map(() => 1)]));
  }
  return out;
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
    {
      profiles: r.profiles,
      userGradients: clipPerTask(r.userGradients, config.gradClip),
      muiUser: r.muiUser,
      muiItem: r.muiItem,
    },
    {
      profile: config.profileWriteRate,
      gradient: config.gradientWriteRate,
      preference: config.preferenceWriteRate,
    },
    config.memoryWrite,
  );
}
