// Copyright 2026 the moonwire authors. MIT license.
// Seal + open round trips per cipher and record size; noble is the baseline
// of each group, so `deno bench` prints how much faster the native backend is.
import {
  type AeadAlgorithm,
  type AeadBackend,
  createAead,
} from "../crypto/mod.ts";

const ALGORITHMS: [AeadAlgorithm, number][] = [
  ["AES-128-GCM", 16],
  ["AES-256-GCM", 32],
  ["ChaCha20-Poly1305", 32],
];
const SIZES: [string, number, number][] = [
  // label, bytes, iterations (kept small: the machine is shared)
  ["64 B", 64, 2000],
  ["1 KiB", 1024, 1000],
  ["16 KiB", 16 * 1024, 200],
  ["64 KiB", 64 * 1024, 100],
];
const BACKENDS: AeadBackend[] = ["noble", "native"];

for (const [algorithm, keyLength] of ALGORITHMS) {
  const key = crypto.getRandomValues(new Uint8Array(keyLength));
  for (const [label, size, n] of SIZES) {
    const plaintext = crypto.getRandomValues(new Uint8Array(size));
    const ad = new Uint8Array(8);
    // A fixed nonce is fine here: nothing is kept or sent.
    const nonce = new Uint8Array(12);
    for (const backend of BACKENDS) {
      const aead = createAead(algorithm, key, { backend });
      Deno.bench({
        name: `${algorithm} ${backend} ${label}`,
        group: `${algorithm} ${label}`,
        baseline: backend === "noble",
        n,
        warmup: Math.max(10, n / 10),
        async fn() {
          const sealed = await aead.seal(nonce, plaintext, ad);
          await aead.open(nonce, sealed, ad);
        },
      });
    }
  }
}
