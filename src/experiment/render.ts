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
import { ABLATION_LABELS, ablatedOptions } from './ablation';
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

/**
 * The paired rows of two variants' models on one scenario: per seed both parts, same test users (a
 * seed's split and query draw do not depend on the variant; a mismatch is skipped, not paired).
 */
export function pairedVariantRows(
  a: readonly JobPart[],
  b: readonly JobPart[],
  scenario: Scenario,
): UserErrors[] {
  const rows: UserErrors[] = [];
  for (const pa of a) {
    const pb = b.find((p) => p.seed === pa.seed);
    const ea = pa.result.errors?.[scenario];
    const eb = pb?.result.errors?.[scenario];
    const ma = ea?.predictors.model;
    const mb = eb?.predictors.model;
    if (!ea || !eb || !ma || !mb) continue;
    if (
      ea.users.length !== eb.users.length ||
      ea.users.some((u, i) => u !== eb.users[i] || ea.n[i] !== eb.n[i])
    )
      continue;
    ea.n.forEach((n, u) =>
      rows.push({ seed: pa.seed, n, absA: ma.abs[u]!, absB: mb.abs[u]!, sqA: ma.sq[u]!, sqB: mb.sq[u]! }),
    );
  }
  return rows;
}

const selectionText = (rule: JobPart['variant']['selection']) =>
  rule === 'per-kind'
    ? 'one checkpoint per item kind chosen on validation'
    : rule === 'single'
      ? 'one checkpoint for both item kinds chosen on validation'
      : 'the last epoch';

function variantText(part: JobPart): string {
  const v = part.variant;
  const base = v.preset ? `preset ${v.preset}` : `tuning ${v.tuning}`;
  const overrides = Object.keys(v.overrides).length ? `, overrides ${JSON.stringify(v.overrides)}` : '';
  const ablation = v.ablate ? `; without ${ABLATION_LABELS[v.ablate]}` : '';
  if (v.role === 'non-meta')
    return `**${v.name}**: the non-meta network (${base}${overrides}: the network trained by supervised MSE on every training rating, fine-tuned on each support set), ${v.nonMetaGrid === 'v1' ? "protocol v1's grid (12 trained configurations; fine-tuning layers, clip and steps chosen on validation)" : "the model's settings at its dropout and none"}; ${selectionText(v.selection)}; budget ${part.budget} epochs.`;
  // what the job ran: an ablation may remove a selection step (ablation.ts)
  const ran = ablatedOptions(v.ablate, {
    selection: v.selection,
    chooseLocalRate: v.chooseLocalRate,
  });
  return `**${v.name}**: ${base}${overrides}${ablation} (model ${part.config.model}); ${selectionText(ran.selection)}; evaluation local rate ${ran.chooseLocalRate ? 'chosen on validation' : `the configured ${part.config.innerLr}`}; budget ${part.budget} epochs.`;
}

/**
 * Each variant against the variants it names in "against" (an ablation against its full variant, a
 * variant against its paper row or the non-meta row): one row per pair, one cell per scenario with
 * the MAE difference A − B, its interval, seeds won by A and the verdict. Returns the lines and the
 * number of intervals shown.
 */
function comparisonTable(
  spec: ExperimentSpec,
  byVariant: Map<string, JobPart[]>,
): { lines: string[]; count: number } {
  const pairs = spec.variants.flatMap((v) => (v.against ?? []).map((w) => [v.name, w] as const));
  const present = pairs.filter(([a, b]) => byVariant.get(a)?.length && byVariant.get(b)?.length);
  if (!present.length) return { lines: [], count: 0 };
  const lines = [
    '### Rows against rows (ablations, variants against paper rows and the non-meta network)',
    '',
    'Each cell: MAE of the first row minus the second over the same test users, [95% interval], seeds won by the first row, verdict.',
    '',
    `| first − second | ${SCENARIOS.map((s) => SCENARIO_SHORT[s]).join(' | ')} |`,
    `|---|${SCENARIOS.map(() => '---').join('|')}|`,
  ];
  let count = 0;
  for (const [a, b] of present) {
    const cells = SCENARIOS.map((s) => {
      const rows = pairedVariantRows(byVariant.get(a)!, byVariant.get(b)!, s);
      if (!rows.length) return '–';
      const interval = pairedInterval(rows, 'mae', INTERVAL_OPTIONS);
      count++;
      return `${formatInterval(interval)}, ${interval.seedsWon}/${interval.seeds}, ${verdict(interval)}`;
    });
    lines.push(`| ${a} − ${b} | ${cells.join(' | ')} |`);
  }
  lines.push('');
  return { lines, count };
}

