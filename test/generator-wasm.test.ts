/**
 * The WebAssembly SIMD kernel against the TypeScript reference kernel and against WaveNet.forward. beforeAll
 * compiles assembly/generator.ts with asc when build/generator.wasm is missing or older than its source, so
 * this suite never skips silently.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { selectBackend } from '../src/backend';
import { ModelConfig, presetConfig } from '../src/model/config';
import { WaveNet } from '../src/model/wavenet';
import { Generator, generate } from '../src/generate/generator';
import { DEFAULT_WASM_PATH, RELAXED_WASM_PATH, enableRelaxedSimd } from '../src/generate/wasm-kernel';
import { concatCodes, forwardLogits, randomCodes, randomWeights } from './gen-helpers';
import { Rng } from '../src/util/rng';

const root = path.resolve(__dirname, '..');
const source = path.join(root, 'assembly', 'generator.ts');

function buildIfStale(out: string, extra: string[]): void {
  if (fs.existsSync(out) && fs.statSync(out).mtimeMs >= fs.statSync(source).mtimeMs) return;
  execFileSync(process.execPath, [path.join(root, 'node_modules', 'assemblyscript', 'bin', 'asc.js'), source,
    '-o', out, '--enable', 'simd', ...extra, '-O3', '--runtime', 'stub', '--noAssert'], { cwd: root, stdio: 'inherit' });
}

beforeAll(async () => {
  buildIfStale(DEFAULT_WASM_PATH, []);
  buildIfStale(RELAXED_WASM_PATH, ['--enable', 'relaxed-simd']);
  enableRelaxedSimd();
  await selectBackend('wasm');
}, 90000);

const tiny = presetConfig('tiny');
const odd: ModelConfig = presetConfig('tiny', {
  stacks: 2, layersPerStack: 3, residualChannels: 5, dilationChannels: 6, skipChannels: 7, headChannels: 9, input: 'scalar',
  quantizer: { bins: 61, mu: 63, companding: 'mulaw' },
});

function maxDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe('Generator (wasm SIMD kernel)', () => {
  test("'auto' picks wasm when the kernel is built", () => {
    const g = new Generator(tiny, randomWeights(tiny, 1), 1);
    expect(g.kernel).toBe('wasm');
    expect(g.fallbackReason).toBeNull();
    expect(g.wasmFile).toBe(RELAXED_WASM_PATH);
    expect(new Generator(tiny, randomWeights(tiny, 1), 1, { relaxedSimd: false }).wasmFile).toBe(DEFAULT_WASM_PATH);
    const t = new Generator(tiny, randomWeights(tiny, 1), 1, { wasmPath: '/nonexistent/x.wasm' });
    expect(t.kernel).toBe('ts');
    expect(t.fallbackReason).toMatch(/not found/);
    expect(() => new Generator(tiny, randomWeights(tiny, 1), 1, { kernel: 'wasm', wasmPath: '/nonexistent/x.wasm' })).toThrow();
  });

  test('Generator.create (WebAssembly.instantiate) gives the wasm kernel', async () => {
    const g = await Generator.create(tiny, randomWeights(tiny, 1), 2);
    expect(g.kernel).toBe('wasm');
  });

  test.each([
    ['tiny, 3 streams', tiny, 3, false],
    ['tiny, 6 streams (4-stream blocks + remainder)', tiny, 6, false],
    ['odd channel counts, scalar input, 5 streams', odd, 5, false],
    ['relaxed SIMD: tiny, 6 streams', tiny, 6, true],
    ['relaxed SIMD: odd channel counts, 5 streams', odd, 5, true],
  ] as [string, ModelConfig, number, boolean][])('%s: logits equal the TypeScript kernel within 1e-4', (_, config, B, relaxedSimd) => {
    const w = randomWeights(config, 21);
    const a = new Generator(config, w, B, { kernel: 'ts' });
    const b = new Generator(config, w, B, { kernel: 'wasm', relaxedSimd });
    expect(b.wasmFile).toBe(relaxedSimd ? RELAXED_WASM_PATH : DEFAULT_WASM_PATH);
    const Q = a.bins, T = 2 * a.receptiveField;
    const seqs = Array.from({ length: B }, (_, s) => randomCodes(T, Q, 100 + s));
    const la = new Float32Array(B * Q), lb = new Float32Array(B * Q), input = new Int32Array(B);
    let m = 0;
    for (let t = 0; t < T; t++) {
      for (let s = 0; s < B; s++) input[s] = seqs[s][t];
      a.step(input, la);
      b.step(input, lb);
      m = Math.max(m, maxDiff(la, lb));
    }
    console.log(`wasm vs ts (${_}): max |dlogit| ${m.toExponential(2)}`);
    expect(m).toBeLessThan(1e-4);
  });

  test('tiny, 3 streams: teacher forcing matches WaveNet.forward within 1e-4 (with the initial-code prefix)', () => {
    const w = randomWeights(tiny, 8);
    const model = new WaveNet(tiny, w);
    const B = 3;
    const g = new Generator(tiny, w, B, { kernel: 'wasm', relaxedSimd: false });
    const RF = g.receptiveField, Q = g.bins, T = 3 * RF;
    const seqs = Array.from({ length: B }, (_, s) => randomCodes(T, Q, 50 + s));
    const prefix = new Int32Array(RF).fill(g.initialCode);
    const ref = forwardLogits(model, seqs.map((s) => concatCodes(prefix, s)));
    model.dispose();
    const logits = new Float32Array(B * Q), input = new Int32Array(B);
    let m = 0;
    for (let t = 0; t < T; t++) {
      for (let s = 0; s < B; s++) input[s] = seqs[s][t];
      g.step(input, logits);
      for (let s = 0; s < B; s++) for (let q = 0; q < Q; q++) m = Math.max(m, Math.abs(logits[s * Q + q] - ref[s][(t + 1) * Q + q]));
    }
    console.log(`wasm vs forward (tiny): max |dlogit| ${m.toExponential(2)}`);
    expect(m).toBeLessThan(1e-4);
  });

  test('generate with a seeded sampler: the same samples from both kernels; reset(stream) agrees', () => {
    const w = randomWeights(tiny, 4);
    const run = (kernel: 'ts' | 'wasm') => {
      const g = new Generator(tiny, w, 4, { kernel });
      const rng = new Rng(99);
      const probs = new Float64Array(g.bins);
      const pick = (l: Float32Array) => {
        let mx = -Infinity;
        for (let q = 0; q < l.length; q++) mx = Math.max(mx, l[q]);
        let sum = 0;
        for (let q = 0; q < l.length; q++) sum += probs[q] = Math.exp(l[q] - mx);
        let u = rng.next() * sum, b = 0;
        while (b < l.length - 1 && (u -= probs[b]) > 0) b++;
        return { bin: b, value: g.quantizer.decode(b) };
      };
      return generate({ generator: g, pick, n: 600, seedCodes: randomCodes(30, g.bins, 3) }).codes;
    };
    const a = run('ts'), b = run('wasm');
    for (let s = 0; s < 4; s++) expect(Array.from(b[s])).toEqual(Array.from(a[s]));
    // reset one stream in both kernels
    const ga = new Generator(tiny, w, 2, { kernel: 'ts' }), gb = new Generator(tiny, w, 2, { kernel: 'wasm' });
    const la = new Float32Array(2 * ga.bins), lb = new Float32Array(2 * ga.bins);
    for (let t = 0; t < 20; t++) {
      if (t === 10) { ga.reset(0); gb.reset(0); }
      ga.step(Int32Array.of(t, 2 * t), la);
      gb.step(Int32Array.of(t, 2 * t), lb);
    }
    expect(maxDiff(la, lb)).toBeLessThan(1e-4);
  });
});
