import { answer } from '../../core/routing/answer-query.ts';
import { defineRecordSet, type HealthLookup, type RecordSet } from '../../core/routing/record-set.ts';
import type { Random } from '../../core/random.ts';
import type { RoutingRecord, RoutingPolicy } from '../../core/routing/record-set.ts';
import { dnsQueryOf, placeOfAddress, type PopulationPlace } from './population-places.ts';

/**
 * The routing decisions of the lab's DNS router: for a question about the service's name from a place
 * (its EDNS Client Subnet, or its source address), core/routing's `answer` over the architecture's
 * record set and the live health checks, turned into each chosen region's ingress address. Deterministic
 * policies (simple, failover, latency, geolocation) are memoised per place until a health check flips;
 * weighted and multivalue draw at random on every query, as Route 53 does.
 */
export interface RouterQuestion {
  readonly name: string;
  readonly type: string;
  readonly clientSubnet?: { readonly address: string; readonly sourcePrefixLength: number };
  readonly sourceAddress: string;
}

export type RouterDecision =
  | { readonly kind: 'answer'; readonly addresses: readonly string[]; readonly ttlSeconds: number; readonly scopePrefixLength?: number }
  | { readonly kind: 'nxdomain' }
  | { readonly kind: 'nodata' };

export interface Route53RouterOptions {
  /** The service's domain; the router answers for it and for `api.<domain>`. */
  readonly domain: string;
  readonly policy: RoutingPolicy;
  readonly ttlSeconds: number;
  readonly records: readonly RoutingRecord[];
  readonly places: readonly PopulationPlace[];
  /** A client outside every population's subnet is answered as this place (the first one by default). */
  readonly defaultPlace?: PopulationPlace;
  readonly ingressAddress: (region: string) => string;
  readonly health: HealthLookup;
  readonly random: Random;
}

const DETERMINISTIC: ReadonlySet<RoutingPolicy> = new Set(['simple', 'failover', 'latency', 'geolocation']);

export class Route53Router {
  readonly recordSet: RecordSet;
  private readonly names: ReadonlySet<string>;
  private readonly memo = new Map<number, RouterDecision>();
  /** Answers by region, for the control API and the tests. */
  readonly answersByRegion = new Map<string, number>();
  queries = 0;

  constructor(private readonly options: Route53RouterOptions) {
    this.recordSet = defineRecordSet({ name: options.domain, policy: options.policy, ttlSeconds: options.ttlSeconds, records: options.records });
    this.names = new Set([options.domain.toLowerCase(), `api.${options.domain.toLowerCase()}`]);
  }

  /** Forget memoised answers: a health check flipped. */
  healthChanged(): void {
    this.memo.clear();
  }

  decide(question: RouterQuestion): RouterDecision {
    this.queries += 1;
    const name = question.name.toLowerCase();
    if (!this.names.has(name)) return { kind: 'nxdomain' };
    if (question.type !== 'A' && question.type !== 'ANY') return { kind: 'nodata' };
    const place = placeOfAddress(this.options.places, question.clientSubnet?.address ?? question.sourceAddress) ?? this.options.defaultPlace ?? this.options.places[0]!;
    const placeIndex = this.options.places.indexOf(place);
    const cached = DETERMINISTIC.has(this.options.policy) ? this.memo.get(placeIndex) : undefined;
    if (cached !== undefined) return this.counted(cached);
    const routed = answer(this.recordSet, dnsQueryOf(place, this.options.domain), this.options.health, this.options.random);
    const decision: RouterDecision =
      routed.targets.length === 0
        ? { kind: 'nodata' }
        : { kind: 'answer', addresses: routed.targets.map((region) => this.options.ingressAddress(region)), ttlSeconds: routed.ttlSeconds, scopePrefixLength: 24 };
    if (DETERMINISTIC.has(this.options.policy)) this.memo.set(placeIndex, decision);
    return this.counted(decision);
  }

  private counted(decision: RouterDecision): RouterDecision {
    if (decision.kind === 'answer') {
      for (const address of decision.addresses) this.answersByRegion.set(address, (this.answersByRegion.get(address) ?? 0) + 1);
    }
    return decision;
  }
}
