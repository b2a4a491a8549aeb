import { Agent, request } from 'undici';
import type { ProbeEffect } from '../../core/routing/health-check.ts';
import { healthLookup, recordHealthCheckProbe, tickHealthChecks, type HealthCheckSet } from '../../core/routing/health-check-set.ts';
import type { HealthLookup } from '../../core/routing/record-set.ts';

/**
 * Route 53 (or Global Accelerator) health checkers, live: core/routing's health-check state machines
 * stepped on the machine's clock; every probe they ask for is a real HTTP GET of the region's health path,
 * on a new connection, through the WAN link from the checkers to the region (so a partition or an added
 * latency reaches the checks too), judged with the core's timeouts (connect 4 s, answer 2 s for HTTP).
 */
export interface HealthCheckersOptions {
  /** The checks, one per health-checked record (Route 53) or endpoint group (accelerator), created at time 0. */
  readonly checks: HealthCheckSet;
  /** Where the health check with this id probes now (through its link), or undefined when nothing listens. */
  readonly probeUrl: (healthCheckId: string) => string | undefined;
  /** Told when a check's aggregate view flips. */
  readonly onChange?: (healthCheckId: string, healthy: boolean, atMs: number) => void;
  /** How often the checks are stepped. @default 100 */
  readonly tickMs?: number;
  /** @default Date.now, relative to the start */
  readonly nowMs?: () => number;
}

/** Probes in flight at most; more than that are judged failed at once (the checkers are overloaded). */
const PROBES_IN_FLIGHT_MAX = 256;

export class HealthCheckers {
  private checks: HealthCheckSet;
  private readonly startedAtMs = Date.now();
  private readonly agent = new Agent({ connectTimeout: 4_000, keepAliveTimeout: 1, connections: PROBES_IN_FLIGHT_MAX });
  private timer: ReturnType<typeof setInterval> | undefined;
  private inFlight = 0;
  private closed = false;
  /** Probes sent and how they ended, for the control API. */
  readonly counts = { probes: 0, ok: 0, failed: 0, skipped: 0 };

  constructor(private readonly options: HealthCheckersOptions) {
    this.checks = options.checks;
  }

  /** Milliseconds since the checkers were created: the clock the core state machines run on. */
  nowMs(): number {
    return this.options.nowMs?.() ?? Date.now() - this.startedAtMs;
  }

  start(): void {
    this.timer ??= setInterval(() => this.tick(), this.options.tickMs ?? 100);
    this.tick();
  }

  lookup(): HealthLookup {
    return (healthCheckId) => healthLookup(this.checks)(healthCheckId);
  }

  isHealthy(healthCheckId: string): boolean {
    return this.checks.get(healthCheckId)?.healthy ?? true;
  }

  /** Every check's view: healthy, and how many checkers say healthy. */
  view(): Record<string, { healthy: boolean; checkersHealthy: number; checkers: number }> {
    return Object.fromEntries(
      [...this.checks].map(([id, check]) => [id, { healthy: check.healthy, checkersHealthy: check.checkers.filter((checker) => checker.reportsHealthy).length, checkers: check.checkers.length }]),
    );
  }

  private tick(): void {
    if (this.closed) return;
    const ticked = tickHealthChecks(this.checks, this.nowMs());
    this.checks = ticked.state;
    for (const effect of ticked.effects) void this.probe(effect);
  }

  private async probe(effect: ProbeEffect): Promise<void> {
    const url = this.options.probeUrl(effect.healthCheckId);
    if (url === undefined || this.inFlight >= PROBES_IN_FLIGHT_MAX) {
      this.counts.skipped += 1;
      return this.record(effect, false);
    }
    this.inFlight += 1;
    this.counts.probes += 1;
    let ok = false;
    try {
      const response = await request(url, {
        dispatcher: this.agent,
        reset: true,
        headersTimeout: effect.connectTimeoutMs + effect.responseTimeoutMs,
        bodyTimeout: effect.responseTimeoutMs || 2_000,
        headers: { 'user-agent': 'Meridian-Health-Check/1.0' },
      });
      await response.body.dump();
      ok = response.statusCode >= 200 && response.statusCode < 400;
    } catch {
      ok = false;
    } finally {
      this.inFlight -= 1;
    }
    if (ok) this.counts.ok += 1;
    else this.counts.failed += 1;
    this.record(effect, ok);
  }

  private record(effect: ProbeEffect, ok: boolean): void {
    if (this.closed || !this.checks.has(effect.healthCheckId)) return;
    const atMs = this.nowMs();
    const recorded = recordHealthCheckProbe(this.checks, effect.healthCheckId, effect.checkerId, ok, atMs);
    this.checks = recorded.state;
    for (const change of recorded.effects) this.options.onChange?.(change.healthCheckId, change.healthy, atMs);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    await this.agent.close().catch(() => undefined);
  }
}
