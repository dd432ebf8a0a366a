// Copyright 2026 the moonwire authors. MIT license.
import assert from "node:assert/strict";
import {
  type Aead,
  type AeadAlgorithm,
  type AeadBackend,
  AuthenticationError,
  createAead,
} from "../../crypto/mod.ts";
import { mulberry32 } from "../_random.ts";

const ALGORITHMS: AeadAlgorithm[] = [
  "AES-128-GCM",
  "AES-256-GCM",
  "ChaCha20-Poly1305",
];
const BACKENDS: AeadBackend[] = ["noble", "native"];
const KEY_LENGTH: Record<AeadAlgorithm, number> = {
  "AES-128-GCM": 16,
  "AES-256-GCM": 32,
  "ChaCha20-Poly1305": 32,
};

/** An AEAD with an all-zero key of the right length. */
function zeroKeyAead(algorithm: AeadAlgorithm, backend: AeadBackend): Aead {
  return createAead(algorithm, new Uint8Array(KEY_LENGTH[algorithm]), {
    backend,
  });
}

const AUTH_FAILED = {
  name: "AuthenticationError",
  message: "Cannot open record: authentication failed",
};

function randomBytes(random: () => number, length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = Math.floor(random() * 256);
  return bytes;
}

/** A random key, nonce, associated data (0–39 bytes) and plaintext. */
function randomCase(
  random: () => number,
  algorithm: AeadAlgorithm,
  size: number,
) {
  return {
    key: randomBytes(random, KEY_LENGTH[algorithm]),
    nonce: randomBytes(random, 12),
    ad: randomBytes(random, Math.floor(random() * 40)),
    plaintext: randomBytes(random, size),
  };
}

function hex(text: string): Uint8Array {
  return Uint8Array.fromHex(text.replace(/[\s:]/g, ""));
}

interface Vector {
  algorithm: AeadAlgorithm;
  key: string;
  nonce: string;
  ad: string;
  plaintext: string;
  ciphertext: string;
  tag: string;
}

const VECTORS: Vector[] = [
  {
    // RFC 8439 §2.8.2.
    algorithm: "ChaCha20-Poly1305",
    key: "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f",
    nonce: "070000004041424344454647",
    ad: "50515253c0c1c2c3c4c5c6c7",
    plaintext: new TextEncoder().encode(
      "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.",
    ).toHex(),
    ciphertext:
      "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d6" +
      "3dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b36" +
      "92ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc" +
      "3ff4def08e4b7a9de576d26586cec64b6116",
    tag: "1ae10b594f09e26a7e902ecbd0600691",
  },
  {
    // NIST GCM spec (McGrew & Viega) test case 4.
    algorithm: "AES-128-GCM",
    key: "feffe9928665731c6d6a8f9467308308",
    nonce: "cafebabefacedbaddecaf888",
    ad: "feedfacedeadbeeffeedfacedeadbeefabaddad2",
    plaintext:
      "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72" +
      "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39",
    ciphertext:
      "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e" +
      "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091",
    tag: "5bc94fbc3221a5db94fae95ae7121a47",
  },
  {
    // NIST GCM spec (McGrew & Viega) test case 16.
    algorithm: "AES-256-GCM",
    key: "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308",
    nonce: "cafebabefacedbaddecaf888",
    ad: "feedfacedeadbeeffeedfacedeadbeefabaddad2",
    plaintext:
      "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72" +
      "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39",
    ciphertext:
      "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa" +
      "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662",
    tag: "76fc6ece0f4e1768cddf8853bb2d551b",
  },
];

for (const vector of VECTORS) {
  for (const backend of BACKENDS) {
    Deno.test(`createAead() ${vector.algorithm} ${backend} matches the known-answer vector`, async () => {
      const aead = createAead(vector.algorithm, hex(vector.key), { backend });
      assert.equal(aead.algorithm, vector.algorithm);
      assert.equal(aead.backend, backend);
      const sealed = await aead.seal(
        hex(vector.nonce),
        hex(vector.plaintext),
        hex(vector.ad),
      );
      assert.equal(sealed.toHex(), vector.ciphertext + vector.tag);
      const opened = await aead.open(hex(vector.nonce), sealed, hex(vector.ad));
      assert.equal(opened.toHex(), vector.plaintext);
    });
  }
}

