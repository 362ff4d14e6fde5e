/** `binwave quantize`: hear (and measure) what the model's output alphabet can represent of a recording. */
import type { CommandModule } from 'yargs';
import { loadAudio, writeWav } from '../audio';
import { segmentalSnrDb, snrDb } from '../eval/metrics';
import { Companding, Quantizer } from '../quantize/quantizer';
import { UserError } from '../util/errors';
import { assertWritable } from '../util/files';
import { GlobalArgs, handler } from './common';

interface QuantizeArgs extends GlobalArgs {
  input: string;
  output: string;
  bins: number;
  mu: number;
  companding: Companding;
  rate?: number;
  json?: boolean;
  force?: boolean;
}

export interface QuantizeReport {
  input: string;
  output: string;
  bins: number;
  mu: number;
  companding: Companding;
  sampleRate: number;
  samples: number;
  snrDb: number;
  segSnrDb: number;
  clipped: number;
  warnings: string[];
}

/** Round-trip a file through the quantizer and write the result; the numbers say what was lost. */
export function quantizeFile(a: Omit<QuantizeArgs, 'json'>): QuantizeReport {
  if (a.rate !== undefined && !(Number.isInteger(a.rate) && a.rate > 0)) {
    throw new UserError(`--rate: expected a positive whole number of Hz, got ${a.rate}`);
  }
  let q: Quantizer;
  try {
    q = new Quantizer({ bins: a.bins, mu: a.mu, companding: a.companding });
  } catch (err) {
    throw new UserError((err as Error).message);
  }
  // Check before the (possibly slow) work, and again inside writeWav.
  assertWritable(a.output, Boolean(a.force));
  const { audio } = loadAudio(a.input, { sampleRate: a.rate });
  const x = audio.samples;
  const { codes, clipped } = q.encodeArray(x);
  const y = q.decodeArray(codes);
  writeWav(a.output, y, audio.sampleRate, { force: a.force });
  return {
    input: a.input, output: a.output, bins: q.bins, mu: q.mu, companding: q.companding,
    sampleRate: audio.sampleRate, samples: x.length, snrDb: snrDb(x, y), segSnrDb: segmentalSnrDb(x, y),
    clipped, warnings: audio.warnings,
  };
}

export const quantizeCommand: CommandModule<GlobalArgs, QuantizeArgs> = {
  command: 'quantize <input>',
  describe: 'quantize a WAV to Q bins and decode it back (what the model can represent); print SNR',
  builder: (y) =>
    y
      .positional('input', { type: 'string', demandOption: true, describe: 'input .wav file' })
      .option('output', { alias: 'o', type: 'string', demandOption: true, describe: 'where to write the round trip (.wav, 16-bit)' })
      .option('bins', { type: 'number', default: 256, describe: 'number of quantization bins Q' })
      .option('mu', { type: 'number', default: 255, describe: 'μ of the μ-law companding (ignored for linear)' })
      .option('companding', { choices: ['mulaw', 'linear'] as const, default: 'mulaw' as Companding, describe: 'bin spacing' })
      .option('rate', { type: 'number', describe: 'resample to this rate (Hz) first' })
      .option('json', { type: 'boolean', default: false, describe: 'print the report as JSON' })
      .option('force', { type: 'boolean', default: false, describe: 'overwrite the output file' })
      .example('$0 quantize data/speech16k_codec2_a.wav -o /tmp/q.wav', '256 μ-law bins')
      .example('$0 quantize in.wav -o out.wav --bins 256 --companding linear', 'the linear baseline') as never,
  handler: handler<QuantizeArgs>((args) => {
    const r = quantizeFile(args);
    if (args.json) {
      process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
      return;
    }
    const comp = r.companding === 'mulaw' ? `μ-law μ=${r.mu}` : 'linear';
    process.stdout.write(
      `${r.output}: ${r.bins} bins, ${comp}, ${r.sampleRate} Hz, ${r.samples} samples\n` +
      `SNR ${r.snrDb.toFixed(2)} dB, segmental SNR ${r.segSnrDb.toFixed(2)} dB, clipped ${r.clipped}\n`,
    );
    for (const w of r.warnings) process.stderr.write(`binwave: warning: ${r.input}: ${w}\n`);
  }),
};
