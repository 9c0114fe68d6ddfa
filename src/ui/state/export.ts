/** Exports of saved runs: JSON (everything) and CSV (one row per ended run and test scenario). */
import { SCENARIOS } from '../../data/scenarios/types';
import type { RunSummary } from '../../worker/protocol';

const COLUMNS = [
  'mae',
  'rmse',
  'maeUser',
  'rmseUser',
  'ndcg3',
  'loss',
  'maeBefore',
  'rmseBefore',
  'ndcg3Before',
  'tasks',
  'users',
  'ratings',
] as const;

function cell(v: unknown): string {
  const s = typeof v === 'number' ? (Number.isFinite(v) ? String(v) : '') : String(v ?? '');
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function runsToCsv(
  runs: readonly { id: string; dataset: string; summary: RunSummary | null }[],
): string {
  const header = ['run', 'dataset', 'model', 'protocol', 'seed', 'backend', 'epochs', 'scenario', ...COLUMNS];
  const rows = [header.join(',')];
  for (const r of runs) {
    if (!r.summary) continue; // running, interrupted or failed: no final metrics
    for (const s of SCENARIOS) {
      const m = r.summary.scenarios[s];
      if (!m) continue;
      rows.push(
        [
          r.id,
          r.dataset,
          r.summary.model,
          r.summary.protocol,
          r.summary.seed,
          r.summary.backend,
          r.summary.epochs.length,
          s,
          ...COLUMNS.map((c) => m[c]),
        ]
          .map(cell)
          .join(','),
      );
    }
  }
  return rows.join('\n') + '\n';
}

/** Downloads text as a file (Blob + object URL). */
export function download(name: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
