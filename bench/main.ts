// `npm run bench`: speed and memory figures, printed (never asserted in tests). Each meta-step
// configuration runs in its own process, so its peak RSS is its own. BENCH_WEBGPU=1 adds WebGPU in Node
// (Dawn + SwiftShader here: a correctness path, 60-90x slower than wasm on a machine without a GPU).
import { execFileSync, execSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { firstLine, runJson } from './child';
import { benchParse } from './parse';
import { sequenceSection } from './sequenceSection';

if (process.argv[2] === 'sequence') {
  // `npm run bench -- sequence`: only the MELO/MML rows, also written to docs/bench-sequence.md (which
  // the sequential protocol's merge includes)
  const { writeSequenceBench } = await import('./sequenceSection');
  writeSequenceBench(Number(process.env.BENCH_REPEATS ?? 3), process.env.BENCH_WEBGPU === '1');
  process.exit(0);
}

if (process.argv[2] === 'scale') {
  // `npm run bench -- scale [millions...]`: only the large-data bench (bench/scale.ts, docs/scale.md)
  const { runScale } = await import('./scale');
  const sizes = process.argv
    .slice(3)
    .map(Number)
    .filter((n) => n > 0);
  runScale(sizes.length ? sizes : [1, 10, 25]);
  process.exit(0);
}

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

function run(
  model: string,
  strategy: string,
  backend: string,
  steps: number,
  groups: number,
  extra: string[] = [],
): Row | string {
  try {
    const args = [
      join(ROOT, 'bench', 'metaStep.ts'),
      model,
      strategy,
      backend,
      String(steps),
      String(groups),
      ...extra,
    ];
    const out = execFileSync(TSX, args, {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 600_000,
    });
    return JSON.parse(out.trim().split('\n').pop()!) as Row;
  } catch (e) {
    return `failed (${firstLine(e)})`;
  }
}

const lines: string[] = [];
/** Prints a line and keeps it for docs/bench-latest.md (which docs/results.md includes). */
function say(line: string): void {
  console.log(line);
  lines.push(line);
}

say('# MetaRec Lab bench');
// the commit measured (and whether the tree had changes), so a stored run says what code it timed
const commit = (() => {
  try {
    const head = execSync('git rev-parse --short HEAD', { encoding: 'utf8' }).trim();
    const dirty = execSync('git status --porcelain --untracked-files=no', { encoding: 'utf8' }).trim();
    return dirty ? `${head} with uncommitted changes` : head;
  } catch {
    return 'unknown (no git)';
  }
})();
say(`node ${process.version}; ${new Date().toISOString()}; commit ${commit}`);
say('');
say('### Parsing');
for (const line of await benchParse()) say(line);

say('');
say('### Meta-training (MeLU paper and MAMO paper presets: batch 32, 1 local step, first order)');
// [model, strategy, backend, timed steps, support groups]; each configuration runs REPEATS times in fresh
// processes (this machine's timings vary by up to ~1.5x between identical runs): median and range.
const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);
const configs: [string, string, string, number, number][] = [
  ['melu', 'ragged', 'wasm', 40, 1],
  ['melu', 'algebraic', 'wasm', 40, 1],
  ['melu', 'tile', 'wasm', 15, 1],
  ['melu', 'loop', 'wasm', 15, 1],
  ['mamo', 'ragged', 'wasm', 25, 1],
  ['mamo', 'tile', 'wasm', 25, 1],
  ['mamo', 'tile', 'wasm', 25, 2],
  ['mamo', 'loop', 'wasm', 8, 1],
  ['melu', 'ragged', 'cpu', 8, 1],
  ['melu', 'algebraic', 'cpu', 8, 1],
  ['mamo', 'ragged', 'cpu', 5, 1],
];
if (process.env.BENCH_WEBGPU === '1')
  configs.push(['melu', 'algebraic', 'webgpu', 3, 1], ['mamo', 'tile', 'webgpu', 3, 1]);
let source = '';
say(
  `| model | strategy | backend | support groups | tasks/s, median of ${REPEATS} (range) | ms/step | tfjs kernels/step | step peak (tf.profile) MB | process peak RSS MB |`,
);
say('|---|---|---|---|---|---|---|---|---|');
/** REPEATS fresh-process runs of one configuration: the median row, the range, the peak RSS, or why not. */
function repeated(...args: Parameters<typeof run>): { mid: Row; range: string; rss: number } | string {
  const rows: Row[] = [];
  let failure = '';
  for (let k = 0; k < REPEATS; k++) {
    const r = run(...args);
    if (typeof r === 'string') failure = r;
    else rows.push(r);
  }
  if (rows.length === 0) return failure;
  rows.sort((a, b) => a.tasksPerSecond - b.tasksPerSecond);
  return {
    mid: rows[rows.length >> 1]!,
    range: `${rows[0]!.tasksPerSecond.toFixed(0)}-${rows[rows.length - 1]!.tasksPerSecond.toFixed(0)}`,
    rss: Math.max(...rows.map((r) => r.peakRssMB)),
  };
}

