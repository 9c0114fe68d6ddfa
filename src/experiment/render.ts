/**
 * The merged document of an experiment spec, from its job parts: per dataset and test scenario, each
 * variant's model and baseline rows as MAE and RMSE mean ± std over seeds, and for every
 * model-vs-baseline pair the paired 95% interval of the MAE difference (model − baseline over the same
 * test users; stats.ts: bootstrap over users, stratified by seed), the seeds the model won and the
 * verdict. Timings and dates go in the last section only, so two merges of the same runs differ there
 * and nowhere else.
 */
import { SCENARIOS, SCENARIO_SHORT, type Scenario } from '../data/scenarios/types';
import { BASELINE_LABELS, BASELINES, type ScenarioRecord } from '../train/events';
import { datasetRef, labelOf } from './datasets';
import type { JobPart } from './part';
import { cell, meanStd } from './seedStats';
import type { ExperimentSpec, Job } from './spec';
import { formatInterval, pairedInterval, verdict, type UserErrors } from './stats';
import type { Predictor, ScenarioErrors } from './userErrors';

/** Bootstrap settings of every interval in the document. */
export const INTERVAL_OPTIONS = { resamples: 10_000, level: 0.95, seed: 1 } as const;

const recordOf = (part: JobPart, row: Predictor): ScenarioRecord | undefined =>
  row === 'model' ? part.result.model : part.result.baselines[row];

/** The paired rows (model = A, baseline = B) of one scenario over the parts (seeds) that have both. */
export function pairedRows(parts: readonly JobPart[], scenario: Scenario, baseline: Predictor): UserErrors[] {
  const rows: UserErrors[] = [];
  for (const part of parts) {
    const e: ScenarioErrors | undefined = part.result.errors?.[scenario];
    const a = e?.predictors.model;
    const b = e?.predictors[baseline];
    if (!e || !a || !b) continue;
    e.n.forEach((n, u) =>
      rows.push({ seed: part.seed, n, absA: a.abs[u]!, absB: b.abs[u]!, sqA: a.sq[u]!, sqB: b.sq[u]! }),
    );
  }
  return rows;
}

function variantText(part: JobPart): string {
  const v = part.variant;
  const base = v.preset ? `preset ${v.preset}` : `tuning ${v.tuning}`;
  const overrides = Object.keys(v.overrides).length ? `, overrides ${JSON.stringify(v.overrides)}` : '';
  const selection =
    v.selection === 'per-kind' ? 'one checkpoint per item kind chosen on validation' : 'the last epoch';
  return `**${v.name}**: ${base}${overrides} (model ${part.config.model}); ${selection}; evaluation local rate ${v.chooseLocalRate ? 'chosen on validation' : `the configured ${part.config.innerLr}`}; budget ${part.budget} epochs.`;
}

function scenarioTable(
  spec: ExperimentSpec,
  dataset: string,
  scenario: Scenario,
  byVariant: Map<string, JobPart[]>,
): string[] {
  const first = [...byVariant.values()].flat().find((p) => p.result.model[scenario]);
  if (!first) return [];
  const m = first.result.model[scenario]!;
  const out = [
    `### ${SCENARIO_SHORT[scenario]} (seed ${first.seed}: ${m.users} test users, ${m.ratings} query ratings)`,
    '',
    '| variant | row | MAE | RMSE | MAE: model − row [95% interval] | seeds won by the model | verdict |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const variant of spec.variants) {
    const parts = byVariant.get(variant.name) ?? [];
    if (!parts.length) continue;
    const values = (row: Predictor, metric: 'mae' | 'rmse') =>
      parts.map((p) => recordOf(p, row)?.[scenario]?.[metric] ?? NaN);
    out.push(
      `| ${variant.name} | model, after local adaptation | ${cell(values('model', 'mae'))} | ${cell(values('model', 'rmse'))} | | | |`,
    );
    for (const b of BASELINES) {
      if (!variant.baselines.includes(b) || parts.every((p) => !recordOf(p, b)?.[scenario])) continue;
      const rows = pairedRows(parts, scenario, b);
      const interval = rows.length ? pairedInterval(rows, 'mae', INTERVAL_OPTIONS) : null;
      const label = BASELINE_LABELS[b].split(':')[0];
      out.push(
        `| ${variant.name} | ${label} | ${cell(values(b, 'mae'))} | ${cell(values(b, 'rmse'))} | ${interval ? formatInterval(interval) : '–'} | ${interval ? `${interval.seedsWon} of ${interval.seeds}` : '–'} | ${interval ? verdict(interval) : 'no per-user errors'} |`,
      );
    }
  }
  out.push('');
  return out;
}

/** The document: `parts` are the complete parts found, `jobs` every job of the spec. */
export function renderMerged(
  spec: ExperimentSpec,
  specPath: string,
  jobs: readonly Job[],
  parts: readonly JobPart[],
): string {
  const out: string[] = [
    `# ${spec.title}`,
    '',
    `Merged by \`npm run cli -- experiment ${specPath} --merge\` from ${parts.length} of ${jobs.length} job parts (one job: one dataset, one variant, one seed); do not edit by hand. Every choice (checkpoint, local rate, the baselines' settings) is made on validation users; the test scenarios only report. MAE and RMSE: mean ± standard deviation over seeds, each seed with its own user split, query sample and training; predictions clipped to the rating scale (docs/metrics.md). For every baseline row: the MAE of the variant's model minus the row's, over the same test users, with a ${INTERVAL_OPTIONS.level * 100}% percentile-bootstrap interval (${INTERVAL_OPTIONS.resamples.toLocaleString('en-US')} resamples of the test users, stratified by seed: src/experiment/stats.ts); negative means the model is better; the verdict says ahead or behind only when the interval excludes 0.`,
    '',
  ];
  const missing = jobs.filter(
    (j) =>
      !parts.some((p) => p.dataset === j.dataset && p.variant.name === j.variant.name && p.seed === j.seed),
  );
  if (missing.length)
    out.push(
      `Missing parts (not run yet, or running): ${missing.map((j) => `#${j.index} ${j.dataset} / ${j.variant.name} / seed ${j.seed}`).join('; ')}.`,
      '',
    );
  for (const dataset of spec.datasets) {
    const here = parts.filter((p) => p.dataset === dataset).sort((a, b) => a.seed - b.seed);
    out.push(`## ${here[0]?.datasetLabel ?? labelOf(datasetRef(dataset))}`, '');
    if (!here.length) {
      out.push('No parts yet.', '');
      continue;
    }
    const byVariant = new Map<string, JobPart[]>();
    for (const p of here) byVariant.set(p.variant.name, [...(byVariant.get(p.variant.name) ?? []), p]);
    for (const v of spec.variants) {
      const ps = byVariant.get(v.name);
      if (ps) out.push(`${variantText(ps[0]!)} Seeds ${ps.map((p) => p.seed).join(', ')}.`, '');
    }
    for (const s of SCENARIOS) out.push(...scenarioTable(spec, dataset, s, byVariant));
  }
  out.push('## Time', '', '| dataset | variant | seconds per job (mean) | run on |', '|---|---|---|---|');
  for (const dataset of spec.datasets)
    for (const v of spec.variants) {
      const ps = parts.filter((p) => p.dataset === dataset && p.variant.name === v.name);
      if (ps.length)
        out.push(
          `| ${dataset} | ${v.name} | ${meanStd(ps.map((p) => p.result.seconds)).mean.toFixed(0)} | ${[...new Set(ps.map((p) => p.date))].sort().join(', ')} |`,
        );
    }
  return out.join('\n') + '\n';
}
