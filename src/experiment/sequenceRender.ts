/**
 * The MELO/MML section of docs/results.md from the sequential protocol's parts
 * (docs/protocol-sequence.md): per dataset the rating rows (MAE, RMSE) and the ranking rows (Recall,
 * MRR, NDCG), mean over seeds with the picked epochs; each declared comparison per test cell as a
 * paired difference with its 95% bootstrap interval (stats.ts) and the seeds won; sentences for the
 * two papers' claims; the time of every job. Plain strings: no Node module.
 */
import { SCENARIOS, type Scenario } from '../data/scenarios/types';
import type { SequenceResult } from './sequenceJob';
import {
  rowsOf,
  sequenceJobsOf,
  type SequenceComparison,
  type SequenceJob,
  type SequenceSpec,
} from './sequenceSpec';
import { formatInterval, pairedInterval, verdict, type PairedInterval, type UserErrors } from './stats';

/** What a part file stores. */
export interface SequencePart {
  readonly format: typeof SEQUENCE_PART_FORMAT;
  readonly dataset: string;
  readonly job: string;
  readonly preset: string;
  readonly seed: number;
  readonly config: Record<string, unknown>;
  readonly date: string;
  readonly code: string | null;
  readonly result: SequenceResult;
}

export const SEQUENCE_PART_FORMAT = 'metarec-sequence-part-1';

/** Whether `raw` is a complete part of `job` (format, names, seed and every row present). */
export function isSequencePart(raw: unknown, job: SequenceJob): raw is SequencePart {
  const p = raw as Partial<SequencePart> | null;
  return (
    !!p &&
    p.format === SEQUENCE_PART_FORMAT &&
    p.dataset === job.dataset &&
    p.job === job.job.name &&
    p.seed === job.seed &&
    !!p.result &&
    (p.result.diverged !== undefined || rowsOf(job.job).every((row) => p.result!.rows[row] !== undefined))
  );
}

export const CELL_LABELS: Record<Scenario, string> = {
  warm: 'warm',
  user_cold: 'new user',
  item_cold: 'new item',
  user_item_cold: 'new user & item',
};

const INTERVAL_OPTIONS = { resamples: 10_000, level: 0.95, seed: 1 } as const;

const avg = (xs: number[]) => xs.reduce((s, v) => s + v, 0) / xs.length;
const fmt = (x: number, d = 3) => (Number.isFinite(x) ? x.toFixed(d) : '–');

/**
 * A comparison in plain words: where `a` beats `b` (interval below 0), where it does not (level, or
 * behind), e.g. "`mml` does not beat `mml ID` (Recall@10) in any cell: level on warm, ...".
 */
export function claimSentence(
  c: SequenceComparison,
  metric: string,
  ahead: readonly string[],
  behind: readonly string[],
  level: readonly string[],
): string {
  const pair = `\`${c.a}\` ${ahead.length ? 'beats' : 'does not beat'} \`${c.b}\` (${metric})`;
  const notAhead = [
    ...(level.length ? [`level on ${level.join(', ')}`] : []),
    ...(behind.length ? [`behind on ${behind.join(', ')}`] : []),
  ].join('; ');
  if (!ahead.length) return `${pair} in any cell: ${notAhead}.`;
  return notAhead
    ? `${pair} on ${ahead.join(', ')} only; it does not on the others (${notAhead}).`
    : `${pair} in every cell.`;
}

/** The spec's job of a part. */
function jobOf(spec: SequenceSpec, name: string) {
  const job = spec.jobs.find((j) => j.name === name);
  if (!job) throw new Error(`Expected a job named ${name} in the spec`);
  return job;
}

/** The user rows of comparison a vs b on one cell over the parts' seeds (both rows present). */
function pairedRows(parts: readonly SequencePart[], c: SequenceComparison, scenario: Scenario): UserErrors[] {
  const out: UserErrors[] = [];
  const bySeed = new Map<number, SequencePart[]>();
  for (const p of parts) bySeed.set(p.seed, [...(bySeed.get(p.seed) ?? []), p]);
  for (const [seed, seedParts] of bySeed) {
    const cellOf = (row: string) =>
      seedParts.map((p) => p.result.users[scenario]).find((cell) => cell?.rows[row] !== undefined);
    const ca = cellOf(c.a);
    const cb = cellOf(c.b);
    if (!ca || !cb) continue;
    if (ca.users.join() !== cb.users.join())
      throw new Error(`Expected the same ${scenario} test users for ${c.a} and ${c.b} in seed ${seed}`);
    const a = ca.rows[c.a]!;
    const b = cb.rows[c.b]!;
    // rating rows: (abs, sq); ranking rows: (1 − hit@10, 1 − NDCG@10), passed as abs and sq
    ca.users.forEach((_, u) =>
      out.push({ seed, n: ca.n[u]!, absA: a.a[u]!, absB: b.a[u]!, sqA: a.b[u]!, sqB: b.b[u]! }),
    );
  }
  return out;
}

