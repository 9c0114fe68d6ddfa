/**
 * Runs: every stored run (IndexedDB; survives a reload) as a table: name and tags (editable, with
 * notes), status (a run stored as running that no page runs any more was interrupted: resume goes on
 * from its last stored end-of-epoch snapshot, restart trains its configuration again from step 0), data (name and content hash), model, backend, duration, final MAE per
 * scenario and the settings that differ between the listed runs. Open one to see all its views again;
 * select several to compare them (RunCompare); export as JSON or CSV. Store faults are said in words.
 */
import { useEffect, useMemo, useState } from 'react';
import { serializeRunLink } from '../../config/dataLink';
import { formatFieldValue } from '../../config/fields';
import { identityLabel } from '../../data/identity';
import { SCENARIOS, SCENARIO_LABELS, SCENARIO_SHORT } from '../../data/scenarios/types';
import { Callout } from '../components/Callout';
import { scenarioCell } from '../state/rankingView';
import { download, runsToCsv } from '../state/export';
import {
  backendOf,
  differingSettings,
  durationOf,
  finalMetrics,
  rowStatus,
  settingLabel,
} from '../state/runsTable';
import { CHANGED_EVENT, runsStore, type RunList, type SavedRun } from '../store/runsStore';
import { RunCompare, runTitle } from './RunCompare';
import { RunLabelsEditor } from './RunLabelsEditor';

