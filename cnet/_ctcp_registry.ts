// Copyright 2026 the moonwire authors. MIT license.
// Links a public CtcpConnection to the live protocol state behind it, so the
// public class stays the seed's plain (socket, seqNumber, ackNumber) record.

/** What a live connection exposes to the functions that take one. */
export interface CtcpConnectionState {
  /** Whether requests can be sent. */
  readonly isOpen: boolean;
  /** Whether this side opened the connection. */
  readonly initiator: boolean;
  /**
   * Sends a CTTP request; see `sendCttpRequest`. `signal` (not yet fired)
   * stops the wait for the response: the promise rejects with its
   * AbortError and a late response is dropped.
   */
  request(request: unknown, timeout: number, signal?: AbortSignal): Promise<{
    response: unknown;
    acknowledged: boolean;
  }>;
  /** Closes with FIN / FIN-ACK / ACK. */
  close(timeout: number): Promise<boolean>;
}

const STATES = new WeakMap<object, CtcpConnectionState>();

/** Attaches live state to a connection object. */
export function bindConnection(
  connection: object,
  state: CtcpConnectionState,
): void {
  STATES.set(connection, state);
}

/** The live state of a connection, or `undefined` for a detached one. */
export function connectionState(
  connection: object,
): CtcpConnectionState | undefined {
  return STATES.get(connection);
}
