// strategy.ts is the one place that picks the meta-step plan: ragged wherever the segmented and row
// kernels exist (cpu, wasm, webgpu), algebraic or tile elsewhere. The worker's 'started' event carries
// this name (train/run.ts: engine.strategy), so on webgpu it says ragged.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { chooseStrategy, formOf, meluPlan } from './strategy';

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

describe('meluPlan: the layout and formulation a MeLU computation resolves to', () => {
  it('one unclipped local step is the one-step algebra on ragged or padded rows; otherwise per-task weights', () => {
    expect(meluPlan('ragged', 1)).toEqual({ layout: 'ragged', formulation: 'one-step algebra' });
    expect(meluPlan('ragged', 5)).toEqual({ layout: 'ragged', formulation: 'per-task weights' });
    expect(meluPlan('ragged', 1, true)).toEqual({ layout: 'ragged', formulation: 'per-task weights' });
    expect(meluPlan('algebraic', 1)).toEqual({ layout: 'padded', formulation: 'one-step algebra' });
    expect(meluPlan('algebraic', 2)).toEqual({ layout: 'padded', formulation: 'per-task weights' });
    expect(meluPlan('tile', 1)).toEqual({ layout: 'padded', formulation: 'per-task weights' });
    expect(meluPlan('loop', 1)).toEqual({ layout: 'loop', formulation: 'per-task weights' });
    expect([formOf('ragged'), formOf('tile'), formOf('loop')]).toEqual(['ragged', 'tile', 'tile']);
  });
});
