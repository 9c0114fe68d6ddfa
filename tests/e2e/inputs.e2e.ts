// Inputs in the built app (Chromium): malformed uploads are refused with file and line while the data
// loaded before stays; "Add files" merges and the panel says what each file gave; impossible choices
// disable Train with the reason in view; the app talks to its own origin only, under a CSP.
import type { Browser, Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MALFORMED } from '../data/malformed.table';
import { stagedDataset } from '../helpers/datasets';
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

  it("ml-1m, then MeLU's split files by a second upload: the published protocol becomes trainable", async () => {
    // ML-1M's formats at a synthetic size (MovieLens itself may not be shipped in tests): 40 users; 40
    // films of 1990-1996 (existing) and 20 of 1999 (new); users 36-40 are the new users of the split
    const ratings: string[] = [];
    const rate = (u: number, m: number) =>
      ratings.push(`${u}::${m}::${1 + ((u * 7 + m * 3) % 5)}::${978300000 + u * 100 + m}`);
    for (let u = 1; u <= 40; u++) for (let k = 0; k < 20; k++) rate(u, 1 + ((u + k * 3) % 40));
    for (let u = 1; u <= 5; u++) for (let m = 41; m <= 55; m++) rate(u, m);
    for (let u = 36; u <= 40; u++) for (let m = 41; m <= 55; m++) rate(u, m);
    const movies = Array.from({ length: 60 }, (_, k) =>
      k < 40
        ? `${k + 1}::Old Film ${k + 1} (${1990 + (k % 7)})::Drama`
        : `${k + 1}::New Film ${k + 1} (1999)::Comedy`,
    );
    const users = Array.from(
      { length: 40 },
      (_, k) => `${k + 1}::${k % 2 ? 'F' : 'M'}::25::${k % 20}::12345`,
    );
    await page.setInputFiles(
      '[data-testid=file-input]',
      asUpload([
        text('ratings.dat', ratings.join('\n') + '\n'),
        text('movies.dat', movies.join('\n') + '\n'),
        text('users.dat', users.join('\n') + '\n'),
      ]),
    );
    await page.waitForFunction(
      () => document.querySelector('[data-testid=count-ratings]')?.textContent !== '0',
    );
    await page.waitForSelector('[data-testid=train-blocked]', { timeout: 30_000 });
    expect(await page.textContent('[data-testid=train-blocked]')).toContain("needs MeLU's split files");
    // the split: users 36-40 as new users (their old films), users 1-5 on the new films, 36-40 on both
    const state = (from: number, to: number, items: (u: number) => number[]) => {
      const x: Record<string, number[]> = {};
      const y: Record<string, number[]> = {};
      for (let u = from; u <= to; u++) {
        x[u] = items(u);
        y[u] = x[u]!.map((m) => 1 + ((u * 7 + m * 3) % 5));
      }
      return [JSON.stringify(x), JSON.stringify(y)] as const;
    };
    const oldOf = (u: number) => Array.from({ length: 20 }, (_, k) => 1 + ((u + k * 3) % 40));
    const newOnes = () => Array.from({ length: 15 }, (_, k) => 41 + k);
    const [uc, ucy] = state(36, 40, oldOf);
    const [ic, icy] = state(1, 5, newOnes);
    const [uic, uicy] = state(36, 40, newOnes);
    await page.setInputFiles(
      '[data-testid=add-files-input]',
      asUpload([
        text('user_cold_state.json', uc),
        text('user_cold_state_y.json', ucy),
        text('item_cold_state.json', ic),
        text('item_cold_state_y.json', icy),
        text('user_and_item_cold_state.json', uic),
        text('user_and_item_cold_state_y.json', uicy),
      ]),
    );
    await page.waitForFunction(() =>
      (document.querySelector('[data-testid=contributions]')?.textContent ?? '').includes(
        'user_cold_state.json',
      ),
    );
    const table = (await page.textContent('[data-testid=contributions]')) ?? '';
    // both uploads are there: the ratings of the first and the split of the second
    expect(table).toContain('ratings.dat');
    expect(table).toContain('user_and_item_cold_state.json');
    expect(await page.textContent('[data-testid=count-ratings]')).not.toBe('0');
    await page.waitForFunction(() => !document.querySelector('[data-testid=train-blocked]'), undefined, {
      timeout: 30_000,
    });
    expect(await page.isDisabled('[data-testid=start]')).toBe(false);
    await shot(page, 'ml1m-plus-split', '[data-testid=data-summary]');
  });

  it("the staged ml-1m, then MeLU's split files by a second upload (when staged)", async () => {
    const ml1m = stagedDataset('ml-1m');
    const melu = stagedDataset('ml-1m-melu');
    if (!ml1m || !melu) return;
    const read = (dir: string, names: string[]) =>
      names.map((n) => ({ path: n, bytes: new Uint8Array(readFileSync(join(dir, n))) }));
    const ratingsFile = readdirSync(ml1m).find((n) => /^ratings.*\.dat$/.test(n))!;
    await page.setInputFiles(
      '[data-testid=file-input]',
      asUpload(read(ml1m, [ratingsFile, 'movies.dat', 'users.dat'])),
    );
    await page.waitForFunction(
      () =>
        Number(
          (document.querySelector('[data-testid=count-ratings]')?.textContent ?? '0').replace(/\D/g, ''),
        ) > 100_000,
      undefined,
      { timeout: 120_000 },
    );
    await page.waitForSelector('[data-testid=train-blocked]', { timeout: 30_000 });
    const splits = join(melu, 'splits');
    await page.setInputFiles('[data-testid=add-files-input]', asUpload(read(splits, readdirSync(splits))));
    await page.waitForFunction(
      () =>
        (document.querySelector('[data-testid=contributions]')?.textContent ?? '').includes(
          'user_cold_state.json',
        ),
      undefined,
      { timeout: 120_000 },
    );
    const table = (await page.textContent('[data-testid=contributions]')) ?? '';
    expect(table).toContain(ratingsFile);
    await page.waitForFunction(() => !document.querySelector('[data-testid=train-blocked]'), undefined, {
      timeout: 120_000,
    });
    expect(await page.isDisabled('[data-testid=start]')).toBe(false);
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
