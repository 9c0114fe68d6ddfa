/**
 * Memory (MAMO): which preference slot each evaluated test user reads (attention, users x K), sortable
 * by dominant slot, with the user's profile on hover and the drill-down on click; what distinguishes
 * each slot's users; the profile memory M_P; a slider over the evaluated epochs.
 */
import { useMemo, useState } from 'react';
import { SCENARIOS, SCENARIO_LABELS, type Scenario } from '../../data/scenarios/types';
import type { DatasetSummary } from '../../data/summary';
import { Heatmap } from '../charts/Heatmap';
import type { RunView } from '../state/runState';
import { slotProfiles, sortByDominant } from './memoryStats';

interface Props {
  readonly run: RunView;
  readonly summary: DatasetSummary | null;
  readonly onPickUser: (scenario: Scenario, task: number) => void;
}

export function MemoryPanel({ run, summary, onPickUser }: Props) {
  const [index, setIndex] = useState<number | null>(null);
  const [sorted, setSorted] = useState(true);
  const snapshots = run.memory;
  const at = index === null ? snapshots.length - 1 : Math.min(index, snapshots.length - 1);
  const snap = at >= 0 ? snapshots[at]! : null;
  const order = useMemo(() => {
    if (!snap) return new Int32Array();
    return sorted
      ? sortByDominant(snap.attention, snap.k)
      : Int32Array.from({ length: snap.users.length }, (_, r) => r);
  }, [snap, sorted]);
  const values = useMemo(() => {
    if (!snap) return new Float32Array();
    const out = new Float32Array(order.length * snap.k);
    order.forEach((r, i) => out.set(snap.attention.subarray(r * snap.k, (r + 1) * snap.k), i * snap.k));
    return out;
  }, [snap, order]);
  const profiles = useMemo(
    () => (snap && summary ? slotProfiles(snap.users, snap.attention, snap.k, summary) : []),
    [snap, summary],
  );

  if (run.config?.model !== 'mamo') {
    return (
      <p className="empty">The memory explorer shows MAMO's memories: choose the MAMO model and train.</p>
    );
  }
  if (!snap) return <p className="empty">Train MAMO to see which preference slot each user reads.</p>;
  const slots = Array.from({ length: snap.k }, (_, k) => `slot ${k + 1}`);
  const profileOf = (u: number) => {
    if (!summary) return `user index ${u}`;
    const c = summary.userColumns;
    const v = summary.vocabularies;
    return `user ${c.rawIds[u]} · ${v.gender[c.gender[u]!]}, age ${v.age[c.age[u]!]}, ${v.occupation[c.occupation[u]!]}`;
  };
  return (
    <div className="memory" data-testid="memory-panel">
      <div className="row">
        <label>
          Epoch{' '}
          <input
            type="range"
            min={0}
            max={snapshots.length - 1}
            value={at}
            onChange={(e) => setIndex(Number(e.target.value))}
            data-testid="memory-epoch"
          />{' '}
          {snap.epoch}
        </label>
        <label>
          <input type="checkbox" checked={sorted} onChange={(e) => setSorted(e.target.checked)} /> sort by
          dominant slot
        </label>
      </div>
      <div className="memory-grid">
        <div>
          <h3>
            Attention of {snap.users.length} test users over {snap.k} slots
          </h3>
          <Heatmap
            values={values}
            rows={order.length}
            columns={snap.k}
            scale="sequential"
            columnLabels={slots}
            testId="attention-heatmap"
            fileName={`attention-epoch-${snap.epoch}`}
            tooltip={(row, column) => {
              const r = order[row]!;
              const weights = Array.from(snap.attention.subarray(r * snap.k, (r + 1) * snap.k), (w) =>
                w.toFixed(2),
              ).join(' / ');
              const scenario = SCENARIOS[snap.scenarios[r]!]!;
              return `${profileOf(snap.users[r]!)} · ${SCENARIO_LABELS[scenario]} · slot ${column + 1}: ${snap.attention[r * snap.k + column]!.toFixed(3)} (all: ${weights}) · click to inspect`;
            }}
            onRowClick={(row) => {
              const r = order[row]!;
              onPickUser(SCENARIOS[snap.scenarios[r]!]!, snap.tasks[r]!);
            }}
          />
        </div>
        <div>
          <h3>What distinguishes each slot's users</h3>
          <table className="table compact" data-testid="slot-profiles">
            <thead>
              <tr>
                <th>slot</th>
                <th>users</th>
                <th>gender</th>
                <th>age</th>
                <th>occupation</th>
              </tr>
            </thead>
            <tbody>
              {profiles.map((p) => (
                <tr key={p.slot}>
                  <th scope="row">{p.slot + 1}</th>
                  <td>{p.users}</td>
                  {p.fields.map((f) => (
                    <td key={f.field}>
                      {f.values.map((v) => (
                        <div
                          key={v.value}
                          title={`${(v.share * 100).toFixed(0)}% of the slot's users; ${v.lift.toFixed(2)}x their share overall`}
                        >
                          {v.value} <span className="muted">×{v.lift.toFixed(1)}</span>
                        </div>
                      ))}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
          <p className="hint">
            ×: how much more common the value is among the slot's users than among all evaluated users.
          </p>
          <h3>
            Profile memory M_P ({snap.k} x {snap.profileWidth})
          </h3>
          <Heatmap
            values={snap.profileMemory}
            rows={snap.k}
            columns={snap.profileWidth}
            scale="diverging"
            columnLabels={[]}
            cellHeight={18}
            width={300}
            testId="profile-memory"
            fileName={`profile-memory-epoch-${snap.epoch}`}
            tooltip={(row, column) =>
              `slot ${row + 1}, dimension ${column + 1}: ${snap.profileMemory[row * snap.profileWidth + column]!.toFixed(3)}`
            }
          />
        </div>
      </div>
    </div>
  );
}
