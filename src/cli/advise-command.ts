import type { Command } from 'commander';
import { advise } from '../advise/advise.ts';
import { renderAdviceMarkdown, renderAdviceTerminal } from '../advise/render-advice.ts';
import { EXIT_OK, UsageError } from './cli-errors.ts';
import type { CommandContext } from './command-context.ts';
import { DEFAULT_SPEC_LABEL } from './default-spec.ts';
import { loadCommandSpec } from './load-command-spec.ts';

interface AdviseOptions {
  json?: boolean;
  markdown?: boolean;
  all?: boolean;
}

export function registerAdvise(program: Command, context: CommandContext): void {
  program
    .command('advise')
    .description('compare candidate architectures (latency, availability, RTO/RPO, cost) and recommend the simplest that meets the SLOs')
    .argument('[spec]', `the spec (default: ${DEFAULT_SPEC_LABEL})`)
    .option('--json', 'print the full advice as JSON')
    .option('--markdown', 'print the advice as a Markdown document')
    .option('--all', 'show the details of every candidate, not only the recommended one')
    .action(async (file: string | undefined, options: AdviseOptions) => {
      if (options.json && options.markdown) throw new UsageError('choose one of --json and --markdown');
      const { spec, label } = await loadCommandSpec(context, file);
      const advice = advise(spec, label);
      if (options.json) context.out(`${JSON.stringify(advice, null, 2)}\n`);
      else if (options.markdown) context.out(renderAdviceMarkdown(advice));
      else context.out(renderAdviceTerminal(advice, { all: options.all ?? false }));
      context.setExitCode(EXIT_OK);
    });
}
