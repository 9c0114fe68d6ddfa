// The experiment command end to end on the synthetic demo dataset: one process against three shards in
// three child processes (as array jobs would run them), merged; the documents agree except the time
// section, every job runs exactly once, a re-run resumes, bad input is refused with the allowed values.
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const repo = resolve(import.meta.dirname, '..', '..');
const tsx = join(repo, 'node_modules', '.bin', 'tsx');
const main = join(repo, 'src', 'cli', 'main.ts');

const SPEC = {
  title: 'Sharding test',
  datasets: ['demo'],
  variants: [
    {
      name: 'MeLU tiny',
      preset: 'melu-paper',
      overrides: { embeddingDim: 4, hiddenDim: 8, innerLr: 0.01, outerLr: 0.005, evalUsers: 20 },
      selection: 'per-kind',
      baselines: ['noAdaptation', 'nonMeta', 'globalMean'],
    },
    {
      name: 'MeLU last',
      preset: 'melu-paper',
      overrides: { embeddingDim: 4, hiddenDim: 8, innerLr: 0.01, evalUsers: 20 },
      selection: 'last-epoch',
      chooseLocalRate: false,
      baselines: ['noAdaptation', 'supportMean'],
    },
  ],
  seeds: [1, 2],
  epochs: 2,
  parts: 'parts',
};

/** Runs the CLI in `cwd`; resolves with stdout, or with the exit code and stderr when it fails. */
async function cli(cwd: string, args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout } = await run(tsx, [main, 'experiment', ...args], {
      cwd,
      env: { ...process.env, ...env },
    });
    return { code: 0, stdout, stderr: '' };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const ranJobs = (stdout: string) => [...stdout.matchAll(/^job (\d+): ran/gm)].map((m) => Number(m[1]));
const withoutTime = (doc: string) => doc.slice(0, doc.indexOf('## Time'));

function folder(spec: object = SPEC): string {
  const dir = mkdtempSync(join(tmpdir(), 'metarec-experiment-'));
  writeFileSync(join(dir, 'spec.json'), JSON.stringify(spec));
  return dir;
}

describe('npm run cli -- experiment', () => {
  it('one process and three shards give the same merged document, each job run once', async () => {
    const single = folder();
    const sharded = folder();
    const listed = await cli(single, ['spec.json', '--list']);
    expect(listed.stdout.trim().split('\n')).toHaveLength(4);

    const [one, ...shards] = await Promise.all([
      cli(single, ['spec.json']),
      ...[0, 1, 2].map((i) => cli(sharded, ['spec.json', '--shard', `${i}/3`])),
    ]);
    for (const r of [one!, ...shards]) expect(r.code, r.stderr).toBe(0);
    expect(ranJobs(one!.stdout).sort()).toEqual([0, 1, 2, 3]);
    const perShard = shards.map((s) => ranJobs(s.stdout));
    expect(perShard).toEqual([[0, 3], [1], [2]]);
    expect(readdirSync(join(sharded, 'parts')).filter((f) => f.endsWith('.json'))).toHaveLength(4);

    // a re-run resumes: every part is complete, nothing runs again (the index from the array-job variable)
    const again = await cli(sharded, ['spec.json'], {
      JOB_COMPLETION_INDEX: '0',
      SLURM_ARRAY_TASK_COUNT: '3',
    });
    expect(again.code, again.stderr).toBe(0);
    expect(ranJobs(again.stdout)).toEqual([]);
    expect(again.stdout).toMatch(/job 0: done already/);

    for (const dir of [single, sharded])
      expect((await cli(dir, ['spec.json', '--merge', '--out', 'results.md'])).code).toBe(0);
    const a = readFileSync(join(single, 'results.md'), 'utf8');
    const b = readFileSync(join(sharded, 'results.md'), 'utf8');
    expect(withoutTime(a)).toBe(withoutTime(b));
    expect(a).toMatch(/from 4 of 4 job parts/);
    expect(a).toMatch(/\| MeLU tiny \| non-meta \| [\d.]+ ± [\d.]+ \| [\d.]+ ± [\d.]+ \| −?[\d.]+ \[/);
    expect(a).toMatch(/\| (ahead|behind|level \(interval includes 0\)) \|/);

    // --newer: a newer version of the spec with one part so far; its progress under the title, and
    // nothing else of the document changes
    writeFileSync(join(single, 'newer.json'), JSON.stringify({ ...SPEC, title: 'Newer', parts: 'parts2' }));
    mkdirSync(join(single, 'parts2'));
    const first = readdirSync(join(single, 'parts')).find((f) => f.endsWith('.json'))!;
    copyFileSync(join(single, 'parts', first), join(single, 'parts2', first));
    const merged = await cli(single, ['spec.json', '--merge', '--out', 'r2.md', '--newer', 'newer.json']);
    expect(merged.code, merged.stderr).toBe(0);
    const c = readFileSync(join(single, 'r2.md'), 'utf8');
    const note = c.split('\n\n')[2]!;
    expect(note).toMatch(/^\*\*A newer version of this protocol\*\*: Newer \(`newer.json`/);
    expect(note).toContain('1 of its 4 applicable jobs have parts (');
    expect(note).toContain('this document stays the results of record');
    expect(withoutTime(c.replace(`${note}\n\n`, ''))).toBe(withoutTime(a));
  }, 240_000);

  it('refuses bad input with a non-zero exit and the allowed values', async () => {
    const dir = folder({ ...SPEC, datasets: ['ml-10m'] });
    const [badDataset, badShard, badVariant, badSeed, oneSeed] = await Promise.all([
      cli(dir, ['spec.json', '--list']),
      cli(folder(), ['spec.json', '--shard', '3/3']),
      cli(folder(), ['spec.json', '--list', '--variant', 'MAML']),
      cli(folder(), ['spec.json', '--list', '--seed', '7']),
      cli(folder(), ['spec.json', '--list', '--seed', '2']),
    ]);
    expect(badSeed.code).not.toBe(0);
    expect(badSeed.stderr).toMatch(/Unknown --seed 7; the spec has 1, 2/);
    expect(oneSeed.code, oneSeed.stderr).toBe(0);
    expect(
      oneSeed.stdout
        .trim()
        .split('\n')
        .map((l) => l.split('\t')[3]),
    ).toEqual(['2', '2']);
    expect(badDataset.code).not.toBe(0);
    expect(badDataset.stderr).toMatch(
      /Unknown dataset 'ml-10m'; expected one of ml-100k, ml-1m-published, demo/,
    );
    expect(badShard.code).not.toBe(0);
    expect(badShard.stderr).toMatch(/Expected --shard i\/n/);
    expect(badVariant.code).not.toBe(0);
    expect(badVariant.stderr).toMatch(/Unknown --variant MAML; the spec has MeLU tiny, MeLU last/);
  }, 60_000);
});
