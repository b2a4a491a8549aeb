import type { Command } from 'commander';
import pc from 'picocolors';
import { regionRtt, rttFitReport, type RttFitReport } from '../catalog/latency.ts';
import { findRegion, REGIONS, suggestRegion } from '../catalog/regions.ts';
import { RTT_SOURCE } from '../catalog/rtt-matrix.ts';
import type { RttFitError } from '../core/latency/rtt-model.ts';
import { textTable } from '../report/text-table.ts';
import { EXIT_OK, UsageError } from './cli-errors.ts';
import type { CommandContext } from './command-context.ts';

interface RegionsOptions {
  from?: string;
  fit?: boolean;
  json?: boolean;
}

function fitRows(name: string, error: RttFitError): string[] {
  return [
    name,
    String(error.samples),
    error.meanAbsoluteErrorMs.toFixed(1),
    error.rootMeanSquareErrorMs.toFixed(1),
    `${error.medianAbsolutePercentError.toFixed(1)} %`,
    `${error.p90AbsolutePercentError.toFixed(1)} %`,
    error.rSquared.toFixed(3),
    `${error.worstPair.from} → ${error.worstPair.to}: ${error.worstPair.measuredMs.toFixed(0)} vs ${error.worstPair.predictedMs.toFixed(0)} ms`,
  ];
}

function renderFit(report: RttFitReport): string {
  const { model } = report;
  return [
    pc.bold('Round-trip model fitted on the measured inter-region matrix'),
    `  source: ${RTT_SOURCE.description}, captured ${RTT_SOURCE.captured}`,
    `  line:   RTT = ${model.interceptMs.toFixed(1)} ms + ${(model.msPerKm * 1000).toFixed(2)} ms per 1000 km of great-circle distance`,
    `          (light in fibre along the great circle needs ${(report.fibreMsPerKm * 1000).toFixed(2)} ms per 1000 km: paths are ${(model.msPerKm / report.fibreMsPerKm).toFixed(2)}× longer)`,
    '',
    textTable(['estimator', 'pairs', 'MAE ms', 'RMSE ms', 'median err', 'p90 err', 'R²', 'worst pair (measured vs predicted)'], [
      fitRows('straight line, all pairs', report.linear),
      fitRows('anchored, leave-one-out', report.anchoredLeaveOneOut),
    ]),
    '',
    pc.dim('  User populations use the anchored estimator: distance to the nearest measured region at the fitted slope,'),
    pc.dim('  plus that region\'s measured round trip to the target, plus the access network. Leave-one-out scores it by'),
    pc.dim('  letting each region play a population, anchored on its nearest other region.'),
    report.regionsWithoutMeasurements.length > 0 ? pc.dim(`  No measurements for ${report.regionsWithoutMeasurements.join(', ')}: their round trips are estimated.`) : '',
  ].join('\n');
}

function renderFrom(from: string): { text: string; rows: { region: string; city: string; rttMs: number; provenance: string }[] } {
  const rows = REGIONS.filter((region) => region.code !== from)
    .map((region) => ({ region: region.code, city: region.city, ...regionRtt(from, region.code) }))
    .sort((a, b) => a.rttMs - b.rttMs)
    .map((row) => ({ region: row.region, city: row.city, rttMs: row.rttMs, provenance: row.provenance }));
  const table = textTable(['region', 'city', 'RTT p50', 'source'], rows.map((row) => [row.region, row.city, `${row.rttMs.toFixed(1)} ms`, row.provenance]), { align: ['left', 'left', 'right', 'left'] });
  return { text: `${pc.bold(`Round trips from ${from} (${findRegion(from)!.city})`)}\n${table}`, rows };
}

export function registerRegions(program: Command, context: CommandContext): void {
  program
    .command('regions')
    .description('the region catalog: code, city, zone; round trips from a region; the fit of the round-trip model')
    .option('--from <region>', 'round trips from this region to every other, nearest first')
    .option('--fit', "the round-trip model's fit on the measured matrix")
    .option('--json', 'print as JSON')
    .action((options: RegionsOptions) => {
      if (options.from !== undefined && !findRegion(options.from)) {
        const suggestion = suggestRegion(options.from);
        throw new UsageError(`--from: unknown region code '${options.from}'${suggestion ? ` (did you mean ${suggestion}?)` : ''}`);
      }
      if (options.fit) {
        const report = rttFitReport();
        context.out(options.json ? `${JSON.stringify(report, null, 2)}\n` : `${renderFit(report)}\n`);
      } else if (options.from) {
        const rendered = renderFrom(options.from);
        context.out(options.json ? `${JSON.stringify({ from: options.from, source: RTT_SOURCE.description, roundTrips: rendered.rows }, null, 2)}\n` : `${rendered.text}\n`);
      } else if (options.json) {
        context.out(`${JSON.stringify(REGIONS, null, 2)}\n`);
      } else {
        const rows = REGIONS.map((region) => [region.code, region.name, region.city, region.regulatoryZone, region.inRttMatrix ? 'measured' : 'estimated']);
        context.out(`${textTable(['code', 'name', 'city', 'zone', 'round trips'], rows, { align: ['left', 'left', 'left', 'left', 'left'] })}\n`);
      }
      context.setExitCode(EXIT_OK);
    });
}
