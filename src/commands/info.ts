/** `binwave info <path>`: what each WAV file is, how loud, and which ones are broken. */
import type { CommandModule } from 'yargs';
import { readAll, readWav, scanWavFolder, toDb, Problem } from '../audio';
import type { AudioInfo } from '../audio';
import { peak, rms } from '../eval/metrics';
import { UserError } from '../util/errors';
import { formatDuration } from '../util/progress';
import { GlobalArgs, handler } from './common';

interface InfoArgs extends GlobalArgs {
  path: string;
  json?: boolean;
  strict?: boolean;
}

export interface FileReport extends AudioInfo {
  peakDb: number | null;
  rmsDb: number | null;
  warnings: string[];
}

export interface InfoReport {
  files: FileReport[];
  problems: Problem[];
  totals: { ok: number; problems: number; warnings: number; durationSec: number };
}

export function collectInfo(target: string, strict = false): InfoReport {
  const scan = scanWavFolder(target);
  if (strict && scan.problems.length) throw new UserError(`${scan.problems[0].file}: ${scan.problems[0].reason}`);
  const read = readAll(scan.files, (f) => {
    const a = readWav(f);
    // In strict mode a warning (e.g. a truncated data chunk) is as fatal as an error.
    if (strict && a.warnings.length) throw new UserError(`${f}: ${a.warnings[0]}`);
    const db = (v: number) => (v > 0 ? Math.round(toDb(v) * 100) / 100 : null);
    return { ...a.info, peakDb: db(peak(a.samples)), rmsDb: db(rms(a.samples)), warnings: a.warnings };
  }, { strict });
  const files = read.items.map((i) => i.value);
  const problems = [...scan.problems, ...read.problems];
  return {
    files,
    problems,
    totals: {
      ok: files.length,
      problems: problems.length,
      warnings: files.filter((f) => f.warnings.length > 0).length,
      durationSec: files.reduce((s, f) => s + f.durationSec, 0),
    },
  };
}

const fmtDb = (v: number | null) => (v === null ? '-inf' : v.toFixed(1));

function printText(r: InfoReport): void {
  const out = (s: string) => process.stdout.write(`${s}\n`);
  for (const f of r.files) {
    const ch = f.channels === 1 ? 'mono' : f.channels === 2 ? 'stereo' : `${f.channels} ch`;
    out(`${f.file}: ${f.format}, ${f.container}, ${f.sampleRate} Hz, ${ch}, ${f.durationSec.toFixed(2)} s, ` +
      `peak ${fmtDb(f.peakDb)} dBFS, RMS ${fmtDb(f.rmsDb)} dBFS`);
    for (const w of f.warnings) out(`  warning: ${w}`);
  }
  for (const p of r.problems) out(`${p.file}: PROBLEM: ${p.reason}`);
  const t = r.totals;
  out(`${t.ok} file${t.ok === 1 ? '' : 's'} ok (${t.warnings} with warnings), ${t.problems} with problems, ` +
    `total ${formatDuration(t.durationSec)} (${t.durationSec.toFixed(2)} s)`);
}

export const infoCommand: CommandModule<GlobalArgs, InfoArgs> = {
  command: 'info <path>',
  describe: 'describe WAV files (a file or a folder, recursively): format, rate, channels, duration, levels',
  builder: (y) =>
    y
      .positional('path', { type: 'string', demandOption: true, describe: 'a .wav file or a folder of them' })
      .option('json', { type: 'boolean', default: false, describe: 'print the report as JSON' })
      .option('strict', { type: 'boolean', default: false, describe: 'stop with exit code 1 at the first problem or warning' })
      .example('$0 info data/', 'every WAV under data/, with totals')
      .example('$0 info take.wav --json', 'one file, machine-readable') as never,
  handler: handler<InfoArgs>((args) => {
    const report = collectInfo(args.path, Boolean(args.strict));
    // A single broken file is simply an error: one line on stderr.
    if (report.files.length === 0 && report.problems.length === 1 && report.problems[0].file === args.path) {
      throw new UserError(`${args.path}: ${report.problems[0].reason}`);
    }
    if (args.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    else printText(report);
    // Broken files are reported and skipped; the exit code still says the folder was not clean.
    if (report.problems.length > 0 && report.files.length === 0) process.exitCode = 1;
  }),
};
