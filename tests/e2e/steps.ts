// Page steps shared by the end-to-end tests: waits on the run status, reading numbers off the page,
// downloading a chart's PNG, dropping files on the drop zone.
import type { Locator, Page } from 'playwright-core';
import { expect } from 'vitest';

export const runStatus = (page: Page) => page.getAttribute('[data-testid=run-controls]', 'data-status');

export const waitStatus = (page: Page, ...wanted: string[]) =>
  page.waitForFunction(
    (w) =>
      w.includes(document.querySelector('[data-testid=run-controls]')?.getAttribute('data-status') ?? ''),
    wanted,
    { timeout: 240_000 },
  );

/** The meta-step shown in the progress text ("… step 12/106 …"). */
export async function currentStep(page: Page): Promise<number> {
  const text = (await page.textContent('[data-testid=progress-text]')) ?? '';
  return Number(/step (\d+)\//.exec(text)?.[1] ?? NaN);
}

/** tasks/s shown in the top bar, averaged over recent steps. */
export async function throughput(page: Page): Promise<number> {
  const text = (await page.textContent('[data-testid=memory-text]')) ?? '';
  return Number(/([\d.]+) tasks\/s/.exec(text)?.[1] ?? NaN);
}

/** Clicks a control that saves a PNG and returns the downloaded file's name and size. */
export async function pngFrom(
  page: Page,
  click: () => Promise<void>,
): Promise<{ name: string; bytes: number }> {
  const [download] = await Promise.all([page.waitForEvent('download', { timeout: 30_000 }), click()]);
  const stream = await download.createReadStream();
  let bytes = 0;
  let head = '';
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    if (bytes === 0) head = chunk.subarray(1, 4).toString('latin1');
    bytes += chunk.length;
  }
  if (head !== 'PNG') throw new Error(`${download.suggestedFilename()} is not a PNG`);
  return { name: download.suggestedFilename(), bytes };
}

/** The camera button of a Plotly chart (the modebar shows on hover). */
export async function plotlyPng(page: Page, testId: string) {
  return pngFrom(page, async () => {
    await page.hover(`[data-testid=${testId}] .main-svg`);
    await page.click(`[data-testid=${testId}] .modebar-btn[data-title="Download plot as a PNG"]`);
  });
}

/** Drops files (name + text) on the data panel's drop zone, as a drag from the desktop would. */
export async function dropFiles(page: Page, files: { name: string; text: string }[]): Promise<void> {
  const transfer = await page.evaluateHandle((list) => {
    const dt = new DataTransfer();
    for (const f of list) dt.items.add(new File([f.text], f.name, { type: 'text/plain' }));
    return dt;
  }, files);
  await page.dispatchEvent('[data-testid=dropzone]', 'dragover', { dataTransfer: transfer });
  await page.dispatchEvent('[data-testid=dropzone]', 'drop', { dataTransfer: transfer });
}

/** The MAE cells of the runs table's row `index` (newest first). */
export async function runRowMae(page: Page, index: number): Promise<string[]> {
  return page
    .locator('[data-testid=run-row]')
    .nth(index)
    .locator('td[data-testid^=run-mae-]')
    .allTextContents();
}

/** Sets a number field of the form (the advanced fold must be open for advanced ones). */
export async function setNumber(page: Page, name: string, value: number): Promise<void> {
  await page.fill(`#cfg-${name}`, String(value));
  expect(await page.inputValue(`#cfg-${name}`)).toBe(String(value));
}

/**
 * Clicks Train and waits for the run to end: the worker's backend must become webgpu (only when
 * setBackend('webgpu') returned true on a real adapter) and stay so, the run must finish without an
 * error shown. SwiftShader runs the sequence models' steps slowly: up to 12 minutes (the machine is
 * shared), logging the progress every 30 s as `label`. Returns the seconds from Train and the badge.
 */
export async function trainOnWebGPU(page: Page, label: string): Promise<{ seconds: number; badge: Locator }> {
  const progress = async () => (await page.textContent('[data-testid=progress-text]')) ?? '';
  const t0 = Date.now();
  await page.click('[data-testid=start]');
  await page.waitForFunction(
    () => document.querySelector('[data-testid=backend-badge]')?.getAttribute('data-backend') === 'webgpu',
    null,
    { timeout: 120_000 },
  );
  const badge = page.locator('[data-testid=backend-badge]');
  expect(await badge.getAttribute('data-adapter-architecture')).not.toBe('');
  for (let waited = 0; !['finished', 'failed'].includes((await runStatus(page)) ?? ''); waited += 5) {
    if (waited >= 720) throw new Error(`not finished after 720 s: ${await progress()}`);
    if (waited % 30 === 0) console.log(`${label} ${waited} s: ${await progress()}`);
    await page.waitForTimeout(5000);
  }
  const seconds = (Date.now() - t0) / 1000;
  expect(await page.isVisible('[data-testid=run-error]')).toBe(false);
  // no lost device: the whole run stayed on webgpu
  expect(await badge.getAttribute('data-backend')).toBe('webgpu');
  return { seconds, badge };
}
