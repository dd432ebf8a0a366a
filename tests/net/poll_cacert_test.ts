// Copyright 2026 the moonwire authors. MIT license.
import assert from "node:assert/strict";
import { getCacertPath, setCacertPath } from "../../net/cacert_path.ts";
import { resolveAddress } from "../../net/address.ts";
import { openTcp } from "../../net/tcp.ts";
import { SYSTEM_BUNDLE_PATHS } from "../../net/_poll_cacert.ts";
import { ignoreReason } from "../_tools.ts";
import { makeTestCertificates } from "../_certs.ts";
import { readExactly } from "./_poll_helpers.ts";
import { tlsEcho } from "./_tls_echo.ts";
import { mulberry32 } from "../_random.ts";

const decoder = new TextDecoder();
const opensslMissing = ignoreReason("openssl");

function exists(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}

// Runs first in this file: nothing has been set yet.
Deno.test("getCacertPath defaults to the system bundle when found", () => {
  const expected = SYSTEM_BUNDLE_PATHS.find(exists) ?? null;
  assert.equal(getCacertPath(), expected);
});

Deno.test({
  name: "openTcp TLS with the default bundle rejects an unknown issuer",
  ignore: opensslMissing !== undefined,
  async fn() {
    using certs = makeTestCertificates();
    using server = tlsEcho(certs);
    await using tcp = openTcp(resolveAddress("127.0.0.1"), server.port, {
      tls: true,
    });
    assert.equal(await tcp.waitUntilConnected(5000), "failure");
    assert.match(tcp.error!.message, /invalid peer certificate: UnknownIssuer/);
    await server.done;
  },
});

