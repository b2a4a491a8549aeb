import { extname } from 'node:path';
import { parseDataSpec, readText, schemaIssues, withPosition, type SpecSource } from '../spec/load-spec.ts';
import type { ResolvedSpec } from '../spec/resolved-spec.ts';
import { issueError, SpecInvalidError, SpecLoadError, type SpecIssue } from '../spec/spec-issue.ts';
import { DurationError, parseDurationMs } from './duration.ts';
import { experimentSchema, type ExperimentInput, type FaultInput } from './experiment-schema.ts';
import { REGION_ROLES, type ResolvedExperiment, type ResolvedFault } from './resolved-experiment.ts';

/** After the last fault ends, the run goes on this long by default so that recovery is observed. */
const RECOVERY_TAIL_MS = 5 * 60_000;

export async function readExperimentSource(file: string): Promise<SpecSource> {
  const extension = extname(file).toLowerCase();
  if (!['.yaml', '.yml', '.json'].includes(extension)) {
    throw new SpecLoadError('SPEC_UNSUPPORTED', file, `unsupported experiment format '${extension || '(none)'}': use .yaml, .yml or .json`);
  }
  return parseDataSpec(file, await readText(file), extension === '.json' ? 'json' : 'yaml');
}

/** Durations are checked here, with their paths, so a bad one is one clear issue. */
function durationIssues(input: ExperimentInput): SpecIssue[] {
  const issues: SpecIssue[] = [];
  const check = (path: string, value: string | number | undefined) => {
    if (value === undefined) return;
    try {
      parseDurationMs(value);
    } catch (error) {
      if (error instanceof DurationError) issues.push(issueError('experiment-duration', path, error.message));
      else throw error;
    }
  };
  check('duration', input.duration);
  input.faults.forEach((fault, i) => {
    check(`faults[${i}].at`, fault.at);
    check(`faults[${i}].duration`, fault.duration);
  });
  input.stop?.forEach((stop, i) => check(`stop[${i}].for`, stop.for));
  return issues;
}

function resolveFault(fault: FaultInput, index: number, runEndMs: number): ResolvedFault {
  const startMs = parseDurationMs(fault.at);
  const endMs = fault.duration === undefined ? runEndMs : Math.min(runEndMs, startMs + parseDurationMs(fault.duration));
  const base = { index, startMs, endMs, note: fault.note };
  switch (fault.action) {
    case 'region-outage':
      return { ...base, action: fault.action, region: fault.region, scope: fault.scope ?? 'all' };
    case 'link-latency':
      return { ...base, action: fault.action, between: fault.between, addMs: fault.addMs, jitterMs: fault.jitterMs ?? 0 };
    case 'partition':
      return { ...base, action: fault.action, between: fault.between, isolate: fault.isolate, oneWay: fault.oneWay ?? false };
    case 'error-injection':
      return { ...base, action: fault.action, region: fault.region, errorRate: fault.errorRate, status: fault.status ?? 503 };
    case 'replication-pause':
      return { ...base, action: fault.action, region: fault.region, dataClass: fault.dataClass };
    case 'health-check-failure':
      return { ...base, action: fault.action, region: fault.region };
  }
}

export function resolveExperiment(input: ExperimentInput): ResolvedExperiment {
  const lastFaultEndMs = Math.max(
    0,
    ...input.faults.map((fault) => parseDurationMs(fault.at) + (fault.duration === undefined ? 0 : parseDurationMs(fault.duration))),
  );
  const durationMs = input.duration === undefined ? lastFaultEndMs + RECOVERY_TAIL_MS : parseDurationMs(input.duration);
  return {
    name: input.name,
    description: input.description,
    durationMs,
    loadScale: input.loadScale ?? 1,
    faults: input.faults.map((fault, index) => resolveFault(fault, index, durationMs)),
    stop: (input.stop ?? []).map((stop) => ({ when: stop.when, threshold: stop.threshold, forMs: parseDurationMs(stop.for), population: stop.population })),
  };
}

