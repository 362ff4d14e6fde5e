/** Fast unit tests of the report module: ticks, escaping, NaN handling, log axes, PNG/WAV bytes, tables. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import {
  barChart,
  crc32,
  decodePng,
  encodePng,
  escapeXml,
  formatNumber,
  formatTick,
  heatmap,
  linePlot,
  logTicks,
  markdownTable,
  metricSeries,
  metricsCurves,
  niceDomain,
  niceTicks,
  readMetricsJsonl,
  renderMarkdown,
  renderReport,
  waveform,
  writeReport,
} from '../src/report';
import { encodeWav } from '../src/audio';

/** The text of every <text> element of an SVG, unescaped roughly. */
const texts = (svg: string): string[] => [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
/** All numbers in the `d` attributes of paths of a class. */
const pathNumbers = (svg: string, cls: string): number[] =>
  [...svg.matchAll(new RegExp(`class="${cls}" d="([^"]*)"`, 'g'))].flatMap((m) => m[1].match(/-?[\d.]+/g)!.map(Number));

describe('ticks', () => {
  test('nice linear ticks', () => {
    expect(niceTicks(0, 1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(0, 10, 5)).toEqual([0, 2, 4, 6, 8, 10]);
    expect(niceTicks(-1, 1, 4)).toEqual([-1, -0.5, 0, 0.5, 1]);
    expect(niceTicks(0.1, 0.7, 6)).toEqual([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7]); // no 0.30000000000000004
    expect(niceTicks(3, 3)).toEqual([3]);
    expect(niceTicks(NaN, 1)).toEqual([]);
    expect(niceDomain(0.13, 9.7, 5)).toEqual([0, 10]);
    const [lo, hi] = niceDomain(5, 5);
    expect(lo).toBeLessThan(5);
    expect(hi).toBeGreaterThan(5);
  });

  test('log2 ticks for bin counts, log10 for wide ranges', () => {
    expect(logTicks(16, 1024)).toEqual([16, 32, 64, 128, 256, 512, 1024]);
    expect(logTicks(16, 4096)).toEqual([16, 64, 256, 1024, 4096]); // every other power, aligned on 4^k
    expect(logTicks(2, 65536).length).toBeLessThanOrEqual(8);
    expect(logTicks(1e-6, 1, 10)).toEqual([1e-6, 1e-5, 1e-4, 1e-3, 0.01, 0.1, 1]);
    expect(logTicks(1e-9, 1e3)).toEqual([1e-8, 1e-6, 1e-4, 0.01, 1, 100]); // aligned: 1 is always a tick
    expect(logTicks(0, 10)).toEqual([]);
  });

  test('tick labels', () => {
    expect(formatTick(0.30000000000000004, 0.1)).toBe('0.3');
    expect(formatTick(1000, 500)).toBe('1000');
    expect(formatTick(-0.5, 0.5)).toBe('−0.5');
    expect(formatTick(1.0, 0.5)).toBe('1.0');
    expect(formatTick(2e-6, 1e-6)).toBe('2e-6');
  });

  test('number formatting for tables', () => {
    expect(formatNumber(16)).toBe('16');
    expect(formatNumber(3.14159265)).toBe('3.142');
    expect(formatNumber(0.000123456)).toBe('1.235e-4');
    expect(formatNumber(12345678.9)).toBe('1.235e7');
    expect(formatNumber(NaN)).toBe('NaN');
    expect(formatNumber(-Infinity)).toBe('−∞');
  });
});

describe('SVG charts', () => {
  const evil = 'a<b & "c" \'d\' </svg><script>x</script>';

  test('escapes all text', () => {
    const svg = linePlot({ title: evil, xLabel: evil, yLabel: evil, series: [{ name: evil, x: [1, 2], y: [1, 2], color: '"red' }] });
    expect(svg).not.toContain('<script>');
    expect(svg.match(/<svg/g)).toHaveLength(1);
    expect(svg.match(/<\/svg>/g)).toHaveLength(1);
    expect(svg).toContain('a&lt;b &amp; &quot;c&quot; &#39;d&#39; &lt;/svg&gt;');
    expect(svg).toContain('stroke="&quot;red"');
    expect(escapeXml('x\u0000\u0007y')).toBe('xy');
  });

  test('is deterministic, with content-hashed ids', () => {
    const o = { title: 't', xLabel: 'x', yLabel: 'y', series: [{ name: 's', x: [0, 1, 2], y: [3, 1, 2] }] };
    expect(linePlot(o)).toBe(linePlot(o));
    const id = linePlot(o).match(/clipPath id="([^"]+)"/)![1];
    expect(linePlot(o)).toContain(`url(#${id})`);
    expect(linePlot({ ...o, title: 'u' })).not.toContain(id);
  });

  test('skips NaN and Infinity, breaking the line', () => {
    const svg = linePlot({
      title: 't',
      xLabel: 'x',
      yLabel: 'y',
      series: [{ name: 's', x: [0, 1, 2, 3, 4], y: [1, NaN, 2, Infinity, 3] }],
    });
    const d = svg.match(/class="bw-line" d="([^"]*)"/)![1];
    expect(d.match(/M/g)).toHaveLength(3); // three separate runs
    expect(d).not.toMatch(/NaN|Infinity/);
    expect(svg).not.toMatch(/NaN|Infinity/);
    const pts = linePlot({ title: 't', xLabel: 'x', yLabel: 'y', series: [{ name: 's', kind: 'points', x: [0, NaN, 2], y: [1, 2, -Infinity] }] });
    const group = pts.match(/<g class="bw-points"[^>]*>(.*?)<\/g>/)![1];
    expect(group.match(/<circle/g)).toHaveLength(1); // only (0, 1) is drawable
  });

  test('all-NaN data draws axes and says so', () => {
    const svg = linePlot({ title: 't', xLabel: 'x', yLabel: 'y', series: [{ name: 's', x: [NaN], y: [NaN] }] });
    expect(svg).toContain('no data');
    expect(svg).not.toMatch(/NaN|Infinity/);
  });

  test('log axes: powers of two for Q, non-positive values skipped', () => {
    const svg = linePlot({
      title: 't',
      xLabel: 'Q',
      yLabel: 'bits',
      logX: true,
      series: [{ name: 's', x: [0, 16, 64, 256, 1024], y: [1, 2, 3, 4, 5] }],
    });
    const labels = texts(svg);
    for (const q of ['16', '32', '64', '128', '256', '512', '1024']) expect(labels).toContain(q);
    // Equal ratios are equal distances on a log axis.
    const xs = pathNumbers(svg, 'bw-line').filter((_, i) => i % 2 === 0);
    expect(xs).toHaveLength(4);
    expect(xs[1] - xs[0]).toBeCloseTo(xs[2] - xs[1], 1);
    expect(xs[2] - xs[1]).toBeCloseTo(xs[3] - xs[2], 1);
    const logy = linePlot({ title: 't', xLabel: 'x', yLabel: 'y', logY: true, series: [{ name: 's', x: [1, 2, 3], y: [1e-8, 1e-4, 1] }] });
    expect(texts(logy)).toEqual(expect.arrayContaining(['10⁻⁸', '0.01', '1']));
  });

  test('yRange clips and fixes the axis', () => {
    const svg = linePlot({ title: '', xLabel: '', yLabel: '', yRange: [0, 5], series: [{ name: '', x: [0, 1], y: [0, 100] }] });
    expect(texts(svg)).toEqual(expect.arrayContaining(['0', '5']));
    expect(texts(svg)).not.toContain('100');
    expect(svg).toMatch(/clip-path="url\(#bw-clip-[0-9a-f]{8}\)"/);
  });

  test('long lines are decimated per pixel column', () => {
    const n = 100000;
    const x = Array.from({ length: n }, (_, i) => i);
    const y = x.map((i) => Math.sin(i / 100));
    const svg = linePlot({ title: 't', xLabel: 'x', yLabel: 'y', series: [{ name: 's', x, y }], width: 600 });
    const vertices = svg.match(/class="bw-line" d="([^"]*)"/)![1].match(/[ML]/g)!.length;
    expect(vertices).toBeLessThanOrEqual(4 * 600);
    expect(svg.length).toBeLessThan(100000);
  });

  test('heat map embeds a PNG of the right size, downsampling big inputs', () => {
    const z = Array.from({ length: 400 }, (_, t) => Array.from({ length: 256 }, (_, b) => (b === t % 256 ? 1 : 1e-6)));
    const svg = heatmap({ title: 'h', xLabel: 't', yLabel: 'bin', z, x0: 0, x1: 400, y0: 0, y1: 256, logScale: true });
    const uri = svg.match(/class="bw-heat"[^>]*href="data:image\/png;base64,([^"]+)"/)![1];
    const png = decodePng(Buffer.from(uri, 'base64'));
    expect([png.width, png.height]).toEqual([400, 256]);
    // Column 0 has its peak in bin 0: the bottom row (row 255) is the brightest (yellow) there.
    const px = (x: number, y: number) => Array.from(png.data.subarray((y * 400 + x) * 3, (y * 400 + x) * 3 + 3));
    expect(px(0, 255)).toEqual([253, 231, 37]);
    expect(px(0, 0)).toEqual([68, 1, 84]);
    // Larger inputs are averaged down: 300 columns → 100 (3 each), 200 bins → 50 (4 each).
    const ramp = Array.from({ length: 300 }, (_, t) => new Float32Array(200).fill(t));
    const small = heatmap({ title: 'h', xLabel: 't', yLabel: 'b', z: ramp, x0: 0, x1: 1, y0: 0, y1: 200, maxColumns: 100, maxRows: 50 });
    const png2 = decodePng(Buffer.from(small.match(/class="bw-heat"[^>]*href="data:image\/png;base64,([^"]+)"/)![1], 'base64'));
    expect([png2.width, png2.height]).toEqual([100, 50]);
    // Column c averages t = 3c..3c+2, i.e. 3c+1 of 0..299: the first column is the darkest, the last the brightest.
    expect(Array.from(png2.data.subarray(0, 3))).toEqual([68, 1, 84]);
    expect(Array.from(png2.data.subarray(99 * 3, 100 * 3))).toEqual([253, 231, 37]);
    // The default caps (1200 × 1024) apply without options.
    const wide = heatmap({ title: 'h', xLabel: 't', yLabel: 'b', z: Array.from({ length: 1500 }, () => new Float32Array(8)), x0: 0, x1: 1, y0: 0, y1: 8 });
    expect(decodePng(Buffer.from(wide.match(/href="data:image\/png;base64,([^"]+)"/)![1], 'base64')).width).toBe(1200);
  });

  test('degenerate inputs still give finite, well-formed SVG', () => {
    const cases = [
      heatmap({ title: 'empty', xLabel: 't', yLabel: 'b', z: [], x0: 0, x1: 1, y0: 0, y1: 1 }),
      heatmap({ title: 'nan', xLabel: 't', yLabel: 'b', z: [[NaN, 0], [0, 0]], x0: 0, x1: 0, y0: 0, y1: 2, logScale: true }),
      linePlot({ title: 'flat', xLabel: 'x', yLabel: 'y', yRange: [3, 3], series: [{ name: 's', x: [1, 1], y: [3, 3] }] }),
      linePlot({ title: 'badlog', xLabel: 'x', yLabel: 'y', logY: true, yRange: [0, 1], series: [{ name: 's', x: [1, 2], y: [0.5, 1] }] }),
      waveform({ samples: Float32Array.from([0.5]), sampleRate: 8000, title: 'one' }),
      barChart({ title: 'none', yLabel: 'v', categories: [], series: [] }),
    ];
    for (const svg of cases) {
      expect(svg).toMatch(/^<svg [^>]*>.*<\/svg>$/s);
      expect(svg).not.toMatch(/NaN|Infinity|undefined/);
    }
  });

  test('waveform is one envelope path whatever the length', () => {
    const samples = new Float32Array(16000 * 10).map((_, i) => Math.sin(i / 10) * 0.5);
    const svg = waveform({ samples, sampleRate: 16000, title: 'w', width: 500, height: 160 });
    expect(svg.match(/class="bw-wave"/g)).toHaveLength(1);
    expect(svg.length).toBeLessThan(40000);
    expect(texts(svg)).toEqual(expect.arrayContaining(['0', '10', '−1.0', '1.0']));
    expect(waveform({ samples: new Float32Array(0), sampleRate: 16000, title: 'w' })).toContain('no samples');
  });

  test('bar chart draws one rect per finite value', () => {
    const svg = barChart({ title: 'b', yLabel: 'v', categories: ['a', 'b', 'c'], series: [{ name: 's', values: [1, NaN, 3] }, { name: 't', values: [2, 2, 2] }] });
    expect(svg.match(/<rect x=[^>]*rx="1.5"/g)).toHaveLength(5);
  });
});

describe('PNG encoder', () => {
  test('signature, IHDR, CRCs and an IDAT that inflates to the filtered rows', () => {
    const width = 7;
    const height = 5;
    const data = new Uint8Array(width * height * 4).map((_, i) => (i * 37) & 0xff);
    const png = Buffer.from(encodePng({ width, height, channels: 4, data }));
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(png.readUInt32BE(8)).toBe(13);
    expect(png.toString('ascii', 12, 16)).toBe('IHDR');
    expect(png.readUInt32BE(16)).toBe(width);
    expect(png.readUInt32BE(20)).toBe(height);
    expect([...png.subarray(24, 29)]).toEqual([8, 6, 0, 0, 0]);
    expect(png.readUInt32BE(29)).toBe(crc32(png.subarray(12, 29)));
    const idatLen = png.readUInt32BE(33);
    expect(png.toString('ascii', 37, 41)).toBe('IDAT');
    const raw = zlib.inflateSync(png.subarray(41, 41 + idatLen));
    expect(raw.length).toBe((width * 4 + 1) * height);
    for (let y = 0; y < height; y++) expect(raw[y * (width * 4 + 1)]).toBeLessThanOrEqual(4);
    expect(png.toString('ascii', png.length - 8, png.length - 4)).toBe('IEND');
    const back = decodePng(png);
    expect(back).toEqual({ width, height, channels: 4, data });
  });

  test('RGB round trip of a gradient; CRC-32 check value', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
    const width = 64;
    const height = 32;
    const data = new Uint8Array(width * height * 3);
    for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.set([x * 4, y * 8, (x ^ y) & 0xff], (y * width + x) * 3);
    expect(decodePng(encodePng({ width, height, channels: 3, data })).data).toEqual(data);
    expect(() => encodePng({ width: 2, height: 2, channels: 3, data: new Uint8Array(5) })).toThrow(RangeError);
  });
});

