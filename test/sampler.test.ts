import { Quantizer } from '../src/quantize/quantizer';
import { Rng } from '../src/util/rng';
import {
  argmax, interpValue, logSoftmax, meanValue, Sampler, SamplerConfig, softmax, softmaxWeights,
} from '../src/sample/sampler';
import { fastExp } from '../src/sample/fast-exp';
import { WasmSoftmax } from '../src/sample/wasm-softmax';

/** Slow, obviously-correct reference: softmax with temperature, sort, truncate, renormalise. */
function refDistribution(logits: number[], t: number, topK: number, topP: number): number[] {
  const scaled = logits.map((l) => l / t);
  const m = Math.max(...scaled);
  const e = scaled.map((s) => Math.exp(s - m));
  const z = e.reduce((a, b) => a + b, 0);
  const p = e.map((v) => v / z);
  const order = p.map((v, i) => i).sort((a, b) => p[b] - p[a] || a - b);
  let keep = p.length;
  if (topK > 0) keep = Math.min(keep, topK);
  if (topP < 1) {
    let cum = 0;
    let m2 = 0;
    for (const i of order) {
      cum += p[i];
      m2++;
      if (cum >= topP) break;
    }
    keep = Math.min(keep, m2);
  }
  const kept = new Set(order.slice(0, keep));
  const out = p.map((v, i) => (kept.has(i) ? v : 0));
  const zk = out.reduce((a, b) => a + b, 0);
  return out.map((v) => v / zk);
}

function randomLogits(rng: Rng, q: number, scale = 2): Float32Array {
  const l = new Float32Array(q);
  for (let i = 0; i < q; i++) l[i] = rng.normal() * scale;
  return l;
}

function histogram(s: Sampler, logits: Float32Array, draws: number): number[] {
  const h = new Array(logits.length).fill(0);
  for (let i = 0; i < draws; i++) h[s.pick(logits).bin]++;
  return h;
}

/** Pearson chi-square of observed counts against expected probabilities (bins with p=0 must have 0 counts). */
function chiSquare(counts: number[], p: number[]): { chi2: number; dof: number; impossible: number } {
  const n = counts.reduce((a, b) => a + b, 0);
  let chi2 = 0;
  let dof = -1;
  let impossible = 0;
  for (let i = 0; i < p.length; i++) {
    if (p[i] === 0) {
      impossible += counts[i];
      continue;
    }
    const e = n * p[i];
    chi2 += ((counts[i] - e) ** 2) / e;
    dof++;
  }
  return { chi2, dof, impossible };
}

const q16 = new Quantizer({ bins: 16, mu: 15, companding: 'mulaw' });
const q256 = new Quantizer({ bins: 256, mu: 255, companding: 'mulaw' });

describe('fastExp', () => {
  test('within 1e-15 of Math.exp over its whole range, on random and special arguments', () => {
    const rng = new Rng(3);
    let worst = 0;
    for (let i = 0; i < 200000; i++) {
      // mostly the softmax range (−40, 0], and some anywhere up to overflow
      const x = i % 4 === 0 ? -745 + 1455 * rng.next() : -40 * rng.next();
      const e = Math.exp(x);
      if (e < 1e-300 || !Number.isFinite(e)) continue;
      worst = Math.max(worst, Math.abs(fastExp(x) - e) / e);
    }
    expect(worst).toBeLessThan(1e-15);
    expect(fastExp(0)).toBe(1); // the softmax maximum is exactly 1 before normalizing
    for (const x of [-Infinity, Infinity, NaN, -800, -745.1, 709.5, 710, -1e-300, 1e-300]) {
      expect(Object.is(fastExp(x), Math.exp(x)) || Math.abs(fastExp(x) - Math.exp(x)) <= 1e-15 * Math.exp(x)).toBe(true);
    }
  });
});

