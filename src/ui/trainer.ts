/** The training worker and its client, created once for the page (the only place that spawns it). */
import { createTrainerClient, type TrainerClient, type WorkerLike } from '../worker/client';

let client: TrainerClient | null = null;

export function trainerClient(): TrainerClient {
  client ??= createTrainerClient(
    new Worker(new URL('../worker/train.worker.ts', import.meta.url), {
      type: 'module',
    }) as unknown as WorkerLike,
  );
  return client;
}
