import type { Command } from 'commander';
import pc from 'picocolors';
import { checkSpecSource, readSpecSource } from '../spec/load-spec.ts';
import { EXIT_BAD_INPUT, EXIT_OK, formatIssue } from './cli-errors.ts';
import type { CommandContext } from './command-context.ts';

export function registerValidate(program: Command, context: CommandContext): void {
  program
    .command('validate')
    .description('check a spec: every problem is named with its path (exit 2 when there is an error)')
    .argument('<spec>', 'meridian.config.ts, .yaml, .yml or .json')
    .option('--json', 'print the issues as JSON')
    .action(async (file: string, options: { json?: boolean }) => {
      const source = await readSpecSource(file);
      const checked = checkSpecSource(source);
      const errors = checked.issues.filter((issue) => issue.severity === 'error');
      if (options.json) {
        context.out(`${JSON.stringify({ file, valid: errors.length === 0, issues: checked.issues }, null, 2)}\n`);
      } else {
        for (const issue of checked.issues) context.err(`${formatIssue(file, issue)}\n`);
        const warnings = checked.issues.length - errors.length;
        const summary = errors.length === 0 ? pc.green(`${file}: valid`) : pc.red(`${file}: ${errors.length} error${errors.length === 1 ? '' : 's'}`);
        context.out(`${summary}${warnings > 0 ? `, ${warnings} warning${warnings === 1 ? '' : 's'}` : ''}\n`);
      }
      context.setExitCode(errors.length === 0 ? EXIT_OK : EXIT_BAD_INPUT);
    });
}
