/**
 * The synth plan of a spec and one of its candidate architectures: the only place where `synth/` reads the
 * resolved spec, the catalog and advise's architecture. Whatever cannot be built on AWS as specified is
 * refused here, with every reason at once (SynthPlanError), before any construct exists.
 */
import type { Architecture } from '../advise/architecture.ts';
import { regionLoads } from '../advise/cost-plan.ts';
import { routingRecords } from '../advise/routing-records.ts';
import { ROUTE53_REQUEST_INTERVALS_SECONDS } from '../core/routing/health-check.ts';
import { regionOfReference } from '../experiments/fault-references.ts';
import type { ResolvedExperiment } from '../experiments/resolved-experiment.ts';
import type { ResolvedSpec } from '../spec/resolved-spec.ts';
import { stackNameBase } from './meridian-app.ts';
import type { SynthDataClass, SynthExperiment, SynthFault, SynthPlan, SynthRecord, SynthService } from './synth-plan.ts';

/** The compute placeholder's container port: what the image is expected to listen on. */
export const CONTAINER_PORT_DEFAULT = 8080;

/** The placeholder's image when the spec names none: Node.js, running PLACEHOLDER_SERVER. */
export const PLACEHOLDER_IMAGE = 'public.ecr.aws/docker/library/node:20-alpine';

/**
 * The placeholder's server: answers every path (the health path included) with 200 and a JSON line
 * naming the service and region, on `PORT`; so a region deploys healthy before the real image exists.
 */
export const PLACEHOLDER_SERVER =
  "require('http').createServer((q,s)=>{s.writeHead(200,{'content-type':'application/json'});s.end(JSON.stringify({service:process.env.MERIDIAN_SERVICE,region:process.env.MERIDIAN_REGION,path:q.url,placeholder:true})+'\\n')}).listen(Number(process.env.PORT))";

function synthService(name: string, image: string | undefined, healthPath: string): SynthService {
  const common = { name, healthPath, containerPort: CONTAINER_PORT_DEFAULT };
  return image === undefined ? { ...common, image: PLACEHOLDER_IMAGE, command: ['node', '-e', PLACEHOLDER_SERVER] } : { ...common, image };
}

export class SynthPlanError extends Error {
  readonly code = 'SYNTH_REFUSED';
  constructor(readonly reasons: readonly string[]) {
    super(`cannot build this on AWS as specified:\n${reasons.map((reason) => `  - ${reason}`).join('\n')}`);
    this.name = 'SynthPlanError';
  }
}

export function buildSynthPlan(spec: ResolvedSpec, architecture: Architecture, experiments: readonly ResolvedExperiment[] = []): SynthPlan {
  const reasons = refusals(spec, architecture);
  if (reasons.length > 0) throw new SynthPlanError(reasons);
  const routed = [...architecture.servingRegions, ...architecture.standbyRegions];
  const loads = regionLoads(spec, architecture);
  const order = (region: string) => {
    const position = spec.deploy.order.indexOf(region);
    return position >= 0 ? position : spec.deploy.order.length + routed.indexOf(region);
  };
  const dataRegions = architecture.placements.flatMap((placement) => [...placement.replicas, ...(placement.witness ? [placement.witness] : [])]);
  const regions = [...new Set([...routed, ...dataRegions])].sort((a, b) => order(a) - order(b));
  const service = spec.services[0];
  const healthCheck = architecture.routing.healthCheck;
  return {
    name: spec.name,
    domain: spec.domain,
    architecture: { kind: architecture.kind, title: architecture.title },
    primaryRegion: architecture.primary,
    regions: regions.map((region, index) => ({
      region,
      role: architecture.servingRegions.includes(region) ? 'serving' : 'standby',
      instances: loads.find((load) => load.code === region)?.instances ?? 0,
      deployOrder: index + 1,
    })),
    routing: {
      policy: architecture.routing.policy,
      ttlSeconds: architecture.routing.ttlSeconds,
      healthCheck: healthCheck === undefined ? undefined : { intervalSeconds: healthCheck.intervalSeconds, failureThreshold: healthCheck.failureThreshold, path: healthCheck.path },
      evaluateTargetHealth: spec.routing.evaluateTargetHealth,
      records: routingRecords(architecture).map(synthRecord),
      edge: architecture.routing.edge,
    },
    dataClasses: architecture.placements.map((placement): SynthDataClass => {
      const zone = placement.residencyZone;
      return {
        name: placement.dataClass,
        consistency: placement.consistency,
        engine: placement.engine,
        replicas: placement.replicas,
        writer: placement.writer,
        witness: placement.witness,
        residency: zone === undefined ? undefined : { zone, regions: spec.zones[zone] ?? [] },
      };
    }),
    zones: spec.zones,
    service: synthService(service?.name ?? 'app', service?.image, service?.healthPath ?? healthCheck?.path ?? '/health'),
    monthlyBudgetUsd: spec.budget.monthlyUsd,
    experiments: experiments.map((experiment) => synthExperiment(experiment, architecture)),
  };
}

