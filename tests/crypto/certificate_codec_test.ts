// Copyright 2026 the moonwire authors. MIT license.
import assert from "node:assert/strict";
import {
  type Certificate,
  createCertificateAuthority,
  decodeCertificate,
  encodeCertificate,
  generateCertificate,
  MAX_ENCODED_CERTIFICATE_LENGTH,
  signCertificate,
  verifyCertificate,
} from "../../crypto/mod.ts";
import { mulberry32 } from "../_random.ts";

Deno.test("encodeCertificate() writes the documented layout", () => {
  const certificate: Certificate = {
    version: 1,
    name: "ab",
    publicKey: new Uint8Array(32).fill(7),
  };
  const unsigned = encodeCertificate(certificate);
  assert.deepEqual(
    unsigned,
    new Uint8Array([1, 2, 0x61, 0x62, ...new Uint8Array(32).fill(7), 0]),
  );
  const signature = new Uint8Array(64).fill(9);
  const signed = encodeCertificate({ ...certificate, signature });
  assert.deepEqual(
    signed,
    new Uint8Array([
      1,
      2,
      0x61,
      0x62,
      ...new Uint8Array(32).fill(7),
      1,
      ...signature,
    ]),
  );
});

Deno.test("decodeCertificate() round-trips signed and unsigned certificates", () => {
  const ca = createCertificateAuthority();
  for (
    const name of ["a", "server-01", "ünïcödé ✓", "x".repeat(255), "\uFEFFbom"]
  ) {
    const { certificate } = generateCertificate(name);
    const signed = signCertificate(certificate, ca.privateKey);
    for (const input of [certificate, signed]) {
      const bytes = encodeCertificate(input);
      const decoded = decodeCertificate(bytes);
      assert.deepEqual(decoded, input);
      assert.deepEqual(encodeCertificate(decoded), bytes);
    }
    assert.equal(
      verifyCertificate(
        decodeCertificate(encodeCertificate(signed)),
        ca.publicKey,
      ),
      true,
    );
  }
  const biggest = encodeCertificate(
    signCertificate(
      generateCertificate("y".repeat(255)).certificate,
      ca.privateKey,
    ),
  );
  assert.equal(biggest.length, MAX_ENCODED_CERTIFICATE_LENGTH);
});

Deno.test("decodeCertificate() copies out of the input buffer", () => {
  const bytes = encodeCertificate({
    version: 1,
    name: "n",
    publicKey: new Uint8Array(32).fill(1),
    signature: new Uint8Array(64).fill(2),
  });
  const decoded = decodeCertificate(bytes);
  bytes.fill(0);
  assert.deepEqual(decoded.publicKey, new Uint8Array(32).fill(1));
  assert.deepEqual(decoded.signature, new Uint8Array(64).fill(2));
  assert.equal(decoded.publicKey.byteOffset, 0);
  assert.equal(decoded.publicKey.buffer.byteLength, 32);
});

