/**
 * What MELO's meta-learner learned, per epoch (the run's `meloDiagnostics` events, run.melo): the loss
 * weight of support positions by rating (box plot), the learned local rates (layers x steps heat map)
 * and the MAE per true rating before and after the local steps (grouped bars), on the same capped
 * sample of validation users. An epoch slider (following the latest epoch until moved). Drawn only for
 * a MELO run; without a weighting network (maml-sequence) the box plot says why it is absent.
 */
import { useMemo, useState } from 'react';
import type { Layout } from '../charts/plotly';
import { FigureChart } from '../charts/FigureChart';
import { Heatmap } from '../charts/Heatmap';
import type { RunView } from '../state/runState';
import { layerLabel, lossWeightTraces, missingRatingNotes, ratingErrorTraces } from '../state/meloFigures';

const RATING_AXIS = {
  title: { text: 'rating of the position', standoff: 4 },
  tickmode: 'array' as const,
  tickvals: [1, 2, 3, 4, 5],
  ticktext: ['1', '2', '3', '4', '5'],
  range: [0.4, 5.6] as [number, number],
};
const WEIGHT_LAYOUT: Partial<Layout> = {
  showlegend: false,
  xaxis: RATING_AXIS,
  yaxis: { title: { text: 'loss weight w', standoff: 4 }, rangemode: 'tozero' },
};
const ERROR_LAYOUT: Partial<Layout> = {
  barmode: 'group',
  showlegend: true,
  legend: { orientation: 'h', y: -0.3, yanchor: 'top', x: 0, xanchor: 'left', font: { size: 10 } },
  margin: { l: 58, r: 12, t: 28, b: 64 },
  xaxis: { ...RATING_AXIS, title: { text: 'true rating', standoff: 4 } },
  yaxis: { title: { text: 'query MAE', standoff: 4 }, rangemode: 'tozero' },
};

export function MeloPanel({ run, caption }: { run: RunView; caption: string }) {
  const [index, setIndex] = useState<number | null>(null);
  const list = run.melo;
  // null follows the latest epoch; a moved slider stays where it was put
  const at = index === null ? list.length - 1 : Math.min(index, list.length - 1);
  const d = at >= 0 ? list[at]! : null;
  const weights = useMemo(() => {
    if (!d?.lossWeights) return null;
    const notes = missingRatingNotes(d.lossWeights.map((b) => b !== null));
    return { ...lossWeightTraces(d.lossWeights), layout: { ...WEIGHT_LAYOUT, annotations: notes } };
  }, [d]);
  const errors = useMemo(() => {
    if (!d) return null;
    const notes = missingRatingNotes(d.ratingErrors.map((r) => r.n > 0));
    return { ...ratingErrorTraces(d.ratingErrors), layout: { ...ERROR_LAYOUT, annotations: notes } };
  }, [d]);
  const weighting = run.config?.lossWeighting ?? 'lstm';

  if (run.config?.sequenceTraining === 'supervised')
    return (
      <p className="empty" data-testid="melo-empty">
        This run trains the sequential backbone without meta-learning (sequence-basic): it learns no loss
        weights or local rates, and makes no local steps.
      </p>
    );
  if (!d || !errors)
    return (
      <p className="empty" data-testid="melo-empty">
        The views appear once the run has evaluated its initial state (epoch 0), then after every epoch.
      </p>
    );
  const { layers, steps, values } = d.innerRates;
  const stepLabels = Array.from({ length: steps }, (_, j) => `step ${j + 1}`);
  return (
    <div className="melo" data-testid="melo-panel" data-epoch={d.epoch}>
      <div className="row">
        <label>
          Epoch{' '}
          <input
            type="range"
            min={0}
            max={Math.max(0, list.length - 1)}
            value={at}
            disabled={list.length < 2}
            onChange={(e) => setIndex(Number(e.target.value))}
            data-testid="melo-epoch"
          />{' '}
          <strong data-testid="melo-epoch-label">{d.epoch}</strong>{' '}
          <span className="muted">
            ({at + 1} of {list.length}; 0 = before meta-training) · {d.tasks} validation tasks (users' latest
            windows)
          </span>
        </label>
      </div>
      <div className="melo-grid">
        <figure>
          {weights ? (
            <FigureChart
              data={weights.data}
              layout={weights.layout}
              points={weights.points}
              title={`Loss weight by rating (${weighting}), epoch ${d.epoch}`}
              testId="melo-weights"
              fileName={`melo-loss-weights-epoch-${d.epoch}`}
              caption={caption}
            />
          ) : (
            <p className="empty" data-testid="melo-weights-none">
              No loss weights: this run has no weighting network (MAML++ on sequences: every support position
              weighs 1).
            </p>
          )}
          <figcaption className="hint">
            Each support position's weight w = |g<sub>φ</sub>| in the first local step, grouped by its rating:
            box q1-q3, line at the median, whiskers at min and max. Plain MSE weighs every position 1; a
            rating whose box sits higher pulls the local steps harder.
          </figcaption>
        </figure>
        <figure>
          <h3 className="figure-title">
            Learned local rates α<sub>k</sub>[j], epoch {d.epoch}
          </h3>
          <Heatmap
            values={values}
            rows={layers.length}
            columns={steps}
            scale="diverging"
            columnLabels={stepLabels}
            rowLabels={layers.map(layerLabel)}
            cellHeight={11}
            maxHeight={330}
            width={180}
            title={`Learned local rates (layers x steps), epoch ${d.epoch}`}
            caption={caption}
            rowAxis="adapted tensor"
            testId="melo-rates"
            fileName={`melo-local-rates-epoch-${d.epoch}`}
            tooltip={(row, column) =>
              `${layerLabel(layers[row]!)}, step ${column + 1}: α = ${values[row * steps + column]!.toPrecision(3)}`
            }
          />
          <figcaption className="hint">
            The step size of each adapted tensor (rows) at each local step (columns), meta-learned (MAML++
            LSLR) from {run.config?.innerLr ?? 'the local rate'}. Red: larger steps; white: near 0; blue: a
            negative rate (the step goes up the support loss).
          </figcaption>
        </figure>
        <figure>
          <FigureChart
            data={errors.data}
            layout={errors.layout}
            points={errors.points}
            title={`MAE by true rating, epoch ${d.epoch}`}
            testId="melo-rating-errors"
            fileName={`melo-mae-by-rating-epoch-${d.epoch}`}
            caption={caption}
          />
          <figcaption className="hint">
            Query MAE of these users per true rating, from the meta-learned init (grey) and after the local
            steps on each user's support (orange). Imbalance shows as large errors on rare ratings (1, 2);
            MELO's weights aim to shrink them. Hover for the number of ratings.
          </figcaption>
        </figure>
      </div>
    </div>
  );
}

/** The MELO panel of the main area: only for a run (or a form) whose model is MELO. */
export function MeloSection({ run, caption }: { run: RunView; caption: string }) {
  return (
    <section className="panel" aria-labelledby="melo-title" data-testid="melo-section">
      <div className="panel-head">
        <h2 id="melo-title">MELO: what the meta-learner learned</h2>
      </div>
      <MeloPanel run={run} caption={caption} />
    </section>
  );
}
