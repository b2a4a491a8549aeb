import type { Command } from 'commander';
import type { CommandContext } from './command-context.ts';
import { callControl, controlUrl } from './region-command.ts';

/**
 * `meridian table status|switchover|failover TABLE`: the control plane of a single-writer table in the
 * running lab (Aurora Global Database's switchover and failover). Answers are JSON.
 */
export function registerTable(program: Command, context: CommandContext): void {
  const table = program.command('table').description("control a single-writer table of the running lab (like Aurora Global Database's switchover and failover)");
  const url = (control: string | undefined, name: string, action?: string) => `${controlUrl(control)}/tables/${encodeURIComponent(name)}${action ? `/${action}` : ''}`;
  table
    .command('status')
    .description("each member's role, epoch, position, lag and lost writes, as JSON")
    .argument('<table>', 'the data class of the table')
    .option('--control <url>', "the lab's control API (default: the running `meridian up`)")
    .action(async (name: string, options: { control?: string }) => callControl(context, url(options.control, name), 'GET'));
  table
    .command('switchover')
    .description('planned: the primary stops, the target catches up and becomes primary; no acknowledged write is lost')
    .argument('<table>', 'the data class of the table')
    .requiredOption('--to <region>', 'the secondary that becomes primary')
    .option('--control <url>', "the lab's control API (default: the running `meridian up`)")
    .action(async (name: string, options: { to: string; control?: string }) => callControl(context, url(options.control, name, 'switchover'), 'POST', { target: options.to }));
  table
    .command('failover')
    .description('unplanned: promote a secondary with what it has; the old primary is fenced and reports the writes lost')
    .argument('<table>', 'the data class of the table')
    .option('--to <region>', 'the secondary to promote (default: the one that applied the most)')
    .option('--control <url>', "the lab's control API (default: the running `meridian up`)")
    .action(async (name: string, options: { to?: string; control?: string }) =>
      callControl(context, url(options.control, name, 'failover'), 'POST', options.to === undefined ? {} : { target: options.to }),
    );
}
