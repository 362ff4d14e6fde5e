/** Every `binwave` sub-command, in the order `--help` lists them. */
import type { CommandModule } from 'yargs';
import { toyCommand } from './toy';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const commands: CommandModule<any, any>[] = [toyCommand];
