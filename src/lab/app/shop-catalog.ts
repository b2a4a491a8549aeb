/**
 * The sample shop's catalog: a page computed in-process from a fixed product list, so that a browse
 * request costs a little CPU and touches no data class (it stays up when the region's data node is down).
 */
export interface CatalogProduct {
  readonly id: string;
  readonly name: string;
  readonly priceCents: number;
}

export interface CatalogPage {
  readonly region: string;
  readonly page: number;
  readonly pageCount: number;
  readonly products: readonly CatalogProduct[];
}

const ADJECTIVES = ['Alpine', 'Coastal', 'Desert', 'Harbor', 'Meadow', 'Northern', 'Tidal', 'Urban'] as const;
const NOUNS = ['Backpack', 'Bottle', 'Jacket', 'Lantern', 'Notebook', 'Scarf'] as const;
export const PRODUCTS_PER_PAGE = 12;

/** Every adjective with every noun, priced from a small hash of the name: the same list in every process. */
const PRODUCTS: readonly CatalogProduct[] = ADJECTIVES.flatMap((adjective, adjectiveIndex) =>
  NOUNS.map((noun, nounIndex) => {
    const name = `${adjective} ${noun}`;
    return { id: `p${adjectiveIndex * NOUNS.length + nounIndex + 1}`, name, priceCents: 500 + (nameHash(name) % 20_000) };
  }),
);

export const PAGE_COUNT = Math.ceil(PRODUCTS.length / PRODUCTS_PER_PAGE);

function nameHash(text: string): number {
  let hash = 2_166_136_261;
  for (let index = 0; index < text.length; index += 1) hash = Math.imul(hash ^ text.charCodeAt(index), 16_777_619) >>> 0;
  return hash;
}

/** One page (1-based, clamped to the pages there are) of the catalog, cheapest first. */
export function catalogPage(region: string, requestedPage: number): CatalogPage {
  const page = Math.min(Math.max(Number.isInteger(requestedPage) ? requestedPage : 1, 1), PAGE_COUNT);
  const sorted = [...PRODUCTS].sort((left, right) => left.priceCents - right.priceCents || left.id.localeCompare(right.id));
  const products = sorted.slice((page - 1) * PRODUCTS_PER_PAGE, page * PRODUCTS_PER_PAGE);
  return { region, page, pageCount: PAGE_COUNT, products };
}