for (const [model, strategy, backend, steps, groups] of configs) {
  const r = repeated(model, strategy, backend, steps, groups);
  if (typeof r === 'string') {
    say(`| ${model} | ${strategy} | ${backend} | ${groups} | ${r} |||||`);
    continue;
  }
  source = r.mid.source;
  say(
    `| ${model} | ${strategy} | ${backend} | ${groups} | ${r.mid.tasksPerSecond.toFixed(0)} (${r.range}) | ${r.mid.msPerStep.toFixed(1)} | ${r.mid.kernels} | ${r.mid.peakMB.toFixed(1)} | ${r.rss.toFixed(0)} |`,
  );
}
say(`data: ${source}`);
say(
  'targets (issue #22): MeLU one step first order >= 3,500 tasks/s, MAMO >= 1,500 tasks/s on wasm in Node; MeLU-5 second order >= 600 (next table); peak RSS <= 500 MB.',
);

say('');
say('### MeLU-5 (5 local steps at rate 0.01, batch 32): loop, tile and ragged, first and second order, wasm');
say(
  `| order | strategy | tasks/s, median of ${REPEATS} (range) | ms/step | tfjs kernels/step | process peak RSS MB |`,
);
say('|---|---|---|---|---|---|');
for (const order of ['first-order', 'second-order'])
  for (const strategy of ['loop', 'tile', 'ragged']) {
    const r = repeated('melu', strategy, 'wasm', 6, 1, ['5', order]);
    say(
      typeof r === 'string'
        ? `| ${order} | ${strategy} | ${r} ||||`
        : `| ${order} | ${strategy} | ${r.mid.tasksPerSecond.toFixed(0)} (${r.range}) | ${r.mid.msPerStep.toFixed(1)} | ${r.mid.kernels} | ${r.rss.toFixed(0)} |`,
    );
  }
