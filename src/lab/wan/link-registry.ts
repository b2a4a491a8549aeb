/**
 * The named WAN links of a lab (`us-east-1->eu-west-1`, ...) and their toxics. A link's faults are what
 * its toxics amount to: every toxic change recomputes them whole, so a fault set with link.setFaults()
 * directly lasts until the next toxic change or reset().
 */
import { LinkConflictError, LinkLimitError, LinkNotFoundError, ToxicNotFoundError } from './link-errors.ts';
import { LinkProxy, type LinkDescription } from './link-proxy.ts';
import { requireLinkName, type LinkProxyOptions } from './link-options.ts';
import { TOXICS_PER_LINK_MAX, createToxic, faultsFromToxics, updateToxic, type Toxic } from './toxics.ts';

export interface LinkRegistryOptions {
  /** @default 256 (every ordered pair of 16 regions) */
  readonly maxLinks?: number;
  /** Passed to every link the registry creates, unless the link's options give their own. @default Math.random */
  readonly random?: () => number;
}

export interface RegisteredLink extends LinkDescription {
  readonly toxics: readonly Toxic[];
}

const DEFAULT_MAX_LINKS = 256;

/** The conventional name of the link from one region to another. */
export function linkName(sourceRegion: string, targetRegion: string): string {
  return `${sourceRegion}->${targetRegion}`;
}

interface Entry {
  /** Replaced by `recreate`; the entry (and its toxics) stays. */
  link: LinkProxy;
  readonly toxics: Map<string, Toxic>;
}

export class LinkRegistry {
  private readonly entries = new Map<string, Entry>();
  /** Names being created: a second create of the same name must fail even while the first still listens. */
  private readonly reserved = new Set<string>();
  private readonly maxLinks: number;
  private readonly random: (() => number) | undefined;

  constructor(options: LinkRegistryOptions = {}) {
    this.maxLinks = options.maxLinks ?? DEFAULT_MAX_LINKS;
    this.random = options.random;
  }

  /** Creates and starts a link; LinkConflictError if the name is taken, LinkLimitError past maxLinks. */
  async create(options: LinkProxyOptions): Promise<LinkProxy> {
    const name = requireLinkName('name', options.name);
    if (this.entries.has(name) || this.reserved.has(name)) throw new LinkConflictError('name', `a link named ${JSON.stringify(name)} exists`);
    if (this.entries.size + this.reserved.size >= this.maxLinks) throw new LinkLimitError('links in the registry', this.maxLinks);
    this.reserved.add(name);
    try {
      const random = options.random ?? this.random;
      const link = await LinkProxy.start(random === undefined ? options : { ...options, random });
      this.entries.set(name, { link, toxics: new Map() });
      return link;
    } finally {
      this.reserved.delete(name);
    }
  }

  /**
   * Re-creates an existing link with new options (its target restarted on another port; give the old
   * `listenPort` to keep the address): the registry entry and its toxics stay throughout, so a toxic added
   * or removed while the new link starts applies to it. Throws LinkNotFoundError for an unknown name.
   */
  async recreate(options: LinkProxyOptions): Promise<LinkProxy> {
    const name = requireLinkName('name', options.name);
    const entry = this.entry(name);
    await entry.link.close();
    const random = options.random ?? this.random;
    entry.link = await LinkProxy.start(random === undefined ? options : { ...options, random });
    entry.link.setFaults(faultsFromToxics(entry.toxics.values()));
    return entry.link;
  }

  get(name: string): LinkProxy {
    return this.entry(name).link;
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  /** Links by name, in name order. */
  list(): readonly LinkProxy[] {
    return [...this.entries.keys()].sort().map((name) => this.entries.get(name)!.link);
  }

  describe(name: string): RegisteredLink {
    const entry = this.entry(name);
    return { ...entry.link.describe(), toxics: [...entry.toxics.values()] };
  }

  async delete(name: string): Promise<void> {
    const entry = this.entry(name);
    this.entries.delete(name);
    await entry.link.close();
  }

  toxics(name: string): readonly Toxic[] {
    return [...this.entry(name).toxics.values()];
  }

  toxic(name: string, toxicName: string): Toxic {
    const toxic = this.entry(name).toxics.get(toxicName);
    if (toxic === undefined) throw new ToxicNotFoundError(name, toxicName);
    return toxic;
  }

  /** Adds a toxic (validated; see toxics.ts) and applies the link's new faults at once. */
  addToxic(name: string, input: unknown): Toxic {
    const entry = this.entry(name);
    const toxic = createToxic(input);
    if (entry.toxics.has(toxic.name)) throw new LinkConflictError('name', `link ${JSON.stringify(name)} has a toxic named ${JSON.stringify(toxic.name)}`);
    if (entry.toxics.size >= TOXICS_PER_LINK_MAX) throw new LinkLimitError(`toxics on link ${JSON.stringify(name)}`, TOXICS_PER_LINK_MAX);
    this.applyToxics(entry, new Map([...entry.toxics, [toxic.name, toxic]]));
    return toxic;
  }

  updateToxic(name: string, toxicName: string, input: unknown): Toxic {
    const entry = this.entry(name);
    const toxic = updateToxic(this.toxic(name, toxicName), input);
    this.applyToxics(entry, new Map([...entry.toxics, [toxic.name, toxic]]));
    return toxic;
  }

  removeToxic(name: string, toxicName: string): void {
    const entry = this.entry(name);
    this.toxic(name, toxicName);
    const toxics = new Map(entry.toxics);
    toxics.delete(toxicName);
    this.applyToxics(entry, toxics);
  }

  /** As Toxiproxy's POST /reset: every link enabled, every toxic removed, every fault cleared. */
  async reset(): Promise<void> {
    for (const entry of this.entries.values()) {
      entry.toxics.clear();
      entry.link.clearFaults();
      await entry.link.setEnabled(true);
    }
  }

  async closeAll(): Promise<void> {
    const links = [...this.entries.values()].map((entry) => entry.link);
    this.entries.clear();
    await Promise.all(links.map((link) => link.close()));
  }

  private entry(name: string): Entry {
    const entry = this.entries.get(name);
    if (entry === undefined) throw new LinkNotFoundError(name);
    return entry;
  }

  /** Sets the faults first: if the stack is invalid (latencies adding past the bound) nothing changes. */
  private applyToxics(entry: Entry, toxics: Map<string, Toxic>): void {
    entry.link.setFaults(faultsFromToxics(toxics.values()));
    entry.toxics.clear();
    for (const [toxicName, toxic] of toxics) entry.toxics.set(toxicName, toxic);
  }
}
