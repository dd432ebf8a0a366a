// Copyright 2026 the moonwire authors. MIT license.
/**
 * Domain errors raised by the crypto module.
 *
 * @module
 */

/**
 * Thrown when a Noise handshake message is malformed, arrives in the wrong
 * state, fails authentication, or the peer's identity is refused.
 *
 * @example Catch a failed handshake
 * ```ts
 * import { HandshakeError } from "@moonwire/moonwire/crypto";
 * import assert from "node:assert/strict";
 *
 * const error = new HandshakeError("Cannot read handshake message: message too short");
 * assert.equal(error.name, "HandshakeError");
 * assert.ok(error instanceof Error);
 * ```
 */
export class HandshakeError extends Error {
  /**
   * Creates a handshake error.
   *
   * @param message What failed, then the details.
   * @param options Standard error options; `cause` keeps the wrapped error.
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "HandshakeError";
  }
}

/**
 * Thrown when authenticated decryption fails: a wrong key, a modified
 * ciphertext or tag, truncated input or wrong associated data. No plaintext
 * is ever returned in that case.
 *
 * @example Catch a failed decryption
 * ```ts
 * import { AuthenticationError } from "@moonwire/moonwire/crypto";
 * import assert from "node:assert/strict";
 *
 * const error = new AuthenticationError("Cannot open record: authentication tag mismatch");
 * assert.equal(error.name, "AuthenticationError");
 * ```
 */
export class AuthenticationError extends Error {
  /**
   * Creates an authentication error.
   *
   * @param message What failed, then the details.
   * @param options Standard error options; `cause` keeps the wrapped error.
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "AuthenticationError";
  }
}
