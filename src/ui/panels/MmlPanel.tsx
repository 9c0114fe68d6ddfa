/**
 * What MML learned, from the latest evaluation (its `mml` inspection and ranking cells): the fusion
 * weights per evaluated test user as stacked bars (ID vs text, sortable), the item generator's
 * neighbours of a chosen new item with their attention, and per scenario the fused model against each
 * learner alone. Drawn only for a run (or a form) whose model is MML.
 */
import { useMemo, useState } from 'react';
import { SCENARIO_LABELS, SCENARIO_SHORT, type Scenario } from '../../data/scenarios/types';
import type { TestTaskIndex } from '../../worker/protocol';
import type { Layout } from '../charts/plotly';
import { FigureChart } from '../charts/FigureChart';
import { latestEvaluation, type RunView } from '../state/runState';
import {
  LEARNER_LABELS,
  learnerTable,
  modalityBarTraces,
  itemLabel,
  neighbourRows,
  rowAtBar,
  sortWeightRows,
  weightRows,
  type WeightSort,
} from '../state/mmlFigures';
import { RANKING_METRICS } from '../state/rankingView';

const BAR_ROW = 16;
const f3 = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : '–');

/** What the MML panel and its section take. */
interface MmlProps {
  run: RunView;
  caption: string;
  tasks: TestTaskIndex | null;
  /** Open a bar's user in the Users drill-down (the live run only: the page's split holds its tasks). */
  onPickUser?: (scenario: Scenario, task: number) => void;
}

