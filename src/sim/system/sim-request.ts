/** One user request in flight through the simulated system. Mutable and reused by the hot path. */
export interface SimRequest {
  readonly issueMs: number;
  readonly population: number;
  readonly point: number;
  readonly operation: number;
  /** Region whose app took the request. */
  readonly region: number;
  /** Item the request reads or writes, within its data class. */
  readonly key: number;
  /** Time the request still needs after its data call: the rest of the handler and the way back. */
  readonly remainingMs: number;
}

/** Work scheduled in virtual time: an object with a method rather than a closure, cheap on the hot path. */
export interface Task {
  run(nowMs: number): void;
}

/** What the simulation offers the data plane: scheduling and completing requests. */
export interface SimulationHost {
  nowMs(): number;
  /** Runs the task (or function) at `atMs` in virtual time. */
  at(atMs: number, task: Task | ((nowMs: number) => void)): void;
  /** Ends a request: the data call finished at `dataDoneMs` (ok or not); the user gets the answer later by remainingMs. */
  complete(request: SimRequest, ok: boolean, dataDoneMs: number): void;
  event(atMs: number, text: string): void;
}

/** The data layer of the simulated system: every class's replicas, replication and failover control. */
export interface DataPlane {
  execute(request: SimRequest, nowMs: number): void;
  /** Route 53's view of a region changed (the control plane may promote a new writer). */
  onHealthChanged(region: number, healthy: boolean, nowMs: number): void;
  /** A fault started or ended: paused replication may resume, a recovered region may rejoin. */
  onFaultsChanged(nowMs: number): void;
  /** Whether replication still has work in flight (for draining at the end of a run). */
  busy(): boolean;
}