function synthRecord(record: ReturnType<typeof routingRecords>[number]): SynthRecord {
  const location = record.location;
  return {
    setIdentifier: record.setIdentifier,
    region: record.targetRegion,
    ...(record.weight === undefined ? {} : { weight: record.weight }),
    ...(record.failoverRole === undefined ? {} : { failoverRole: record.failoverRole === 'primary' ? ('PRIMARY' as const) : ('SECONDARY' as const) }),
    ...(location?.kind === 'country' ? { country: location.countryCode } : {}),
    ...(location?.kind === 'continent' ? { continent: location.continentCode } : {}),
    ...(location?.kind === 'default' ? { isDefaultLocation: true } : {}),
  };
}

/** What AWS does not offer as the spec asks. */
function refusals(spec: ResolvedSpec, architecture: Architecture): string[] {
  const reasons: string[] = [];
  const healthCheck = architecture.routing.healthCheck;
  if (healthCheck && !ROUTE53_REQUEST_INTERVALS_SECONDS.includes(healthCheck.intervalSeconds)) {
    reasons.push(`routing.healthCheck.intervalSeconds ${healthCheck.intervalSeconds}: Route 53 and Global Accelerator health checks run every ${ROUTE53_REQUEST_INTERVALS_SECONDS.join(' or ')} seconds (faster settings exist for the lab and the simulator only)`);
  }
  if (architecture.infeasible.length > 0) reasons.push(...architecture.infeasible.map((reason) => `architecture ${architecture.kind}: ${reason}`));
  if (architecture.routing.policy === 'multivalue') {
    reasons.push('routing.policy multivalue: Route 53 multivalue answers return IP addresses, and the compute placeholder is behind load balancers whose addresses are not fixed (use latency, weighted or failover routing)');
  }
  if (spec.services.length > 1) reasons.push(`services: ${spec.services.length} services; the CDK app builds one compute placeholder per region (one service)`);
  const regions = [...architecture.servingRegions, ...architecture.standbyRegions, ...architecture.placements.flatMap((placement) => placement.replicas)];
  const longest = [...new Set(regions)].map((region) => `${stackNameBase(spec.name)}-keys-${region}`).sort((a, b) => b.length - a.length)[0];
  if (longest !== undefined && longest.length > STACK_NAME_LENGTH_MAX) {
    reasons.push(`name: CloudFormation stack names are at most ${STACK_NAME_LENGTH_MAX} characters, and this name makes ${longest.length} (${longest.slice(0, 40)}…); shorten it`);
  }
  return reasons;
}

/** CloudFormation's limit on a stack name. */
const STACK_NAME_LENGTH_MAX = 128;

/** An experiment with roles resolved to regions and times in seconds. */
function betweenOf(fault: ResolvedExperiment['faults'][number], architecture: Architecture): Pick<SynthFault, 'between' | 'oneWay'> {
  if (fault.action !== 'partition' && fault.action !== 'link-latency') return {};
  if (fault.between === undefined) return {};
  // A role the architecture lacks (no secondary in a single region) stays a name, which no region has:
  // the FIS translation then says the region has no stack.
  const [first, second] = fault.between.map((reference) => regionOfReference(architecture, reference) ?? reference);
  const between: [string, string] = [first!, second!];
  return fault.action === 'partition' ? { between, oneWay: fault.oneWay } : { between };
}

function synthExperiment(experiment: ResolvedExperiment, architecture: Architecture): SynthExperiment {
  const region = (reference: string | undefined) => (reference === undefined ? undefined : regionOfReference(architecture, reference));
  return {
    name: experiment.name,
    description: experiment.description,
    durationSeconds: experiment.durationMs / 1000,
    faults: experiment.faults.map((fault): SynthFault => ({
      action: fault.action,
      startSeconds: fault.startMs / 1000,
      durationSeconds: (fault.endMs - fault.startMs) / 1000,
      region: region('region' in fault ? fault.region : fault.action === 'partition' ? fault.isolate : undefined),
      scope: fault.action === 'region-outage' ? fault.scope : undefined,
      dataClass: fault.action === 'replication-pause' ? fault.dataClass : undefined,
      errorRate: fault.action === 'error-injection' ? fault.errorRate : undefined,
      ...betweenOf(fault, architecture),
    })),
  };
}
