/** Public entry of the package: what a `meridian.config.ts` imports. */
export { defineConfig } from './spec/define-config.ts';
export type { Consistency, Edge, Engine, MeridianConfig, RegionRole, RoutingPolicy } from './spec/schema.ts';
