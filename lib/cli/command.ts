// The shape of a `disputes` command: the options it reads, declared once for node:util parseArgs, and what it does
// with their typed values.
import type { ParseArgsOptionsConfig, parseArgs } from 'node:util';
import type { RunningStack } from './local-stack';

/** The values parseArgs reads for the options `O`: each optional, a string, a boolean or (multiple) a string list. */
export type OptionValues<O extends ParseArgsOptionsConfig> = ReturnType<typeof parseArgs<{ args: string[]; options: O; allowPositionals: true; strict: true }>>['values'];

/** What a command runs with. */
export interface CommandInput<O extends ParseArgsOptionsConfig> {
  values: OptionValues<O>;
  /** The arguments after the command's name that are not options. */
  positionals: string[];
  stack: RunningStack;
}

/** What a command's options check reads: the command line only, before the stack is looked at. */
export type CheckInput<O extends ParseArgsOptionsConfig> = Omit<CommandInput<O>, 'stack'>;

/** One command: its options, the check of the command line, and its run, which resolves to the exit status. */
export interface Command<O extends ParseArgsOptionsConfig> {
  readonly options: O;
  /** Refuses a wrong command line (a ValidationError naming the option) before any work starts, stack down or not. */
  check?(input: CheckInput<O>): void;
  run(input: CommandInput<O>): Promise<number>;
}

/** A command with its options' literal types kept, so its run reads typed values. */
export const defineCommand = <const O extends ParseArgsOptionsConfig>(command: Command<O>): Command<O> => command;