Deno.test("createAead() backends agree byte for byte over random sizes 0–70000", async () => {
  const random = mulberry32(0x5eed);
  const sizes = [
    0,
    1,
    15,
    16,
    17,
    63,
    64,
    65,
    1023,
    1024,
    4095,
    4096,
    4097,
    8192,
    65535,
    65536,
    70000,
  ];
  while (sizes.length < 40) sizes.push(Math.floor(random() * 70001));
  for (const algorithm of ALGORITHMS) {
    for (const size of sizes) {
      const { key, nonce, ad, plaintext } = randomCase(random, algorithm, size);
      const noble = createAead(algorithm, key, { backend: "noble" });
      const native = createAead(algorithm, key, { backend: "native" });
      const a = await noble.seal(nonce, plaintext, ad);
      const b = await native.seal(nonce, plaintext, ad);
      assert.equal(a.length, size + 16);
      assert.ok(a.buffer instanceof ArrayBuffer);
      assert.ok(b.buffer instanceof ArrayBuffer);
      assert.deepEqual(b, a, `${algorithm} size ${size}`);
      assert.deepEqual(await native.open(nonce, a, ad), plaintext);
      assert.deepEqual(await noble.open(nonce, b, ad), plaintext);
    }
  }
});

Deno.test("createAead() seal without associated data equals empty associated data", async () => {
  for (const algorithm of ALGORITHMS) {
    for (const backend of BACKENDS) {
      const aead = zeroKeyAead(algorithm, backend);
      const nonce = new Uint8Array(12).fill(7);
      const pt = new Uint8Array([1, 2, 3]);
      assert.deepEqual(
        await aead.seal(nonce, pt),
        await aead.seal(nonce, pt, new Uint8Array(0)),
      );
    }
  }
});

Deno.test("createAead() copies the key and uses native by default", async () => {
  const key = new Uint8Array(32);
  const aead = createAead("ChaCha20-Poly1305", key);
  assert.equal(aead.backend, "native");
  const nonce = new Uint8Array(12);
  const before = await aead.seal(nonce, new Uint8Array(4));
  key.fill(9);
  assert.deepEqual(await aead.seal(nonce, new Uint8Array(4)), before);
});

Deno.test("createAead() accepts subarray inputs with offsets", async () => {
  const backing = new Uint8Array(100).map((_, i) => i);
  for (const algorithm of ALGORITHMS) {
    const key = backing.subarray(3, 3 + KEY_LENGTH[algorithm]);
    const nonce = backing.subarray(50, 62);
    const pt = backing.subarray(62, 90);
    const ad = backing.subarray(1, 9);
    const noble = await createAead(algorithm, key, { backend: "noble" }).seal(
      nonce,
      pt,
      ad,
    );
    const native = createAead(algorithm, key, { backend: "native" });
    const sealed = await native.seal(nonce, pt, ad);
    assert.deepEqual(sealed, noble);
    const framed = new Uint8Array(sealed.length + 10);
    framed.set(sealed, 5);
    assert.deepEqual(
      await native.open(nonce, framed.subarray(5, 5 + sealed.length), ad),
      pt,
    );
  }
});

Deno.test("createAead() validates algorithm, backend, key and nonce", async () => {
  assert.throws(
    () => createAead("AES-192-GCM" as never, new Uint8Array(24)),
    {
      name: "TypeError",
      message: 'Cannot create AEAD: unknown algorithm "AES-192-GCM"',
    },
  );
  assert.throws(
    () =>
      createAead("AES-128-GCM", new Uint8Array(16), { backend: "x" as never }),
    { name: "TypeError", message: 'Cannot create AEAD: unknown backend "x"' },
  );
  assert.throws(
    () => createAead("AES-128-GCM", "0123456789abcdef" as never),
    {
      name: "TypeError",
      message: "Cannot create AEAD: key must be a Uint8Array",
    },
  );
  const wrong: [AeadAlgorithm, number][] = [
    ["AES-128-GCM", 32],
    ["AES-128-GCM", 15],
    ["AES-256-GCM", 16],
    ["ChaCha20-Poly1305", 16],
    ["ChaCha20-Poly1305", 0],
  ];
  for (const [algorithm, length] of wrong) {
    for (const backend of BACKENDS) {
      assert.throws(
        () => createAead(algorithm, new Uint8Array(length), { backend }),
        {
          name: "RangeError",
          message: `Cannot create AEAD: ${algorithm} key must be ${
            KEY_LENGTH[algorithm]
          } bytes, got ${length}`,
        },
      );
    }
  }
  for (const algorithm of ALGORITHMS) {
    for (const backend of BACKENDS) {
      const aead = zeroKeyAead(algorithm, backend);
      for (const length of [0, 8, 11, 13, 16, 24]) {
        await assert.rejects(
          aead.seal(new Uint8Array(length), new Uint8Array(1)),
          {
            name: "RangeError",
            message:
              `Cannot seal record: nonce must be 12 bytes, got ${length}`,
          },
        );
        await assert.rejects(
          aead.open(new Uint8Array(length), new Uint8Array(32)),
          {
            name: "RangeError",
            message:
              `Cannot open record: nonce must be 12 bytes, got ${length}`,
          },
        );
      }
    }
  }
});

