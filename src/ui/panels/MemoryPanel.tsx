/**
 * Memory (MAMO): which preference slot each evaluated test user reads (attention, users x K), sortable
 * by dominant slot, with the user's profile on hover and the drill-down on click; what distinguishes
 * each slot's users; the profile memory M_P; a slider over the evaluated epochs. It says so when the
 * attention is near-uniform, rather than letting stretched colours suggest slots that differ.
 */
import { useMemo, useState } from 'react';
import { SCENARIOS, SCENARIO_LABELS, type Scenario } from '../../data/scenarios/types';
import type { DatasetSummary } from '../../data/summary';
import { Heatmap } from '../charts/Heatmap';
import { UserMap } from '../charts/UserMap';
import { Callout } from '../components/Callout';
import type { RunView } from '../state/runState';
import { attentionStats, slotProfiles, sortByDominant } from './memoryStats';
import { SlotProfiles } from './SlotProfiles';

interface Props {
  readonly run: RunView;
  readonly summary: DatasetSummary | null;
  readonly onPickUser: (scenario: Scenario, task: number) => void;
  /** The model chosen in the form (what a run would train when none has started). */
  readonly formModel: 'mamo' | 'melu' | 'melo' | 'mml';
  /** The run's name on exported figures. */
  readonly caption: string;
}

