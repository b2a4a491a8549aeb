import { regionRtt } from '../../catalog/latency.ts';
import { routingRecords } from '../../advise/routing-records.ts';
import { createHealthCheck, resolveHealthCheckConfig } from '../../core/routing/health-check.ts';
import { createHealthCheckSet, type HealthCheckSet } from '../../core/routing/health-check-set.ts';
import { createAcceleratorHealthChecks, resolveAcceleratorConfig, type AcceleratorConfig } from '../../core/routing/global-accelerator.ts';
import { startAcceleratorEdge, type AcceleratorEdge } from '../edge/accelerator-edge.ts';
import { createAcceleratorRouter, type AcceleratorRouter } from '../edge/accelerator-router.ts';
import { startCdnEdge, type CdnEdge } from '../edge/cdn-edge.ts';
import type { Random } from '../../core/random.ts';
import type { ResolvedSpec } from '../../spec/resolved-spec.ts';
import { AppProcess } from '../app/app-process.ts';
import { startIngressGate, type IngressGate } from '../app/ingress-gate.ts';
import type { AppDataClass } from '../app/app-environment.ts';
import { startDnsServer, type DnsServer } from '../dns/dns-server.ts';
import type { LoadTargets, HostPort } from '../load/load-targets.ts';
import { HealthCheckers } from '../traffic/health-checkers.ts';
import { populationPlaces, type PopulationPlace } from '../traffic/population-places.ts';
import { Route53Router } from '../traffic/route53-router.ts';
import type { Lab } from './lab.ts';

/**
 * The lab's traffic plane: what users and health checkers go through before a region's data node.
 * - the application tier: one app process per region (the sample shop or the user's command), each
 *   with its region's ingress address;
 * - a WAN link from every population place to every routed region (the users' round trip from the
 *   catalog model), and one from the health checkers to each region;
 * - Route 53's health checkers, live, and the authoritative DNS router answering with core/routing.
 */
export interface TrafficPlaneOptions {
  /** Where the user's `command` runs: the spec file's directory. */
  readonly specDirectory: string;
  readonly log: (line: string) => void;
  /** Passed to the router for weighted and multivalue draws. @default Math.random */
  readonly random?: Random;
  /**
   * Put an ingress gate (app/ingress-gate.ts) in front of each app, which error-injection faults act on;
   * the chaos run asks for it when its experiment injects errors. @default false
   */
  readonly ingressGates?: boolean;
}

/** Route 53 health checkers: the core's default count of independent checkers. */
const CHECKERS = 8;

export class TrafficPlane {
  readonly apps = new Map<string, AppProcess>();
  readonly places: readonly PopulationPlace[];
  readonly routedRegions: readonly string[];
  dns: DnsServer | undefined;
  router: Route53Router | undefined;
  checkers: HealthCheckers | undefined;
  /** With `edge: accelerator`: the edge, with a listener per population place. */
  accelerator: AcceleratorEdge | undefined;
  /** With `edge: cdn`: a CDN edge per population place, its origin group the primary and the failover region. */
  readonly cdn = new Map<string, CdnEdge>();
  /** With `ingressGates`: the gate in front of each region's app. */
  readonly gates = new Map<string, IngressGate>();
  private acceleratorConfig: AcceleratorConfig | undefined;
  /** Health changes (at `performance.now()`), for `meridian up`, the control API and the chaos timeline. */
  readonly events: { atMs: number; event: string }[] = [];
  /** Told of every health flip (after the router has forgotten its answers). */
  readonly healthListeners: ((region: string, healthy: boolean) => void)[] = [];

  constructor(
    private readonly lab: Lab,
    private readonly options: TrafficPlaneOptions,
  ) {
    const { spec, architecture } = lab;
    this.routedRegions = [...architecture.servingRegions, ...architecture.standbyRegions];
    this.places = populationPlaces(spec, this.routedRegions);
  }

  get spec(): ResolvedSpec {
    return this.lab.spec;
  }

  /** The address the DNS router answers for a region: an address of its own in 127.0.0.0/8. */
  ingressAddress(region: string): string {
    return `127.0.${[...this.lab.regions.keys()].indexOf(region) + 1}.1`;
  }

  async start(): Promise<void> {
    await this.startApps();
    await this.createPlaceLinks();
    this.startHealthCheckers();
    this.startRouter();
    this.dns = await startDnsServer({ zone: this.spec.domain, decide: (question) => this.router!.decide(question) });
    if (this.acceleratorConfig) await this.startAccelerator(this.acceleratorConfig);
    if (this.lab.architecture.routing.edge === 'cdn') await this.startCdn();
  }

