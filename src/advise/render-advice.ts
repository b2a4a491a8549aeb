import pc from 'picocolors';
import { markdownTable, textTable } from '../report/text-table.ts';
import type { Advice } from './advise.ts';
import { candidateSections, recommendationLines, summarySection, type Section } from './advice-sections.ts';

export interface RenderOptions {
  /** Details for every candidate, not only the recommended one. */
  readonly all: boolean;
}

function detailedCandidates(advice: Advice, options: RenderOptions) {
  const recommended = advice.candidates.find((candidate) => candidate.architecture.kind === advice.recommendation.kind);
  return options.all || !recommended ? advice.candidates : [recommended];
}

function colourRows(section: Section): string[][] {
  return section.rows.map((row, rowIndex) =>
    row.map((cell, column) => {
      const pass = section.verdictCells?.get(`${rowIndex}:${column}`);
      return pass === undefined ? cell : pass ? pc.green(cell) : pc.red(cell);
    }),
  );
}

function terminalSection(section: Section): string {
  const notes = section.notes.filter((note) => note !== '').map((note) => pc.dim(`  ${note}`));
  return [pc.bold(section.title), textTable(section.header, colourRows(section)), ...notes].join('\n');
}

export function renderAdviceTerminal(advice: Advice, options: RenderOptions): string {
  const sections = [summarySection(advice), ...detailedCandidates(advice, options).flatMap(candidateSections)];
  const [headline, ...rest] = recommendationLines(advice);
  const recommendation = [advice.recommendation.kind ? pc.green(pc.bold(headline!)) : pc.yellow(pc.bold(headline!)), ...rest].join('\n');
  const hint = options.all ? [] : [pc.dim('Details of every candidate: --all; machine-readable: --json; a document: --markdown.')];
  return [`${pc.bold('meridian advise')} ${advice.spec}`, ...sections.map(terminalSection), recommendation, ...hint].join('\n\n') + '\n';
}

export function renderAdviceMarkdown(advice: Advice): string {
  const sectionText = (section: Section, level: string) =>
    [`${level} ${section.title}`, markdownTable(section.header, section.rows), ...section.notes.filter((n) => n !== '').map((note) => `_${note}_`)].join('\n\n');
  const [headline, ...rest] = recommendationLines(advice);
  return [
    `# Meridian advice for \`${advice.spec}\``,
    `**${headline}**\n\n${rest.map((line) => `- ${line.trim()}`).join('\n')}`,
    sectionText(summarySection(advice), '##'),
    ...advice.candidates.flatMap((candidate) => [`## ${candidate.architecture.title}`, ...candidateSections(candidate).map((section) => sectionText(section, '###'))]),
  ].join('\n\n') + '\n';
}
