import { regionOfReference } from '../../experiments/fault-references.ts';
import type { ResolvedFault } from '../../experiments/resolved-experiment.ts';
import { linkName } from '../wan/link-registry.ts';
import type { Lab } from '../supervisor/lab.ts';
import { regionControl } from '../supervisor/table-control.ts';
import { checkerLinkName, placeLinkName, type TrafficPlane } from '../supervisor/traffic-plane.ts';
import { dataLinkName } from '../supervisor/wan-mesh.ts';

/**
 * An experiment's faults carried out on the live lab, each with the exact way back:
 * - region-outage: SIGKILL of the region's process (`database`), of its app (`app`), or both (`all`);
 *   back: restart them on their data (the region catches up through replication);
 * - link-latency, partition: faults on the WAN links between two regions (replication and data links,
 *   both ways unless one-way), between a population and a region (its places' links), or between an
 *   isolated region and every other region (its users and the health checkers still reach it); each
 *   fault is a toxic of its own, so faults on the same link stack and are lifted one by one;
 * - replication-pause: the region drops the class's outgoing replicate messages, which its engines resend
 *   once the pause is lifted (other classes and acknowledgements keep flowing), in one region or every
 *   region; pauses stack, and a region that restarts gets back the pauses still wanted;
 * - health-check-failure: the health checkers' link to the region drops everything, the app stays up;
 * - error-injection: the region's ingress gate (in front of its app) answers the fault's share of requests
 *   with its status, health checks included; skipped when the lab has no gates;
 * Every applied fault is recorded, so `revertAll` restores the lab whatever happened.
 */
export interface AppliedFault {
  readonly index: number;
  readonly description: string;
  revert(): Promise<void>;
}

export class LabFaults {
  private readonly applied = new Map<number, AppliedFault>();

  constructor(
    private readonly lab: Lab,
    private readonly traffic: TrafficPlane,
  ) {}

  /** A region named by code or role: `primary`, `secondary` (the first standby, else another serving region). */
  region(reference: string): string | undefined {
    const region = regionOfReference(this.lab.architecture, reference);
    return region !== undefined && this.lab.regions.has(region) ? region : undefined;
  }

  async apply(fault: ResolvedFault): Promise<string> {
    const applied = await this.carryOut(fault);
    this.applied.set(fault.index, applied);
    return applied.description;
  }

  async revert(index: number): Promise<string | undefined> {
    const applied = this.applied.get(index);
    if (!applied) return undefined;
    this.applied.delete(index);
    await applied.revert();
    return applied.description;
  }

  /** Reverts every fault still applied, last first; errors are collected, not thrown, so that all are tried. */
  async revertAll(): Promise<string[]> {
    const problems: string[] = [];
    for (const index of [...this.applied.keys()].reverse()) {
      await this.revert(index).catch((error: unknown) => problems.push(`fault ${index}: ${error instanceof Error ? error.message : String(error)}`));
    }
    return problems;
  }

  private async carryOut(fault: ResolvedFault): Promise<AppliedFault> {
    const base = { index: fault.index };
    switch (fault.action) {
      case 'region-outage':
        return { ...base, ...(await this.outage(this.requireRegion(fault.region), fault.scope)) };
      case 'link-latency': {
        const names = this.pathLinks(fault.between[0], fault.between[1], false);
        return { ...base, ...this.linkFaults(fault.index, names, { type: 'latency', attributes: { latency: fault.addMs, jitter: fault.jitterMs } }, `+${fault.addMs} ms between ${fault.between.join(' and ')}`) };
      }
      case 'partition': {
        const names = fault.isolate !== undefined ? this.isolationLinks(this.requireRegion(fault.isolate)) : this.pathLinks(fault.between![0], fault.between![1], fault.oneWay);
        const what = fault.isolate !== undefined ? `${fault.isolate} isolated` : `partition ${fault.between!.join(fault.oneWay ? ' → ' : ' ↔ ')}`;
        return { ...base, ...this.linkFaults(fault.index, names, { type: 'partition', attributes: { mode: 'drop' } }, what) };
      }
      case 'replication-pause': {
        const region = fault.region === undefined ? undefined : this.requireRegion(fault.region);
        return { ...base, ...(await this.pauseReplication(region, fault.dataClass)) };
      }
      case 'health-check-failure': {
        const region = this.requireRegion(fault.region);
        return { ...base, ...this.linkFaults(fault.index, [checkerLinkName(region)], { type: 'partition', attributes: { mode: 'drop' } }, `health checks of ${region} failing`) };
      }
      case 'error-injection':
        return { ...base, ...this.injectErrors(fault.index, this.requireRegion(fault.region), fault.errorRate, fault.status) };
    }
  }

