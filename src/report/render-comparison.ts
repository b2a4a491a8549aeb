import pc from 'picocolors';
import { describeRtoTolerance, type ComparisonRow, type FaultWindowSeconds, type ReportComparison } from './compare-reports.ts';
import type { RunReport } from './run-report.ts';
import { markdownSection, terminalSection, type Section } from './section.ts';
import { formatPercent } from './text-table.ts';

/**
 * The comparison of a simulated and a measured run as titled tables (figure | predicted | simulated |
 * measured | difference | within tolerance), drawn by the same section machinery as a run report.
 * Colour comes from picocolors in section.ts, which honours NO_COLOR and non-TTY output itself.
 */

const MISSING = '—';
const COLUMNS = ['figure', 'predicted', 'simulated', 'measured', 'difference', 'within tolerance'] as const;

function signed(value: number, text: string): string {
  return value > 0 ? `+${text}` : value < 0 ? `-${text}` : text;
}

const trimmed = (value: number, digits: number) => String(Number(value.toFixed(digits)));
const milliseconds = (value: number) => (value >= 100 ? value.toFixed(0) : value.toFixed(1));

function formatValue(row: ComparisonRow, value: number | boolean | null | undefined): string {
  if (value === undefined) return '';
  if (value === null) return MISSING;
  if (typeof value === 'boolean') return value ? 'yes' : 'NO';
  switch (row.unit) {
    case 'fraction':
      return formatPercent(value, 4);
    case 'seconds':
      return `${trimmed(value, 2)} s`;
    case 'count':
      return value.toLocaleString('en-US');
    case 'perThousand':
      return trimmed(value, 3);
    case 'milliseconds':
      return `${milliseconds(value)} ms`;
    case 'yesNo':
      return value ? 'yes' : 'NO';
  }
}

function formatDifference(row: ComparisonRow): string {
  const { difference } = row;
  if (difference === null) return row.simulated === null || row.measured === null ? MISSING : '';
  const magnitude = Math.abs(difference);
  switch (row.unit) {
    case 'fraction':
      return signed(difference, `${(magnitude * 100).toFixed(4)} pp`);
    case 'seconds': {
      const percent = row.differencePercent;
      const relative = percent === undefined || percent === null ? '' : ` (${signed(percent, `${trimmed(Math.abs(percent), 1)} %`)})`;
      return `${signed(difference, `${trimmed(magnitude, 2)} s`)}${relative}`;
    }
    case 'milliseconds':
      return signed(difference, `${milliseconds(magnitude)} ms`);
    default:
      return signed(difference, trimmed(magnitude, 3));
  }
}

function tableRow(row: ComparisonRow, indent: string): string[] {
  const tolerance = row.withinTolerance === undefined ? '' : row.withinTolerance ? 'yes' : 'no';
  return [`${indent}${row.figure}`, formatValue(row, row.predicted), formatValue(row, row.simulated), formatValue(row, row.measured), formatDifference(row), tolerance, row.note ?? ''];
}

interface RowGroup {
  /** A heading row above the group's figures; undefined for a flat list. */
  readonly title: string | undefined;
  readonly rows: readonly ComparisonRow[];
}

/** A section of groups: heading rows, indented figures, a note column only when some row has a note. */
function groupedSection(title: string, groups: readonly RowGroup[], notes: readonly string[]): Section {
  const rows: string[][] = [];
  const verdictCells = new Map<string, boolean>();
  for (const group of groups) {
    if (group.title !== undefined) rows.push([group.title, '', '', '', '', '', '']);
    for (const row of group.rows) {
      if (row.withinTolerance !== undefined) verdictCells.set(`${rows.length}:5`, row.withinTolerance);
      rows.push(tableRow(row, group.title === undefined ? '' : '  '));
    }
  }
  const withNotes = rows.some((row) => row[6] !== '');
  return {
    title,
    notes: rows.length === 0 ? ['nothing to compare: neither report has these figures', ...notes] : notes,
    header: withNotes ? [...COLUMNS, 'note'] : [...COLUMNS],
    rows: withNotes ? rows : rows.map((row) => row.slice(0, 6)),
    verdictCells,
    align: ['left', 'right', 'right', 'right', 'right', 'left', 'left'],
  };
}

function windowText(window: FaultWindowSeconds | null): string {
  return window === null ? MISSING : `${window.startSeconds}–${window.endSeconds} s`;
}

