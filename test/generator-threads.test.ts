/**
 * Two-thread generation (src/generate/threaded.ts) against one thread: bit-identical logits and the same
 * samples for the same seed, in lock step and as independent halves. The worker runs from the TypeScript
 * sources here (util/worker-script); its wasm kernel needs build/ (`npm test` builds it first).
 */
import { ModelConfig, presetConfig } from '../src/model/config';
import { Generator, generate } from '../src/generate/generator';
import { enableRelaxedSimd } from '../src/generate/wasm-kernel';
import { spinUntilChanged } from '../src/generate/threaded-protocol';
import { Sampler } from '../src/sample/sampler';
import { Rng } from '../src/util/rng';
import { randomCodes, randomWeights } from './gen-helpers';

beforeAll(() => enableRelaxedSimd());

const tiny = presetConfig('tiny');
const odd: ModelConfig = presetConfig('tiny', {
  stacks: 2, layersPerStack: 3, residualChannels: 5, dilationChannels: 6, skipChannels: 7, headChannels: 9, input: 'scalar',
  quantizer: { bins: 61, mu: 63, companding: 'mulaw' },
});

const made: Generator[] = [];
afterAll(() => made.forEach((g) => g.close()));
function gen(config: ModelConfig, w: Map<string, Float32Array>, B: number, opts: ConstructorParameters<typeof Generator>[3]): Generator {
  const g = new Generator(config, w, B, opts);
  made.push(g);
  return g;
}

