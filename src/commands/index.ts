/** Every `binwave` sub-command, in the order `--help` lists them. */
import type { CommandModule } from 'yargs';
import { infoCommand } from './info';
import { quantizeCommand } from './quantize';
import { modelInfoCommand } from './model-info';
import { trainCommand } from './train';
import { generateCommand } from './generate';
import { predictCommand } from './predict';
import { evalCommand } from './eval';
import { reportCommand } from './report';
import { toyCommand } from './toy';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const commands: CommandModule<any, any>[] = [
  infoCommand, quantizeCommand, modelInfoCommand, trainCommand, generateCommand, predictCommand, evalCommand, reportCommand, toyCommand,
];