describe('WAV encoder (src/audio, as the reports embed it)', () => {
  test('16-bit PCM RIFF header and samples decode back', () => {
    const samples = Float32Array.from([0, 0.5, -0.5, 1, -1, 2, -2, NaN]);
    const wav = encodeWav(samples, 16000);
    expect(wav.length).toBe(44 + 2 * samples.length);
    expect(wav.toString('ascii', 0, 4)).toBe('RIFF');
    expect(wav.readUInt32LE(4)).toBe(wav.length - 8);
    expect(wav.toString('ascii', 8, 16)).toBe('WAVEfmt ');
    expect(wav.readUInt32LE(16)).toBe(16);
    expect(wav.readUInt16LE(20)).toBe(1); // PCM
    expect(wav.readUInt16LE(22)).toBe(1); // mono
    expect(wav.readUInt32LE(24)).toBe(16000);
    expect(wav.readUInt32LE(28)).toBe(32000);
    expect(wav.readUInt16LE(32)).toBe(2);
    expect(wav.readUInt16LE(34)).toBe(16);
    expect(wav.toString('ascii', 36, 40)).toBe('data');
    expect(wav.readUInt32LE(40)).toBe(2 * samples.length);
    const back = Array.from({ length: samples.length }, (_, i) => wav.readInt16LE(44 + 2 * i));
    // x·32768, rounded and clipped: the inverse of the reader's /32768, so 16-bit audio round-trips exactly
    expect(back).toEqual([0, 16384, -16384, 32767, -32768, 32767, -32768, 0]);
    expect(() => encodeWav(samples, 0)).toThrow(RangeError);
  });
});

