import { regionRtt } from '../../catalog/latency.ts';
import { linkName, LinkRegistry } from '../wan/link-registry.ts';
import type { RegionProcess } from './region-process.ts';

/**
 * The WAN between the lab's regions: one link per ordered pair of regions (`a->b` carries what a sends
 * to b), with the catalog's round trip between them, in front of b's replication endpoint. Each region
 * is told to reach its peers through its own outgoing links.
 */
export class WanMesh {
  readonly registry = new LinkRegistry();

  constructor(private readonly regions: ReadonlyMap<string, RegionProcess>) {}

  /** Creates (or re-creates, after a restart moved its port) every link into `target`. */
  async connectInto(target: string): Promise<void> {
    const endpoints = this.regions.get(target)?.current;
    if (!endpoints) return;
    for (const source of this.regions.keys()) {
      if (source === target) continue;
      const name = linkName(source, target);
      if (this.registry.has(name)) await this.registry.delete(name);
      await this.registry.create({ name, targetPort: endpoints.replicationPort, roundTripMs: regionRtt(source, target).rttMs });
    }
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
