// One bench measurement in its own Node process (its peak RSS is its own): runs `npx tsx bench/<script>`
// with the arguments and returns the JSON object its last output line holds.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..');
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');

export function runJson<T>(
  script: string,
  args: readonly string[],
  timeoutMs: number,
  env?: NodeJS.ProcessEnv,
): T {
  const out = execFileSync(TSX, [join(ROOT, 'bench', script), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: timeoutMs,
    env: env ?? process.env,
  });
  return JSON.parse(out.trim().split('\n').pop()!) as T;
}

/** The first line of an error's message (a failed child's row in a table). */
export const firstLine = (e: unknown): string => (e instanceof Error ? e.message.split('\n')[0]! : String(e));
