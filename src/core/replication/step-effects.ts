/**
 * What a replication state machine asks its shell to do after a step. The step itself does no I/O: the
 * simulator turns `send` into a delivery on its simulated network (delay, loss, partition) and `reply`
 * into a completed request; the lab turns them into socket writes. Messages do not name their sender:
 * the transport knows it and hands it back as `from` with the delivery.
 */
export interface SendEffect<Message> {
  readonly kind: 'send';
  readonly to: string;
  readonly message: Message;
}

/** The answer to a client request, identified by the `requestId` the client event carried. */
export interface ReplyEffect<Reply> {
  readonly kind: 'reply';
  readonly reply: Reply;
}

/** A successful or failed client request. */
export type RequestOutcome<Success, Failure extends Error> =
  | ({ readonly requestId: number; readonly ok: true } & Success)
  | { readonly requestId: number; readonly ok: false; readonly error: Failure };

/** One step's result. State objects are mutable and owned by the caller: `state` is the same object, returned for chaining. */
export interface StepResult<State, Effect> {
  readonly state: State;
  readonly effects: Effect[];
}
