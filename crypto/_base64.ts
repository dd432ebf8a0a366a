// Copyright 2026 the moonwire authors. MIT license.
// Strict, canonical base64 (RFC 4648 §4, padded) for key and certificate files.

const CANONICAL =
  /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Encodes bytes as padded base64. */
export function encodeBase64(bytes: Uint8Array): string {
  return bytes.toBase64();
}

/**
 * Decodes padded base64, refusing whitespace, missing padding and non-zero
 * padding bits so each byte string has exactly one accepted text form.
 * Returns `undefined` for anything else.
 */
export function decodeBase64(
  text: string,
): Uint8Array<ArrayBuffer> | undefined {
  if (!CANONICAL.test(text)) return undefined;
  try {
    return Uint8Array.fromBase64(text, { lastChunkHandling: "strict" });
  } catch {
    return undefined;
  }
}
