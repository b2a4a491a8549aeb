import { SERVICE_LEVELS } from '../catalog/service-levels.ts';
import type { ResolvedSpec } from '../spec/resolved-spec.ts';
import type { Architecture, DataPlacement } from './architecture.ts';
import { trafficFailover, type TrafficFailover } from './routing-model.ts';

/** What a regional failure costs one data class: lost data (RPO) and time until it works again (RTO). */
export interface DataClassRecovery {
  readonly dataClass: string;
  readonly rpoSeconds: number;
  readonly rtoSeconds: number;
  /** Seconds until writes work again, when that differs from reads (promotion of a new writer). */
  readonly writeRtoSeconds: number;
  readonly explanation: string;
}

export interface RecoveryEstimate {
  readonly traffic: TrafficFailover;
  /** Seconds users wait in the worst case, for any operation. */
  readonly rtoSeconds: number;
  readonly rpoSeconds: number;
  readonly dataClasses: readonly DataClassRecovery[];
  readonly incidentSeconds: number;
}

/** Seconds until the class's writes work again after the failure of `failed` (undefined = not affected). */
export function writeOutageSeconds(placement: DataPlacement, failed: string, traffic: TrafficFailover, incidentSeconds: number): number | undefined {
  const detected = traffic.detectionSeconds;
  if (placement.engine === 'dynamodb-mrsc') {
    const members = placement.replicas.length + (placement.witness ? 1 : 0);
    return placement.replicas.includes(failed) || placement.witness === failed ? (members >= 3 ? 0 : incidentSeconds) : undefined;
  }
  if (placement.replicas.length === 1) return placement.replicas[0] === failed ? incidentSeconds : undefined;
  if (placement.writer !== failed) return undefined;
  if (detected === undefined) return incidentSeconds;
  if (placement.engine === 'aurora-global-database') {
    return Math.min(incidentSeconds, detected + SERVICE_LEVELS.aurora_global_database.managed_failover_seconds);
  }
  // A global table written in one region: the new region writes to its own replica once traffic moves.
  return Math.min(incidentSeconds, traffic.seconds ?? incidentSeconds);
}

/** Seconds until the class's reads work again (undefined = not affected beyond traffic failover). */
export function readOutageSeconds(placement: DataPlacement, failed: string, incidentSeconds: number): number | undefined {
  if (placement.replicas.length === 1 && placement.replicas[0] === failed) return incidentSeconds;
  return undefined;
}

function classRecovery(spec: ResolvedSpec, architecture: Architecture, placement: DataPlacement, traffic: TrafficFailover, incidentSeconds: number): DataClassRecovery {
  const dataClass = spec.data.find((candidate) => candidate.name === placement.dataClass)!;
  const trafficSeconds = traffic.seconds ?? incidentSeconds;
  const regions = [...architecture.servingRegions, ...architecture.standbyRegions];
  const writeOutages = regions.map((region) => writeOutageSeconds(placement, region, traffic, incidentSeconds) ?? 0);
  const readOutages = regions.map((region) => readOutageSeconds(placement, region, incidentSeconds) ?? 0);
  const writeRto = Math.max(trafficSeconds, ...writeOutages);
  const rto = Math.max(writeRto, ...readOutages);
  const asynchronous = placement.engine === 'aurora-global-database' || placement.engine === 'dynamodb-global-table';
  const rpoSeconds = asynchronous ? dataClass.replicationLagMs / 1000 : 0;
  return { dataClass: placement.dataClass, rpoSeconds, rtoSeconds: rto, writeRtoSeconds: writeRto, explanation: recoveryExplanation(placement, rpoSeconds, incidentSeconds) };
}

function recoveryExplanation(placement: DataPlacement, rpoSeconds: number, incidentSeconds: number): string {
  const minutes = Math.round(incidentSeconds / 60);
  switch (placement.engine) {
    case 'dynamodb-mrsc':
      return placement.replicas.length + (placement.witness ? 1 : 0) >= 3
        ? 'a majority survives one region: no acknowledged write is lost and writes go on'
        : 'a quorum of fewer than three members stops on a member failure';
    case 'aurora-global-database':
      return `unplanned failover promotes a secondary after detection (~${SERVICE_LEVELS.aurora_global_database.managed_failover_seconds} s); writes not yet replicated (lag ${rpoSeconds} s) are lost`;
    case 'dynamodb-global-table':
      return `other replicas keep serving; writes not yet replicated (lag ${rpoSeconds} s) are missing until the failed region returns, and last writer wins may overwrite them`;
    default:
      return `one copy in ${placement.replicas[0]}: nothing is lost (it is durable across AZs) but it is unreachable for the whole incident (~${minutes} min assumed)`;
  }
}

export function estimateRecovery(spec: ResolvedSpec, architecture: Architecture): RecoveryEstimate {
  const traffic = trafficFailover(architecture);
  const incidentSeconds = spec.assumptions.regionalIncidentMinutes * 60;
  const dataClasses = architecture.placements.map((placement) => classRecovery(spec, architecture, placement, traffic, incidentSeconds));
  const trafficSeconds = traffic.seconds ?? incidentSeconds;
  return {
    traffic,
    rtoSeconds: Math.max(trafficSeconds, ...dataClasses.map((recovery) => recovery.rtoSeconds)),
    rpoSeconds: Math.max(0, ...dataClasses.map((recovery) => recovery.rpoSeconds)),
    dataClasses,
    incidentSeconds,
  };
}
