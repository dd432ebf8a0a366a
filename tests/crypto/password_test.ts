// Copyright 2026 the moonwire authors. MIT license.
import assert from "node:assert/strict";
import { scryptSync } from "node:crypto";
import { scrypt as nobleScrypt } from "@noble/hashes/scrypt.js";
import { hashPassword, verifyPassword } from "../../crypto/mod.ts";

// Each scrypt at the default cost takes ~100 ms: keep the number small.
const PASSWORD = "pässwörd ✓";

// Counts the ticks of a 5 ms interval timer while `work` runs.
async function countTicks(work: () => Promise<unknown>): Promise<{
  ticks: number;
  elapsed: number;
}> {
  let ticks = 0;
  const interval = setInterval(() => ticks++, 5);
  const start = performance.now();
  try {
    await work();
  } finally {
    clearInterval(interval);
  }
  return { ticks, elapsed: performance.now() - start };
}

Deno.test("hashPassword() does not block the event loop", async () => {
  // On a loaded machine other processes compete with the main thread too,
  // so the best of three attempts counts.
  const attempts: string[] = [];
  for (let attempt = 0; attempt < 3; attempt++) {
    const hashing = await countTicks(() => hashPassword(PASSWORD));
    // The same timer over an idle wait as long calibrates for machine load.
    const idle = await countTicks(() =>
      new Promise((resolve) => setTimeout(resolve, hashing.elapsed))
    );
    // scrypt on the main thread (noble) let through about 40 % of them.
    if (hashing.ticks >= 0.6 * idle.ticks) return;
    attempts.push(
      `${hashing.ticks} ticks in ${hashing.elapsed.toFixed(0)} ms of ` +
        `hashing, ${idle.ticks} in as long idle`,
    );
  }
  assert.fail(`event loop stalled: ${attempts.join("; ")}`);
});

/** Round trips of 1 byte over a loopback TCP echo while `during` runs. */
async function echoTrips(during: Promise<unknown>): Promise<number> {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const accepted = listener.accept();
  using client = await Deno.connect({
    hostname: "127.0.0.1",
    port: listener.addr.port,
  });
  using server = await accepted;
  let running = true;
  const done = during.finally(() => running = false);
  const byte = new Uint8Array(1);
  let trips = 0;
  for (; running; trips++) {
    await client.write(byte);
    await server.read(byte);
    await server.write(byte);
    await client.read(byte);
  }
  await done;
  return trips;
}

Deno.test("hashPassword() bursts leave the event loop a CPU", async () => {
  // One scrypt thread per hash at once starved the main thread of CPU: 20
  // logins on 2 CPUs cut loopback round trips 25-fold (p99 60 ms).
  const attempts: string[] = [];
  for (let attempt = 0; attempt < 3; attempt++) {
    const start = performance.now();
    const burst = await echoTrips(
      Promise.all(Array.from({ length: 8 }, () => hashPassword(PASSWORD))),
    );
    const elapsed = performance.now() - start;
    const idle = await echoTrips(
      new Promise((resolve) => setTimeout(resolve, elapsed)),
    );
    if (burst >= 0.3 * idle) return;
    attempts.push(
      `${burst} round trips in ${elapsed.toFixed(0)} ms of 8 hashes, ` +
        `${idle} in as long idle`,
    );
  }
  assert.fail(`event loop starved: ${attempts.join("; ")}`);
});

Deno.test("hashPassword() encodes parameters, salt and hash", async () => {
  const stored = await hashPassword(PASSWORD);
  const match =
    /^\$scrypt\$ln=15,r=8,p=1\$([A-Za-z0-9+/=]{24})\$([A-Za-z0-9+/=]{44})$/
      .exec(stored);
  assert.ok(match, stored);
  const salt = Uint8Array.fromBase64(match[1]);
  const hash = Uint8Array.fromBase64(match[2]);
  assert.equal(salt.length, 16);
  assert.equal(hash.length, 32);
  // An independent implementation agrees on the bytes.
  const expected = scryptSync(new TextEncoder().encode(PASSWORD), salt, 32, {
    N: 2 ** 15,
    r: 8,
    p: 1,
    maxmem: 64 * 1024 * 1024,
  });
  assert.deepEqual(hash, new Uint8Array(expected));

  assert.equal(await verifyPassword(PASSWORD, stored), true);
  assert.equal(await verifyPassword("pässwörd ✗", stored), false);
});

Deno.test("verifyPassword() accepts hashes stored by noble's scrypt", async () => {
  // Made with @noble/hashes scrypt (the implementation before node:crypto).
  const stored =
    "$scrypt$ln=15,r=8,p=1$AAcOFRwjKjE4P0ZNVFtiaQ==$2mmOLMgIqBcGifF8aXzqhVsxQN4e+KpNXZnWm2niAfw=";
  assert.equal(await verifyPassword("noble pässword", stored), true);
  assert.equal(await verifyPassword("noble password", stored), false);
  // And noble agrees with a hash made now.
  const made = await hashPassword(PASSWORD);
  const [, , , salt, hash] = made.split("$");
  const expected = nobleScrypt(
    new TextEncoder().encode(PASSWORD),
    Uint8Array.fromBase64(salt),
    { N: 2 ** 15, r: 8, p: 1, dkLen: 32 },
  );
  assert.equal(expected.toBase64(), hash);
});

