// strategy.ts is the one place that picks the meta-step plan: ragged wherever the segmented and row
// kernels exist (cpu, wasm, webgpu), algebraic or tile elsewhere. The worker's 'started' event carries
// this name (train/run.ts: engine.strategy), so on webgpu it says ragged.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { chooseStrategy } from './strategy';

beforeAll(async () => {
  expect(await tf.setBackend('wasm')).toBe(true);
});

describe('chooseStrategy', () => {
  it('picks the ragged plan on webgpu, wasm and cpu, for MeLU (any local steps) and MAMO', () => {
    for (const backend of ['webgpu', 'wasm', 'cpu'] as const)
      for (const steps of [1, 5]) {
        expect(chooseStrategy('melu', backend, steps)).toBe('ragged');
        expect(chooseStrategy('mamo', backend, steps)).toBe('ragged');
      }
  });

  it('falls back where the kernels do not exist (webgl): algebraic for one MeLU step, else tile', () => {
    expect(chooseStrategy('melu', 'webgl', 1)).toBe('algebraic');
    expect(chooseStrategy('melu', 'webgl', 5)).toBe('tile');
    expect(chooseStrategy('mamo', 'webgl', 1)).toBe('tile');
  });
});
