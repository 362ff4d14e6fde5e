/** Signal-quality measures shared by the CLI, the evaluation and the tests. */

const EPS = 1e-20;

/** SNR of an estimate against a reference, in dB. */
export function snrDb(reference: ArrayLike<number>, estimate: ArrayLike<number>): number {
  let sig = 0;
  let err = 0;
  const n = Math.min(reference.length, estimate.length);
  for (let i = 0; i < n; i++) {
    sig += reference[i] * reference[i];
    const e = reference[i] - estimate[i];
    err += e * e;
  }
  if (err === 0) return Infinity;
  return 10 * Math.log10((sig + EPS) / err);
}

/**
 * Segmental SNR: the mean of per-frame SNRs (dB), each clamped to [-10, 35] as is customary (Hansen & Pellom)
 * so that near-silent or near-perfect frames do not dominate; frames more than `activeDb` below the loudest
 * frame are left out. Frames default to 256 samples (16 ms at 16 kHz).
 */
export function segmentalSnrDb(
  reference: ArrayLike<number>,
  estimate: ArrayLike<number>,
  frame = 256,
  activeDb = 60,
  clampHigh = 35,
): number {
  const n = Math.min(reference.length, estimate.length);
  const energies: number[] = [];
  const snrs: number[] = [];
  for (let start = 0; start + frame <= n; start += frame) {
    let sig = 0;
    let err = 0;
    for (let i = start; i < start + frame; i++) {
      sig += reference[i] * reference[i];
      const e = reference[i] - estimate[i];
      err += e * e;
    }
    energies.push(sig);
    snrs.push(10 * Math.log10((sig + EPS) / (err + EPS)));
  }
  if (snrs.length === 0) return snrDb(reference, estimate);
  const maxE = Math.max(...energies);
  const threshold = maxE * Math.pow(10, -activeDb / 10);
  let sum = 0;
  let count = 0;
  for (let i = 0; i < snrs.length; i++) {
    if (energies[i] <= threshold || energies[i] === 0) continue;
    sum += Math.min(clampHigh, Math.max(-10, snrs[i]));
    count++;
  }
  return count > 0 ? sum / count : NaN;
}

/** Shannon entropy (bits) of a histogram of counts. */
export function entropyBits(counts: ArrayLike<number>): number {
  let total = 0;
  for (let i = 0; i < counts.length; i++) total += counts[i];
  if (total === 0) return 0;
  let h = 0;
  for (let i = 0; i < counts.length; i++) {
    if (counts[i] > 0) {
      const p = counts[i] / total;
      h -= p * Math.log2(p);
    }
  }
  return h;
}

export function peak(x: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i]));
  return m;
}

export function rms(x: ArrayLike<number>): number {
  if (x.length === 0) return 0;
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * x[i];
  return Math.sqrt(s / x.length);
}
