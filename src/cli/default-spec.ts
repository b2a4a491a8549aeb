import { fileURLToPath } from 'node:url';

/** The embedded default spec: the global shop example shipped with the package. */
export const DEFAULT_SPEC_PATH = fileURLToPath(new URL('../../examples/global-shop.yaml', import.meta.url));
export const DEFAULT_SPEC_LABEL = 'examples/global-shop.yaml (embedded default)';