Deno.test("setCacertPath reports missing and unparsable files and keeps the old path", () => {
  const before = getCacertPath();
  assert.throws(() => setCacertPath("/no/such/dir/bundle.pem"), {
    name: "NotFound",
    message:
      "Cannot set CA bundle path: /no/such/dir/bundle.pem does not exist",
  });
  const dir = Deno.makeTempDirSync();
  try {
    const garbage = `${dir}/garbage.pem`;
    Deno.writeTextFileSync(garbage, "not a certificate\n");
    assert.throws(() => setCacertPath(garbage), {
      name: "SyntaxError",
      message:
        `Cannot set CA bundle path: ${garbage} contains no PEM certificate`,
    });
    const broken = `${dir}/broken.pem`;
    Deno.writeTextFileSync(
      broken,
      "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
    );
    assert.throws(() => setCacertPath(broken), {
      name: "SyntaxError",
      message:
        `Cannot set CA bundle path: certificate 1 in ${broken} is invalid`,
    });
    assert.throws(() => setCacertPath(dir), (error: Error) => {
      assert.match(
        error.message,
        new RegExp(`^Cannot set CA bundle path: ${dir}: `),
      );
      return true;
    });
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
  assert.throws(() => setCacertPath(7 as unknown as string), {
    name: "TypeError",
    message: "Cannot set CA bundle path: path must be a string, got number",
  });
  assert.equal(getCacertPath(), before);
});

Deno.test("setCacertPath on random files throws only SyntaxError (seeded)", () => {
  const random = mulberry32(0x5eed);
  const dir = Deno.makeTempDirSync();
  const before = getCacertPath();
  const alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=\n";
  try {
    const path = `${dir}/random.pem`;
    for (let i = 0; i < 1000; i++) {
      let body = "";
      const length = Math.floor(random() * 600);
      for (let j = 0; j < length; j++) {
        body += alphabet[Math.floor(random() * alphabet.length)];
      }
      const kind = i % 3;
      const text = kind === 0
        ? body
        : kind === 1
        ? `-----BEGIN CERTIFICATE-----\n${body}\n-----END CERTIFICATE-----\n`
        : `junk\n-----BEGIN CERTIFICATE-----${body}-----END CERTIFICATE-----`;
      if (kind === 0 && i % 2 === 0) {
        const bytes = new Uint8Array(length);
        for (let j = 0; j < length; j++) bytes[j] = random() * 256;
        Deno.writeFileSync(path, bytes);
      } else Deno.writeTextFileSync(path, text);
      assert.throws(() => setCacertPath(path), (error: Error) => {
        assert.equal(error.name, "SyntaxError", error.message);
        return true;
      });
    }
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
  assert.equal(getCacertPath(), before);
});

Deno.test({
  name: "openTcp TLS verifies against the CA bundle and exchanges data",
  ignore: opensslMissing !== undefined,
  async fn() {
    using certs = makeTestCertificates();
    setCacertPath(certs.caCertPath);
    assert.equal(getCacertPath(), certs.caCertPath);
    for (const name of ["127.0.0.1", "localhost"]) {
      using server = tlsEcho(certs);
      const address = resolveAddress(name);
      assert.equal(await address.waitUntilResolved(-1), "success");
      const tcp = openTcp(address, server.port, { tls: true });
      assert.equal(
        await tcp.waitUntilConnected(5000),
        "success",
        String(tcp.error),
      );
      assert.equal(tcp.write("over tls"), 8);
      assert.equal(decoder.decode(await readExactly(tcp, 8)), "over tls");
      await tcp[Symbol.asyncDispose]();
      await server.done;
    }
  },
});

Deno.test({
  name: "openTcp TLS fails closed with a wrong CA bundle",
  ignore: opensslMissing !== undefined,
  async fn() {
    using certs = makeTestCertificates();
    setCacertPath(certs.otherCaCertPath);
    using server = tlsEcho(certs);
    await using tcp = openTcp(resolveAddress("127.0.0.1"), server.port, {
      tls: true,
    });
    assert.equal(await tcp.waitUntilConnected(5000), "failure");
    assert.equal(tcp.error?.name, "InvalidData");
    assert.match(tcp.error!.message, /invalid peer certificate: UnknownIssuer/);
    assert.equal(tcp.read(1), null);
    await server.done;
  },
});

Deno.test({
  name: "openTcp TLS checks the server name",
  ignore: opensslMissing !== undefined,
  async fn() {
    using certs = makeTestCertificates();
    setCacertPath(certs.caCertPath);
    using server = tlsEcho(certs);
    await using tcp = openTcp(resolveAddress("127.0.0.1"), server.port, {
      tls: { serverName: "wrong.example" },
    });
    assert.equal(await tcp.waitUntilConnected(5000), "failure");
    assert.match(tcp.error!.message, /invalid peer certificate/);
    await server.done;
  },
});

Deno.test({
  name: "openTcp TLS skips verification only when asked explicitly",
  ignore: opensslMissing !== undefined,
  async fn() {
    using certs = makeTestCertificates();
    setCacertPath(certs.otherCaCertPath);
    using server = tlsEcho(certs);
    const tcp = openTcp(resolveAddress("127.0.0.1"), server.port, {
      tls: { unsafelyDisableVerification: true },
    });
    assert.equal(
      await tcp.waitUntilConnected(5000),
      "success",
      String(tcp.error),
    );
    assert.equal(tcp.write("trust me"), 8);
    assert.equal(decoder.decode(await readExactly(tcp, 8)), "trust me");
    await tcp[Symbol.asyncDispose]();
    await server.done;
  },
});

Deno.test({
  name:
    "openTcp(address, port, true), the seed's ssl flag, speaks verified TLS",
  ignore: opensslMissing !== undefined,
  async fn() {
    using certs = makeTestCertificates();
    setCacertPath(certs.caCertPath);
    using server = tlsEcho(certs);
    const tcp = openTcp(resolveAddress("127.0.0.1"), server.port, true);
    assert.equal(
      await tcp.waitUntilConnected(5000),
      "success",
      String(tcp.error),
    );
    // In plain text the TLS server would drop the connection: no echo.
    assert.equal(tcp.write("seed ssl"), 8);
    assert.equal(decoder.decode(await readExactly(tcp, 8)), "seed ssl");
    await tcp[Symbol.asyncDispose]();
    await server.done;
  },
});

Deno.test({
  name: "openTcp(address, port, true) fails closed on an unknown issuer",
  ignore: opensslMissing !== undefined,
  async fn() {
    using certs = makeTestCertificates();
    setCacertPath(certs.otherCaCertPath);
    using server = tlsEcho(certs);
    await using tcp = openTcp(resolveAddress("127.0.0.1"), server.port, true);
    assert.equal(await tcp.waitUntilConnected(5000), "failure");
    assert.equal(tcp.error?.name, "InvalidData");
    assert.match(
      tcp.error!.message,
      new RegExp(
        `^Cannot connect to 127\\.0\\.0\\.1:${server.port}: .*invalid peer certificate: UnknownIssuer`,
      ),
    );
    assert.equal(tcp.read(1), null);
    await server.done;
  },
});

Deno.test("openTcp(address, port, false) is plain TCP; other non-objects are a TypeError", async () => {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const accepted = listener.accept();
  await using tcp = openTcp(
    resolveAddress("127.0.0.1"),
    listener.addr.port,
    false,
  );
  assert.equal(await tcp.waitUntilConnected(5000), "success");
  assert.equal(tcp.write("plain"), 5);
  using conn = await accepted;
  const buffer = new Uint8Array(5);
  assert.equal(await conn.read(buffer), 5);
  assert.equal(decoder.decode(buffer), "plain");
  for (
    const [value, type] of [["yes", "string"], [1, "number"], [null, "null"]]
  ) {
    assert.throws(
      () =>
        openTcp(
          resolveAddress("127.0.0.1"),
          listener.addr.port,
          value as never,
        ),
      {
        name: "TypeError",
        message:
          `Cannot open TCP connection: options must be an object or the ssl flag (a boolean), got ${type}`,
      },
    );
  }
});
