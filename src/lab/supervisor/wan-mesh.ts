import { regionRtt } from '../../catalog/latency.ts';
import { linkName, LinkRegistry } from '../wan/link-registry.ts';
import type { RegionProcess } from './region-process.ts';

/**
 * The WAN between the lab's regions: per ordered pair of regions, a link in front of b's replication
 * endpoint (`a->b`, what a's replication sends to b) and one in front of b's data node (`data:a->b`, what
 * a's applications ask of b's tables: a class with no replica in a, a single writer elsewhere), both with
 * the catalog's round trip. A link keeps its listening port when its target restarts on a new port, so
 * whoever was told its address keeps reaching the region. Each region is told to reach its peers through
 * its own outgoing links.
 */
/** The link that carries `source`'s application calls to `target`'s data node. */
export function dataLinkName(source: string, target: string): string {
  return `data:${linkName(source, target)}`;
}

export class WanMesh {
  readonly registry = new LinkRegistry({ maxLinks: 1024 });

  constructor(private readonly regions: ReadonlyMap<string, RegionProcess>) {}

  /** Creates (or re-creates, after a restart moved its port) every link into `target`. */
  async connectInto(target: string): Promise<void> {
    const endpoints = this.regions.get(target)?.current;
    if (!endpoints) return;
    for (const source of this.regions.keys()) {
      if (source === target) continue;
      const roundTripMs = regionRtt(source, target).rttMs;
      await this.replace(linkName(source, target), endpoints.replicationPort, roundTripMs);
      await this.replace(dataLinkName(source, target), endpoints.dataPort, roundTripMs);
    }
  }

  /** Creates a link, or re-creates it on the same listening port (and with its faults) for a new target port. */
  private async replace(name: string, targetPort: number, roundTripMs: number): Promise<void> {
    if (!this.registry.has(name)) {
      await this.registry.create({ name, targetPort, roundTripMs });
      return;
    }
    // Same entry, same listening port, same toxics: a fault under way (a partition, added latency)
    // outlives the restart of the region behind the link, and one lifted meanwhile stays lifted.
    await this.registry.recreate({ name, targetPort, roundTripMs, listenPort: this.registry.get(name).address.port });
  }

  /** Where an application in `source` reaches the data node of `target` (through their link). */
  dataAddress(source: string, target: string): string | undefined {
    const name = dataLinkName(source, target);
    return this.registry.has(name) ? `http://127.0.0.1:${this.registry.get(name).address.port}` : undefined;
  }

  /** Tells every running region where its peers are (through its outgoing links). */
  announce(): void {
    for (const [source, process] of this.regions) {
      const peers: Record<string, string> = {};
      for (const target of this.regions.keys()) {
        const name = linkName(source, target);
        if (target !== source && this.registry.has(name)) peers[target] = `http://127.0.0.1:${this.registry.get(name).address.port}`;
      }
      process.send({ kind: 'peers', peers });
    }
  }

  /** Counts a connection of `source` to `target` under `tag` on their link (ignored when the link is gone). */
  tagConnection(source: string, target: string, localPort: number, tag: string): void {
    const name = linkName(source, target);
    if (!this.registry.has(name)) return;
    try {
      this.registry.get(name).tagConnection({ localPort }, tag);
    } catch {
      // A connection tagged twice or too many tags: the bytes stay counted in the link's totals.
    }
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.registry.list().map((link) => this.registry.delete(link.name)));
  }
}