describe('Generator on two threads', () => {
  test('two threads are available here, and only with enough streams and the wasm kernel', () => {
    const g = gen(tiny, randomWeights(tiny, 1), 8, { threads: 2 });
    expect(g.threads).toBe(2);
    expect(g.headStreams).toBe(4);
    expect(() => new Generator(tiny, randomWeights(tiny, 1), 4, { threads: 2 })).toThrow(/at least 5/);
    expect(gen(tiny, randomWeights(tiny, 1), 1, {}).threads).toBe(1);
    // 'auto' with 8 streams: two threads unless the machine has no idle CPU
    const auto = gen(tiny, randomWeights(tiny, 1), 8, {});
    if (auto.threads === 1) expect(auto.threadsReason).toMatch(/no idle CPU|one CPU/);
    expect(() => new Generator(tiny, randomWeights(tiny, 1), 8, { threads: 2, kernel: 'ts' })).toThrow(/wasm/);
  });

  test.each([
    ['tiny, 16 streams', tiny, 16],
    ['odd channel counts, scalar input, 7 streams', odd, 7],
  ] as [string, ModelConfig, number][])('%s: logits bit-identical to one thread, with resets', (_, config, B) => {
    const w = randomWeights(config, 5);
    const a = gen(config, w, B, { threads: 1 });
    const b = gen(config, w, B, { threads: 2 });
    expect(b.threads).toBe(2);
    const Q = a.bins, T = 2 * a.receptiveField;
    const seqs = Array.from({ length: B }, (_, s) => randomCodes(T, Q, 300 + s));
    const la = new Float32Array(B * Q), lb = new Float32Array(B * Q), input = new Int32Array(B);
    let diffs = 0;
    for (let t = 0; t < T; t++) {
      if (t === 40) { a.reset(0); b.reset(0); a.reset(B - 1); b.reset(B - 1); }
      for (let s = 0; s < B; s++) input[s] = seqs[s][t];
      a.step(input, la);
      b.step(input, lb);
      for (let i = 0; i < la.length; i++) if (la[i] !== lb[i]) diffs++;
    }
    expect(diffs).toBe(0);
  });

  test('generate, 16 streams, 300 samples: the same codes on one and two threads and with the TypeScript kernel', () => {
    const w = randomWeights(tiny, 9);
    const B = 16, n = 300;
    const run = (opts: ConstructorParameters<typeof Generator>[3], shared: boolean) => {
      const g = gen(tiny, w, B, opts);
      // per-stream samplers (as the CLI does), or one rng shared by all streams (pick order must be preserved)
      const rng = new Rng(77);
      const samplers = Array.from({ length: B }, (_, s) => new Sampler(g.quantizer, {}, shared ? rng : new Rng(1000 + s)));
      const seeds = Array.from({ length: B }, (_, s) => randomCodes(s * 3, g.bins, s));
      return generate({ generator: g, pick: (l, s) => samplers[s].pick(l), n, seedCodes: seeds });
    };
    for (const shared of [false, true]) {
      const one = run({ threads: 1 }, shared), two = run({ threads: 2 }, shared), ts = run({ kernel: 'ts' }, shared);
      for (let s = 0; s < B; s++) {
        expect(Array.from(two.codes[s])).toEqual(Array.from(one.codes[s]));
        expect(Array.from(two.values[s])).toEqual(Array.from(one.values[s]));
        expect(Array.from(ts.codes[s])).toEqual(Array.from(one.codes[s]));
      }
    }
  });

  test('generate with per-stream samplers (independent halves): the same codes, values and RNG states as one thread', () => {
    const w = randomWeights(tiny, 11);
    const B = 12, n = 700;
    const run = (opts: ConstructorParameters<typeof Generator>[3], strategy: 'sample' | 'interp') => {
      const g = gen(tiny, w, B, opts);
      const samplers = Array.from({ length: B }, (_, s) => new Sampler(g.quantizer, { strategy, topK: s % 3 === 0 ? 20 : 0, dither: s % 2 === 1 }, new Rng(500 + s)));
      const seeds = Array.from({ length: B }, (_, s) => randomCodes(s * 5, g.bins, 40 + s));
      const done: number[] = [];
      const split = jest.spyOn(g, 'runSplit');
      const r = generate({ generator: g, samplers, n, seedCodes: seeds, progressEvery: 256, onProgress: (d) => done.push(d) });
      return { ...r, rngs: samplers.map((s) => s.rng.getState()), done, threads: g.threads, splitRuns: split.mock.calls.length };
    };
    for (const strategy of ['sample', 'interp'] as const) {
      const one = run({ threads: 1 }, strategy), two = run({ threads: 2 }, strategy);
      expect(two.threads).toBe(2);
      expect(two.splitRuns).toBe(1); // the independent-halves path, not lock step
      for (let s = 0; s < B; s++) {
        expect(Array.from(two.codes[s])).toEqual(Array.from(one.codes[s]));
        expect(Array.from(two.values[s])).toEqual(Array.from(one.values[s]));
      }
      expect(two.rngs).toEqual(one.rngs);
      // progress never goes back and ends at n
      expect(two.done[two.done.length - 1]).toBe(n);
      for (let i = 1; i < two.done.length; i++) expect(two.done[i]).toBeGreaterThanOrEqual(two.done[i - 1]);
    }
  });

  test('samplers sharing one RNG stay in lock step (pick order matters) and match one thread', () => {
    const w = randomWeights(tiny, 12);
    const B = 8, n = 200;
    const run = (threads: 1 | 2) => {
      const g = gen(tiny, w, B, { threads });
      const rng = new Rng(9);
      const samplers = Array.from({ length: B }, () => new Sampler(g.quantizer, {}, rng));
      jest.spyOn(g, 'runSplit').mockImplementation(() => { throw new Error('lock step expected'); });
      return generate({ generator: g, samplers, n }).codes.map((c) => Array.from(c));
    };
    expect(run(2)).toEqual(run(1));
  });

  test('a pick that throws on the main thread leaves the two-thread generator usable', () => {
    const w = randomWeights(tiny, 13);
    const B = 8;
    const g = gen(tiny, w, B, { threads: 2 });
    const samplers = Array.from({ length: B }, (_, s) => new Sampler(g.quantizer, {}, new Rng(s)));
    const bad = samplers.map((s, i) => (i === B - 1 ? Object.assign(Object.create(Object.getPrototypeOf(s)), s, {
      pick: () => { throw new Error('boom'); },
    }) : s)) as Sampler[];
    expect(() => generate({ generator: g, samplers: bad, n: 50 })).toThrow('boom');
    const again = generate({ generator: g, samplers: Array.from({ length: B }, (_, s) => new Sampler(g.quantizer, {}, new Rng(s))), n: 50 });
    const ref = generate({
      generator: gen(tiny, w, B, { threads: 1 }),
      samplers: Array.from({ length: B }, (_, s) => new Sampler(g.quantizer, {}, new Rng(s))), n: 50,
    });
    expect(again.codes.map((c) => Array.from(c))).toEqual(ref.codes.map((c) => Array.from(c)));
  });

  test('spinUntilChanged returns as soon as the word changes, and the old value after its time', () => {
    const ctl = new Int32Array(new SharedArrayBuffer(16));
    ctl[0] = 3;
    expect(spinUntilChanged(ctl, 0, 2, 1000)).toBe(3);
    const t0 = performance.now();
    expect(spinUntilChanged(ctl, 0, 3, 2000)).toBe(3);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(2);
    expect(spinUntilChanged(ctl, 0, 3, 0)).toBe(3);
  });
});
