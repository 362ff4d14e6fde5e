import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runCli } from './helpers';
import { quantizeFile } from '../src/commands/quantize';
import { readWav, writeWav } from '../src/audio';

const ODD = path.join(__dirname, 'fixtures', 'odd');
const DATA = path.join(__dirname, '..', 'data');
const SPEECH = path.join(DATA, 'speech16k_codec2_a.wav');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'binwave-cli-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const run = runCli;

describe('binwave info', () => {
  test('a folder: every file, problems listed and skipped, totals', async () => {
    const r = await run('info', ODD);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/pcm16_rf64\.wav: PCM 16-bit, RF64, 16000 Hz, mono, 3\.00 s, peak -\d+\.\d dBFS, RMS -\d+\.\d dBFS/);
    expect(r.out).toMatch(/ogg_vorbis_named\.wav: PROBLEM: not a WAV file/);
    expect(r.out).toMatch(/23 files ok \(2 with warnings\), 8 with problems, total/);
  });

  test('--json', async () => {
    const r = await run('info', DATA, '--json');
    const j = JSON.parse(r.out);
    expect(j.totals.ok).toBe(13);
    expect(j.totals.problems).toBe(0);
    expect(j.totals.durationSec).toBeGreaterThan(60);
    expect(j.totals.durationSec).toBeLessThan(90);
    expect(j.files.every((f: { sampleRate: number; channels: number; format: string }) =>
      f.sampleRate === 16000 && f.channels === 1 && f.format === 'PCM 16-bit')).toBe(true);
  });

  test('--strict makes a problem fatal; a single broken file is a one-line error', async () => {
    const s = await run('info', ODD, '--strict');
    expect(s.code).toBe(1);
    expect(s.err.trim().split('\n')).toHaveLength(1);
    expect(s.err).toMatch(/^binwave: .*\.wav: /);
    const one = await run('info', path.join(ODD, 'flac_named.wav'));
    expect(one.code).toBe(1);
    expect(one.err).toBe(`binwave: ${path.join(ODD, 'flac_named.wav')}: not a WAV file (starts with 'fLaC': a FLAC file named .wav)\n`);
  });
});

describe('binwave quantize', () => {
  test('writes the round trip and reports SNR; refuses to overwrite without --force', async () => {
    const outFile = path.join(tmp, 'q.wav');
    const r = await run('quantize', SPEECH, '-o', outFile, '--bins', '256', '--mu', '255', '--companding', 'mulaw', '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j).toMatchObject({ bins: 256, mu: 255, companding: 'mulaw', sampleRate: 16000, clipped: 0 });
    expect(readWav(outFile).info.frames).toBe(j.samples);
    const again = await run('quantize', SPEECH, '-o', outFile);
    expect(again.code).toBe(1);
    expect(again.err).toMatch(/already exists \(use --force to overwrite\)/);
    const forced = await run('quantize', SPEECH, '-o', outFile, '--force', '--rate', '8000');
    expect(forced.code).toBe(0);
    expect(forced.out).toMatch(/SNR \d+\.\d+ dB, segmental SNR \d+\.\d+ dB, clipped 0/);
    expect(readWav(outFile).sampleRate).toBe(8000);
  });

  test('errors are one line: bad input, bad flags', async () => {
    const a = await run('quantize', path.join(ODD, 'empty.wav'), '-o', path.join(tmp, 'x.wav'));
    expect([a.code, a.err]).toEqual([1, `binwave: ${path.join(ODD, 'empty.wav')}: empty file (0 bytes)\n`]);
    const b = await run('quantize', SPEECH, '-o', path.join(tmp, 'y.wav'), '--bins', '1');
    expect(b.code).toBe(1);
    expect(b.err).toMatch(/^binwave: bins must be an integer from 2 to 65536, got 1\n$/);
    const c = await run('quantize', SPEECH, '-o', path.join(tmp, 'z.wav'), '--companding', 'alaw');
    expect(c.code).toBe(1);
    expect(c.err.trim().split('\n')).toHaveLength(1);
  });

  test('256 μ-law bins beat 256 linear bins on speech (segmental SNR)', () => {
    const mu = quantizeFile({ input: SPEECH, output: path.join(tmp, 'mu.wav'), bins: 256, mu: 255, companding: 'mulaw' });
    const lin = quantizeFile({ input: SPEECH, output: path.join(tmp, 'lin.wav'), bins: 256, mu: 255, companding: 'linear' });
    // measured: μ-law 37.85 dB SNR / 34.18 dB segSNR; linear 33.16 / 21.41 dB
    expect(mu.segSnrDb).toBeGreaterThan(lin.segSnrDb + 8);
    expect(mu.segSnrDb).toBeGreaterThan(30);
    expect(lin.segSnrDb).toBeLessThan(26);
  });

  test('μ-law SNR is nearly independent of level (×1, ×0.1), unlike linear; both fall at ×0.01', () => {
    const x = readWav(SPEECH).samples;
    const snr: Record<string, number> = {};
    for (const companding of ['mulaw', 'linear'] as const) {
      for (const g of [1, 0.1, 0.01]) {
        const f = path.join(tmp, `lvl${g}.wav`);
        // float: the quiet copies keep their detail
        if (!fs.existsSync(f)) writeWav(f, x.map((v) => v * g), 16000, { float: true });
        const out = path.join(tmp, `lvl${g}-${companding}.wav`);
        snr[`${companding}${g}`] = quantizeFile({ input: f, output: out, bins: 256, mu: 255, companding }).snrDb;
      }
    }
    // measured (speech RMS -20/-40/-60 dBFS): μ-law 37.9 / 36.2 / 24.8 dB, linear 33.2 / 11.4 / -10.5 dB.
    // At ×0.01 most samples sit below 1/μ, where μ-law is linear with a step of ~1.7e-4.
    expect(snr.mulaw1).toBeGreaterThan(36);
    expect(Math.abs(snr.mulaw1 - snr['mulaw0.1'])).toBeLessThan(3);
    expect(snr.linear1 - snr['linear0.1']).toBeGreaterThan(18);
    expect(snr['mulaw0.01']).toBeGreaterThan(20);
    expect(snr['mulaw0.01'] - snr['linear0.01']).toBeGreaterThan(30);
  });
});
