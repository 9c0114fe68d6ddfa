// Every case of the malformed-input table through both loaders: the CLI's (files on disk -> loadPaths,
// what `cli inspect` and `cli train` call) and the browser's (File objects -> ui/panels/files.ts
// readFiles -> the worker host's 'load', exactly the upload path). Each must fail with the table's
// message, and in the browser the dataset loaded before must stay loaded.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadPaths } from '../../src/cli/readPaths';
import { DEMO_SEED, syntheticInputs } from '../../src/data/synthetic';
import { readFiles } from '../../src/ui/panels/files';
import { createWorkerHost } from '../../src/worker/host';
import type { FromWorker, RequestId } from '../../src/worker/protocol';
import { writeCase } from '../helpers/cli';
import { MALFORMED } from './malformed.table';

const root = mkdtempSync(join(tmpdir(), 'malformed-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('the malformed-input table', () => {
  it('has at least 60 cases with distinct names', () => {
    expect(MALFORMED.length).toBeGreaterThanOrEqual(60);
    expect(new Set(MALFORMED.map((c) => c.name)).size).toBe(MALFORMED.length);
  });
});

describe('through the CLI loader (files on disk)', () => {
  it.each(MALFORMED.map((c, i) => [c.name, c, i] as const))('%s', async (_name, c, i) => {
    const error = await loadPaths(writeCase(c.files, join(root, `case-${i}`))).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error, 'the load should fail').toBeInstanceOf(Error);
    expect((error as Error).message).toContain(c.message);
  });
});

describe('through the browser loader (File objects -> the worker host)', () => {
  const messages: FromWorker[] = [];
  const host = createWorkerHost((m) => messages.push(m), {
    initBackend: () => Promise.reject(new Error('no backend in this test')),
    loadDemo: async () => syntheticInputs(DEMO_SEED),
  });
  let request = 1;
  const answer = (id: number) =>
    messages.find((m) => (m.type === 'loaded' || m.type === 'loadFailed') && m.requestId === id);

  it.each(MALFORMED.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    if (request === 1) {
      await host.handle({ type: 'load', requestId: request as RequestId, source: { kind: 'demo' } });
      expect(answer(request)?.type).toBe('loaded');
    }
    // what the file picker gives: File objects named by their base name
    const files = c.files.map(
      (f) => new File([f.bytes.slice().buffer as ArrayBuffer], f.path.split('/').pop()!),
    );
    const picked = await readFiles(files);
    const id = ++request;
    await host.handle({ type: 'load', requestId: id as RequestId, source: { kind: 'files', files: picked } });
    const reply = answer(id);
    expect(reply?.type).toBe('loadFailed');
    expect(reply?.type === 'loadFailed' && reply.error.message).toContain(c.message);
    // the demo is still the dataset: a split of it still works
    await host.handle({
      type: 'split',
      requestId: (id + 10_000) as RequestId,
      protocol: 'melu',
      seed: 1,
      newItemYear: 0,
    });
    const split = messages.find((m) => m.type === 'splitReady' && m.requestId === id + 10_000);
    expect(split?.type === 'splitReady' && split.summary.test.warm.tasks).toBeGreaterThan(0);
  });
});
