// Copyright 2026 the moonwire authors. MIT license.
// The options of FramedConnection: the public option types (re-exported by
// framed_connection.ts) and their validation.
import { DEFAULT_MAX_FRAME_SIZE } from "./frame_codec.ts";
import type { StreamSocketTlsOptions } from "./stream_socket.ts";

/** Keepalive settings for {@linkcode FramedConnectionOptions}. */
export interface FramedConnectionKeepAlive {
  /** Milliseconds between keepalive checks. */
  interval: number;
  /**
   * Unanswered pings tolerated: the connection is aborted with a
   * {@linkcode TimeoutError} when nothing arrived for `maxMissed` pings in a
   * row and the next check still sees nothing.
   */
  maxMissed: number;
}

/** Options for {@linkcode FramedConnection}. */
export interface FramedConnectionOptions {
  /**
   * Largest payload, in bytes, sent or accepted.
   *
   * @default {1048576}
   */
  maxFrameSize?: number;
  /**
   * Most bytes the send queue holds (frames accepted but not yet handed to
   * the socket). A single frame larger than this is still accepted when the
   * queue is empty.
   *
   * @default {4194304}
   */
  maxQueuedBytes?: number;
  /**
   * What `send()` does when the queue is full: `"wait"` for room, or `"fail"`
   * at once with a `RangeError`.
   *
   * @default {"wait"}
   */
  whenFull?: "wait" | "fail";
  /**
   * Abort the connection with a {@linkcode TimeoutError} after this many
   * milliseconds without traffic in either direction; `0` turns it off.
   *
   * @default {0}
   */
  idleTimeout?: number;
  /**
   * Send zero-length ping frames and abort when the peer stays silent. The
   * peer need not be configured for keepalive: a connection without
   * keepalive answers every ping with a ping; one with keepalive never
   * answers (it sends its own), so pings never loop.
   */
  keepAlive?: FramedConnectionKeepAlive;
  /**
   * Size of each socket read when this connection creates the
   * {@linkcode StreamSocket} (given a `Deno.Conn`). Larger reads mean fewer
   * calls for bulk transfers, at that much memory per connection. With
   * `borrowFrames` the default is 256 KiB. Read buffers start at 1 KiB and
   * grow to this size only while reads fill them, back to 1 KiB after a
   * quiet second.
   *
   * @default {65536}
   */
  readChunkSize?: number;
  /**
   * Received bytes buffered ahead of `read()` before the socket is paused.
   *
   * @default {4194304}
   */
  maxReadAheadBytes?: number;
  /**
   * Borrowed frames: the socket reads into one reused buffer and frames are
   * views of it, valid only until the next `read()`/`readMany()` call (the
   * one after the call that returned them). Much less allocation for bulk
   * streams; copy (`frame.slice()`) any frame you keep longer. Frames split
   * across reads are copied, so they are always intact. While frames are
   * held nothing is read (keepalive pings included), so read on promptly.
   * Only when this connection starts the socket (always, unless given a
   * started one, which is an error anyway).
   *
   * @default {false}
   */
  borrowFrames?: boolean;
  /**
   * Milliseconds `close()` lingers after half-closing, waiting for the peer
   * to finish sending (frames arriving meanwhile stay readable), before it
   * closes. `0` closes right after the half-close.
   *
   * @default {0}
   */
  closeTimeout?: number;
}

/** Options for {@linkcode FramedConnection.connect}. */
export interface FramedConnectionConnectOptions
  extends FramedConnectionOptions {
  /** Milliseconds to wait for the connection (and TLS handshake). Default 5000. */
  timeout?: number;
  /** Connect with TLS (certificates verified by default). */
  tls?: StreamSocketTlsOptions;
  /** Aborts the connection attempt. */
  signal?: AbortSignal;
}

const DEFAULT_MAX_QUEUED = 4 * 1024 * 1024;

/** Validated FramedConnection options, defaults filled in. */
export interface FramedSettings {
  maxFrameSize: number;
  maxQueued: number;
  readAhead: number;
  closeTimeout: number;
  idleTimeout: number;
  failFast: boolean;
  keepAlive: FramedConnectionKeepAlive | undefined;
  borrow: boolean;
}

/**
 * Checks a numeric option: `fallback` when undefined (if there is one), else
 * a finite number `>= min`.
 */
export function checkOption(
  name: string,
  value: number | undefined,
  fallback: number | undefined,
  min: number,
  action = "create framed connection",
): number {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== "number") {
    throw new TypeError(
      `Cannot ${action}: ${name} must be a number, got ${typeof value}`,
    );
  }
  if (!Number.isFinite(value) || value < min) {
    throw new RangeError(
      `Cannot ${action}: ${name} ${value} is not a number >= ${min}`,
    );
  }
  return value;
}

/** Validates `options` and fills in the defaults. */
export function framedSettings(
  options: FramedConnectionOptions,
): FramedSettings {
  const maxFrameSize = checkOption(
    "maxFrameSize",
    options.maxFrameSize,
    DEFAULT_MAX_FRAME_SIZE,
    1,
  );
  const maxQueued = checkOption(
    "maxQueuedBytes",
    options.maxQueuedBytes,
    DEFAULT_MAX_QUEUED,
    1,
  );
  const readAhead = checkOption(
    "maxReadAheadBytes",
    options.maxReadAheadBytes,
    DEFAULT_MAX_QUEUED,
    1,
  );
  const closeTimeout = checkOption(
    "closeTimeout",
    options.closeTimeout,
    0,
    0,
  );
  const idleTimeout = checkOption("idleTimeout", options.idleTimeout, 0, 0);
  const whenFull = options.whenFull ?? "wait";
  if (whenFull !== "wait" && whenFull !== "fail") {
    throw new TypeError(
      `Cannot create framed connection: whenFull must be "wait" or "fail", got ${
        String(whenFull)
      }`,
    );
  }
  let keepAlive: FramedConnectionKeepAlive | undefined;
  if (options.keepAlive !== undefined) {
    const { interval, maxMissed } = options.keepAlive;
    keepAlive = {
      // Both are required: a missing one is a TypeError naming it.
      interval: checkOption("keepAlive.interval", interval, undefined, 1),
      maxMissed: checkOption("keepAlive.maxMissed", maxMissed, undefined, 0),
    };
  }
  return {
    maxFrameSize,
    maxQueued,
    readAhead,
    closeTimeout,
    idleTimeout,
    failFast: whenFull === "fail",
    keepAlive,
    borrow: options.borrowFrames === true,
  };
}