describe('HTML and markdown', () => {
  test('markdown table: escaped pipes, numbers formatted and right-aligned', () => {
    const md = markdownTable(['name', 'bits'], [['a|b', 2.345678], ['c', NaN], ['d', null]]);
    expect(md.split('\n')).toEqual([
      '| name |  bits |',
      '| ---- | ----: |',
      '| a\\|b | 2.346 |',
      '| c    |   NaN |',
      '| d    |       |',
    ]);
  });

  test('report escapes text, embeds audio, loads nothing external', () => {
    const html = renderReport({
      title: '<T>',
      subtitle: 'sub **b**',
      sections: [
        {
          heading: 'H & H',
          paragraphs: ['`<code>` and [x](javascript:alert(1)) and [ok](https://example.org) <img src=x>', '- one\n- two'],
          tables: [{ columns: ['k', 'v'], rows: [['<td>', 1.5]] }],
          figures: [{ svg: '<svg xmlns="http://www.w3.org/2000/svg"></svg>', caption: 'cap <i>' }],
          audio: [{ label: 'tone', wav: encodeWav(new Float32Array(10), 8000) }],
        },
      ],
    });
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect(html).toContain('<title>&lt;T&gt;</title>');
    expect(html).toContain('<code>&lt;code&gt;</code>');
    expect(html).not.toContain('href="javascript');
    expect(html).toContain('<a href="https://example.org">ok</a>');
    expect(html).not.toContain('<img');
    expect(html).toContain('<ul><li>one</li><li>two</li></ul>');
    expect(html).toContain('<td class="num">1.5</td>');
    expect(html).toContain('<audio controls preload="metadata" src="data:audio/wav;base64,UklGR');
    expect(html).not.toMatch(/src="(https?:)?\/\//);
    expect(() =>
      renderReport({ title: 't', sections: [{ heading: 'h', audio: [{ label: 'x', wav: '"><script>' }] }] }),
    ).toThrow(/base64/);
    const md = renderMarkdown({ title: 'T', sections: [{ heading: 'H', tables: [{ columns: ['a'], rows: [[1]] }] }] });
    expect(md).toBe('# T\n\n## H\n\n|   a |\n| --: |\n|   1 |\n');
  });

  test('writeReport writes the trio atomically and rejects odd names', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'binwave-report-unit-'));
    const files = writeReport(dir, 'eval', { json: { a: new Float32Array([1, 2]), b: NaN }, markdown: '# x', html: '<p>' });
    expect(JSON.parse(fs.readFileSync(files.json, 'utf8'))).toEqual({ a: [1, 2], b: null });
    expect(fs.readFileSync(files.markdown, 'utf8')).toBe('# x\n');
    expect(fs.readFileSync(files.html, 'utf8')).toBe('<p>');
    expect(fs.readdirSync(dir).sort()).toEqual(['eval.html', 'eval.json', 'eval.md']);
    expect(() => writeReport(dir, '../x', { json: {}, markdown: '', html: '' })).toThrow(/report name/);
  });
});

