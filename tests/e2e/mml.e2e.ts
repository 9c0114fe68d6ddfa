// MML in the notebook, end to end in headless Chromium with WebGPU: the model picker (MML brings the
// sequence protocol and says so, and lists its three presets), the MML preset made tiny on the
// embedded demo data, one epoch, then the MML views drawn with data (modality-weight bars, the item
// generator's neighbours, fused vs learners) and the curves showing ranking metrics, never NaN; a
// click on a user's bar opens the Users drill-down of that user (ranks before/after, top 5).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS, e2eAvailable, launch, openPage, servePreview, shot, type Served } from './harness';
import { setNumber, trainOnWebGPU } from './steps';

const available = e2eAvailable();
let served: Served;
let browser: Browser;
let page: Page;
let errors: string[];

describe.runIf(available)('MML in Chromium', () => {
  beforeAll(async () => {
    served = await servePreview();
    browser = await launch();
    ({ page, errors } = await openPage(browser, { width: 1440, height: 1100 }));
  });
  afterAll(async () => {
    await browser?.close();
    served?.stop();
  });

  it(
    'picks MML, trains an epoch on WebGPU and draws modality weights, neighbours and learners',
    { timeout: 900_000 },
    async () => {
      await page.goto(`${served.url}#v=2&backend=webgpu`);
      await page.waitForSelector('[data-testid=count-ratings]', { timeout: 60_000 });
      expect(await page.textContent('[data-testid=dataset-name]')).toBe('synthetic demo');

      // the model picker: MML switches the protocol to sequence, with a note, and lists its presets
      expect(await page.inputValue('#cfg-protocol')).toBe('melu');
      await page.selectOption('#cfg-model', 'mml');
      expect(await page.inputValue('#cfg-protocol')).toBe('sequence');
      expect(await page.textContent('[data-testid=model-note]')).toContain('MML');
      await page.waitForSelector('[data-testid=mml-presets] li >> nth=2');

      // the fused preset, made tiny for SwiftShader
      await page.click('[data-testid=mml-preset-mml]');
      expect(await page.inputValue('#cfg-protocol')).toBe('sequence');
      await setNumber(page, 'epochs', 1);
      await setNumber(page, 'innerSteps', 1);
      await setNumber(page, 'batchSize', 32);
      await page.click('[data-testid=advanced-settings] summary');
      await setNumber(page, 'hiddenDim', 8);
      await setNumber(page, 'attentionBlocks', 1);
      await setNumber(page, 'textDim', 8);
      await setNumber(page, 'generatorNeighbours', 3);
      await setNumber(page, 'sequenceWindow', 6);
      await setNumber(page, 'sequenceMinRatings', 60);
      await setNumber(page, 'evalUsers', 8);
      await page.waitForSelector('[data-testid=start]:not([disabled])', { timeout: 60_000 });

      const { seconds, badge } = await trainOnWebGPU(page, 'mml e2e');
      expect(await badge.getAttribute('data-strategy')).toMatch(/^mml \(/);

      // the MML views, with data
      await page.waitForSelector('[data-testid=mml-panel][data-epoch="1"]');
      await page.waitForSelector('[data-testid=mml-weights] .main-svg', { timeout: 60_000 });
      const points = Number(await page.getAttribute('[data-testid=mml-weights]', 'data-points'));
      expect(points).toBeGreaterThanOrEqual(4);
      expect(await page.locator('[data-testid=mml-weights] .trace.bars').count()).toBe(2);
      expect(await page.locator('[data-testid=mml-weights] .trace.bars .point').count()).toBe(points);
      await page.selectOption('[data-testid=mml-sort]', 'user');
      expect(Number(await page.getAttribute('[data-testid=mml-neighbours]', 'data-rows'))).toBe(3);
      expect(await page.locator('[data-testid=mml-learners] tbody tr').count()).toBeGreaterThanOrEqual(3);
      // the curves draw ranking metrics (no MAE chart), and nothing on the page prints NaN
      await page.waitForSelector('[data-testid=metric-chart-recall10]');
      expect(await page.isVisible('[data-testid=metric-chart-mae]')).toBe(false);
      expect(await page.textContent('main')).not.toContain('NaN');
      await page.waitForTimeout(500);
      await shot(page, 'mml-views', '[data-testid=mml-section]');
      // a bar opens its user in the Users tab: the window in time order with ranks before/after and
      // the top 5 (the run has finished, so the worker holds its learned state)
      // Plotly emits plotly_click only for a point it hovers: bring the bar into the viewport (the
      // section may sit below the fold), hover it, then click
      const path = page.locator('[data-testid=mml-weights] .trace.bars .point path').first();
      await path.scrollIntoViewIfNeeded();
      const bar = await path.boundingBox();
      expect(bar).not.toBeNull();
      await page.mouse.move(bar!.x + bar!.width / 2, bar!.y + bar!.height / 2);
      await page.waitForTimeout(300);
      await page.mouse.click(bar!.x + bar!.width / 2, bar!.y + bar!.height / 2);
      await page.waitForSelector('[data-testid=tab-users][aria-selected=true]');
      await page.waitForSelector('[data-testid=drilldown-window][data-kind=ranking]', { timeout: 60_000 });
      const windowRows = await page.locator('[data-testid=drilldown-window] tbody tr').count();
      expect(windowRows).toBeGreaterThanOrEqual(2);
      expect(await page.textContent('[data-testid=user-detail]')).not.toContain('NaN');
      expect(await page.textContent('[data-testid=drilldown-title]')).toMatch(/^User \d+/);
      await shot(page, 'mml-drilldown', '[data-testid=user-detail]');
      writeFileSync(
        join(ARTIFACTS, 'mml.txt'),
        `mml e2e: preset mml (hidden 8, 1 block, text 8, K 3, window 6, users with >= 60 ratings, 1 local step, batch 32, 1 epoch, evalUsers 8) on the synthetic demo, webgpu (${await badge.getAttribute('data-adapter-vendor')} ${await badge.getAttribute('data-adapter-architecture')}): Train to finished ${seconds.toFixed(0)} s\n`,
      );
      expect(errors).toEqual([]);
    },
  );
});
