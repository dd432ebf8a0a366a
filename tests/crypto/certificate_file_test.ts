// Copyright 2026 the moonwire authors. MIT license.
import assert from "node:assert/strict";
import {
  type Certificate,
  createCertificateAuthority,
  generateCertificate,
  readCertificateFile,
  signCertificate,
  verifyCertificate,
  writeCertificateFile,
} from "../../crypto/mod.ts";

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "moonwire_certs_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("writeCertificateFile() writes the documented JSON", async () => {
  await withDir(async (dir) => {
    const certificate: Certificate = {
      version: 1,
      name: "srv",
      publicKey: new Uint8Array(32).fill(0xff),
    };
    await writeCertificateFile(`${dir}/srv.crt`, certificate);
    const b64 = btoa("\xff".repeat(32));
    assert.equal(
      await Deno.readTextFile(`${dir}/srv.crt`),
      `{"type":"moonwire-certificate","version":1,"name":"srv","publicKey":"${b64}","signature":null}\n`,
    );
    assert.deepEqual(await readCertificateFile(`${dir}/srv.crt`), certificate);
    if (Deno.build.os !== "windows") {
      assert.equal((await Deno.stat(`${dir}/srv.crt`)).mode! & 0o777, 0o644);
    }
  });
});

Deno.test("readCertificateFile() round-trips a signed certificate that still verifies", async () => {
  await withDir(async (dir) => {
    const ca = createCertificateAuthority();
    const signed = signCertificate(
      generateCertificate("ünï").certificate,
      ca.privateKey,
    );
    await writeCertificateFile(`${dir}/x.crt`, signed);
    const read = await readCertificateFile(`${dir}/x.crt`);
    assert.deepEqual(read, signed);
    assert.equal(verifyCertificate(read, ca.publicKey), true);
  });
});

Deno.test("readCertificateFile() names the file in typed errors", async () => {
  await withDir(async (dir) => {
    const key = btoa("k".repeat(32));
    const sig = btoa("s".repeat(64));
    const doc = (fields: Record<string, unknown>) =>
      JSON.stringify({
        type: "moonwire-certificate",
        version: 1,
        name: "srv",
        publicKey: key,
        signature: sig,
        ...fields,
      });
    const cases: [string, string, string][] = [
      ["nope", "SyntaxError", "not valid JSON"],
      ["[]", "SyntaxError", "expected a JSON object"],
      [
        doc({ type: "moonwire-key" }),
        "SyntaxError",
        "not a moonwire certificate file",
      ],
      [doc({ version: "1" }), "SyntaxError", "not a moonwire certificate file"],
      [doc({ name: 5 }), "SyntaxError", "not a moonwire certificate file"],
      [
        doc({ publicKey: null }),
        "SyntaxError",
        "not a moonwire certificate file",
      ],
      [
        doc({ signature: undefined }),
        "SyntaxError",
        "not a moonwire certificate file",
      ],
      [
        doc({ signature: 12 }),
        "SyntaxError",
        "not a moonwire certificate file",
      ],
      [doc({ version: 2 }), "RangeError", "unsupported version 2"],
      [doc({ name: "" }), "RangeError", "name must not be empty"],
      [
        doc({ name: "n".repeat(256) }),
        "RangeError",
        "name must be at most 255 bytes of UTF-8, got 256",
      ],
      [
        doc({ name: "a\uDC00" }),
        "SyntaxError",
        "name is not well-formed Unicode",
      ],
      [
        doc({ publicKey: "%%%%" }),
        "SyntaxError",
        "public key is not valid base64",
      ],
      [
        doc({ publicKey: btoa("k".repeat(31)) }),
        "RangeError",
        "public key must be 32 bytes, got 31",
      ],
      [
        doc({ signature: "abc" }),
        "SyntaxError",
        "signature is not valid base64",
      ],
      [
        doc({ signature: btoa("s".repeat(65)) }),
        "RangeError",
        "signature must be 64 bytes, got 65",
      ],
    ];
    for (const [i, [text, name, detail]] of cases.entries()) {
      const path = `${dir}/bad${i}.crt`;
      await Deno.writeTextFile(path, text);
      await assert.rejects(readCertificateFile(path), {
        name,
        message: `Cannot read certificate file ${path}: ${detail}`,
      }, text);
    }
    await assert.rejects(
      readCertificateFile(`${dir}/none.crt`),
      Deno.errors.NotFound,
    );
  });
});

Deno.test("writeCertificateFile() validates before touching the disk", async () => {
  await withDir(async (dir) => {
    await assert.rejects(
      writeCertificateFile(`${dir}/a.crt`, {
        version: 1,
        name: "a",
        publicKey: new Uint8Array(16) as Uint8Array<ArrayBuffer>,
      }),
      {
        name: "RangeError",
        message:
          `Cannot write certificate file ${dir}/a.crt: public key must be 32 bytes, got 16`,
      },
    );
    assert.deepEqual(Array.from(Deno.readDirSync(dir)), []);
  });
});