  /**
   * Global Accelerator: a stable listener per place; each new flow goes to the endpoint group core's
   * routeFlow picks (nearest healthy, by traffic dials), over the place's link to that region. No DNS TTL
   * in the path: a failover takes effect at the next flow once the accelerator's own checks flip.
   */
  private async startAccelerator(config: AcceleratorConfig): Promise<void> {
    const random = this.options.random ?? { nextFloat: () => Math.random() };
    const routers = new Map<string, AcceleratorRouter>(
      this.places.map((place) => [
        place.name,
        createAcceleratorRouter(
          { accelerator: config, rttMsByPopulation: { [place.name]: place.rttMsByRegion }, endpoints: Object.fromEntries(this.routedRegions.map((region) => [region, this.linkAddress(placeLinkName(place, region))])) },
          (region) => this.checkers!.isHealthy(region),
          random,
        ),
      ]),
    );
    this.accelerator = await startAcceleratorEdge({ listeners: this.places.map((place) => ({ population: place.name })), route: (name) => routers.get(name)?.route(name) });
  }

  /** CloudFront: per place, an edge whose origin group is the primary region, then the failover region, through the place's links. */
  private async startCdn(): Promise<void> {
    const { primary, standbyRegions, servingRegions } = this.lab.architecture;
    const secondary = standbyRegions[0] ?? servingRegions.find((region) => region !== primary) ?? primary;
    for (const place of this.places) {
      const edge = await startCdnEdge({ origins: { primary: this.linkAddress(placeLinkName(place, primary)), secondary: this.linkAddress(placeLinkName(place, secondary)) }, name: `meridian-cdn-${place.name}` });
      this.cdn.set(place.name, edge);
    }
  }

  private linkAddress(name: string): { host: string; port: number } {
    return { host: '127.0.0.1', port: this.lab.wan.registry.get(name).address.port };
  }

  private async startApps(): Promise<void> {
    const service = this.spec.services[0];
    if (service === undefined) return;
    for (const region of this.routedRegions) {
      const endpoints = this.lab.regions.get(region)?.current;
      if (!endpoints) continue;
      const app = new AppProcess(
        { region, service, host: this.ingressAddress(region), dataEndpointUrl: `http://127.0.0.1:${endpoints.dataPort}`, dataClasses: this.dataClassesFor(region), cwd: this.options.specDirectory },
        this.options.log,
      );
      app.onUnexpectedExit = (name, code, signal) => this.options.log(`app of ${name} exited (${signal ?? code})`);
      this.apps.set(region, app);
    }
    await Promise.all([...this.apps.values()].map((app) => app.start()));
  }

  /**
   * The tables an app in `region` uses and where: its own data node when the class has a replica here,
   * the nearest replica through the data link otherwise; a single-writer class writes at its writer.
   * A class whose zone excludes the region is not offered (its requests get the residency answer).
   */
  private dataClassesFor(region: string): AppDataClass[] {
    const local = (target: string) => (target === region ? `http://127.0.0.1:${this.lab.regions.get(region)!.current!.dataPort}` : this.lab.wan.dataAddress(region, target)!);
    return this.lab.architecture.placements.flatMap((placement) => {
      const dataClass = this.spec.data.find((candidate) => candidate.name === placement.dataClass)!;
      const zone = dataClass.residency === undefined ? undefined : this.spec.zones[dataClass.residency];
      if (zone !== undefined && !zone.includes(region)) return [];
      const replicas = placement.replicas.filter((replica) => replica !== placement.witness);
      const nearest = replicas.includes(region) ? region : [...replicas].sort((a, b) => regionRtt(region, a).rttMs - regionRtt(region, b).rttMs)[0]!;
      const writer = placement.writer !== undefined && placement.engine !== 'dynamodb-table' ? placement.writer : nearest;
      return [
        {
          name: placement.dataClass,
          consistentReads: dataClass.consistency === 'strong' && dataClass.consistentReads,
          endpointUrl: local(nearest),
          writeEndpointUrl: local(writer),
          endpoints: Object.fromEntries(replicas.map((replica) => [replica, local(replica)])),
          fallbackEndpointUrls: [...replicas].sort((a, b) => (a === region ? -1 : b === region ? 1 : regionRtt(region, a).rttMs - regionRtt(region, b).rttMs)).map(local),
        },
      ];
    });
  }

  /** A link per (place, routed region), and one from the health checkers to each routed region. */
  private async createPlaceLinks(): Promise<void> {
    for (const [region, app] of this.apps) {
      let targetPort = app.port!;
      if (this.options.ingressGates) {
        const gate = await startIngressGate({ host: this.ingressAddress(region), targetPort });
        this.gates.set(region, gate);
        targetPort = gate.port;
      }
      for (const place of this.places) {
        await this.lab.wan.registry.create({ name: placeLinkName(place, region), targetHost: this.ingressAddress(region), targetPort, roundTripMs: place.rttMsByRegion[region]! });
      }
      await this.lab.wan.registry.create({ name: checkerLinkName(region), targetHost: this.ingressAddress(region), targetPort, roundTripMs: checkerRoundTripMs(region, this.routedRegions) });
    }
  }

