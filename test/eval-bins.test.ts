/** eval bins against direct quantizer computations on the bundled corpus. */
import * as path from 'path';
import { evalBins, loadCorpus, scoreQuantizer, BinsResult } from '../src/eval/bins';
import { entropyBits, segmentalSnrDb, snrDb } from '../src/eval/metrics';
import { Quantizer } from '../src/quantize/quantizer';
import { smallCorpus } from './helpers/eval-model';
import { tmpDir } from './helpers';

const DATA = smallCorpus(tmpDir('eval-bins'));
const SPEECH = path.join(DATA, 'speech16k_codec2_a.wav');

describe('eval bins', () => {
  let r: BinsResult;
  beforeAll(() => {
    r = evalBins({ data: DATA, bins: [16, 256, 1024], compandings: ['mulaw', 'linear'] });
  });
  const row = (Q: number, c: string) => r.rows.find((x) => x.bins === Q && x.companding === c)!;

  test('one row per Q and companding; the whole corpus', () => {
    expect(r.rows.length).toBe(6);
    expect(r.files).toBe(3);
    expect(r.seconds).toBeGreaterThan(11.5);
    expect(r.seconds).toBeLessThan(12.5);
  });

  test('numbers equal the direct quantizer computation', () => {
    const { signal } = loadCorpus(DATA, 16000);
    for (const c of ['mulaw', 'linear'] as const) {
      const q = new Quantizer({ bins: 256, mu: 255, companding: c });
      const { codes } = q.encodeArray(signal);
      const y = q.decodeArray(codes);
      const hist = new Float64Array(256);
      codes.forEach((b) => hist[b]++);
      expect(row(256, c).snrDb).toBeCloseTo(snrDb(signal, y), 10);
      expect(row(256, c).segSnrDb).toBeCloseTo(segmentalSnrDb(signal, y), 10);
      expect(row(256, c).entropyBits).toBeCloseTo(entropyBits(hist), 10);
    }
  });

  test('μ-law 256 is about 38 dB on speech; linear segmental SNR is lower', () => {
    const { signal } = loadCorpus(SPEECH, 16000);
    const mu = scoreQuantizer(new Quantizer({ bins: 256, companding: 'mulaw' }), signal);
    const lin = scoreQuantizer(new Quantizer({ bins: 256, companding: 'linear' }), signal);
    expect(mu.snrDb).toBeGreaterThan(35);
    expect(mu.snrDb).toBeLessThan(41);
    expect(lin.segSnrDb).toBeLessThan(mu.segSnrDb - 3);
    expect(row(256, 'linear').segSnrDb).toBeLessThan(row(256, 'mulaw').segSnrDb);
  });

  test('entropy <= log2 Q; max error <= half the widest bin; SNR grows with Q', () => {
    for (const x of r.rows) {
      expect(x.entropyBits).toBeLessThanOrEqual(x.log2Q + 1e-12);
      expect(x.maxError).toBeLessThanOrEqual(x.maxErrorBound * (1 + 1e-6));
      expect(x.maxError).toBeGreaterThan(0);
    }
    for (const c of ['mulaw', 'linear']) {
      expect(row(256, c).snrDb).toBeGreaterThan(row(16, c).snrDb + 20);
      expect(row(1024, c).snrDb).toBeGreaterThan(row(256, c).snrDb + 10);
    }
  });

  test('round trips of one clip are kept for listening (Q=16/256 × companding)', () => {
    expect(path.basename(r.clip.file)).toMatch(/speech/);
    expect(r.clip.roundTrips.map((t) => `${t.companding}${t.bins}`)).toEqual(['mulaw16', 'mulaw256', 'linear16', 'linear256']);
    for (const t of r.clip.roundTrips) expect(t.samples.length).toBe(r.clip.samples.length);
  });

  test('bad --bins is a one-line error', () => {
    expect(() => evalBins({ data: DATA, bins: [1] })).toThrow(/--bins: Q must be an integer from 2 to 65536, got 1/);
    expect(() => evalBins({ data: DATA, bins: [100000] })).toThrow(/--bins/);
  });
});
