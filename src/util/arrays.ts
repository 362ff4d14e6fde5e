/** Flat typed arrays: joining several into one and cutting one into several. */

type Typed = Float32Array | Int32Array;

/** The arrays one after another in a new array made by `create(total length)`. */
export function concatArrays<T extends Typed>(arrays: readonly T[], create: (length: number) => T): T {
  const out = create(arrays.reduce((s, a) => s + a.length, 0));
  let o = 0;
  for (const a of arrays) {
    out.set(a, o);
    o += a.length;
  }
  return out;
}

/** Consecutive views of `flat` with the given lengths (no copies). */
export function splitArray<T extends Typed>(flat: T, lengths: readonly number[]): T[] {
  let o = 0;
  return lengths.map((n) => flat.subarray(o, (o += n)) as T);
}