async function sealed(
  algorithm: AeadAlgorithm,
  backend: AeadBackend,
  size: number,
) {
  const key = new Uint8Array(KEY_LENGTH[algorithm]).map((_, i) => i * 7 + 1);
  const aead = createAead(algorithm, key, { backend });
  const nonce = new Uint8Array(12).map((_, i) => i + 100);
  const ad = new TextEncoder().encode("header");
  const plaintext = new Uint8Array(size).map((_, i) => i & 0xff);
  const record = await aead.seal(nonce, plaintext, ad);
  return { key, aead, nonce, ad, plaintext, record };
}

// The native AES-GCM backend switches implementation above 4 KiB, so each
// negative case runs on a small and a large record.
const SMALL = 100;
const LARGE = 5000;

for (const algorithm of ALGORITHMS) {
  for (const backend of BACKENDS) {
    const label = `${algorithm} ${backend}`;

    Deno.test(`open() ${label} refuses a flipped tag bit`, async () => {
      for (const size of [0, 1, SMALL, 4096, LARGE]) {
        const { aead, nonce, ad, record } = await sealed(
          algorithm,
          backend,
          size,
        );
        for (const bit of [0, 7, 64, 127]) {
          const bad = record.slice();
          bad[size + (bit >> 3)] ^= 1 << (bit & 7);
          await assert.rejects(aead.open(nonce, bad, ad), AUTH_FAILED);
        }
      }
    });

    Deno.test(`open() ${label} refuses a flipped ciphertext bit`, async () => {
      for (const size of [SMALL, LARGE]) {
        const { aead, nonce, ad, record } = await sealed(
          algorithm,
          backend,
          size,
        );
        for (const index of [0, 1, size >> 1, size - 1]) {
          const bad = record.slice();
          bad[index] ^= 0x80;
          await assert.rejects(aead.open(nonce, bad, ad), AUTH_FAILED);
        }
      }
    });

    Deno.test(`open() ${label} refuses truncated input`, async () => {
      const { aead, nonce, ad, record } = await sealed(algorithm, backend, 40);
      for (const length of [0, 1, 15, 16, 17, 40, 55]) {
        await assert.rejects(
          aead.open(nonce, record.subarray(0, length), ad),
          AUTH_FAILED,
        );
      }
      // Dropping leading bytes must fail too.
      await assert.rejects(
        aead.open(nonce, record.subarray(1), ad),
        AUTH_FAILED,
      );
      const large = await sealed(algorithm, backend, LARGE);
      for (const length of [15, 4096 + 16, LARGE, LARGE + 15]) {
        await assert.rejects(
          large.aead.open(large.nonce, large.record.subarray(0, length), ad),
          AUTH_FAILED,
        );
      }
      const error = await aead.open(nonce, record.subarray(0, 3), ad).then(
        () => undefined,
        (e) => e,
      );
      assert.ok(error instanceof AuthenticationError);
    });

    Deno.test(`open() ${label} refuses a wrong key`, async () => {
      for (const size of [SMALL, LARGE]) {
        const { key, nonce, ad, record } = await sealed(
          algorithm,
          backend,
          size,
        );
        const other = key.slice();
        other[0] ^= 1;
        const aead = createAead(algorithm, other, { backend });
        await assert.rejects(aead.open(nonce, record, ad), AUTH_FAILED);
      }
    });

    Deno.test(`open() ${label} refuses wrong associated data or nonce`, async () => {
      for (const size of [SMALL, LARGE]) {
        const { aead, nonce, ad, record } = await sealed(
          algorithm,
          backend,
          size,
        );
        await assert.rejects(aead.open(nonce, record), AUTH_FAILED);
        await assert.rejects(
          aead.open(nonce, record, new TextEncoder().encode("headeR")),
          AUTH_FAILED,
        );
        await assert.rejects(
          aead.open(nonce, record, new TextEncoder().encode("header!")),
          AUTH_FAILED,
        );
        const otherNonce = nonce.slice();
        otherNonce[11] ^= 1;
        await assert.rejects(aead.open(otherNonce, record, ad), AUTH_FAILED);
      }
    });

    Deno.test(`open() ${label} wraps the underlying failure as cause`, async () => {
      for (const size of [8, LARGE]) {
        const { aead, nonce, record } = await sealed(algorithm, backend, size);
        const error = await aead.open(nonce, record).then(
          () => undefined,
          (e) => e,
        );
        assert.ok(error instanceof AuthenticationError);
        assert.ok(error.cause !== undefined);
        assert.ok(!(error.cause instanceof AuthenticationError));
      }
    });
  }
}

