/**
 * The worker's side of the protocol, as plain async TypeScript (train.worker.ts is a thin adapter, and
 * tests drive this in Node without a Worker). Two jobs, two modules: dataLoader.ts owns the loaded
 * dataset (load, add files, split) and runController.ts owns the backend and the run (start, pause,
 * resume, stop, event batching, inspect, recommend, faults). This file only routes messages.
 */
import { assertNever } from '../lib/assert';
import { createDataLoader, type DataEnvironment } from './dataLoader';
import type { FromWorker, ToWorker } from './protocol';
import { createRunController, type RunEnvironment } from './runController';

export type HostEnvironment = DataEnvironment & RunEnvironment;

type Post = (message: FromWorker, transfer?: Transferable[]) => void;

export function createWorkerHost(post: Post, env: HostEnvironment) {
  const data = createDataLoader(post, env);
  const runs = createRunController(post, env, data);

  async function handle(msg: ToWorker): Promise<void> {
    switch (msg.type) {
      case 'init':
        return runs.init(msg.backend);
      case 'load':
        return data.load(msg);
      case 'split':
        return data.split(msg);
      case 'start':
        return runs.start(msg.runId, msg.config, msg.resume);
      case 'pause':
      case 'resume':
      case 'stop':
        return runs.control(msg);
      case 'inspect':
      case 'recommend':
        return runs.ask(msg);
      default:
        assertNever(msg);
    }
  }

  return { handle };
}