describe('the WebAssembly softmax (build/softmax.wasm)', () => {
  test('is built (npm test builds it) and gives bit-identical weights and sums to softmaxWeights', () => {
    expect(WasmSoftmax.create(4)).not.toBeNull();
    const rng = new Rng(8);
    let cases = 0;
    for (const n of [1, 2, 3, 5, 8, 61, 256, 1023]) {
      const fast = WasmSoftmax.create(n)!;
      const ref = new Float64Array(n), logits = new Float32Array(n);
      for (let trial = 0; trial < 60; trial++) {
        const scale = [0.01, 1, 30, 1000, 1e5][trial % 5]; // up to exponents far below −708 (weight 0)
        for (let i = 0; i < n; i++) logits[i] = (rng.next() - 0.5) * scale;
        if (trial % 7 === 3) logits[0] = -Infinity;
        if (trial % 11 === 5) logits[n - 1] = NaN;
        if (trial % 13 === 6) logits.fill(2.5); // ties: all weights exactly 1
        const T = [1, 0.3, 2.5, 1e-3][trial % 4];
        const sum = softmaxWeights(logits, ref, T);
        expect(Object.is(fast.compute(logits, T), sum)).toBe(true);
        for (let i = 0; i < n; i++) if (!Object.is(fast.weights[i], ref[i])) throw new Error(`n ${n} trial ${trial} bin ${i}: ${fast.weights[i]} vs ${ref[i]}`);
        cases++;
      }
    }
    expect(cases).toBe(480);
  });

  test('a Sampler picks the same bins and values with and without it, for every strategy', () => {
    const q = new Quantizer({ bins: 256 });
    const rng = new Rng(4);
    const logits = new Float32Array(256);
    for (const config of [{}, { temperature: 0.7, topK: 30 }, { topP: 0.9 }, { strategy: 'mean' }, { strategy: 'interp', neighbours: 2 }, { dither: true }] as Partial<SamplerConfig>[]) {
      const a = new Sampler(q, config, new Rng(1), { wasm: false }), b = new Sampler(q, config, new Rng(1));
      for (let t = 0; t < 300; t++) {
        for (let i = 0; i < 256; i++) logits[i] = 4 * Math.sin(i / (5 + (t % 7))) + rng.next();
        const pa = { ...a.pick(logits) }, pb = { ...b.pick(logits) };
        expect(pb).toEqual(pa);
      }
      expect(Array.from(b.lastProbs())).toEqual(Array.from(a.lastProbs()));
    }
  });
});

describe('softmax helpers', () => {
  test('softmax and logSoftmax are stable and agree with the reference', () => {
    const rng = new Rng(1);
    let worst = 0;
    for (let k = 0; k < 20; k++) {
      const l = randomLogits(rng, 32, 5);
      l[3] += 1000; // would overflow a naive exp
      const p = softmax(l, new Float64Array(32), 0.7);
      const lp = logSoftmax(l, new Float64Array(32), 0.7);
      const ref = refDistribution(Array.from(l), 0.7, 0, 1);
      for (let i = 0; i < 32; i++) {
        worst = Math.max(worst, Math.abs(p[i] - ref[i]), Math.abs(Math.exp(lp[i]) - ref[i]));
      }
      expect(Number.isFinite(p.reduce((a, b) => a + b, 0))).toBe(true);
    }
    expect(worst).toBeLessThan(1e-12);
  });
});

