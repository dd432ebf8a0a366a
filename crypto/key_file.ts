// Copyright 2026 the moonwire authors. MIT license.
/**
 * Key files: JSON documents holding one X25519 or Ed25519 key.
 *
 * @module
 */

import { encodeBase64 } from "./_base64.ts";
import { KEY_LENGTH, parseKeyDocument } from "./_key_document.ts";
import { readSmallTextFile } from "./_read_small_file.ts";
import { writeFileAtomic } from "./write_file_atomic.ts";

/** The key types a key file can hold. */
export type KeyAlgorithm = "x25519" | "ed25519";

/** What a key file holds and how it is protected. */
export interface KeyFileOptions {
  /** The key type. */
  algorithm: KeyAlgorithm;
  /**
   * `true` for a private key (written with mode `0o600`), `false` for a
   * public key (written with mode `0o644`).
   */
  private: boolean;
}

function checkOptions(action: string, path: string, options: KeyFileOptions) {
  if (typeof options !== "object" || options === null) {
    throw new TypeError(
      `Cannot ${action} key file ${path}: options must be an object`,
    );
  }
  if (options.algorithm !== "x25519" && options.algorithm !== "ed25519") {
    throw new TypeError(
      `Cannot ${action} key file ${path}: unknown algorithm ${
        JSON.stringify(options.algorithm)
      }`,
    );
  }
  if (typeof options.private !== "boolean") {
    throw new TypeError(
      `Cannot ${action} key file ${path}: option "private" must be a boolean`,
    );
  }
}

/**
 * Writes a key file:
 * `{"type":"moonwire-key","algorithm":"x25519","use":"private","key":"<base64>"}`.
 * The file is written atomically (temporary file, `fsync`, rename); private
 * keys get mode `0o600`, public keys `0o644`.
 *
 * @example Write and read back a private key
 * ```ts
 * import { generateX25519KeyPair, readKeyFile, writeKeyFile } from "@moonwire/moonwire/crypto";
 * import assert from "node:assert/strict";
 *
 * const dir = await Deno.makeTempDir();
 * const { privateKey } = generateX25519KeyPair();
 * const options = { algorithm: "x25519", private: true } as const;
 * await writeKeyFile(`${dir}/server_private.key`, privateKey, options);
 * assert.deepEqual(await readKeyFile(`${dir}/server_private.key`, options), privateKey);
 * await Deno.remove(dir, { recursive: true });
 * ```
 *
 * @param path The file to create or replace, e.g. `certAuth_private.key`.
 * @param key The 32-byte key.
 * @param options The key's algorithm and whether it is private.
 * @returns A promise that resolves once the file is in place.
 * @throws {TypeError} If the key is not a `Uint8Array` or the options are
 * invalid.
 * @throws {RangeError} If the key is not 32 bytes.
 */
export async function writeKeyFile(
  path: string,
  key: Uint8Array,
  options: KeyFileOptions,
): Promise<void> {
  checkOptions("write", path, options);
  if (!(key instanceof Uint8Array)) {
    throw new TypeError(
      `Cannot write key file ${path}: key must be a Uint8Array`,
    );
  }
  if (key.length !== KEY_LENGTH) {
    throw new RangeError(
      `Cannot write key file ${path}: key must be ${KEY_LENGTH} bytes, got ${key.length}`,
    );
  }
  const document = {
    type: "moonwire-key",
    algorithm: options.algorithm,
    use: options.private ? "private" : "public",
    key: encodeBase64(key),
  };
  await writeFileAtomic(path, JSON.stringify(document) + "\n", {
    mode: options.private ? 0o600 : 0o644,
  });
}

/**
 * Reads a key file written by {@linkcode writeKeyFile} and checks that it
 * holds the expected kind of key.
 *
 * @example Refuse a public key where a private one is expected
 * ```ts
 * import { generateEd25519KeyPair, readKeyFile, writeKeyFile } from "@moonwire/moonwire/crypto";
 * import assert from "node:assert/strict";
 *
 * const dir = await Deno.makeTempDir();
 * const { publicKey } = generateEd25519KeyPair();
 * await writeKeyFile(`${dir}/certAuth.key`, publicKey, { algorithm: "ed25519", private: false });
 * await assert.rejects(
 *   readKeyFile(`${dir}/certAuth.key`, { algorithm: "ed25519", private: true }),
 *   TypeError,
 * );
 * await Deno.remove(dir, { recursive: true });
 * ```
 *
 * @param path The file to read.
 * @param options The expected algorithm and whether the key is private.
 * @returns The 32-byte key.
 * @throws {SyntaxError} If the file is not JSON or not a moonwire key file
 * (message names the file).
 * @throws {RangeError} If the key has the wrong length (message names the
 * file).
 * @throws {TypeError} If the file holds another algorithm or use than
 * expected (message names the file).
 * @throws {Deno.errors.NotFound} If the file does not exist.
 */
export async function readKeyFile(
  path: string,
  options: KeyFileOptions,
): Promise<Uint8Array<ArrayBuffer>> {
  checkOptions("read", path, options);
  const text = await readSmallTextFile(path, "key file");
  return parseKeyDocument(text, path, options);
}