  /** Error injections under way, per region: the highest rate holds, as in the simulator. */
  private readonly injections = new Map<string, Map<number, { rate: number; status: number }>>();

  /**
   * The region's ingress gate fails the fault's share of requests (users' and health checks') with its
   * status; overlapping injections in one region take the highest rate. Without a gate (a lab started for
   * `meridian up`, not for an experiment that injects errors) the fault is skipped and says so.
   */
  private injectErrors(index: number, region: string, rate: number, status: number): Omit<AppliedFault, 'index'> {
    const gate = this.traffic.gates.get(region);
    const what = `${Math.round(rate * 1000) / 10} % of ${region}'s requests answered ${status}`;
    if (gate === undefined) return { description: `error injection in ${region}: no ingress gate in this lab (skipped)`, revert: async () => {} };
    const active = this.injections.get(region) ?? new Map<number, { rate: number; status: number }>();
    this.injections.set(region, active);
    const refresh = () => {
      const strongest = [...active.values()].sort((a, b) => b.rate - a.rate)[0];
      gate.setErrors(strongest?.rate ?? 0, strongest?.status ?? 503);
    };
    active.set(index, { rate, status });
    refresh();
    return {
      description: what,
      revert: async () => {
        active.delete(index);
        refresh();
      },
    };
  }

  private requireRegion(reference: string): string {
    const region = this.region(reference);
    if (region === undefined) throw new Error(`the experiment names region '${reference}', which this lab does not run`);
    return region;
  }

  private async outage(region: string, scope: 'all' | 'app' | 'database'): Promise<Omit<AppliedFault, 'index'>> {
    const app = this.traffic.apps.get(region);
    if (scope !== 'database') await app?.kill();
    if (scope !== 'app') this.lab.killRegion(region);
    return {
      description: `${region} down (${scope})`,
      revert: async () => {
        if (scope !== 'app') {
          await this.lab.restartRegion(region);
          await this.reapplyPauses(region);
        }
        if (scope !== 'database' && app && !app.running) await app.restart();
      },
    };
  }

  /** Pauses wanted per region and table (they stack), re-applied to a region that restarts. */
  private readonly pauses = new Map<string, Map<string, number>>();

  /**
   * Pauses the outgoing replication of a class (every replicated class when none is named) in a region
   * (every region when none is named), as the simulator and FIS do: the region drops the class's
   * replicate messages until the pause is lifted, and its engines resend them afterwards; other classes,
   * and acknowledgements, keep flowing. A region that is down gets its pauses when it restarts.
   */
  private async pauseReplication(region: string | undefined, dataClass: string | undefined): Promise<Omit<AppliedFault, 'index'>> {
    const targets: { region: string; table: string }[] = [];
    for (const [name, process] of this.lab.regions) {
      if (region !== undefined && name !== region) continue;
      for (const table of process.options.tables) {
        if (table.replication === 'local' || table.replicas.length < 2 || !table.replicas.includes(name)) continue;
        if (dataClass === undefined || table.dataClass === dataClass) targets.push({ region: name, table: table.name });
      }
    }
    if (targets.length === 0) throw new Error(`no replicated ${dataClass === undefined ? 'data class' : `class ${dataClass}`} in ${region ?? 'any region'} to pause`);
    for (const target of targets) {
      const wanted = this.pauses.get(target.region) ?? new Map<string, number>();
      this.pauses.set(target.region, wanted);
      wanted.set(target.table, (wanted.get(target.table) ?? 0) + 1);
      await this.tellPause(target.region, target.table, true);
    }
    const classes = [...new Set(targets.map((target) => target.table))].join(', ');
    return {
      description: `replication of ${classes} from ${region ?? 'every region'} paused`,
      revert: async () => {
        for (const target of targets) {
          const wanted = this.pauses.get(target.region);
          wanted?.set(target.table, Math.max(0, (wanted.get(target.table) ?? 0) - 1));
          await this.tellPause(target.region, target.table, false);
        }
      },
    };
  }

