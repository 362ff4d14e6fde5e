/** Every `binwave` sub-command, in the order `--help` lists them. */
import type { CommandModule } from 'yargs';
import { infoCommand } from './info';
import { quantizeCommand } from './quantize';
import { modelInfoCommand } from './model-info';
import { trainCommand } from './train';
import { toyCommand } from './toy';
import { evalCommand } from './eval';
import { reportCommand } from './report';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const commands: CommandModule<any, any>[] = [infoCommand, quantizeCommand, modelInfoCommand, trainCommand, toyCommand, evalCommand, reportCommand];
