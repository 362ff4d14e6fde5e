import * as tf from '@tensorflow/tfjs';
import { Rng } from '../src/util/rng';
import { useWasm } from './helpers';

beforeAll(useWasm);

/** The wasm Slice and Concat replacements (src/wasm-kernels.ts) against plain-JS references. */
function randomTensor(rng: Rng, shape: number[], dtype: 'float32' | 'int32' = 'float32'): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return dtype === 'int32'
    ? tf.tensor(Int32Array.from({ length: n }, () => rng.int(1000)), shape, 'int32')
    : tf.tensor(Float32Array.from({ length: n }, () => rng.normal()), shape);
}

function refSlice(x: tf.Tensor, begin: number[], size: number[]): number[] {
  const data = Array.from(x.dataSync());
  const shape = x.shape;
  const out: number[] = [];
  const rec = (axis: number, off: number) => {
    const stride = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
    for (let i = 0; i < size[axis]; i++) {
      const o = off + (begin[axis] + i) * stride;
      if (axis === shape.length - 1) out.push(data[o]);
      else rec(axis + 1, o);
    }
  };
  rec(0, 0);
  return out;
}

test('slice equals a reference on every kind of cut', () => {
  expect(tf.getBackend()).toBe('wasm');
  const rng = new Rng(4);
  const cases: [number[], number[], number[]][] = [
    [[7], [2], [4]], [[5, 6], [1, 0], [3, 6]], [[5, 6], [0, 2], [5, 3]], [[3, 40, 5], [0, 7, 0], [3, 20, 5]],
    [[3, 40, 5], [1, 3, 2], [2, 5, 3]], [[2, 300, 32], [0, 17, 0], [2, 280, 32]], [[2, 3, 4, 5], [1, 0, 1, 0], [1, 3, 2, 5]],
    [[4, 9], [0, 0], [4, 9]],
  ];
  for (const [shape, begin, size] of cases) {
    for (const dtype of ['float32', 'int32'] as const) {
      const x = randomTensor(rng, shape, dtype);
      expect(Array.from(tf.slice(x, begin, size).dataSync())).toEqual(refSlice(x, begin, size));
    }
  }
});

test('concat equals a reference along every axis', () => {
  const rng = new Rng(5);
  for (const [a, b, axis] of [[[3, 4, 5], [3, 2, 5], 1], [[3, 4, 5], [3, 4, 300], 2], [[2, 4], [5, 4], 0], [[6], [3], 0]] as [number[], number[], number][]) {
    const x = randomTensor(rng, a);
    const y = randomTensor(rng, b);
    const got = tf.concat([x, y], axis);
    const xa = x.arraySync() as unknown;
    const ya = y.arraySync() as unknown;
    const cat = (p: unknown, q: unknown, ax: number): unknown =>
      ax === 0 ? [...(p as unknown[]), ...(q as unknown[])] : (p as unknown[]).map((r, i) => cat(r, (q as unknown[])[i], ax - 1));
    expect(got.arraySync()).toEqual(cat(xa, ya, axis));
    expect(tf.concat([x, y, x], axis).shape[axis]).toBe(2 * a[axis] + b[axis]);
  }
});
