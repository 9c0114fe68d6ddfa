/**
 * A child of cli/nonMetaPool.ts: `node <loader flags> nonMetaChild.ts <dataset> <specDir>`. Loads the
 * dataset once, then for each task line on stdin trains that non-meta configuration on its own
 * (nonMetaConfiguration: its own selection, its picks' test scenarios) and writes the outcome as one
 * line on fd 3; a failure is written as {"error": ...}.
 */
import { createWriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { initBackend } from '../kernels/backend';
import { experimentInput } from '../experiment/headless';
import {
  nonMetaConfiguration,
  outcomeFromJson,
  outcomeToJson,
  type NonMetaTask,
} from '../experiment/nonMetaRow';
import { loadSpecDataset } from './datasets';

const [dataset, specDir] = process.argv.slice(2);
const results = createWriteStream('', { fd: 3 });
const send = (line: string) => new Promise<void>((resolve) => results.write(line + '\n', () => resolve()));
try {
  const data = await loadSpecDataset(dataset!, specDir);
  const backend = await initBackend('wasm');
  // the split and layout depend on the seed's config only: one per config
  const inputs = new Map<string, ReturnType<typeof experimentInput>>();
  for await (const line of createInterface({ input: process.stdin })) {
    try {
      const task = outcomeFromJson<NonMetaTask>(line);
      const key = outcomeToJson(task.config);
      let prepared = inputs.get(key);
      if (!prepared) inputs.set(key, (prepared = experimentInput(data, task.config, backend)));
      await send(outcomeToJson(await nonMetaConfiguration(prepared, task)));
    } catch (error) {
      await send(JSON.stringify({ error: error instanceof Error ? error.message : String(error) }));
    }
  }
} catch (error) {
  await send(JSON.stringify({ error: error instanceof Error ? error.message : String(error) }));
  process.exitCode = 1;
}
results.end();