Deno.test("decodeCertificate() rejects bad input with exact errors", () => {
  const good = encodeCertificate({
    version: 1,
    name: "ab",
    publicKey: new Uint8Array(32),
  });
  const at = (index: number, value: number) => {
    const copy = good.slice();
    copy[index] = value;
    return copy;
  };
  const withExtra = new Uint8Array(good.length + 1);
  withExtra.set(good);
  const signedShort = at(36, 1); // flag 1 without a signature
  const context = "Cannot decode certificate";
  const cases: [Uint8Array, string, string][] = [
    [new Uint8Array(0), "RangeError", "expected at least 2 bytes, got 0"],
    [new Uint8Array([1]), "RangeError", "expected at least 2 bytes, got 1"],
    [at(0, 2), "RangeError", "unsupported version 2"],
    [at(0, 0), "RangeError", "unsupported version 0"],
    [at(1, 0), "RangeError", "name must not be empty"],
    [at(1, 200), "RangeError", "expected at least 235 bytes, got 37"],
    [good.subarray(0, 36), "RangeError", "expected at least 37 bytes, got 36"],
    [at(36, 2), "SyntaxError", "invalid signature flag 2"],
    [withExtra, "RangeError", "expected 37 bytes, got 38"],
    [signedShort, "RangeError", "expected 101 bytes, got 37"],
    [at(2, 0xff), "SyntaxError", "name is not valid UTF-8"],
    [at(2, 0xc3), "SyntaxError", "name is not valid UTF-8"],
  ];
  for (const [bytes, name, detail] of cases) {
    assert.throws(() => decodeCertificate(bytes), {
      name,
      message: `${context}: ${detail}`,
    });
  }
  // A UTF-8-encoded surrogate half is invalid UTF-8.
  const surrogate = encodeCertificate({
    version: 1,
    name: "abc",
    publicKey: new Uint8Array(32),
  });
  surrogate.set([0xed, 0xa0, 0x80], 2);
  assert.throws(() => decodeCertificate(surrogate), SyntaxError);
  assert.throws(() => decodeCertificate("x" as never), {
    name: "TypeError",
    message: "Cannot decode certificate: input must be a Uint8Array",
  });
});

Deno.test("decodeCertificate() survives seeded random input with typed errors only", () => {
  const random = mulberry32(20261121);
  const ca = createCertificateAuthority();
  const seeds = [
    encodeCertificate(generateCertificate("seed").certificate),
    encodeCertificate(
      signCertificate(generateCertificate("s2").certificate, ca.privateKey),
    ),
  ];
  let decoded = 0;
  const errors = new Map<string, number>();
  for (let i = 0; i < 6000; i++) {
    let bytes: Uint8Array;
    const mode = i % 3;
    if (mode === 0) {
      bytes = new Uint8Array(Math.floor(random() * 400));
      for (let j = 0; j < bytes.length; j++) {
        bytes[j] = Math.floor(random() * 256);
      }
      if (random() < 0.5 && bytes.length > 1) {
        bytes[0] = 1;
        bytes[1] = Math.floor(random() * 20);
      }
    } else {
      // Mutate a valid encoding: flip bytes, truncate or extend.
      const base = seeds[mode - 1];
      const length = Math.max(0, base.length + Math.floor(random() * 9) - 4);
      bytes = new Uint8Array(length);
      bytes.set(base.subarray(0, Math.min(length, base.length)));
      const flips = Math.floor(random() * 3);
      for (let f = 0; f < flips && length > 0; f++) {
        bytes[Math.floor(random() * length)] = Math.floor(random() * 256);
      }
    }
    try {
      const certificate = decodeCertificate(bytes);
      decoded++;
      assert.deepEqual(encodeCertificate(certificate), bytes);
    } catch (error) {
      assert.ok(
        error instanceof SyntaxError || error instanceof RangeError,
        `unexpected ${error}`,
      );
      const key = (error as Error).name;
      errors.set(key, (errors.get(key) ?? 0) + 1);
    }
  }
  assert.ok(decoded > 0);
  assert.ok((errors.get("RangeError") ?? 0) > 0);
  assert.ok((errors.get("SyntaxError") ?? 0) > 0);
});

Deno.test("encodeCertificate() validates the certificate", () => {
  assert.throws(
    () =>
      encodeCertificate({
        version: 1,
        name: "",
        publicKey: new Uint8Array(32),
      }),
    {
      name: "RangeError",
      message: "Cannot encode certificate: name must not be empty",
    },
  );
  assert.throws(
    () =>
      encodeCertificate({
        version: 1,
        name: "ab",
        publicKey: new Uint8Array(32),
        signature: new Uint8Array(65) as Uint8Array<ArrayBuffer>,
      }),
    {
      name: "RangeError",
      message: "Cannot encode certificate: signature must be 64 bytes, got 65",
    },
  );
});
