// The built app in headless Chromium with WebGPU: what a researcher does, end to end.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stagedDataset } from '../helpers/datasets';
import { ARTIFACTS, e2eAvailable, launch, openPage, servePreview, shot, type Served } from './harness';
import {
  currentStep,
  dropFiles,
  plotlyPng,
  pngFrom,
  runRowMae,
  runStatus,
  throughput,
  waitStatus,
} from './steps';

const available = e2eAvailable();
let served: Served;
let browser: Browser;
let page: Page;
let errors: string[];
let firstScreen = '';
/** The configuration link and final MAE cells of the finished wasm MAMO run (test 1), for test 2. */
let finished: { link: string; mae: string[] } | null = null;

/** The stored record of the run with `seed`, read from IndexedDB (what its curves are drawn from). */
async function storedRun(seed: number) {
  return page.evaluate(
    (seed) =>
      new Promise<{
        id: string;
        status: string;
        snapshot?: { epochs: number; events: number; steps: number };
        epochs: number[];
        steps: number[];
        evaluated: number[];
      } | null>((resolve, reject) => {
        const request = indexedDB.open('metarec-lab');
        request.onerror = () => reject(request.error);
        request.onsuccess = () => {
          const db = request.result;
          const all = db.transaction('runs').objectStore('runs').getAll();
          all.onerror = () => reject(all.error);
          all.onsuccess = () => {
            db.close();
            type Event = { type: string; step?: number; epoch?: number; record?: { epoch: number } };
            type Run = {
              id: string;
              status: string;
              config: { seed: number };
              snapshot?: { epochs: number; events: number };
              events: Event[];
            };
            const run = (all.result as Run[]).find((r) => r.config.seed === seed);
            if (!run) return resolve(null);
            const upTo = run.snapshot ? run.events.slice(0, run.snapshot.events) : [];
            resolve({
              id: run.id,
              status: run.status,
              ...(run.snapshot
                ? { snapshot: { ...run.snapshot, steps: upTo.filter((e) => e.type === 'step').length } }
                : {}),
              epochs: run.events.filter((e) => e.type === 'epoch').map((e) => e.record!.epoch),
              steps: run.events.filter((e) => e.type === 'step').map((e) => e.step!),
              evaluated: run.events.filter((e) => e.type === 'evaluated').map((e) => e.epoch!),
            });
          };
        };
      }),
    seed,
  );
}

/** A real page load of the app with this hash (going to the same URL with another hash would not reload). */
async function open(hash: string): Promise<void> {
  await page.goto('about:blank');
  await page.goto(`${served.url}${hash}`);
  await page.waitForSelector('[data-testid=count-ratings]', { timeout: 60_000 });
}

const longTasks = () => page.evaluate(() => (window as unknown as { __longTasks: number[] }).__longTasks);
const watchLongTasks = () =>
  page.evaluate(() => {
    const w = window as unknown as { __longTasks: number[]; __watchLongTasks: boolean };
    w.__longTasks = [];
    w.__watchLongTasks = true;
  });
/** Chart draws measured by SeriesChart (performance.measure), longest first: where main-thread time goes. */
const slowDraws = () =>
  page.evaluate(() =>
    performance
      .getEntriesByType('measure')
      .filter((m) => m.name.startsWith('chart:') && m.duration > 30)
      .map((m) => `${m.name} ${m.duration.toFixed(0)} ms`),
  );

