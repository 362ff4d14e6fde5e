/**
 * Two-thread stepping (src/generate/threaded.ts) against one thread: bit-identical logits and the same samples
 * for the same seed. The worker runs dist/generate/step-worker.js: `npm test` builds it first (npm run build);
 * without it these tests fail with "… not found (run npm run build)" rather than skipping.
 */
import { ModelConfig, presetConfig } from '../src/model/config';
import { Generator, generate } from '../src/generate/generator';
import { enableRelaxedSimd } from '../src/generate/wasm-kernel';
import { WORKER_PATH } from '../src/generate/threaded';
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
  test('the worker script is built (npm run build)', () => {
    const g = gen(tiny, randomWeights(tiny, 1), 8, { threads: 2 });
    expect(g.threads).toBe(2);
    expect(g.headStreams).toBe(4);
    expect(() => new Generator(tiny, randomWeights(tiny, 1), 4, { threads: 2 })).toThrow(/at least 5/);
    expect(WORKER_PATH).toMatch(/dist[\\/]generate[\\/]step-worker\.js$/);
    expect(gen(tiny, randomWeights(tiny, 1), 1, {}).threads).toBe(1);
    // 'auto' with 8 streams: two threads unless the machine has no idle CPU (never because the script is missing)
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
});
