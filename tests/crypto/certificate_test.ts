// Copyright 2026 the moonwire authors. MIT license.
import assert from "node:assert/strict";
import { ed25519 } from "@noble/curves/ed25519.js";
import {
  type Certificate,
  createCertificateAuthority,
  generateCertificate,
  signCertificate,
  verifyCertificate,
} from "../../crypto/mod.ts";
import { certificateMessage } from "../../crypto/_certificate.ts";
import {
  MAX_VERIFIED_CERTIFICATES,
  rememberVerified,
  verificationKey,
  wasVerified,
} from "../../crypto/_verified_certificates.ts";

const encoder = new TextEncoder();

Deno.test("generateCertificate() returns an unsigned certificate and its key", async () => {
  const { certificate, privateKey } = generateCertificate("server");
  assert.deepEqual(Object.keys(certificate).sort(), [
    "name",
    "publicKey",
    "version",
  ]);
  assert.equal(certificate.version, 1);
  assert.equal(certificate.name, "server");
  assert.equal(certificate.publicKey.length, 32);
  const { x25519 } = await import("@noble/curves/ed25519.js");
  assert.deepEqual(certificate.publicKey, x25519.getPublicKey(privateKey));
});

Deno.test("generateCertificate() validates the name", () => {
  assert.throws(() => generateCertificate(""), {
    name: "RangeError",
    message: "Cannot generate certificate: name must not be empty",
  });
  assert.throws(() => generateCertificate("é".repeat(128)), {
    name: "RangeError",
    message:
      "Cannot generate certificate: name must be at most 255 bytes of UTF-8, got 256",
  });
  assert.equal(
    generateCertificate("a".repeat(255)).certificate.name.length,
    255,
  );
  assert.throws(() => generateCertificate("a\uD800"), {
    name: "TypeError",
    message: "Cannot generate certificate: name is not well-formed Unicode",
  });
  assert.throws(() => generateCertificate(42 as never), {
    name: "TypeError",
    message: "Cannot generate certificate: name must be a string",
  });
});

Deno.test("createCertificateAuthority() returns a working Ed25519 pair", () => {
  const ca = createCertificateAuthority();
  assert.equal(ca.publicKey.length, 32);
  assert.equal(ca.privateKey.length, 32);
  assert.deepEqual(ca.publicKey, ed25519.getPublicKey(ca.privateKey));
});

Deno.test("signCertificate() signs the documented length-prefixed message", () => {
  const ca = createCertificateAuthority();
  const publicKey = new Uint8Array(32).fill(0xab);
  const certificate: Certificate = { version: 1, name: "Xé", publicKey };
  const signed = signCertificate(certificate, ca.privateKey);
  const message = certificateMessage(certificate, encoder.encode("Xé"));
  assert.equal(
    message.toHex(),
    "00000017" + (encoder.encode("moonwire-certificate-v1")).toHex() +
      "00000004" + "00000001" +
      "00000003" + "58c3a9" +
      "00000020" + "ab".repeat(32),
  );
  assert.ok(ed25519.verify(signed.signature!, message, ca.publicKey));
  // Ed25519 is deterministic.
  assert.deepEqual(signCertificate(certificate, ca.privateKey), signed);
  assert.equal(certificate.signature, undefined);
  assert.notEqual(signed.publicKey, publicKey);
  assert.deepEqual(signed.publicKey, publicKey);
});

Deno.test("signCertificate() replaces an existing signature and validates input", () => {
  const a = createCertificateAuthority();
  const b = createCertificateAuthority();
  const { certificate } = generateCertificate("svc");
  const byA = signCertificate(certificate, a.privateKey);
  const byB = signCertificate(byA, b.privateKey);
  assert.equal(verifyCertificate(byB, b.publicKey), true);
  assert.equal(verifyCertificate(byB, a.publicKey), false);
  const context = "Cannot sign certificate";
  const cases: [unknown, Uint8Array, string, string][] = [
    [null, a.privateKey, "TypeError", "certificate must be an object"],
    [
      { ...certificate, version: 2 },
      a.privateKey,
      "RangeError",
      "unsupported version 2",
    ],
    [
      { ...certificate, version: "1" },
      a.privateKey,
      "TypeError",
      "version must be a number",
    ],
    [
      { ...certificate, name: "" },
      a.privateKey,
      "RangeError",
      "name must not be empty",
    ],
    [
      { ...certificate, publicKey: new Uint8Array(31) },
      a.privateKey,
      "RangeError",
      "public key must be 32 bytes, got 31",
    ],
    [
      { ...certificate, publicKey: [1] },
      a.privateKey,
      "TypeError",
      "public key must be a Uint8Array",
    ],
    [
      { ...certificate, signature: new Uint8Array(63) },
      a.privateKey,
      "RangeError",
      "signature must be 64 bytes, got 63",
    ],
    [
      certificate,
      new Uint8Array(64),
      "RangeError",
      "CA private key must be 32 bytes, got 64",
    ],
    [
      certificate,
      "key" as never,
      "TypeError",
      "CA private key must be a Uint8Array",
    ],
  ];
  for (const [input, key, name, detail] of cases) {
    assert.throws(() => signCertificate(input as Certificate, key), {
      name,
      message: `${context}: ${detail}`,
    });
  }
});