const savedAt = (t: number) =>
  new Date(t).toLocaleString('en-GB', {
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
const seconds = (s: number | null) =>
  s === null ? '–' : s < 90 ? `${s.toFixed(1)} s` : `${(s / 60).toFixed(1)} min`;

interface Props {
  /** The run this page is training (its record is 'running', not interrupted). */
  readonly liveRunId: string | null;
  /** The stored run shown in the curves and memory views, if any. */
  readonly openId: string | null;
  readonly onOpen: (run: SavedRun) => void;
  /** Go on from its stored snapshot (offered when it has one). */
  readonly onResume: (run: SavedRun) => void;
  readonly onRestart: (run: SavedRun) => void;
}

export function RunsPanel({ liveRunId, openId, onOpen, onResume, onRestart }: Props) {
  const [list, setList] = useState<RunList>({ runs: [], skipped: [], error: null });
  const [message, setMessage] = useState<string | null>(null);
  const [picked, setPicked] = useState<Set<string>>(new Set());
  const [editing, setEditing] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    const refresh = () =>
      void runsStore()
        .list()
        .then((l) => live && setList(l));
    refresh();
    window.addEventListener(CHANGED_EVENT, refresh);
    return () => {
      live = false;
      window.removeEventListener(CHANGED_EVENT, refresh);
    };
  }, []);
  const { runs } = list;
  const chosen = useMemo(() => runs.filter((r) => picked.has(r.id)), [runs, picked]);
  const differ = useMemo(() => differingSettings(runs), [runs]);
  const ended = (chosen.length ? chosen : runs).filter((r) => r.summary !== null);
  const act = (p: Promise<string | null>) => void p.then(setMessage);

  return (
    <div className="runs" data-testid="runs-panel">
      {list.error && (
        <Callout kind="error" testId="runs-store-error">
          {list.error}
        </Callout>
      )}
      {message && (
        <Callout kind="error" testId="runs-store-message" onClose={() => setMessage(null)}>
          {message}
        </Callout>
      )}
      {list.skipped.length > 0 && (
        <Callout kind="warning" testId="runs-skipped">
          {list.skipped.length === 1 ? 'One stored run' : `${list.skipped.length} stored runs`} could not be
          read and {list.skipped.length === 1 ? 'was' : 'were'} skipped: {list.skipped.join('; ')}.
        </Callout>
      )}
      {runs.length === 0 ? (
        <p className="empty" data-testid="runs-empty">
          Runs are stored here as they train and survive a reload.
        </p>
      ) : (
        <>
          <div className="row">
            <button
              type="button"
              onClick={() =>
                download(
                  'metarec-runs.json',
                  JSON.stringify(chosen.length ? chosen : runs, null, 2),
                  'application/json',
                )
              }
            >
              Export JSON
            </button>
            <button type="button" onClick={() => download('metarec-runs.csv', runsToCsv(ended), 'text/csv')}>
              Export CSV
            </button>
            <span className="muted">{chosen.length ? `${chosen.length} selected` : 'all runs'}</span>
          </div>
          <div className="table-scroll">
            <table className="table compact" data-testid="runs-table">
              <thead>
                <tr>
                  <th />
                  <th>name</th>
                  <th>status</th>
                  <th>saved</th>
                  <th title="the data's name and the first 8 digits of its content hash">data</th>
                  <th>model</th>
                  <th>backend</th>
                  <th>duration</th>
                  {SCENARIOS.map((s) => (
                    <th
                      key={s}
                      title={`${SCENARIO_LABELS[s]}: final test MAE (a ranking run, MML: Recall@10, shown as R@10)`}
                    >
                      MAE {SCENARIO_SHORT[s]}
                    </th>
                  ))}
                  {differ.map((k) => (
                    <th key={k} className="differs" title="a setting that differs between the listed runs">
                      {settingLabel(k)}
                    </th>
                  ))}
                  <th />
                </tr>
              </thead>
              <tbody>
                {runs.map((r) => {
                  const status = rowStatus(r, liveRunId);
                  const metrics = finalMetrics(r);
                  const link = `#${serializeRunLink(r.config, r.data ?? null)}`;
                  return (
                    <tr
                      key={r.id}
                      data-testid="run-row"
                      data-status={status}
                      className={r.id === openId ? 'open' : ''}
                    >
                      <td>
                        <input
                          type="checkbox"
                          aria-label="compare"
                          checked={picked.has(r.id)}
                          onChange={(e) =>
                            setPicked((p) => {
                              const n = new Set(p);
                              if (e.target.checked) n.add(r.id);
                              else n.delete(r.id);
                              return n;
                            })
                          }
                        />
                      </td>
                      <td title={r.notes || undefined}>
                        <span data-testid="run-name">{runTitle(r)}</span>
                        {(r.tags ?? []).map((t) => (
                          <span key={t} className="tag">
                            {t}
                          </span>
                        ))}
                        {r.notes && <div className="muted run-notes">{r.notes}</div>}
                        {editing === r.id && (
                          <RunLabelsEditor
                            run={r}
                            onCancel={() => setEditing(null)}
                            onSave={(labels) => {
                              setEditing(null);
                              act(runsStore().label(r.id, labels));
                            }}
                          />
                        )}
                      </td>
                      <td data-testid="run-status" className={`status-${status}`}>
                        {status}
                        {status === 'interrupted' && r.snapshot && (
                          <button
                            type="button"
                            className="link"
                            data-testid="run-resume"
                            title="Goes on from its training state stored at the end of that epoch: the same record, its curves keep their points"
                            onClick={() => onResume(r)}
                          >
                            resume from epoch {r.snapshot.epochs}
                          </button>
                        )}
                        {status === 'interrupted' && (
                          <button
                            type="button"
                            className="link"
                            data-testid="run-restart"
                            title={
                              r.snapshot
                                ? 'Starts the same configuration again from step 0 (with its data, seed and backend, the same numbers)'
                                : 'No epoch of it ended before the page closed, so no training state was stored: this starts the same configuration again from step 0 (with its data, seed and backend, the same numbers)'
                            }
                            onClick={() => onRestart(r)}
                          >
                            restart from step 0
                            {r.snapshot
                              ? ''
                              : r.config.model === 'melo' || r.config.model === 'mml'
                                ? ' (no state stored)'
                                : ' (no epoch ended)'}
                          </button>
                        )}
                      </td>
                      <td className="nowrap">{savedAt(r.savedAt)}</td>
                      <td
                        data-testid="run-data"
                        title={
                          r.data
                            ? `files: ${r.data.files.join(', ')}; hash ${r.data.hash}`
                            : 'stored before runs recorded their data'
                        }
                      >
                        {r.data ? identityLabel(r.data) : r.dataset}
                      </td>
                      <td>{r.config.model}</td>
                      <td>{backendOf(r)}</td>
                      <td className="nowrap">{seconds(durationOf(r))}</td>
                      {SCENARIOS.map((s) => (
                        <td key={s} data-testid={`run-mae-${s}`} title={scenarioCell(metrics[s]).title}>
                          {scenarioCell(metrics[s]).text}
                        </td>
                      ))}
                      {differ.map((k) => (
                        <td key={k}>{formatFieldValue(r.config[k])}</td>
                      ))}
                      <td className="nowrap">
                        <button
                          type="button"
                          className="link"
                          data-testid="run-open"
                          onClick={() => onOpen(r)}
                        >
                          open
                        </button>{' '}
                        <a
                          href={link}
                          data-testid="run-link"
                          title="The run's configuration and data as a link: open it to train the same run again"
                        >
                          link
                        </a>{' '}
                        <button
                          type="button"
                          className="link"
                          onClick={() => setEditing(r.id)}
                          data-testid="run-edit"
                        >
                          edit
                        </button>{' '}
                        <button
                          type="button"
                          className="link"
                          onClick={() => act(runsStore().remove(r.id))}
                          aria-label="delete run"
                        >
                          delete
                        </button>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        </>
      )}
      {chosen.length > 0 && <RunCompare runs={chosen} />}
    </div>
  );
}
