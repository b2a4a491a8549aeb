import type { ResidencyAction } from './residency-decision.ts';

/**
 * The record of every residency decision that denied something: what, where, when and why. The trail
 * keeps the latest `capacity` events and counts the ones it had to drop, so a long run stays bounded
 * and the report still says how many denials there were.
 */
export type ResidencyDenialReason = 'region-outside-zone' | 'source-outside-zone' | 'unknown-data-class';

export interface ResidencyAuditEvent {
  readonly kind: 'residency-denied';
  readonly atMs: number;
  readonly action: ResidencyAction;
  readonly dataClass: string;
  /** Where the item would have been stored, replicated to or served from. */
  readonly region: string;
  /** For replication and cross-region reads: where the item came from. */
  readonly sourceRegion: string | undefined;
  readonly itemKey: string | undefined;
  readonly zone: string | undefined;
  readonly zoneRegions: readonly string[];
  readonly reason: ResidencyDenialReason;
}

export interface ResidencyAuditTrail {
  readonly capacity: number;
  /** Ring buffer: the oldest retained event is at `start`. */
  readonly events: ResidencyAuditEvent[];
  start: number;
  denied: number;
  dropped: number;
}

export const RESIDENCY_AUDIT_CAPACITY_DEFAULT = 10_000;

export function createAuditTrail(capacity = RESIDENCY_AUDIT_CAPACITY_DEFAULT): ResidencyAuditTrail {
  if (!Number.isInteger(capacity) || capacity < 1) throw new Error(`invariant violated: audit capacity must be a positive integer, got ${capacity}`);
  return { capacity, events: [], start: 0, denied: 0, dropped: 0 };
}

export function recordDenial(trail: ResidencyAuditTrail, event: ResidencyAuditEvent): void {
  trail.denied += 1;
  if (trail.events.length < trail.capacity) {
    trail.events.push(event);
    return;
  }
  trail.events[trail.start] = event;
  trail.start = (trail.start + 1) % trail.capacity;
  trail.dropped += 1;
}

/** The retained events, oldest first. */
export function auditEvents(trail: ResidencyAuditTrail): ResidencyAuditEvent[] {
  return [...trail.events.slice(trail.start), ...trail.events.slice(0, trail.start)];
}
