/**
 * Where each data class may live. A class bound to a regulatory zone (the spec's `zones`, e.g.
 * `eu: [eu-west-1, eu-central-1]`, named by `data.<class>.residency`) may be stored in, replicated to and
 * served from the zone's regions only; a class with no residency may go anywhere. The spec layer resolves
 * zone names to region lists; this module only answers questions about them.
 */
export interface ResidencyRule {
  readonly dataClass: string;
  /** The zone's name, or undefined when the class may live in any region. */
  readonly zone: string | undefined;
  /** The zone's regions (unused when `zone` is undefined). */
  readonly regions: readonly string[];
}

export interface ResolvedResidencyRule {
  readonly dataClass: string;
  readonly zone: string | undefined;
  readonly regions: ReadonlySet<string>;
}

export interface ResidencyPolicy {
  readonly rules: ReadonlyMap<string, ResolvedResidencyRule>;
}

export function createResidencyPolicy(rules: readonly ResidencyRule[]): ResidencyPolicy {
  const resolved = new Map<string, ResolvedResidencyRule>();
  for (const rule of rules) {
    if (resolved.has(rule.dataClass)) throw new Error(`invariant violated: data class ${rule.dataClass} has two residency rules`);
    if (rule.zone !== undefined && rule.regions.length === 0) throw new Error(`invariant violated: zone ${rule.zone} of ${rule.dataClass} has no region`);
    resolved.set(rule.dataClass, { dataClass: rule.dataClass, zone: rule.zone, regions: new Set(rule.regions) });
  }
  return { rules: resolved };
}

/** Whether a class may be held in a region at all; false for a class the policy does not know. */
export function regionAllowed(policy: ResidencyPolicy, dataClass: string, region: string): boolean {
  const rule = policy.rules.get(dataClass);
  if (rule === undefined) return false;
  return rule.zone === undefined || rule.regions.has(region);
}

/** The candidates (in their order) that may hold the class: where a replication group may place replicas. */
export function allowedRegions(policy: ResidencyPolicy, dataClass: string, candidates: readonly string[]): string[] {
  return candidates.filter((region) => regionAllowed(policy, dataClass, region));
}
