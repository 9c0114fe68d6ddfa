// `npm run bench`: speed and memory figures, printed (never asserted in tests). Each meta-step
// configuration runs in its own process, so its peak RSS is its own. BENCH_WEBGPU=1 adds WebGPU in Node
// (Dawn + SwiftShader here: a correctness path, 60-90x slower than wasm on a machine without a GPU).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { benchParse } from './parse';

const ROOT = join(import.meta.dirname, '..');
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');

interface Row {
  label: string;
  tasksPerSecond: number;
  msPerStep: number;
  kernels: number;
  peakMB: number;
  peakRssMB: number;
  source: string;
}

function run(model: string, strategy: string, backend: string, steps: number): Row | string {
  try {
    const out = execFileSync(
      TSX,
      [join(ROOT, 'bench', 'metaStep.ts'), model, strategy, backend, String(steps)],
      {
        cwd: ROOT,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: 600_000,
      },
    );
    return JSON.parse(out.trim().split('\n').pop()!) as Row;
  } catch (e) {
    return `${model} ${strategy} ${backend}: failed (${e instanceof Error ? e.message.split('\n')[0] : String(e)})`;
  }
}

console.log('# MetaRec Lab bench');
console.log(`node ${process.version}; ${new Date().toISOString()}`);
console.log('\n## Parsing');
for (const line of await benchParse()) console.log(line);

console.log('\n## Meta-training (MeLU paper and MAMO paper presets: batch 32, 1 local step, first order)');
const configs: [string, string, string, number][] = [
  ['melu', 'algebraic', 'wasm', 30],
  ['melu', 'tile', 'wasm', 15],
  ['melu', 'loop', 'wasm', 15],
  ['mamo', 'tile', 'wasm', 20],
  ['mamo', 'loop', 'wasm', 8],
  ['melu', 'algebraic', 'cpu', 8],
  ['melu', 'loop', 'cpu', 5],
  ['mamo', 'tile', 'cpu', 5],
];
if (process.env.BENCH_WEBGPU === '1')
  configs.push(['melu', 'algebraic', 'webgpu', 3], ['mamo', 'tile', 'webgpu', 3]);
let source = '';
console.log(
  '| model | strategy | backend | tasks/s | ms/step | tfjs kernels/step | step peak (tf.profile) MB | process peak RSS MB |',
);
console.log('|---|---|---|---|---|---|---|---|');
for (const [model, strategy, backend, steps] of configs) {
  const r = run(model, strategy, backend, steps);
  if (typeof r === 'string') {
    console.log(`| ${model} | ${strategy} | ${backend} | ${r} |||||`);
    continue;
  }
  source = r.source;
  console.log(
    `| ${model} | ${strategy} | ${backend} | ${r.tasksPerSecond.toFixed(0)} | ${r.msPerStep.toFixed(1)} | ${r.kernels} | ${r.peakMB.toFixed(1)} | ${r.peakRssMB.toFixed(0)} |`,
  );
}
console.log(`data: ${source}`);
console.log(
  'targets (issue): MeLU >= 1,600 tasks/s, MAMO >= 250 tasks/s on wasm in Node; peak memory <= 500 MB.',
);

console.log('\n## Browser (from the last end-to-end run)');
const browser = join(ROOT, 'tests', 'e2e', 'artifacts', 'bench-browser.txt');
console.log(
  existsSync(browser)
    ? readFileSync(browser, 'utf8').trim()
    : 'no figures: run npm run build && npm run test:e2e first',
);
