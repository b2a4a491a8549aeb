/**
 * A WAN link between two regions on one machine: a TCP proxy on loopback that delays every byte by the
 * link's one-way delay plus jitter in each direction, replays the TCP handshake's round trip, and
 * injects faults at run time (extra latency, a bandwidth limit, partitions, resets, down). It counts the
 * bytes it forwards, which is the inter-region transfer the cost model prices.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { ByteCounters, type ByteCountersSnapshot } from './byte-counters.ts';
import { LinkConnection, type ConnectionContext, type ConnectionEvent } from './link-connection.ts';
import { LinkConfigError, LinkLimitError, LinkListenError } from './link-errors.ts';
import { DIRECTIONS, NO_FAULTS, resolveLinkFaults, type Direction, type LinkFaults, type LinkFaultsInput } from './link-faults.ts';
import { resolveLinkLatency, resolveLinkOptions, type LinkLatency, type LinkProxyOptions, type ResolvedLinkOptions } from './link-options.ts';
import { TokenBucket } from './token-bucket.ts';
import type { DirectionConditions } from './timed-pipe.ts';

export type { LinkLatency, LinkProxyOptions, ResolvedLinkOptions } from './link-options.ts';

export interface LinkConnectionCounts {
  readonly open: number;
  readonly accepted: number;
  /** Refused because the link had maxConnections open. */
  readonly rejected: number;
  /** Reset by a fault: resetConnections(), resetProbability, or a healed black hole. */
  readonly reset: number;
  readonly handshakesTimedOut: number;
  readonly connectFailures: number;
  readonly overflows: number;
}

export interface LinkStats extends ByteCountersSnapshot {
  readonly connections: LinkConnectionCounts;
  readonly lastError: { readonly code: string; readonly message: string } | null;
}

/** What the control API lists for a link. */
export interface LinkDescription extends LinkLatency {
  readonly name: string;
  readonly listen: string;
  readonly upstream: string;
  readonly enabled: boolean;
  readonly faults: LinkFaults;
  readonly stats: LinkStats;
}

/** A tag may be given before the link has accepted the connection; it waits this long for it. */
const PENDING_TAG_TTL_MS = 10_000;
const PENDING_TAGS_MAX = 1024;
const TAG_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}$/;

export class LinkProxy {
  readonly options: ResolvedLinkOptions;
  private server: Server | null = null;
  private port: number;
  private enabledFlag = false;
  private closedFlag = false;
  private latencyValue: LinkLatency;
  private faultsValue: LinkFaults = NO_FAULTS;
  private readonly conditionsByDirection: Record<Direction, DirectionConditions>;
  private readonly connections = new Set<LinkConnection>();
  private readonly counters = new ByteCounters();
  private readonly events: Record<ConnectionEvent | 'accepted' | 'rejected', number> = {
    accepted: 0, rejected: 0, reset: 0, handshakeTimedOut: 0, connectFailed: 0, overflowed: 0,
  };
  private lastError: LinkStats['lastError'] = null;
  private readonly pendingTags = new Map<number, { tag: string; expiresAtMs: number }>();
  private readonly context: ConnectionContext;
  /** Enabling and disabling listen and close asynchronously: one at a time, in call order. */
  private transition: Promise<void> = Promise.resolve();

  private constructor(options: LinkProxyOptions) {
    this.options = resolveLinkOptions(options);
    this.port = this.options.listenPort;
    this.latencyValue = resolveLinkLatency(options);
    const idle: DirectionConditions = { oneWayDelayMs: 0, jitterMs: 0, partition: 'none', bucket: null };
    this.conditionsByDirection = { upstream: idle, downstream: idle };
    this.faultsValue = resolveLinkFaults(options.faults);
    this.recomputeConditions();
    this.context = this.connectionContext();
  }

  /** Creates the link and listens; rejects with LinkConfigError or LinkListenError. */
  static async start(options: LinkProxyOptions): Promise<LinkProxy> {
    const link = new LinkProxy(options);
    await link.setEnabled(true);
    return link;
  }

  get name(): string {
    return this.options.name;
  }