say('');
say('### The arithmetic floor of a MeLU meta-step against where its time goes (wasm)');
try {
  interface Floor {
    data: string;
    widths: { di: number; du: number; h: number };
    matMulGflops: number;
    productShape: number[];
    profiledStep: { kernelMs: number; wallMs: number; top: { name: string; ms: number }[] };
    rows: { name: string; megaMacs: number; floorMs: number; ceilingTasksPerSecond: number }[];
  }
  const r = runJson<Floor>('computeFloor.ts', [], 600_000);
  say(
    `Measured with \`npx tsx bench/computeFloor.ts\` (the file comment has the multiply-add count): tfjs-wasm's 2-D matMul on [${r.productShape.join(', ')}] (a batch's support rows through the first layer) runs at ${r.matMulGflops.toFixed(1)} GFLOP/s here; ${r.data}; Di ${r.widths.di}, Du ${r.widths.du}, H ${r.widths.h}.`,
  );
  say('| meta-step | multiply-adds (M) | floor ms/step at that rate | ceiling tasks/s |');
  say('|---|---|---|---|');
  for (const row of r.rows)
    say(
      `| ${row.name} | ${row.megaMacs.toFixed(1)} | ${row.floorMs.toFixed(2)} | ${row.ceilingTasksPerSecond.toFixed(0)} |`,
    );
  say(
    `Where a MeLU one-step first-order step's time goes (tf.profile kernel times, mean of 10 steps): ${r.profiledStep.kernelMs.toFixed(1)} ms in kernels of ${r.profiledStep.wallMs.toFixed(1)} ms wall; ${r.profiledStep.top.map((k) => `${k.name} ${k.ms.toFixed(2)}`).join(', ')} (ms).`,
  );
} catch (e) {
  say(`failed (${firstLine(e)})`);
}
say('');
say(
  '### Evaluation pass (every validation and test task of the ML-1M published split, before and after adaptation)',
);
say(
  'Measured with `npx tsx bench/evaluation.ts ml-1m-published <model> [fine-tuning]`: predictTaskSet over all 3,079 tasks as a run evaluates them (batches of 64), wasm, an untrained engine of the paper preset (the cost does not depend on the weights); the second and third of three passes. Target (issue #22): <= 3 s for MeLU and MAMO.',
);
say('| model | fine-tuning (non-meta) | tasks | seconds per pass | tasks/s | tfjs kernels per pass |');
say('|---|---|---|---|---|---|');
for (const [model, fineTune] of [
  ['melu', ''],
  ['mamo', ''],
  ['non-meta', '{"layers":"all","clip":0,"steps":1}'],
  ['non-meta', '{"layers":"all","clip":1,"steps":5}'],
] as const) {
  try {
    const r = runJson<{ tasks: number; seconds: number[]; kernels: number }>(
      'evaluation.ts',
      ['ml-1m-published', model, fineTune],
      600_000,
    );
    const best = Math.min(...r.seconds);
    say(
      `| ${model} | ${fineTune || '-'} | ${r.tasks} | ${r.seconds.map((x) => x.toFixed(2)).join(', ')} | ${(r.tasks / best).toFixed(0)} | ${r.kernels} |`,
    );
  } catch (e) {
    say(`| ${model} | ${fineTune || '-'} | failed (${firstLine(e)}) ||||`);
  }
}
say('');
for (const line of sequenceSection(REPEATS, process.env.BENCH_WEBGPU === '1')) say(line);
say('');
say('### WebGPU kernels per meta-step (paper presets: batch 32, 1 local step, first order)');
// One process per row (bench/kernelCount.ts, ~15 s each here): WebGPU in Node (Dawn). Without a GPU that
// is SwiftShader, so these are counts, not timings. By default on a tiny random problem (the counts do
// not depend on the sizes: the same on the partial ML-1M); BENCH_WEBGPU_DATA=1 counts on the bench's
// data (minutes on SwiftShader).
say(
  "Counted with `npx tsx bench/kernelCount.ts <model> [strategy]` (tf.profile of one engine.trainStep after a warm-up step; GPU programs: calls of the backend's runWebGPUProgram). Dawn in Node; on a machine without a GPU that is SwiftShader.",
);
say('| model | plan | tfjs kernels (tf.profile) | GPU programs dispatched |');
say('|---|---|---|---|');
const kernelCounts = new Map<string, number>();
for (const [model, strategy] of [
  ['melu', 'ragged'],
  ['melu', 'algebraic'],
  ['mamo', 'ragged'],
  ['mamo', 'tile'],
]) {
  try {
    const r = runJson<{ kernels: number; dispatches: number }>(
      'kernelCount.ts',
      [model!, strategy!],
      300_000,
      {
        ...process.env,
        ...(process.env.BENCH_WEBGPU_DATA === '1' ? {} : { KERNELS_TINY: '1' }),
      },
    );
    kernelCounts.set(`${model} ${strategy}`, r.kernels);
    say(`| ${model} | ${strategy} | ${r.kernels} | ${r.dispatches} |`);
  } catch (e) {
    say(`| ${model} | ${strategy} | failed (${firstLine(e)}) ||`);
  }
}
const verdict = (key: string, target: number): string => {
  const n = kernelCounts.get(key);
  return n === undefined ? 'not counted' : `${n} (${n <= target ? 'met' : 'not met'})`;
};
say('');
say(
  `Targets (issue #22), tfjs kernels per first-order one-step meta-step on webgpu: MeLU ragged <= 150: ${verdict('melu ragged', 150)}; MAMO ragged <= 300: ${verdict('mamo ragged', 300)}. Before issue #22 (commit e875431, webgpu ran MeLU algebraic and MAMO tile): 459 and 876. What took them down: the fused Adam/SGD update (one kernel per tensor), leakyRelu as one op, the WGSL row kernels, raggedAffine as one op, the first-order ragged steps with their backward written out by hand (src/train/meluRagged.ts firstOrderByHand, src/train/mamoByHand.ts: no tape, no saved copies, no custom-gradient scopes; 306 -> 143 and 581 -> 390 tfjs kernels), then (MAMO 390 -> 287, MeLU 143 -> 138) the global-norm clip's scale in ceil(n/6) kernels read inside the fused update (src/kernels/normWebgpu.ts: was a square and a sum per tensor, then a multiply per tensor), the ReLU adjoint and the per-task tile as one kernel each (src/kernels/elementwiseWebgpu.ts), theta_u's personal init broadcast instead of tiled, and the memory writes with their coefficients computed once per rate, the per-task clip folded into them and no same-shape reshapes (src/models/memory.ts writeMemory), and the multi-hot fields' embedding adjoint adding into the index fields' table. What MAMO keeps: the per-task clip's norms, the memory read and writes (a product, a scale and an add per memory), reshapes between the [T, ...] and flat forms. The tfjs counts do not depend on the problem's size (the same on the partial ML-1M); GPU programs may differ by one.`,
);
say('');
say('### Browser (from the last end-to-end run)');
const browser = join(ROOT, 'tests', 'e2e', 'artifacts', 'bench-browser.txt');
say(
  existsSync(browser)
    ? readFileSync(browser, 'utf8').trim()
    : 'no figures: run npm run build && npm run test:e2e first',
);

writeFileSync(
  join(ROOT, 'docs', 'bench-latest.md'),
  `Produced by \`npm run bench\` (bench/main.ts).\n\n${lines.slice(1).join('\n')}\n`,
);
