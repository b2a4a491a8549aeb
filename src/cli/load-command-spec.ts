import type { Architecture } from '../advise/architecture.ts';
import { chooseArchitecture, UnknownArchitectureError } from '../sim/simulate.ts';
import { loadSpec } from '../spec/load-spec.ts';
import type { ResolvedSpec } from '../spec/resolved-spec.ts';
import { formatIssue, UsageError } from './cli-errors.ts';
import type { CommandContext } from './command-context.ts';
import { DEFAULT_SPEC_LABEL, DEFAULT_SPEC_PATH } from './default-spec.ts';

/** The spec a command was given (or the embedded default), its warnings printed, with the label to show. */
export async function loadCommandSpec(context: CommandContext, file: string | undefined): Promise<{ spec: ResolvedSpec; label: string }> {
  const label = file ?? DEFAULT_SPEC_LABEL;
  const { spec, warnings } = await loadSpec(file ?? DEFAULT_SPEC_PATH);
  for (const warning of warnings) context.err(`${formatIssue(label, warning)}\n`);
  return { spec, label };
}

/** The candidate architecture named by `--architecture`, as a usage error when there is no such one. */
export function commandArchitecture(spec: ResolvedSpec, name: string | undefined): Architecture {
  try {
    return chooseArchitecture(spec, name);
  } catch (error) {
    if (error instanceof UnknownArchitectureError) throw new UsageError(`--architecture: ${error.message}`);
    throw error;
  }
}
