import type { PopulationPlace } from '../traffic/population-places.ts';

/**
 * Everything `meridian load` needs to reach a running lab, as `meridian up` writes it to its state file:
 * the DNS router, each region's ingress address, and for each population place the path to each region
 * (the WAN link from that place to the region's app) and, with an accelerator, the place's edge listener.
 */
export interface HostPort {
  readonly host: string;
  readonly port: number;
}

export interface LoadTargets {
  readonly domain: string;
  readonly dns: HostPort;
  /** Regions in the lab's order (the report's region index). */
  readonly regions: readonly string[];
  /** Ingress address (what the DNS router answers) → region. */
  readonly ingress: Readonly<Record<string, string>>;
  readonly places: readonly PopulationPlace[];
  /** paths[place name][region]: where a user of that place reaches that region's app. */
  readonly paths: Readonly<Record<string, Readonly<Record<string, HostPort>>>>;
  /** With an edge (accelerator or CDN), the edge's listener for each place: users go there instead of resolving. */
  readonly edge?: { readonly kind: 'accelerator' | 'cdn'; readonly listeners: Readonly<Record<string, HostPort>> };
  /** Each region's replication endpoint (its figures: conflicts), for the data outcomes after the run. */
  readonly replication: Readonly<Record<string, string>>;
  /** Each region's data node, read directly (not through a link) for the final state after the run. */
  readonly dataEndpoints: Readonly<Record<string, string>>;
  /** The regions holding each data class's table. */
  readonly tables: Readonly<Record<string, readonly string[]>>;
}
