/**
 * The page's side of stored runs: which one is opened (its views replayed from its events, drawn in
 * place of the live run), and an interrupted one resumed or restarted. Resume goes on from the run's
 * stored end-of-epoch snapshot (its training state: runsStore), in the same record; restart trains the
 * same configuration (and data) again from step 0, the only choice when no epoch had ended.
 */
import { useMemo, useState } from 'react';
import type { ConfigState } from './useConfig';
import type { DataLinkState } from './useDataLink';
import type { Trainer } from './useTrainer';
import { replay, type RunView } from '../state/runState';
import { runsStore, type SavedRun } from '../store/runsStore';

export interface StoredRuns {
  readonly opened: SavedRun | null;
  /** The opened run's view, or null (the live run is shown). */
  readonly openedView: RunView | null;
  /** What the curves and memory views draw: the opened run, else the live one. */
  readonly shown: RunView;
  /** Said after a restart, or null. */
  readonly restarted: string | null;
  /** Said after a resume (or why it could not), or null. */
  readonly resumed: string | null;
  open(run: SavedRun | null): void;
  restart(run: SavedRun): void;
  resume(run: SavedRun): void;
}

export function useStoredRuns(trainer: Trainer, cfg: ConfigState, dataLink: DataLinkState): StoredRuns {
  const [opened, setOpened] = useState<SavedRun | null>(null);
  const [restarted, setRestarted] = useState<string | null>(null);
  const [resumed, setResumed] = useState<string | null>(null);
  const openedView = useMemo(() => (opened ? replay(opened.config, opened.events) : null), [opened]);
  const titleOf = (run: SavedRun) => run.name || `${run.config.model} · seed ${run.config.seed}`;
  const restart = (run: SavedRun) => {
    setOpened(null);
    setResumed(null);
    dataLink.request(run.data ?? null);
    cfg.replace(run.config);
    const ready = !run.data || run.data.hash === trainer.data.summary?.identity.hash;
    const title = run.name || `${run.config.model} · seed ${run.config.seed}`;
    setRestarted(
      `Restarting "${title}" from step 0 with its configuration${ready ? '' : ' once its data is loaded (then press Train)'}${run.snapshot ? '' : run.config.model === 'melo' || run.config.model === 'mml' ? `: ${run.config.model.toUpperCase()} runs store no training state` : ': no epoch of it had ended, so no training state was stored'}. The interrupted record stays in the table.`,
    );
    if (ready) trainer.start(run.config);
  };
  const resume = (run: SavedRun) => {
    setOpened(null);
    setRestarted(null);
    dataLink.request(run.data ?? null);
    cfg.replace(run.config);
    const title = titleOf(run);
    const epochs = run.snapshot?.epochs ?? 0;
    if (run.data && run.data.hash !== trainer.data.summary?.identity.hash) {
      setResumed(
        `"${title}" trained on other data: load it (see above), then resume it again from the runs table.`,
      );
      return;
    }
    void runsStore()
      .loadSnapshot(run.id)
      .then((snapshot) => {
        if (typeof snapshot === 'string') {
          setResumed(`"${title}" cannot be resumed: ${snapshot}`);
          return;
        }
        // written together since both exist (runsStore.saveSnapshot); a record stored before that may differ
        if (snapshot.epoch - 1 !== epochs) {
          setResumed(
            `"${title}" cannot be resumed: its stored training state is from the end of epoch ${snapshot.epoch - 1}, its record from epoch ${epochs}. Restart it instead.`,
          );
          return;
        }
        trainer.resumeStored(run, snapshot);
        setResumed(
          `Resuming "${title}" from the end of epoch ${epochs} with its stored training state: the same record goes on, its curves keep their points and new epochs are appended.`,
        );
      });
  };
  return {
    opened,
    openedView,
    shown: openedView ?? trainer.run,
    restarted,
    resumed,
    open: setOpened,
    restart,
    resume,
  };
}