Deno.test("verifyCertificate() returns false, never throws, on every mismatch", () => {
  const ca = createCertificateAuthority();
  const other = createCertificateAuthority();
  const signed = signCertificate(
    generateCertificate("node").certificate,
    ca.privateKey,
  );
  assert.equal(verifyCertificate(signed, ca.publicKey), true);
  const flippedKey = signed.publicKey.slice();
  flippedKey[31] ^= 1;
  const flippedSig = signed.signature!.slice();
  flippedSig[10] ^= 1;
  // S >= L makes the signature non-canonical.
  const highS = signed.signature!.slice();
  highS.fill(0xff, 32);
  const unsigned = { ...signed };
  delete unsigned.signature;
  const cases: [string, unknown, unknown][] = [
    ["wrong CA", signed, other.publicKey],
    ["tampered name", { ...signed, name: "nodf" }, ca.publicKey],
    ["tampered key", { ...signed, publicKey: flippedKey }, ca.publicKey],
    ["missing signature", unsigned, ca.publicKey],
    ["flipped signature", { ...signed, signature: flippedSig }, ca.publicKey],
    ["non-canonical S", { ...signed, signature: highS }, ca.publicKey],
    ["short signature", {
      ...signed,
      signature: signed.signature!.subarray(0, 63),
    }, ca.publicKey],
    [
      "zero signature",
      { ...signed, signature: new Uint8Array(64) },
      ca.publicKey,
    ],
    ["signature not bytes", { ...signed, signature: "abc" }, ca.publicKey],
    ["version 2", { ...signed, version: 2 }, ca.publicKey],
    ["null certificate", null, ca.publicKey],
    ["string certificate", "cert", ca.publicKey],
    ["short CA key", signed, ca.publicKey.subarray(0, 31)],
    ["CA key not bytes", signed, "key"],
    ["invalid CA point", signed, new Uint8Array(32).fill(0xff)],
    ["CA private key", signed, ca.privateKey],
  ];
  for (const [label, certificate, key] of cases) {
    assert.equal(
      verifyCertificate(certificate as Certificate, key as Uint8Array),
      false,
      label,
    );
  }
});

Deno.test("verifyCertificate() remembers a success for its exact bytes only", () => {
  const ca = createCertificateAuthority();
  const other = createCertificateAuthority();
  const signed = signCertificate(
    generateCertificate("cached").certificate,
    ca.privateKey,
  );
  const keyOf = (certificate: Certificate, caKey = ca.publicKey) =>
    verificationKey(
      caKey,
      certificateMessage(certificate, encoder.encode(certificate.name)),
      certificate.signature!,
    );
  assert.equal(wasVerified(keyOf(signed)), false);
  assert.equal(verifyCertificate(signed, ca.publicKey), true);
  assert.equal(wasVerified(keyOf(signed)), true);
  // Changed in place after it verified: checked again, and refused.
  signed.publicKey[0] ^= 1;
  assert.equal(verifyCertificate(signed, ca.publicKey), false);
  signed.publicKey[0] ^= 1;
  signed.signature![5] ^= 1;
  assert.equal(verifyCertificate(signed, ca.publicKey), false);
  assert.equal(wasVerified(keyOf(signed)), false, "a failure is not kept");
  signed.signature![5] ^= 1;
  assert.equal(
    verifyCertificate({ ...signed, name: "cachee" }, ca.publicKey),
    false,
  );
  assert.equal(verifyCertificate(signed, other.publicKey), false);
  assert.equal(wasVerified(keyOf(signed, other.publicKey)), false);
  assert.equal(verifyCertificate(signed, ca.publicKey), true);
});

Deno.test("the verified-certificate cache drops the least recently used first", () => {
  const first = "test-first";
  const second = "test-second";
  rememberVerified(first);
  rememberVerified(second);
  assert.equal(wasVerified(first), true); // now the most recent of the two
  for (let i = 0; i < MAX_VERIFIED_CERTIFICATES - 1; i++) {
    rememberVerified(`test-filler-${i}`);
  }
  assert.equal(wasVerified(second), false);
  assert.equal(wasVerified(first), true);
});

Deno.test("verifyCertificate() cannot be fooled by moving bytes between name and key", () => {
  const ca = createCertificateAuthority();
  const k = new Uint8Array(32).map((_, i) => i + 1);
  // A: name "X1" + key K. B: name "X" + key "1" || K (truncated to 32 bytes).
  const a: Certificate = { version: 1, name: "X1", publicKey: k };
  const keyB = new Uint8Array(32);
  keyB[0] = 0x31;
  keyB.set(k.subarray(0, 31), 1);
  const b: Certificate = { version: 1, name: "X", publicKey: keyB };
  // Plain concatenation would make B's bytes a prefix of A's.
  const concatA = (encoder.encode(a.name)).toHex() + a.publicKey.toHex();
  const concatB = (encoder.encode(b.name)).toHex() + b.publicKey.toHex();
  assert.ok(concatA.startsWith(concatB));
  const messageA = certificateMessage(a, encoder.encode(a.name));
  const messageB = certificateMessage(b, encoder.encode(b.name));
  assert.notDeepEqual(messageA, messageB);
  assert.ok(!messageA.toHex().startsWith(messageB.toHex()));
  const signedA = signCertificate(a, ca.privateKey);
  const signedB = signCertificate(b, ca.privateKey);
  assert.notDeepEqual(signedA.signature, signedB.signature);
  assert.equal(
    verifyCertificate({ ...b, signature: signedA.signature }, ca.publicKey),
    false,
  );
  assert.equal(
    verifyCertificate({ ...a, signature: signedB.signature }, ca.publicKey),
    false,
  );
  assert.equal(verifyCertificate(signedA, ca.publicKey), true);
  assert.equal(verifyCertificate(signedB, ca.publicKey), true);
});
