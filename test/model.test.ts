import * as tf from '@tensorflow/tfjs';
import { WaveNet, initWeights } from '../src/model/wavenet';
import { matMulT, dilatedConv } from '../src/model/ops';
import { cost, dilations, parameterCount, presetConfig, receptiveField, weightShapes } from '../src/model/config';
import { Rng } from '../src/util/rng';
import { microConfig, useWasm } from './helpers';

beforeAll(useWasm);

function randomCodes(rng: Rng, n: number, q: number): Int32Array {
  return Int32Array.from({ length: n }, () => rng.int(q));
}

/** Slow reference of the dilated conv: loops over time and channels. */
function refDilated(x: number[][], w: number[][], b: number[], d: number): number[][] {
  const out: number[][] = [];
  for (let t = 0; t + d < x.length; t++) {
    const inp = [...x[t], ...x[t + d]];
    out.push(b.map((bj, j) => bj + inp.reduce((s, v, i) => s + v * w[i][j], 0)));
  }
  return out;
}

describe('ops', () => {
  test('dilatedConv equals a loop reference', () => {
    const rng = new Rng(1);
    const T = 11, C = 3, N = 4, d = 4;
    const x = Array.from({ length: T }, () => Array.from({ length: C }, () => rng.normal()));
    const w = Array.from({ length: 2 * C }, () => Array.from({ length: N }, () => rng.normal()));
    const b = Array.from({ length: N }, () => rng.normal());
    const got = dilatedConv(tf.tensor3d([x]), tf.tensor2d(w), tf.tensor1d(b), d).arraySync()[0];
    const want = refDilated(x, w, b, d);
    expect(got.length).toBe(T - d);
    const err = Math.max(...got.flatMap((row, t) => row.map((v, j) => Math.abs(v - want[t][j]))));
    expect(err).toBeLessThan(1e-5);
  });

  test('matMulT gradient (explicit transposes) equals the built-in matMul gradient', () => {
    const a = tf.randomNormal([7, 5], 0, 1, 'float32', 1);
    const b = tf.randomNormal([5, 3], 0, 1, 'float32', 2);
    const dy = tf.randomNormal([7, 3], 0, 1, 'float32', 3);
    const f1 = (x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(matMulT(x as tf.Tensor2D, y as tf.Tensor2D), dy));
    const f2 = (x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(tf.matMul(x as tf.Tensor2D, y as tf.Tensor2D), dy));
    const g1 = tf.grads(f1)([a, b]);
    const g2 = tf.grads(f2)([a, b]);
    for (let i = 0; i < 2; i++) expect(tf.max(tf.abs(tf.sub(g1[i], g2[i]))).dataSync()[0]).toBeLessThan(1e-5);
  });

  test('dilated-conv gradients match finite differences', () => {
    const rng = new Rng(5);
    const x = tf.tensor3d([Array.from({ length: 9 }, () => [rng.normal(), rng.normal()])]);
    const w = tf.tensor2d(Array.from({ length: 4 }, () => [rng.normal(), rng.normal(), rng.normal()]));
    const b = tf.tensor1d([0.1, -0.2, 0.3]);
    const loss = (xx: tf.Tensor, ww: tf.Tensor) => tf.sum(tf.tanh(dilatedConv(xx as tf.Tensor3D, ww, b, 3)));
    const [gx, gw] = tf.grads(loss)([x, w]);
    const eps = 1e-2;
    const check = (t: tf.Tensor, g: tf.Tensor, which: 0 | 1) => {
      const base = t.dataSync();
      const gv = g.dataSync();
      const errs: number[] = [];
      for (let i = 0; i < base.length; i++) {
        const plus = Float32Array.from(base); plus[i] += eps;
        const minus = Float32Array.from(base); minus[i] -= eps;
        const mk = (arr: Float32Array) => tf.tensor(arr, t.shape);
        const lp = which === 0 ? loss(mk(plus), w) : loss(x, mk(plus));
        const lm = which === 0 ? loss(mk(minus), w) : loss(x, mk(minus));
        const fd = (lp.dataSync()[0] - lm.dataSync()[0]) / (2 * eps);
        errs.push(Math.abs(fd - gv[i]) / Math.max(1, Math.abs(fd)));
      }
      expect(Math.max(...errs)).toBeLessThan(2e-3);
    };
    check(x, gx, 0);
    check(w, gw, 1);
  });
});

