import { concatArrays, splitArray } from '../src/util/arrays';
import { Rng } from '../src/util/rng';

describe('concatArrays / splitArray', () => {
  test('split undoes concat for random lengths (including empty parts), as views of the flat array', () => {
    const rng = new Rng(2);
    for (let trial = 0; trial < 50; trial++) {
      const parts = Array.from({ length: rng.int(6) }, () => Float32Array.from({ length: rng.int(5) }, () => rng.next()));
      const flat = concatArrays(parts, (n) => new Float32Array(n));
      expect(flat.length).toBe(parts.reduce((s, p) => s + p.length, 0));
      const back = splitArray(flat, parts.map((p) => p.length));
      expect(back.map((b) => Array.from(b))).toEqual(parts.map((p) => Array.from(p)));
      if (back.length > 0) expect(back[0].buffer).toBe(flat.buffer);
    }
    const ints = concatArrays([Int32Array.of(1, 2), Int32Array.of(-3)], (n) => new Int32Array(n));
    expect(ints).toBeInstanceOf(Int32Array);
    expect(Array.from(ints)).toEqual([1, 2, -3]);
  });
});
