/**
 * The notebook: a top bar (backend badge, run controls, progress), a left column (Experiment first:
 * presets and the settings that matter, then Data) that scrolls on its own
 * and the main area (Curves, then Memory / Users / New user / Runs). Components only draw state from
 * useTrainer/useConfig and send commands; training happens in the worker.
 */
import { useCallback, useEffect, useState } from 'react';
import type { Scenario } from '../data/scenarios/types';
import { allowPlotly } from './charts/plotly';
import { BackendBadge } from './components/BackendBadge';
import { Callout } from './components/Callout';
import { RunControls } from './components/RunControls';
import { useConfig } from './hooks/useConfig';
import { useTrainer } from './hooks/useTrainer';
import { runCaption } from './state/caption';
import { modelProtocolProblem } from './state/modelChoice';
import { CurvesPanel } from './panels/CurvesPanel';
import { DataPanel } from './panels/DataPanel';
import { ExperimentPanel } from './panels/ExperimentPanel';
import { MeloSection } from './panels/MeloPanel';
import { MemoryPanel } from './panels/MemoryPanel';
import { MmlSection } from './panels/MmlPanel';
import { NewUserPanel } from './panels/NewUserPanel';
import { RunsPanel } from './panels/RunsPanel';
import { SupportPanel } from './panels/SupportPanel';
import { UsersPanel } from './panels/UsersPanel';
import { StoredUserPanel } from './panels/StoredUserPanel';
import { RunNotices } from './components/RunNotices';
import { useDataLink } from './hooks/useDataLink';
import { useStoredRuns } from './hooks/useStoredRuns';
import { sequenceSplitSettings, splitKey } from './state/splitSettings';

type Tab = 'memory' | 'users' | 'support' | 'newuser' | 'runs';
const TABS: { id: Tab; label: string }[] = [
  { id: 'memory', label: 'Memory' },
  { id: 'users', label: 'Users' },
  { id: 'support', label: 'Error by support size' },
  { id: 'newuser', label: 'Be the new user' },
  { id: 'runs', label: 'Runs' },
];

