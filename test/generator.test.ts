import { selectBackend } from '../src/backend';
import { ModelConfig, presetConfig } from '../src/model/config';
import { WaveNet } from '../src/model/wavenet';
import { Generator, generate } from '../src/generate/generator';
import { concatCodes, forwardLogits, randomCodes, randomWeights } from './gen-helpers';

const tiny = presetConfig('tiny');
const scalarSmall: ModelConfig = presetConfig('tiny', {
  stacks: 2, layersPerStack: 3, residualChannels: 5, dilationChannels: 6, skipChannels: 7, headChannels: 9, input: 'scalar',
  quantizer: { bins: 64, mu: 63, companding: 'mulaw' },
});

beforeAll(async () => {
  await selectBackend('wasm');
});

/**
 * Feed each stream's codes through the generator; return the largest |Δlogit| against forward() on the same
 * codes preceded by RF initial codes (every position), and against forward() on the bare codes (positions
 * with a full receptive field of real codes).
 */
function teacherForcingError(config: ModelConfig, seed: number, streams: number, kernel: 'ts' | 'wasm'): { prefixed: number; bare: number; checked: number } {
  const weights = randomWeights(config, seed);
  const model = new WaveNet(config, weights);
  const gen = new Generator(config, weights, streams, { kernel });
  expect(gen.kernel).toBe(kernel);
  const RF = gen.receptiveField, Q = gen.bins, T = 3 * RF;
  const seqs = Array.from({ length: streams }, (_, s) => randomCodes(T, Q, seed * 10 + s));
  const prefix = new Int32Array(RF).fill(gen.initialCode);
  const withPrefix = forwardLogits(model, seqs.map((s) => concatCodes(prefix, s))); // [T+1, Q]: j predicts codes[j]
  const bare = forwardLogits(model, seqs); // [T-RF+1, Q]: j predicts codes[j+RF]
  model.dispose();
  const logits = new Float32Array(streams * Q);
  const input = new Int32Array(streams);
  let prefixed = 0, bareErr = 0, checked = 0;
  for (let t = 0; t < T; t++) {
    for (let s = 0; s < streams; s++) input[s] = seqs[s][t];
    gen.step(input, logits);
    for (let s = 0; s < streams; s++) {
      for (let q = 0; q < Q; q++) {
        const g = logits[s * Q + q];
        prefixed = Math.max(prefixed, Math.abs(g - withPrefix[s][(t + 1) * Q + q]));
        if (t + 1 >= RF && t + 1 < T) {
          bareErr = Math.max(bareErr, Math.abs(g - bare[s][(t + 1 - RF) * Q + q]));
          checked++;
        }
      }
    }
  }
  return { prefixed, bare: bareErr, checked };
}

describe('Generator (TypeScript kernel)', () => {
  test('tiny preset, 3 streams: teacher forcing matches WaveNet.forward within 1e-4 over 3 receptive fields', () => {
    const e = teacherForcingError(tiny, 7, 3, 'ts');
    console.log(`ts tiny max |dlogit|: prefixed ${e.prefixed.toExponential(2)}, bare ${e.bare.toExponential(2)}`);
    expect(e.checked).toBeGreaterThan(0);
    expect(e.prefixed).toBeLessThan(1e-4);
    expect(e.bare).toBeLessThan(1e-4);
  });

  test('small scalar-input config with odd channel counts matches forward', () => {
    const e = teacherForcingError(scalarSmall, 11, 2, 'ts');
    console.log(`ts scalar max |dlogit|: prefixed ${e.prefixed.toExponential(2)}, bare ${e.bare.toExponential(2)}`);
    expect(e.prefixed).toBeLessThan(1e-4);
    expect(e.bare).toBeLessThan(1e-4);
  });

  test('reset() returns to the initial state; reset(stream) only that stream', () => {
    const w = randomWeights(tiny, 3);
    const g = new Generator(tiny, w, 2, { kernel: 'ts' });
    const Q = g.bins;
    const codes = randomCodes(50, Q, 5);
    const run = () => {
      const out = new Float32Array(2 * Q);
      for (let t = 0; t < codes.length; t++) g.step(Int32Array.of(codes[t], codes[(t * 7) % 50]), out);
      return out.slice();
    };
    const a = run();
    g.reset();
    expect(run()).toEqual(a);
    // stream 1 reset alone, stream 0 continues: stream 1 must equal a fresh run of stream 1
    g.reset(1);
    const fresh = new Generator(tiny, w, 2, { kernel: 'ts' });
    const out = new Float32Array(2 * Q), out2 = new Float32Array(2 * Q);
    for (let t = 0; t < 10; t++) {
      g.step(Int32Array.of(codes[t], codes[t]), out);
      fresh.step(Int32Array.of(codes[t + 3], codes[t]), out2);
    }
    expect(out.subarray(Q)).toEqual(out2.subarray(Q));
  });

  test('step writes into the caller buffer and allocates no result', () => {
    const g = new Generator(tiny, randomWeights(tiny, 2), 3, { kernel: 'ts' });
    const out = new Float32Array(3 * g.bins);
    const r = (g.step as (c: Int32Array, o: Float32Array) => unknown)(Int32Array.of(1, 2, 3), out);
    expect(r).toBeUndefined();
    expect(out.some((v) => v !== 0)).toBe(true);
    expect(() => g.step(Int32Array.of(1, 2), out)).toThrow(RangeError);
    expect(() => g.step(Int32Array.of(1, 2, 999), out)).toThrow(RangeError);
  });

  test('generate: seed is copied, continuation is teacher-forced, deterministic for a deterministic pick', () => {
    const w = randomWeights(tiny, 9);
    const g = new Generator(tiny, w, 2, { kernel: 'ts' });
    const Q = g.bins;
    const seed = randomCodes(40, Q, 1);
    const argmax = (l: Float32Array) => {
      let b = 0;
      for (let q = 1; q < l.length; q++) if (l[q] > l[b]) b = q;
      return { bin: b, value: g.quantizer.decode(b) };
    };
    const progress: number[] = [];
    const r = generate({ generator: g, pick: argmax, n: 100, seedCodes: [seed, seed.subarray(0, 10)], onProgress: (d) => progress.push(d), progressEvery: 25 });
    expect(Array.from(r.codes[0].subarray(0, 40))).toEqual(Array.from(seed));
    expect(r.values[0][5]).toBeCloseTo(g.quantizer.decode(seed[5]), 6);
    expect(Array.from(r.codes[1].subarray(0, 10))).toEqual(Array.from(seed.subarray(0, 10)));
    expect(progress).toEqual([25, 50, 75, 100]);
    // manual continuation of stream 0 with step(): the same samples
    const m = new Generator(tiny, w, 1, { kernel: 'ts' });
    const logits = new Float32Array(Q);
    const codes: number[] = [];
    for (let t = 0; t < 100; t++) {
      const c = t < 40 ? seed[t] : argmax(logits).bin;
      codes.push(c);
      m.step(Int32Array.of(c), logits);
    }
    expect(Array.from(r.codes[0])).toEqual(codes);
  });
});