  /** Tells a running region to add or lift one pause; a region that is down is told when it restarts. */
  private async tellPause(region: string, table: string, paused: boolean): Promise<void> {
    if (this.lab.regions.get(region)?.current === undefined || !this.lab.regions.get(region)?.running) return;
    const { status, answer } = await regionControl(this.lab, region, table, { kind: 'pause-replication', paused }).catch((error: unknown) => ({ status: 0, answer: { error: String(error) } as Record<string, unknown> }));
    if (status !== 200 && this.lab.regions.get(region)?.running) throw new Error(`${region}: pausing ${table}: ${String(answer.error ?? `status ${status}`)}`);
  }

  /** A restarted region starts with no pause: give it the ones still wanted. */
  private async reapplyPauses(region: string): Promise<void> {
    for (const [table, count] of this.pauses.get(region) ?? []) {
      for (let index = 0; index < count; index += 1) await this.tellPause(region, table, true);
    }
  }

  /** Links between two path ends: regions (replication and data links) or a population and a region (its places' links). */
  private pathLinks(first: string, second: string, oneWay: boolean): string[] {
    const a = this.region(first);
    const b = this.region(second);
    if (a !== undefined && b !== undefined) {
      const forward = [linkName(a, b), dataLinkName(a, b)];
      return oneWay ? forward : [...forward, linkName(b, a), dataLinkName(b, a)];
    }
    const [population, region] = a === undefined ? [first, b] : [second, a];
    const places = this.traffic.places.filter((place) => place.population === population);
    if (region === undefined || places.length === 0) throw new Error(`cannot find a path between '${first}' and '${second}' in this lab`);
    // A place link carries both directions of the users' connections; one way is not separable here.
    return places.map((place) => placeLinkName(place, region));
  }

  /** The region cut off from every other region (replication and data links, both ways); users and health checkers still reach it, as in the simulator. */
  private isolationLinks(region: string): string[] {
    const others = [...this.lab.regions.keys()].filter((other) => other !== region);
    return others.flatMap((other) => [linkName(region, other), linkName(other, region), dataLinkName(region, other), dataLinkName(other, region)]).filter((name) => this.lab.wan.registry.has(name));
  }

  /**
   * The fault as a toxic of its own (`experiment-fault-<index>`) on each link, both directions: toxics
   * stack (latencies add, drop beats hold), so overlapping faults on one link compose, and lifting one
   * leaves the others. A link re-created while the fault lasts (its target restarted) keeps its toxics.
   */
  private linkFaults(index: number, names: readonly string[], toxic: { type: 'latency' | 'partition'; attributes: Record<string, number | string> }, description: string): Omit<AppliedFault, 'index'> {
    const registry = this.lab.wan.registry;
    const toxicName = `experiment-fault-${index}`;
    const present = names.filter((name) => registry.has(name));
    for (const name of present) registry.addToxic(name, { name: toxicName, type: toxic.type, stream: 'both', attributes: toxic.attributes });
    return {
      description,
      revert: async () => {
        for (const name of present) {
          if (registry.has(name) && registry.toxics(name).some((candidate) => candidate.name === toxicName)) registry.removeToxic(name, toxicName);
        }
      },
    };
  }
}
