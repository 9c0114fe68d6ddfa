/**
 * The non-meta row's configurations in child processes (experiment --processes n): a NonMetaPool
 * (experiment/nonMetaRow.ts) that keeps n children of this Node process (the same loader flags: tsx),
 * each of which loads the job's dataset once and trains the configurations it is handed one at a time.
 * A task goes down a child's stdin as one JSON line; its outcome comes back as one line on fd 3
 * (stdout stays free for the child's logs), in the number-keeping JSON of outcomeToJson. Why: the 12
 * configurations of protocol v1's grid are independent, and a job that runs alone on a machine with
 * several cores finishes sooner; the numbers are those of the sequential loop (nonMetaRow.ts says why).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Readable, Writable } from 'node:stream';
import {
  outcomeFromJson,
  outcomeToJson,
  type NonMetaOutcome,
  type NonMetaPool,
} from '../experiment/nonMetaRow';

const CHILD = fileURLToPath(new URL('./nonMetaChild.ts', import.meta.url));

interface Child {
  readonly process: ChildProcess;
  /** the next outcome line (or the child's end) */
  next(): Promise<string>;
}

function startChild(dataset: string, specDir: string): Child {
  const child = spawn(process.execPath, [...process.execArgv, CHILD, dataset, specDir], {
    stdio: ['pipe', 'inherit', 'inherit', 'pipe'],
  });
  const lines: string[] = [];
  const waiting: ((line: string) => void)[] = [];
  let ended: string | null = null;
  const deliver = (line: string) => {
    const w = waiting.shift();
    if (w) w(line);
    else lines.push(line);
  };
  createInterface({ input: child.stdio[3] as Readable }).on('line', deliver);
  child.on('exit', (code, signal) => {
    ended = `the non-meta child process ended (${signal ?? `exit code ${code}`})`;
    while (waiting.length) waiting.shift()!(JSON.stringify({ error: ended }));
  });
  return {
    process: child,
    next: () =>
      lines.length
        ? Promise.resolve(lines.shift()!)
        : ended
          ? Promise.resolve(JSON.stringify({ error: ended }))
          : new Promise((resolve) => waiting.push(resolve)),
  };
}

/** A pool of `processes` children for jobs on `dataset` (a spec's dataset name, resolved from specDir). */
export function childPool(processes: number, dataset: string, specDir: string): NonMetaPool {
  return async (tasks, done = () => {}) => {
    const out: NonMetaOutcome[] = new Array<NonMetaOutcome>(tasks.length);
    let next = 0;
    const children = Array.from({ length: Math.min(processes, tasks.length) }, () =>
      startChild(dataset, specDir),
    );
    try {
      await Promise.all(
        children.map(async (child) => {
          while (next < tasks.length) {
            const i = next++;
            (child.process.stdin as Writable).write(outcomeToJson(tasks[i]) + '\n');
            const reply = outcomeFromJson<NonMetaOutcome | { error: string }>(await child.next());
            if ('error' in reply)
              throw new Error(`non-meta ${JSON.stringify(tasks[i]!.settings)}: ${reply.error}`);
            out[i] = reply;
            done(i, reply);
          }
        }),
      );
      return out;
    } finally {
      for (const child of children) {
        (child.process.stdin as Writable).end();
        if (child.process.exitCode === null) child.process.kill();
      }
    }
  };
}
