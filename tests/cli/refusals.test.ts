// The real `npm run cli -- train` refuses what it cannot do (exit 2, allowed values listed) before it
// loads any data or starts a backend; the pure parser (src/cli/args.test.ts) covers the other cases.
import { describe, expect, it } from 'vitest';
import { ROOT, runCli } from '../helpers/cli';

describe('npm run cli -- train refuses', () => {
  it.each([
    [['--model', 'sasrec'], 'Expected model to be one of mamo, melu, melo, mml, got "sasrec"'],
    [['--protocol', 'paper'], 'Expected protocol to be one of melu, mamo, published, sequence, got "paper"'],
    [['--preset', 'fast'], 'Unknown preset "fast" in the flag; expected one of melu-paper'],
    [['--backend', 'tpu'], 'Expected backend to be one of auto, webgpu, wasm, webgl, cpu, got "tpu"'],
    [['--epochz', '3'], 'Unknown flag --epochz for train; expected --data, --out, --verbose, --preset'],
  ])('%j', (args, message) => {
    const result = runCli(['train', '--data', 'no-such-folder', ...args]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stdout).not.toMatch(/backend|epoch \d/);
  });
});

describe('npm run cli -- train refuses data it cannot train on', () => {
  it('the published protocol without split files: exit 1, why, and what to add', () => {
    const result = runCli(['train', '--data', `${ROOT}/public/datasets/demo`, '--protocol', 'published']);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(
      "error: The published protocol needs MeLU's split files (user_cold_state.json, item_cold_state.json, user_and_item_cold_state.json and their _y partners): add them with another --data",
    );
  });
});
