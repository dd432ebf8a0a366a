// Copyright 2026 the moonwire authors. MIT license.
// What goes in and out of a session core (_session_core.ts): its limits,
// the packets it hands to the driver and the events it reports.
import type { LuaValue } from "../../net/mod.ts";
import type { Inner } from "./_packet.ts";
import type { ReassemblyLimits } from "./_reassembly.ts";

export type SessionPhase = "handshaking" | "pending" | "open" | "closed";
export type CloseReason = "closed" | "peer" | "timeout";

/** Sessions refuse to go past this many messages (far below 2^64). */
export const MAX_COUNTER = 1n << 48n;

/** Deadlines and limits of a session, in ms and bytes. */
export interface SessionLimits {
  /** Silence from the peer before an open session closes (0: never). */
  idleTimeout: number;
  /** Own silence before a PING goes out (0: never). */
  keepAlive: number;
  /** Between retransmissions of OPEN and of requests. */
  retransmit: number;
  /** Half-open life (server) and how long OPEN is retransmitted (client). */
  handshakeTimeout: number;
  /** How long a request waits for its answer. */
  requestTimeout: number;
  /** Largest decoded message. */
  maxMessageSize: number;
  /** Messages per session before sends are refused. */
  maxCounter?: bigint;
  reassembly: ReassemblyLimits;
}

export interface SessionCoreInit {
  role: "client" | "server";
  idBytes: Uint8Array<ArrayBuffer>;
  /** Largest packet the medium carries (can be changed later). */
  maxPayloadSize: number;
  limits: SessionLimits;
  now: number;
}

/** Called by the driver when the packet it carries could not be sent. */
export type TransmitFailure = (error: unknown) => void;

/** A packet to send to the peer, with who to tell when sending fails. */
export interface Transmit {
  packet: Uint8Array<ArrayBuffer>;
  onError: TransmitFailure | undefined;
}

export type SessionEvent =
  /** Server: the first authenticated message confirmed the session. */
  | { type: "opened" }
  | { type: "message"; message: LuaValue }
  | { type: "plain"; message: LuaValue; distance: number | undefined }
  /** Server: a login request (requestId and the encoded credentials). */
  | { type: "login"; requestId: number; body: Uint8Array }
  /** Server: a logout request. Client: the server logged it out (id 0). */
  | { type: "logout"; requestId: number }
  /** Client: the answer to one of its requests. */
  | { type: "answer"; requestId: number; body: Uint8Array<ArrayBuffer> }
  /** Client: a request gave up (timeout) or failed (closed, seal error). */
  | {
    type: "request_failed";
    requestId: number;
    reason: "timeout" | "closed" | "error";
    error?: unknown;
  }
  /** A packet was refused (malformed, failed authentication, replayed). */
  | { type: "dropped"; replay: boolean }
  /** The session closed; `wasOpen` tells whether it had been announced. */
  | { type: "closed"; reason: CloseReason; wasOpen: boolean }
  /** Server: a half-open handshake expired, quietly. */
  | { type: "expired" };

export function withRequestId(
  kind: Inner,
  requestId: number,
  body: Uint8Array,
): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(5 + body.length);
  out[0] = kind;
  new DataView(out.buffer).setUint32(1, requestId);
  out.set(body, 5);
  return out;
}

export function readRequestId(body: Uint8Array): number {
  return new DataView(body.buffer, body.byteOffset).getUint32(0);
}

/** Per-server session caps, checked. */
export interface SessionCaps {
  maxSessions: number;
  maxHalfOpenSessions: number;
  maxPreLoginSessions: number;
}