Deno.test("createAead() native AES-GCM imports its CryptoKey once and only for large records", async () => {
  const subtle = crypto.subtle;
  const original = subtle.importKey;
  let imports = 0;
  subtle.importKey = function (...args: Parameters<typeof original>) {
    imports++;
    return original.apply(subtle, args);
  } as typeof original;
  try {
    const aead = createAead("AES-256-GCM", new Uint8Array(32));
    const nonce = new Uint8Array(12);
    const small = await aead.seal(nonce, new Uint8Array(100));
    await aead.open(nonce, small);
    assert.equal(imports, 0);
    for (let i = 0; i < 3; i++) {
      const large = await aead.seal(nonce, new Uint8Array(10000));
      await aead.open(nonce, large);
    }
    assert.equal(imports, 1);
  } finally {
    subtle.importKey = original;
  }
});

// sealInto/openInto: the same bytes as seal/open, in place or into a larger
// buffer at any offset (GCM's subtle path starts above 4 KiB, so sizes
// cross it).
Deno.test("sealInto()/openInto() give seal()/open()'s bytes in place and at offsets, both backends", async () => {
  const random = mulberry32(0x1470);
  const sizes = [0, 1, 15, 16, 17, 4096, 4097, 65536, 70000];
  while (sizes.length < 20) sizes.push(Math.floor(random() * 70001));
  for (const algorithm of ALGORITHMS) {
    for (const size of sizes) {
      const { key, nonce, ad, plaintext } = randomCase(random, algorithm, size);
      const expected = await createAead(algorithm, key, { backend: "noble" })
        .seal(nonce, plaintext, ad);
      for (const backend of BACKENDS) {
        const label = `${algorithm} ${backend} size ${size}`;
        const aead = createAead(algorithm, key, { backend });
        // In place: the plaintext at the start of a buffer with tag room.
        const buffer = new Uint8Array(size + 16 + 7).fill(0xee);
        buffer.set(plaintext);
        const sealed = await aead.sealInto(
          nonce,
          buffer.subarray(0, size),
          buffer,
          ad,
        );
        assert.deepEqual(sealed, expected, label);
        assert.equal(sealed.buffer, buffer.buffer);
        assert.equal(sealed.byteOffset, 0);
        assert.deepEqual(
          buffer.subarray(size + 16),
          new Uint8Array(7).fill(0xee),
        );
        // Opened in place again, then into another buffer at an offset.
        const opened = await aead.openInto(nonce, sealed, buffer, ad);
        assert.deepEqual(opened, plaintext, label);
        assert.equal(opened.buffer, buffer.buffer);
        const other = new Uint8Array(size + 20).fill(0xaa);
        const at = await aead.openInto(nonce, expected, other.subarray(3), ad);
        assert.deepEqual(at, plaintext, label);
        assert.equal(at.byteOffset, 3);
        assert.deepEqual(other.subarray(0, 3), Uint8Array.of(0xaa, 0xaa, 0xaa));
        assert.deepEqual(
          other.subarray(size + 3),
          new Uint8Array(17).fill(0xaa),
        );
        // Overlapping at a shift: the output starts 5 bytes before the input.
        const shifted = new Uint8Array(size + 21);
        shifted.set(plaintext, 5);
        assert.deepEqual(
          await aead.sealInto(
            nonce,
            shifted.subarray(5, 5 + size),
            shifted,
            ad,
          ),
          expected,
          label,
        );
      }
    }
  }
});

