// Copyright 2026 the moonwire authors. MIT license.
// One fingerprint format for every key the CLI shows: SHA-256 of the public
// key, so a certificate, its private key file and a CA's two key files can
// be matched by eye.

/** `SHA256:<64 hex digits>` of a public key. */
export async function fingerprint(
  publicKey: Uint8Array<ArrayBuffer>,
): Promise<string> {
  const digest = new Uint8Array(
    await crypto.subtle.digest("SHA-256", publicKey),
  );
  return `SHA256:${digest.toHex()}`;
}
