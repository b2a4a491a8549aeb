/** Plain-text and Markdown tables: the two renderings every report needs. */
export type Alignment = 'left' | 'right';

export interface TableOptions {
  readonly align?: readonly Alignment[];
  /** Visible width of a cell, so that ANSI colour codes do not break alignment. */
  readonly indent?: number;
}

const ANSI = /\u001b\[[0-9;]*m/g;

export function visibleWidth(text: string): number {
  return [...text.replace(ANSI, '')].length;
}

function pad(text: string, width: number, alignment: Alignment): string {
  const fill = ' '.repeat(Math.max(0, width - visibleWidth(text)));
  return alignment === 'right' ? fill + text : text + fill;
}

export function textTable(header: readonly string[], rows: readonly (readonly string[])[], options: TableOptions = {}): string {
  const widths = header.map((cell, column) => Math.max(visibleWidth(cell), ...rows.map((row) => visibleWidth(row[column] ?? ''))));
  const align = (column: number) => options.align?.[column] ?? (column === 0 ? 'left' : 'right');
  const indent = ' '.repeat(options.indent ?? 2);
  const line = (cells: readonly string[]) => indent + cells.map((cell, column) => pad(cell, widths[column]!, align(column))).join('  ').trimEnd();
  return [line(header), indent + widths.map((width) => '─'.repeat(width)).join('  '), ...rows.map(line)].join('\n');
}

function escapeMarkdown(text: string): string {
  return text.replace(ANSI, '').replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[], align: readonly Alignment[] = []): string {
  const rule = header.map((_, column) => ((align[column] ?? (column === 0 ? 'left' : 'right')) === 'right' ? '---:' : '---'));
  const line = (cells: readonly string[]) => `| ${cells.map(escapeMarkdown).join(' | ')} |`;
  return [line(header), `| ${rule.join(' | ')} |`, ...rows.map(line)].join('\n');
}

export function formatUsd(value: number): string {
  return `$${value.toLocaleString('en-US', { maximumFractionDigits: value < 100 ? 2 : 0, minimumFractionDigits: value < 100 ? 2 : 0 })}`;
}

export function formatPercent(fraction: number, digits = 3): string {
  return `${(fraction * 100).toFixed(digits)} %`;
}

export function formatSeconds(seconds: number): string {
  if (seconds < 120) return `${Number(seconds.toFixed(1))} s`;
  if (seconds < 7200) return `${Number((seconds / 60).toFixed(1))} min`;
  return `${Number((seconds / 3600).toFixed(1))} h`;
}
