// Copyright 2026 the moonwire authors. MIT license.
// The option and handler types of StreamSocket (re-exported by
// stream_socket.ts) and the option checks.

/** Options for {@linkcode StreamSocket}. */
export interface StreamSocketOptions {
  /** Most bytes the write queue holds before `write()` waits. Default 4 MiB. */
  maxQueuedBytes?: number;
  /**
   * Largest read buffer. Default 64 KiB; 256 KiB with `borrowChunks` (bulk
   * reads of that size cost markedly less per byte). Buffers start at 1 KiB
   * (or this size if smaller: an idle socket's pending read holds one),
   * double whenever a read fills one, and are back at 1 KiB for the first
   * read after a second without a full read.
   */
  readChunkSize?: number;
}

/** TLS settings for {@linkcode StreamSocket.connect} and `upgradeTls`. */
export interface StreamSocketTlsOptions {
  /** Extra trusted roots (PEM), added to Deno's default roots. */
  caCerts?: string[];
  /** Name the certificate must carry (and SNI). Default: the hostname. */
  serverName?: string;
  /**
   * Skip certificate verification entirely. Insecure; only honoured when set
   * to `true` explicitly. Supported by `connect()` only: Deno's STARTTLS
   * always verifies, so `upgradeTls()` rejects this option.
   */
  unsafelyDisableVerification?: boolean;
}

/** Options for {@linkcode StreamSocket.connect}. */
export interface StreamSocketConnectOptions extends StreamSocketOptions {
  /** Connect with TLS (verified by default). */
  tls?: StreamSocketTlsOptions;
  /** Aborts the connection attempt. */
  signal?: AbortSignal;
  /** Milliseconds to wait for the connection (and TLS handshake). Default 5000. */
  timeout?: number;
}

/** Options for {@linkcode StreamSocket.prototype.upgradeTls}. */
export interface StreamSocketUpgradeOptions extends StreamSocketTlsOptions {
  /** Name to verify when `serverName` is not given. Default: remote IP. */
  hostname?: string;
  /**
   * Milliseconds to wait for the TLS handshake, including flushing what was
   * queued before the upgrade. Default 5000.
   */
  timeout?: number;
}

/**
 * Callbacks of the read loop. Exactly one of `end` and `error` is called per
 * socket, and none after a local `close()`.
 */
export interface StreamSocketHandlers {
  /**
   * A chunk of received bytes. By default the buffer is fresh and safe to
   * keep; with `borrowChunks` it is lent until
   * {@linkcode StreamSocket.prototype.release}.
   */
  data(chunk: Uint8Array<ArrayBuffer>): void;
  /** The peer finished sending (clean end of stream). */
  end(): void;
  /** The connection failed; the socket is already closed. */
  error(error: Error): void;
}

/** Options for {@linkcode StreamSocket.prototype.start}. */
export interface StreamSocketStartOptions {
  /**
   * Read into one reused buffer instead of a fresh one per read (much less
   * allocation and garbage for bulk streams). Each chunk is then only lent:
   * it stays unchanged until the consumer calls
   * {@linkcode StreamSocket.prototype.release}, and no read is issued before
   * that. The buffer starts at 1 KiB and doubles, whenever a read fills it,
   * up to `readChunkSize` (default 256 KiB in this mode), and is replaced by
   * a 1 KiB one after a quiet second.
   *
   * @default {false}
   */
  borrowChunks?: boolean;
}

/** Options for {@linkcode StreamSocket.prototype.release}. */
export interface StreamSocketReleaseOptions {
  /**
   * Keep the chunk: it stays valid for good and the socket reads on into a
   * new buffer (one allocation instead of copying the chunk).
   *
   * @default {false}
   */
  keep?: boolean;
}

/** Counters that show what the socket did (coalescing, reads). */
export interface StreamSocketStats {
  /** Calls to the connection's `write`. */
  writeCalls: number;
  /** Bytes handed to the connection. */
  bytesWritten: number;
  /** Completed reads that returned data. */
  readCalls: number;
  /** Bytes received. */
  bytesRead: number;
}

/** Checks a size option: a positive integer. */
export function positiveInteger(value: number, name: string): number {
  if (typeof value !== "number") {
    throw new TypeError(`Cannot create socket: ${name} must be a number`);
  }
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(
      `Cannot create socket: ${name} must be a positive integer, got ${value}`,
    );
  }
  return value;
}