Deno.test("verifyPassword() reads raised parameters from the stored string", async () => {
  // A hash made elsewhere with other parameters (ln=15, r=9, p=2, 20-byte salt).
  const salt = new Uint8Array(20).map((_, i) => i);
  const hash = scryptSync("secret", salt, 24, {
    N: 2 ** 15,
    r: 9,
    p: 2,
    maxmem: 128 * 1024 * 1024,
  });
  const stored = `$scrypt$ln=15,r=9,p=2$${salt.toBase64()}$${
    new Uint8Array(hash).toBase64()
  }`;
  assert.equal(await verifyPassword("secret", stored), true);
  assert.equal(await verifyPassword("Secret", stored), false);
  // Not well-formed or oversized passwords never match, without throwing.
  assert.equal(await verifyPassword("secret\uD800", stored), false);
});

Deno.test("hashPassword() honours logN", async () => {
  const stored = await hashPassword("pw", { logN: 16 });
  assert.match(stored, /^\$scrypt\$ln=16,r=8,p=1\$/);
  assert.equal(await verifyPassword("pw", stored), true);
});

Deno.test("hashPassword() validates its arguments", async () => {
  for (const logN of [14, 21, 15.5, 0, NaN]) {
    await assert.rejects(hashPassword("pw", { logN }), {
      name: "RangeError",
      message:
        `Cannot hash password: logN must be an integer from 15 to 20, got ${logN}`,
    });
  }
  await assert.rejects(hashPassword(5 as never), {
    name: "TypeError",
    message: "Cannot hash password: password must be a string",
  });
  await assert.rejects(hashPassword("a\uDC00b"), {
    name: "TypeError",
    message: "Cannot hash password: password is not well-formed Unicode",
  });
  await assert.rejects(hashPassword("é".repeat(513)), {
    name: "RangeError",
    message: "Cannot hash password: password exceeds 1024 bytes of UTF-8",
  });
});

Deno.test("verifyPassword() rejects malformed and hostile stored strings before hashing", async () => {
  const salt = new Uint8Array(16).toBase64();
  const hash = new Uint8Array(32).toBase64();
  const format =
    "Cannot verify password: hash is not in $scrypt$ln=N,r=N,p=N$salt$hash format";
  const syntax: [string, string][] = [
    ["", format],
    ["plaintext", format],
    [`$scrypt$ln=15,r=8$${salt}$${hash}`, format],
    [`$scrypt$ln=15,r=8,p=1$${salt}`, format],
    [`$scrypt$ln=015,r=8,p=1$${salt}$${hash}`, format],
    [`$scrypt$ln=15,r=8,p=1,x=1$${salt}$${hash}`, format],
    [`$scrypt$ln=15,r=8,p=1$${salt}$${hash}$`, format],
    [`$scrypt$ln=15,r=8,p=1$${salt}$${hash} `, format],
    [`$argon2id$ln=15,r=8,p=1$${salt}$${hash}`, format],
    [`$scrypt$ln=150,r=8,p=1$${salt}$${hash}`, format],
    [`$scrypt$ln=15,r=8,p=1$${"A".repeat(300)}$${hash}`, format],
    [
      `$scrypt$ln=15,r=8,p=1$${salt.slice(0, -2)}$${hash}`,
      "Cannot verify password: hash has invalid base64",
    ],
    [
      `$scrypt$ln=15,r=8,p=1$${salt}$${hash.slice(1)}`,
      "Cannot verify password: hash has invalid base64",
    ],
  ];
  for (const [encoded, message] of syntax) {
    await assert.rejects(verifyPassword("pw", encoded), {
      name: "SyntaxError",
      message,
    }, encoded);
  }
  const range: [string, string][] = [
    [
      `$scrypt$ln=14,r=8,p=1$${salt}$${hash}`,
      "ln must be from 15 to 20, got 14",
    ],
    [
      `$scrypt$ln=21,r=8,p=1$${salt}$${hash}`,
      "ln must be from 15 to 20, got 21",
    ],
    [
      `$scrypt$ln=99,r=8,p=1$${salt}$${hash}`,
      "ln must be from 15 to 20, got 99",
    ],
    [
      `$scrypt$ln=15,r=33,p=1$${salt}$${hash}`,
      "r must be at most 32 and p at most 4, got r=33, p=1",
    ],
    [
      `$scrypt$ln=15,r=8,p=5$${salt}$${hash}`,
      "r must be at most 32 and p at most 4, got r=8, p=5",
    ],
    [
      `$scrypt$ln=20,r=9,p=1$${salt}$${hash}`,
      "parameters need more than 1 GiB of memory",
    ],
    [
      `$scrypt$ln=15,r=8,p=1$${new Uint8Array(8).toBase64()}$${hash}`,
      "salt must be 16 to 64 bytes, got 8",
    ],
    [
      `$scrypt$ln=15,r=8,p=1$${salt}$${new Uint8Array(65).toBase64()}`,
      "hash must be 16 to 64 bytes, got 65",
    ],
  ];
  for (const [encoded, detail] of range) {
    await assert.rejects(verifyPassword("pw", encoded), {
      name: "RangeError",
      message: `Cannot verify password: ${detail}`,
    }, encoded);
  }
  await assert.rejects(verifyPassword("pw", 5 as never), {
    name: "TypeError",
    message: "Cannot verify password: password and hash must be strings",
  });
});
