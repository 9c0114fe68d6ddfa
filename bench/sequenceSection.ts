// The MELO/MML rows of `npm run bench` (and all of `npm run bench -- sequence`): each preset's
// meta-training step measured by bench/sequenceStep.ts in fresh processes (its peak RSS its own),
// `repeats` times: the median row and the range of tasks/s. Printed lines, never asserted.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..');
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');

interface SequenceRow {
  readonly tasksPerSecond: number;
  readonly msPerStep: number;
  readonly kernels: number;
  readonly peakRssMB: number;
  readonly source: string;
}

/** The section's markdown lines (heading, how measured, the table, the data). */
export function sequenceSection(repeats: number, webgpu: boolean): string[] {
  const lines = [
    '### MELO and MML (their presets, sequence protocol: batch 16; MELO family second order, 3 local steps)',
    'Measured with `npx tsx bench/sequenceStep.ts <preset> <backend> [steps]`: the preset trained through runExperiment and stopped after 3 warm-up and the timed steps; ms/step = median of the step events (batch building, meta-gradient, updates, loss read-back); kernels = tfjs kernels (the engine runKernelFunc calls, what tf.profile lists) between consecutive step events of a second run, median of steps 3-5.',
    `| preset | backend | tasks/s, median of ${repeats} (range) | ms/step | tfjs kernels/step | process peak RSS MB |`,
    '|---|---|---|---|---|---|',
  ];
  const configs: [string, string, number][] = [
    ['melo', 'wasm', 10],
    ['maml-sequence', 'wasm', 10],
    ['melo-gru', 'wasm', 5],
    ['sequence-basic', 'wasm', 20],
    ['mml', 'wasm', 10],
  ];
  if (webgpu) configs.push(['melo', 'webgpu', 1], ['mml', 'webgpu', 1]);
  let source = '';
  for (const [preset, backend, steps] of configs) {
    const rows: SequenceRow[] = [];
    let failure = '';
    for (let k = 0; k < repeats; k++)
      try {
        const out = execFileSync(
          TSX,
          [join(ROOT, 'bench', 'sequenceStep.ts'), preset, backend, String(steps)],
          {
            cwd: ROOT,
            encoding: 'utf8',
            stdio: ['ignore', 'pipe', 'pipe'],
            timeout: 900_000,
          },
        );
        rows.push(JSON.parse(out.trim().split('\n').pop()!) as SequenceRow);
      } catch (e) {
        failure = `failed (${e instanceof Error ? e.message.split('\n')[0] : String(e)})`;
      }
    if (!rows.length) {
      lines.push(`| ${preset} | ${backend} | ${failure} ||||`);
      continue;
    }
    rows.sort((a, b) => a.tasksPerSecond - b.tasksPerSecond);
    const mid = rows[rows.length >> 1]!;
    source = mid.source;
    lines.push(
      `| ${preset} | ${backend} | ${mid.tasksPerSecond.toFixed(1)} (${rows[0]!.tasksPerSecond.toFixed(1)}-${rows[rows.length - 1]!.tasksPerSecond.toFixed(1)}) | ${mid.msPerStep.toFixed(0)} | ${mid.kernels} | ${Math.max(...rows.map((r) => r.peakRssMB)).toFixed(0)} |`,
    );
  }
  lines.push(`data: ${source}${webgpu ? '' : '; WebGPU rows with BENCH_WEBGPU=1'}`);
  return lines;
}

/** Prints the section and writes it to docs/bench-sequence.md with the date and Node version. */
export function writeSequenceBench(repeats: number, webgpu: boolean): void {
  const lines = sequenceSection(repeats, webgpu);
  for (const line of lines) console.log(line);
  writeFileSync(
    join(ROOT, 'docs', 'bench-sequence.md'),
    `Produced by \`npm run bench -- sequence\` (bench/sequenceSection.ts), node ${process.version}, ${new Date().toISOString()}.\n\n${lines.join('\n')}\n`,
  );
}