function regionIssues(spec: ResolvedSpec, experiment: ResolvedExperiment): SpecIssue[] {
  const regions = spec.regions.map((region) => region.code);
  const populations = spec.populations.map((population) => population.name);
  const known = (name: string, allowPopulation: boolean) =>
    regions.includes(name) || (REGION_ROLES as readonly string[]).includes(name) || (allowPopulation && populations.includes(name));
  const issues: SpecIssue[] = [];
  const expect = (path: string, name: string | undefined, allowPopulation = false) => {
    if (name !== undefined && !known(name, allowPopulation)) {
      const choices = [...regions, ...REGION_ROLES, ...(allowPopulation ? populations : [])].join(', ');
      issues.push(issueError('experiment-target', path, `'${name}' is not a region of the spec, a role or${allowPopulation ? ' a population' : ''} (${choices})`));
    }
  };
  for (const fault of experiment.faults) {
    const path = `faults[${fault.index}]`;
    if ('region' in fault) expect(`${path}.region`, fault.region);
    if (fault.action === 'link-latency') fault.between.forEach((end, i) => expect(`${path}.between[${i}]`, end, true));
    if (fault.action === 'partition') {
      fault.between?.forEach((end, i) => expect(`${path}.between[${i}]`, end));
      expect(`${path}.isolate`, fault.isolate);
    }
    if (fault.action === 'replication-pause' && fault.dataClass !== undefined && !spec.data.some((c) => c.name === fault.dataClass)) {
      issues.push(issueError('experiment-target', `${path}.dataClass`, `no data class named '${fault.dataClass}'`));
    }
  }
  experiment.stop.forEach((stop, i) => {
    if (stop.population !== undefined && !populations.includes(stop.population)) {
      issues.push(issueError('experiment-target', `stop[${i}].population`, `no population named '${stop.population}'`));
    }
  });
  return issues;
}

function valueIssues(experiment: ResolvedExperiment): SpecIssue[] {
  const issues: SpecIssue[] = [];
  if (!(experiment.durationMs > 0)) issues.push(issueError('experiment-values', 'duration', 'the run must last more than 0 s'));
  if (!(experiment.loadScale >= 0)) issues.push(issueError('experiment-values', 'loadScale', `must be 0 or more, not ${experiment.loadScale}`));
  for (const fault of experiment.faults) {
    const path = `faults[${fault.index}]`;
    if (fault.startMs >= experiment.durationMs) issues.push(issueError('experiment-values', `${path}.at`, 'starts after the run ends'));
    if (fault.endMs <= fault.startMs && fault.startMs < experiment.durationMs) issues.push(issueError('experiment-values', `${path}.duration`, 'must be longer than 0'));
    if (fault.action === 'error-injection' && !(fault.errorRate >= 0 && fault.errorRate <= 1)) {
      issues.push(issueError('experiment-values', `${path}.errorRate`, `must be a share between 0 and 1, not ${fault.errorRate}`));
    }
    if (fault.action === 'link-latency' && !(fault.addMs >= 0 && fault.jitterMs >= 0)) {
      issues.push(issueError('experiment-values', `${path}.addMs`, 'added latency and jitter must be 0 or more'));
    }
    if (fault.action === 'partition' && (fault.between === undefined) === (fault.isolate === undefined)) {
      issues.push(issueError('experiment-values', path, 'a partition needs either between or isolate'));
    }
  }
  experiment.stop.forEach((stop, i) => {
    if (!(stop.threshold > 0 && stop.threshold <= 1)) issues.push(issueError('experiment-values', `stop[${i}].threshold`, `must be a share in (0, 1], not ${stop.threshold}`));
  });
  return issues;
}

/** Reads, checks against the spec and resolves an experiment; throws SpecLoadError or SpecInvalidError. */
export async function loadExperiment(file: string, spec: ResolvedSpec): Promise<ResolvedExperiment> {
  const source = await readExperimentSource(file);
  const parsed = experimentSchema.safeParse(source.raw ?? {});
  if (!parsed.success) throw new SpecInvalidError(file, parsed.error.issues.flatMap((issue) => schemaIssues(issue, source)));
  const durations = durationIssues(parsed.data);
  if (durations.length > 0) throw new SpecInvalidError(file, durations.map((issue) => withPosition(issue, source)));
  const experiment = resolveExperiment(parsed.data);
  const issues = [...valueIssues(experiment), ...regionIssues(spec, experiment)].map((issue) => withPosition(issue, source));
  if (issues.length > 0) throw new SpecInvalidError(file, issues);
  return experiment;
}
