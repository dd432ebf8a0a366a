// Copyright 2026 the moonwire authors. MIT license.
// Shared certificate internals: field validation and the signed message.
// Imports nothing from certificate.ts (which imports checkName): the signed
// message takes the fields it reads, which every Certificate has.

/** Domain-separation label at the start of every signed message. */
export const CERTIFICATE_LABEL = "moonwire-certificate-v1";
/** Longest certificate name, in bytes of UTF-8. */
export const MAX_NAME_BYTES = 255;
export const PUBLIC_KEY_LENGTH = 32;
export const SIGNATURE_LENGTH = 64;

const encoder = new TextEncoder();

/**
 * Checks a certificate name; returns its UTF-8 bytes.
 * `context` is the message prefix, e.g. "Cannot sign certificate".
 */
export function checkName(context: string, name: unknown): Uint8Array {
  if (typeof name !== "string") {
    throw new TypeError(`${context}: name must be a string`);
  }
  if (name.length === 0) {
    throw new RangeError(`${context}: name must not be empty`);
  }
  // A lone surrogate would encode as U+FFFD, letting two names share bytes.
  if (!name.isWellFormed()) {
    throw new TypeError(`${context}: name is not well-formed Unicode`);
  }
  const bytes = encoder.encode(name);
  if (bytes.length > MAX_NAME_BYTES) {
    throw new RangeError(
      `${context}: name must be at most ${MAX_NAME_BYTES} bytes of UTF-8, got ${bytes.length}`,
    );
  }
  return bytes;
}

/** Checks every field of a certificate; returns the UTF-8 name. */
export function checkCertificate(
  context: string,
  certificate: unknown,
): Uint8Array {
  if (typeof certificate !== "object" || certificate === null) {
    throw new TypeError(`${context}: certificate must be an object`);
  }
  const { version, name, publicKey, signature } = certificate as Record<
    string,
    unknown
  >;
  if (typeof version !== "number") {
    throw new TypeError(`${context}: version must be a number`);
  }
  if (version !== 1) {
    throw new RangeError(`${context}: unsupported version ${version}`);
  }
  const nameBytes = checkName(context, name);
  if (!(publicKey instanceof Uint8Array)) {
    throw new TypeError(`${context}: public key must be a Uint8Array`);
  }
  if (publicKey.length !== PUBLIC_KEY_LENGTH) {
    throw new RangeError(
      `${context}: public key must be ${PUBLIC_KEY_LENGTH} bytes, got ${publicKey.length}`,
    );
  }
  if (signature !== undefined) {
    if (!(signature instanceof Uint8Array)) {
      throw new TypeError(`${context}: signature must be a Uint8Array`);
    }
    if (signature.length !== SIGNATURE_LENGTH) {
      throw new RangeError(
        `${context}: signature must be ${SIGNATURE_LENGTH} bytes, got ${signature.length}`,
      );
    }
  }
  return nameBytes;
}

/**
 * The bytes a CA signs: the label and each field, every one preceded by its
 * u32 big-endian length, so no two different certificates encode alike.
 * `certificate` must already have passed {@linkcode checkCertificate}.
 */
export function certificateMessage(
  certificate: { version: number; publicKey: Uint8Array },
  nameBytes: Uint8Array,
): Uint8Array<ArrayBuffer> {
  const label = encoder.encode(CERTIFICATE_LABEL);
  const fields: Uint8Array[] = [
    label,
    new Uint8Array([0, 0, 0, certificate.version]),
    nameBytes,
    certificate.publicKey,
  ];
  const total = fields.reduce((sum, field) => sum + 4 + field.length, 0);
  const message = new Uint8Array(total);
  const view = new DataView(message.buffer);
  let offset = 0;
  for (const field of fields) {
    view.setUint32(offset, field.length);
    message.set(field, offset + 4);
    offset += 4 + field.length;
  }
  return message;
}