  /** Where clients connect. The port stays the same across disable and enable. */
  get address(): { readonly host: string; readonly port: number } {
    return { host: this.options.listenHost, port: this.port };
  }

  get enabled(): boolean {
    return this.enabledFlag;
  }

  get latency(): LinkLatency {
    return this.latencyValue;
  }

  get faults(): LinkFaults {
    return this.faultsValue;
  }

  get openConnections(): number {
    return this.connections.size;
  }

  /** Changes the link's own round trip and jitter; bytes already in flight keep their release time. */
  setLatency(input: Partial<LinkLatency>): LinkLatency {
    this.latencyValue = resolveLinkLatency(input, this.latencyValue);
    this.recomputeConditions();
    return this.latencyValue;
  }

  /** Replaces the link's faults with `input` (absent fields: no fault) and applies them to every connection. */
  setFaults(input: LinkFaultsInput): LinkFaults {
    const next = resolveLinkFaults(input);
    const previous = this.faultsValue;
    this.faultsValue = next;
    this.recomputeConditions();
    for (const connection of [...this.connections]) connection.faultsChanged(previous, next);
    return next;
  }

  clearFaults(): void {
    this.setFaults({});
  }

  /** Resets (RST) every open connection; returns how many. */
  resetConnections(): number {
    const open = [...this.connections];
    for (const connection of open) connection.reset();
    return open.length;
  }

  /** Disabled: new connections are refused (nothing listens) and open ones are closed. */
  setEnabled(enabled: boolean): Promise<void> {
    const step = this.transition.then(() => (enabled ? this.listen() : this.stopListening()));
    this.transition = step.catch(() => undefined);
    return step;
  }

  /** Closes the listener and every connection; the link cannot be used afterwards. */
  async close(): Promise<void> {
    this.closedFlag = true;
    await this.setEnabled(false);
  }

  /**
   * Attributes a connection's bytes to `tag` (e.g. a data class), all of them, also those forwarded
   * before the call. `client` is the caller's own socket (its localPort is the port the link sees); the
   * tag may come before the link has accepted the connection and waits for it up to 10 s.
   */
  tagConnection(client: { readonly localPort?: number | undefined }, tag: string): void {
    if (!TAG_PATTERN.test(tag)) {
      throw new LinkConfigError('tag', `must be 1-64 letters, digits or . _ : / - , got ${JSON.stringify(tag)}`);
    }
    const port = client.localPort;
    if (port === undefined || !Number.isInteger(port)) throw new LinkConfigError('client.localPort', 'the socket is not connected');
    const connection = [...this.connections].find((candidate) => candidate.clientPort === port);
    if (connection !== undefined) return this.assignTag(connection, tag);
    this.counters.requireTagRoom(tag);
    const nowMs = performance.now();
    for (const [pendingPort, pending] of this.pendingTags) if (pending.expiresAtMs <= nowMs) this.pendingTags.delete(pendingPort);
    if (this.pendingTags.size >= PENDING_TAGS_MAX) throw new LinkLimitError('tags waiting for their connection', PENDING_TAGS_MAX);
    this.pendingTags.set(port, { tag, expiresAtMs: nowMs + PENDING_TAG_TTL_MS });
  }

  stats(): LinkStats {
    return {
      ...this.counters.snapshot(),
      connections: {
        open: this.connections.size,
        accepted: this.events.accepted,
        rejected: this.events.rejected,
        reset: this.events.reset,
        handshakesTimedOut: this.events.handshakeTimedOut,
        connectFailures: this.events.connectFailed,
        overflows: this.events.overflowed,
      },
      lastError: this.lastError,
    };
  }

  describe(): LinkDescription {
    return {
      name: this.name,
      listen: `${this.options.listenHost}:${this.port}`,
      upstream: `${this.options.targetHost}:${this.options.targetPort}`,
      enabled: this.enabledFlag,
      ...this.latencyValue,
      faults: this.faultsValue,
      stats: this.stats(),
    };
  }

