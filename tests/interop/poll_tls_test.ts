// Copyright 2026 the moonwire authors. MIT license.
// The polling API's TLS against `openssl s_server -rev` (answers each line
// reversed) with a throw-away CA and a leaf for localhost/127.0.0.1.
import assert from "node:assert/strict";
import { resolveAddress } from "../../net/address.ts";
import { setCacertPath } from "../../net/cacert_path.ts";
import { openTcp } from "../../net/tcp.ts";
import { ignoreReason } from "../_tools.ts";
import { makeTestCertificates } from "../_certs.ts";
import { readExactly } from "../net/_poll_helpers.ts";
import { startTlsServer } from "./_peer.ts";

const ignore = ignoreReason("openssl");
const decoder = new TextDecoder();

Deno.test({
  name: "interop: openTcp TLS with setCacertPath talks to openssl s_server",
  ignore: ignore !== undefined,
  async fn() {
    using certs = makeTestCertificates();
    setCacertPath(certs.caCertPath);
    for (const host of ["localhost", "127.0.0.1"]) {
      await using server = await startTlsServer(certs);
      const address = resolveAddress(host);
      assert.equal(await address.waitUntilResolved(5000), "success");
      await using tcp = openTcp(address, server.port, { tls: true });
      assert.equal(
        await tcp.waitUntilConnected(5000),
        "success",
        String(tcp.error),
      );
      const line = "hello from moonwire\n";
      assert.equal(tcp.write(line), line.length);
      assert.equal(await tcp.waitUntilDrained(5000), 0);
      const reply = await readExactly(tcp, line.length);
      assert.equal(decoder.decode(reply), "eriwnoom morf olleh\n");
    }
  },
});

Deno.test({
  name: "interop: openTcp TLS with the wrong CA fails with a certificate error",
  ignore: ignore !== undefined,
  async fn() {
    using certs = makeTestCertificates();
    setCacertPath(certs.otherCaCertPath);
    await using server = await startTlsServer(certs);
    await using tcp = openTcp(resolveAddress("127.0.0.1"), server.port, {
      tls: true,
    });
    assert.equal(await tcp.waitUntilConnected(5000), "failure");
    assert.equal(tcp.getStatus(), "failure");
    assert.equal(tcp.error?.name, "InvalidData");
    assert.match(
      tcp.error!.message,
      /invalid peer certificate: UnknownIssuer/,
    );
    assert.equal(tcp.read(1), null);
  },
});

Deno.test({
  name: "interop: openTcp TLS without verification only when asked",
  ignore: ignore !== undefined,
  async fn() {
    using certs = makeTestCertificates();
    setCacertPath(certs.otherCaCertPath);
    await using server = await startTlsServer(certs);
    await using tcp = openTcp(resolveAddress("127.0.0.1"), server.port, {
      tls: { unsafelyDisableVerification: true },
    });
    assert.equal(
      await tcp.waitUntilConnected(5000),
      "success",
      String(tcp.error),
    );
    assert.equal(tcp.write("abc\n"), 4);
    assert.equal(decoder.decode(await readExactly(tcp, 4)), "cba\n");
  },
});
