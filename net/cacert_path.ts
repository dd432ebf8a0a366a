// Copyright 2026 the moonwire authors. MIT license.
/**
 * The CA bundle trusted by polling-API TLS connections (Pragtical
 * `net.get_cacert_path` / `net.set_cacert_path`).
 *
 * @module
 */
import { getBundlePath, setBundlePath } from "./_poll_cacert.ts";

/**
 * The CA bundle file that `openTcp(..., { tls: true })` trusts: the path
 * given to {@linkcode setCacertPath}, else the system bundle when one is
 * found (`/etc/ssl/certs/ca-certificates.crt` and the other usual places),
 * else `null`. Its certificates are trusted in addition to Deno's built-in
 * roots; with `null` only Deno's roots are trusted. Verification is never
 * skipped because no bundle is set (unlike the seed on Windows/macOS).
 *
 * @returns The bundle path or `null`.
 *
 * @example Read the current path
 * ```ts
 * import { getCacertPath } from "@moonwire/moonwire/net";
 * import assert from "node:assert/strict";
 *
 * const path = getCacertPath();
 * assert.ok(path === null || path.startsWith("/"));
 * ```
 */
export function getCacertPath(): string | null {
  return getBundlePath();
}

/**
 * Sets the CA bundle (PEM file) for polling-API TLS connections opened from
 * now on. The file is read and checked at once: a missing file throws
 * `Deno.errors.NotFound`, a file without valid PEM certificates throws
 * `SyntaxError`, and the previous setting stays.
 *
 * @param path Path of a PEM file with one or more CA certificates.
 *
 * @example A missing file is reported
 * ```ts
 * import { setCacertPath } from "@moonwire/moonwire/net";
 * import assert from "node:assert/strict";
 *
 * assert.throws(() => setCacertPath("/no/such/bundle.pem"), {
 *   name: "NotFound",
 *   message: "Cannot set CA bundle path: /no/such/bundle.pem does not exist",
 * });
 * ```
 */
export function setCacertPath(path: string): void {
  if (typeof path !== "string") {
    throw new TypeError(
      `Cannot set CA bundle path: path must be a string, got ${typeof path}`,
    );
  }
  setBundlePath(path);
}
