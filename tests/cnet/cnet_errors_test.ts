// Copyright 2026 the moonwire authors. MIT license.
// Error messages of the cnet entry points that touch files and connections:
// house style (`Cannot <action> <target>: <reason>`), the right class, and
// `cause` set when wrapping.
import assert from "node:assert/strict";
import { join } from "node:path";
import { CNetNode, CryptoNet, CttpRequest } from "../../cnet/mod.ts";
import { world } from "./_cnet_world.ts";
import { createWorld } from "./_cryptonet_fixtures.ts";

Deno.test("cnet errors: initCertificateAuthority into a missing folder names the folder, not a temp file", async () => {
  const directory = await Deno.makeTempDir({ prefix: "cnet_errors_" });
  try {
    await using node = new CryptoNet.CryptoNetNode({ directory });
    const folder = join(directory, "missing");
    const error = await node.initCertificateAuthority({
      privateKeyPath: join(folder, "certAuth_private.key"),
      publicKeyPath: join(folder, "certAuth.key"),
    }).then(() => undefined, (error) => error);
    assert.ok(error instanceof Deno.errors.NotFound);
    assert.equal(
      error.message,
      `Cannot create certificate authority in ${folder}: folder not found`,
    );
    assert.ok(error.cause instanceof Deno.errors.NotFound);
    assert.deepEqual([...Deno.readDirSync(directory)], []);
  } finally {
    await Deno.remove(directory, { recursive: true });
  }
});

Deno.test("cnet errors: connect with a CA key file that does not exist names the server and the file, at once", async () => {
  await using w = await createWorld();
  const node = await w.node("client");
  const path = join(node.directory, "nope.key");
  const started = Date.now();
  const error = await node.connect("bank", {
    certAuthKey: "nope.key",
    timeout: 5,
  }).then(() => undefined, (error) => error);
  assert.ok(error instanceof Deno.errors.NotFound);
  assert.equal(
    error.message,
    `Cannot connect to "bank": certificate authority key ${path} not found`,
  );
  assert.ok(error.cause instanceof Deno.errors.NotFound);
  // Not after the 5 s connect timeout.
  assert.ok(Date.now() - started < 2500, `${Date.now() - started} ms`);
  await assert.rejects(
    node.requestCertificate("bank", { certAuthKey: "nope.key" }),
    {
      name: "NotFound",
      message:
        `Cannot request certificate for "bank": certificate authority key ${path} not found`,
    },
  );
});

Deno.test("cnet errors: connectCtcp rejects with the reason — no SYN-ACK, refused, node closed", async () => {
  await using w = await world({}, { ctcp: { maxConnections: 1 } });
  // A CryptoNet server that is not a cNet node never answers the SYN.
  const plain = new CryptoNet.CryptoNetNode({
    directory: w.directory,
    modems: { top: w.network.createModem() },
  });
  try {
    await plain.host("mute");
    await assert.rejects(w.client.connectCtcp("mute", { timeout: 0.5 }), {
      name: "TimeoutError",
      message: 'Cannot connect CTCP to "mute": no SYN-ACK within 0.5 s',
    });
  } finally {
    await plain.close();
  }
  await w.server.host("full");
  const first = await w.client.connectCtcp("full");
  await assert.rejects(w.client.connectCtcp("full"), {
    name: "ConnectionClosedError",
    message:
      'Cannot connect CTCP to "full": the server refused the connection (reset)',
  });
  const refused = await w.client.connectAndSendCttpRequest(
    "full",
    new CttpRequest("GET", "/"),
  );
  assert.equal(refused.connected, false);
  assert.equal(
    refused.error?.message,
    'Cannot connect CTCP to "full": the server refused the connection (reset)',
  );
  assert.equal(await w.client.disconnectCtcp(first), true);
  // Every failed attempt closed its CryptoNet session.
  assert.equal(w.client.cryptoNet.sockets.length, 0);
  const closed = new CNetNode({ directory: w.directory });
  await closed.close();
  await assert.rejects(closed.connectCtcp("full"), {
    name: "ConnectionClosedError",
    message: 'Cannot connect CTCP to "full": node is closed',
  });
});
