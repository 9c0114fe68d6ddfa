/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// Dawn (the `webgpu` npm package) finds a Vulkan driver through this variable. Debian's chromium ships
// SwiftShader's ICD; setting it here, in vitest's main process, reaches every test worker (docs/architecture.md).
process.env.VK_ICD_FILENAMES ??= '/usr/lib/chromium/vk_swiftshader_icd.json';

export default defineConfig({
  plugins: [react()],
  worker: { format: 'es' },
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
