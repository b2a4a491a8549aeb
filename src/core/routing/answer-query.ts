import type { Random } from '../random.ts';
import { failoverTargets } from './failover-routing.ts';
import { geolocationTargets } from './geolocation-routing.ts';
import { latencyTargets } from './latency-routing.ts';
import { multivalueTargets } from './multivalue-routing.ts';
import type { DnsAnswer, DnsQuery, HealthLookup, RecordSet, RoutingPolicy } from './record-set.ts';
import { simpleTargets } from './simple-routing.ts';
import { weightedTargets } from './weighted-routing.ts';

type PolicyTargets = (recordSet: RecordSet, query: DnsQuery, health: HealthLookup, random: Random) => readonly string[];

const TARGETS_BY_POLICY: Readonly<Record<RoutingPolicy, PolicyTargets>> = {
  simple: (recordSet, _query, _health, random) => simpleTargets(recordSet, random),
  weighted: (recordSet, _query, health, random) => weightedTargets(recordSet, health, random),
  latency: (recordSet, query, health) => latencyTargets(recordSet, query, health),
  geolocation: (recordSet, query, health) => geolocationTargets(recordSet, query, health),
  failover: (recordSet, _query, health) => failoverTargets(recordSet, health),
  multivalue: (recordSet, _query, health, random) => multivalueTargets(recordSet, health, random),
};

/**
 * What Route 53 answers for one query against one routing group, at the moment `health` describes.
 * Health is read, never probed: Route 53 answers from the last known health-check status.
 * Finding the group for a name (and NXDOMAIN) is the caller's job; this is the policy.
 */
export function answer(recordSet: RecordSet, query: DnsQuery, health: HealthLookup, random: Random): DnsAnswer {
  const targets = TARGETS_BY_POLICY[recordSet.policy](recordSet, query, health, random);
  return { targets, ttlSeconds: targets.length === 0 ? recordSet.negativeTtlSeconds : recordSet.ttlSeconds };
}
