// Copyright 2026 the moonwire authors. MIT license.
// Why connectCtcp failed, as the typed error it rejects with: seed 001's
// `nil` carries no reason, so moonwire throws one instead (the cnet module
// doc's mapping table says so).
import { ConnectionClosedError, TimeoutError } from "../net/errors.ts";
import type { CtcpConnectFailure } from "./_ctcp_engine.ts";

/** The error for a CTCP handshake to `serverId` that ended with `reason`. */
export function ctcpConnectError(
  serverId: string,
  reason: CtcpConnectFailure,
  timeoutSeconds: number,
): TimeoutError | ConnectionClosedError {
  const action = `Cannot connect CTCP to "${serverId}"`;
  switch (reason) {
    case "timeout":
      return new TimeoutError(
        `${action}: no SYN-ACK within ${timeoutSeconds} s`,
      );
    case "reset":
      return new ConnectionClosedError(
        `${action}: the server refused the connection (reset)`,
      );
    case "closed":
      return new ConnectionClosedError(
        `${action}: the session closed before the handshake finished`,
      );
  }
}