describe('Sampler', () => {
  test('getConfig returns plain data and validates', () => {
    const s = new Sampler(q16, { strategy: 'interp', neighbours: 2 });
    const c: SamplerConfig = s.getConfig();
    expect(c).toEqual({ strategy: 'interp', temperature: 1, topK: 0, topP: 1, neighbours: 2, dither: false });
    expect(JSON.parse(JSON.stringify(c))).toEqual(c);
    expect(() => new Sampler(q16, { topP: 0 })).toThrow(RangeError);
    expect(() => new Sampler(q16, { temperature: -1 })).toThrow(RangeError);
  });

  test('temperature 0 and tiny temperatures equal argmax; argmax value is the bin centre', () => {
    const rng = new Rng(2);
    const mismatches: number[] = [];
    const s0 = new Sampler(q256, { strategy: 'sample', temperature: 0 }, new Rng(3));
    const sTiny = new Sampler(q256, { strategy: 'sample', temperature: 1e-4 }, new Rng(3));
    const sArg = new Sampler(q256, { strategy: 'argmax' });
    for (let k = 0; k < 200; k++) {
      const l = randomLogits(rng, 256);
      const a = argmax(l);
      const p0 = { ...s0.pick(l) };
      const pt = { ...sTiny.pick(l) };
      const pa = { ...sArg.pick(l) };
      if (p0.bin !== a || pt.bin !== a || pa.bin !== a || pa.value !== q256.centres[a]) mismatches.push(k);
    }
    expect(mismatches).toEqual([]);
  });

  test('sampled frequencies match softmax probabilities at T=1 (chi-square)', () => {
    const l = randomLogits(new Rng(4), 16, 1);
    const s = new Sampler(q16, { strategy: 'sample', temperature: 1 }, new Rng(5));
    const counts = histogram(s, l, 40000);
    const { chi2, dof } = chiSquare(counts, refDistribution(Array.from(l), 1, 0, 1));
    expect(dof).toBe(15);
    // 99.99th percentile of chi-square with 15 dof is about 44.
    expect(chi2).toBeLessThan(44);
  });

  test.each([
    [3, 1],
    [1, 1],
    [0, 0.6],
    [0, 0.9],
    [5, 0.8],
  ])('top-k=%i top-p=%f: support and frequencies match the reference', (topK, topP) => {
    const l = randomLogits(new Rng(6 + topK), 16, 1.5);
    const ref = refDistribution(Array.from(l), 1.3, topK, topP);
    const s = new Sampler(q16, { strategy: 'sample', temperature: 1.3, topK, topP }, new Rng(7));
    const counts = histogram(s, l, 30000);
    const { chi2, dof, impossible } = chiSquare(counts, ref);
    expect(impossible).toBe(0);
    const support = ref.filter((p) => p > 0).length;
    if (topK > 0) expect(support).toBeLessThanOrEqual(topK);
    if (topP < 1) expect(support).toBeLessThan(16);
    // Generous: mean dof, about 6 standard deviations above it.
    expect(chi2).toBeLessThan(dof + 6 * Math.sqrt(2 * Math.max(dof, 1)) + 10);
  });

  test('top-k on ties keeps exactly k bins', () => {
    const l = new Float32Array(16).fill(0);
    const s = new Sampler(q16, { topK: 4 }, new Rng(8));
    const seen = new Set(histogram(s, l, 2000).flatMap((c, i) => (c > 0 ? [i] : [])));
    expect(seen.size).toBe(4);
  });

  test('temperature sharpens (T<1) and flattens (T>1): entropy of the empirical distribution', () => {
    const l = randomLogits(new Rng(9), 16, 1);
    const entropy = (c: number[]) => {
      const n = c.reduce((a, b) => a + b, 0);
      return -c.reduce((h, v) => (v > 0 ? h + (v / n) * Math.log(v / n) : h), 0);
    };
    const hs = [0.3, 1, 3].map((t) => entropy(histogram(new Sampler(q16, { temperature: t }, new Rng(10)), l, 20000)));
    expect(hs[0]).toBeLessThan(hs[1] - 0.1);
    expect(hs[1]).toBeLessThan(hs[2] - 0.1);
    expect(hs[2]).toBeLessThanOrEqual(Math.log(16) + 1e-9);
    const pMax = (t: number) => Math.max(...refDistribution(Array.from(l), t, 0, 1));
    expect(pMax(0.3)).toBeGreaterThan(pMax(1));
    expect(pMax(1)).toBeGreaterThan(pMax(3));
  });

  test('mean of a one-hot distribution is that bin centre; mean matches Σ p·centre', () => {
    const s = new Sampler(q256, { strategy: 'mean' });
    const errs: number[] = [];
    for (const b of [0, 1, 77, 128, 200, 255]) {
      const l = new Float32Array(256).fill(-1e4);
      l[b] = 0;
      const p = s.pick(l);
      errs.push(Math.abs(p.value - q256.centres[b]), p.bin === b ? 0 : 1);
    }
    expect(Math.max(...errs)).toBeLessThan(1e-12);
    const l = randomLogits(new Rng(11), 256);
    const ref = refDistribution(Array.from(l), 1, 0, 1).reduce((a, p, i) => a + p * q256.centres[i], 0);
    const p = s.pick(l);
    expect(Math.abs(p.value - ref)).toBeLessThan(1e-12);
    expect(p.bin).toBe(q256.encode(ref));
  });

  test('interp with symmetric neighbours returns exactly the centre bin value', () => {
    const rng = new Rng(12);
    const bad: number[] = [];
    for (let k = 0; k < 100; k++) {
      const l = new Float32Array(256).fill(-20);
      const c = 3 + rng.int(250);
      l[c] = 2;
      for (let j = 1; j <= 3; j++) {
        const v = rng.normal() - 1; // below the peak, same on both sides
        if (c - j >= 0) l[c - j] = v;
        if (c + j < 256) l[c + j] = v;
      }
      const s = new Sampler(q256, { strategy: 'interp', neighbours: 1 + rng.int(3) });
      const p = s.pick(l);
      if (p.value !== q256.centres[c] || p.bin !== c) bad.push(c);
    }
    expect(bad).toEqual([]);
  });

  test('interp of two equal adjacent bins lies halfway in the companded domain (and moves off the levels)', () => {
    const l = new Float32Array(256).fill(-30);
    l[100] = 1;
    l[101] = 1;
    const s = new Sampler(q256, { strategy: 'interp', neighbours: 1 });
    const p = s.pick(l);
    const half = (q256.companded(100) + q256.companded(101)) / 2;
    expect(Math.abs(q256.compress(p.value) - half)).toBeLessThan(1e-9);
    expect(p.value).toBeCloseTo(q256.edges[101], 12);
    // Against the literal definition Σ p_i companded(i) / Σ p_i over b*-k..b*+k.
    const probs = refDistribution(Array.from(l), 1, 0, 1);
    let num = 0;
    let den = 0;
    for (let i = 99; i <= 101; i++) {
      num += probs[i] * q256.companded(i);
      den += probs[i];
    }
    expect(Math.abs(p.value - q256.expand(num / den))).toBeLessThan(1e-12);
    expect(interpValue(probs, q256, 1)).toBeCloseTo(p.value, 12);
    expect(meanValue(probs, q256)).toBeCloseTo((q256.centres[100] + q256.centres[101]) / 2, 6);
  });

  test('interp clips its neighbourhood at the ends', () => {
    const l = new Float32Array(16).fill(-30);
    l[0] = 1;
    l[1] = 1;
    const p = new Sampler(q16, { strategy: 'interp', neighbours: 3 }).pick(l);
    expect(q16.compress(p.value)).toBeCloseTo((q16.companded(0) + q16.companded(1)) / 2, 9);
  });

  test('dither stays within the chosen bin edges and covers it', () => {
    const rng = new Rng(13);
    for (const strategy of ['argmax', 'sample'] as const) {
      const s = new Sampler(q16, { strategy, dither: true }, new Rng(14));
      let outside = 0;
      const frac: number[] = [];
      for (let k = 0; k < 5000; k++) {
        const p = s.pick(randomLogits(rng, 16));
        const [lo, hi] = q16.binEdges(p.bin);
        if (!(p.value >= lo && p.value <= hi)) outside++;
        frac.push((q16.compress(p.value) - (q16.companded(p.bin) - q16.step / 2)) / q16.step);
      }
      expect(outside).toBe(0);
      expect(Math.min(...frac)).toBeLessThan(0.01);
      expect(Math.max(...frac)).toBeGreaterThan(0.99);
      const meanFrac = frac.reduce((a, b) => a + b, 0) / frac.length;
      expect(Math.abs(meanFrac - 0.5)).toBeLessThan(0.02);
    }
  });

  test('same seed gives the same sequence; different seeds differ', () => {
    const l = randomLogits(new Rng(15), 256, 0.5);
    const run = (seed: number) => {
      const s = new Sampler(q256, { temperature: 0.9, topP: 0.95, dither: true }, new Rng(seed));
      const out: number[] = [];
      for (let i = 0; i < 500; i++) {
        const p = s.pick(l);
        out.push(p.bin, p.value);
      }
      return out;
    };
    expect(run(42)).toEqual(run(42));
    expect(run(42)).not.toEqual(run(43));
  });

  test('pickRows over a [rows, Q] array equals per-row picks', () => {
    const rows = 50;
    const logits = new Float32Array(rows * 16);
    const rng = new Rng(16);
    for (let i = 0; i < logits.length; i++) logits[i] = rng.normal();
    const bins = new Int32Array(rows);
    const values = new Float32Array(rows);
    new Sampler(q16, { strategy: 'interp' }).pickRows(logits, rows, bins, values);
    const s = new Sampler(q16, { strategy: 'interp' });
    const expected = Array.from({ length: rows }, (_, r) => s.pick(logits.subarray(r * 16, r * 16 + 16)).bin);
    expect(Array.from(bins)).toEqual(expected);
  });
});
