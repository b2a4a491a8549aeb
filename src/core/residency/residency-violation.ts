import type { ResidencyAuditEvent } from './residency-audit.ts';

/**
 * An operation that would put an item of a zone-bound class outside its zone. Thrown (by
 * `requireResidency`) where refusing is the only safe answer; the DynamoDB-compatible endpoint answers it
 * as AccessDeniedException (HTTP 400, not retryable), the error DynamoDB gives a caller who may not do
 * what it asked. https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.Errors.html
 */
export class ResidencyViolation extends Error {
  readonly code = 'RESIDENCY_VIOLATION';
  readonly awsType = 'AccessDeniedException';
  readonly httpStatus = 400;
  readonly retryable = false;
  readonly audit: ResidencyAuditEvent;

  constructor(audit: ResidencyAuditEvent) {
    const source = audit.sourceRegion === undefined ? '' : ` from ${audit.sourceRegion}`;
    const zone = audit.zone === undefined ? 'no residency rule' : `zone ${audit.zone} (${audit.zoneRegions.join(', ')})`;
    super(`residency: ${audit.dataClass} may not be ${pastTense[audit.action]} in ${audit.region}${source}: ${zone}`);
    this.name = 'ResidencyViolation';
    this.audit = audit;
  }
}

const pastTense = { store: 'stored', replicate: 'replicated', serve: 'served' } as const;
