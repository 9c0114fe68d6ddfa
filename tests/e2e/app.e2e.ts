// The built app in headless Chromium with WebGPU: what a researcher does, end to end.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stagedDataset } from '../helpers/datasets';
import { ARTIFACTS, e2eAvailable, launch, openPage, servePreview, shot, type Served } from './harness';

const available = e2eAvailable();
let served: Served;
let browser: Browser;
let page: Page;
let errors: string[];
let firstScreen = '';

const status = () => page.getAttribute('[data-testid=run-controls]', 'data-status');
const waitStatus = (...wanted: string[]) =>
  page.waitForFunction(
    (w) =>
      w.includes(document.querySelector('[data-testid=run-controls]')?.getAttribute('data-status') ?? ''),
    wanted,
    {
      timeout: 240_000,
    },
  );

async function open(hash: string): Promise<void> {
  await page.goto(`${served.url}${hash}`);
  await page.waitForSelector('[data-testid=count-ratings]', { timeout: 60_000 });
}

/** tasks/s shown in the top bar, averaged over recent steps. */
async function throughput(): Promise<number> {
  const text = (await page.textContent('[data-testid=memory-text]')) ?? '';
  return Number(/([\d.]+) tasks\/s/.exec(text)?.[1] ?? NaN);
}

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

  it('opens on the synthetic default and trains MAMO on WebGPU: curves, memory heatmap, drill-down, stop', async () => {
    // first screen from the built files: the controls (interactive shell), then the demo data's summary
    await page.goto(
      `${served.url}#model=mamo&epochs=2&batchSize=8&evalUsers=12&baselines=false&backend=webgpu`,
    );
    await page.waitForSelector('[data-testid=start]');
    const shellMs = await page.evaluate(() => performance.now());
    await page.waitForSelector('[data-testid=count-ratings]', { timeout: 60_000 });
    const dataMs = await page.evaluate(() => performance.now());
    firstScreen = `first screen: controls ${shellMs.toFixed(0)} ms, demo data summary ${dataMs.toFixed(0)} ms after navigation (built files, vite preview on 127.0.0.1)`;
    console.log(firstScreen);
    expect(await page.textContent('[data-testid=count-ratings]')).toBe('41,592');
    expect(await page.textContent('[data-testid=dataset-name]')).toBe('synthetic demo');
    await page.waitForSelector('[data-testid=split-table]');
    await page.waitForSelector('[data-testid=metric-chart-mae] .main-svg');
    await shot(page, 'data-panel', '.sidebar .panel');
    await page.evaluate(() => ((window as unknown as { __watchLongTasks: boolean }).__watchLongTasks = true));
    await page.click('[data-testid=start]');
    // the worker's tfjs backend: webgpu only when setBackend('webgpu') returned true and computed on a real adapter
    await page.waitForFunction(
      () => document.querySelector('[data-testid=backend-badge]')?.getAttribute('data-backend') === 'webgpu',
      null,
      {
        timeout: 120_000,
      },
    );
    const badge = page.locator('[data-testid=backend-badge]');
    expect(await badge.getAttribute('data-adapter-architecture')).not.toBe('');
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
    await page.waitForTimeout(4000);
    const webgpuRate = await throughput();
    await shot(page, 'curves-webgpu', '.curves');
    await shot(page, 'memory-panel', '.tab-body');
    // clicking a user in the heatmap opens the drill-down
    const heat = page.locator('[data-testid=attention-heatmap] canvas');
    const box = (await heat.boundingBox())!;
    await page.mouse.click(box.x + box.width / 2, box.y + 3);
    await page.waitForSelector('[data-testid=drilldown-query] tbody tr', { timeout: 60_000 });
    expect(await page.locator('[data-testid=drilldown-query] tbody tr').count()).toBe(10);
    await shot(page, 'user-drilldown', '.tab-body');
    // stop works
    await page.click('[data-testid=stop]');
    await waitStatus('stopped');
    expect(await status()).toBe('stopped');
    const gpuLongTasks = await page.evaluate(
      () => (window as unknown as { __longTasks: number[] }).__longTasks,
    );
    // Reported, not asserted: SwiftShader emulates the GPU on the same 2 cores as the page, so a Plotly
    // update can take longer here than on any machine with a GPU (docs/results.md).
    console.log(
      `long tasks during the WebGPU (SwiftShader) run: ${gpuLongTasks.length} (max ${Math.max(0, ...gpuLongTasks).toFixed(0)} ms)`,
    );
    // the same run on wasm: the page must stay responsive (no long task over 50 ms) while it trains
    await open('#model=mamo&epochs=1&batchSize=8&evalUsers=12&baselines=false&backend=wasm');
    await page.waitForSelector('[data-testid=metric-chart-mae] .main-svg');
    await page.waitForTimeout(1000);
    await page.evaluate(() => {
      const w = window as unknown as { __longTasks: number[]; __watchLongTasks: boolean };
      w.__longTasks = [];
      w.__watchLongTasks = true;
    });
    await page.click('[data-testid=start]');
    await waitStatus('finished');
    const longTasks = await page.evaluate(() => (window as unknown as { __longTasks: number[] }).__longTasks);
    console.log(
      `long tasks during the wasm run: ${longTasks.length} (max ${Math.max(0, ...longTasks).toFixed(0)} ms)`,
    );
    expect(Math.max(0, ...longTasks)).toBeLessThanOrEqual(50);
    const wasmRate = await throughput();
    const line = `bench: mamo webgpu ${(webgpuRate / 8).toFixed(2)} steps/s (${webgpuRate.toFixed(1)} tasks/s), wasm ${(wasmRate / 8).toFixed(2)} steps/s (${wasmRate.toFixed(1)} tasks/s); batch 8, synthetic demo, headless Chromium; long tasks during training: webgpu max ${Math.max(0, ...gpuLongTasks).toFixed(0)} ms, wasm max ${Math.max(0, ...longTasks).toFixed(0)} ms`;
    console.log(line);
    mkdirSync(ARTIFACTS, { recursive: true });
    writeFileSync(join(ARTIFACTS, 'bench-browser.txt'), `${line}\n${firstScreen}\n`);
    expect(errors.filter((e) => !e.includes('favicon'))).toEqual([]);
  });

  it('keeps runs across a reload, and a link reproduces a configuration (bad values warn)', async () => {
    await open('#model=melu&seed=7&epochs=3&batchSize=40');
    expect(await page.inputValue('#cfg-model')).toBe('melu');
    expect(await page.inputValue('#cfg-seed')).toBe('7');
    expect(await page.inputValue('#cfg-epochs')).toBe('3');
    await page.click('[data-testid=tab-runs]');
    await page.waitForSelector('[data-testid=run-row]');
    expect(await page.locator('[data-testid=run-row]').count()).toBeGreaterThanOrEqual(2);
    await page.locator('[data-testid=run-row] input[type=checkbox]').first().check();
    await page.waitForSelector('[data-testid=compare-chart] .scatterlayer .trace');
    await shot(page, 'runs-panel', '.tab-body');
    await open('#epochs=abc&colour=red');
    const warnings = await page.textContent('[data-testid=config-warnings]');
    expect(warnings).toContain('Expected a number for epochs, got "abc"');
    expect(warnings).toContain('Unknown setting "colour"');
    await shot(page, 'experiment-panel', '.sidebar .panel:nth-of-type(2)');
  });

  it('trains MeLU on wasm and recommends for a new user', async () => {
    await open('#model=melu&epochs=2&baselines=false&backend=wasm&evalUsers=20');
    await page.click('[data-testid=start]');
    await waitStatus('finished');
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

  const ml100k = stagedDataset('ml-100k');
  it.runIf(ml100k)(
    'uploads ml-100k (100,000 ratings); a malformed file names file and line and keeps the data',
    async () => {
      await open('');
      const files = ['u.data', 'u.item', 'u.user', 'u.genre']
        .map((f) => join(ml100k!, f))
        .filter((f) => existsSync(f));
      await page.setInputFiles('[data-testid=file-input]', files);
      await page.waitForFunction(
        () => document.querySelector('[data-testid=count-ratings]')?.textContent === '100,000',
        null,
        { timeout: 60_000 },
      );
      await page.setInputFiles('[data-testid=file-input]', {
        name: 'u.data',
        mimeType: 'text/plain',
        buffer: Buffer.from('1\t1\t5\t881250949\n1\t2\t3\t881250950\n2\t1\t7\t881250951\n'),
      });
      await page.waitForSelector('[data-testid=data-error]');
      expect(await page.textContent('[data-testid=data-error]')).toContain(
        'Expected rating in 1..5 at u.data line 3, got 7',
      );
      expect(await page.textContent('[data-testid=count-ratings]')).toBe('100,000');
      await shot(page, 'upload-error', '.sidebar .panel');
    },
  );
});
