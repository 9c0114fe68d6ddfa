// 'auto' on a hardware WebGPU adapter keeps the faster of webgpu and wasm, by measured meta-steps/s.
import { describe, expect, it } from 'vitest';
import type { AdapterDescription, BackendName } from './backend';
import { backendsToMeasure, chooseAutoBackend, resolveAutoBackend, withDecision } from './autoBackend';

const hardware: AdapterDescription = {
  vendor: 'nvidia',
  architecture: 'hopper',
  device: '',
  description: 'NVIDIA H100',
  isFallbackAdapter: false,
};
const software: AdapterDescription = {
  ...hardware,
  vendor: 'google',
  architecture: 'swiftshader',
  isFallbackAdapter: true,
};

describe('chooseAutoBackend', () => {
  it('measures only on a hardware adapter', () => {
    expect(backendsToMeasure(hardware)).toEqual(['webgpu', 'wasm']);
    expect(backendsToMeasure(software)).toEqual([]);
    expect(backendsToMeasure(null)).toEqual([]);
    expect(chooseAutoBackend(software, []).name).toBe('wasm');
    expect(chooseAutoBackend(software, []).why).toContain('software');
    expect(chooseAutoBackend(null, []).why).toContain('no WebGPU adapter');
  });

  it('keeps the faster backend and says so with the measured steps/s', () => {
    const gpuWins = chooseAutoBackend(hardware, [
      { backend: 'webgpu', stepsPerSecond: 42.04 },
      { backend: 'wasm', stepsPerSecond: 6.5 },
    ]);
    expect(gpuWins.name).toBe('webgpu');
    expect(gpuWins.why).toBe(
      'auto: webgpu, faster on nvidia hopper (measured webgpu 42.0 steps/s, wasm 6.5 steps/s)',
    );
    const cpuWins = chooseAutoBackend(hardware, [
      { backend: 'webgpu', stepsPerSecond: 3 },
      { backend: 'wasm', stepsPerSecond: 9 },
    ]);
    expect(cpuWins.name).toBe('wasm');
    expect(cpuWins.why).toContain('faster than webgpu here');
    // within 5%: wasm
    const tie = chooseAutoBackend(hardware, [
      { backend: 'webgpu', stepsPerSecond: 10.3 },
      { backend: 'wasm', stepsPerSecond: 10 },
    ]);
    expect(tie.name).toBe('wasm');
    expect(tie.why).toContain('within 5%');
  });

  it('never picks a backend whose trial failed', () => {
    const gpuFailed = chooseAutoBackend(hardware, [
      { backend: 'webgpu', stepsPerSecond: null, error: 'device lost' },
      { backend: 'wasm', stepsPerSecond: 5 },
    ]);
    expect(gpuFailed.name).toBe('wasm');
    expect(gpuFailed.why).toContain('webgpu failed (device lost)');
    const cpuFailed = chooseAutoBackend(hardware, [
      { backend: 'webgpu', stepsPerSecond: 5 },
      { backend: 'wasm', stepsPerSecond: null, error: 'no SIMD' },
    ]);
    expect(cpuFailed.name).toBe('webgpu');
  });
});

describe('resolveAutoBackend', () => {
  it('times each backend after switching to it, then switches to the winner', async () => {
    const used: BackendName[] = [];
    let current: BackendName = 'cpu';
    const speed: Partial<Record<BackendName, number>> = { webgpu: 20, wasm: 8 };
    const decision = await resolveAutoBackend(
      hardware,
      async (name) => {
        used.push(name);
        current = name;
      },
      async () => speed[current]!,
    );
    expect(used).toEqual(['webgpu', 'wasm', 'webgpu']);
    expect(decision.name).toBe('webgpu');
    expect(decision.trials.map((t) => t.stepsPerSecond)).toEqual([20, 8]);
    const info = withDecision(
      { name: 'webgpu', requested: 'auto', adapter: hardware, fallbacks: [], why: 'auto: first that works' },
      decision,
    );
    expect(info).toMatchObject({ name: 'webgpu', why: decision.why, trials: decision.trials });
  });

  it('records a trial that throws, and does nothing on a software adapter', async () => {
    const failing = await resolveAutoBackend(
      hardware,
      async (name) => {
        if (name === 'webgpu') throw new Error('requestDevice failed');
      },
      async () => 4,
    );
    expect(failing.name).toBe('wasm');
    expect(failing.trials[0]).toEqual({
      backend: 'webgpu',
      stepsPerSecond: null,
      error: 'requestDevice failed',
    });
    let calls = 0;
    const skipped = await resolveAutoBackend(
      software,
      async () => void calls++,
      async () => 1,
    );
    expect(calls).toBe(0);
    expect(skipped.name).toBe('wasm');
  });
});
