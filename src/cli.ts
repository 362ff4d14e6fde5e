#!/usr/bin/env node
/** The `binwave` command line: one yargs command module per sub-command (see src/commands/). */
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { commands } from './commands';
import { reportError } from './commands/common';
import { oneLine } from './util/errors';
import { enableRelaxedSimd } from './generate/wasm-kernel';

/** Thrown after a usage error has been reported, so that yargs does not go on to run the command. */
class UsageReported extends Error {}

export async function main(argv: string[]): Promise<void> {
  let parser = yargs(argv)
    .scriptName('binwave')
    .usage('$0 <command> [options]\n\nRegression by classification: WaveNet over μ-law bins.')
    .option('verbose', { type: 'boolean', default: false, describe: 'print stack traces and extra detail' })
    .strict()
    .demandCommand(1, 'name a command (see --help)')
    .recommendCommands()
    .help()
    .alias('h', 'help')
    .version()
    .wrap(Math.min(110, process.stdout.columns || 100))
    .fail((msg, err) => {
      if (err) reportError(err, argv.includes('--verbose'));
      else {
        process.stderr.write(`binwave: ${oneLine(msg)} (see --help)\n`);
        process.exitCode = 1;
      }
      throw new UsageReported();
    });
  for (const c of commands) parser = parser.command(c);
  try {
    await parser.parseAsync();
  } catch (err) {
    if (!(err instanceof UsageReported)) throw err;
  }
}

if (require.main === module) {
  // The generator's fused-multiply-add kernel (build/generator-relaxed.wasm) needs V8's relaxed SIMD, shipped
  // behind a flag in Node 20 (on by default from Node 22). Only the command line turns it on: it is process-wide.
  enableRelaxedSimd();
  main(hideBin(process.argv)).catch((err) => reportError(err, process.argv.includes('--verbose')));
}
