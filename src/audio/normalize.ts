/** Peak normalisation: scale so the largest |sample| sits at targetDb dBFS. Silence is left alone (gain 1). */
import { peak } from '../eval/metrics';

export function peakNormalize(x: Float32Array, targetDb = -1): { samples: Float32Array; gain: number } {
  const p = peak(x);
  if (p === 0) return { samples: x, gain: 1 };
  const gain = 10 ** (targetDb / 20) / p;
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = x[i] * gain;
  return { samples: out, gain };
}

/** Amplitude → dBFS (−Infinity for 0). */
export function toDb(amplitude: number): number {
  return amplitude > 0 ? 20 * Math.log10(amplitude) : -Infinity;
}
