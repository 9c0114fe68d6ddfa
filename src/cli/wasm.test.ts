// The committed kernels binary is the .wat source assembled (`npm run wasm` regenerates it): nobody edits
// one without the other. And the binary is what simdWasm.ts instantiates (same exports, validates).
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { assembleKernels, GENERATED, renderGenerated } from './wasm';

it('src/kernels/simd/kernelsWasm.generated.ts is kernels.wat assembled (else run `npm run wasm`)', async () => {
  const [plain, shared] = [await assembleKernels(), await assembleKernels(true)];
  expect(readFileSync(GENERATED, 'utf8')).toBe(renderGenerated(plain, shared));
  for (const bytes of [plain, shared]) {
    const module = new WebAssembly.Module(bytes);
    expect(WebAssembly.Module.exports(module).map((e) => e.name)).toEqual([
      'segment',
      'bag',
      'leaky',
      'adam',
      'sgd',
    ]);
    expect(WebAssembly.Module.imports(module)).toEqual([{ module: 'env', name: 'memory', kind: 'memory' }]);
  }
  // each links against its kind of memory only
  const memory = new WebAssembly.Memory({ initial: 1 });
  const sharedMemory = new WebAssembly.Memory({ initial: 1, maximum: 16, shared: true });
  expect(() => new WebAssembly.Instance(new WebAssembly.Module(plain), { env: { memory } })).not.toThrow();
  expect(
    () => new WebAssembly.Instance(new WebAssembly.Module(shared), { env: { memory: sharedMemory } }),
  ).not.toThrow();
  expect(
    () => new WebAssembly.Instance(new WebAssembly.Module(plain), { env: { memory: sharedMemory } }),
  ).toThrow();
});
