// Copyright 2026 the moonwire authors. MIT license.
// Seeded random input for every text parser of untrusted data: only the
// documented error classes, never a crash or a hang.
import assert from "node:assert/strict";
import { parseCipherKey } from "../../crypto/mod.ts";
import { parseKeyDocument } from "../../crypto/_key_document.ts";
import { parseCertificateDocument } from "../../crypto/_certificate_document.ts";
import { parseScryptHash } from "../../crypto/_scrypt_hash.ts";
import { mulberry32 } from "../_random.ts";

const ALPHABET =
  'abcdefABCDEF0123456789+/=${}[]":,.-_ \\nulltrue\u00e9\u2713\uD800';

/** A mutated copy of `seed`, or an unrelated random string. */
function mutate(random: () => number, seed: string): string {
  const pick = () => ALPHABET[Math.floor(random() * ALPHABET.length)];
  if (random() < 0.2) {
    return Array.from({ length: Math.floor(random() * 120) }, pick).join("");
  }
  const chars = [...seed];
  const edits = 1 + Math.floor(random() * 4);
  for (let i = 0; i < edits; i++) {
    const at = Math.floor(random() * (chars.length + 1));
    const kind = random();
    if (kind < 0.4) chars[at] = pick();
    else if (kind < 0.7) chars.splice(at, 0, pick());
    else chars.splice(at, 1 + Math.floor(random() * 8));
  }
  return chars.join("");
}

function run(
  seed: number,
  seeds: string[],
  cases: number,
  parse: (text: string) => unknown,
  allowed: (typeof Error)[],
): { parsed: number; failed: number } {
  const random = mulberry32(seed);
  let parsed = 0;
  let failed = 0;
  for (let i = 0; i < cases; i++) {
    const text = mutate(random, seeds[i % seeds.length]);
    try {
      parse(text);
      parsed++;
    } catch (error) {
      assert.ok(
        allowed.some((kind) => error instanceof kind),
        `${JSON.stringify(text)} threw ${error}`,
      );
      failed++;
    }
  }
  return { parsed, failed };
}

Deno.test("parseKeyDocument() survives seeded random input", () => {
  const key = new Uint8Array(32).map((_, i) => i * 5).toBase64();
  const seeds = [
    `{"type":"moonwire-key","algorithm":"x25519","use":"private","key":"${key}"}`,
    `{"type":"moonwire-key","algorithm":"ed25519","use":"private","key":"${key}"}`,
    `{"type":"moonwire-key","algorithm":"x25519","use":"public","key":"${key}"}`,
  ];
  const result = run(1, seeds, 4000, (text) => {
    const bytes = parseKeyDocument(text, "k.key", {
      algorithm: "x25519",
      private: true,
    });
    assert.equal(bytes.length, 32);
  }, [SyntaxError, RangeError, TypeError]);
  assert.ok(result.parsed > 0 && result.failed > 0, JSON.stringify(result));
});

Deno.test("parseCertificateDocument() survives seeded random input", () => {
  const key = new Uint8Array(32).fill(3).toBase64();
  const sig = new Uint8Array(64).fill(4).toBase64();
  const seeds = [
    `{"type":"moonwire-certificate","version":1,"name":"srv","publicKey":"${key}","signature":"${sig}"}`,
    `{"type":"moonwire-certificate","version":1,"name":"s\u00e9","publicKey":"${key}","signature":null}`,
  ];
  const result = run(2, seeds, 4000, (text) => {
    const certificate = parseCertificateDocument(text, "c.crt");
    assert.equal(certificate.publicKey.length, 32);
  }, [SyntaxError, RangeError]);
  assert.ok(result.parsed > 0 && result.failed > 0, JSON.stringify(result));
});

Deno.test("parseScryptHash() survives seeded random input", () => {
  const salt = new Uint8Array(16).fill(1).toBase64();
  const hash = new Uint8Array(32).fill(2).toBase64();
  const seeds = [
    `$scrypt$ln=15,r=8,p=1$${salt}$${hash}`,
    `$scrypt$ln=20,r=8,p=1$${salt}$${hash}`,
  ];
  const result = run(3, seeds, 4000, (text) => {
    const parsed = parseScryptHash(text);
    assert.ok(parsed.logN >= 15 && parsed.logN <= 20);
    assert.ok(128 * parsed.r * 2 ** parsed.logN <= 1024 ** 3);
  }, [SyntaxError, RangeError]);
  assert.ok(result.parsed > 0 && result.failed > 0, JSON.stringify(result));
});

Deno.test("parseCipherKey() survives seeded random input", () => {
  const seeds = ["00112233445566778899aabbccddeeff", "ab".repeat(32)];
  const result = run(4, seeds, 4000, (text) => {
    const key = parseCipherKey(text);
    assert.ok(key.length === 16 || key.length === 32);
  }, [SyntaxError, RangeError]);
  assert.ok(result.parsed > 0 && result.failed > 0, JSON.stringify(result));
});
