// End-to-end harness: serves the BUILT app (dist/, made by `npm run build`) with `vite preview` on
// 127.0.0.1, drives Debian's chromium through playwright-core (never a downloaded browser) with
// --enable-unsafe-webgpu (required for WebGPU on machines without a GPU: SwiftShader), and saves
// screenshots under tests/e2e/artifacts/.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const ARTIFACTS = join(ROOT, 'tests', 'e2e', 'artifacts');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** False (tests skip with a message) when chromium or the build is missing; under CI=true that is an error. */
export function e2eAvailable(): boolean {
  const missing = !existsSync(CHROMIUM)
    ? `chromium at ${CHROMIUM}`
    : !existsSync(join(ROOT, 'dist', 'index.html'))
      ? 'the build (dist/; run npm run build)'
      : null;
  if (!missing) return true;
  if (process.env.CI === 'true') throw new Error(`CI=true but ${missing} is missing`);
  console.log(`skipped: end-to-end tests need ${missing}`);
  return false;
}

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? ok(address.port) : fail(new Error('no port')),
      );
    });
  });
}

export interface Served {
  readonly url: string;
  stop(): void;
}

/** Starts `vite preview` on a free port and waits until it answers. */
export async function servePreview(): Promise<Served> {
  const port = await freePort();
  const child: ChildProcess = spawn(
    join(ROOT, 'node_modules', '.bin', 'vite'),
    ['preview', '--host', '127.0.0.1', '--port', String(port), '--strictPort'],
    {
      cwd: ROOT,
      stdio: 'ignore',
      detached: true,
    },
  );
  const url = `http://127.0.0.1:${port}/`;
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(url)).ok) break;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    stop: () => {
      try {
        process.kill(-child.pid!, 'SIGTERM'); // the whole group: npx leaves children
      } catch {
        child.kill('SIGTERM');
      }
    },
  };
}

export async function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
      '--enable-unsafe-webgpu',
    ],
  });
}

/** A page that records console errors and main-thread long tasks (PerformanceObserver 'longtask'). */
export async function openPage(
  browser: Browser,
  viewport = { width: 1440, height: 1000 },
): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await page.addInitScript(() => {
    const w = window as unknown as { __longTasks: number[]; __watchLongTasks: boolean };
    w.__longTasks = [];
    w.__watchLongTasks = false;
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) if (w.__watchLongTasks) w.__longTasks.push(entry.duration);
    }).observe({ type: 'longtask', buffered: false });
  });
  return { page, errors };
}

/**
 * Saves a screenshot of an element (or the viewport). Element shots are clipped from a full-page shot:
 * an element screenshot scrolls the page, and the sticky top bar would then cover the element's top.
 */
export async function shot(page: Page, name: string, selector?: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  if (!selector) {
    await page.screenshot({ path, fullPage: false });
    return;
  }
  const box = await page
    .locator(selector)
    .first()
    .evaluate((el) => {
      const r = el.getBoundingClientRect();
      return { x: r.left + scrollX, y: r.top + scrollY, width: r.width, height: r.height };
    });
  await page.screenshot({ path, fullPage: true, clip: box });
}
