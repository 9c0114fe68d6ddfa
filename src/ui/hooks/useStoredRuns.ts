/**
 * The page's side of stored runs: which one is opened (its views replayed from its events, drawn in
 * place of the live run) and restarting an interrupted one. Restart is honest about what it is: the
 * same configuration (and data) trained again from step 0, because only events are stored, never the
 * training state.
 */
import { useMemo, useState } from 'react';
import type { ConfigState } from './useConfig';
import type { DataLinkState } from './useDataLink';
import type { Trainer } from './useTrainer';
import { replay, type RunView } from '../state/runState';
import type { SavedRun } from '../store/runsStore';

export interface StoredRuns {
  readonly opened: SavedRun | null;
  /** The opened run's view, or null (the live run is shown). */
  readonly openedView: RunView | null;
  /** What the curves and memory views draw: the opened run, else the live one. */
  readonly shown: RunView;
  /** Said after a restart, or null. */
  readonly restarted: string | null;
  open(run: SavedRun | null): void;
  restart(run: SavedRun): void;
}

export function useStoredRuns(trainer: Trainer, cfg: ConfigState, dataLink: DataLinkState): StoredRuns {
  const [opened, setOpened] = useState<SavedRun | null>(null);
  const [restarted, setRestarted] = useState<string | null>(null);
  const openedView = useMemo(() => (opened ? replay(opened.config, opened.events) : null), [opened]);
  const restart = (run: SavedRun) => {
    setOpened(null);
    dataLink.request(run.data ?? null);
    cfg.replace(run.config);
    const ready = !run.data || run.data.hash === trainer.data.summary?.identity.hash;
    const title = run.name || `${run.config.model} · seed ${run.config.seed}`;
    setRestarted(
      `Restarting "${title}" from step 0 with its configuration${ready ? '' : ' once its data is loaded (then press Train)'}: a run's training state is not stored, only its events. The interrupted record stays in the table.`,
    );
    if (ready) trainer.start(run.config);
  };
  return { opened, openedView, shown: openedView ?? trainer.run, restarted, open: setOpened, restart };
}
