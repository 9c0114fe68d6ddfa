// MELO in the notebook, end to end in headless Chromium with WebGPU: the model picker (MELO brings the
// sequence protocol and says so; MELO on MeLU's protocol is explained and blocks Train), the MELO preset
// on the embedded demo data, one small epoch, then the three MELO views drawn with data.
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

describe.runIf(available)('MELO in Chromium', () => {
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
    'picks MELO, trains an epoch on WebGPU and draws loss weights, local rates and MAE by rating',
    { timeout: 900_000 },
    async () => {
      await page.goto(`${served.url}#v=2&backend=webgpu`);
      await page.waitForSelector('[data-testid=count-ratings]', { timeout: 60_000 });
      expect(await page.textContent('[data-testid=dataset-name]')).toBe('synthetic demo');

      // the model picker: MELO switches the protocol to sequence, with a note
      expect(await page.inputValue('#cfg-protocol')).toBe('melu');
      await page.selectOption('#cfg-model', 'melo');
      expect(await page.inputValue('#cfg-protocol')).toBe('sequence');
      expect(await page.textContent('[data-testid=model-note]')).toContain('Protocol switched');
      await page.waitForSelector('[data-testid=melo-presets] li >> nth=3');
      // MELO on MeLU's protocol: explained, Train disabled, nothing changed behind the researcher's back
      await page.selectOption('#cfg-protocol', 'melu');
      expect(await page.textContent('[data-testid=model-protocol-problem]')).toContain(
        'only the sequence protocol',
      );
      expect(await page.isDisabled('[data-testid=start]')).toBe(true);
      expect(await page.inputValue('#cfg-protocol')).toBe('melu');
      await shot(page, 'melo-picker', '.experiment');

      // the MELO preset (it brings the sequence protocol), made small enough for SwiftShader
      await page.click('[data-testid=melo-preset-melo]');
      expect(await page.inputValue('#cfg-protocol')).toBe('sequence');
      expect(await page.isVisible('[data-testid=model-protocol-problem]')).toBe(false);
      expect(await page.inputValue('#cfg-lossWeighting')).toBe('lstm');
      await setNumber(page, 'epochs', 1);
      await setNumber(page, 'innerSteps', 2);
      await setNumber(page, 'batchSize', 16);
      await page.uncheck('#cfg-baselines');
      await page.click('[data-testid=advanced-settings] summary');
      await setNumber(page, 'hiddenDim', 8);
      await setNumber(page, 'attentionBlocks', 1);
      await setNumber(page, 'sequenceWindow', 8);
      // the demo users with at least 60 kept ratings: 145 training tasks, 21 validation users (seed 1)
      await setNumber(page, 'sequenceMinRatings', 60);
      await setNumber(page, 'evalUsers', 12);
      await page.waitForSelector('[data-testid=start]:not([disabled])', { timeout: 60_000 });

      const { seconds, badge } = await trainOnWebGPU(page, 'melo e2e');
      expect(await badge.getAttribute('data-strategy')).toContain('melo (lstm weighting');

      // the three views, at the latest epoch, with data
      await page.waitForSelector('[data-testid=melo-panel][data-epoch="1"]');
      expect(await page.textContent('[data-testid=melo-epoch-label]')).toBe('1');
      await page.waitForSelector('[data-testid=melo-weights] .main-svg', { timeout: 60_000 });
      await page.waitForSelector('[data-testid=melo-rating-errors] .main-svg', { timeout: 60_000 });
      const weightBoxes = Number(await page.getAttribute('[data-testid=melo-weights]', 'data-points'));
      expect(weightBoxes).toBeGreaterThanOrEqual(3);
      expect(await page.locator('[data-testid=melo-weights] .trace.bars .point').count()).toBe(weightBoxes);
      const bars = Number(await page.getAttribute('[data-testid=melo-rating-errors]', 'data-points'));
      expect(bars).toBeGreaterThanOrEqual(4);
      expect(await page.locator('[data-testid=melo-rating-errors] .trace.bars').count()).toBe(2);
      const rates = page.locator('[data-testid=melo-rates]');
      expect(Number(await rates.getAttribute('data-columns'))).toBe(2);
      // 1 block: item embeddings, positions, 12 block tensors, final norm (2), head (2)
      expect(Number(await rates.getAttribute('data-rows'))).toBe(18);
      expect(await page.textContent('[data-testid=melo-rates] .heatmap-scale')).toMatch(/colour: -?[\d.]+/);

      // the slider goes back to epoch 0 (the initial state: every local rate at the preset's 0.01)
      await page.fill('[data-testid=melo-epoch]', '0');
      expect(await page.textContent('[data-testid=melo-epoch-label]')).toBe('0');
      expect(await page.textContent('[data-testid=melo-rates] .heatmap-scale')).toContain('0.010');
      await page.fill('[data-testid=melo-epoch]', '1');
      await page.waitForSelector('[data-testid=melo-panel][data-epoch="1"]');
      await page.waitForTimeout(500);
      await shot(page, 'melo-views', '[data-testid=melo-section]');
      // the section under the sticky top bar
      await page.evaluate(() => {
        const top = document.querySelector('[data-testid=melo-section]')!.getBoundingClientRect().top;
        scrollBy(0, top - 60);
      });
      await shot(page, 'melo-page');
      writeFileSync(
        join(ARTIFACTS, 'melo.txt'),
        `melo e2e: preset melo (hidden 8, 1 block, window 8, users with >= 60 ratings, 2 local steps, batch 16, 1 epoch, evalUsers 12) on the synthetic demo, webgpu (${await badge.getAttribute('data-adapter-vendor')} ${await badge.getAttribute('data-adapter-architecture')}): Train to finished ${seconds.toFixed(0)} s\n`,
      );
      expect(errors).toEqual([]);
    },
  );
});
