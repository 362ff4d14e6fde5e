/**
 * The combined `binwave report` page in headless Chromium: no console errors, the heat map, the SNR-vs-Q plot and
 * the training curve drawn, every audio player loads. Saves a screenshot (also to /tmp/binwave-eval-report.png).
 * The model is a random-weights tiny one unless BINWAVE_EVAL_MODEL names a trained model directory.
 * Needs Chromium at /usr/bin/chromium (or $BINWAVE_CHROMIUM), like test/report-browser.test.ts.
 */
import * as fs from 'fs';
import * as path from 'path';
import { pathToFileURL } from 'url';
import { chromium, Browser } from 'playwright-core';
import { main } from '../src/cli';
import { makeRandomModel, smallCorpus } from './helpers/eval-model';
import { tmpDir } from './helpers';

const CHROMIUM = process.env.BINWAVE_CHROMIUM || '/usr/bin/chromium';
const SCREENSHOT_COPY = '/tmp/binwave-eval-report.png';

jest.setTimeout(60000);

describe('binwave report in headless Chromium', () => {
  let dir: string;
  let browser: Browser | undefined;

  beforeAll(async () => {
    if (!fs.existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: run scripts/install-chromium.sh (or set BINWAVE_CHROMIUM)`);
    dir = tmpDir('eval-browser');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync'],
    });
  });

  afterAll(async () => {
    await browser?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  test('the combined report renders: plots drawn, players load, no errors', async () => {
    const model = process.env.BINWAVE_EVAL_MODEL || makeRandomModel(path.join(dir, 'model'), 256, { samples: true });
    const out = path.join(dir, 'report');
    const data = process.env.BINWAVE_EVAL_DATA || smallCorpus(path.join(dir, 'data'));
    const w = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      await main(['report', '--model', model, '--data', data, '--out', out, '--max-seconds', '1', '--bins', '16,64,256,1024,65536']);
    } finally {
      w.mockRestore();
    }
    expect(process.exitCode ?? 0).toBe(0);
    const html = path.join(out, 'report.html');
    expect(fs.statSync(html).size).toBeLessThan(8 * 1024 * 1024);

    const page = await browser!.newPage({ viewport: { width: 1100, height: 900 } });
    const errors: string[] = [];
    page.on('console', (msg) => {
      if (msg.type() === 'error') errors.push(`console: ${msg.text()}`);
    });
    page.on('pageerror', (err) => errors.push(`page: ${err.message}`));
    page.on('requestfailed', (req) => errors.push(`request failed: ${req.url().slice(0, 80)}`));
    await page.goto(pathToFileURL(html).href, { waitUntil: 'load' });

    const svgs = await page.evaluate(() =>
      Array.from(document.querySelectorAll('svg')).map((svg) => {
        const box = svg.getBoundingClientRect();
        const data = Array.from(svg.querySelectorAll('.bw-line, .bw-points circle, .bw-heat, .bw-wave, .bw-bars rect')) as SVGGraphicsElement[];
        const sized = data.filter((el) => {
          const b = el.getBBox();
          return b.width > 0 && b.height > 0;
        });
        return { title: svg.getAttribute('aria-label') ?? '', width: box.width, height: box.height, data: data.length, sized: sized.length };
      }),
    );
    const find = (re: RegExp) => svgs.find((s) => re.test(s.title));
    for (const re of [/Predicted distribution/, /Round-trip SNR vs Q/, /Training curves/, /same steps in amplitude/, /Held-out clip/]) {
      const s = find(re);
      expect({ re: String(re), found: !!s }).toEqual({ re: String(re), found: true });
      expect(s!.width).toBeGreaterThan(300);
      expect(s!.height).toBeGreaterThan(100);
      expect(s!.sized).toBeGreaterThan(0);
    }
    // the heat map image decodes to a bitmap
    const heat = await page.evaluate(async () => {
      const el = document.querySelector('svg image.bw-heat');
      if (!el) return null;
      const img = new Image();
      img.src = el.getAttribute('href') || '';
      await img.decode();
      return { w: img.naturalWidth, h: img.naturalHeight };
    });
    expect(heat).not.toBeNull();
    expect(heat!.w).toBeGreaterThanOrEqual(100);

    const audio = await page.evaluate(async () =>
      Promise.all(
        Array.from(document.querySelectorAll('audio')).map(
          (a) =>
            new Promise<{ readyState: number; duration: number; error: string | null }>((resolve) => {
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
    // original + 3 one-step predictions + 1 generated clip; original + 4 round trips
    expect(audio.length).toBe(10);
    for (const a of audio) {
      expect(a.error).toBeNull();
      expect(a.readyState).toBeGreaterThanOrEqual(1);
      expect(a.duration).toBeGreaterThan(0.2);
    }

    const shot = path.join(dir, 'report.png');
    await page.screenshot({ path: shot, fullPage: true });
    expect(fs.statSync(shot).size).toBeGreaterThan(50000);
    fs.copyFileSync(shot, SCREENSHOT_COPY);
    expect(errors).toEqual([]);
    await page.close();
  });
});