Deno.test("openInto() leaves the output unchanged when the record does not authenticate", async () => {
  for (const algorithm of ALGORITHMS) {
    for (const backend of BACKENDS) {
      for (const size of [0, SMALL, LARGE]) {
        const { aead, nonce, ad, record } = await sealed(
          algorithm,
          backend,
          size,
        );
        for (const index of [0, size >> 1, record.length - 1]) {
          const bad = record.slice();
          bad[index] ^= 1;
          const output = new Uint8Array(size).fill(0x5a);
          await assert.rejects(
            aead.openInto(nonce, bad, output, ad),
            AUTH_FAILED,
          );
          assert.deepEqual(output, new Uint8Array(size).fill(0x5a));
          // In place: the forged record stays as it was.
          const copy = bad.slice();
          await assert.rejects(
            aead.openInto(nonce, copy, copy, ad),
            AUTH_FAILED,
          );
          assert.deepEqual(copy, bad);
        }
        await assert.rejects(
          aead.openInto(nonce, record.subarray(0, 15), new Uint8Array(0), ad),
          AUTH_FAILED,
        );
      }
    }
  }
});

Deno.test("sealInto()/openInto() refuse a missing or short output", async () => {
  for (const algorithm of ALGORITHMS) {
    for (const backend of BACKENDS) {
      const aead = zeroKeyAead(algorithm, backend);
      const nonce = new Uint8Array(12);
      const record = await aead.seal(nonce, new Uint8Array(10));
      await assert.rejects(
        aead.sealInto(nonce, new Uint8Array(10), [] as unknown as Uint8Array),
        {
          name: "TypeError",
          message: "Cannot seal record: output must be a Uint8Array",
        },
      );
      await assert.rejects(
        aead.sealInto(nonce, new Uint8Array(10), new Uint8Array(25)),
        {
          name: "RangeError",
          message: "Cannot seal record: output must hold 26 bytes, got 25",
        },
      );
      await assert.rejects(
        aead.openInto(nonce, record, undefined as unknown as Uint8Array),
        {
          name: "TypeError",
          message: "Cannot open record: output must be a Uint8Array",
        },
      );
      await assert.rejects(aead.openInto(nonce, record, new Uint8Array(9)), {
        name: "RangeError",
        message: "Cannot open record: output must hold 10 bytes, got 9",
      });
      await assert.rejects(
        aead.sealInto(new Uint8Array(8), new Uint8Array(1), new Uint8Array(17)),
        {
          name: "RangeError",
          message: "Cannot seal record: nonce must be 12 bytes, got 8",
        },
      );
    }
  }
});

Deno.test("open() returns a plain Uint8Array that owns its whole ArrayBuffer, both backends", async () => {
  for (const algorithm of ALGORITHMS) {
    for (const backend of BACKENDS) {
      for (const size of [0, 1, SMALL, LARGE, 600_000]) {
        const { aead, nonce, ad, record, plaintext } = await sealed(
          algorithm,
          backend,
          size,
        );
        const opened = await aead.open(nonce, record, ad);
        const label = `${algorithm} ${backend} size ${size}`;
        assert.deepEqual(opened, plaintext, label);
        assert.equal(
          Object.getPrototypeOf(opened),
          Uint8Array.prototype,
          label,
        );
        assert.ok(opened.buffer instanceof ArrayBuffer);
        assert.equal(opened.byteOffset, 0);
        assert.equal(opened.buffer.byteLength, size, label);
        // slice() copies (a node Buffer's would share memory).
        if (size > 0) {
          const copy = opened.slice(0, 1);
          copy[0] ^= 1;
          assert.equal(opened[0], plaintext[0], label);
        }
      }
    }
  }
});
