/**
 * Band-limited resampling with a Kaiser-windowed sinc, evaluated as a polyphase filter. The passband runs to
 * 90% of the lower Nyquist frequency and the stopband (≥ 80 dB down) starts at the lower Nyquist frequency, so
 * nothing aliases back into the band (a 10 kHz tone at 48 kHz → 16 kHz would fold to 6 kHz).
 * The filter table is built once per rate pair and cached: a corpus is usually resampled at one or two ratios.
 */

const STOPBAND_DB = 80;
const PASS_EDGE = 0.9; // fraction of the lower Nyquist frequency kept flat
/** Ratios whose reduced numerator exceeds this use the nearest of this many phases (≤ 1/8192 sample error). */
const MAX_PHASES = 4096;

interface Filter {
  /** Upsampling factor L and downsampling factor M (to/from = L/M, or phases/step for irrational-ish ratios). */
  phases: number;
  step: number;
  exact: boolean;
  /** Taps per phase (2K), with table[p * taps + j] weighting input sample base - K + 1 + j. */
  taps: number;
  half: number;
  table: Float32Array;
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** Modified Bessel function of the first kind, order 0 (series; converges fast for the β we use). */
function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  for (let k = 1; k < 50; k++) {
    term *= (x / (2 * k)) ** 2;
    sum += term;
    if (term < sum * 1e-12) break;
  }
  return sum;
}

const cache = new Map<string, Filter>();

function design(fromRate: number, toRate: number): Filter {
  const key = `${fromRate}:${toRate}`;
  const hit = cache.get(key);
  if (hit) return hit;
  // Cutoff and transition width in cycles per input sample.
  const nyq = Math.min(fromRate, toRate) / 2 / fromRate;
  const passEdge = PASS_EDGE * nyq;
  const cutoff = (passEdge + nyq) / 2;
  const transition = nyq - passEdge;
  const beta = 0.1102 * (STOPBAND_DB - 8.7);
  const width = (STOPBAND_DB - 7.95) / (2.285 * 2 * Math.PI * transition); // window length in input samples
  const half = Math.ceil(width / 2);
  const taps = 2 * half;
  const intRates = Number.isInteger(fromRate) && Number.isInteger(toRate);
  const g = intRates ? gcd(fromRate, toRate) : 1;
  const exact = intRates && toRate / g <= MAX_PHASES;
  const phases = exact ? toRate / g : MAX_PHASES;
  const step = exact ? fromRate / g : 0;
  const table = new Float32Array(phases * taps);
  const i0b = besselI0(beta);
  const radius = width / 2;
  for (let p = 0; p < phases; p++) {
    const frac = p / phases;
    let sum = 0;
    for (let j = 0; j < taps; j++) {
      const t = frac + half - 1 - j; // distance from input sample to the output instant
      const r = t / radius;
      let h = 0;
      if (Math.abs(r) <= 1) {
        const x = 2 * cutoff * t;
        const sinc = x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
        h = 2 * cutoff * sinc * (besselI0(beta * Math.sqrt(1 - r * r)) / i0b);
      }
      table[p * taps + j] = h;
      sum += h;
    }
    // Unit DC gain per phase: removes a tiny ripple that would otherwise modulate at the phase rate.
    for (let j = 0; j < taps; j++) table[p * taps + j] /= sum;
  }
  const f: Filter = { phases, step, exact, taps, half, table };
  cache.set(key, f);
  return f;
}

/** Number of output samples for n input samples: enough to cover the input's duration. */
export function resampledLength(n: number, fromRate: number, toRate: number): number {
  return Math.ceil((n * toRate) / fromRate - 1e-9);
}

/** Resample x from fromRate to toRate (Hz). Returns x itself (not a copy) when the rates are equal. */
export function resample(x: Float32Array, fromRate: number, toRate: number): Float32Array {
  if (!(fromRate > 0) || !(toRate > 0)) throw new RangeError(`sample rates must be > 0 (got ${fromRate} → ${toRate})`);
  if (fromRate === toRate) return x;
  const f = design(fromRate, toRate);
  const n = x.length;
  const outLen = resampledLength(n, fromRate, toRate);
  const out = new Float32Array(outLen);
  const { taps, half, table, phases } = f;
  const ratio = fromRate / toRate;
  for (let i = 0; i < outLen; i++) {
    let base: number;
    let p: number;
    if (f.exact) {
      const pos = i * f.step; // in units of 1/phases input samples; exact integer arithmetic
      base = Math.floor(pos / phases);
      p = pos - base * phases;
    } else {
      const t = i * ratio;
      base = Math.floor(t);
      p = Math.round((t - base) * phases);
      if (p === phases) { p = 0; base++; }
    }
    const first = base - half + 1;
    const row = p * taps;
    let acc = 0;
    if (first >= 0 && first + taps <= n) {
      for (let j = 0; j < taps; j++) acc += x[first + j] * table[row + j];
    } else {
      // Near the ends: zeros outside the signal.
      for (let j = 0; j < taps; j++) {
        const k = first + j;
        if (k >= 0 && k < n) acc += x[k] * table[row + j];
      }
    }
    out[i] = acc;
  }
  return out;
}
