import { regionRtt } from '../../catalog/latency.ts';
import { SERVICE_LEVELS } from '../../catalog/service-levels.ts';
import { failoverTarget } from '../../core/replication/managed-failover.ts';
import type { Lab } from './lab.ts';
import { failover, tableStatus } from './table-control.ts';
import type { TrafficPlane } from './traffic-plane.ts';

/**
 * The managed failover of single-writer tables, as the simulator's control plane does it: when the health
 * checks declare the writer's region unhealthy, and it still is `managed_failover_seconds` later (the
 * catalog's figure for Aurora Global Database), the nearest running secondary is promoted with what it
 * has (core/replication/managed-failover.ts, the simulator's rule); the old writer learns of the new
 * epoch when it returns and reports what it lost.
 */
export class ManagedFailover {
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  private readonly unhealthy = new Set<string>();
  private closed = false;
  readonly events: { atMs: number; event: string }[] = [];

  constructor(
    private readonly lab: Lab,
    traffic: TrafficPlane,
    private readonly log: (line: string) => void,
    private readonly nowMs: () => number = () => performance.now(),
  ) {
    traffic.healthListeners.push((region, healthy) => this.onHealth(region, healthy));
  }

  private onHealth(region: string, healthy: boolean): void {
    if (healthy) {
      this.unhealthy.delete(region);
      return;
    }
    this.unhealthy.add(region);
    const delayMs = SERVICE_LEVELS.aurora_global_database.managed_failover_seconds * 1000;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void this.failOver(region);
    }, delayMs);
    this.timers.add(timer);
  }

  private async failOver(failed: string): Promise<void> {
    if (this.closed || !this.unhealthy.has(failed)) return;
    const tables = this.lab.architecture.placements.filter((placement) => placement.engine === 'aurora-global-database' || (placement.writer !== undefined && placement.replicas.length > 1 && placement.engine === 'dynamodb-global-table'));
    for (const placement of tables) {
      try {
        const statuses = await tableStatus(this.lab, placement.dataClass);
        // As in the simulator, only a writer whose database is gone is replaced: an app outage alone
        // leaves the writer in place (other regions still write through it).
        if (statuses.some((status) => status.role !== 'secondary') || this.lab.regions.get(failed)?.running) continue;
        const candidates = statuses.filter((status) => status.role === 'secondary' && status.region !== failed && !status.awaitingSnapshot && !this.unhealthy.has(status.region));
        const target = failoverTarget(failed, candidates.map((status) => status.region), (from, to) => regionRtt(from, to).rttMs);
        if (target === undefined) continue;
        const result = await failover(this.lab, placement.dataClass, target);
        const event = `${placement.dataClass}: ${target} promoted to writer (epoch ${String(result.epoch)}, failover from ${failed})`;
        this.events.push({ atMs: this.nowMs(), event });
        this.log(event);
      } catch (error) {
        this.log(`${placement.dataClass}: managed failover from ${failed} failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }

  close(): void {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
}
