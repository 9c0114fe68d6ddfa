// Page steps shared by the end-to-end tests: waits on the run status, reading numbers off the page,
// downloading a chart's PNG, dropping files on the drop zone.
import type { Page } from 'playwright-core';

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
