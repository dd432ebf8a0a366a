// Copyright 2026 the moonwire authors. MIT license.
// The options of every UDP socket (DatagramEndpointOptions) and their
// checks, shared by bindDatagramEndpoint() and DatagramEndpoint.send().

/** Largest UDP payload over IPv4 (65535 − 8 − 20). */
export const MAX_UDP_PAYLOAD = 65507;

// Send-queue bounds. 1024 datagrams is a burst of ~1.2 MiB of 1200-byte
// modem datagrams, five times Linux's default socket send buffer, so a
// sender only meets it when the socket cannot keep up; 4 MiB caps the
// memory a queue holds (64 datagrams of the largest size fit in it).
const DEFAULT_MAX_PENDING_SENDS = 1024;
const DEFAULT_MAX_PENDING_BYTES = 4 * 1024 * 1024;

/** Options for {@linkcode DatagramEndpoint.bind}. */
export interface DatagramEndpointOptions {
  /**
   * Local address to bind; `"0.0.0.0"` for all interfaces (needed to receive
   * multicast or broadcast).
   *
   * @default {"127.0.0.1"}
   */
  hostname?: string;
  /**
   * Local port; `0` picks a free one (read it back from `port`).
   *
   * @default {0}
   */
  port?: number;
  /**
   * Set `SO_REUSEADDR`/`SO_REUSEPORT` so several endpoints can share a port
   * (several multicast listeners on one host).
   *
   * @default {false}
   */
  reuseAddress?: boolean;
  /**
   * Loop multicast datagrams this endpoint sends back to the local host.
   *
   * @default {false}
   */
  loopback?: boolean;
  /**
   * Largest datagram, in bytes, sent or accepted. Sending a longer one is a
   * `RangeError`; received ones that are longer are dropped.
   *
   * @default {65507}
   */
  maxDatagramSize?: number;
  /**
   * Most datagrams accepted by `send()` and not yet taken by the socket
   * (queued or being sent). A send beyond is not accepted: `send()` rejects
   * with a `RangeError` that says the queue is full.
   *
   * @default {1024}
   */
  maxPendingSends?: number;
  /**
   * Most payload bytes accepted by `send()` and not yet taken by the socket;
   * at least `maxDatagramSize`, so every datagram fits an empty queue. A send
   * beyond is not accepted, as for `maxPendingSends`.
   *
   * @default {4194304}
   */
  maxPendingBytes?: number;
}

/** The send-queue bounds of one endpoint (validated). */
export interface SendLimits {
  maxDatagramSize: number;
  maxPendingSends: number;
  maxPendingBytes: number;
}

/** Validated bind options: where to bind and the endpoint's limits. */
export interface BindSettings {
  hostname: string;
  port: number;
  reuseAddress: boolean;
  loopback: boolean;
  limits: SendLimits;
}

/**
 * Checks `options` and fills in the defaults; errors say
 * `Cannot <action>: ...` (TypeError for a wrong type, RangeError for a
 * value out of range).
 */
export function bindSettings(
  action: string,
  options: DatagramEndpointOptions,
): BindSettings {
  const {
    hostname = "127.0.0.1",
    port = 0,
    reuseAddress = false,
    loopback = false,
    maxDatagramSize = MAX_UDP_PAYLOAD,
    maxPendingSends = DEFAULT_MAX_PENDING_SENDS,
    maxPendingBytes = DEFAULT_MAX_PENDING_BYTES,
  } = options;
  if (typeof hostname !== "string") {
    throw new TypeError(
      `Cannot ${action}: hostname must be a string, got ${typeof hostname}`,
    );
  }
  checkPort(action, port, 0);
  if (
    !Number.isInteger(maxDatagramSize) || maxDatagramSize < 1 ||
    maxDatagramSize > MAX_UDP_PAYLOAD
  ) {
    throw new RangeError(
      `Cannot ${action}: maxDatagramSize ${maxDatagramSize} is not an integer in 1..${MAX_UDP_PAYLOAD}`,
    );
  }
  checkPositiveInteger(action, "maxPendingSends", maxPendingSends);
  checkPositiveInteger(action, "maxPendingBytes", maxPendingBytes);
  if (maxPendingBytes < maxDatagramSize) {
    throw new RangeError(
      `Cannot ${action}: maxPendingBytes ${maxPendingBytes} is smaller than the largest datagram (${maxDatagramSize} bytes)`,
    );
  }
  return {
    hostname,
    port,
    reuseAddress,
    loopback,
    limits: { maxDatagramSize, maxPendingSends, maxPendingBytes },
  };
}

function checkPositiveInteger(
  action: string,
  name: string,
  value: unknown,
): void {
  if (typeof value !== "number") {
    throw new TypeError(
      `Cannot ${action}: ${name} must be a number, got ${typeof value}`,
    );
  }
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(
      `Cannot ${action}: ${name} must be a positive integer, got ${value}`,
    );
  }
}

/** Throws unless `port` is an integer in `min`..65535. */
export function checkPort(action: string, port: unknown, min: number): number {
  if (typeof port !== "number") {
    throw new TypeError(
      `Cannot ${action}: port must be a number, got ${typeof port}`,
    );
  }
  if (!Number.isInteger(port) || port < min || port > 65535) {
    throw new RangeError(
      `Cannot ${action}: port ${port} is not an integer in ${min}..65535`,
    );
  }
  return port;
}
