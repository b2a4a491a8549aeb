/**
 * Operating errors of the replication layer, each with a stable `code` so that a shell (the simulator's
 * report, the lab's DynamoDB-compatible endpoint) can act on it without parsing text. Errors that mirror a
 * documented DynamoDB error also carry its `awsType` (the short `__type` name), HTTP status and whether
 * the AWS SDKs retry it; the shell adds the `com.amazonaws.dynamodb.v20120810#` namespace.
 * Programmer errors (a message from a member that does not exist, a sequence number out of order) go
 * through `invariant`, which throws loudly.
 */

/** One shared assertion for programmer errors (core/ cannot import node:assert). */
export { invariant } from '../invariant.ts';

/** The bounded replication log holds `capacity` entries no peer has taken yet: the writer must back off. */
export class ReplicationLogFullError extends Error {
  readonly code = 'REPLICATION_LOG_FULL';
  readonly capacity: number;

  constructor(capacity: number) {
    super(`replication log is full (${capacity} entries not yet acknowledged by every peer)`);
    this.name = 'ReplicationLogFullError';
    this.capacity = capacity;
  }
}

/** A remote timestamp further ahead of the local physical clock than the clock tolerates. */
export class HlcDriftError extends Error {
  readonly code = 'HLC_DRIFT';
  readonly remoteWallMs: number;
  readonly physicalMs: number;
  readonly driftMsMax: number;

  constructor(remoteWallMs: number, physicalMs: number, driftMsMax: number) {
    super(`remote clock is ${remoteWallMs - physicalMs} ms ahead, more than the ${driftMsMax} ms tolerated`);
    this.name = 'HlcDriftError';
    this.remoteWallMs = remoteWallMs;
    this.physicalMs = physicalMs;
    this.driftMsMax = driftMsMax;
  }
}

/**
 * A write sent to a secondary of a single-writer group. Aurora Global Database: "By default, write
 * operations are not allowed on Aurora DB clusters that are secondary clusters" (unless write forwarding
 * is on). https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBCluster.html
 * (EnableGlobalWriteForwarding)
 */
export class NotPrimaryError extends Error {
  readonly code = 'NOT_PRIMARY';
  readonly region: string;
  readonly primaryRegion: string;
  readonly epoch: number;

  constructor(region: string, primaryRegion: string, epoch: number) {
    super(`${region} is a read-only secondary; the writer is ${primaryRegion} (epoch ${epoch})`);
    this.name = 'NotPrimaryError';
    this.region = region;
    this.primaryRegion = primaryRegion;
    this.epoch = epoch;
  }
}

/**
 * The primary is not taking writes for now: a planned switchover is draining it, or it restarted and has
 * not yet confirmed that its epoch is still current (it may have been replaced while it was away).
 */
export class WritesSuspendedError extends Error {
  readonly code = 'WRITES_SUSPENDED';
  readonly region: string;
  readonly reason: 'switchover' | 'epoch-unconfirmed';

  constructor(region: string, reason: WritesSuspendedError['reason']) {
    super(`${region} is not taking writes (${reason})`);
    this.name = 'WritesSuspendedError';
    this.region = region;
    this.reason = reason;
  }
}

/**
 * A write was handed to another member and no answer came back in time: it may or may not have been
 * applied. Never counted as acknowledged, never counted as failed.
 */
export class WriteOutcomeUnknownError extends Error {
  readonly code = 'WRITE_OUTCOME_UNKNOWN';
  readonly region: string;

  constructor(region: string, message: string) {
    super(`${region}: ${message}`);
    this.name = 'WriteOutcomeUnknownError';
    this.region = region;
  }
}

/**
 * DynamoDB multi-Region strong consistency (MRSC): a write to an item that another Region is modifying at
 * the same time is rejected, and may be retried.
 * - API and SDKs: "The request was rejected because one or more items in the request are being modified
 *   by a request in another Region." Client fault (HTTP 400), retry-safe.
 *   https://docs.aws.amazon.com/sdkfornet/v3/apidocs/items/DynamoDBv2/TReplicatedWriteConflictException.html
 *   https://docs.aws.amazon.com/sdk-for-python/v1/reference/clients/dynamodb/errors/ReplicatedWriteConflictException/
 * - Developer guide, consistency modes (MRSC): a write to an item being modified concurrently from another
 *   Region fails with ReplicatedWriteConflictException and may be retried (paraphrased from secondary
 *   sources; the SDK sentences above are verbatim).
 *   https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/V2globaltables_HowItWorks.html
 */
export class ReplicatedWriteConflictError extends Error {
  readonly code = 'REPLICATED_WRITE_CONFLICT';
  readonly awsType = 'ReplicatedWriteConflictException';
  readonly httpStatus = 400;
  readonly retryable = true;
  readonly key: string;
  /** The Region whose write to the item was in the way. */
  readonly conflictingRegion: string;

  constructor(key: string, conflictingRegion: string) {
    super('The request was rejected because one or more items in the request are being modified by a request in another Region.');
    this.name = 'ReplicatedWriteConflictError';
    this.key = key;
    this.conflictingRegion = conflictingRegion;
  }
}

/**
 * A strongly consistent member that cannot reach a majority (it is cut off, or no leader is known yet)
 * refuses the request instead of diverging. Nothing was applied; the client may retry elsewhere.
 */
export class QuorumUnavailableError extends Error {
  readonly code = 'QUORUM_UNAVAILABLE';
  readonly region: string;

  constructor(region: string, message: string) {
    super(`${region}: ${message}`);
    this.name = 'QuorumUnavailableError';
    this.region = region;
  }
}

/** A bounded queue of requests in flight (proposals, forwarded writes or reads) is full. */
export class PendingRequestsFullError extends Error {
  readonly code = 'PENDING_REQUESTS_FULL';
  readonly region: string;
  readonly pendingMax: number;

  constructor(region: string, what: string, pendingMax: number) {
    super(`${region}: ${pendingMax} ${what} already in flight`);
    this.name = 'PendingRequestsFullError';
    this.region = region;
    this.pendingMax = pendingMax;
  }
}
