/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// Dawn (the `webgpu` npm package) finds a Vulkan driver through this variable. Debian's chromium ships
// SwiftShader's ICD; setting it here, in vitest's main process, reaches every test worker (docs/architecture.md).
process.env.VK_ICD_FILENAMES ??= '/usr/lib/chromium/vk_swiftshader_icd.json';

// Cross-origin isolation (COOP + COEP) gives the page SharedArrayBuffer, which tfjs-wasm's threaded SIMD
// build needs: without it the wasm backend runs on one thread. Static hosting must send the same two
// headers (README, "Hosting"). Everything the app loads is its own origin, so require-corp costs nothing.
const ISOLATION = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};
// The built app talks to its own origin only; tfjs-wasm compiles WebAssembly and starts its threads from
// blob: workers, Plotly sets inline styles. (Not in dev: Vite's hot reload injects inline scripts.)
const CSP = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval' blob:",
  "worker-src 'self' blob:",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self' data: blob:",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'none'",
].join('; ');

export default defineConfig({
  plugins: [react()],
  server: { headers: ISOLATION },
  preview: { headers: { ...ISOLATION, 'Content-Security-Policy': CSP } },
  worker: {
    format: 'es',
    rolldownOptions: {
      output: {
        // No renaming in the worker: tfjs-wasm's threaded build starts its pthread workers from the TEXT
        // of its module factory (Function.prototype.toString), which refers to itself by name; renamed,
        // that name is undefined there ("e is not defined") and the wasm backend never starts.
        minify: { compress: false, mangle: false },
      },
    },
  },
  build: {
    target: 'es2022',
    chunkSizeWarningLimit: 5000,
    reportCompressedSize: true,
    rolldownOptions: {
      output: {
        // tfjs and Plotly are big and not needed for the first screen: keep them in their own chunks.
        advancedChunks: {
          groups: [
            { name: 'plotly', test: /plotly\.js-basic-dist-min/ },
            { name: 'tfjs', test: /@tensorflow/ },
          ],
        },
      },
    },
  },
  test: {
    testTimeout: 120_000,
    hookTimeout: 120_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['src/**/*.test.ts', 'tests/**/*.test.ts'],
          exclude: ['tests/e2e/**'],
          setupFiles: ['tests/setup/webgpu.ts'],
          pool: 'forks',
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.e2e.ts'],
          pool: 'forks',
          fileParallelism: false,
        },
      },
    ],
  },
});
