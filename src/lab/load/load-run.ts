import { Agent, request } from 'undici';
import type { Architecture } from '../../advise/architecture.ts';
import { RequestOutcome, RunRecorder } from '../../report/run-recorder.ts';
import { buildRunPlan, type RunPlan } from '../../workload/run-plan.ts';
import { WriteOracle } from '../../workload/write-oracle.ts';
import type { ResolvedSpec } from '../../spec/resolved-spec.ts';
import { PlaceResolvers } from './dns-resolver.ts';
import type { HostPort, LoadTargets } from './load-targets.ts';
import type { PopulationPlace } from '../traffic/population-places.ts';

/**
 * `meridian load`: the spec's user populations played against a running lab. Each population sends
 * requests at its share of the rate (Poisson arrivals, open loop: a slow region does not slow the
 * users down), from its places in proportion to their weights, with the spec's mix of reads, writes and
 * other requests (the simulator's run plan, so both backends draw the same mix). A request resolves the
 * service's name through the place's TTL-honouring resolver (or goes to the place's accelerator edge),
 * travels the WAN link from the place to the region, and is recorded in the report model `meridian
 * simulate` fills. Every written value is the write's id, so reads tell which write they saw.
 */
export interface LoadOptions {
  readonly durationMs: number;
  /** Total requests per second; the spec's population rates are scaled to add up to it. */
  readonly requestsPerSecond: number;
  /** Distinct items per data class. @default 200 */
  readonly keysPerClass?: number;
  /** @default 5000 */
  readonly requestTimeoutMs?: number;
  /** Requests in flight at most; arrivals past it are counted as not sent (the client's limit, not the system's). @default 1024 */
  readonly inFlightMax?: number;
  readonly onProgress?: (progress: LoadProgress) => void;
  /** Told when the first request is due, with the recorder, so that a caller can time faults and read availability. */
  readonly onStart?: (recorder: RunRecorder, startedAtMs: number) => void;
  /** Ends the run early (a stop condition fired). */
  readonly signal?: AbortSignal;
}

export interface LoadProgress {
  readonly elapsedMs: number;
  readonly sent: number;
  readonly failed: number;
  readonly inFlight: number;
}

export interface LoadResult {
  readonly plan: RunPlan;
  readonly recorder: RunRecorder;
  readonly oracles: readonly WriteOracle[];
  /** Per data class, when each write (by id) was issued: a write is lost only if what survived was acknowledged before it began. */
  readonly writeIssuedMs: readonly Map<number, number>[];
  readonly elapsedMs: number;
  readonly notSent: number;
  readonly dnsQueries: number;
  readonly dnsFailures: number;
  /** Per class and region, reads and writes answered (for the cost of the run). */
  readonly readsByClassRegion: Record<string, Record<string, number>>;
  readonly writesByClassRegion: Record<string, Record<string, number>>;
}

const PROGRESS_EVERY_MS = 1000;
const SCHEDULER_TICK_MS = 5;

export async function runLoad(spec: ResolvedSpec, architecture: Architecture, targets: LoadTargets, options: LoadOptions): Promise<LoadResult> {
  const specRate = spec.populations.reduce((sum, population) => sum + population.requestsPerSecond, 0);
  const plan = buildRunPlan(spec, architecture, specRate > 0 ? options.requestsPerSecond / specRate : 0);
  const recorder = new RunRecorder({ populations: plan.populations.map((p) => p.name), operations: plan.operations.map((o) => o.name), regions: targets.regions, durationMs: options.durationMs });
  const client = new LoadClient(plan, targets, recorder, options);
  const startedMs = performance.now();
  options.onStart?.(recorder, startedMs);
  const nextArrivalMs = plan.populations.map((population) => exponentialMs(population.requestsPerSecond));
  let lastProgressMs = 0;
  while (true) {
    const elapsedMs = performance.now() - startedMs;
    if (elapsedMs >= options.durationMs || options.signal?.aborted) break;
    plan.populations.forEach((population, index) => {
      while (nextArrivalMs[index]! <= elapsedMs) {
        client.issue(index, nextArrivalMs[index]!);
        nextArrivalMs[index]! += exponentialMs(population.requestsPerSecond);
      }
    });
    if (elapsedMs - lastProgressMs >= PROGRESS_EVERY_MS) {
      lastProgressMs = elapsedMs;
      options.onProgress?.({ elapsedMs, sent: client.sent, failed: client.failed, inFlight: client.inFlight });
    }
    await new Promise((resolve) => setTimeout(resolve, SCHEDULER_TICK_MS));
  }
  await client.drain(options.requestTimeoutMs ?? 5000);
  return client.result(performance.now() - startedMs);
}

