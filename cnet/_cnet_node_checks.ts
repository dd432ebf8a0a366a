// Copyright 2026 the moonwire authors. MIT license.
// Argument checks and conversions shared by CNetNode's methods.
import { ConnectionClosedError, TimeoutError } from "../net/errors.ts";
import type { Socket } from "./_cnet_cryptonet.ts";
import type { CtcpTuning } from "./_ctcp_engine.ts";
import type { CtcpOptions } from "./cnet_node_types.ts";
import { CtcpConnection } from "./ctcp_connection.ts";

const DEFAULT_TIMEOUT = 5;

/** A cNet timeout in seconds (default 5), checked. */
export function checkTimeout(action: string, timeout: unknown): number {
  if (timeout === undefined) return DEFAULT_TIMEOUT;
  if (typeof timeout !== "number" || !(timeout >= 0) || timeout > 2147483) {
    throw new RangeError(
      `Cannot ${action}: timeout must be a number of seconds in 0-2147483, got ${timeout}`,
    );
  }
  return timeout;
}

/** The CTCP engine tuning (milliseconds) of `CtcpOptions` (seconds), checked. */
export function ctcpTuning(options: CtcpOptions = {}): Partial<CtcpTuning> {
  const ms = (name: string, value: number | undefined) => {
    if (value === undefined) return undefined;
    if (typeof value !== "number" || !(value >= 0) || value > 2147483) {
      throw new RangeError(
        `Cannot create cNet node: ctcp.${name} must be a number of seconds in 0-2147483, got ${value}`,
      );
    }
    return value * 1000;
  };
  const count = (name: string, value: number | undefined, min: number) => {
    if (value === undefined) return undefined;
    if (!Number.isSafeInteger(value) || value < min) {
      throw new RangeError(
        `Cannot create cNet node: ctcp.${name} must be an integer of at least ${min}, got ${value}`,
      );
    }
    return value;
  };
  const tuning: Partial<CtcpTuning> = {
    retransmitTimeout: ms("retransmitTimeout", options.retransmitTimeout),
    maxRetransmitTimeout: ms(
      "maxRetransmitTimeout",
      options.maxRetransmitTimeout,
    ),
    maxRetransmits: count("maxRetransmits", options.maxRetransmits, 0),
    idleTimeout: ms("idleTimeout", options.idleTimeout),
    maxConnections: count("maxConnections", options.maxConnections, 0),
    reorderWindow: count("reorderWindow", options.reorderWindow, 1),
    sendWindow: count("sendWindow", options.sendWindow, 1),
    maxQueuedMessages: count("maxQueuedMessages", options.maxQueuedMessages, 0),
  };
  for (const key of Object.keys(tuning) as (keyof CtcpTuning)[]) {
    if (tuning[key] === undefined) delete tuning[key];
  }
  return tuning;
}

/** No answer or no session: reported as a failed login/logout, not thrown. */
export function isLinkFailure(error: unknown): boolean {
  return error instanceof TimeoutError ||
    error instanceof ConnectionClosedError;
}

/** The CryptoNet socket of a CTCP connection, or the socket itself. */
export function socketOf(action: string, connection: unknown): Socket {
  if (connection instanceof CtcpConnection) return connection.socket as Socket;
  if (typeof connection === "object" && connection !== null) {
    return connection as Socket;
  }
  throw new TypeError(
    `Cannot ${action}: expected a CtcpConnection or a CryptoNet socket`,
  );
}
