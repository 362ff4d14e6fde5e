import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { main } from '../src/cli';
import { runToy, toyMarkdown, toySvgs, ToyResult } from '../src/eval/toy';

/** Minimal well-formedness check: one root <svg>, every tag closed in order, attributes quoted. */
function checkSvg(svg: string): { tags: number; paths: string[]; rects: number } {
  expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
  expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
  const stack: string[] = [];
  let tags = 0;
  const re = /<(\/?)([a-zA-Z][\w-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/g;
  let m: RegExpExecArray | null;
  let consumed = 0;
  while ((m = re.exec(svg)) !== null) {
    const between = svg.slice(consumed, m.index);
    expect(between.includes('<')).toBe(false); // no malformed tag skipped over
    consumed = m.index + m[0].length;
    tags++;
    if (m[1] === '/') expect(stack.pop()).toBe(m[2]);
    else if (m[4] !== '/') stack.push(m[2]);
  }
  expect(stack).toEqual([]);
  const paths = [...svg.matchAll(/<path [^>]*\bd="([^"]*)"/g)].map((p) => p[1]);
  const rects = (svg.match(/<rect /g) ?? []).length;
  return { tags, paths, rects };
}

describe('binwave toy', () => {
  let r: ToyResult;
  beforeAll(async () => {
    r = await runToy({ seed: 42, steps: 300, qSweep: [4, 8, 16], gridPoints: 41, backend: 'wasm' });
  });

  test('MSE equals the Gaussian cross-entropy with fixed variance up to a constant', () => {
    const e = r.mseEquivalence;
    // The same predictions scored both ways: NLL_fixed − 0.5·MSE/σ² is 0.5·log(2πσ²) for every prediction set
    // (measured: ~1e-14).
    expect(e.measuredConstants.length).toBeGreaterThanOrEqual(4);
    expect(new Set(e.measuredConstants.map((c) => c.mse.toFixed(6))).size).toBeGreaterThan(2); // different fits
    expect(e.maxDeviation).toBeLessThan(1e-9);
    expect(e.constant).toBeCloseTo(0.5 * Math.log(2 * Math.PI * e.sigma2), 12);
    // Training with the fixed-σ NLL follows MSE (measured max |Δ prediction| ~3e-5 on the grid).
    expect(e.trainedMaxPredictionDiff).toBeLessThan(1e-3);
    expect(Math.abs(e.trainedMseOfFixed - e.trainedMseOfMse)).toBeLessThan(1e-5);
  });

  test('gaussian data: all heads recover f(x); NLLs on one scale are comparable', () => {
    const row = (m: string) => r.rows.find((x) => x.data === 'gaussian' && x.model.startsWith(m))!;
    // Test MSE close to the noise floor σ² = 0.01 (measured 0.0100-0.0123).
    for (const m of ['MSE', 'Gaussian NLL', 'CE Q=64 mean', 'CE Q=64 argmax']) expect(row(m).testMse).toBeLessThan(0.014);
    // The optimum density NLL is 0.5·log(2πeσ²) = -0.884 nats; measured -0.88 (MSE), -0.87 (Gaussian), -0.77 (CE).
    expect(row('Gaussian NLL').nll).toBeLessThan(-0.8);
    expect(row('CE Q=64 mean').nll).toBeLessThan(-0.65);
    expect(Math.abs(row('CE Q=64 mean').nll - row('Gaussian NLL').nll)).toBeLessThan(0.2);
  });

  test('bimodal data: MSE predicts the average of the branches; the categorical head puts mass on both', () => {
    const b = r.bimodal;
    // MSE sits near f(x) where there is no data (measured 0.026), far from both branches (0.37 of 0.4).
    expect(b.mseDistToF).toBeLessThan(0.1);
    expect(b.mseDistToBranch).toBeGreaterThan(0.28);
    expect(b.mseOnBranch).toBe(0);
    expect(b.gaussMeanDistToF).toBeLessThan(0.1);
    expect(b.gaussSigmaMean).toBeGreaterThan(0.3); // the Gaussian covers both branches with one wide bump
    // Categorical: about half the mass within ±0.1 of each branch (measured 0.43 / 0.45, minima 0.27 / 0.36),
    // almost none at f(x) (0.001).
    expect(b.massUpper).toBeGreaterThan(0.3);
    expect(b.massLower).toBeGreaterThan(0.3);
    expect(b.massUpper + b.massLower).toBeGreaterThan(0.8);
    expect(Math.min(b.massUpperMin, b.massLowerMin)).toBeGreaterThan(0.1);
    expect(b.massAtF).toBeLessThan(0.05);
    // The argmax (and interp) lands on a branch at every grid x (measured 1.0).
    expect(b.argmaxOnBranch).toBeGreaterThan(0.9);
    expect(b.interpOnBranch).toBeGreaterThan(0.9);
    // And in likelihood the categorical head wins by far (measured -1.01 vs +0.51 nats).
    const nll = (m: string) => r.rows.find((x) => x.data === 'bimodal' && x.model.startsWith(m))!.nll;
    expect(nll('CE Q=64')).toBeLessThan(nll('Gaussian NLL') - 1);
    expect(nll('CE Q=64')).toBeLessThan(nll('MSE') - 1);
  });

  test('smaller Q costs resolution under argmax; interp recovers much of it', () => {
    const at = (q: number) => r.qSweep.find((s) => s.bins === q)!;
    // Argmax RMSE vs f(x) (measured 0.17, 0.086, 0.052 for Q = 4, 8, 16).
    expect(at(4).argmax).toBeGreaterThan(0.12);
    expect(at(4).argmax).toBeGreaterThan(at(8).argmax * 1.4);
    expect(at(8).argmax).toBeGreaterThan(at(16).argmax * 1.2);
    // Interp (1 neighbour each side): measured 0.065 at Q=4 and 0.024 at Q=8.
    expect(at(4).interp).toBeLessThan(0.6 * at(4).argmax);
    expect(at(8).interp).toBeLessThan(0.6 * at(8).argmax);
    expect(at(16).interp).toBeLessThan(at(16).argmax);
  });

  test('report, JSON and SVG figures', () => {
    const md = toyMarkdown(r);
    expect(md).toContain('| bimodal | CE Q=64 argmax |');
    const json = JSON.parse(JSON.stringify(r)) as ToyResult;
    expect(json.grid.bimodalProbs.length).toBe(41);
    expect(json.grid.bimodalProbs[0].length).toBe(64);
    expect(json.testData.bimodal.x.length).toBe(1024);
    const svgs = toySvgs(r);
    expect(Object.keys(svgs).sort()).toEqual(['bimodal_fit.svg', 'bimodal_pyx.svg', 'gaussian_fit.svg', 'q_sweep.svg']);
    for (const svg of Object.values(svgs)) {
      const s = checkSvg(svg);
      expect(s.paths.length).toBeGreaterThan(0);
      expect(s.paths.every((d) => /^M[-\d.]+ [-\d.]+/.test(d))).toBe(true);
    }
    // the heat map is an embedded PNG image (src/report/svg.ts), with the overlay lines drawn over it
    expect(svgs['bimodal_pyx.svg']).toContain('class="bw-heat"');
    expect(svgs['bimodal_pyx.svg']).toContain('class="bw-overlay"');
  });
});

describe('binwave toy determinism', () => {
  test('same seed gives the same numbers; another seed differs', async () => {
    const small = { steps: 20, qSweep: [4], nTrain: 256, nTest: 128, gridPoints: 11, backend: 'wasm' as const };
    const a = await runToy({ ...small, seed: 7 });
    const b = await runToy({ ...small, seed: 7 });
    const c = await runToy({ ...small, seed: 8 });
    const strip = (r: ToyResult) => JSON.stringify({ ...r, seconds: 0, rows: r.rows.map((x) => ({ ...x, trainSeconds: 0 })) });
    expect(strip(a)).toBe(strip(b));
    expect(strip(a)).not.toBe(strip(c));
  });
});

describe('binwave toy command', () => {
  test('writes toy.json and the SVGs; refuses to overwrite without --force', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'binwave-toy-'));
    const write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const errw = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      await main(['toy', '--out', dir, '--steps', '5', '--q-sweep', '4', '--json']);
      expect(process.exitCode ?? 0).toBe(0);
      const names = fs.readdirSync(dir).sort();
      expect(names).toEqual(['bimodal_fit.svg', 'bimodal_pyx.svg', 'gaussian_fit.svg', 'q_sweep.svg', 'toy.html', 'toy.json']);
      expect((fs.readFileSync(path.join(dir, 'toy.html'), 'utf8').match(/<svg /g) ?? []).length).toBe(4);
      const j = JSON.parse(fs.readFileSync(path.join(dir, 'toy.json'), 'utf8'));
      expect(j.options.steps).toBe(5);
      const printed = JSON.parse(write.mock.calls.map((c) => String(c[0])).join(''));
      expect(printed.rows.length).toBeGreaterThan(5);
      await main(['toy', '--out', dir, '--steps', '5']);
      expect(process.exitCode).toBe(1);
      expect(errw.mock.calls.map((c) => String(c[0])).join('')).toContain('already exists');
    } finally {
      process.exitCode = 0;
      write.mockRestore();
      errw.mockRestore();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