/** Milliseconds to the next Poisson arrival at `perSecond` (Infinity when the rate is 0). */
function exponentialMs(perSecond: number): number {
  return perSecond > 0 ? (-Math.log(1 - Math.random()) / perSecond) * 1000 : Number.POSITIVE_INFINITY;
}

function draw(cumulative: Float64Array): number {
  const value = Math.random();
  for (let index = 0; index < cumulative.length; index += 1) if (value < cumulative[index]!) return index;
  return cumulative.length - 1;
}

class LoadClient {
  sent = 0;
  failed = 0;
  inFlight = 0;
  private notSent = 0;
  private readonly agent = new Agent({ keepAliveTimeout: 10_000, connections: 64 });
  private readonly resolvers: PlaceResolvers;
  private readonly oracles: WriteOracle[];
  private readonly writeIssuedMs: Map<number, number>[];
  private readonly regionIndex: Map<string, number>;
  private readonly placeOf: Map<string, PopulationPlace>;
  private readonly readsByClassRegion: Record<string, Record<string, number>> = {};
  private readonly writesByClassRegion: Record<string, Record<string, number>> = {};
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly plan: RunPlan,
    private readonly targets: LoadTargets,
    private readonly recorder: RunRecorder,
    private readonly options: LoadOptions,
  ) {
    const resolversBySubnet = new Map(targets.places.map((place) => [place.subnet, plan.spec.populations[place.populationIndex]!.dnsResolvers]));
    this.resolvers = new PlaceResolvers(targets.dns, `api.${targets.domain}`, (subnet) => resolversBySubnet.get(subnet) ?? 1);
    this.oracles = plan.dataClasses.map(() => new WriteOracle());
    this.writeIssuedMs = plan.dataClasses.map(() => new Map<number, number>());
    this.regionIndex = new Map(targets.regions.map((region, index) => [region, index]));
    this.placeOf = new Map(targets.places.map((place) => [`${place.populationIndex}/${place.pointIndex}`, place]));
  }

  issue(population: number, scheduledMs: number): void {
    if (this.inFlight >= (this.options.inFlightMax ?? 1024)) {
      this.notSent += 1;
      return;
    }
    this.sent += 1;
    this.inFlight += 1;
    const done = this.send(population, scheduledMs).finally(() => {
      this.inFlight -= 1;
      this.pending.delete(done);
    });
    this.pending.add(done);
  }

  private async send(population: number, scheduledMs: number): Promise<void> {
    const planPopulation = this.plan.populations[population]!;
    const place = this.placeOf.get(`${population}/${draw(planPopulation.pointCumulative)}`)!;
    const operationIndex = draw(planPopulation.operationCumulative);
    const operation = this.plan.operations[operationIndex]!;
    const issuedMs = performance.now();
    let region = -1;
    let outcome = RequestOutcome.TrafficFailure;
    try {
      const destination = await this.destination(place);
      region = destination.region;
      const answered = await this.call(destination.address, operation, issuedMs);
      if (answered.region !== undefined) region = this.regionIndex.get(answered.region) ?? region;
      outcome = answered.outcome;
    } catch {
      outcome = RequestOutcome.TrafficFailure;
    }
    if (outcome !== RequestOutcome.Ok) this.failed += 1;
    this.recorder.recordRequest(Math.max(0, scheduledMs), population, operationIndex, region, performance.now() - issuedMs, outcome);
  }

  /** Where this request goes: the place's accelerator listener, or the region DNS answers through the place's link. */
  private async destination(place: PopulationPlace): Promise<{ address: HostPort; region: number }> {
    const edge = this.targets.edge?.listeners[place.name];
    if (edge) return { address: edge, region: -1 };
    const addresses = await this.resolvers.resolve(place.subnet);
    if (addresses.length === 0) throw new Error('no address');
    const regionName = this.targets.ingress[addresses[Math.floor(Math.random() * addresses.length)]!];
    const path = regionName === undefined ? undefined : this.targets.paths[place.name]?.[regionName];
    if (!path) throw new Error(`no path from ${place.name} to ${regionName}`);
    return { address: path, region: this.regionIndex.get(regionName!) ?? -1 };
  }

  private async call(address: HostPort, operation: RunPlan['operations'][number], issuedMs: number): Promise<{ outcome: RequestOutcome; region: string | undefined }> {
    const dataClass = operation.dataClass >= 0 ? this.plan.dataClasses[operation.dataClass]! : undefined;
    const key = dataClass ? Math.floor(Math.random() * (this.options.keysPerClass ?? 200)) : 0;
    const oracle = dataClass ? this.oracles[operation.dataClass]! : undefined;
    const writeId = operation.isWrite ? oracle!.newWriteId() : 0;
    if (operation.isWrite) this.writeIssuedMs[operation.dataClass]!.set(writeId, issuedMs);
    const path = dataClass ? `/data/${encodeURIComponent(dataClass.name)}/k${key}` : '/browse';
    const response = await request(`http://${address.host}:${address.port}${path}`, {
      method: operation.isWrite ? 'PUT' : 'GET',
      dispatcher: this.agent,
      ...(operation.isWrite ? { body: JSON.stringify({ value: String(writeId) }), headers: { 'content-type': 'application/json' } } : {}),
      headersTimeout: this.options.requestTimeoutMs ?? 5000,
      bodyTimeout: this.options.requestTimeoutMs ?? 5000,
    });
    const region = response.headers['x-meridian-region'] as string | undefined;
    const text = await response.body.text();
    if (response.statusCode !== 200) {
      // The app answered with a data error (its data call failed) or the region failed the request.
      const dataError = region !== undefined && [403, 409, 502, 503, 504].includes(response.statusCode) && /"error"/.test(text);
      return { outcome: dataError ? RequestOutcome.DataFailure : RequestOutcome.TrafficFailure, region };
    }
    if (dataClass && region !== undefined) this.count(operation.isWrite ? this.writesByClassRegion : this.readsByClassRegion, dataClass.name, region);
    if (oracle && operation.isWrite) {
      const ackMs = performance.now();
      oracle.acknowledge({ id: writeId, key, ackMs, commitMs: ackMs, seq: 0, epoch: 0 });
    } else if (oracle) {
      const body = JSON.parse(text) as { found?: boolean; value?: string };
      // Stale when a write acknowledged before this read was issued is newer than what it returned.
      oracle.read(key, issuedMs, body.found ? body.value : undefined);
    }
    return { outcome: RequestOutcome.Ok, region };
  }

  private count(table: Record<string, Record<string, number>>, dataClass: string, region: string): void {
    const byRegion = (table[dataClass] ??= {});
    byRegion[region] = (byRegion[region] ?? 0) + 1;
  }

  /** Waits for requests in flight, at most `timeoutMs` past their own timeouts. */
  async drain(timeoutMs: number): Promise<void> {
    await Promise.race([Promise.allSettled([...this.pending]), new Promise((resolve) => setTimeout(resolve, timeoutMs + 1000))]);
    await this.agent.close().catch(() => undefined);
  }

  result(elapsedMs: number): LoadResult {
    return {
      plan: this.plan,
      recorder: this.recorder,
      oracles: this.oracles,
      writeIssuedMs: this.writeIssuedMs,
      elapsedMs,
      notSent: this.notSent,
      dnsQueries: this.resolvers.queries,
      dnsFailures: this.resolvers.failures,
      readsByClassRegion: this.readsByClassRegion,
      writesByClassRegion: this.writesByClassRegion,
    };
  }
}