  private startHealthCheckers(): void {
    const healthCheck = this.lab.architecture.routing.healthCheck;
    const service = this.spec.services[0];
    const intervalSeconds = healthCheck?.intervalSeconds ?? 30;
    const threshold = healthCheck?.failureThreshold ?? 3;
    let checks: HealthCheckSet;
    if (this.lab.architecture.routing.edge === 'accelerator') {
      // The accelerator checks its endpoint groups itself, at the same interval and threshold.
      const standby = new Set(this.lab.architecture.standbyRegions);
      this.acceleratorConfig = resolveAcceleratorConfig({
        endpointGroups: this.routedRegions.map((region) => ({ region, trafficDialPercent: standby.has(region) ? 0 : 100 })),
        healthCheckIntervalSeconds: intervalSeconds,
        thresholdCount: threshold,
        healthCheckProtocol: 'http',
      });
      checks = createAcceleratorHealthChecks(this.acceleratorConfig, 0, this.options.random);
    } else {
      const config = resolveHealthCheckConfig({ requestIntervalSeconds: intervalSeconds, failureThreshold: threshold, checkerCount: CHECKERS });
      checks = createHealthCheckSet(healthCheck && service ? this.routedRegions.map((region) => createHealthCheck(region, region, config, 0, this.options.random)) : []);
    }
    const path = service?.healthPath ?? healthCheck?.path ?? '/health';
    this.checkers = new HealthCheckers({
      checks,
      probeUrl: (region) => {
        const link = this.lab.wan.registry.has(checkerLinkName(region)) ? this.lab.wan.registry.get(checkerLinkName(region)) : undefined;
        return link ? `http://127.0.0.1:${link.address.port}${path}` : undefined;
      },
      onChange: (region, healthy) => {
        this.router?.healthChanged();
        const event = `health check of ${region}: ${healthy ? 'healthy' : 'unhealthy'}`;
        this.events.push({ atMs: performance.now(), event });
        this.options.log(event);
        for (const listener of this.healthListeners) listener(region, healthy);
      },
    });
    this.checkers.start();
  }

  private startRouter(): void {
    const routing = this.lab.architecture.routing;
    this.router = new Route53Router({
      domain: this.spec.domain,
      policy: routing.policy,
      ttlSeconds: routing.ttlSeconds,
      records: routingRecords(this.lab.architecture),
      places: this.places,
      ingressAddress: (region) => this.ingressAddress(region),
      health: (id) => this.checkers!.isHealthy(id),
      random: this.options.random ?? { nextFloat: () => Math.random() },
    });
  }

  /** What `meridian load` needs to reach this lab. */
  loadTargets(): LoadTargets {
    const regions = [...this.lab.regions.keys()];
    const address = (name: string): HostPort => ({ host: '127.0.0.1', port: this.lab.wan.registry.get(name).address.port });
    return {
      domain: this.spec.domain,
      dns: { host: this.dns!.host, port: this.dns!.port },
      regions,
      ingress: Object.fromEntries(regions.map((region) => [this.ingressAddress(region), region])),
      places: this.places,
      paths: Object.fromEntries(this.places.map((place) => [place.name, Object.fromEntries([...this.apps.keys()].map((region) => [region, address(placeLinkName(place, region))]))])),
      ...(this.accelerator ? { edge: { kind: 'accelerator' as const, listeners: Object.fromEntries(this.places.map((place) => [place.name, this.accelerator!.address(place.name)])) } } : {}),
      ...(this.cdn.size > 0 ? { edge: { kind: 'cdn' as const, listeners: Object.fromEntries([...this.cdn].map(([name, edge]) => [name, { host: edge.host, port: edge.port }])) } } : {}),
      replication: Object.fromEntries(this.lab.endpoints().map((endpoint) => [endpoint.region, `http://127.0.0.1:${endpoint.replicationPort}`])),
      dataEndpoints: Object.fromEntries(this.lab.endpoints().map((endpoint) => [endpoint.region, `http://127.0.0.1:${endpoint.dataPort}`])),
      tables: Object.fromEntries(this.lab.architecture.placements.map((placement) => [placement.dataClass, placement.replicas.filter((replica) => replica !== placement.witness)])),
    };
  }

  async stop(): Promise<void> {
    await this.accelerator?.close();
    await Promise.allSettled([...this.cdn.values()].map((edge) => edge.close()));
    await this.checkers?.close();
    await this.dns?.close();
    await Promise.allSettled([...this.gates.values()].map((gate) => gate.close()));
    await Promise.allSettled([...this.apps.values()].map((app) => app.stop()));
  }
}

export function placeLinkName(place: PopulationPlace, region: string): string {
  return `${place.name}->${region}`;
}

export function checkerLinkName(region: string): string {
  return `checkers->${region}`;
}

/**
 * Route 53's checkers sit in several AWS regions; the ones nearest a region answer first. The lab sends
 * every probe of a region over one link with the round trip from the nearest other lab region (20 ms when
 * the lab has one region): close enough for a probe's 4 s and 2 s timeouts to mean what they mean.
 */
function checkerRoundTripMs(region: string, regions: readonly string[]): number {
  const others = regions.filter((other) => other !== region).map((other) => regionRtt(region, other).rttMs);
  return others.length === 0 ? 20 : Math.min(...others);
}