/** Recall@10 (NDCG@10) difference from the interval of the mean miss (1 − NDCG) difference. */
function asGain(i: PairedInterval): PairedInterval {
  return { ...i, diff: -i.diff, low: -i.high, high: -i.low };
}

/** The interval of a vs b for one metric on one cell; null when no seed has both. */
export function comparisonInterval(
  parts: readonly SequencePart[],
  c: SequenceComparison,
  scenario: Scenario,
  metric: 'first' | 'second',
): { shown: PairedInterval; word: ReturnType<typeof verdict> } | null {
  const rows = pairedRows(parts, c, scenario);
  if (!rows.length) return null;
  const ranking = c.kind === 'ranking';
  // rating: MAE on the abs sums, RMSE on the squared sums; ranking: the mean of either sum (1 − hit@10,
  // 1 − NDCG@10), so the 'mae' statistic on the chosen sums
  const interval =
    metric === 'first'
      ? pairedInterval(rows, 'mae', INTERVAL_OPTIONS)
      : ranking
        ? pairedInterval(
            rows.map((r) => ({ ...r, absA: r.sqA, absB: r.sqB })),
            'mae',
            INTERVAL_OPTIONS,
          )
        : pairedInterval(rows, 'rmse', INTERVAL_OPTIONS);
  const word = verdict(interval);
  return { shown: ranking ? asGain(interval) : interval, word };
}

