// `npm run results`: writes docs/results.md. For each staged dataset and model, the configuration chosen
// on validation users (docs/tuning/<dataset>-<model>.json, from `npm run tune`) is trained with seeds
// 1, 2, 3; the test scenarios are evaluated once, after the last epoch; every number in the tables comes
// from these runs (mean +- std over the seeds). The speed section is the last `npm run bench` output
// (docs/bench-latest.md).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_CONFIG, type TrainConfig } from '../src/config/experiment';
import { SCENARIOS, SCENARIO_SHORT, type Scenario } from '../src/data/scenarios/types';
import { BASELINE_LABELS, type BaselineName, type RunSummary } from '../src/train/events';
import { LOCAL_RATE_GRID, formatRates } from '../src/train/localRate';
import { stagedDataset } from '../tests/helpers/datasets';
import { attentionSummary, cell, DATASETS, loadNamed, runHeadless, stats, type Outcome } from './experiment';
import type { TuningResult } from './tune';

const ROOT = join(import.meta.dirname, '..');
const SEEDS = [1, 2, 3];
const MODELS = ['melu', 'mamo'] as const;
type Metric = 'mae' | 'rmse' | 'ndcg3';
/** A lead on the mean MAE of the seeds smaller than this is reported as level, not as a win. */
const LEVEL = 0.001;

/** MeLU paper (Lee et al. 2019, full ML-1M, MeLU-5), as quoted in the project's issue. */
const MELU_PAPER: Partial<Record<Scenario, { mae: number; ndcg3: number }>> = {
  warm: { mae: 0.7567, ndcg3: 0.8919 },
  user_cold: { mae: 0.7854, ndcg3: 0.8812 },
  item_cold: { mae: 0.9275, ndcg3: 0.8005 },
  user_item_cold: { mae: 0.9235, ndcg3: 0.8008 },
};

interface Row {
  readonly name: string;
  readonly pick: (s: RunSummary, scenario: Scenario, metric: Metric) => number;
}

function rows(model: string): Row[] {
  const baseline = (b: BaselineName): Row => ({
    name: `${BASELINE_LABELS[b]}${b === 'noAdaptation' ? ` (${model})` : ''}`,
    pick: (s, sc, m) => s.baselines[b]?.[sc]?.[m] ?? NaN,
  });
  return [
    {
      name: `**${model === 'melu' ? 'MeLU' : 'MAMO'}** (after local adaptation)`,
      pick: (s, sc, m) => s.scenarios[sc]?.[m] ?? NaN,
    },
    baseline('noAdaptation'),
    baseline('nonMeta'),
    baseline('supportMean'),
    baseline('globalMean'),
  ];
}

/** With learned local rates: each seed's meta-learned step per adapted tensor, in words. */
function learnedRatesText(summaries: readonly RunSummary[]): string {
  if (!summaries.some((x) => x.learnedLocalRates)) return '';
  const perSeed = summaries.map((x) =>
    x.learnedLocalRates
      ? Object.entries(x.learnedLocalRates)
          .map(([k, v]) => `${k} ${v.toPrecision(2)}`)
          .join(', ')
      : '–',
  );
  return ` Learned local steps per adapted tensor after training (at the training rate; an evaluation rate r scales them all by r / training rate), per seed: ${perSeed.join('; ')}.`;
}

/** The chosen settings that MeLU itself does not have, in words. */
function notInMelu(chosen: Partial<TrainConfig>): string {
  const extras = [
    (chosen.weightDecay ?? 0) > 0 && `weight decay ${chosen.weightDecay}`,
    chosen.resampleTasks && 're-drawn support/query partitions each epoch',
    (chosen.featureDropout ?? 0) > 0 && `feature dropout ${chosen.featureDropout}`,
    (chosen.supervisedWeight ?? 0) > 0 && `a supervised term of weight ${chosen.supervisedWeight}`,
    (chosen.pretrainEpochs ?? 0) > 0 && `${chosen.pretrainEpochs} supervised pre-training epochs`,
    chosen.metaOrder === 'second-order' &&
      "second-order meta-gradients (true MAML; the authors' code is effectively first-order, mamo-spec.md 3.1)",
    (chosen.localRateLr ?? 0) > 0 &&
      `learned local rates (one meta-learned step size per adapted tensor, Meta-SGD per tensor, at meta rate ${chosen.localRateLr})`,
    chosen.chooseLocalRate && 'a local rate at evaluation chosen on validation users',
  ].filter(Boolean);
  return extras.length ? `with ${extras.join(', ')}, which MeLU does not use` : 'MeLU settings only';
}

