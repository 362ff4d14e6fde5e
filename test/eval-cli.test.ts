/** The eval commands end to end through the CLI: files written, tables printed, errors on one line. */
import * as fs from 'fs';
import * as path from 'path';
import { makeRandomModel, smallCorpus } from './helpers/eval-model';
import { runCli, tmpDir } from './helpers';

const tmp = tmpDir('eval-cli');
const DATA = smallCorpus(path.join(tmp, 'data'));
const SPEECH = path.join(DATA, 'speech8k_hts1a.wav');
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const run = runCli;

const trio = (dir: string, name: string) => ['json', 'md', 'html'].map((x) => path.join(dir, `${name}.${x}`));

describe('binwave eval (CLI)', () => {
  const model = path.join(tmp, 'model');
  beforeAll(() => makeRandomModel(model, 32));

  test('eval bins: markdown table on stdout, json/md/html written', async () => {
    const out = path.join(tmp, 'bins');
    const r = await run('eval', 'bins', '--data', SPEECH, '--bins', '16,256', '--out', out);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/\| companding \|\s+Q \|/);
    expect(r.out.split('\n').filter((l) => /^\| (mulaw|linear) /.test(l)).length).toBe(4);
    for (const f of trio(out, 'eval-bins')) expect(fs.statSync(f).size).toBeGreaterThan(100);
    const j = JSON.parse(fs.readFileSync(path.join(out, 'eval-bins.json'), 'utf8'));
    expect(j.rows.length).toBe(4);
    expect(fs.readFileSync(path.join(out, 'eval-bins.html'), 'utf8')).toContain('<audio');
    const refused = await run('eval', 'bins', '--data', SPEECH, '--bins', '16', '--out', out);
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/eval-bins\.json: already exists \(use --force to overwrite\)/);
    const js = await run('eval', 'bins', '--data', SPEECH, '--bins', '16', '--companding', 'linear', '--json', '--out', out, '--force');
    expect(JSON.parse(js.out).rows[0]).toMatchObject({ bins: 16, companding: 'linear' });
  });

  test('eval model: tables and the trio', async () => {
    const out = path.join(tmp, 'model-report');
    const r = await run('eval', 'model', '--model', model, '--data', DATA, '--max-seconds', '0.5', '--bench-seconds', '0.05', '--out', out);
    expect(r.err).not.toMatch(/binwave:/);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/baseline: log2 Q\s+\|\s+5/);
    expect(r.out).toMatch(/bin-histogram entropy/);
    expect(r.out).toMatch(/density NLL/);
    for (const f of trio(out, 'eval-model')) expect(fs.existsSync(f)).toBe(true);
  });

  test('report: one page with every section', async () => {
    const out = path.join(tmp, 'report');
    const r = await run('report', '--model', model, '--data', DATA, '--max-seconds', '0.5', '--bins', '16,256', '--out', out);
    expect(r.code).toBe(0);
    const html = fs.readFileSync(path.join(out, 'report.html'), 'utf8');
    for (const h of ['The model on held-out audio', 'What it costs', 'Looking inside', 'Quantization alone']) expect(html).toContain(h);
    const j = JSON.parse(fs.readFileSync(path.join(out, 'report.json'), 'utf8'));
    expect(j.model.nllBits).toBeGreaterThan(0);
    expect(j.bins.rows.length).toBe(4);
  });

  test('errors are one line: missing model dir, bad --bins, bad --companding, no subcommand', async () => {
    const cases: [string[], RegExp][] = [
      [['eval', 'model', '--model', path.join(tmp, 'missing'), '--data', DATA, '--out', tmp], /missing: no such model directory/],
      [['eval', 'bins', '--data', SPEECH, '--bins', '16,x', '--out', tmp], /--bins: "x" is not a number/],
      [['eval', 'bins', '--data', SPEECH, '--bins', '1', '--out', tmp], /--bins: Q must be an integer from 2 to 65536/],
      [['eval', 'bins', '--data', SPEECH, '--companding', 'alaw', '--out', tmp], /--companding: expected mulaw or linear/],
      [['eval', 'sweep', '--data', DATA, '--out', tmp], /--steps N or --minutes M/],
      [['eval', 'bins', '--data', path.join(tmp, 'nodata'), '--out', tmp], /no such file or folder/],
      [['eval'], /name what to evaluate/],
    ];
    for (const [argv, re] of cases) {
      const r = await run(...argv);
      expect({ argv, code: r.code }).toEqual({ argv, code: 1 });
      expect(r.err).toMatch(re);
      expect(r.err.trimEnd().split('\n').length).toBe(1);
    }
  });
});
