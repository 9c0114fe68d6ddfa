// Results protocol v1's machinery end to end on the synthetic demo dataset, at toy size: a tuning file,
// a paper row, the non-meta row with its own 12-configuration grid, a tuned variant, one ablation that
// applies and one that does not, rows against rows; the merged document has each comparison, lists the
// inapplicable ablation instead of calling it missing, and the non-meta row's picks name its settings.
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const repo = resolve(import.meta.dirname, '..', '..');
const tsx = join(repo, 'node_modules', '.bin', 'tsx');
const main = join(repo, 'src', 'cli', 'main.ts');

const TINY = { embeddingDim: 4, hiddenDim: 8, evalUsers: 12 };
const CHOSEN = {
  model: 'melu',
  ...TINY,
  innerSteps: 2,
  innerLr: 0.01,
  outerLr: 0.005,
  outerOptimizer: 'adam',
  batchSize: 32,
  weightDecay: 3,
  featureDropout: 0.3,
};

const SPEC = {
  title: 'Protocol v1 machinery',
  datasets: ['demo'],
  variants: [
    {
      name: 'MeLU',
      preset: 'melu-paper',
      overrides: { ...TINY, innerLr: 0.01, outerLr: 0.005 },
      budget: 2,
      selection: 'last-epoch',
      chooseLocalRate: false,
      baselines: ['globalMean', 'bias'],
      against: ['non-meta'],
    },
    {
      name: 'non-meta',
      tuning: 'tuning/{dataset}-melu.json',
      role: 'non-meta',
      nonMetaGrid: 'v1',
      baselines: ['globalMean'],
    },
    {
      name: 'MeLU+',
      tuning: 'tuning/{dataset}-melu.json',
      baselines: ['noAdaptation', 'globalMean'],
      against: ['MeLU', 'non-meta'],
    },
    {
      name: 'MeLU+ no dropout',
      tuning: 'tuning/{dataset}-melu.json',
      baselines: [],
      ablate: 'dropout',
      against: ['MeLU+'],
    },
    {
      name: 'MeLU+ first order',
      tuning: 'tuning/{dataset}-melu.json',
      baselines: [],
      ablate: 'secondOrder',
      against: ['MeLU+'],
    },
  ],
  seeds: [1, 2],
  epochs: 2,
  parts: 'parts',
};

describe('protocol v1 on the demo (toy size)', () => {
  it('runs every kind of row, merges rows against rows, lists inapplicable ablations', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'metarec-v1-'));
    writeFileSync(join(dir, 'spec.json'), JSON.stringify(SPEC));
    const tuning = join(dir, 'tuning');
    (await import('node:fs')).mkdirSync(tuning);
    writeFileSync(join(tuning, 'demo-melu.json'), JSON.stringify({ chosen: CHOSEN }));
    const { stdout } = await run(tsx, [main, 'experiment', 'spec.json'], { cwd: dir });
    // 'first order' does not apply: the chosen configuration is first order already
    expect(stdout).toMatch(/job (8|9): not applicable \(the chosen configuration has no second order\)/);
    expect(readdirSync(join(dir, 'parts'))).toHaveLength(8);
    const nonMeta = JSON.parse(readFileSync(join(dir, 'parts', 'demo--non-meta--seed-1.json'), 'utf8'));
    const pick = nonMeta.result.picks.model.warmItems;
    expect(pick.trained).toHaveProperty('outerLr');
    expect(pick.fineTune).toHaveProperty('steps');
    await run(tsx, [main, 'experiment', 'spec.json', '--merge', '--out', 'doc.md'], { cwd: dir });
    const doc = readFileSync(join(dir, 'doc.md'), 'utf8');
    for (const pair of ['MeLU − non-meta', 'MeLU+ − MeLU', 'MeLU+ − non-meta', 'MeLU+ no dropout − MeLU+'])
      expect(doc).toContain(`| ${pair} |`);
    expect(doc).toContain('MeLU+ first order (the chosen configuration has no second order)');
    expect(doc).not.toContain('Missing parts');
    expect(doc).toMatch(/This section holds \d+ paired intervals/);

    // the non-meta row's 12 configurations in 2 child processes: the same part but for its times
    const again = mkdtempSync(join(tmpdir(), 'metarec-v1-processes-'));
    writeFileSync(join(again, 'spec.json'), JSON.stringify(SPEC));
    cpSync(tuning, join(again, 'tuning'), { recursive: true });
    const pooled = await run(
      tsx,
      [main, 'experiment', 'spec.json', '--variant', 'non-meta', '--seed', '1', '--processes', '2'],
      { cwd: again },
    );
    expect(pooled.stdout).toMatch(/non-meta \{"featureDropout":0.3,"outerLr":0.003,"weightDecay":3\}: \d+ s/);
    const twin = JSON.parse(readFileSync(join(again, 'parts', 'demo--non-meta--seed-1.json'), 'utf8'));
    const timeless = (part: { result: object; date: string }) => ({
      ...part,
      date: '',
      result: { ...part.result, seconds: 0 },
    });
    expect(timeless(twin)).toEqual(timeless(nonMeta));
  }, 900_000);
});