function scenarioTable(
  spec: ExperimentSpec,
  dataset: string,
  scenario: Scenario,
  byVariant: Map<string, JobPart[]>,
  counter: { count: number },
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
      if (interval) counter.count++;
      const label = BASELINE_LABELS[b].split(':')[0];
      out.push(
        `| ${variant.name} | ${label} | ${cell(values(b, 'mae'))} | ${cell(values(b, 'rmse'))} | ${interval ? formatInterval(interval) : '–'} | ${interval ? `${interval.seedsWon} of ${interval.seeds}` : '–'} | ${interval ? verdict(interval) : 'no per-user errors'} |`,
      );
    }
  }
  for (const q of spec.quoted?.[dataset] ?? [])
    if (q.mae[scenario] !== undefined)
      out.push(
        `| quoted | ${q.label} (${q.source}) | ${q.mae[scenario]!.toFixed(3)} | ${q.rmse?.[scenario]?.toFixed(3) ?? '–'} | not run here | | |`,
      );
  out.push('');
  return out;
}

/** The document: `parts` are the complete parts found, `jobs` every job of the spec. */
export function renderMerged(
  spec: ExperimentSpec,
  specPath: string,
  jobs: readonly Job[],
  parts: readonly JobPart[],
  notApplicable: ReadonlyMap<number, string> = new Map(),
): string {
  const out: string[] = [
    `# ${spec.title}`,
    '',
    `Merged by \`npm run cli -- experiment ${specPath} --merge\` from ${parts.length} of ${jobs.length} job parts (one job: one dataset, one variant, one seed); do not edit by hand. Every choice (checkpoint, local rate, the baselines' settings) is made on validation users; the test scenarios only report. MAE and RMSE: mean ± standard deviation over seeds, each seed with its own user split, query sample and training; predictions clipped to the rating scale (docs/metrics.md). For every baseline row: the MAE of the variant's model minus the row's, over the same test users, with a ${INTERVAL_OPTIONS.level * 100}% percentile-bootstrap interval (${INTERVAL_OPTIONS.resamples.toLocaleString('en-US')} resamples of the test users, stratified by seed: src/experiment/stats.ts); negative means the model is better; the verdict says ahead or behind only when the interval excludes 0.`,
    '',
  ];
  const missing = jobs.filter(
    (j) =>
      !notApplicable.has(j.index) &&
      !parts.some((p) => p.dataset === j.dataset && p.variant.name === j.variant.name && p.seed === j.seed),
  );
  if (missing.length) {
    const groups = new Map<string, number[]>();
    for (const j of missing) {
      const key = `${j.dataset} / ${j.variant.name}`;
      groups.set(key, [...(groups.get(key) ?? []), j.seed]);
    }
    out.push(
      `**Incomplete: ${missing.length} of ${jobs.length - notApplicable.size} jobs have no part yet** (not run, or running); every table below covers only the seeds listed under it, and a row against a row pairs only the seeds both have. Missing: ${[...groups].map(([k, seeds]) => `${k} seeds ${seeds.join(', ')}`).join('; ')}.`,
      '',
    );
  }
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
    const counter = { count: 0 };
    for (const s of SCENARIOS) out.push(...scenarioTable(spec, dataset, s, byVariant, counter));
    const compared = comparisonTable(spec, byVariant);
    out.push(...compared.lines);
    const diverged = here.filter((p) => p.result.diverged?.length);
    if (diverged.length)
      out.push(
        `Diverged (docs/protocol.md, section 12: the picks are among the checkpoints evaluated before the divergence): ${diverged.map((p) => `${p.variant.name} seed ${p.seed} (${p.result.diverged!.join('; ')})`).join('; ')}.`,
        '',
      );
    const skipped = jobs.filter((j) => j.dataset === dataset && notApplicable.has(j.index));
    const named = new Map(skipped.map((j) => [j.variant.name, notApplicable.get(j.index)!]));
    if (named.size)
      out.push(
        `Ablations without a row (the chosen configuration does not hold the addition): ${[...named].map(([n, why]) => `${n} (${why})`).join('; ')}.`,
        '',
      );
    out.push(
      `This section holds ${counter.count + compared.count} paired intervals, each at 95% on its own; they are not corrected for multiplicity.`,
      '',
    );
  }
  out.push(
    '## Time',
    '',
    '| dataset | variant | seconds per job (mean) | run on | code (commit) |',
    '|---|---|---|---|---|',
  );
  for (const dataset of spec.datasets)
    for (const v of spec.variants) {
      const ps = parts.filter((p) => p.dataset === dataset && p.variant.name === v.name);
      if (ps.length)
        out.push(
          `| ${dataset} | ${v.name} | ${meanStd(ps.map((p) => p.result.seconds)).mean.toFixed(0)} | ${[...new Set(ps.map((p) => p.date))].sort().join(', ')} | ${[...new Set(ps.map((p) => p.code ?? 'unknown'))].sort().join(', ')} |`,
        );
    }
  return out.join('\n') + '\n';
}
