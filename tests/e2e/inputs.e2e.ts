// Inputs in the built app (Chromium): malformed uploads are refused with file and line while the data
// loaded before stays; "Add files" merges and the panel says what each file gave; impossible choices
// disable Train with the reason in view; the app talks to its own origin only, under a CSP.
import type { Browser, Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MALFORMED } from '../data/malformed.table';
import { e2eAvailable, launch, openPage, servePreview, shot, type Served } from './harness';

const available = e2eAvailable();
let served: Served;
let browser: Browser;
let page: Page;
const requests: Request[] = [];
let csp: string | undefined;

const caseNamed = (name: string) => MALFORMED.find((c) => c.name === name)!;
const asUpload = (files: readonly { path: string; bytes: Uint8Array }[]) =>
  files.map((f) => ({
    name: f.path.split('/').pop()!,
    mimeType: 'application/octet-stream',
    buffer: Buffer.from(f.bytes),
  }));
const text = (path: string, body: string) => ({ path, bytes: new TextEncoder().encode(body) });

describe.runIf(available)('inputs in Chromium', () => {
  beforeAll(async () => {
    served = await servePreview();
    browser = await launch();
    ({ page } = await openPage(browser));
    page.on('request', (r) => requests.push(r));
    const response = await page.goto(`${served.url}#v=2&protocol=published&backend=wasm`);
    csp = response?.headers()['content-security-policy'];
    await page.waitForSelector('[data-testid=count-ratings]', { timeout: 60_000 });
  });
  afterAll(async () => {
    await browser?.close();
    served?.stop();
  });

  it('malformed uploads: the message names file and line, the demo stays loaded', async () => {
    const before = await page.textContent('[data-testid=count-ratings]');
    for (const name of [
      'rating above 5',
      'zip entry climbing out with ../',
      'UTF-16 LE with a byte-order mark',
    ]) {
      const c = caseNamed(name);
      await page.setInputFiles('[data-testid=file-input]', asUpload(c.files));
      await page.waitForFunction(
        (m) => document.querySelector('[data-testid=data-error]')?.textContent?.includes(m) ?? false,
        c.message,
        { timeout: 30_000 },
      );
      const shown = await page.textContent('[data-testid=data-error]');
      expect(shown).toContain('The dataset loaded before (synthetic demo) is still in use.');
      expect(await page.textContent('[data-testid=dataset-name]')).toBe('synthetic demo');
      expect(await page.textContent('[data-testid=count-ratings]')).toBe(before);
    }
    await shot(page, 'malformed-upload', '[data-testid=data-error]');
  });

  it('the published protocol without split files: Train disabled, the reason in view', async () => {
    await page.waitForSelector('[data-testid=train-blocked]', { timeout: 30_000 });
    expect(await page.textContent('[data-testid=train-blocked]')).toContain(
      "The published protocol needs MeLU's split files",
    );
    expect(await page.isDisabled('[data-testid=start]')).toBe(true);
  });

  it('Add files merges ratings with profiles and items; each file says what it gave', async () => {
    await page.setInputFiles(
      '[data-testid=file-input]',
      asUpload([text('u.data', '1\t1\t5\t881250949\n1\t2\t3\t881250950\n2\t1\t4\t881250951\n')]),
    );
    await page.waitForFunction(
      () => document.querySelector('[data-testid=dataset-name]')?.textContent !== 'synthetic demo',
    );
    const flags = (g: number) => Array.from({ length: 19 }, (_, k) => (k === g ? '1' : '0')).join('|');
    await page.setInputFiles(
      '[data-testid=add-files-input]',
      asUpload([
        text(
          'u.item',
          `1|Film A (1995)|01-Jan-1995||http://x|${flags(1)}\n2|Film B (1997)|01-Jan-1997||http://x|${flags(2)}\n`,
        ),
        text('u.user', '1|24|M|technician|85711\n2|53|F|other|94043\n'),
      ]),
    );
    await page.waitForFunction(() =>
      (document.querySelector('[data-testid=contributions]')?.textContent ?? '').includes('u.user'),
    );
    const table = (await page.textContent('[data-testid=contributions]')) ?? '';
    expect(table).toContain('ratings (ml-100k)3 ratings');
    expect(table).toContain('items (ml-100k)2 items');
    expect(table).toContain('users (ml-100k)2 users');
    await shot(page, 'add-files', '[data-testid=data-summary]');
  });

  it("MeLU's split files alone: zero ratings, and why, in view", async () => {
    const files = [
      text('user_cold_state.json', '{"1": [1, 2]}'),
      text('user_cold_state_y.json', '{"1": [5, 3]}'),
      text('item_cold_state.json', '{"2": [1]}'),
      text('item_cold_state_y.json', '{"2": [4]}'),
      text('user_and_item_cold_state.json', '{"1": [2]}'),
      text('user_and_item_cold_state_y.json', '{"1": [3]}'),
    ];
    await page.setInputFiles('[data-testid=file-input]', asUpload(files));
    await page.waitForSelector('[data-testid=data-warnings]', { timeout: 30_000 });
    expect(await page.textContent('[data-testid=data-warnings]')).toContain('No ratings were loaded');
    expect(await page.textContent('[data-testid=count-ratings]')).toBe('0');
    expect(await page.isDisabled('[data-testid=start]')).toBe(true);
  });

  it('requests stay on the own origin (or data:/blob:) and the preview sends a CSP', async () => {
    // the backend starts after the first dataset: wait for it, so tfjs and the wasm binaries are fetched
    await page.waitForSelector('[data-testid=backend-badge]:not([data-backend=pending])', {
      timeout: 120_000,
    });
    await page.waitForTimeout(1000);
    const origin = new URL(served.url).origin;
    const foreign = requests
      .map((r) => r.url())
      .filter((u) => !u.startsWith('data:') && !u.startsWith('blob:') && new URL(u).origin !== origin);
    expect(foreign).toEqual([]);
    expect(requests.some((r) => r.url().includes('.wasm'))).toBe(true);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("connect-src 'self' data: blob:");
  });
});