export function MmlPanel({ run, caption, tasks, onPickUser }: MmlProps) {
  const [sort, setSort] = useState<WeightSort>('id-weight');
  const [itemAt, setItemAt] = useState(0);
  const evaluation = latestEvaluation(run);
  const insp = evaluation?.mml ?? null;
  const rows = useMemo(() => {
    if (!insp) return [];
    const raw = tasks ? (s: keyof TestTaskIndex, t: number) => tasks[s].rawUserIds[t] : undefined;
    return sortWeightRows(weightRows(insp, raw), sort, insp.learners);
  }, [insp, tasks, sort]);
  const bars = useMemo(() => {
    if (!insp) return null;
    const { data, points } = modalityBarTraces(rows, insp.learners);
    const layout: Partial<Layout> = {
      barmode: 'stack',
      showlegend: true,
      legend: {
        orientation: 'h',
        y: -0.02,
        yanchor: 'top',
        x: 0,
        xanchor: 'left',
        font: { size: 10 },
        traceorder: 'normal',
      },
      margin: { l: 150, r: 12, t: 28, b: 64 },
      xaxis: { title: { text: 'fusion weight (row sums to 1)', standoff: 4 }, range: [0, 1] },
      yaxis: { automargin: false, tickfont: { size: 9 }, dtick: 1, nticks: 0 },
    };
    return { data, points, layout };
  }, [insp, rows]);
  const learners = useMemo(() => (evaluation ? learnerTable(evaluation.test) : []), [evaluation]);

  if (!evaluation || !insp || !bars)
    return (
      <p className="empty" data-testid="mml-empty">
        The views appear once the run has evaluated its test users (epoch 0, then after every epoch).
      </p>
    );
  const item = Math.min(itemAt, Math.max(0, insp.newItems.length - 1));
  const neighbours = neighbourRows(insp, item);
  const fused = insp.learners.length > 1;
  return (
    <div className="mml" data-testid="mml-panel" data-epoch={evaluation.epoch}>
      <div className="mml-grid">
        <figure>
          <div className="row">
            <label>
              Sort{' '}
              <select
                value={sort}
                onChange={(e) => setSort(e.target.value as WeightSort)}
                data-testid="mml-sort"
              >
                <option value="id-weight">by ID weight</option>
                <option value="user">by user id</option>
              </select>
            </label>
          </div>
          <div style={{ maxHeight: 420, overflowY: 'auto' }}>
            <FigureChart
              data={bars.data}
              layout={bars.layout}
              points={bars.points}
              height={Math.max(160, 100 + rows.length * BAR_ROW)}
              title={`Modality weights per test user, epoch ${evaluation.epoch}`}
              testId="mml-weights"
              fileName={`mml-modality-weights-epoch-${evaluation.epoch}`}
              caption={caption}
              {...(onPickUser
                ? {
                    onPointClick: ({ pointIndex }: { pointIndex: number }) => {
                      const row = rowAtBar(rows, pointIndex);
                      if (row) onPickUser(row.scenario, row.task);
                    },
                  }
                : {})}
            />
          </div>
          <figcaption className="hint">
            One bar per evaluated test user and scenario: the fusion layer's weight on the ID learner (blue)
            and the text learner (orange) after adapting to the user's support; each bar sums to 1.
            {fused
              ? ' Users leaning on text are those the ID rows know little about (new users, new items).'
              : ' This run has one learner (an MML ablation preset), so every weight is 1.'}{' '}
            {onPickUser
              ? 'Click a bar to open that user in the Users tab (once the run has finished or been stopped).'
              : ''}
          </figcaption>
        </figure>
        <figure>
          <h3 className="figure-title">Item generator: neighbours of a new item</h3>
          {insp.newItems.length === 0 ? (
            <p className="empty" data-testid="mml-neighbours-none">
              No new items in this split (nothing for the generator to embed).
            </p>
          ) : (
            <>
              <label>
                New item{' '}
                <select
                  value={item}
                  onChange={(e) => setItemAt(Number(e.target.value))}
                  data-testid="mml-item"
                >
                  {Array.from(insp.newItems, (id, i) => (
                    <option key={i} value={i}>
                      {itemLabel(insp, id)}
                    </option>
                  ))}
                </select>{' '}
                <span className="muted">
                  ({insp.newItems.length} sampled, K = {insp.k})
                </span>
              </label>
              <table className="table compact" data-testid="mml-neighbours" data-rows={neighbours.length}>
                <thead>
                  <tr>
                    <th>neighbour</th>
                    <th>attention</th>
                    <th />
                  </tr>
                </thead>
                <tbody>
                  {neighbours.map((n) => (
                    <tr key={n.item}>
                      <td>{n.label}</td>
                      <td>{n.attention.toFixed(3)}</td>
                      <td>
                        <span
                          className="mml-attention"
                          style={{
                            display: 'inline-block',
                            height: 8,
                            width: `${n.attention * 120}px`,
                            background: '#3a9a5b',
                          }}
                        />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </>
          )}
          <figcaption className="hint">
            A new item has no trained ID row: the generator builds one from the ID rows of its K nearest
            training items by text (title, genres, ...), weighted by this attention (sums to 1). Items are
            shown by title and index (#, the item's row in the dataset). One dominant neighbour means the new
            item is embedded almost as a copy of it: similar titles and genres should lead.
          </figcaption>
        </figure>
        <figure>
          <h3 className="figure-title">Fused vs each learner alone, epoch {evaluation.epoch}</h3>
          {learners.length === 0 || learners.every((l) => l.rows.length < 2) ? (
            <p className="empty" data-testid="mml-learners-none">
              No per-learner breakdown: this run has one learner (mml-id or mml-text), nothing was fused.
            </p>
          ) : (
            <table className="table compact" data-testid="mml-learners">
              <thead>
                <tr>
                  <th>scenario</th>
                  <th>learner</th>
                  {RANKING_METRICS.map((m) => (
                    <th key={m.key}>{m.title}</th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {learners.flatMap((l) =>
                  l.rows.map((r, i) => (
                    <tr key={`${l.scenario}-${r.learner}`}>
                      {i === 0 && (
                        <td rowSpan={l.rows.length} title={SCENARIO_LABELS[l.scenario]}>
                          {SCENARIO_SHORT[l.scenario]}
                        </td>
                      )}
                      <td>
                        {LEARNER_LABELS[r.learner] ?? r.learner}
                        {i === 0 && l.fusionBeatsId !== null && (
                          <span className="muted">{l.fusionBeatsId ? ' (beats ID)' : ' (not above ID)'}</span>
                        )}
                      </td>
                      {r.values.map((v, j) => (
                        <td key={j}>{f3(v)}</td>
                      ))}
                    </tr>
                  )),
                )}
              </tbody>
            </table>
          )}
          <figcaption className="hint">
            Test users after adaptation, ranking the true next item among all items (higher is better).
            &quot;fused&quot; is MML; the ID and text rows are each learner alone on the same cases. Fusion
            pays off where its row is above the ID row (NDCG@10 decides the note).
          </figcaption>
        </figure>
      </div>
    </div>
  );
}

/** The MML panel of the main area: only for a run (or a form) whose model is MML. */
export function MmlSection({ run, caption, tasks, onPickUser }: MmlProps) {
  return (
    <section className="panel" aria-labelledby="mml-title" data-testid="mml-section">
      <div className="panel-head">
        <h2 id="mml-title">MML: modality weights and the item generator</h2>
      </div>
      <MmlPanel run={run} caption={caption} tasks={tasks} {...(onPickUser ? { onPickUser } : {})} />
    </section>
  );
}