describe('WaveNet', () => {
  test('receptive field, parameter count and cost follow the config', () => {
    const ref = presetConfig('reference');
    expect(receptiveField(ref)).toBe(2 + 2 * 1023);
    expect(dilations(ref).slice(0, 3)).toEqual([1, 2, 4]);
    // 2x10, R=D=32, S=H=64, Q=256: the textbook cached-generation cost
    const L = 20;
    const expected = 2 * 32 + L * (2 * 32 * 64 + 32 * 64) + (L - 1) * 32 * 32 + 64 * 64 + 64 * 256;
    expect(cost(ref).macsPerSample).toBe(expected);
    const m = WaveNet.create(microConfig(), 1);
    const counted = [...m.variables.values()].reduce((s, v) => s + v.size, 0);
    expect(counted).toBe(parameterCount(microConfig()));
    m.dispose();
  });

  test('weights are deterministic per seed and differ between seeds', () => {
    const a = initWeights(microConfig(), 3);
    const b = initWeights(microConfig(), 3);
    const c = initWeights(microConfig(), 4);
    expect(a.get('layer0/dilated/kernel')).toEqual(b.get('layer0/dilated/kernel'));
    expect(a.get('layer0/dilated/kernel')).not.toEqual(c.get('layer0/dilated/kernel'));
    expect(weightShapes(microConfig()).map(([n]) => n)).toEqual([...a.keys()]);
  });

  test.each(['onehot', 'scalar'] as const)('causal with an exact receptive field (%s input)', (input) => {
    const cfg = microConfig({ input });
    const m = WaveNet.create(cfg, 7);
    const rf = m.receptiveField;
    const n = 6;
    const rng = new Rng(11);
    const base = randomCodes(rng, rf + n - 1 + 3, 16);
    const T = base.length;
    const run = (codes: Int32Array) => tf.tidy(() => m.forward(tf.tensor2d(codes, [1, T], 'int32')).arraySync()[0]);
    const y0 = run(base);
    expect(y0.length).toBe(T - rf + 1);
    const j = 2; // an output in the middle
    const changed = (p: number): boolean => {
      const c = Int32Array.from(base);
      c[p] = (c[p] + 5) % 16;
      const y = run(c);
      return y[j].some((v, k) => Math.abs(v - y0[j][k]) > 1e-6);
    };
    expect(changed(j)).toBe(true); // earliest input it sees
    expect(changed(j + rf - 1)).toBe(true); // the present sample
    expect(changed(j - 1)).toBe(false); // just before the receptive field
    expect(changed(j + rf)).toBe(false); // the sample it predicts, and the future
    expect(changed(T - 1)).toBe(false);
    m.dispose();
  });

  test('whole-model gradient matches finite differences, weight by weight', () => {
    const cfg = microConfig();
    const m = WaveNet.create(cfg, 2);
    const rng = new Rng(9);
    const W = m.receptiveField + 8;
    const codes = tf.tensor2d(randomCodes(rng, 2 * W, 16), [2, W], 'int32');
    // Non-zero biases: with zero biases a relu input can sit exactly on its kink (e.g. hidden = relu(0·W + 0)).
    m.setWeights(new Map([...m.weightArrays()].map(([k, v]) => [k, k.endsWith('/bias') ? v.map(() => 0.1 * rng.normal()) : v])));
    const entries = [...m.variables.entries()];
    const { grads } = tf.variableGrads(() => m.loss(codes), entries.map(([, v]) => v));
    const original = m.weightArrays();
    // Central differences at two step sizes: a relu kink inside one step spoils only that one.
    const bad: string[] = [];
    for (const [name, v] of entries) {
      // directional derivative along a random direction of this one weight tensor
      const g = grads[v.name].dataSync();
      const dir = Float32Array.from(g, () => rng.normal());
      let analytic = 0;
      for (let i = 0; i < g.length; i++) analytic += g[i] * dir[i];
      const lossAt = (e: number) => {
        m.setWeights(new Map(original).set(name, original.get(name)!.map((x, i) => x + e * dir[i])));
        return tf.tidy(() => m.loss(codes).dataSync()[0]);
      };
      const errs = [1e-3, 2e-4].map((eps) => Math.abs((lossAt(eps) - lossAt(-eps)) / (2 * eps) - analytic));
      if (Math.min(...errs) > 0.03 * Math.abs(analytic) + 3e-4) bad.push(`${name}: ${analytic}, errors ${errs}`);
    }
    m.setWeights(original);
    expect(bad).toEqual([]);
    m.dispose();
  });

  test('the initial loss is about ln Q (an untrained model knows nothing)', () => {
    const m = WaveNet.create(presetConfig('tiny'), 1);
    const rng = new Rng(1);
    const W = m.receptiveField + 64;
    const loss = tf.tidy(() => m.loss(tf.tensor2d(randomCodes(rng, 2 * W, 256), [2, W], 'int32')).dataSync()[0]);
    expect(Math.abs(loss - Math.log(256))).toBeLessThan(0.3);
    m.dispose();
  });
});
