// The sequential models' results protocol (docs/protocol-sequence.md) on the synthetic demo at tiny
// sizes (wasm): each row's epoch is the validation pick, the stored per-user sums reproduce the picked
// test numbers (MAE, RMSE; Recall@10, NDCG@10), the merge renders paired intervals, the section
// survives in docs/results.md, and the committed spec parses to the protocol's seeds and rows.
import '@tensorflow/tfjs-backend-wasm';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { TrainConfig } from '../config/experiment';
import { SCENARIOS } from '../data/scenarios/types';
import { initBackend, type BackendInfo } from '../kernels/backend';
import { keptSection, spliceSection } from '../cli/sequenceSection';
import { demoDataset } from '../../tests/helpers/demo';
import { TINY_MELO, TINY_MML } from '../../tests/helpers/sequence';
import { runSequenceJob, type SequenceResult } from './sequenceJob';
import {
  claimSentence,
  isSequencePart,
  renderSequence,
  SEQUENCE_PART_FORMAT,
  type SequencePart,
} from './sequenceRender';
import { parseSequenceSpec, SUPPORT_MEAN, type SequenceJobSpec } from './sequenceSpec';

let backend: BackendInfo;
beforeAll(async () => {
  backend = await initBackend('wasm');
});

// the unit tests' tiny configs, over 2 epochs, each evaluated
const EVALUATED = { epochs: 2, evalEvery: 1, evalUsers: 4, baselines: false } as const;
const MELO: TrainConfig = { ...TINY_MELO, ...EVALUATED };
const MML: TrainConfig = { ...TINY_MML, ...EVALUATED };
const meloJob: SequenceJobSpec = { name: 'melo', preset: 'melo', kind: 'rating' };
const mmlJob: SequenceJobSpec = { name: 'mml', preset: 'mml', kind: 'ranking' };

const sum = (xs: readonly number[]) => xs.reduce((s, v) => s + v, 0);
const results: { melo?: SequenceResult[]; mml?: SequenceResult; diverged?: SequenceResult } = {};

describe('sequence protocol jobs (demo, tiny)', () => {
  it(
    'rating job: the validation picks the epoch, per-user sums give the test MAE and RMSE',
    { timeout: 240_000 },
    async () => {
      const dataset = await demoDataset();
      results.melo = [];
      for (const seed of [1, 2]) {
        const r = await runSequenceJob(dataset, meloJob, { ...MELO, seed }, [1, 2], backend);
        results.melo.push(r);
        expect(r.validation.map((v) => v.epoch)).toEqual([1, 2]);
        const maes = r.validation.map((v) => v.scores.melo!);
        const best = Math.min(...maes);
        expect(r.rows.melo!.validation).toBe(best);
        expect(r.rows.melo!.epoch).toBe(r.validation[maes.indexOf(best)]!.epoch);
        expect(r.rows[SUPPORT_MEAN]!.epoch).toBe(0);
        for (const s of SCENARIOS) {
          const cell = r.users[s]!;
          expect(cell.users.length, s).toBeGreaterThan(0);
          for (const row of ['melo', SUPPORT_MEAN]) {
            const { a, b } = cell.rows[row]!;
            expect(a).toHaveLength(cell.users.length);
            const n = sum(cell.n);
            expect(r.rows[row]!.test[s]!.mae).toBeCloseTo(sum(a) / n, 10);
            expect(r.rows[row]!.test[s]!.rmse).toBeCloseTo(Math.sqrt(sum(b) / n), 10);
            expect(Number.isFinite(sum(a) / n)).toBe(true);
          }
        }
      }
    },
  );

  it(
    'ranking job: each ranking picks its own epoch; miss sums give Recall@10 and NDCG@10',
    { timeout: 240_000 },
    async () => {
      const r = await runSequenceJob(await demoDataset(), mmlJob, { ...MML, seed: 1 }, [1, 2], backend);
      results.mml = r;
      for (const row of ['mml', 'mml ID', 'mml text', 'mml before']) {
        const scores = r.validation.map((v) => v.scores[row]!);
        const best = Math.max(...scores);
        expect(r.rows[row]!.validation, row).toBe(best);
        expect(r.rows[row]!.epoch).toBe(r.validation[scores.indexOf(best)]!.epoch);
        for (const s of SCENARIOS) {
          const cell = r.users[s]!;
          const { a, b } = cell.rows[row]!;
          const n = sum(cell.n);
          expect(r.rows[row]!.test[s]!.cases).toBe(n);
          expect(r.rows[row]!.test[s]!.recall10).toBeCloseTo(1 - sum(a) / n, 6);
          expect(r.rows[row]!.test[s]!.ndcg10).toBeCloseTo(1 - sum(b) / n, 6);
        }
      }
    },
  );

  it(
    'a diverged job is a complete part with the message and no rows it could not pick',
    { timeout: 60_000 },
    async () => {
      const r = await runSequenceJob(
        await demoDataset(),
        meloJob,
        { ...MELO, innerLr: 1e6, seed: 1 },
        [1, 2],
        backend,
      );
      expect(r.diverged).toMatch(/meta-loss/);
      expect(r.rows).toEqual({});
      results.diverged = r;
    },
  );

  it('merge: paired intervals per declared comparison, and the section kept across a v1 merge', () => {
    const part = (job: string, preset: string, seed: number, result: SequenceResult): SequencePart => ({
      format: SEQUENCE_PART_FORMAT,
      dataset: 'demo',
      job,
      preset,
      seed,
      config: {},
      date: '2026-12-05',
      code: null,
      result,
    });
    const spec = parseSequenceSpec({
      title: 'tiny',
      datasets: ['demo'],
      seeds: [1, 2],
      evaluateAt: [1, 2],
      parts: 'parts',
      jobs: [
        { name: 'melo', preset: 'melo' },
        { name: 'mml', preset: 'mml' },
      ],
      comparisons: [
        { a: 'melo', b: 'support mean' },
        { a: 'mml', b: 'mml ID' },
      ],
    });
    const parts = [
      part('melo', 'melo', 1, results.melo![0]!),
      part('melo', 'melo', 2, results.melo![1]!),
      part('mml', 'mml', 1, results.mml!),
    ];
    const text = renderSequence(spec, 'spec.json', parts);
    expect(text).toContain('**Incomplete: 3 of 4 jobs.** Missing: demo mml seed 2');
    expect(text).toMatch(
      /\| `melo` vs `support mean` \| MAE \| −?\d\.\d{4} \[−?\d\.\d{4}, −?\d\.\d{4}\] (\*\*ahead\*\*|\*\*behind\*\*|level) \(\d\/2\)/,
    );
    expect(text).toMatch(/\| `mml` vs `mml ID` \| Recall@10 \| /);
    expect(text).toMatch(/- `melo` (beats|does not beat) `support mean` \(MAE\)/);
    // the section between markers survives the v1 merge rewriting the rest
    const doc = spliceSection('# Results\n\nold\n', text);
    expect(keptSection(doc)).toBe(text.trim());
    const again = spliceSection('# Results v1, re-merged\n', keptSection(doc)!);
    expect(again.startsWith('# Results v1, re-merged')).toBe(true);
    expect(spliceSection(again, 'new section')).toContain('new section');
    expect(spliceSection(again, 'new section')).not.toContain(text.trim());
    // a diverged seed: complete, shown as diverged, its rows' means over the other seeds
    const withDiverged = renderSequence(spec, 'spec.json', [
      part('melo', 'melo', 1, results.melo![0]!),
      part('melo', 'melo', 2, results.diverged!),
    ]);
    expect(withDiverged).toMatch(/\| `melo` \| \d+, diverged \|/);
    expect(withDiverged).toContain('- demo `melo` seed 2: ');
    expect(
      isSequencePart(part('melo', 'melo', 2, results.diverged!), {
        dataset: 'demo',
        job: spec.jobs[0]!,
        seed: 2,
      }),
    ).toBe(true);
  });
});