/** The speed section: the last `npm run bench` output (docs/bench-latest.md). */
function speedSection(): string[] {
  const bench = join(ROOT, 'docs', 'bench-latest.md');
  return [
    '## Speed and memory',
    '',
    existsSync(bench) ? readFileSync(bench, 'utf8').trim() : 'Run `npm run bench` to fill this section.',
    '',
  ];
}

async function main(): Promise<void> {
  // `npm run results -- --speed-only`: refresh only the speed section after a new `npm run bench`
  const file = join(ROOT, 'docs', 'results.md');
  if (process.argv.includes('--speed-only') && existsSync(file)) {
    const text = readFileSync(file, 'utf8');
    const at = text.indexOf('## Speed and memory');
    writeFileSync(file, (at >= 0 ? text.slice(0, at) : text + '\n') + speedSection().join('\n') + '\n');
    console.log('refreshed the speed section of docs/results.md');
    return;
  }
  const out: string[] = [];
  const now = new Date().toISOString().slice(0, 10);
  out.push('# Results', '');
  out.push(
    `Produced by \`npm run results\` (bench/results.ts) on ${now}, on this project's 2-core machine, tfjs-wasm in Node. Do not edit by hand.`,
    '',
    'Every configuration was chosen on **validation users only** (`npm run tune -- <dataset> <model>`: a small grid, each trial trained with seed 1, or with the seeds a section names, curves averaged, and evaluated on the validation users (the warm cells of held-out existing users and, where the protocol has them, their item-cold cells) every few epochs; the best configuration and epoch by mean validation MAE; the trials are in `docs/tuning/`). Each chosen configuration is then trained with seeds 1, 2 and 3 (the seed also draws the user split and the query ratings), and the test scenarios are evaluated once, after the last epoch. The rate of the local steps that adapt a model to the support set of an evaluated user is also chosen on the validation users, after training, from one grid for the model and the non-meta baseline alike, one rate for cells whose query items are warm and one for cells with new items (src/train/localRate.ts). Tables give mean ± standard deviation over the 3 seeds. Metric definitions: docs/metrics.md.',
    '',
  );
  // `--only <dataset>`: rerun one dataset and replace its section in the existing docs/results.md
  const onlyAt = process.argv.indexOf('--only');
  const only = onlyAt >= 0 ? process.argv[onlyAt + 1] : undefined;
  if (only !== undefined && !DATASETS[only])
    throw new Error(`--only ${only}: expected one of ${Object.keys(DATASETS).join(', ')}`);
  const sectionStart = out.length;
  // every run summary behind the tables, for anyone who wants other statistics (docs/results-runs.json)
  const rawFile = join(ROOT, 'docs', 'results-runs.json');
  const raw: Record<string, RunSummary[]> =
    only !== undefined && existsSync(rawFile)
      ? (JSON.parse(readFileSync(rawFile, 'utf8')) as Record<string, RunSummary[]>)
      : {};
  for (const [name, spec] of Object.entries(DATASETS)) {
    if (only !== undefined && name !== only) continue;
    if (spec.folders.some((f) => !stagedDataset(f))) {
      out.push(`## ${spec.label}`, '', 'skipped: no data', '');
      continue;
    }
    const dataset = await loadNamed(name);
    out.push(`## ${spec.label}`, '');
    for (const model of MODELS) {
      const tuningFile = join(ROOT, 'docs', 'tuning', `${name}-${model}.json`);
      if (!existsSync(tuningFile)) {
        out.push(`### ${model}: no tuning result (run npm run tune -- ${name} ${model})`, '');
        continue;
      }
      const tuning = JSON.parse(readFileSync(tuningFile, 'utf8')) as TuningResult;
      const summaries: RunSummary[] = [];
      const memories: NonNullable<Outcome['memory']>[] = [];
      let seconds = 0;
      // how the model is evaluated (not tuned): it picks its local rate on the validation users, from
      // the grid the non-meta baseline picks its fine-tuning rate from (src/train/localRate.ts)
      // and the non-meta baseline chooses its epochs over the tuning's whole range, whatever the model chose
      const evaluation: Partial<TrainConfig> = { chooseLocalRate: true, nonMetaMaxEpochs: tuning.epochs };
      for (const seed of SEEDS) {
        const config: TrainConfig = {
          ...DEFAULT_CONFIG,
          ...tuning.chosen,
          ...evaluation,
          model,
          protocol: spec.protocol,
          seed,
          backend: 'wasm',
          baselines: true,
          evalUsers: 0,
          evalEvery: tuning.chosen.epochs ?? DEFAULT_CONFIG.epochs,
        };
        const outcome = await runHeadless(dataset, config, false);
        summaries.push(outcome.summary);
        if (outcome.memory) memories.push(outcome.memory);
        seconds += outcome.seconds;
        console.log(`${name} ${model} seed ${seed}: ${outcome.seconds.toFixed(0)} s`);
      }
      raw[`${name}/${model}`] = summaries;
      const s0 = summaries[0]!;
      const flags = Object.entries({ ...tuning.chosen, ...evaluation })
        .filter(([k]) => k !== 'model')
        .map(([k, v]) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} ${v}`)
        .join(' ');
      out.push(
        `### ${model === 'melu' ? 'MeLU' : 'MAMO'}`,
        '',
        `Command (per seed): \`npm run cli -- train ${spec.folders.map((f) => `--data ../shared/datasets/${f}`).join(' ')} --protocol ${spec.protocol} --model ${model} ${flags} --seed <1|2|3> --backend wasm\``,
        '',
        `Chosen on validation (tuning seeds ${(tuning.seeds ?? [1]).join(', ')}): ${JSON.stringify(tuning.chosen)}; ${s0.parameters.toLocaleString('en-US')} parameters; ${(seconds / SEEDS.length).toFixed(0)} s per seed (training, baselines and evaluation).`,
        '',
      );
      const counts = SCENARIOS.filter((sc) => s0.scenarios[sc]).map(
        (sc) =>
          `${SCENARIO_SHORT[sc]} ${s0.scenarios[sc]!.users} users / ${s0.scenarios[sc]!.ratings} query ratings`,
      );
      out.push(`Test scenarios (seed 1): ${counts.join('; ')}.`, '');
      out.push(
        `${model === 'melu' ? 'MeLU' : 'MAMO'}'s local rates at evaluation, chosen on validation users per seed from the same grid as the non-meta baseline's (${LOCAL_RATE_GRID.join(', ')} and the training rate ${tuning.chosen.innerLr ?? DEFAULT_CONFIG.innerLr}), one for warm query items (on the validation warm cells) and one for new items (on the validation item-cold cells), written "warm / new" where they differ: ${summaries.map((x) => (x.localRate ? formatRates(x.localRate) : '–')).join('; ')}.${learnedRatesText(summaries)}`,
        '',
        `Non-meta baseline: fine-tuning rates chosen on validation users per seed the same way, from ${LOCAL_RATE_GRID.join(', ')} and the model's local rate: ${summaries.map((x) => (x.nonMetaLr ? formatRates(x.nonMetaLr) : '–')).join('; ')} (0 = no fine-tuning); feature dropout chosen on validation the same way (the model's ${tuning.chosen.featureDropout ?? 0} or none): ${summaries.map((x) => x.nonMetaDropout ?? '–').join(', ')}; trained with the model's meta rate and weight decay for a number of epochs chosen on validation the same way (every second epoch and the last, up to ${tuning.epochs}, the tuning's range; the model trains ${(tuning.chosen.epochs ?? DEFAULT_CONFIG.epochs) + (tuning.chosen.pretrainEpochs ?? 0)}): ${summaries.map((x) => x.nonMetaEpochs ?? '–').join(', ')}; only the meta-learning is taken away.`,
        '',
      );
      // validation users (never the test scenarios): the model against the non-meta baseline, per cell
      const validationCells = SCENARIOS.filter((sc) => s0.validation[sc]);
      out.push(
        `Validation users (mean over seeds), ${model === 'melu' ? 'MeLU' : 'MAMO'} vs non-meta MAE: ${validationCells
          .map(
            (sc) =>
              `${SCENARIO_SHORT[sc]} ${stats(summaries.map((x) => x.validation[sc]!.mae)).mean.toFixed(4)} vs ${stats(summaries.map((x) => x.nonMetaValidation?.[sc]?.mae ?? NaN)).mean.toFixed(4)}`,
          )
          .join('; ')}.`,
        '',
      );
      for (const metric of ['mae', 'rmse', 'ndcg3'] as Metric[]) {
        const present = SCENARIOS.filter((sc) => s0.scenarios[sc]);
        out.push(
          `**${metric === 'ndcg3' ? 'nDCG@3' : metric.toUpperCase()}** (${metric === 'ndcg3' ? 'higher' : 'lower'} is better)`,
          '',
        );
        out.push(
          `| | ${present.map((sc) => SCENARIO_SHORT[sc]).join(' | ')} |`,
          `|---|${present.map(() => '---').join('|')}|`,
        );
        for (const row of rows(model))
          out.push(
            `| ${row.name} | ${present.map((sc) => cell(summaries.map((s) => row.pick(s, sc, metric)))).join(' | ')} |`,
          );
        out.push('');
      }
      // does the model beat every baseline on MAE in the cold scenarios?
      const verdicts: string[] = [];
      for (const sc of SCENARIOS.filter((x) => x !== 'warm' && s0.scenarios[x])) {
        const own = stats(summaries.map((s) => s.scenarios[sc]!.mae)).mean;
        const worse = (['noAdaptation', 'nonMeta', 'supportMean', 'globalMean'] as BaselineName[]).filter(
          (b) => stats(summaries.map((s) => s.baselines[b]?.[sc]?.mae ?? NaN)).mean <= own,
        );
        // the closest baseline: its margin over the seeds' means, and in how many seeds (same test users
        // per seed: a paired comparison) the model is better, so a win within the noise reads as one
        const closest = (['noAdaptation', 'nonMeta', 'supportMean', 'globalMean'] as BaselineName[])
          .map((b) => ({
            b,
            margin: stats(summaries.map((s) => s.baselines[b]?.[sc]?.mae ?? NaN)).mean - own,
          }))
          .reduce((x, y) => (y.margin < x.margin ? y : x));
        const seedsBetter = summaries.filter(
          (s) => s.scenarios[sc]!.mae < (s.baselines[closest.b]?.[sc]?.mae ?? NaN),
        ).length;
        const name = BASELINE_LABELS[closest.b].split(':')[0];
        const detail = `closest: ${name}, ${closest.margin >= 0 ? 'ahead by' : 'behind by'} ${Math.abs(closest.margin).toFixed(5)}, better in ${seedsBetter} of ${summaries.length} seeds`;
        // a lead under LEVEL MAE on the mean of 3 seeds is no win: say so rather than "beats"
        const verdict =
          worse.length > 0
            ? `does NOT beat ${worse.map((b) => BASELINE_LABELS[b]).join(', ')}`
            : closest.margin < LEVEL
              ? `level with ${name} (ahead by less than ${LEVEL} MAE, which is no win)`
              : 'beats every baseline';
        verdicts.push(`${SCENARIO_SHORT[sc]}: ${verdict} (${detail})`);
      }
      out.push(`Cold-start scenarios, mean MAE vs every baseline: ${verdicts.join('; ')}.`, '');
      if (memories.length) {
        const att = memories.map(attentionSummary);
        const k = memories[0]!.k;
        out.push(
          `Memory attention after training (test users evaluated, per seed): mean largest attention weight ${att.map((a) => a.meanMaxWeight.toFixed(3)).join(', ')} (uniform would be ${(1 / k).toFixed(3)}); share of users per dominant slot ${att.map((a) => `[${a.dominantShare.map((x) => x.toFixed(2)).join(' ')}]`).join(', ')}; profile-memory slot spread (mean pairwise distance / mean slot norm) ${att.map((a) => a.slotSpread.toExponential(2)).join(', ')}.`,
          '',
          att.every((a) => a.meanMaxWeight < 1 / k + 0.01)
            ? (tuning.chosen.memoryWrite ?? DEFAULT_CONFIG.memoryWrite) === 'paper'
              ? "The attention is uniform: with the printed write rule (memoryWrite 'paper': M_P <- alpha a p_u^T + (1 - alpha) M_P, alpha = 0.5) the random initial slots are forgotten within a few dozen writes (0.5^20 ~ 1e-6); every slot becomes the same attention-weighted average of recent profiles up to scale, and cosine ignores the scale, so all slots score alike (src/models/memory.ts)."
              : `The attention is uniform although the slot-gated write was used: validation chose attention scale ${tuning.chosen.attentionScale ?? DEFAULT_CONFIG.attentionScale}, at which cos(p_u, M_P[k]) in [-1, 1] gives near-uniform weights, every slot moves toward every user alike and the slots merge (validation MAE does not reward distinct slots here; at scale 10 they stay apart, see the ML-1M table).`
            : `Memory write: '${tuning.chosen.memoryWrite ?? DEFAULT_CONFIG.memoryWrite}' (src/models/memory.ts), attention scale ${tuning.chosen.attentionScale ?? DEFAULT_CONFIG.attentionScale}.`,
          '',
        );
      }
      if (name === 'ml-1m-published' && model === 'melu') {
        out.push(
          'Against the MeLU paper (full ML-1M, MeLU-5):',
          '',
          '| | paper MAE | ours MAE | paper nDCG@3 | ours nDCG@3 |',
          '|---|---|---|---|---|',
        );
        for (const sc of SCENARIOS) {
          const paper = MELU_PAPER[sc];
          if (!paper || !s0.scenarios[sc]) continue;
          const mae = stats(summaries.map((s) => s.scenarios[sc]!.mae)).mean;
          const ndcg = stats(summaries.map((s) => s.scenarios[sc]!.ndcg3)).mean;
          out.push(
            `| ${SCENARIO_SHORT[sc]} | ${paper.mae} | ${mae.toFixed(4)} | ${paper.ndcg3} | ${ndcg.toFixed(4)} |`,
          );
        }
        out.push(
          '',
          `Why the numbers differ from the paper: we train on the rebuilt warm data of users 1-2999 only (1,093 training tasks after MeLU's filter and our validation/warm-test hold-out; the paper had all 6,040 users), our warm test set is a 10% hold-out of those users (the paper's warm state is not public), features differ slightly (release decade added, films of 2000 read the 1990s row; values seen by fewer than two training users or items read the unknown row), hyper-parameters were chosen on our validation users (${notInMelu({ ...tuning.chosen, ...evaluation })}), and nDCG@3 is computed on the real-valued ranking with gain 2^r - 1 (docs/metrics.md); the paper's exact nDCG definition is not available to us.`,
          '',
        );
      }
    }
  }
  writeFileSync(rawFile, JSON.stringify(raw) + '\n');
  if (only !== undefined && existsSync(file)) {
    const text = readFileSync(file, 'utf8');
    const heading = `## ${DATASETS[only]!.label}\n`;
    const from = text.indexOf(heading);
    const to = from >= 0 ? text.indexOf('\n## ', from + heading.length) : -1;
    if (from < 0 || to < 0) throw new Error(`docs/results.md has no section "${heading.trim()}" to replace`);
    const section = out.slice(sectionStart).join('\n');
    writeFileSync(file, text.slice(0, from) + section.trimEnd() + '\n' + text.slice(to));
    console.log(`replaced the ${only} section of docs/results.md`);
    return;
  }
  out.push(...speedSection());
  writeFileSync(file, out.join('\n') + '\n');
  console.log('wrote docs/results.md');
}

await main();
