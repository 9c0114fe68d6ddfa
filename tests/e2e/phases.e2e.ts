// A researcher's first minute on a laptop (1440x900): the default Train on this GPU-less machine shows
// its first curve point within seconds, names wasm and why, names every phase in the status line,
// keeps the charts and the memory explorer on one screen, and every main view is saved as a screenshot.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS, e2eAvailable, launch, openPage, servePreview, shot, type Served } from './harness';
import { pngFrom, plotlyPng, waitStatus } from './steps';

const available = e2eAvailable();
let served: Served;
let browser: Browser;
let page: Page;
let errors: string[];

/** Clicks a control that downloads a file and keeps the file under artifacts/ (to look at). */
async function keepDownload(name: string, click: () => Promise<void>): Promise<string> {
  const [download] = await Promise.all([page.waitForEvent('download', { timeout: 30_000 }), click()]);
  mkdirSync(ARTIFACTS, { recursive: true });
  await download.saveAs(join(ARTIFACTS, name));
  return download.suggestedFilename();
}

/** Bottom edge (px from the viewport top) of the first element matching a selector. */
const bottomOf = (selector: string) =>
  page
    .locator(selector)
    .first()
    .evaluate((el) => el.getBoundingClientRect().bottom);

describe.runIf(available)('phases and layout at 1440x900', () => {
  beforeAll(async () => {
    served = await servePreview();
    browser = await launch();
    ({ page, errors } = await openPage(browser, { width: 1440, height: 900 }));
  });
  afterAll(async () => {
    await browser?.close();
    served?.stop();
  });

  it('default Train: first curve point within 15 s, wasm badge with why, phases named, views on one screen', async () => {
    await page.goto(served.url);
    await page.waitForSelector('[data-testid=count-ratings]', { timeout: 60_000 });
    await page.waitForSelector('[data-testid=metric-chart-mae] .main-svg', { timeout: 60_000 });
    expect(await page.textContent('.summary-head')).not.toContain('ml-100k');
    const pageHeight = await page.evaluate(() => document.documentElement.scrollHeight);
    await shot(page, 'laptop-before-training');
    // the form: a few settings first, the rest folded, help on demand
    expect(await page.locator('[data-testid=advanced-settings]').getAttribute('open')).toBeNull();
    expect(await page.locator('.experiment .help').count()).toBe(0);
    await page.click('[data-testid=field-epochs] button.info');
    expect(await page.locator('[data-testid=field-epochs] .help').count()).toBe(1);
    await page.click('[data-testid=field-epochs] button.info');
    expect(await page.textContent('[data-testid=tab-memory]')).toBe('Memory');
    expect(await page.locator('.memory .empty, .tab-body .empty').first().textContent()).not.toContain(
      'choose the MAMO model',
    );

    const t0 = Date.now();
    await page.click('[data-testid=start]');
    // the first point of any curve: an epoch-0 marker or a loss path
    await page.waitForFunction(
      () =>
        document.querySelectorAll('.curves .scatterlayer .trace .points path').length > 0 ||
        (document.querySelector('[data-testid=loss-chart] path.js-line')?.getAttribute('d') ?? '').length > 0,
      null,
      { timeout: 60_000, polling: 100 },
    );
    const firstPoint = (Date.now() - t0) / 1000;
    await page.waitForFunction(
      () =>
        (document.querySelector('[data-testid=loss-chart] path.js-line')?.getAttribute('d') ?? '').split(
          /[LM]/,
        ).length > 2,
      null,
      { timeout: 120_000, polling: 100 },
    );
    const firstLoss = (Date.now() - t0) / 1000;
    const badge = page.locator('[data-testid=backend-badge]');
    expect(await badge.getAttribute('data-backend')).toBe('wasm');
    // the project's SIMD module runs on tfjs-wasm's (threaded, shared) memory in the page's worker
    expect(await badge.getAttribute('data-wasm-kernels')).toBe('simd');
    const why = (await badge.getAttribute('data-why')) ?? '';
    expect(why.length).toBeGreaterThan(10);
    // every phase is named in the status line while it runs (polled: some are short)
    const seen = new Set<string>();
    const poll = setInterval(() => {
      void page
        .getAttribute('[data-testid=progress-text]', 'data-phase')
        .then((p) => p && seen.add(p))
        .catch(() => undefined);
    }, 150);
    await page.waitForFunction(
      () => document.querySelector('[data-testid=progress-text]')?.getAttribute('data-phase') === 'baselines',
      null,
      { timeout: 240_000, polling: 100 },
    );
    const status = (await page.textContent('[data-testid=progress-text]')) ?? '';
    expect(status).toMatch(/baselines \d+\/\d+ non-meta epochs · .* · meta-step \d+\//);
    await page.waitForSelector('[data-testid=attention-heatmap]');
    await page.waitForTimeout(1500);
    await shot(page, 'laptop-during-training');
    // the charts and the memory explorer are in view without scrolling
    expect(await page.evaluate(() => window.scrollY)).toBe(0);
    expect(await bottomOf('[data-testid=metric-chart-loss]')).toBeLessThanOrEqual(900);
    expect(await bottomOf('[data-testid=attention-heatmap] canvas')).toBeLessThanOrEqual(900);
    await waitStatus(page, 'finished');
    clearInterval(poll);
    const total = (Date.now() - t0) / 1000;
    expect([...seen].sort()).toEqual(['baselines', 'evaluation', 'training']);

    // the memory explorer after training, and the user map
    await page.waitForSelector('[data-testid=user-map] circle');
    await shot(page, 'laptop-memory-explorer');
    await shot(page, 'memory-explorer-panel', '.tab-body');
    const mapPng = await pngFrom(page, () => page.click('[data-testid=user-map-png]'));
    await keepDownload('export-user-map.png', () => page.click('[data-testid=user-map-png]'));
    await keepDownload('export-attention.png', () => page.click('[data-testid=attention-heatmap-png]'));
    // a new-item user in the heatmap: the users list shows that scenario
    const tip = await page.evaluate(() => {
      const canvas = document.querySelector('[data-testid=attention-heatmap] canvas') as HTMLCanvasElement;
      return {
        rows: Number(canvas.closest('[data-rows]')!.getAttribute('data-rows')),
        height: canvas.height,
      };
    });
    const heat = page.locator('[data-testid=attention-heatmap] canvas');
    await heat.hover({ position: { x: 10, y: 3 } });
    const before = await page.textContent('[data-testid=attention-heatmap-tooltip]');
    await page.locator('[data-testid=memory-epoch]').focus();
    await page.keyboard.press('Home');
    const after = await page.textContent('[data-testid=attention-heatmap-tooltip]');
    expect(after).not.toBe(before); // the tooltip follows the epoch slider
    await page.keyboard.press('End');
    await page.click('.memory input[type=checkbox] >> nth=0'); // unsorted: rows in scenario order, new items last
    // ten rows from the bottom (rows are < 1 px here): a user of the last scenario (user_item_cold has 56)
    await heat.click({ position: { x: 10, y: tip.height - 10 * (tip.height / tip.rows) } });
    await page.waitForSelector('[data-testid=drilldown-query] tbody tr', { timeout: 60_000 });
    expect(await page.inputValue('.users-list select')).toBe('user_item_cold');
    await shot(page, 'laptop-drill-down');
    // error by support size, from the evaluated events' per-user errors: the model and the baselines
    await page.click('[data-testid=tab-support]');
    await page.waitForSelector('[data-testid=support-chart] .main-svg', { timeout: 60_000 });
    // the baselines' rows join once their phase has run (after the first epoch)
    await page.waitForFunction(
      () =>
        Array.from(document.querySelectorAll('[data-testid=support-baseline] option')).some(
          (o) => (o as HTMLOptionElement).value === 'supportMean',
        ),
      undefined,
      { timeout: 120_000 },
    );
    await shot(page, 'laptop-support-size');
    // the exports stand alone (title, caption, legend, axes): saved for a look
    await page.click('[data-testid=tab-memory]');
    const lossPng = await plotlyPng(page, 'loss-chart');
    expect(lossPng.name).toBe('meta-training-loss.png');
    await keepDownload('export-mae.png', async () => {
      await page.hover('[data-testid=metric-chart-mae] .main-svg');
      await page.click('[data-testid=metric-chart-mae] .modebar-btn[data-title="Download plot as a PNG"]');
    });
    expect(mapPng.name).toMatch(/^user-map-epoch-\d+\.png$/);
    expect(await page.locator('.plotly-notifier:visible').count()).toBe(0);
    await page.check('[data-testid=loss-log]');
    await page.selectOption('[data-testid=loss-x]', 'time');
    await page.waitForTimeout(1500);
    await shot(page, 'loss-chart-log-wallclock', '.curves');

    const line = `phases (1440x900, default config, auto backend -> ${await badge.getAttribute('data-backend')}): first curve point ${firstPoint.toFixed(1)} s after Train, first loss segment ${firstLoss.toFixed(1)} s, finished ${total.toFixed(0)} s; page height before training ${pageHeight} px; why: ${why}`;
    console.log(line);
    mkdirSync(ARTIFACTS, { recursive: true });
    writeFileSync(join(ARTIFACTS, 'phases.txt'), `${line}\n`);
    expect(firstPoint).toBeLessThanOrEqual(15);
    expect(errors.filter((e) => !e.includes('favicon'))).toEqual([]);
  });
});
