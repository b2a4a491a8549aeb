/**
 * One client connection through a link: the client's socket, the socket to the target, and a timed pipe
 * each way. The TCP handshake is replayed in user space: the target is dialled one one-way delay after
 * the client connected (the SYN crossing), and the client's first bytes leave no sooner than one round
 * trip after it connected (when its SYN-ACK would have come back), so connecting and asking costs two
 * round trips through the link, as over a real WAN. The client's own connect() returns at once — the
 * kernel answers it on loopback — which is why the wait is charged to its first bytes instead.
 */
import { connect, type Socket } from 'node:net';
import { DIRECTIONS, isHandshakeBlocked, type Direction, type LinkFaults } from './link-faults.ts';
import { TimedPipe, type DirectionConditions, type PipeHooks, type PipeLimits } from './timed-pipe.ts';
import { LinkBufferOverflowError } from './link-errors.ts';

export type ConnectionEvent = 'reset' | 'handshakeTimedOut' | 'connectFailed' | 'overflowed';

/** What a connection needs from its link; the link implements it once for all its connections. */
export interface ConnectionContext {
  readonly linkName: string;
  readonly targetHost: string;
  readonly targetPort: number;
  readonly handshakeTimeoutMs: number;
  readonly pipeLimits: PipeLimits;
  nowMs(): number;
  random(): number;
  faults(): LinkFaults;
  conditions(direction: Direction): DirectionConditions;
  forwarded(direction: Direction, bytes: number, tag: string | undefined): void;
  dropped(direction: Direction, bytes: number): void;
  happened(event: ConnectionEvent, error?: Error): void;
  closed(connection: LinkConnection): void;
}

type ConnectionState = 'handshake' | 'blocked' | 'connecting' | 'open' | 'refused' | 'closed';

export class LinkConnection {
  /** The client's port and address as the link sees them: what tagConnection() matches. */
  readonly clientPort: number | undefined;
  readonly clientAddress: string | undefined;
  readonly forwardedBytes: Record<Direction, number> = { upstream: 0, downstream: 0 };
  tag: string | undefined;
  private state: ConnectionState = 'handshake';
  private target: Socket | null = null;
  private readonly upstream: TimedPipe;
  private downstream: TimedPipe | null = null;
  private readonly timers = new Set<NodeJS.Timeout>();
  private deadline: { cancel(): void } | null = null;

  constructor(
    private readonly context: ConnectionContext,
    private readonly client: Socket,
  ) {
    this.clientPort = client.remotePort;
    this.clientAddress = client.remoteAddress;
    client.setNoDelay(true);
    this.upstream = new TimedPipe(client, this.pipeHooks('upstream'), context.pipeLimits);
    client.on('data', (chunk: Buffer) => this.upstream.push(chunk));
    client.on('end', () => this.upstream.pushClose('end'));
    client.on('error', () => this.onClientError());
    client.on('close', () => this.onSocketClosed());
  }

  get isOpen(): boolean {
    return this.state === 'open';
  }

  start(): void {
    const { resetProbability } = this.context.faults();
    if (resetProbability > 0 && this.context.random() < resetProbability) {
      // The SYN reaches the far side and its RST comes back: the client learns one round trip later.
      this.state = 'refused';
      this.later(this.sampleOneWayMs('upstream') + this.sampleOneWayMs('downstream'), () => this.reset());
      return;
    }
    this.deadline = this.later(this.context.handshakeTimeoutMs, () => {
      this.context.happened('handshakeTimedOut');
      this.abort();
    });
    this.beginHandshake();
  }

  /** Resets both sockets (RST) at once: an injected fault, not something that crosses the link. */
  reset(): void {
    if (this.state === 'closed') return;
    this.context.happened('reset');
    this.abort();
  }

  /** Resets both sockets without counting an injected reset (a refused dial, a timeout, an overflow). */
  private abort(): void {
    if (this.state === 'closed') return;
    resetSocket(this.client);
    if (this.target !== null) resetSocket(this.target);
    this.finish();
  }

  /** Closes both sockets: the link is being disabled or closed. */
  close(): void {
    if (this.state === 'closed') return;
    this.client.destroy();
    this.target?.destroy();
    this.finish();
  }

  /** The link's faults changed: begin or end partitions, retry a blocked handshake, apply new bandwidth. */
  faultsChanged(previous: LinkFaults, next: LinkFaults): void {
    if (this.state === 'closed') return;
    for (const direction of DIRECTIONS) {
      const pipe = direction === 'upstream' ? this.upstream : this.downstream;
      const before = previous[direction].partition;
      const after = next[direction].partition;
      if (pipe === null || before === after) continue;
      if (after === 'drop') pipe.discard();
      if (after !== 'none') continue;
      // A black-holed stream has a hole no later byte can fill: a reset is what the peers would see.
      if (pipe.lostBytes) return this.reset();
      pipe.heal();
    }
    if (this.state === 'blocked' && !isHandshakeBlocked(next)) this.beginHandshake();
    this.upstream.pump();
    this.downstream?.pump();
  }