  private assignTag(connection: LinkConnection, tag: string): void {
    if (connection.tag === tag) return;
    if (connection.tag !== undefined) {
      throw new LinkConfigError('tag', `the connection is already tagged ${JSON.stringify(connection.tag)}`);
    }
    this.counters.addToTag(tag, connection.forwardedBytes.upstream, connection.forwardedBytes.downstream);
    connection.tag = tag;
  }

  private async listen(): Promise<void> {
    if (this.closedFlag) {
      throw new LinkConfigError('enabled', `link ${JSON.stringify(this.name)} is closed`);
    }
    if (this.server !== null) return;
    const server = createServer({ allowHalfOpen: true }, (socket) => this.accept(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: this.options.listenHost, port: this.port, exclusive: true }, () => {
        server.off('error', reject);
        resolve();
      });
    }).catch((error: unknown) => {
      throw new LinkListenError(this.name, `${this.options.listenHost}:${this.port}`, error);
    });
    server.on('error', (error) => this.recordError(error));
    const address = server.address();
    if (address !== null && typeof address === 'object') this.port = address.port;
    this.server = server;
    this.enabledFlag = true;
  }

  private async stopListening(): Promise<void> {
    this.enabledFlag = false;
    const server = this.server;
    this.server = null;
    for (const connection of [...this.connections]) connection.close();
    if (server !== null) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private accept(socket: Socket): void {
    // A connection can be accepted while the listener closes; its client must not be left hanging.
    socket.on('error', () => undefined);
    if (!this.enabledFlag) {
      socket.destroy();
      return;
    }
    if (this.connections.size >= this.options.maxConnections) {
      this.events.rejected++;
      this.recordError(new LinkLimitError(`open connections on link ${JSON.stringify(this.name)}`, this.options.maxConnections));
      socket.destroy();
      return;
    }
    const connection = new LinkConnection(this.context, socket);
    this.connections.add(connection);
    this.events.accepted++;
    const pending = connection.clientPort === undefined ? undefined : this.pendingTags.get(connection.clientPort);
    if (pending !== undefined) {
      this.pendingTags.delete(connection.clientPort!);
      if (pending.expiresAtMs > performance.now()) this.assignTag(connection, pending.tag);
    }
    connection.start();
  }

  private recomputeConditions(): void {
    for (const direction of DIRECTIONS) {
      const faults = this.faultsValue[direction];
      const rate = faults.bandwidthBytesPerSecond;
      const current = this.conditionsByDirection[direction].bucket;
      // Keep the bucket (and its tokens) when the rate did not change, so unrelated edits do not add a burst.
      const bucket = rate === null ? null : current?.ratePerSecond === rate ? current : new TokenBucket(rate, performance.now());
      this.conditionsByDirection[direction] = Object.freeze({
        oneWayDelayMs: this.latencyValue.roundTripMs / 2 + faults.extraLatencyMs,
        jitterMs: this.latencyValue.jitterMs + faults.extraJitterMs,
        partition: faults.partition,
        bucket,
      });
    }
  }

  private recordError(error: Error): void {
    const code = (error as { code?: unknown }).code;
    this.lastError = { code: typeof code === 'string' ? code : 'ERROR', message: error.message };
  }

  private connectionContext(): ConnectionContext {
    const { name, targetHost, targetPort, handshakeTimeoutMs, maxBufferedBytesPerConnection, random } = this.options;
    // Half of the budget per direction; reading pauses at half of that, so a whole chunk always fits.
    const maxQueuedBytes = Math.floor(maxBufferedBytesPerConnection / 2);
    return {
      linkName: name,
      targetHost,
      targetPort,
      handshakeTimeoutMs,
      pipeLimits: { pauseAtBytes: Math.floor(maxQueuedBytes / 2), maxQueuedBytes },
      nowMs: () => performance.now(),
      random,
      faults: () => this.faultsValue,
      conditions: (direction) => this.conditionsByDirection[direction],
      forwarded: (direction, bytes, tag) => this.counters.forwarded(direction, bytes, tag),
      dropped: (direction, bytes) => this.counters.dropped(direction, bytes),
      happened: (event, error) => {
        this.events[event]++;
        if (error !== undefined) this.recordError(error);
      },
      closed: (connection) => this.connections.delete(connection),
    };
  }
}
