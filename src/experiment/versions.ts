/**
 * Two versions of one protocol side by side (docs/protocol.md, section 11: v1.1 runs v1's ML-1M jobs
 * again on newer code). For every dataset, row and test scenario where both versions have parts of the
 * same seeds, the MAE of the newer version's model minus the older's over the same test users (a
 * seed's user split and query draw depend on the seed only, so the users pair), with its paired 95%
 * interval (stats.ts, as every interval of the document) and the seeds paired: how far the change of
 * version moved each row. A part whose test users differ from the other version's is not paired.
 */
import { SCENARIOS, SCENARIO_SHORT } from '../data/scenarios/types';
import type { JobPart } from './part';
import { INTERVAL_OPTIONS, pairedVariantRows } from './render';
import { formatInterval, pairedInterval } from './stats';

export interface Version {
  /** how the document names it, e.g. "v1 (experiments/protocol-v1.json)" */
  readonly label: string;
  readonly parts: readonly JobPart[];
}

/**
 * The section's lines (none when no row has parts in both). Rows in `order` (the spec's variant
 * names); datasets in the order the newer version's parts first name them. Returns the lines and how
 * many intervals they show.
 */
export function versionsSection(
  newer: Version,
  older: Version,
  order: readonly string[],
): { lines: string[]; count: number } {
  const group = (parts: readonly JobPart[]) => {
    const out = new Map<string, JobPart[]>();
    for (const p of parts) {
      const key = `${p.dataset}\u0000${p.variant.name}`;
      out.set(key, [...(out.get(key) ?? []), p]);
    }
    return out;
  };
  const a = group(newer.parts);
  const b = group(older.parts);
  const datasets = [...new Set(newer.parts.map((p) => p.dataset))];
  const lines: string[] = [];
  let count = 0;
  for (const dataset of datasets) {
    const label = newer.parts.find((p) => p.dataset === dataset)!.datasetLabel;
    // parts computed by the same code in both versions (copied, as v1.1's ML-100K) have nothing to show
    const same = newer.parts
      .filter((p) => p.dataset === dataset)
      .every((p) =>
        older.parts.some(
          (q) =>
            q.dataset === dataset &&
            q.variant.name === p.variant.name &&
            q.seed === p.seed &&
            q.code === p.code,
        ),
      );
    if (same) {
      lines.push(
        `### ${label}`,
        '',
        `The same parts in ${newer.label} and ${older.label} (the same code).`,
        '',
      );
      continue;
    }
    const rows: string[] = [];
    for (const name of order) {
      const key = `${dataset}\u0000${name}`;
      const pa = a.get(key);
      const pb = b.get(key);
      if (!pa?.length || !pb?.length) continue;
      const cells = SCENARIOS.map((s) => {
        const paired = pairedVariantRows(pa, pb, s);
        if (!paired.length) return '–';
        const interval = pairedInterval(paired, 'mae', INTERVAL_OPTIONS);
        count++;
        return `${formatInterval(interval)} (${interval.seeds})`;
      });
      if (cells.some((c) => c !== '–')) rows.push(`| ${name} | ${cells.join(' | ')} |`);
    }
    if (!rows.length) continue;
    lines.push(
      `### ${label}: ${newer.label} − ${older.label}`,
      '',
      `Each cell: the MAE of ${newer.label}'s row minus ${older.label}'s over the same test users, [95% interval], (seeds paired). Both versions run the same protocol; what differs is the code's version, so these intervals show how much the newer code moved each row (docs/protocol.md, section 11).`,
      '',
      `| row | ${SCENARIOS.map((s) => SCENARIO_SHORT[s]).join(' | ')} |`,
      `|---|${SCENARIOS.map(() => '---').join('|')}|`,
      ...rows,
      '',
    );
  }
  if (!count) return { lines: [], count: 0 };
  return {
    lines: [
      '## Versions of the protocol side by side',
      '',
      `${count} intervals, not corrected for multiplicity.`,
      '',
      ...lines,
    ],
    count,
  };
}

/** How far a newer version of the protocol has got: its applicable jobs and their parts, per dataset. */
export interface NewerProgress {
  /** the newer spec's title and path, as a reader finds it */
  readonly title: string;
  readonly path: string;
  /** per dataset label, in the spec's order: applicable jobs and complete parts */
  readonly datasets: readonly { readonly label: string; readonly jobs: number; readonly parts: number }[];
}

/**
 * The paragraph an older version's document carries under its title while a newer version runs
 * (docs/protocol.md, section 11: the older merge stays the results of record until the newer one is
 * complete), and after: how many of the newer version's applicable jobs have parts, per dataset.
 */
export function newerVersionNote(newer: NewerProgress): string {
  const jobs = newer.datasets.reduce((a, d) => a + d.jobs, 0);
  const parts = newer.datasets.reduce((a, d) => a + d.parts, 0);
  const each = newer.datasets.map((d) => `${d.label}: ${d.parts} of ${d.jobs}`).join('; ');
  const state =
    parts >= jobs
      ? 'It is complete, and its merge replaces this document as the results of record.'
      : 'Until all have parts, this document stays the results of record.';
  return `**A newer version of this protocol**: ${newer.title} (\`${newer.path}\`, docs/protocol.md). ${parts} of its ${jobs} applicable jobs have parts (${each}). ${state}`;
}
