// Copyright 2026 the moonwire authors. MIT license.
// connectCtcp, connectAndSendCttpRequest and register pass certAuthKey and
// allowUnsigned to the CryptoNet connect, so a CTCP client can trust a CA
// other than the certAuth.key in its own directory.
import assert from "node:assert/strict";
import {
  CNetNode,
  CttpRequest,
  MemoryNetwork,
  RegisterResult,
} from "../../cnet/mod.ts";
import { FAST_CTCP } from "./_cnet_world.ts";

/** A server and a client node on one network, each in its own directory. */
async function split() {
  const network = new MemoryNetwork();
  const serverDir = await Deno.makeTempDir({ prefix: "ctcp_trust_server_" });
  const clientDir = await Deno.makeTempDir({ prefix: "ctcp_trust_client_" });
  const make = (directory: string) =>
    new CNetNode({
      directory,
      modems: { top: network.createModem() },
      retransmitInterval: 0.02,
      ctcp: FAST_CTCP,
    });
  const server = make(serverDir);
  const client = make(clientDir);
  // "shop" is signed by the server's CA; "plain" is not signed at all.
  const ca = await server.initCertificateAuthority();
  {
    // Hosting once generates shop.crt and its key, to be signed.
    await using first = make(serverDir);
    await first.host("shop");
  }
  await server.signCertificate("shop.crt");
  await server.host("shop");
  await server.host("plain");
  server.setRestApi("GET", "/who", () => "me");
  // The client's own certAuth.key is another CA's.
  await client.initCertificateAuthority();
  return {
    server,
    client,
    ca,
    serverDir,
    clientDir,
    async [Symbol.asyncDispose]() {
      await client.close();
      await server.close();
      network.close();
      await Deno.remove(serverDir, { recursive: true });
      await Deno.remove(clientDir, { recursive: true });
    },
  };
}

const NOT_SIGNED = "the certificate is not signed by the certificate authority";

Deno.test("cNet connectCtcp: certAuthKey trusts another CA than the directory's certAuth.key", async () => {
  await using w = await split();
  await assert.rejects(w.client.connectCtcp("shop", { timeout: 1 }), {
    name: "HandshakeError",
    message: `Cannot connect to "shop": ${NOT_SIGNED}`,
  });
  const connection = await w.client.connectCtcp("shop", {
    certAuthKey: w.ca.publicKey,
  });
  assert.equal(connection.socket.certificateVerified, true);
  assert.equal(await w.client.disconnectCtcp(connection), true);
  // A file, relative to the client's directory.
  await Deno.copyFile(
    `${w.serverDir}/certAuth.key`,
    `${w.clientDir}/shop_ca.key`,
  );
  const fromFile = await w.client.connectCtcp("shop", {
    certAuthKey: "shop_ca.key",
  });
  assert.equal(fromFile.socket.certificateVerified, true);
  assert.equal(await w.client.disconnectCtcp(fromFile), true);
});

Deno.test("cNet connectCtcp: allowUnsigned accepts an unsigned server, visibly unverified", async () => {
  await using w = await split();
  await assert.rejects(w.client.connectCtcp("plain", { timeout: 1 }), {
    name: "HandshakeError",
    message: `Cannot connect to "plain": ${NOT_SIGNED}`,
  });
  const connection = await w.client.connectCtcp("plain", {
    allowUnsigned: true,
  });
  assert.equal(connection.socket.certificateVerified, false);
  assert.equal(await w.client.disconnectCtcp(connection), true);
});

Deno.test("cNet connectAndSendCttpRequest and register pass certAuthKey and allowUnsigned on", async () => {
  await using w = await split();
  const request = new CttpRequest("GET", "/who");
  const refused = await w.client.connectAndSendCttpRequest("shop", request, {
    timeout: 1,
  });
  assert.equal(refused.connected, false);
  assert.equal(
    refused.error?.message,
    `Cannot connect to "shop": ${NOT_SIGNED}`,
  );
  const result = await w.client.connectAndSendCttpRequest("shop", request, {
    certAuthKey: w.ca.publicKey,
  });
  assert.equal(result.connected, true);
  assert.equal(result.response?.data, "me");
  assert.equal(result.disconnectAcknowledged, true);
  assert.equal(
    await w.client.register("shop", "ann", "secret", { timeout: 1 }),
    RegisterResult.CONNECT_FAILED,
  );
  assert.equal(
    await w.client.register("shop", "ann", "secret", {
      certAuthKey: w.ca.publicKey,
    }),
    RegisterResult.SUCCESS,
  );
  assert.equal(
    await w.client.register("plain", "bob", "secret", { allowUnsigned: true }),
    RegisterResult.SUCCESS,
  );
});
