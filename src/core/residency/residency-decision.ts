import { recordDenial, type ResidencyAuditEvent, type ResidencyAuditTrail, type ResidencyDenialReason } from './residency-audit.ts';
import type { ResidencyPolicy, ResolvedResidencyRule } from './residency-policy.ts';
import { ResidencyViolation } from './residency-violation.ts';

/**
 * May this item of class C be stored, replicated or served in region R? A class with no zone may go
 * anywhere; a zone-bound class only inside its zone, and a replication or a cross-region read also needs
 * its source inside the zone. A class the policy does not know is denied (fail closed). Every denial
 * carries the audit event that records it.
 */
export type ResidencyAction = 'store' | 'replicate' | 'serve';

export interface ResidencyRequest {
  readonly action: ResidencyAction;
  readonly dataClass: string;
  readonly region: string;
  /** Replication: the region the item is copied from; a read served from another region's copy: that region. */
  readonly sourceRegion?: string;
  readonly itemKey?: string;
}

export type ResidencyDecision = { readonly allowed: true } | { readonly allowed: false; readonly audit: ResidencyAuditEvent };

const ALLOWED: ResidencyDecision = Object.freeze({ allowed: true });

export function decideResidency(policy: ResidencyPolicy, request: ResidencyRequest, nowMs: number): ResidencyDecision {
  const rule = policy.rules.get(request.dataClass);
  const reason = denialReason(rule, request);
  if (reason === undefined) return ALLOWED;
  const audit: ResidencyAuditEvent = {
    kind: 'residency-denied',
    atMs: nowMs,
    action: request.action,
    dataClass: request.dataClass,
    region: request.region,
    sourceRegion: request.sourceRegion,
    itemKey: request.itemKey,
    zone: rule?.zone,
    zoneRegions: rule === undefined ? [] : [...rule.regions],
    reason,
  };
  return { allowed: false, audit };
}

function denialReason(rule: ResolvedResidencyRule | undefined, request: ResidencyRequest): ResidencyDenialReason | undefined {
  if (rule === undefined) return 'unknown-data-class';
  if (rule.zone === undefined) return undefined;
  if (!rule.regions.has(request.region)) return 'region-outside-zone';
  if (request.sourceRegion !== undefined && !rule.regions.has(request.sourceRegion)) return 'source-outside-zone';
  return undefined;
}

/** A guard for a data path: records the denial in the trail and throws ResidencyViolation; allowed requests pass. */
export function requireResidency(policy: ResidencyPolicy, request: ResidencyRequest, nowMs: number, trail: ResidencyAuditTrail): void {
  const decision = decideResidency(policy, request, nowMs);
  if (decision.allowed) return;
  recordDenial(trail, decision.audit);
  throw new ResidencyViolation(decision.audit);
}
