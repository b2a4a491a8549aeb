import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { EXIT_FAILURE, EXIT_OK, UsageError } from './cli-errors.ts';
import type { CommandContext } from './command-context.ts';
import { LAB_STATE_FILE } from './up-command.ts';

export function controlUrl(explicit: string | undefined): string {
  if (explicit) return explicit;
  try {
    return (JSON.parse(readFileSync(LAB_STATE_FILE, 'utf8')) as { controlUrl: string }).controlUrl;
  } catch {
    throw new UsageError(`no running lab found (${LAB_STATE_FILE}); start one with \`meridian up\` or pass --control URL`);
  }
}

/** Calls the lab's control API and prints its JSON answer; a refusal is a one-line error. */
export async function callControl(context: CommandContext, url: string, method: 'GET' | 'POST' = 'POST', body?: unknown): Promise<void> {
  let response: Response;
  try {
    response = await fetch(url, { method, ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }) });
  } catch {
    context.err(`meridian: cannot reach the lab's control API at ${url}: is \`meridian up\` still running?\n`);
    context.setExitCode(EXIT_FAILURE);
    return;
  }
  const answer = (await response.json()) as { error?: string };
  if (!response.ok) {
    context.err(`meridian: ${answer.error ?? response.statusText}\n`);
    context.setExitCode(response.status === 404 ? 2 : EXIT_FAILURE);
    return;
  }
  context.out(`${JSON.stringify(answer)}\n`);
  context.setExitCode(EXIT_OK);
}

export function registerRegion(program: Command, context: CommandContext): void {
  const region = program.command('region').description('act on one region of the running lab');
  for (const [action, what] of [['restart', 'stop the region process and start it again on its data (it catches up)'], ['kill', 'kill the region process with SIGKILL: a regional failure']] as const) {
    region
      .command(action)
      .description(what)
      .argument('<region>', 'region code')
      .option('--control <url>', "the lab's control API (default: the running `meridian up`)")
      .action(async (name: string, options: { control?: string }) => {
        await callControl(context, `${controlUrl(options.control)}/regions/${encodeURIComponent(name)}/${action}`);
      });
  }
}