export function MemoryPanel({ run, summary, onPickUser, formModel, caption }: Props) {
  const [index, setIndex] = useState<number | null>(null);
  const [sorted, setSorted] = useState(true);
  const [stretch, setStretch] = useState(true);
  const snapshots = run.memory;
  // null follows the latest evaluation; a moved slider stays where it was put
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
  const stats = useMemo(() => (snap ? attentionStats(snap.attention, snap.k) : null), [snap]);
  const profiles = useMemo(
    () => (snap && summary ? slotProfiles(snap.users, snap.attention, snap.k, summary) : null),
    [snap, summary],
  );

  if ((run.config?.model ?? formModel) !== 'mamo') {
    return (
      <p className="empty">The memory explorer shows MAMO's memories: choose the MAMO model and train.</p>
    );
  }
  if (!snap || !stats)
    return <p className="empty">Train MAMO to see which preference slot each user reads.</p>;
  const slots = Array.from({ length: snap.k }, (_, k) => `slot ${k + 1}`);
  const profileOf = (u: number) => {
    if (!summary) return `user index ${u}`;
    const c = summary.userColumns;
    const v = summary.vocabularies;
    return `user ${c.rawIds[u]} · ${v.gender[c.gender[u]!]}, age ${v.age[c.age[u]!]}, ${v.occupation[c.occupation[u]!]}`;
  };
  return (
    <div className="memory" data-testid="memory-panel" data-epoch={snap.epoch}>
      <div className="row">
        <label>
          Epoch{' '}
          <input
            type="range"
            min={0}
            max={Math.max(0, snapshots.length - 1)}
            value={at}
            disabled={snapshots.length < 2}
            onChange={(e) => setIndex(Number(e.target.value))}
            data-testid="memory-epoch"
          />{' '}
          <strong data-testid="memory-epoch-label">{snap.epoch}</strong>{' '}
          <span className="muted">
            ({at + 1} of {snapshots.length} evaluation{snapshots.length > 1 ? 's' : ''}; 0 = before
            meta-training)
          </span>
        </label>
        <label>
          <input type="checkbox" checked={sorted} onChange={(e) => setSorted(e.target.checked)} /> sort by
          dominant slot
        </label>
        <label title="Off: colours on the absolute 0..1 scale of attention weights">
          <input type="checkbox" checked={stretch} onChange={(e) => setStretch(e.target.checked)} /> stretch
          colours to the data
        </label>
      </div>
      <p className="stats" data-testid="attention-stats" data-max-deviation={stats.maxDeviation}>
        Mean largest weight <strong>{stats.meanTop.toFixed(3)}</strong> (uniform: {stats.uniform.toFixed(3)}
        ); largest deviation from uniform {stats.maxDeviation.toExponential(1)}.
      </p>
      {stats.nearUniform && (
        <Callout kind="warning" testId="attention-uniform">
          <strong>Attention is near-uniform at this epoch:</strong> every weight is within{' '}
          {stats.maxDeviation.toExponential(1)} of 1/{snap.k}. Users read all slots almost equally, so the
          dominant slot (and the grouping below) comes from tiny differences, not distinct preference types.
          {stretch && ' The colours are stretched to that tiny range; untick "stretch" for the 0..1 scale.'}
        </Callout>
      )}
      <div className="memory-grid">
        <div>
          <h3>
            Attention: {snap.users.length} users × {snap.k} slots
          </h3>
          <Heatmap
            values={values}
            rows={order.length}
            columns={snap.k}
            scale="sequential"
            domain={stretch ? undefined : [0, 1]}
            columnLabels={slots}
            maxHeight={250}
            width={210}
            title={`Attention of ${snap.users.length} test users over ${snap.k} slots, epoch ${snap.epoch}`}
            caption={caption}
            rowAxis={sorted ? 'test users (sorted by dominant slot)' : 'test users (by scenario)'}
            testId="attention-heatmap"
            fileName={`attention-epoch-${snap.epoch}`}
            tooltip={(row, column) => {
              const r = order[row]!;
              const weights = Array.from(snap.attention.subarray(r * snap.k, (r + 1) * snap.k), (w) =>
                w.toFixed(3),
              ).join(' / ');
              const scenario = SCENARIOS[snap.scenarios[r]!]!;
              return `${profileOf(snap.users[r]!)} · ${SCENARIO_LABELS[scenario]} · slot ${column + 1}: ${snap.attention[r * snap.k + column]!.toFixed(4)} (all: ${weights}) · click to inspect`;
            }}
            onRowClick={(row) => {
              const r = order[row]!;
              onPickUser(SCENARIOS[snap.scenarios[r]!]!, snap.tasks[r]!);
            }}
          />
        </div>
        <div>
          <h3 title="Each test user's profile vector p_u on its top two principal axes, coloured by the memory slot the user reads most">
            Users' profiles by dominant slot
          </h3>
          {snap.profiles && snap.profiles.length > 0 ? (
            <UserMap
              profiles={snap.profiles}
              width={snap.profileWidth}
              attention={snap.attention}
              k={snap.k}
              title={`Test users' profiles p_u (PCA), epoch ${snap.epoch}`}
              caption={caption}
              fileName={`user-map-epoch-${snap.epoch}`}
              describe={(r) =>
                `${profileOf(snap.users[r]!)} · ${SCENARIO_LABELS[SCENARIOS[snap.scenarios[r]!]!]}`
              }
              onPick={(r) => onPickUser(SCENARIOS[snap.scenarios[r]!]!, snap.tasks[r]!)}
            />
          ) : (
            <p className="empty">This run's memory snapshots carry no profile vectors.</p>
          )}
        </div>
        <div className="memory-side">
          <h3>What distinguishes each slot's users</h3>
          {profiles ? (
            <SlotProfiles slots={profiles.slots} overall={profiles.overall} stats={stats} />
          ) : (
            <p className="empty">Load the dataset to see the users' profiles.</p>
          )}
          <h3>
            Profile memory M_P ({snap.k} slots x {snap.profileWidth} dimensions)
          </h3>
          <Heatmap
            values={snap.profileMemory}
            rows={snap.k}
            columns={snap.profileWidth}
            scale="diverging"
            columnLabels={[]}
            rowLabels={slots}
            cellHeight={16}
            width={384}
            title={`Profile memory M_P (${snap.k} slots x ${snap.profileWidth} dimensions), epoch ${snap.epoch}`}
            caption={caption}
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
