/**
 * Opens a sample report in headless Chromium and checks that it renders: no console or page errors, every
 * SVG has a size and drawn content, embedded PNGs decode, every audio player loads its metadata with the right
 * duration. Saves a screenshot (also to /tmp/binwave-report-screenshot.png).
 *
 * Needs Chromium at /usr/bin/chromium (or $BINWAVE_CHROMIUM): run scripts/install-chromium.sh. The test fails,
 * rather than skips, when it is missing.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { pathToFileURL } from 'url';
import { Browser } from 'playwright-core';
import { audioStates, launchChromium, openPage } from './helpers/browser';
import { buildSampleReport, TONE_SECONDS } from './helpers/sample-report';

const SCREENSHOT_COPY = '/tmp/binwave-report-screenshot.png';

jest.setTimeout(30000);

describe('HTML report in headless Chromium', () => {
  let dir: string;
  let browser: Browser | undefined;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'binwave-report-'));
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
  });

  test('renders without errors: charts drawn, images decode, audio loads', async () => {
    const { files } = buildSampleReport(dir);
    const size = fs.statSync(files.html).size;
    expect(size).toBeLessThan(3 * 1024 * 1024);

    const { page, errors } = await openPage(browser!, files.html);
    // Anything but the file itself and data: URIs would be an external resource.
    const external: string[] = [];
    page.on('request', (req) => {
      const url = req.url();
      if (!url.startsWith('data:') && url !== pathToFileURL(files.html).href) external.push(url);
    });

    await page.reload({ waitUntil: 'load' }); // again, now that external requests are being watched

    const svgs = await page.evaluate(() =>
      Array.from(document.querySelectorAll('svg')).map((svg) => {
        const box = svg.getBoundingClientRect();
        const drawn = Array.from(svg.querySelectorAll('path, rect:not(.bw-bg), image, circle')) as SVGGraphicsElement[];
        const sized = drawn.filter((el) => {
          const b = el.getBBox();
          return b.width > 0 && b.height > 0;
        });
        const data = svg.querySelectorAll('.bw-line, .bw-points circle, .bw-heat, .bw-wave, .bw-bars rect');
        const dataSized = (Array.from(data) as SVGGraphicsElement[]).filter((el) => {
          const b = el.getBBox();
          return b.width > 0 && b.height > 0;
        });
        return {
          label: svg.getAttribute('aria-label'),
          width: box.width,
          height: box.height,
          drawn: drawn.length,
          sized: sized.length,
          data: data.length,
          dataSized: dataSized.length,
          texts: svg.querySelectorAll('text').length,
        };
      }),
    );
    expect(svgs.length).toBe(5);
    for (const s of svgs) {
      expect({ label: s.label, ok: s.width > 0 && s.height > 0 && s.sized > 0 && s.dataSized > 0 && s.texts > 0 }).toEqual({
        label: s.label,
        ok: true,
      });
      expect(s.dataSized).toBe(s.data);
    }

    // Every embedded image (heat map and its colour bar) decodes to a real bitmap.
    const images = await page.evaluate(async () =>
      Promise.all(
        Array.from(document.querySelectorAll('svg image')).map(async (el) => {
          const img = new Image();
          img.src = el.getAttribute('href') || '';
          await img.decode();
          const b = (el as SVGGraphicsElement).getBoundingClientRect();
          return { cls: el.getAttribute('class'), naturalWidth: img.naturalWidth, naturalHeight: img.naturalHeight, w: b.width, h: b.height };
        }),
      ),
    );
    expect(images.length).toBe(2);
    const heat = images.find((i) => i.cls === 'bw-heat')!;
    expect(heat).toMatchObject({ naturalWidth: 400, naturalHeight: 256 });
    for (const i of images) {
      expect(i.naturalWidth).toBeGreaterThan(0);
      expect(i.w).toBeGreaterThan(0);
      expect(i.h).toBeGreaterThan(0);
    }

    // Audio: metadata loads from the data: URIs, durations match the tones.
    const audio = await audioStates(page);
    expect(audio.length).toBe(TONE_SECONDS.length);
    audio.forEach((a, i) => {
      expect(a.error).toBeNull();
      expect(a.readyState).toBeGreaterThanOrEqual(1);
      expect(Math.abs(a.duration - TONE_SECONDS[i])).toBeLessThan(0.01);
    });

    const shot = path.join(dir, 'report.png');
    await page.screenshot({ path: shot, fullPage: true });
    expect(fs.statSync(shot).size).toBeGreaterThan(10000);
    fs.copyFileSync(shot, SCREENSHOT_COPY);

    expect(errors).toEqual([]);
    expect(external).toEqual([]);
    await page.close();
  });
});
