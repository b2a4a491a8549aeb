import pc from 'picocolors';
import { markdownTable, textTable } from './text-table.ts';

/**
 * A report as titled tables, independent of the output format: the terminal and Markdown renderers
 * both draw these, so the two never disagree.
 */
export interface Section {
  readonly title: string;
  readonly notes: readonly string[];
  readonly header: readonly string[];
  readonly rows: readonly (readonly string[])[];
  /** Marks pass/fail cells for colouring: `row:column` -> pass. */
  readonly verdictCells?: ReadonlyMap<string, boolean>;
  /** Column alignment; by default the first column is left-aligned and the others right-aligned. */
  readonly align?: readonly ('left' | 'right')[];
}

function colourRows(section: Section): string[][] {
  return section.rows.map((row, rowIndex) =>
    row.map((cell, column) => {
      const pass = section.verdictCells?.get(`${rowIndex}:${column}`);
      return pass === undefined ? cell : pass ? pc.green(cell) : pc.red(cell);
    }),
  );
}

export function terminalSection(section: Section): string {
  const notes = section.notes.filter((note) => note !== '').map((note) => pc.dim(`  ${note}`));
  return [pc.bold(section.title), textTable(section.header, colourRows(section), section.align ? { align: section.align } : {}), ...notes].join('\n');
}

export function markdownSection(section: Section, level = '##'): string {
  return [`${level} ${section.title}`, markdownTable(section.header, section.rows, section.align), ...section.notes.filter((n) => n !== '').map((note) => `_${note}_`)].join('\n\n');
}