describe.runIf(available)('MetaRec Lab in Chromium', () => {
  beforeAll(async () => {
    served = await servePreview();
    browser = await launch();
    ({ page, errors } = await openPage(browser));
  });
  afterAll(async () => {
    await browser?.close();
    served?.stop();
  });

  it('opens on the synthetic default and trains MAMO on WebGPU: curves, pause/resume, memory, drill-down, stop, PNGs', async () => {
    // first screen from the built files: the controls, the demo data's summary, then the (lazy) charts
    await page.goto(
      `${served.url}#v=2&model=mamo&epochs=2&batchSize=8&evalUsers=12&baselines=false&backend=webgpu`,
    );
    await page.waitForSelector('[data-testid=start]');
    const shellMs = await page.evaluate(() => performance.now());
    await page.waitForSelector('[data-testid=count-ratings]', { timeout: 60_000 });
    const dataMs = await page.evaluate(() => performance.now());
    await page.waitForSelector('[data-testid=metric-chart-mae] .main-svg', { timeout: 60_000 });
    const chartsMs = await page.evaluate(() => performance.now());
    firstScreen = `first screen: controls ${shellMs.toFixed(0)} ms, demo data summary ${dataMs.toFixed(0)} ms, charts ${chartsMs.toFixed(0)} ms after navigation (built files, vite preview on 127.0.0.1)`;
    console.log(firstScreen);
    expect(await page.textContent('[data-testid=count-ratings]')).toBe('41,592');
    expect(await page.textContent('[data-testid=dataset-name]')).toBe('synthetic demo');
    await page.waitForSelector('[data-testid=split-table]');
    await shot(page, 'data-panel', '[aria-labelledby=data-title]');
    await watchLongTasks();
    await page.click('[data-testid=start]');
    // the worker's tfjs backend: webgpu only when setBackend('webgpu') returned true and computed on a real adapter
    await page.waitForFunction(
      () => document.querySelector('[data-testid=backend-badge]')?.getAttribute('data-backend') === 'webgpu',
      null,
      { timeout: 120_000 },
    );
    const badge = page.locator('[data-testid=backend-badge]');
    expect(await badge.getAttribute('data-adapter-architecture')).not.toBe('');
    // MAMO's meta-step plan on WebGPU: the ragged one (the worker started event)
    await page.waitForFunction(
      () =>
        (document.querySelector('[data-testid=backend-badge]')?.getAttribute('data-strategy') ?? '') !== '',
      null,
      { timeout: 120_000 },
    );
    expect(await badge.getAttribute('data-strategy')).toBe('ragged');
    console.log(
      `webgpu adapter: ${await badge.getAttribute('data-adapter-vendor')} ${await badge.getAttribute('data-adapter-architecture')} (fallback adapter: ${await badge.getAttribute('data-adapter-fallback')})`,
    );
    // the attention heatmap comes with the epoch-0 evaluation, before the first meta-step
    await page.waitForSelector('[data-testid=attention-heatmap]', { timeout: 180_000 });
    expect(await page.getAttribute('[data-testid=attention-heatmap]', 'data-columns')).toBe('3');
    // the loss chart gets points
    await page.waitForFunction(
      () =>
        document.querySelectorAll('[data-testid=loss-chart] .scatterlayer .trace path.js-line').length > 0 &&
        (document.querySelector('[data-testid=loss-chart] path.js-line')?.getAttribute('d') ?? '').split(
          /[LM]/,
        ).length > 3,
      null,
      { timeout: 180_000 },
    );
    // pause holds the step count (a step in flight may still finish), resume moves it again
    await page.click('[data-testid=pause]');
    await waitStatus(page, 'paused');
    // the worker stops at the next batch boundary: let the step in flight land (on a loaded machine a
    // SwiftShader step can outlast a fixed wait), then the count must hold
    let pausedAt = await currentStep(page);
    for (let k = 0; k < 10; k++) {
      await page.waitForTimeout(4000);
      const now = await currentStep(page);
      if (now === pausedAt) break;
      pausedAt = now;
    }
    await page.waitForTimeout(4000);
    expect(await currentStep(page)).toBe(pausedAt);
    await page.click('[data-testid=resume]');
    await waitStatus(page, 'running');
    await page.waitForFunction(
      (s) =>
        Number(
          /step (\d+)\//.exec(document.querySelector('[data-testid=progress-text]')?.textContent ?? '')?.[1],
        ) > s,
      pausedAt,
      { timeout: 120_000 },
    );
    const webgpuRate = await throughput(page);
    await shot(page, 'curves-webgpu', '.curves');
    // clicking a user in the heatmap opens the drill-down
    // (a locator click scrolls the canvas into view first: the memory tab starts below the fold)
    const heat = page.locator('[data-testid=attention-heatmap] canvas');
    const box = (await heat.boundingBox())!;
    await heat.click({ position: { x: box.width / 2, y: 2 } });
    await page.waitForSelector('[data-testid=drilldown-query] tbody tr', { timeout: 60_000 });
    expect(await page.locator('[data-testid=drilldown-query] tbody tr').count()).toBe(10);
    await shot(page, 'user-drilldown', '.tab-body');
    // stop works
    await page.click('[data-testid=stop]');
    await waitStatus(page, 'stopped');
    expect(await runStatus(page)).toBe('stopped');
    const gpuLongTasks = await longTasks();
    // Reported, not asserted: SwiftShader emulates the GPU on the same 2 cores as the page, so a Plotly
    // update can take longer here than on any machine with a GPU (docs/results.md).
    console.log(
      `long tasks during the WebGPU (SwiftShader) run: ${gpuLongTasks.length} (max ${Math.max(0, ...gpuLongTasks).toFixed(0)} ms); chart draws over 30 ms so far: ${(await slowDraws()).join(', ') || 'none'}`,
    );
    // every chart saves as PNG: the five Plotly curves (modebar camera), the histogram, both heatmaps
    const pngs = [];
    for (const id of [
      'loss-chart',
      'metric-chart-loss',
      'metric-chart-mae',
      'metric-chart-rmse',
      'metric-chart-ndcg3',
    ])
      pngs.push(await plotlyPng(page, id));
    pngs.push(await pngFrom(page, () => page.click('[data-testid=histogram-png]')));
    await page.click('[data-testid=tab-memory]');
    pngs.push(await pngFrom(page, () => page.click('[data-testid=attention-heatmap-png]')));
    pngs.push(await pngFrom(page, () => page.click('[data-testid=profile-memory-png]')));
    expect(pngs.map((p) => p.name)).toEqual([
      'meta-training-loss.png',
      'test-loss.png',
      'test-mae.png',
      'test-rmse.png',
      'test-ndcg3.png',
      'ratings-synthetic-demo.png',
      'attention-epoch-0.png',
      'profile-memory-epoch-0.png',
    ]);
    for (const p of pngs) expect(p.bytes).toBeGreaterThan(1000);

    // the same model on wasm, baselines on: training must stay off the main thread. A tfjs step or
    // evaluation there blocks for hundreds of ms; a Plotly redraw on a busy 2-core runner can pass
    // 50 ms (56 ms in a clean-clone CI run, 2026-12-03), so the bound is 200 ms. The measured maximum
    // is printed and goes to bench-browser.txt.
    await open('#v=2&model=mamo&epochs=1&batchSize=8&evalUsers=12&backend=wasm');
    await page.waitForSelector('[data-testid=metric-chart-mae] .main-svg');
    await page.waitForTimeout(1000);
    await watchLongTasks();
    await page.click('[data-testid=start]');
    await waitStatus(page, 'finished');
    const cpuLongTasks = await longTasks();
    console.log(
      `long tasks during the wasm run: ${cpuLongTasks.length} (max ${Math.max(0, ...cpuLongTasks).toFixed(0)} ms)`,
    );
    expect(Math.max(0, ...cpuLongTasks)).toBeLessThanOrEqual(200);
    const wasmRate = await throughput(page);
    await shot(page, 'curves-wasm', '.curves');
    // the memory explorer after training: one snapshot per evaluated epoch, a slider over them
    await page.click('[data-testid=tab-memory]');
    const slider = page.locator('[data-testid=memory-epoch]');
    expect(await slider.getAttribute('max')).toBe('1');
    expect(await page.textContent('[data-testid=memory-epoch-label]')).toBe('1');
    expect(await page.locator('[data-testid=slot-row]').count()).toBe(3);
    const deviation = Number(await page.getAttribute('[data-testid=attention-stats]', 'data-max-deviation'));
    // near-uniform attention is said in words, never left to stretched colours alone
    expect(await page.locator('[data-testid=attention-uniform]').count()).toBe(deviation < 0.05 ? 1 : 0);
    await shot(page, 'memory-panel', '.tab-body');
    await slider.focus();
    await page.keyboard.press('Home'); // the first evaluation (epoch 0)
    expect(await page.textContent('[data-testid=memory-epoch-label]')).toBe('0');
    expect(await page.getAttribute('[data-testid=attention-heatmap] canvas', 'width')).not.toBeNull();
    await page.click('[data-testid=tab-runs]');
    await page.waitForSelector('[data-testid=run-row]');
    finished = {
      link: (await page
        .locator('[data-testid=run-row] [data-testid=run-link]')
        .first()
        .getAttribute('href'))!,
      mae: await runRowMae(page, 0),
    };
    const line = `bench: mamo webgpu ${(webgpuRate / 8).toFixed(2)} steps/s (${webgpuRate.toFixed(1)} tasks/s), wasm ${(wasmRate / 8).toFixed(2)} steps/s (${wasmRate.toFixed(1)} tasks/s); batch 8, synthetic demo, headless Chromium; long tasks during training: webgpu max ${Math.max(0, ...gpuLongTasks).toFixed(0)} ms, wasm max ${Math.max(0, ...cpuLongTasks).toFixed(0)} ms`;
    console.log(line);
    mkdirSync(ARTIFACTS, { recursive: true });
    writeFileSync(join(ARTIFACTS, 'bench-browser.txt'), `${line}\n${firstScreen}\n`);
    expect(errors.filter((e) => !e.includes('favicon'))).toEqual([]);
  });

  it("keeps runs across a reload, and a run's link reproduces it (bad values warn)", async () => {
    // a fresh page load: both runs of the first test are still listed, with their curves
    await open('#v=2&model=melu&seed=7&epochs=3&batchSize=40');
    expect(await page.inputValue('#cfg-model')).toBe('melu');
    expect(await page.inputValue('#cfg-seed')).toBe('7');
    expect(await page.inputValue('#cfg-epochs')).toBe('3');
    await page.click('[data-testid=tab-runs]');
    await page.waitForSelector('[data-testid=run-row]');
    expect(await page.locator('[data-testid=run-row]').count()).toBeGreaterThanOrEqual(2);
    const boxes = page.locator('[data-testid=run-row] input[type=checkbox]');
    await boxes.nth(0).check();
    await boxes.nth(1).check();
    await page.waitForFunction(
      () => document.querySelectorAll('[data-testid=compare-chart] .scatterlayer .trace').length === 2,
      null,
      { timeout: 30_000 },
    );
    await shot(page, 'runs-panel', '.tab-body');
    // the two selected runs, exported: JSON (whole records) and CSV (a row per run and test scenario)
    const exported = async (label: string): Promise<string> => {
      const [file] = await Promise.all([page.waitForEvent('download'), page.click(`text=${label}`)]);
      return readFileSync((await file.path())!, 'utf8');
    };
    const json = JSON.parse(await exported('Export JSON')) as {
      id: string;
      summary: { model: string; scenarios: Record<string, { mae: number }> };
    }[];
    expect(json.length).toBe(2);
    const csv = (await exported('Export CSV')).trim().split('\n');
    const header = csv[0]!.split(',');
    expect(header.slice(0, 3)).toEqual(['run', 'dataset', 'model']);
    const expectedRows = json.reduce((n, r) => n + Object.keys(r.summary.scenarios).length, 0);
    expect(expectedRows).toBeGreaterThan(0);
    expect(csv.length - 1).toBe(expectedRows);
    for (const line of csv.slice(1)) {
      const row = Object.fromEntries(line.split(',').map((v, i) => [header[i]!, v]));
      const run = json.find((r) => r.id === row.run)!;
      expect(row.model).toBe(run.summary.model);
      expect(Number(row.mae)).toBeCloseTo(run.summary.scenarios[row.scenario!]!.mae, 12);
    }
    // the finished run's link, opened in a fresh page load, sets its configuration and trains it again
    // to the same numbers (same data, seed and backend)
    expect(finished).not.toBeNull();
    await open(finished!.link);
    expect(await page.inputValue('#cfg-model')).toBe('mamo');
    expect(await page.inputValue('#cfg-epochs')).toBe('1');
    expect(await page.inputValue('#cfg-batchSize')).toBe('8');
    expect(await page.inputValue('#cfg-evalUsers')).toBe('12');
    expect(await page.inputValue('#cfg-backend')).toBe('wasm');
    await page.click('[data-testid=start]');
    await waitStatus(page, 'finished');
    await page.click('[data-testid=tab-runs]');
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid=run-row]').length > n, 2, {
      timeout: 30_000,
    });
    const again = await runRowMae(page, 0);
    console.log(
      `reproduced from its link: MAE ${again.join(' / ')} (first run ${finished!.mae.join(' / ')})`,
    );
    expect(again).toEqual(finished!.mae);
    await open('#epochs=abc&colour=red');
    const warnings = await page.textContent('[data-testid=config-warnings]');
    expect(warnings).toContain('Expected a number for epochs, got "abc"');
    expect(warnings).toContain('Unknown setting "colour"');
    await shot(page, 'experiment-panel', '[aria-labelledby=experiment-title]');
  });

  it('trains MeLU on wasm and recommends for a new user', async () => {
    await open('#v=2&model=melu&epochs=2&baselines=false&backend=wasm&evalUsers=20');
    await page.click('[data-testid=start]');
    await waitStatus(page, 'finished');
    await page.click('[data-testid=tab-newuser]');
    const stars = page.locator('.rate-row .stars');
    for (let k = 0; k < 4; k++)
      await stars
        .nth(k)
        .locator('button')
        .nth(k % 2 ? 0 : 4)
        .click();
    await page.click('text=Adapt and recommend');
    await page.waitForSelector('[data-testid=recommendations] li');
    expect(await page.locator('[data-testid=recommendations] li').count()).toBe(10);
    await shot(page, 'new-user', '.tab-body');
  });

  it('stored runs: reopened after a reload with curves, memory and drill-down; interrupted; a link asks for its data', async () => {
    await page.setViewportSize({ width: 1440, height: 900 });
    // a short MAMO run on the demo, then a fresh page load
    const hash = '#v=2&model=mamo&epochs=2&batchSize=8&evalUsers=12&backend=wasm&seed=11';
    await open(hash);
    await page.click('[data-testid=start]');
    await waitStatus(page, 'finished');
    await open(hash);
    await page.click('[data-testid=tab-runs]');
    const row = page.locator('[data-testid=run-row]', { hasText: 'seed 11' }).first();
    await row.waitFor();
    expect(await row.getAttribute('data-status')).toBe('finished');
    expect(await row.locator('[data-testid=run-data]').textContent()).toMatch(
      /^synthetic demo · [0-9a-f]{8}$/,
    );
    // the link names the data: name, hash and files
    expect(await row.locator('[data-testid=run-link]').getAttribute('href')).toMatch(
      /data=synthetic\+demo&dataHash=[0-9a-f]{16}/,
    );
    await row.locator('[data-testid=run-open]').click();
    // its views, replayed from its events: the curves (epochs 0..2) and the memory at every epoch
    await page.waitForSelector('[data-testid=stored-run-banner]');
    await page.waitForFunction(
      () =>
        (document.querySelector('[data-testid=metric-chart-mae] path.js-line')?.getAttribute('d') ?? '')
          .length > 0,
      null,
      { timeout: 30_000 },
    );
    expect(await page.getAttribute('[data-testid=memory-epoch]', 'max')).toBe('2');
    expect(await page.locator('[data-testid=slot-row]').count()).toBe(3);
    await page.evaluate(() => scrollTo(0, 0));
    // the per-step loss chart redraws at most once a second: wait for its line too
    await page.waitForFunction(
      () =>
        (document.querySelector('[data-testid=loss-chart] path.js-line')?.getAttribute('d') ?? '').length > 0,
      null,
      { timeout: 30_000 },
    );
    await shot(page, 'stored-run-reopened');
    await shot(page, 'stored-run-memory', '.tab-body');
    // the drill-down: a user picked on the heatmap shows the stored per-user errors at every epoch
    await page.click('[data-testid=tab-users]');
    await page.locator('[data-testid=stored-users] .pick-list button').first().click();
    await page.waitForSelector('[data-testid=stored-user-detail] [data-testid=drilldown-title]');
    expect(await page.locator('[data-testid=stored-user-detail] tbody tr').count()).toBeGreaterThanOrEqual(3);
    await shot(page, 'stored-run-drilldown', '.tab-body');
    // the same run with another seed: the two pool, per scenario mean ± spread and a paired interval
    await open(hash.replace('seed=11', 'seed=13'));
    await page.click('[data-testid=start]');
    await waitStatus(page, 'finished');
    await page.click('[data-testid=tab-runs]');
    for (const seed of [11, 13])
      await page
        .locator('[data-testid=run-row]', { hasText: `seed ${seed}` })
        .first()
        .locator('input[type=checkbox]')
        .check();
    await page.waitForSelector('[data-testid=seed-pool]');
    const pooled = await page.locator('[data-testid^=pool-]').allTextContents();
    expect(pooled.length).toBe(4);
    for (const text of pooled) {
      const [low, high] = /\[(\S+), (\S+)\]/
        .exec(text)!
        .slice(1)
        .map((x) => Number(x.replace('\u2212', '-')));
      // "ahead"/"behind" only where the interval excludes 0
      if (low! > 0 || high! < 0) expect(text).toMatch(/ahead|behind/);
      else expect(text).toContain('interval includes 0');
    }
    // a name, notes and tags, kept in the store
    const second = page.locator('[data-testid=run-row]', { hasText: 'seed 13' }).first();
    await second.locator('[data-testid=run-edit]').click();
    await page.fill('[data-testid=run-labels] [aria-label=name]', 'second seed');
    await page.fill('[data-testid=run-labels] [aria-label=notes]', 'pooled with seed 11');
    await page.fill('[data-testid=run-labels] [aria-label=tags]', 'pool, demo');
    await page.click('[data-testid=run-labels] button[type=submit]');
    const renamed = page.locator('[data-testid=run-row]', { hasText: 'second seed' });
    await renamed.waitFor();
    expect(await renamed.locator('.tag').allTextContents()).toEqual(['pool', 'demo']);
    await shot(page, 'runs-seed-pool', '.tab-body');
    // a reload mid-run leaves the run interrupted, with a restart from step 0 on offer
    await open('#v=2&model=mamo&epochs=30&batchSize=8&evalUsers=12&baselines=false&backend=wasm&seed=12');
    await page.click('[data-testid=start]');
    await page.waitForFunction(
      () => /step [1-9]/.test(document.querySelector('[data-testid=progress-text]')?.textContent ?? ''),
      null,
      { timeout: 60_000 },
    );
    await open('');
    await page.click('[data-testid=tab-runs]');
    const interrupted = page.locator('[data-testid=run-row][data-status=interrupted]').first();
    await interrupted.waitFor();
    await shot(page, 'runs-interrupted', '.tab-body');
    await interrupted.locator('[data-testid=run-restart]').click();
    await waitStatus(page, 'running');
    expect(await page.textContent('[data-testid=run-restarted]')).toContain('from step 0');
    expect(await page.inputValue('#cfg-seed')).toBe('12');
    await page.click('[data-testid=stop]');
    await waitStatus(page, 'stopped');
    // a reload after an epoch ended: the run resumes from its stored snapshot, in the same record
    await open('#v=2&model=mamo&epochs=6&batchSize=16&evalUsers=12&baselines=false&backend=wasm&seed=14');
    await page.click('[data-testid=start]');
    await page.waitForFunction(
      () => /epoch [2-9]\//.test(document.querySelector('[data-testid=progress-text]')?.textContent ?? ''),
      null,
      { timeout: 120_000 },
    );
    // the snapshot and the record naming it are written just after the epoch's end
    await expect
      .poll(async () => (await storedRun(14))?.snapshot?.epochs ?? 0, { timeout: 30_000 })
      .toBeGreaterThan(0);
    await open('');
    await page.click('[data-testid=tab-runs]');
    const paused = page.locator('[data-testid=run-row][data-status=interrupted]', { hasText: 'seed 14' });
    await paused.waitFor();
    const before = (await storedRun(14))!;
    const k = before.snapshot!.epochs;
    expect(await paused.locator('[data-testid=run-resume]').textContent()).toBe(`resume from epoch ${k}`);
    expect(await paused.locator('[data-testid=run-restart]').count()).toBe(1);
    await paused.locator('[data-testid=run-resume]').click();
    expect(await page.textContent('[data-testid=run-resumed]')).toContain(`from the end of epoch ${k}`);
    await waitStatus(page, 'finished');
    const after = (await storedRun(14))!;
    expect(after.id).toBe(before.id);
    expect(after.status).toBe('finished');
    // epochs go on from k + 1 (each once, none restarted at 1); the early points are kept
    expect(after.epochs).toEqual([1, 2, 3, 4, 5, 6]);
    expect(after.evaluated[0]).toBe(0);
    expect(after.steps[0]).toBe(1);
    expect(after.steps.every((x, i) => i === 0 || x > after.steps[i - 1]!)).toBe(true);
    expect(after.steps.slice(0, before.snapshot!.steps)).toEqual(
      before.steps.slice(0, before.snapshot!.steps),
    );
    await page.click('[data-testid=tab-runs]');
    expect(
      await page.locator('[data-testid=run-row]', { hasText: 'seed 14' }).getAttribute('data-status'),
    ).toBe('finished');
    // a link naming data that is not loaded: which files to load, and no training on the demo
    await open(
      '#v=2&model=melu&seed=3&data=ml-100k&dataHash=0123456789abcdef&dataFile=u.data&dataFile=u.item&dataFile=u.user',
    );
    await page.waitForSelector('[data-testid=data-request]');
    expect(await page.textContent('[data-testid=data-request-files]')).toBe('u.data, u.item, u.user');
    expect(await page.textContent('[data-testid=data-request-hash]')).toBe('0123456789abcdef');
    expect(await page.isDisabled('[data-testid=start]')).toBe(true);
    await shot(page, 'link-data-request');
    // choosing the loaded data instead, said in so many words, lets it train
    await page.click('[data-testid=data-request-ignore]');
    expect(await page.isDisabled('[data-testid=start]')).toBe(false);
    await page.setViewportSize({ width: 1440, height: 1000 });
    expect(errors.filter((e) => !e.includes('favicon'))).toEqual([]);
  });

  const ml100k = stagedDataset('ml-100k');
  it.runIf(ml100k)(
    'uploads ml-100k files, its zip and its folder (100,000 ratings); a dropped malformed file names file and line and keeps the data',
    async () => {
      await open('');
      const files = ['u.data', 'u.item', 'u.user', 'u.genre']
        .map((f) => join(ml100k!, f))
        .filter((f) => existsSync(f));
      const ratings = (n: string) =>
        page.waitForFunction(
          (want) => document.querySelector('[data-testid=count-ratings]')?.textContent === want,
          n,
          {
            timeout: 60_000,
          },
        );
      await page.setInputFiles('[data-testid=file-input]', files);
      await ratings('100,000');
      await dropFiles(page, [
        { name: 'u.data', text: '1\t1\t5\t881250949\n1\t2\t3\t881250950\n2\t1\t7\t881250951\n' },
      ]);
      await page.waitForSelector('[data-testid=data-error]');
      expect(await page.textContent('[data-testid=data-error]')).toContain(
        'Expected rating in 1..5 at u.data line 3, got 7',
      );
      expect(await page.textContent('[data-testid=count-ratings]')).toBe('100,000');
      await shot(page, 'upload-error', '[aria-labelledby=data-title]');
      // the GroupLens zip as it comes (folder ml-100k/ inside), through the same picker
      await page.click('text=Demo data');
      await ratings('41,592');
      const zip = zipSync(
        Object.fromEntries(
          files.map((f) => [`ml-100k/${f.split('/').pop()}`, new Uint8Array(readFileSync(f))]),
        ),
      );
      await page.setInputFiles('[data-testid=file-input]', {
        name: 'ml-100k.zip',
        mimeType: 'application/zip',
        buffer: Buffer.from(zip),
      });
      await ratings('100,000');
      // the unpacked folder, through the folder picker (every file of the folder, README and all)
      await page.click('text=Demo data');
      await ratings('41,592');
      await page.setInputFiles('[data-testid=folder-input]', ml100k!);
      await ratings('100,000');
    },
  );

  it('names the ragged meta-step plan on WebGPU for MeLU too (the worker started event)', async () => {
    await open('#v=2&model=melu&epochs=1&batchSize=8&evalUsers=12&baselines=false&backend=webgpu');
    await page.click('[data-testid=start]');
    await page.waitForFunction(
      () =>
        (document.querySelector('[data-testid=backend-badge]')?.getAttribute('data-strategy') ?? '') !== '',
      null,
      { timeout: 120_000 },
    );
    const badge = page.locator('[data-testid=backend-badge]');
    expect(await badge.getAttribute('data-backend')).toBe('webgpu');
    expect(await badge.getAttribute('data-strategy')).toBe('ragged');
    await page.click('[data-testid=stop]');
    await waitStatus(page, 'stopped');
  });
});