describe('claims in plain words', () => {
  const c = { a: 'mml', b: 'mml ID', kind: 'ranking' } as const;
  it('says where a beats b and where it does not', () => {
    expect(claimSentence(c, 'Recall@10', [], [], ['warm', 'new user'])).toBe(
      '`mml` does not beat `mml ID` (Recall@10) in any cell: level on warm, new user.',
    );
    expect(claimSentence(c, 'Recall@10', ['new user'], ['new item'], ['warm'])).toBe(
      '`mml` beats `mml ID` (Recall@10) on new user only; it does not on the others (level on warm; behind on new item).',
    );
    expect(claimSentence(c, 'Recall@10', ['warm'], [], [])).toBe(
      '`mml` beats `mml ID` (Recall@10) in every cell.',
    );
  });
});

describe('the committed sequence protocol spec', () => {
  it('parses to seeds 101-105, epochs 2..10, the five jobs and their comparisons', () => {
    const spec = parseSequenceSpec(
      JSON.parse(
        readFileSync(new URL('../../experiments/protocol-sequence-v1.json', import.meta.url), 'utf8'),
      ),
    );
    expect(spec.seeds).toEqual([101, 102, 103, 104, 105]);
    expect(spec.evaluateAt).toEqual([2, 4, 6, 8, 10]);
    expect(spec.jobs.map((j) => `${j.name}:${j.kind}`)).toEqual([
      'sequence-basic:rating',
      'maml-sequence:rating',
      'melo:rating',
      'melo-mlp:rating',
      'mml:ranking',
    ]);
    expect(spec.jobs.every((j) => j.overrides === undefined)).toBe(true);
    expect(spec.comparisons.map((c) => `${c.a}|${c.b}`)).toContain('melo|maml-sequence');
    expect(spec.comparisons.map((c) => `${c.a}|${c.b}`)).toContain('mml|mml ID');
  });

  it('refuses unknown presets, rows and mixed comparisons with the field named', () => {
    const base = { title: 't', datasets: ['demo'], seeds: [1], evaluateAt: [2], parts: 'p' };
    expect(() =>
      parseSequenceSpec({ ...base, jobs: [{ name: 'x', preset: 'nope' }], comparisons: [] }),
    ).toThrow(/jobs\[0\]\.preset/);
    expect(() =>
      parseSequenceSpec({ ...base, jobs: [{ name: 'x', preset: 'melu-paper' }], comparisons: [] }),
    ).toThrow(/MELO or MML preset/);
    const jobs = [
      { name: 'melo', preset: 'melo' },
      { name: 'mml', preset: 'mml' },
    ];
    expect(() => parseSequenceSpec({ ...base, jobs, comparisons: [{ a: 'melo', b: 'ghost' }] })).toThrow(
      /comparisons\[0\]\.b/,
    );
    expect(() => parseSequenceSpec({ ...base, jobs, comparisons: [{ a: 'melo', b: 'mml' }] })).toThrow(
      /same kind/,
    );
    expect(() =>
      parseSequenceSpec({
        ...base,
        jobs: [{ name: 'm', preset: 'melo', overrides: { bogus: 1 } }],
        comparisons: [],
      }),
    ).toThrow(/bogus is not one/);
  });
});
