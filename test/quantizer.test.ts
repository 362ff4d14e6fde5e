import { Quantizer } from '../src/quantize/quantizer';
import { Rng } from '../src/util/rng';

/** Slow reference: the textbook formulas, written out independently of the class. */
function refEncode(x: number, bins: number, mu: number, linear: boolean): number {
  const c = Math.max(-1, Math.min(1, x));
  const y = linear ? c : (Math.sign(c) * Math.log(1 + mu * Math.abs(c))) / Math.log(1 + mu);
  return Math.min(bins - 1, Math.max(0, Math.floor(((y + 1) / 2) * bins)));
}

const configs: [number, number, 'mulaw' | 'linear'][] = [
  [2, 255, 'mulaw'], [3, 255, 'mulaw'], [16, 15, 'mulaw'], [256, 255, 'mulaw'], [256, 255, 'linear'],
  [1024, 255, 'mulaw'], [4096, 4095, 'mulaw'], [65536, 255, 'mulaw'], [65536, 65535, 'linear'], [255, 1000, 'mulaw'],
];

describe('Quantizer', () => {
  test.each(configs)('Q=%i mu=%i %s: matches the reference formula on random and edge inputs', (bins, mu, comp) => {
    const q = new Quantizer({ bins, mu, companding: comp });
    const rng = new Rng(bins + mu);
    const xs = [-1, 1, 0, -0, 1e-9, -1e-9, 0.5, -0.5];
    for (let i = 0; i < 2000; i++) xs.push(rng.next() * 2 - 1);
    for (let i = 0; i < 200; i++) xs.push((rng.next() * 2 - 1) * 1e-3);
    let mismatches = 0;
    for (const x of xs) {
      const a = q.encode(x);
      const b = refEncode(x, bins, mu, comp === 'linear');
      // Values that land within float rounding of an edge may fall either side.
      if (a !== b) {
        mismatches++;
        expect(Math.abs(a - b)).toBe(1);
      }
    }
    expect(mismatches).toBeLessThan(3);
  });

  test.each(configs)('Q=%i mu=%i %s: monotonic non-decreasing', (bins, mu, comp) => {
    const q = new Quantizer({ bins, mu, companding: comp });
    let prev = -1;
    let decreases = 0;
    for (let i = 0; i <= 20000; i++) {
      const b = q.encode(-1 + (2 * i) / 20000);
      if (b < prev) decreases++;
      prev = b;
    }
    expect(decreases).toBe(0);
    expect(q.encode(-1)).toBe(0);
    expect(q.encode(1)).toBe(bins - 1);
    let unordered = 0;
    for (let b = 1; b < bins; b++) if (!(q.centres[b] > q.centres[b - 1])) unordered++;
    expect(unordered).toBe(0);
  });

  test.each(configs)('Q=%i mu=%i %s: round trip within half a bin in the companded domain', (bins, mu, comp) => {
    const q = new Quantizer({ bins, mu, companding: comp });
    const rng = new Rng(7);
    let worst = 0;
    for (let i = 0; i < 3000; i++) {
      const x = rng.next() * 2 - 1;
      worst = Math.max(worst, Math.abs(q.compress(q.decode(q.encode(x))) - q.compress(x)));
    }
    expect(worst).toBeLessThanOrEqual(q.step / 2 + 1e-9);
  });

  test.each(configs)('Q=%i mu=%i %s: symmetric about zero', (bins, mu, comp) => {
    const q = new Quantizer({ bins, mu, companding: comp });
    let asymmetry = 0;
    for (let b = 0; b < bins; b++) {
      asymmetry = Math.max(asymmetry, Math.abs(q.decode(b) + q.decode(bins - 1 - b)), Math.abs(q.binWidth(b) - q.binWidth(bins - 1 - b)));
    }
    expect(asymmetry).toBeLessThan(1e-12);
    const rng = new Rng(3);
    let mirrorMiss = 0;
    for (let i = 0; i < 500; i++) {
      const x = rng.next();
      // encode(-x) mirrors encode(x) except exactly on an edge
      mirrorMiss = Math.max(mirrorMiss, Math.abs(q.encode(-x) - (bins - 1 - q.encode(x))));
    }
    expect(mirrorMiss).toBeLessThanOrEqual(1);
  });

  test('edges tile [-1, 1] and widths sum to 2; each centre lies inside its bin', () => {
    for (const [bins, mu, comp] of configs) {
      const q = new Quantizer({ bins, mu, companding: comp });
      let sum = 0;
      const bad: number[] = [];
      for (let b = 0; b < bins; b++) {
        const [lo, hi] = q.binEdges(b);
        const c = q.decode(b);
        if (!(hi > lo && c > lo && c < hi && q.encode(c) === b)) bad.push(b);
        sum += q.binWidth(b);
      }
      expect(bad).toEqual([]);
      expect(sum).toBeCloseTo(2, 9);
    }
  });

  test('mu -> 0 gives linear quantization', () => {
    const lin = new Quantizer({ bins: 256, companding: 'linear' });
    for (const mu of [1e-6, 1e-12, 0]) {
      const q = new Quantizer({ bins: 256, mu, companding: 'mulaw' });
      let diff = 0;
      for (let b = 0; b < 256; b++) diff = Math.max(diff, Math.abs(q.decode(b) - lin.decode(b)));
      expect(diff).toBeLessThan(1e-5);
    }
    const q0 = new Quantizer({ bins: 256, mu: 0 });
    expect(q0.binWidth(0)).toBeCloseTo(2 / 256, 12);
  });

  test('mu-law bins are narrow near zero and wide near full scale', () => {
    const q = new Quantizer();
    expect(q.binWidth(128) * 100).toBeLessThan(q.binWidth(255));
  });

  test('out-of-range and non-finite input is clipped and counted', () => {
    const q = new Quantizer();
    const r = q.encodeArray([0, 1.5, -2, NaN, Infinity, 0.3]);
    expect(r.clipped).toBe(2);
    expect(r.nonFinite).toBe(2);
    expect(Array.from(r.codes.slice(1, 3))).toEqual([255, 0]);
    expect(r.codes[4]).toBe(255);
    expect(r.codes[3]).toBe(q.encode(0));
  });

  test('decodeFractional at integer positions equals decode and is monotonic between', () => {
    const q = new Quantizer({ bins: 64, mu: 63 });
    let diff = 0;
    for (let b = 0; b < 64; b++) diff = Math.max(diff, Math.abs(q.decodeFractional(b) - q.decode(b)));
    expect(diff).toBeLessThan(1e-12);
    expect(q.decodeFractional(10.5)).toBeGreaterThan(q.decode(10));
    expect(q.decodeFractional(10.5)).toBeLessThan(q.decode(11));
  });

  test('config round-trips and bad configs are refused', () => {
    const q = new Quantizer({ bins: 1024, mu: 100, companding: 'mulaw' });
    expect(new Quantizer(q.getConfig()).getConfig()).toEqual(q.getConfig());
    expect(() => new Quantizer({ bins: 1 })).toThrow(/bins/);
    expect(() => new Quantizer({ bins: 70000 })).toThrow(/bins/);
    expect(() => new Quantizer({ mu: -1 })).toThrow(/mu/);
  });
});
