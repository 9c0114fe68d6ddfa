/**
 * The worker's data half: loading (replace, or add files to what is loaded), and splits. It owns the
 * loaded dataset and the source files it was read from, so "add files" re-reads the union (ml-1m, then
 * MeLU's split files as a second upload: one dataset of both). A failed load changes nothing: the
 * previous dataset and its files stay, and the page says so. No tfjs here.
 */
import type { Dataset } from '../data/dataset';
import { loadDataset } from '../data/detect';
import { toDataErrorInfo } from '../data/errors';
import { splitScenarios } from '../data/scenarios/split';
import { SCENARIOS, type ScenarioSplit } from '../data/scenarios/types';
import { readSource, type InputFile, type SourceFile } from '../data/source';
import { blobSource, bytesSource } from '../data/stream';
import { loadStreamed } from '../data/streamLoad';
import { summarizeDataset } from '../data/summary';
import { splitOptionsOf } from '../train/prepare';
import type { FromWorker, TestTaskIndex, ToWorker } from './protocol';

export interface DataEnvironment {
  /** The embedded demo dataset's files. */
  loadDemo(): Promise<InputFile[]>;
}

type Post = (message: FromWorker, transfer?: Transferable[]) => void;

/** Per scenario: raw user ids and support/query sizes of the test tasks (the Users panel's list). */
function testTaskIndex(dataset: Dataset, split: ScenarioSplit): TestTaskIndex {
  const out = {} as Record<string, TestTaskIndex[keyof TestTaskIndex]>;
  for (const s of SCENARIOS) {
    const set = split.test[s];
    const sizes = (offsets: Int32Array) =>
      Int32Array.from({ length: set.count }, (_, t) => offsets[t + 1]! - offsets[t]!);
    out[s] = {
      rawUserIds: Int32Array.from(set.users, (u) => dataset.users.rawIds[u]!),
      supportSizes: sizes(set.supportOffsets),
      querySizes: sizes(set.queryOffsets),
    };
  }
  return out as TestTaskIndex;
}

/**
 * The files of an "add": the loaded ones, with any of the same base name replaced by the new upload
 * (a corrected u.user replaces the old one, wherever either lived; within one upload the detector's
 * rule holds: the first of two same-named files wins, with a note).
 */
export function mergeFiles(loaded: readonly SourceFile[], added: readonly SourceFile[]): SourceFile[] {
  const names = new Set(added.map((f) => f.name));
  return [...loaded.filter((f) => !names.has(f.name)), ...added];
}

export function createDataLoader(post: Post, env: DataEnvironment) {
  let dataset: Dataset | null = null;
  let files: SourceFile[] = [];
  let demo = false;
  // the load in progress: the backend starts only after it (runController.ts), so tfjs's download and
  // evaluation never delay the first dataset's summary
  let loading: Promise<unknown> = Promise.resolve();

  async function load(msg: Extract<ToWorker, { type: 'load' }>): Promise<void> {
    const { source } = msg;
    const work = (async () => {
      try {
        const onProgress = (fraction: number, message: string) =>
          post({ type: 'loadProgress', requestId: msg.requestId, fraction, message });
        if (source.kind === 'files' && source.files.some((f) => 'blob' in f)) {
          // a large file: streamed from the File, under the browser's memory budget; not kept for "add"
          dataset = await loadStreamed(
            source.files.map((f) =>
              'blob' in f ? blobSource(f.blob, f.path) : bytesSource(f.path, new Uint8Array(f.bytes)),
            ),
            { onProgress },
          );
          files = [];
          demo = false;
          post({ type: 'loaded', requestId: msg.requestId, summary: summarizeDataset(dataset) });
          return;
        }
        const inputs =
          source.kind === 'demo'
            ? await env.loadDemo()
            : source.files.flatMap((f) =>
                'bytes' in f ? [{ path: f.path, bytes: new Uint8Array(f.bytes) }] : [],
              );
        const read = readSource(inputs);
        // adding to the demo makes no sense (synthetic ids would mix with MovieLens ids): it replaces
        const add = msg.mode === 'add' && source.kind === 'files' && !demo && dataset !== null;
        const combined = add ? mergeFiles(files, read) : read;
        const loaded = await loadDataset(combined, {
          name: source.kind === 'demo' ? 'synthetic demo' : undefined,
          onProgress,
        });
        dataset = loaded;
        files = combined;
        demo = source.kind === 'demo';
        post({ type: 'loaded', requestId: msg.requestId, summary: summarizeDataset(loaded) });
      } catch (e) {
        post({ type: 'loadFailed', requestId: msg.requestId, error: toDataErrorInfo(e) });
      }
    })();
    loading = work;
    return work;
  }

  function split(msg: Extract<ToWorker, { type: 'split' }>): void {
    try {
      if (!dataset) throw new Error('Load a dataset first.');
      // the same options a run of these settings splits with (train/prepare.ts)
      const options = splitOptionsOf({ newItemYear: msg.newItemYear, ...msg.sequence });
      const result = splitScenarios(dataset, msg.protocol, msg.seed, options);
      post({
        type: 'splitReady',
        requestId: msg.requestId,
        summary: result.summary,
        testTasks: testTaskIndex(dataset, result),
      });
    } catch (e) {
      post({ type: 'splitFailed', requestId: msg.requestId, error: toDataErrorInfo(e) });
    }
  }

  return {
    load,
    split,
    /** The loaded dataset (null before the first successful load). */
    dataset: () => dataset,
    /** Resolves when the load in progress (if any) has settled. */
    settled: () => loading,
  };
}

export type DataLoader = ReturnType<typeof createDataLoader>;
