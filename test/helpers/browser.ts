/**
 * Headless Chromium for the report tests: launch it (failing, never skipping, when it is missing), open a page
 * while collecting console/page/request errors, and read back what the page shows.
 */
import * as fs from 'fs';
import { pathToFileURL } from 'url';
import { chromium, Browser, Page } from 'playwright-core';

export const CHROMIUM = process.env.BINWAVE_CHROMIUM || '/usr/bin/chromium';

export async function launchChromium(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}: run scripts/install-chromium.sh (or set BINWAVE_CHROMIUM to a Chromium binary)`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--autoplay-policy=no-user-gesture-required'],
  });
}

/** Open a local HTML file; `errors` fills with console errors, page errors and failed requests. */
export async function openPage(browser: Browser, file: string): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  const errors: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`console: ${msg.text()}`);
  });
  page.on('pageerror', (err) => errors.push(`page: ${err.message}`));
  page.on('requestfailed', (req) => errors.push(`request failed: ${req.url().slice(0, 80)}`));
  await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
  return { page, errors };
}

export interface AudioState {
  readyState: number;
  duration: number;
  error: string | null;
}

/** Every <audio> element after it has loaded its metadata (or failed, or 10 s passed). */
export function audioStates(page: Page): Promise<AudioState[]> {
  return page.evaluate(async () =>
    Promise.all(
      Array.from(document.querySelectorAll('audio')).map(
        (a) =>
          new Promise<AudioState>((resolve) => {
            const done = () => resolve({ readyState: a.readyState, duration: a.duration, error: a.error ? String(a.error.code) : null });
            if (a.readyState >= 1) return done();
            a.addEventListener('loadedmetadata', done, { once: true });
            a.addEventListener('error', done, { once: true });
            setTimeout(done, 10000);
            a.load();
          }),
      ),
    ),
  );
}
