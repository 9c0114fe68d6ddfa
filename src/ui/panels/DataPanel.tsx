/**
 * Data: the synthetic demo on first open; uploads by file picker, folder, drag and drop or a GroupLens
 * zip; "Add files…" merges more files with what is loaded (ml-1m, then MeLU's split files); parse
 * progress; the summary, what each file contributed, warnings kept in view (why there are no ratings),
 * and the per-scenario table for the chosen protocol and seed. A bad file shows the parser's sentence
 * (file, line, expected) and the previous dataset stays loaded.
 */
import { memo, useState } from 'react';
import type { DataState, SplitState } from '../hooks/useTrainer';
import type { DataSource, PickedFile } from '../../worker/protocol';
import { Callout } from '../components/Callout';
import { Histogram } from '../components/Histogram';
import { FileContributions } from './FileContributions';
import { SplitTable } from './SplitTable';
import { readDrop, readFiles } from './files';

interface Props {
  readonly data: DataState;
  readonly split: SplitState;
  readonly onLoad: (source: DataSource, mode?: 'replace' | 'add') => void;
  readonly disabled: boolean;
}

export const DataPanel = memo(function DataPanel({ data, split, onLoad, disabled }: Props) {
  const [over, setOver] = useState(false);
  const [dismissed, setDismissed] = useState<object | null>(null);
  const s = data.summary;
  // an input refused before it reaches the worker (too large to read) is shown like a parser error
  const [refused, setRefused] = useState<{ message: string } | null>(null);
  const upload = async (files: Promise<PickedFile[]>, mode?: 'add') => {
    try {
      const list = await files;
      setRefused(null);
      if (list.length) onLoad({ kind: 'files', files: list }, mode);
    } catch (e) {
      setRefused({ message: e instanceof Error ? e.message : String(e) });
    }
  };
  const error = refused ?? data.error;
  return (
    <section className="panel" aria-labelledby="data-title">
      <h2 id="data-title">Data</h2>
      <div
        className={`dropzone ${over ? 'over' : ''}`}
        data-testid="dropzone"
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={(e) => {
          e.preventDefault();
          setOver(false);
          if (!disabled) void upload(readDrop(e.dataTransfer));
        }}
      >
        <p>
          Drop MovieLens here: the GroupLens zip, its folder, or its files (ml-100k, ml-1m, RecBole, MeLU
          splits).
        </p>
        <div className="row">
          <label className="button">
            Files…
            <input
              type="file"
              multiple
              hidden
              data-testid="file-input"
              disabled={disabled}
              onChange={(e) => {
                void upload(readFiles(e.currentTarget.files ?? []));
                e.currentTarget.value = '';
              }}
            />
          </label>
          <label className="button">
            Folder…
            <input
              type="file"
              hidden
              data-testid="folder-input"
              disabled={disabled}
              {...({ webkitdirectory: '' } as Record<string, string>)}
              onChange={(e) => {
                void upload(readFiles(e.currentTarget.files ?? []));
                e.currentTarget.value = '';
              }}
            />
          </label>
          <label
            className="button"
            title="Merge more files with the loaded ones: side information, MeLU's split files, a ratings file"
          >
            Add files…
            <input
              type="file"
              multiple
              hidden
              data-testid="add-files-input"
              disabled={disabled || !s || s.name === 'synthetic demo'}
              onChange={(e) => {
                void upload(readFiles(e.currentTarget.files ?? []), 'add');
                e.currentTarget.value = '';
              }}
            />
          </label>
          <button type="button" disabled={disabled} onClick={() => onLoad({ kind: 'demo' })}>
            Demo data
          </button>
        </div>
        <p className="hint">
          MovieLens may not be redistributed: files stay in this tab; nothing is uploaded anywhere.
        </p>
      </div>
      {data.loading && (
        <div className="loading" data-testid="load-progress">
          <div className="progress">
            <div className="progress-bar" style={{ width: `${data.loading.fraction * 100}%` }} />
          </div>
          <span>{data.loading.message}</span>
        </div>
      )}
      {error && dismissed !== error && (
        <Callout kind="error" testId="data-error" onClose={() => setDismissed(error)}>
          <strong>Could not load the data.</strong> {error.message}
          {/[.!?]$/.test(error.message) ? '' : '.'}
          {s && <> The dataset loaded before ({s.name}) is still in use.</>}
        </Callout>
      )}
      {s && (
        <div className="summary" data-testid="data-summary">
          <div className="summary-head">
            <strong data-testid="dataset-name">{s.name}</strong>{' '}
            {s.name !== 'synthetic demo' && <span className="muted">({s.format})</span>}
            {s.name === 'synthetic demo' && <span className="tag">synthetic, not MovieLens</span>}
          </div>
          <dl className="counts">
            <div>
              <dt>ratings</dt>
              <dd data-testid="count-ratings">{s.ratings.toLocaleString('en-US')}</dd>
            </div>
            <div>
              <dt>users</dt>
              <dd data-testid="count-users">{s.users.toLocaleString('en-US')}</dd>
            </div>
            <div>
              <dt>items</dt>
              <dd data-testid="count-items">{s.items.toLocaleString('en-US')}</dd>
            </div>
            <div>
              <dt>mean rating</dt>
              <dd>{s.meanRating.toFixed(2)}</dd>
            </div>
          </dl>
          {s.warnings.length > 0 && (
            <Callout kind="warning" testId="data-warnings">
              {s.warnings.map((w) => (
                <p key={w}>{w}</p>
              ))}
            </Callout>
          )}
          <Histogram counts={s.histogram} fileName={`ratings-${s.name.replace(/[^\w.-]+/g, '-')}`} />
          <FileContributions summary={s} />
          {s.notes.length > 0 && (
            <details>
              <summary>{s.notes.length} note(s) from the parser</summary>
              <ul className="notes">
                {s.notes.map((n) => (
                  <li key={n}>{n}</li>
                ))}
              </ul>
            </details>
          )}
        </div>
      )}
      {split.error && <Callout kind="warning">{split.error}</Callout>}
      {split.summary && (
        <div className="split">
          <h3>
            Cold-start split · {split.summary.protocol} protocol · seed {split.summary.seed}
          </h3>
          <div className="table-scroll">
            <SplitTable split={split.summary} />
          </div>
          <details>
            <summary>How the split was made</summary>
            <ul className="notes">
              {split.summary.notes.map((n) => (
                <li key={n}>{n}</li>
              ))}
            </ul>
          </details>
        </div>
      )}
    </section>
  );
});
