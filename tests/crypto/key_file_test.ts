// Copyright 2026 the moonwire authors. MIT license.
import assert from "node:assert/strict";
import {
  generateEd25519KeyPair,
  generateX25519KeyPair,
  type KeyFileOptions,
  readKeyFile,
  writeKeyFile,
} from "../../crypto/mod.ts";

const posix = Deno.build.os !== "windows";

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "moonwire_keys_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("writeKeyFile() and readKeyFile() round-trip every kind of key", async () => {
  await withDir(async (dir) => {
    const x = generateX25519KeyPair();
    const e = generateEd25519KeyPair();
    const cases: [string, Uint8Array, KeyFileOptions][] = [
      ["x_private.key", x.privateKey, { algorithm: "x25519", private: true }],
      ["x.key", x.publicKey, { algorithm: "x25519", private: false }],
      ["certAuth_private.key", e.privateKey, {
        algorithm: "ed25519",
        private: true,
      }],
      ["certAuth.key", e.publicKey, { algorithm: "ed25519", private: false }],
    ];
    for (const [name, key, options] of cases) {
      const path = `${dir}/${name}`;
      await writeKeyFile(path, key, options);
      const read = await readKeyFile(path, options);
      assert.deepEqual(read, key);
      assert.ok(read.buffer instanceof ArrayBuffer);
      if (posix) {
        assert.equal(
          (await Deno.stat(path)).mode! & 0o777,
          options.private ? 0o600 : 0o644,
          name,
        );
      }
    }
  });
});

Deno.test("writeKeyFile() writes the documented JSON", async () => {
  await withDir(async (dir) => {
    const key = new Uint8Array(32).map((_, i) => i);
    await writeKeyFile(`${dir}/k.key`, key, {
      algorithm: "ed25519",
      private: false,
    });
    assert.equal(
      await Deno.readTextFile(`${dir}/k.key`),
      '{"type":"moonwire-key","algorithm":"ed25519","use":"public",' +
        '"key":"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="}\n',
    );
  });
});

Deno.test("writeKeyFile() replaces an existing world-readable file with mode 0600", async () => {
  await withDir(async (dir) => {
    const path = `${dir}/p.key`;
    await Deno.writeTextFile(path, "old", { mode: 0o644 });
    await writeKeyFile(path, new Uint8Array(32), {
      algorithm: "x25519",
      private: true,
    });
    if (posix) assert.equal((await Deno.stat(path)).mode! & 0o777, 0o600);
  });
});

Deno.test("readKeyFile() names the file in typed errors", async () => {
  await withDir(async (dir) => {
    const options: KeyFileOptions = { algorithm: "x25519", private: true };
    const good = (fields: Record<string, unknown>) =>
      JSON.stringify({
        type: "moonwire-key",
        algorithm: "x25519",
        use: "private",
        key: btoa("A".repeat(32)),
        ...fields,
      });
    const cases: [string, string, string][] = [
      ["{not json", "SyntaxError", "not valid JSON"],
      ["", "SyntaxError", "not valid JSON"],
      ["[1,2]", "SyntaxError", "expected a JSON object"],
      ["null", "SyntaxError", "expected a JSON object"],
      ['"abc"', "SyntaxError", "expected a JSON object"],
      [good({ type: "other" }), "SyntaxError", "not a moonwire key file"],
      [good({ key: undefined }), "SyntaxError", "not a moonwire key file"],
      [good({ key: 5 }), "SyntaxError", "not a moonwire key file"],
      [good({ use: null }), "SyntaxError", "not a moonwire key file"],
      [good({ key: "not base64!" }), "SyntaxError", "key is not valid base64"],
      [
        good({ key: btoa("A".repeat(32)).slice(0, -1) }),
        "SyntaxError",
        "key is not valid base64",
      ],
      [
        good({ key: " " + btoa("A".repeat(32)) }),
        "SyntaxError",
        "key is not valid base64",
      ],
      [
        good({ key: btoa("A".repeat(31)) }),
        "RangeError",
        "key must be 32 bytes, got 31",
      ],
      [
        good({ key: btoa("A".repeat(64)) }),
        "RangeError",
        "key must be 32 bytes, got 64",
      ],
      [good({ key: "" }), "RangeError", "key must be 32 bytes, got 0"],
      [
        good({ algorithm: "ed25519" }),
        "TypeError",
        'expected algorithm x25519, got "ed25519"',
      ],
      [
        good({ use: "public" }),
        "TypeError",
        'expected a private key, got "public"',
      ],
    ];
    for (const [i, [text, name, detail]] of cases.entries()) {
      const path = `${dir}/bad${i}.key`;
      await Deno.writeTextFile(path, text);
      await assert.rejects(readKeyFile(path, options), {
        name,
        message: `Cannot read key file ${path}: ${detail}`,
      }, text);
    }
    await Deno.writeFile(`${dir}/utf8.key`, new Uint8Array([0x7b, 0xff, 0x7d]));
    await assert.rejects(readKeyFile(`${dir}/utf8.key`, options), {
      name: "SyntaxError",
      message: `Cannot read key file ${dir}/utf8.key: not valid UTF-8`,
    });
    await Deno.writeTextFile(`${dir}/huge.key`, " ".repeat(65537));
    await assert.rejects(readKeyFile(`${dir}/huge.key`, options), {
      name: "RangeError",
      message: `Cannot read key file ${dir}/huge.key: file exceeds 65536 bytes`,
    });
    await assert.rejects(
      readKeyFile(`${dir}/missing.key`, options),
      Deno.errors.NotFound,
    );
  });
});

Deno.test("writeKeyFile() and readKeyFile() validate arguments", async () => {
  await assert.rejects(
    writeKeyFile("/tmp/k", new Uint8Array(31), {
      algorithm: "x25519",
      private: true,
    }),
    {
      name: "RangeError",
      message: "Cannot write key file /tmp/k: key must be 32 bytes, got 31",
    },
  );
  await assert.rejects(
    writeKeyFile("/tmp/k", "key" as never, {
      algorithm: "x25519",
      private: true,
    }),
    {
      name: "TypeError",
      message: "Cannot write key file /tmp/k: key must be a Uint8Array",
    },
  );
  await assert.rejects(
    writeKeyFile("/tmp/k", new Uint8Array(32), {
      algorithm: "rsa" as never,
      private: true,
    }),
    {
      name: "TypeError",
      message: 'Cannot write key file /tmp/k: unknown algorithm "rsa"',
    },
  );
  await assert.rejects(
    readKeyFile("/tmp/k", { algorithm: "x25519" } as never),
    {
      name: "TypeError",
      message:
        'Cannot read key file /tmp/k: option "private" must be a boolean',
    },
  );
});
