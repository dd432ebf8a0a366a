// Copyright 2026 the moonwire authors. MIT license.
/**
 * Domain errors raised by the transport core and the socket APIs.
 *
 * @module
 */

/**
 * Thrown when an operation needs an open connection and the connection is
 * closed, or when the peer went away in the middle of a message.
 *
 * @example Check the error class
 * ```ts
 * import { ConnectionClosedError } from "@moonwire/moonwire/net";
 * import assert from "node:assert/strict";
 *
 * const error = new ConnectionClosedError("Cannot send frame: connection is closed");
 * assert.equal(error.name, "ConnectionClosedError");
 * ```
 */
export class ConnectionClosedError extends Error {
  /**
   * Creates a connection-closed error.
   *
   * @param message What failed, then the details.
   * @param options Standard error options; `cause` keeps the wrapped error.
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ConnectionClosedError";
  }
}

/**
 * Thrown when a frame's declared length exceeds the configured limit. The
 * length is checked before any memory is allocated for the frame.
 *
 * @example Check the error class
 * ```ts
 * import { FrameTooLargeError } from "@moonwire/moonwire/net";
 * import assert from "node:assert/strict";
 *
 * const error = new FrameTooLargeError(
 *   "Cannot decode frame: length 70000 exceeds limit 65536",
 * );
 * assert.equal(error.name, "FrameTooLargeError");
 * ```
 */
export class FrameTooLargeError extends RangeError {
  /**
   * Creates a frame-too-large error.
   *
   * @param message What failed, then the details.
   * @param options Standard error options; `cause` keeps the wrapped error.
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "FrameTooLargeError";
  }
}

/**
 * Thrown when a wait (connect, handshake, drain, request) does not finish
 * within its timeout.
 *
 * @example Check the error class
 * ```ts
 * import { TimeoutError } from "@moonwire/moonwire/net";
 * import assert from "node:assert/strict";
 *
 * const error = new TimeoutError("Cannot connect: no answer within 5000 ms");
 * assert.equal(error.name, "TimeoutError");
 * ```
 */
export class TimeoutError extends Error {
  /**
   * Creates a timeout error.
   *
   * @param message What failed, then the details.
   * @param options Standard error options; `cause` keeps the wrapped error.
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "TimeoutError";
  }
}
