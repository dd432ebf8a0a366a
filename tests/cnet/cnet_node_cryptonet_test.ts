// Copyright 2026 the moonwire authors. MIT license.
// CNetNode carries seed 000's CryptoNet calls itself; each goes to the same
// CryptoNet node as `node.cryptoNet`, not to a second implementation.
import assert from "node:assert/strict";
import { verifyCertificate } from "../../crypto/mod.ts";
import { CNetNode, CNetNodeBase } from "../../cnet/mod.ts";
import { world } from "./_cnet_world.ts";

Deno.test("cNet node: user management on the node is the CryptoNet node's user table", async () => {
  await using w = await world();
  const server = await w.server.host("users");
  assert.ok(w.server instanceof CNetNodeBase);
  await w.server.addUser(server, "ann", "ann's password", 2);
  assert.equal(w.server.cryptoNet.userExists(server, "ann"), true);
  assert.equal(w.server.userExists(server, "ann"), true);
  assert.equal(w.server.getPermissionLevel(server, "ann"), 2);
  await w.server.setPermissionLevel(server, "ann", 4);
  assert.equal(w.server.cryptoNet.getPermissionLevel(server, "ann"), 4);
  await w.server.setPassword(server, "ann", "new password");
  assert.equal(
    await w.server.cryptoNet.checkPassword(server, "ann", "new password"),
    true,
  );
  assert.equal(
    await w.server.checkPassword(server, "ann", "ann's password"),
    false,
  );
  await w.server.cryptoNet.addUser(server, "bo", "bo's password");
  assert.equal(w.server.userExists(server, "bo"), true);
  assert.equal(await w.server.deleteUser(server, "bo"), true);
  assert.equal(w.server.cryptoNet.userExists(server, "bo"), false);
  assert.equal(await w.server.deleteUser(server, "bo"), false);
  assert.equal(w.server.getPermissionLevel(server, "bo"), undefined);
  // The table file is the CryptoNet node's, in the shared directory.
  const table = JSON.parse(
    await Deno.readTextFile(`${w.directory}/users_users.tbl`),
  );
  assert.deepEqual(Object.keys(table.users), ["ann"]);
});

Deno.test("cNet node: discover, requestCertificate, connect, send, sendUnencrypted, login, logout", async () => {
  await using w = await world();
  const server = await w.server.host("bank");
  await w.server.addUser(server, "ann", "ann's password", 3);
  const found = await w.client.discover({ timeout: 0.2 });
  assert.deepEqual(found.map((entry) => entry.name), ["bank"]);
  assert.deepEqual(found[0].certificate, server.certificate);
  const answer = await w.client.requestCertificate("bank", { timeout: 0.2 });
  assert.deepEqual(answer, {
    certificate: server.certificate,
    verified: false,
  });

  const encrypted = Promise.withResolvers<unknown>();
  const plain = Promise.withResolvers<unknown>();
  w.server.setMessageHandler(
    "encrypted_message",
    (e) => encrypted.resolve(e.message),
  );
  w.server.setMessageHandler("plain_message", (e) => plain.resolve(e.message));
  const socket = await w.client.connect("bank", { certTimeout: 0.2 });
  assert.deepEqual(w.client.cryptoNet.sockets, [socket]);
  await w.client.send(socket, { n: 1 });
  assert.deepEqual(await encrypted.promise, { n: 1 });
  await w.client.sendUnencrypted(socket, "clear");
  assert.equal(await plain.promise, "clear");

  assert.equal(await w.client.login(socket, "ann", "wrong"), false);
  await new Promise((resolve) => setTimeout(resolve, 600));
  assert.equal(await w.client.login(socket, "ann", "ann's password"), true);
  assert.equal(socket.username, "ann");
  assert.equal(socket.permissionLevel, 3);
  assert.equal(await w.client.logout(socket), true);
  assert.equal(socket.username, undefined);
  assert.equal(await w.client.logout(socket), false);
  await socket.close();
});

Deno.test("cNet node: a CA made on the node signs, verifies and is loaded from its directory", async () => {
  await using w = await world();
  const ca = await w.server.initCertificateAuthority();
  assert.deepEqual(
    await w.server.cryptoNet.loadCertAuthKey(),
    ca.publicKey,
  );
  assert.deepEqual(
    await w.server.loadCertAuthKey("certAuth.key"),
    ca.publicKey,
  );
  const server = await w.server.host("signed");
  await w.server.cryptoNet.close(server);
  const signed = await w.server.signCertificate("signed.crt");
  assert.equal(verifyCertificate(signed, ca.publicKey), true);
  // Written back: the server hosted again presents the signed certificate,
  // and a client with the CA key (same directory) accepts it as verified.
  await w.server.host("signed");
  const answer = await w.client.requestCertificate("signed", { timeout: 0.2 });
  assert.deepEqual(answer, { certificate: signed, verified: true });
  assert.equal(w.client.directory, w.directory);
});

Deno.test("cNet node: the CryptoNet calls are on CNetNode itself", () => {
  for (
    const name of [
      "connect",
      "send",
      "sendUnencrypted",
      "discover",
      "requestCertificate",
      "initCertificateAuthority",
      "signCertificate",
      "loadCertAuthKey",
      "addUser",
      "deleteUser",
      "userExists",
      "setPassword",
      "setPermissionLevel",
      "getPermissionLevel",
      "checkPassword",
      "login",
      "logout",
    ]
  ) {
    assert.equal(
      typeof (CNetNode.prototype as unknown as Record<string, unknown>)[name],
      "function",
      name,
    );
  }
});
