/**
 * The combined `binwave report` page in headless Chromium: no console errors, the heat map, the SNR-vs-Q plot and
 * the training curve drawn, every audio player loads. Saves a screenshot (also to /tmp/binwave-eval-report.png).
 * The model is a random-weights tiny one unless BINWAVE_EVAL_MODEL names a trained model directory.
 * Needs Chromium at /usr/bin/chromium (or $BINWAVE_CHROMIUM), like test/report-browser.test.ts.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Browser } from 'playwright-core';
import { audioStates, launchChromium, openPage } from './helpers/browser';
import { main } from '../src/cli';
import { makeRandomModel, smallCorpus } from './helpers/eval-model';
import { tmpDir } from './helpers';

const SCREENSHOT_COPY = '/tmp/binwave-eval-report.png';

jest.setTimeout(60000);

describe('binwave report in headless Chromium', () => {
  let dir: string;
  let browser: Browser | undefined;

  beforeAll(async () => {
    dir = tmpDir('eval-browser');
    browser = await launchChromium();
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

    const { page, errors } = await openPage(browser!, html);

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

    const audio = await audioStates(page);
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