function faultTitle(fault: ReportComparison['recovery'][number]): string {
  const { simulatedWindow, measuredWindow } = fault;
  const same = simulatedWindow !== null && measuredWindow !== null && simulatedWindow.startSeconds === measuredWindow.startSeconds && simulatedWindow.endSeconds === measuredWindow.endSeconds;
  const window = same || measuredWindow === null ? windowText(simulatedWindow) : `simulated ${windowText(simulatedWindow)}, measured ${windowText(measuredWindow)}`;
  return `${fault.fault} (${window})`;
}

function runText(meta: RunReport['meta']): string {
  const seed = meta.seed === undefined ? '' : `seed ${meta.seed}, `;
  const stopped = meta.stoppedEarly ? ` (stopped early at ${meta.stoppedEarly.atSeconds} s)` : '';
  return `${meta.backend}: ${seed}${meta.durationSeconds} s ${meta.backend === 'lab' ? 'measured' : 'simulated'}${stopped}`;
}

function headerSection(comparison: ReportComparison): Section {
  const { simulated, measured } = comparison;
  const both = (pick: (meta: RunReport['meta']) => string) => (pick(simulated) === pick(measured) ? pick(simulated) : `${pick(simulated)} (simulated) / ${pick(measured)} (measured)`);
  return {
    title: `meridian compare: ${both((meta) => meta.spec)}`,
    notes: [],
    header: ['figure', 'value'],
    rows: [
      ['experiment', both((meta) => meta.experiment ?? '(none: steady state)')],
      ['architecture', both((meta) => `${meta.architectureTitle} (${meta.architecture})`)],
      ['simulated run', runText(simulated)],
      ['measured run', runText(measured)],
    ],
    align: ['left', 'left'],
  };
}

export function comparisonSections(comparison: ReportComparison): Section[] {
  return [
    headerSection(comparison),
    groupedSection('Availability', [{ title: undefined, rows: comparison.availability }, { title: 'requests (informational)', rows: comparison.requests }], [
      'difference: measured − simulated, in percentage points (pp) for availability',
    ]),
    groupedSection(
      'Recovery (RTO) per population',
      comparison.recovery.map((fault) => ({ title: faultTitle(fault), rows: fault.rows })),
      [
        describeRtoTolerance(comparison.rtoTolerance),
        'users: traffic recovery of the population (predicted: traffic failover); operation: every failure of that operation until it succeeds again (predicted for writes: writes back after)',
        'RTO is measured on 1-second buckets: recovered = error ratio ≤ 1 % for 10 s in a row; — = missing, or never recovered in the run',
      ],
    ),
    groupedSection(
      'Data (RPO, conflicts, stale reads) per class',
      comparison.data.map((dataClass) => ({ title: `${dataClass.dataClass} (${dataClass.consistency})`, rows: dataClass.rows })),
      ['counts depend on the request volume, which differs by design; the rates per 1000 are comparable'],
    ),
    groupedSection(
      'Latency per population',
      comparison.latency.map((population) => ({ title: population.population, rows: population.rows })),
      ['successful requests, every operation; predicted: what `meridian advise` estimates (p50, p99)'],
    ),
  ];
}

export function renderComparisonTerminal(comparison: ReportComparison): string {
  const tables = comparisonSections(comparison).map(terminalSection).join('\n\n');
  const explanations = comparison.explanations.length === 0 ? '' : `\n\n${[pc.bold('Explanations'), ...comparison.explanations.map((line) => `  - ${line}`)].join('\n')}`;
  return `${tables}${explanations}\n`;
}

export function renderComparisonMarkdown(comparison: ReportComparison): string {
  const [header, ...rest] = comparisonSections(comparison);
  const explanations = comparison.explanations.length === 0 ? [] : [`## Explanations\n\n${comparison.explanations.map((line) => `- ${line}`).join('\n')}`];
  return `# ${header!.title}\n\n${[markdownSection({ ...header!, title: 'Runs' }), ...rest.map((section) => markdownSection(section)), ...explanations].join('\n\n')}\n`;
}

/**
 * The comparison as built, with both reports' meta; undefined meta fields (a lab run's seed, a
 * steady-state experiment) become null so that every key is always present.
 */
export function renderComparisonJson(comparison: ReportComparison): string {
  return `${JSON.stringify(comparison, (_key, value: unknown) => (value === undefined ? null : value), 2)}\n`;
}
