// Copyright 2026 the moonwire authors. MIT license.
/**
 * Keys, certificates, authenticated encryption, the Noise handshake and
 * password hashing: the cryptography every other moonwire module shares.
 * Pure code, no network I/O; the only I/O is the key and certificate file
 * helpers.
 *
 * | need (seed term) | TypeScript |
 * | --- | --- |
 * | authenticated encryption | {@linkcode createAead} → {@linkcode Aead} (`seal`/`open`, `sealInto`/`openInto` into a caller's buffer; AES-128/256-GCM, ChaCha20-Poly1305; `"noble"` or `"native"` backend) |
 * | key pairs | {@linkcode generateX25519KeyPair}, {@linkcode generateEd25519KeyPair}, {@linkcode keyPairFromPrivateKey} |
 * | key files (`certAuth.key`, `certAuth_private.key`, `<name>_private.key`) | {@linkcode writeKeyFile}, {@linkcode readKeyFile} (private files atomic, mode 0600) |
 * | certificate (`<name>.crt`) | {@linkcode generateCertificate}, {@linkcode writeCertificateFile}, {@linkcode readCertificateFile} |
 * | certificate authority | {@linkcode createCertificateAuthority}, {@linkcode signCertificate}, {@linkcode verifyCertificate} |
 * | certificate in a handshake payload | {@linkcode encodeCertificate}, {@linkcode decodeCertificate} |
 * | Macro Monkey cipher key (32/64 hex characters) | {@linkcode parseCipherKey}, then {@linkcode deriveKey} (HKDF-SHA256) |
 * | CryptoNet user passwords | {@linkcode hashPassword}, {@linkcode verifyPassword} (scrypt, encoded parameters) |
 * | secret comparison | {@linkcode timingSafeEqual} |
 * | secure session (cnet NK/NX, mm NNpsk0) | {@linkcode NoiseHandshake} (`writeMessage`/`readMessage`, `split()` → {@linkcode NoiseTransport}) |
 * | transport records, 64-bit counter nonces, rekey | {@linkcode NoiseCipherState} (`encrypt`/`decrypt`, `encryptInto`/`decryptInto`, `encryptWithNonce`/`decryptWithNonce` for lossy media, `rekey`) |
 * | safe file replacement | {@linkcode writeFileAtomic} |
 *
 * @example Errors are typed
 * ```ts
 * import { HandshakeError } from "@moonwire/moonwire/crypto";
 * import assert from "node:assert/strict";
 *
 * assert.equal(new HandshakeError("Cannot read handshake message").name, "HandshakeError");
 * ```
 *
 * @module
 */
export * from "./errors.ts";
export * from "./aead.ts";
export * from "./key_pair.ts";
export * from "./timing_safe_equal.ts";
export * from "./derive_key.ts";
export * from "./parse_cipher_key.ts";
export * from "./write_file_atomic.ts";
export * from "./key_file.ts";
export * from "./certificate.ts";
export * from "./certificate_authority.ts";
export * from "./sign_certificate.ts";
export * from "./verify_certificate.ts";
export * from "./certificate_codec.ts";
export * from "./certificate_file.ts";
export * from "./password.ts";
export * from "./noise_handshake.ts";
export * from "./noise_cipher_state.ts";
