import pc from 'picocolors';
import { markdownSection, terminalSection } from '../report/section.ts';
import type { Advice } from './advise.ts';
import { candidateSections, recommendationLines, summarySection } from './advice-sections.ts';

export interface RenderOptions {
  /** Details for every candidate, not only the recommended one. */
  readonly all: boolean;
}

function detailedCandidates(advice: Advice, options: RenderOptions) {
  const recommended = advice.candidates.find((candidate) => candidate.architecture.kind === advice.recommendation.kind);
  return options.all || !recommended ? advice.candidates : [recommended];
}

export function renderAdviceTerminal(advice: Advice, options: RenderOptions): string {
  const sections = [summarySection(advice), ...detailedCandidates(advice, options).flatMap(candidateSections)];
  const [headline, ...rest] = recommendationLines(advice);
  const recommendation = [advice.recommendation.kind ? pc.green(pc.bold(headline!)) : pc.yellow(pc.bold(headline!)), ...rest].join('\n');
  const hint = options.all ? [] : [pc.dim('Details of every candidate: --all; machine-readable: --json; a document: --markdown.')];
  return [`${pc.bold('meridian advise')} ${advice.spec}`, ...sections.map(terminalSection), recommendation, ...hint].join('\n\n') + '\n';
}

export function renderAdviceMarkdown(advice: Advice): string {
  const [headline, ...rest] = recommendationLines(advice);
  return [
    `# Meridian advice for \`${advice.spec}\``,
    `**${headline}**\n\n${rest.map((line) => `- ${line.trim()}`).join('\n')}`,
    markdownSection(summarySection(advice), '##'),
    ...advice.candidates.flatMap((candidate) => [`## ${candidate.architecture.title}`, ...candidateSections(candidate).map((section) => markdownSection(section, '###'))]),
  ].join('\n\n') + '\n';
}
