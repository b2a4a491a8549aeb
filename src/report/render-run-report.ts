import type { RunReport } from './run-report.ts';
import { runReportSections } from './run-report-sections.ts';
import { markdownSection, terminalSection } from './section.ts';

export function renderRunReportTerminal(report: RunReport): string {
  return `${runReportSections(report).map(terminalSection).join('\n\n')}\n`;
}

export function renderRunReportMarkdown(report: RunReport): string {
  const [summary, ...rest] = runReportSections(report);
  return `# ${summary!.title}\n\n${[markdownSection({ ...summary!, title: 'Summary' }), ...rest.map((section) => markdownSection(section))].join('\n\n')}\n`;
}

/** Stable key order and no undefined fields, so the same run gives the same bytes. */
export function renderRunReportJson(report: RunReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
