// `npx disputes …`: operator and reviewer commands against the stack `npm start` is running. This file reads the
// command line and dispatches; each command lives in commands/. A command line is checked whole (the command, its
// own options and their values) before anything is read or sent, and a mistake is answered in one line.
import { type ParseArgsOptionsConfig, parseArgs } from 'node:util';
import { ValidationError } from '../domain/errors';
import type { Command } from './command';
import { adjustments } from './commands/adjustments';
import { audit } from './commands/audit';
import { decide } from './commands/decide';
import { history } from './commands/history';
import { ingest } from './commands/ingest';
import { open } from './commands/open';
import { queue } from './commands/queue';
import { reinvestigate } from './commands/reinvestigate';
import { rejects } from './commands/rejects';
import { show } from './commands/show';
import { stats } from './commands/stats';
import { webhooks } from './commands/webhooks';
import { commandUsage } from './help';
import { connect } from './local-stack';
import { USAGE } from './usage';

const COMMANDS = { ingest, rejects, open, show, queue, decide, reinvestigate, history, stats, audit, adjustments, webhooks };
type CommandName = keyof typeof COMMANDS;

const isCommand = (name: string): name is CommandName => Object.hasOwn(COMMANDS, name);
const HELP = ['--help', '-h', 'help'];

/** parseArgs' own errors, said as what to type instead. */
function parseError(command: string, error: unknown): never {
  const { code, message } = error as { code?: string; message: string };
  const option = /'(-[^' ]+)/.exec(message)?.[1] ?? '';
  const hint = `(disputes ${command} --help lists its options)`;
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') throw new ValidationError(option, `${command} has no option ${option} ${hint}`);
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    if (/does not take an argument/.test(message)) throw new ValidationError(option, `${option} takes no value ${hint}`);
    // "--credit -1": a value that starts with a dash reads as another option.
    const dashed = /ambiguous/.test(message) ? `; a value that starts with - is written ${option}=VALUE` : '';
    throw new ValidationError(option, `${option} needs a value${dashed} ${hint}`);
  }
  throw new ValidationError('(command line)', `${message} ${hint}`);
}

/** Reads the command's own options, checks them, then connects to the stack and runs it. */
async function execute(name: CommandName, command: Command<ParseArgsOptionsConfig>, args: string[]): Promise<number> {
  const options = { ...command.options, help: { type: 'boolean', short: 'h' } } as const satisfies ParseArgsOptionsConfig;
  let parsed: { values: Record<string, string | boolean | (string | boolean)[] | undefined>; positionals: string[] };
  try {
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    parseError(name, error);
  }
  if (parsed.values.help) {
    console.log(commandUsage(name) ?? USAGE);
    return 0;
  }
  const input = parsed as Parameters<NonNullable<typeof command.check>>[0];
  command.check?.(input);
  return command.run({ ...input, stack: connect() });
}

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === '' || HELP.includes(name)) {
    console.log(USAGE);
    return 0;
  }
  if (!isCommand(name)) {
    const what = name.startsWith('-') ? `an option before the command (${name})` : `no command ${name}`;
    throw new ValidationError('command', `there is ${what}: the commands are ${Object.keys(COMMANDS).join(', ')} (disputes --help)`);
  }
  return execute(name, COMMANDS[name], args);
}

/** Exits once stdout and stderr have written everything: to a pipe they write later, and exit would cut them off. */
function exit(status: number): void {
  process.stdout.write('', () => process.stderr.write('', () => process.exit(status)));
}

main(process.argv.slice(2)).then(exit, (error: Error) => {
  console.error(`disputes: ${error.message}`);
  exit(1);
});
