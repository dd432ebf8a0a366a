// Copyright 2026 the moonwire authors. MIT license.
// NoiseCipherState's argument checks (made before a counter is taken, so
// bad arguments never consume one) and its AEAD call, kept apart so the
// class file stays small.
import { AuthenticationError } from "./errors.ts";
import type { NoiseCipher } from "./_noise_functions.ts";
import {
  nativeOpen,
  nativeSeal,
  type NodeCipherName,
  OPEN_FAILED,
} from "./_aead_backends.ts";

export function exhausted(action: "encrypt" | "decrypt"): RangeError {
  return new RangeError(`Cannot ${action}: nonce space exhausted`);
}

// Checked before a counter is taken, so bad arguments never consume one.
export function checkData(
  action: "encrypt" | "decrypt",
  data: Uint8Array,
  associatedData: Uint8Array | undefined,
): TypeError | undefined {
  if (!(data instanceof Uint8Array)) {
    return new TypeError(`Cannot ${action}: data must be a Uint8Array`);
  }
  if (associatedData !== undefined && !(associatedData instanceof Uint8Array)) {
    return new TypeError(
      `Cannot ${action}: associated data must be a Uint8Array`,
    );
  }
  return undefined;
}

/** Bytes a record grows by when encrypted (the AEAD tag). */
export const TAG_LENGTH = 16;

// The output of encryptInto/decryptInto, checked (like checkData) before a
// counter is taken. A ciphertext too short for a tag is the AEAD's to refuse.
export function checkOutput(
  action: "encrypt" | "decrypt",
  output: Uint8Array,
  length: number,
): TypeError | RangeError | undefined {
  if (!(output instanceof Uint8Array)) {
    return new TypeError(`Cannot ${action}: output must be a Uint8Array`);
  }
  if (output.length < length) {
    return new RangeError(
      `Cannot ${action}: output must hold ${length} bytes, got ${output.length}`,
    );
  }
  return undefined;
}

// The bytes encryptInto/decryptInto write for `data`.
export function outputLength(
  action: "encrypt" | "decrypt",
  data: Uint8Array,
): number {
  return action === "encrypt"
    ? data.length + TAG_LENGTH
    : Math.max(0, data.length - TAG_LENGTH);
}

export function disabled(action: string, reason: string): TypeError {
  return new TypeError(`Cannot ${action}: ${reason}`);
}

/** A Noise cipher and which half of a cipher state's key buffer it keys. */
export interface KeySlot {
  readonly cipher: NoiseCipher;
  /** 0: bytes 0-31 (a state's own buffer, or split()'s first key); 1: 32-63. */
  readonly half: 0 | 1;
}

// Shared: a state points at one of these instead of holding two fields.
const slots = new Map<NoiseCipher, readonly [KeySlot, KeySlot]>();

/** The shared slot of `cipher` and `half`. */
export function keySlot(cipher: NoiseCipher, half: number): KeySlot {
  let pair = slots.get(cipher);
  if (pair === undefined) {
    pair = [{ cipher, half: 0 }, { cipher, half: 1 }];
    slots.set(cipher, pair);
  }
  return pair[half === 0 ? 0 : 1];
}

// The node:crypto cipher of a Noise cipher.
function nodeCipher(cipher: NoiseCipher): NodeCipherName {
  return cipher.name === "ChaChaPoly" ? "chacha20-poly1305" : "aes-256-gcm";
}

/**
 * One AEAD call (seal, or open) with a cipher state's key, its result or
 * error as a promise. Arguments are checked and the nonce taken. `key` is a
 * view made for the call (node:crypto and importKey copy it when called),
 * so a state holds only its key's ArrayBuffer; `holder` keys
 * the CryptoKey of large AES-GCM records. `target` (exactly the record's
 * size) gets the result, else a new array does.
 */
export function cipherCall(
  seal: boolean,
  cipher: NoiseCipher,
  key: Uint8Array<ArrayBuffer>,
  holder: object,
  nonce: Uint8Array,
  data: Uint8Array,
  associatedData: Uint8Array | undefined,
  target: Uint8Array | undefined,
): Promise<Uint8Array> {
  if (!seal && data.length < TAG_LENGTH) {
    return Promise.reject(new AuthenticationError(OPEN_FAILED));
  }
  try {
    return Promise.resolve((seal ? nativeSeal : nativeOpen)(
      nodeCipher(cipher),
      key,
      holder,
      nonce,
      data,
      associatedData,
      target,
    ));
  } catch (error) {
    return Promise.reject(error);
  }
}
