/**
 * The generation loop over a group of streams, given how to step them: feed each stream's seed by teacher
 * forcing, then pick every next sample from its logits and feed it back. generate() runs it over all streams
 * (one thread, or two in lock step), or over its share of the streams on each thread (step-worker.ts runs the
 * same function), so the two cases cannot drift apart.
 */

export type PickFn = (logits: Float32Array, stream: number) => { bin: number; value: number };

export interface StreamLoop {
  streams: number;
  bins: number;
  /** The code the streams were reset to: stepped once first, so that the logits predict sample 0. */
  initialCode: number;
  /** Feed codes[0 .. streams) and write the logits of every stream into logits[s·bins ..]. */
  step: (codes: Int32Array, logits: Float32Array) => void;
  pick: PickFn;
  /** The amplitude written for a seed code. */
  decode: (code: number) => number;
  /** Samples per stream, seed included. */
  n: number;
  /** Per stream (this group's numbering): seed codes, and outputs of length ≥ n. */
  seeds: Int32Array[];
  codes: Int32Array[];
  values: Float32Array[];
  /** After stream s's sample t is known (it is in input[s]). */
  onPicked?: (s: number, t: number, input: Int32Array) => void;
  /** After every stream's sample t − 1: `t` samples per stream are done. */
  onStep?: (t: number) => void;
}

export function runStreams(o: StreamLoop): void {
  const { streams: B, bins: Q, n, seeds, codes, values } = o;
  const logits = new Float32Array(B * Q);
  const views = Array.from({ length: B }, (_, s) => logits.subarray(s * Q, (s + 1) * Q));
  const input = new Int32Array(B);
  if (n > 0) {
    // with the initial code the state stays the steady state, and the logits predict sample 0
    input.fill(o.initialCode);
    o.step(input, logits);
  }
  for (let t = 0; t < n; t++) {
    for (let s = 0; s < B; s++) {
      const seed = seeds[s];
      if (t < seed.length) {
        codes[s][t] = seed[t];
        values[s][t] = o.decode(seed[t]);
      } else {
        const r = o.pick(views[s], s);
        codes[s][t] = r.bin;
        values[s][t] = r.value;
      }
      input[s] = codes[s][t];
      o.onPicked?.(s, t, input);
    }
    if (t + 1 < n) o.step(input, logits);
    o.onStep?.(t + 1);
  }
}
