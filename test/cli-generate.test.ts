import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { readWav, writeWav } from '../src/audio';
import { presetConfig } from '../src/model/config';
import { initWeights } from '../src/model/wavenet';
import { Quantizer } from '../src/quantize/quantizer';
import { saveCheckpoint } from '../src/train/checkpoint';
import { outputPaths } from '../src/commands/generate';
import { runCli, tmpDir } from './helpers';

const SPEECH = path.join(__dirname, '..', 'data', 'speech16k_codec2_a.wav');
const dir = tmpDir('gen-cli');
const model = path.join(dir, 'model');
const cfg = presetConfig('tiny');

beforeAll(() => {
  // Random weights are enough to exercise generation end to end.
  saveCheckpoint(model, { config: cfg, weights: initWeights(cfg, 3), step: 1 });
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const bytes = (f: string) => fs.readFileSync(f);

describe('binwave generate', () => {
  test('the installed command (dist/cli.js, built by npm test) generates with the fused-multiply-add kernel', () => {
    const cli = path.join(__dirname, '..', 'dist', 'cli.js');
    const out = path.join(dir, 'bin.wav');
    const stdout = execFileSync(process.execPath, [cli, 'generate', '-m', model, '-o', out, '--samples', '300'], { encoding: 'utf8' });
    expect(stdout).toMatch(/wasm \(fused multiply-add\) kernel/);
    expect(readWav(out).samples.length).toBe(300);
  });

  test('writes out-1..out-N; the same seed gives the same WAV, another seed another', async () => {
    const out = path.join(dir, 'a.wav');
    const r = await runCli('generate', '-m', model, '-o', out, '--samples', '800', '--count', '2', '--seed', '5');
    expect(r.err).not.toMatch(/binwave:/);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/wrote .*a-1\.wav, .*a-2\.wav/);
    const again = path.join(dir, 'b.wav');
    await runCli('generate', '-m', model, '-o', again, '--samples', '800', '--count', '2', '--seed', '5');
    expect(bytes(path.join(dir, 'a-1.wav')).equals(bytes(path.join(dir, 'b-1.wav')))).toBe(true);
    expect(bytes(path.join(dir, 'a-1.wav')).equals(bytes(path.join(dir, 'a-2.wav')))).toBe(false);
    const other = path.join(dir, 'c.wav');
    await runCli('generate', '-m', model, '-o', other, '--samples', '800', '--seed', '6');
    expect(bytes(other).equals(bytes(path.join(dir, 'a-1.wav')))).toBe(false);
    expect(readWav(other).samples.length).toBe(800);
  });

  test('a seed waveform is continued: the output starts with the seed, quantized', async () => {
    const out = path.join(dir, 'seeded.wav');
    const r = await runCli('generate', '-m', model, '-o', out, '--samples', '400', '--seed-wav', SPEECH, '--seed-seconds', '0.1',
      '--strategy', 'argmax', '--float');
    expect(r.code).toBe(0);
    const y = readWav(out).samples;
    expect(y.length).toBe(1600 + 400);
    const q = new Quantizer(cfg.quantizer);
    const seed = readWav(SPEECH).samples.subarray(0, 1600);
    const expected = q.roundTrip(seed);
    let worst = 0;
    for (let i = 0; i < 1600; i++) worst = Math.max(worst, Math.abs(y[i] - expected[i]));
    expect(worst).toBeLessThan(1e-6);
    // and what follows is generated: only bin centres, since argmax without dither writes centres
    const centres = new Set(Array.from(q.centres, (c) => Math.fround(c)));
    expect(Array.from(y.subarray(1600)).every((v) => centres.has(v))).toBe(true);
  });

  test('clear one-line errors: missing, corrupt or incompatible model; no overwrite without --force', async () => {
    const missing = await runCli('generate', '-m', path.join(dir, 'nope'), '-o', path.join(dir, 'x.wav'), '--samples', '10');
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/^binwave: .*nope: no model\.json.*\n$/);

    const corrupt = path.join(dir, 'corrupt');
    saveCheckpoint(corrupt, { config: cfg, weights: initWeights(cfg, 1), step: 2 });
    const wfile = path.join(corrupt, 'checkpoints', 'step-0000002', 'weights.bin');
    fs.truncateSync(wfile, 1000);
    const c = await runCli('generate', '-m', corrupt, '-o', path.join(dir, 'x.wav'), '--samples', '10');
    expect(c.code).toBe(1);
    expect(c.err).toMatch(/weights\.bin: expected \d+ bytes, found 1000/);
    expect(c.err.trim().split('\n')).toHaveLength(1);

    const bad = path.join(dir, 'bad');
    fs.mkdirSync(bad);
    fs.writeFileSync(path.join(bad, 'model.json'), '{"format": "something-else"}');
    const b = await runCli('generate', '-m', bad, '-o', path.join(dir, 'x.wav'), '--samples', '10');
    expect(b.err).toMatch(/not a binwave model/);

    const exists = path.join(dir, 'exists.wav');
    fs.writeFileSync(exists, 'keep me');
    const e = await runCli('generate', '-m', model, '-o', exists, '--samples', '10');
    expect(e.code).toBe(1);
    expect(e.err).toMatch(/already exists \(use --force/);
    expect(fs.readFileSync(exists, 'utf8')).toBe('keep me');

    const both = await runCli('generate', '-m', model, '-o', path.join(dir, 'y.wav'), '--samples', '10', '--seconds', '1');
    expect(both.err).toMatch(/exactly one of --seconds/);
  });

  test('output names for several streams', () => {
    expect(outputPaths('out.wav', 1)).toEqual(['out.wav']);
    expect(outputPaths('dir/out.wav', 3)).toEqual(['dir/out-1.wav', 'dir/out-2.wav', 'dir/out-3.wav']);
  });
});

describe('binwave predict', () => {
  test('scores every strategy and writes the chosen one', async () => {
    const out = path.join(dir, 'pred.wav');
    const clip = path.join(dir, 'clip.wav');
    writeWav(clip, readWav(SPEECH).samples.subarray(8000, 12000), 16000);
    const r = await runCli('predict', '-m', model, '-i', clip, '-o', out, '--strategy', 'interp', '--neighbours', '2', '--json');
    const t = await runCli('predict', '-m', model, '-i', clip, '--strategy', 'sample', '--temperature', '0.7', '--top-k', '5');
    expect(t.out).toMatch(/sample T=0\.7 top-k 5 /);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(Object.keys(j.snrDb).sort()).toEqual(['argmax', 'interp-1', 'interp-2', 'mean', 'sample']);
    expect(j.nllBits).toBeGreaterThan(0);
    expect(j.top5).toBeGreaterThanOrEqual(j.top1);
    expect(readWav(out).samples.length).toBe(4000);
    expect(j.scored).toBe(4000 - cfg.stacks * 63 - 2);
  });
});
