import type { MeridianConfig } from './schema.ts';

/** Identity helper that gives `meridian.config.ts` its types. */
export function defineConfig(config: MeridianConfig): MeridianConfig {
  return config;
}