  private beginHandshake(): void {
    if (isHandshakeBlocked(this.context.faults())) {
      this.state = 'blocked';
      return;
    }
    this.state = 'handshake';
    const synMs = this.sampleOneWayMs('upstream');
    const synAckMs = this.sampleOneWayMs('downstream');
    this.upstream.holdUntil(this.context.nowMs() + synMs + synAckMs);
    this.later(synMs, () => this.connectTarget());
  }

  private connectTarget(): void {
    if (this.state !== 'handshake') return;
    // A partition that began while the SYN was crossing loses it; the handshake starts over on heal.
    if (isHandshakeBlocked(this.context.faults())) {
      this.state = 'blocked';
      return;
    }
    this.state = 'connecting';
    const target = connect({ host: this.context.targetHost, port: this.context.targetPort, allowHalfOpen: true });
    this.target = target;
    target.on('error', (error) => this.onTargetError(error));
    target.on('close', () => this.onSocketClosed());
    target.once('connect', () => this.onTargetConnected(target));
  }

  private onTargetConnected(target: Socket): void {
    if (this.state !== 'connecting') return;
    this.state = 'open';
    this.deadline?.cancel();
    target.setNoDelay(true);
    const downstream = new TimedPipe(target, this.pipeHooks('downstream'), this.context.pipeLimits);
    this.downstream = downstream;
    target.on('data', (chunk: Buffer) => downstream.push(chunk));
    target.on('end', () => downstream.pushClose('end'));
    downstream.attachDestination(this.client);
    this.upstream.attachDestination(target);
  }

  private onTargetError(error: Error): void {
    if (this.state === 'open') {
      this.downstream?.pushClose('reset');
    } else if (this.state === 'connecting') {
      // The target refused: its RST crosses the link back to the client.
      this.state = 'refused';
      this.context.happened('connectFailed', error);
      this.later(this.sampleOneWayMs('downstream'), () => this.abort());
    }
  }

  private onClientError(): void {
    if (this.state === 'open') this.upstream.pushClose('reset');
  }

  private onSocketClosed(): void {
    if (this.state === 'closed') return;
    const targetGone = this.target === null || this.target.destroyed;
    if (this.client.destroyed && (this.state !== 'open' || targetGone)) {
      this.target?.destroy();
      this.finish();
    }
  }

  private finish(): void {
    this.state = 'closed';
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.upstream.close();
    this.downstream?.close();
    this.context.closed(this);
  }

  private pipeHooks(direction: Direction): PipeHooks {
    const context = this.context;
    return {
      nowMs: () => context.nowMs(),
      random: () => context.random(),
      conditions: () => context.conditions(direction),
      forwarded: (bytes) => {
        this.forwardedBytes[direction] += bytes;
        context.forwarded(direction, bytes, this.tag);
      },
      dropped: (bytes) => context.dropped(direction, bytes),
      overflowed: (queuedBytes, maxQueuedBytes) => {
        context.happened('overflowed', new LinkBufferOverflowError(context.linkName, queuedBytes, maxQueuedBytes));
        this.abort();
      },
    };
  }

  private sampleOneWayMs(direction: Direction): number {
    const conditions = this.context.conditions(direction);
    return conditions.oneWayDelayMs + (conditions.jitterMs > 0 ? this.context.random() * conditions.jitterMs : 0);
  }

  /**
   * Runs `action` after `delayMs` by performance.now(), never sooner: a timer runs on the event loop's
   * cached clock and can fire a little early, in which case it is armed again for the rest.
   */
  private later(delayMs: number, action: () => void): { cancel(): void } {
    const dueMs = this.context.nowMs() + delayMs;
    let timer: NodeJS.Timeout;
    const arm = (waitMs: number) => {
      timer = setTimeout(() => {
        this.timers.delete(timer);
        const remainingMs = dueMs - this.context.nowMs();
        if (remainingMs > 0) arm(remainingMs);
        else action();
      }, Math.max(1, Math.ceil(waitMs)));
      this.timers.add(timer);
    };
    arm(delayMs);
    return {
      cancel: () => {
        clearTimeout(timer);
        this.timers.delete(timer);
      },
    };
  }
}

function resetSocket(socket: Socket): void {
  if (!socket.destroyed) socket.resetAndDestroy();
}
