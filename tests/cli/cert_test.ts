// Copyright 2026 the moonwire authors. MIT license.
// ca init, cert new/sign/show and key show, as a user runs them: files in
// --dir, fingerprints that match across files, signatures checked against
// the right and the wrong CA.
import assert from "node:assert/strict";
import {
  readCertificateFile,
  readKeyFile,
  verifyCertificate,
} from "../../crypto/mod.ts";
import { runCli } from "./_run_cli.ts";

async function json(args: string[]): Promise<Record<string, unknown>> {
  const result = await runCli([...args, "--json"]);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stderr, "");
  return JSON.parse(result.stdout);
}

Deno.test("cli: ca init, cert new --sign, cert show, key show", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const ca = await json(["ca", "init", "--dir", `${dir}/ca`]);
    assert.deepEqual(Object.keys(ca), [
      "publicKeyPath",
      "privateKeyPath",
      "fingerprint",
    ]);
    assert.equal(ca.publicKeyPath, `${dir}/ca/certAuth.key`);
    assert.equal(ca.privateKeyPath, `${dir}/ca/certAuth_private.key`);
    assert.equal(
      (await Deno.stat(`${dir}/ca/certAuth_private.key`)).mode! & 0o777,
      0o600,
    );
    const caKey = await readKeyFile(`${dir}/ca/certAuth.key`, {
      algorithm: "ed25519",
      private: false,
    });
    const caPrint = `SHA256:${
      new Uint8Array(await crypto.subtle.digest("SHA-256", caKey)).toHex()
    }`;
    assert.equal(ca.fingerprint, caPrint);

    // A second init refuses to replace the keys.
    const again = await runCli(["ca", "init", "--dir", `${dir}/ca`]);
    assert.equal(again.code, 1);
    assert.equal(
      again.stderr,
      `moonwire ca init: Cannot initialise certificate authority: ${dir}/ca/certAuth.key already exists\n`,
    );

    const made = await json([
      "cert",
      "new",
      "shop",
      "--sign",
      "--ca",
      `${dir}/ca`,
      "--dir",
      `${dir}/srv`,
    ]);
    assert.equal(made.name, "shop");
    assert.equal(made.signed, true);
    assert.equal(made.certificatePath, `${dir}/srv/shop.crt`);
    assert.equal(made.privateKeyPath, `${dir}/srv/shop_private.key`);
    const certificate = await readCertificateFile(`${dir}/srv/shop.crt`);
    assert.equal(verifyCertificate(certificate, caKey), true);

    assert.deepEqual(
      await json([
        "cert",
        "show",
        `${dir}/srv/shop.crt`,
        "--ca-key",
        `${dir}/ca/certAuth.key`,
      ]),
      {
        name: "shop",
        fingerprint: made.fingerprint,
        signed: true,
        valid: true,
        caKey: `${dir}/ca/certAuth.key`,
      },
    );
    // The private key shows the same fingerprint as its certificate.
    assert.deepEqual(
      await json(["key", "show", `${dir}/srv/shop_private.key`]),
      {
        path: `${dir}/srv/shop_private.key`,
        algorithm: "x25519",
        use: "private",
        fingerprint: made.fingerprint,
      },
    );
    assert.deepEqual(
      await json(["key", "show", `${dir}/ca/certAuth_private.key`]),
      {
        path: `${dir}/ca/certAuth_private.key`,
        algorithm: "ed25519",
        use: "private",
        fingerprint: caPrint,
      },
    );
    // The secret is never printed.
    const privateKey = await readKeyFile(`${dir}/srv/shop_private.key`, {
      algorithm: "x25519",
      private: true,
    });
    const shown = await runCli(["key", "show", `${dir}/srv/shop_private.key`]);
    assert.equal(
      shown.stdout,
      `file        ${dir}/srv/shop_private.key\nalgorithm   x25519\nuse         private\nfingerprint ${made.fingerprint}\n`,
    );
    assert.ok(!shown.stdout.includes(privateKey.toBase64()));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cli: cert sign, unsigned and foreign-CA certificates in cert show", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await json(["ca", "init", "--dir", dir]);
    await json(["ca", "init", "--dir", `${dir}/other`]);
    const made = await json(["cert", "new", "mail", "--dir", dir]);
    assert.equal(made.signed, false);
    const unsigned = await runCli(["cert", "show", `${dir}/mail.crt`]);
    assert.equal(unsigned.code, 0);
    assert.equal(
      unsigned.stdout,
      `name        mail\nfingerprint ${made.fingerprint}\nsigned      no\nvalid       no against ${dir}/certAuth.key\n`,
    );

    // Existing files are kept unless --force.
    const clash = await runCli(["cert", "new", "mail", "--dir", dir]);
    assert.equal(clash.code, 1);
    assert.equal(
      clash.stderr,
      `moonwire cert new: Cannot create certificate: ${dir}/mail.crt already exists (--force replaces it)\n`,
    );

    assert.deepEqual(
      await json(["cert", "sign", `${dir}/mail.crt`, "--ca", `${dir}/other`]),
      {
        name: "mail",
        certificatePath: `${dir}/mail.crt`,
        signed: true,
      },
    );
    // Signed by the other CA: not valid against certAuth.key beside it.
    assert.deepEqual(await json(["cert", "show", `${dir}/mail.crt`]), {
      name: "mail",
      fingerprint: made.fingerprint,
      signed: true,
      valid: false,
      caKey: `${dir}/certAuth.key`,
    });
    assert.equal(
      (await json([
        "cert",
        "show",
        `${dir}/mail.crt`,
        "--ca-key",
        `${dir}/other/certAuth.key`,
      ])).valid,
      true,
    );
    // No CA key anywhere: validity is unknown.
    await Deno.mkdir(`${dir}/alone`);
    await Deno.copyFile(`${dir}/mail.crt`, `${dir}/alone/mail.crt`);
    assert.equal(
      (await json(["cert", "show", `${dir}/alone/mail.crt`])).valid,
      null,
    );

    const missing = await runCli([
      "cert",
      "sign",
      `${dir}/nope.crt`,
      "--ca",
      dir,
    ]);
    assert.equal(missing.code, 1);
    assert.equal(
      missing.stderr,
      `moonwire cert sign: Cannot sign certificate: certificate ${dir}/nope.crt not found\n`,
    );
    const noCa = await runCli([
      "cert",
      "sign",
      `${dir}/mail.crt`,
      "--ca",
      `${dir}/alone`,
    ]);
    assert.equal(noCa.code, 1);
    assert.equal(
      noCa.stderr,
      `moonwire cert sign: Cannot sign certificate: CA private key ${dir}/alone/certAuth_private.key not found (ca init makes one; --ca DIR names its folder)\n`,
    );
    const noFile = await runCli(["key", "show", `${dir}/nope.key`]);
    assert.equal(noFile.code, 1);
    assert.equal(
      noFile.stderr,
      `moonwire key show: Cannot show key: file ${dir}/nope.key not found\n`,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