export function App() {
  const trainer = useTrainer();
  const cfg = useConfig();
  const { config } = cfg;
  const [tab, setTab] = useState<Tab>('memory');
  const [selected, setSelected] = useState<{ scenario: Scenario; task: number } | null>(null);
  const { initBackend, load, refreshSplit } = trainer;
  const active = trainer.run.status === 'running' || trainer.run.status === 'paused';
  const onLoad = useCallback(
    (source: Parameters<typeof load>[0], mode?: 'replace' | 'add') => void load(source, mode),
    [load],
  );
  // stored runs (Runs tab): one opened is drawn by the same views, replayed from its events
  const loaded = trainer.data.summary?.identity ?? null;
  const dataLink = useDataLink(loaded);
  const stored = useStoredRuns(trainer, cfg, dataLink);
  const { opened, openedView, shown } = stored;

  useEffect(() => {
    // once, on first open: the embedded synthetic dataset, then the backend of the link (in this order:
    // the worker parses the dataset before it fetches and evaluates tfjs, so the summary shows first)
    void load({ kind: 'demo' });
    initBackend(config.backend);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  // the charts' library loads once the first screen (the dataset summary, or its error) is drawn
  const firstScreen = trainer.data.summary !== null || trainer.data.error !== null;
  useEffect(() => {
    if (firstScreen || active) allowPlotly();
  }, [firstScreen, active]);

  const splitConfig = active && trainer.run.config ? trainer.run.config : config;
  // the sequence protocol's split depends on its settings too: the page's test tasks are the run's
  const sequenceSettings = sequenceSplitSettings(splitConfig);
  const sequenceKey = splitKey(sequenceSettings);
  useEffect(() => {
    if (trainer.data.summary)
      refreshSplit(splitConfig.protocol, splitConfig.seed, splitConfig.newItemYear, sequenceSettings);
    // sequenceSettings is a new object every render: its key stands for it
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [
    trainer.data.summary,
    splitConfig.protocol,
    splitConfig.seed,
    splitConfig.newItemYear,
    sequenceKey,
    refreshSplit,
  ]);

  // why the chosen settings cannot run on the loaded data (Train disabled, the reason beside it): the
  // protocol needs files that are missing, or its split (previewed below) fails or trains nobody
  const preview = trainer.split.protocol === config.protocol && trainer.split.seed === config.seed;
  const blocked =
    modelProtocolProblem(config) ??
    trainer.data.summary?.protocolBlockers[config.protocol] ??
    (preview ? trainer.split.error : null) ??
    (preview && trainer.split.summary?.train.tasks === 0
      ? `The ${config.protocol} protocol leaves no training tasks on this data with seed ${config.seed}: choose another protocol.`
      : null);
  const runConfig = trainer.run.config;
  const splitMatchesRun =
    runConfig !== null &&
    trainer.split.protocol === runConfig.protocol &&
    trainer.split.seed === runConfig.seed &&
    trainer.split.settings === splitKey(sequenceSplitSettings(runConfig));
  const modelReady = trainer.run.evaluations.length > 0;
  // MELO and MML keep their state for the drill-down only once the run has ended (finished or stopped)
  const sequenceRun = runConfig?.model === 'melo' || runConfig?.model === 'mml';
  const inspectable =
    modelReady &&
    splitMatchesRun &&
    (!sequenceRun || trainer.run.status === 'finished' || trainer.run.status === 'stopped');
  const planned = active && trainer.run.config ? trainer.run.config : config;
  const trainTasks = trainer.split.summary?.train.tasks ?? 0;
  const caption = runCaption(trainer.run, trainer.data.summary?.name);
  const plannedSteps = trainTasks ? planned.epochs * Math.ceil(trainTasks / planned.batchSize) : undefined;

  return (
    <div className="app">
      <header className="topbar">
        <div className="brand" title="cold-start meta-learning in the browser · MAMO and MeLU">
          <h1>MetaRec Lab</h1>
          <span className="muted">cold-start meta-learning in the browser · MAMO and MeLU</span>
        </div>
        <BackendBadge
          backend={trainer.run.backend ?? trainer.backend}
          error={trainer.backendError}
          strategy={trainer.run.strategy}
        />
        <RunControls
          run={trainer.run}
          canStart={
            trainer.data.summary !== null &&
            trainer.data.summary.ratings > 0 &&
            !trainer.data.loading &&
            !dataLink.missing &&
            blocked === null
          }
          blockedReason={blocked}
          onStart={() => {
            setSelected(null);
            stored.open(null);
            trainer.start(config);
          }}
          onPause={trainer.pause}
          onResume={trainer.resume}
          onStop={trainer.stop}
        />
      </header>
      <aside className="sidebar">
        <ExperimentPanel state={cfg} disabled={active} />
        <DataPanel
          data={trainer.data}
          split={trainer.split}
          onLoad={onLoad}
          disabled={active || trainer.data.loading !== null}
        />
      </aside>
      <main className="main">
        {trainer.run.failure && (
          <Callout kind="error" testId="run-error">
            <strong>Training stopped ({trainer.run.failure.code}).</strong> {trainer.run.failure.message}
          </Callout>
        )}
        <RunNotices
          link={dataLink}
          loaded={loaded}
          opened={opened}
          onClose={() => stored.open(null)}
          restarted={stored.restarted}
          resumed={stored.resumed}
          storeError={trainer.storeError}
        />
        <CurvesPanel
          run={shown}
          plannedSteps={plannedSteps}
          plannedEpochs={planned.epochs}
          datasetName={trainer.data.summary?.name}
        />
        {(shown.config ?? config).model === 'melo' && <MeloSection run={shown} caption={caption} />}
        {(shown.config ?? config).model === 'mml' && (
          <MmlSection
            run={shown}
            caption={caption}
            tasks={!opened && splitMatchesRun ? trainer.split.testTasks : null}
            {...(!opened && splitMatchesRun
              ? {
                  onPickUser: (scenario: Scenario, task: number) => {
                    setSelected({ scenario, task });
                    setTab('users');
                  },
                }
              : {})}
          />
        )}
        <section className="panel">
          <div className="tabs" role="tablist">
            {TABS.map((t) => (
              <button
                key={t.id}
                role="tab"
                type="button"
                aria-selected={tab === t.id}
                className={tab === t.id ? 'tab active' : 'tab'}
                onClick={() => setTab(t.id)}
                data-testid={`tab-${t.id}`}
              >
                {t.label}
              </button>
            ))}
          </div>
          <div className="tab-body">
            {tab === 'memory' && (
              <MemoryPanel
                run={shown}
                summary={trainer.data.summary}
                formModel={config.model}
                caption={caption}
                onPickUser={(scenario, task) => {
                  setSelected({ scenario, task });
                  setTab('users');
                }}
              />
            )}
            {tab === 'users' && opened && openedView && (
              <StoredUserPanel
                run={openedView}
                summary={opened.data?.hash === loaded?.hash ? trainer.data.summary : null}
                selected={selected}
              />
            )}
            {tab === 'users' && !opened && (
              <UsersPanel
                tasks={splitMatchesRun ? trainer.split.testTasks : null}
                selected={selected}
                onSelect={(scenario, task) => setSelected({ scenario, task })}
                inspect={trainer.inspect}
                ready={inspectable}
                {...(sequenceRun && modelReady && !inspectable
                  ? { waiting: 'A MELO or MML run opens its users once it has finished or been stopped.' }
                  : {})}
              />
            )}
            {tab === 'support' && <SupportPanel run={shown} caption={caption} />}
            {tab === 'newuser' && (
              <NewUserPanel summary={trainer.data.summary} ready={modelReady} recommend={trainer.recommend} />
            )}
            {tab === 'runs' && (
              <RunsPanel
                liveRunId={active ? trainer.runId : null}
                openId={opened?.id ?? null}
                onOpen={(run) => {
                  stored.open(run);
                  setSelected(null);
                  setTab('memory');
                }}
                onResume={stored.resume}
                onRestart={stored.restart}
              />
            )}
          </div>
        </section>
      </main>
    </div>
  );
}