/** The section (markdown lines). `missing` lists the jobs without a part. */
export function renderSequence(spec: SequenceSpec, specPath: string, parts: readonly SequencePart[]): string {
  const jobs = sequenceJobsOf(spec);
  const have = new Set(parts.map((p) => `${p.dataset}|${p.job}|${p.seed}`));
  const missing = jobs.filter((j) => !have.has(`${j.dataset}|${j.job.name}|${j.seed}`));
  const lines: string[] = [];
  lines.push(`## MELO and MML: ${spec.title}`, '');
  lines.push(
    `Protocol: docs/protocol-sequence.md (frozen before these numbers); spec \`${specPath}\`; produced by \`npm run cli -- sequence-experiment ${specPath} --merge\` from ${parts.length} of ${jobs.length} job parts.`,
  );
  if (missing.length)
    lines.push(
      '',
      `**Incomplete: ${parts.length} of ${jobs.length} jobs.** Missing: ${missing.map((j) => `${j.dataset} ${j.job.name} seed ${j.seed}`).join('; ')}.`,
    );
  for (const dataset of spec.datasets) {
    const ds = parts.filter((p) => p.dataset === dataset);
    if (!ds.length) continue;
    const seeds = [...new Set(ds.map((p) => p.seed))].sort((a, b) => a - b);
    lines.push('', `### ${dataset}: seeds ${seeds.join(', ')}`, '');
    // the size of each test cell, per seed (the same for every job of a seed)
    const sizes = SCENARIOS.map((s) => {
      const counts = seeds.map((seed) => {
        const cell = ds.find((p) => p.seed === seed && p.result.users[s])?.result.users[s];
        return cell ? cell.users.length : 0;
      });
      return `${CELL_LABELS[s]} ${Math.min(...counts)}-${Math.max(...counts)}`;
    });
    lines.push(`Test users per cell and seed (every test task evaluated): ${sizes.join(', ')}.`, '');
    for (const kind of ['rating', 'ranking'] as const) {
      const kindJobs = spec.jobs.filter((j) => j.kind === kind);
      if (!kindJobs.length) continue;
      const rows = [...new Set(kindJobs.flatMap(rowsOf))];
      const metricCols =
        kind === 'rating'
          ? (['mae', 'rmse'] as const)
          : (['recall5', 'recall10', 'recall20', 'mrr10', 'ndcg10'] as const);
      lines.push(
        kind === 'rating'
          ? 'Rating rows: MAE / RMSE per test cell, mean over seeds (each seed: over all query ratings of the cell); epoch = the validation pick per seed.'
          : 'Ranking rows (next item over every item): per test cell Recall@5 / @10 / @20, MRR@10, NDCG@10, mean over seeds; epoch = the validation pick per seed.',
        '',
      );
      lines.push(`| row | epochs picked | ${SCENARIOS.map((s) => CELL_LABELS[s]).join(' | ')} |`);
      lines.push(`| --- | --- | ${SCENARIOS.map(() => '---').join(' | ')} |`);
      for (const row of rows) {
        // one part per seed (every rating job reports the same support mean)
        const rowParts = seeds
          .map((seed) => ds.find((p) => p.seed === seed && p.result.rows[row]))
          .filter((p): p is SequencePart => p !== undefined);
        if (!rowParts.length) continue;
        // a seed whose job diverged before any evaluation it may pick shows as "diverged"
        const epochs = seeds
          .map((seed) => {
            const p = rowParts.find((q) => q.seed === seed);
            if (p) return String(p.result.rows[row]!.epoch);
            const own = ds.find((q) => q.seed === seed && rowsOf(jobOf(spec, q.job)).includes(row));
            return own?.result.diverged !== undefined ? 'diverged' : '–';
          })
          .join(', ');
        const cells = SCENARIOS.map((s) => {
          const values = rowParts.map((p) => p.result.rows[row]!.test[s]).filter((v) => v !== undefined);
          if (!values.length) return '–';
          return metricCols.map((m) => fmt(avg(values.map((v) => v![m]!)))).join(' / ');
        });
        lines.push(`| \`${row}\` | ${epochs} | ${cells.join(' | ')} |`);
      }
      const comparisons = spec.comparisons.filter((c) => c.kind === kind);
      if (!comparisons.length) continue;
      const [first, second] = kind === 'rating' ? ['MAE', 'RMSE'] : ['Recall@10', 'NDCG@10'];
      const sense =
        kind === 'rating' ? 'a − b; negative: a has the lower error' : 'a − b; positive: a ranks better';
      lines.push(
        '',
        `Paired differences (${sense}), 95% bootstrap interval over test users within seeds, and the seeds where a is better; ${comparisons.length * SCENARIOS.length * 2} intervals, not corrected for multiplicity.`,
        '',
      );
      lines.push(`| a vs b | metric | ${SCENARIOS.map((s) => CELL_LABELS[s]).join(' | ')} |`);
      lines.push(`| --- | --- | ${SCENARIOS.map(() => '---').join(' | ')} |`);
      const verdicts: Record<string, Partial<Record<Scenario, string>>> = {};
      // how many seeds held both rows of a comparison (fewer than the dataset's when a job diverged)
      const pairedSeeds: Record<string, number> = {};
      for (const c of comparisons)
        for (const [metric, label] of [
          ['first', first],
          ['second', second],
        ] as const) {
          const cells = SCENARIOS.map((s) => {
            const r = comparisonInterval(ds, c, s, metric);
            if (!r) return '–';
            if (metric === 'first') {
              (verdicts[`${c.a}|${c.b}`] ??= {})[s] = r.word;
              pairedSeeds[`${c.a}|${c.b}`] = Math.max(pairedSeeds[`${c.a}|${c.b}`] ?? 0, r.shown.seeds);
            }
            return `${formatInterval(r.shown)} ${r.word === 'ahead' ? '**ahead**' : r.word === 'behind' ? '**behind**' : 'level'} (${r.shown.seedsWon}/${r.shown.seeds})`;
          });
          lines.push(`| \`${c.a}\` vs \`${c.b}\` | ${label} | ${cells.join(' | ')} |`);
        }
      lines.push('');
      for (const c of comparisons) {
        const v = verdicts[`${c.a}|${c.b}`] ?? {};
        const by = (w: string) => SCENARIOS.filter((s) => v[s]?.startsWith(w)).map((s) => CELL_LABELS[s]);
        const ahead = by('ahead');
        const behind = by('behind');
        const level = by('level');
        if (!ahead.length && !behind.length && !level.length) {
          lines.push(`- \`${c.a}\` vs \`${c.b}\` (${first}): no seed has both rows.`);
          continue;
        }
        const both = pairedSeeds[`${c.a}|${c.b}`] ?? 0;
        const few = both < seeds.length ? ` Only ${both} of ${seeds.length} seeds have both rows.` : '';
        lines.push(`- ${claimSentence(c, first, ahead, behind, level)}${few}`);
      }
      lines.push('');
    }
  }
  const diverged = parts.filter((p) => p.result.diverged !== undefined);
  if (diverged.length) {
    lines.push(
      'Diverged (docs/protocol-sequence.md section 8: the rows pick among the evaluations before the divergence; a row with none has no numbers for that seed, and its means and intervals use the other seeds):',
      '',
    );
    for (const p of diverged)
      lines.push(
        `- ${p.dataset} \`${p.job}\` seed ${p.seed}: ${p.result.diverged!.replace(/\.$/, '')}; rows kept: ${Object.keys(p.result.rows).join(', ') || 'none'}.`,
      );
    lines.push('');
  }
  lines.push('Time per job (seconds, one core of the shared 2-core machine, wasm) and the code it ran:', '');
  lines.push(
    '| dataset | job | seed | seconds | parameters | code |',
    '| --- | --- | --- | --- | --- | --- |',
  );
  for (const p of [...parts].sort((a, b) => a.seed - b.seed || a.job.localeCompare(b.job)))
    lines.push(
      `| ${p.dataset} | \`${p.job}\` | ${p.seed} | ${p.result.seconds.toFixed(0)} | ${p.result.parameters} | ${p.code ?? '?'} |`,
    );
  return lines.join('\n') + '\n';
}