describe('metrics curves', () => {
  test('reads metrics.jsonl, skipping a corrupt tail; resumed steps keep the later value', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'binwave-metrics-'));
    const file = path.join(dir, 'metrics.jsonl');
    fs.writeFileSync(
      file,
      [
        '{"step":0,"loss_bits":8,"val_bits":8.1}',
        '{"step":10,"loss_bits":6}',
        '',
        '{"step":20,"loss_bits":null}',
        '{"step":10,"loss_bits":5.5}',
        '[1,2]',
        '{"loss_bits":1}',
        '{"step":30,"loss_bits":4,"val_bits":4.2}',
        '{"step":40,"loss_b',
      ].join('\n'),
    );
    const { records, skipped } = readMetricsJsonl(file);
    expect(records).toHaveLength(5);
    expect(skipped).toBe(3);
    expect(metricSeries(records, 'loss_bits')).toEqual({ x: [0, 10, 30], y: [8, 5.5, 4] });
    expect(metricSeries(records, 'val_bits')).toEqual({ x: [0, 30], y: [8.1, 4.2] });
    const svg = metricsCurves(file);
    expect(svg).toContain('training loss');
    expect(svg).toContain('validation NLL');
    expect(svg).toContain('bits / sample');
    expect(svg.match(/class="bw-line"/g)).toHaveLength(2);
    expect(() => metricsCurves(path.join(dir, 'missing.jsonl'))).toThrow(/cannot read metrics/);
  });
});
