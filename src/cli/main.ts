import { Command, CommanderError } from 'commander';
import { readFileSync } from 'node:fs';
import { registerAdvise } from './advise-command.ts';
import { EXIT_BAD_INPUT, EXIT_OK, reportError } from './cli-errors.ts';
import type { CommandContext } from './command-context.ts';
import { registerRegions } from './regions-command.ts';
import { registerSimulate } from './simulate-command.ts';
import { registerUp } from './up-command.ts';
import { registerRegion } from './region-command.ts';
import { registerTable } from './table-command.ts';
import { registerLoad } from './load-command.ts';
import { registerChaos, registerDemo } from './chaos-command.ts';
import { registerSynth } from './synth-command.ts';
import { registerValidate } from './validate-command.ts';

const packageJson = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

export interface MainIo {
  out(text: string): void;
  err(text: string): void;
  interactive: boolean;
}

const processIo: MainIo = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
  interactive: Boolean(process.stderr.isTTY),
};

export function buildProgram(context: CommandContext): Command {
  const program = new Command('meridian')
    .description('Plan, run, break and ship a multi-region system from one declarative spec.')
    .version(packageJson.version)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ writeOut: context.out, writeErr: context.err });
  registerValidate(program, context);
  registerAdvise(program, context);
  registerSimulate(program, context);
  registerUp(program, context);
  registerRegion(program, context);
  registerRegions(program, context);
  registerTable(program, context);
  registerLoad(program, context);
  registerChaos(program, context);
  registerDemo(program, context);
  registerSynth(program, context);
  const override = (command: Command) => {
    command.exitOverride().configureOutput({ writeOut: context.out, writeErr: context.err });
    command.commands.forEach(override);
  };
  program.commands.forEach(override);
  return program;
}

/** Runs the CLI and returns the exit code: 0 ok, 1 failure, 2 bad usage or bad input. */
export async function main(argv: readonly string[], io: MainIo = processIo): Promise<number> {
  let exitCode = EXIT_OK;
  const context: CommandContext = { out: io.out, err: io.err, interactive: io.interactive, setExitCode: (code) => (exitCode = code) };
  const program = buildProgram(context);
  try {
    await program.parseAsync([...argv]);
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      const helpOrVersion = ['commander.helpDisplayed', 'commander.version', 'commander.help'].includes(error.code);
      return helpOrVersion ? EXIT_OK : EXIT_BAD_INPUT;
    }
    return reportError(error, io.err);
  }
}
