// Copyright 2026 the moonwire authors. MIT license.
import assert from "node:assert/strict";
import {
  encodeCertificate,
  generateCertificate,
  keyPairFromPrivateKey,
  NoiseHandshake,
  readCertificateFile,
} from "../../crypto/mod.ts";
import { CryptoNet, MemoryNetwork } from "../../cnet/mod.ts";
import { createWorld } from "./_cryptonet_fixtures.ts";

Deno.test("CryptoNet files: host generates certificate and 0600 private key", async () => {
  await using world = await createWorld();
  const node = await world.node("server");
  const server = await node.host("files");
  const dir = node.directory;
  const certificate = await readCertificateFile(`${dir}/files.crt`);
  assert.deepEqual(certificate, server.certificate);
  assert.equal(certificate.name, "files");
  assert.equal(certificate.signature, undefined);
  const key = await Deno.stat(`${dir}/files_private.key`);
  assert.equal(key.mode! & 0o777, 0o600);
  assert.equal(server.userTablePath, `${dir}/files_users.tbl`);
  // Hosting again reuses the same identity.
  await node.close(server);
  const again = await node.host("files");
  assert.deepEqual(again.certificate, certificate);
});

Deno.test("CryptoNet files: only one of certificate and key present is an error", async () => {
  await using world = await createWorld();
  const node = await world.node("server");
  const dir = node.directory;
  await node.close(await node.host("half"));
  await Deno.remove(`${dir}/half_private.key`);
  await assert.rejects(node.host("half"), {
    name: "Error",
    message:
      `Cannot host "half": found ${dir}/half.crt but not ${dir}/half_private.key; provide both or neither`,
  });
  await node.close(await node.host("other"));
  await Deno.remove(`${dir}/other.crt`);
  await assert.rejects(node.host("other"), {
    name: "Error",
    message:
      `Cannot host "other": found ${dir}/other_private.key but not ${dir}/other.crt; provide both or neither`,
  });
  // A key that does not belong to the certificate.
  await node.close(await node.host("mixed"));
  await node.close(await node.host("donor"));
  await Deno.copyFile(`${dir}/donor_private.key`, `${dir}/mixed_private.key`);
  await assert.rejects(node.host("mixed"), {
    name: "Error",
    message:
      'Cannot host "mixed": the private key does not match the certificate',
  });
  await assert.rejects(node.host("mixed", { certificate: "donor.crt" }), {
    name: "Error",
    message: 'Cannot host "mixed": the certificate is for "donor"',
  });
});

Deno.test("CryptoNet files: certificate and key given as values", async () => {
  await using world = await createWorld();
  const node = await world.node("server");
  const client = await world.node("client");
  const made = generateCertificate("inline");
  const server = await node.host("inline", {
    certificate: made.certificate,
    privateKey: made.privateKey,
  });
  assert.deepEqual(server.certificate, made.certificate);
  const socket = await client.connect(undefined, {
    certificate: made.certificate,
  });
  assert.equal(socket.serverName, "inline");
  const entries = [];
  for await (const entry of Deno.readDir(node.directory)) entries.push(entry);
  assert.deepEqual(entries, []);
});

Deno.test("CryptoNet files: user table holds scrypt hashes, 0600, reloaded", async () => {
  await using world = await createWorld();
  const node = await world.node("server");
  const server = await node.host("users");
  await node.addUser(server, "ann", "ann's secret", 4);
  await node.addUser(server, "bob", "bob's secret");
  await assert.rejects(node.addUser(server, "ann", "again"), {
    name: "Error",
    message: 'Cannot add user: "ann" already exists on "users"',
  });
  await assert.rejects(node.setPassword(server, "cy", "password"), {
    name: "Error",
    message: 'Cannot set password: no user "cy" on "users"',
  });
  await assert.rejects(node.addUser(server, "dee", "pw", -1), {
    name: "RangeError",
    message:
      "Cannot add user: permission level -1 is not an integer in 0-2147483647",
  });
  const text = await Deno.readTextFile(server.userTablePath);
  assert.equal(text.includes("secret"), false);
  const table = JSON.parse(text);
  assert.equal(table.version, 1);
  assert.match(table.users.ann.hash, /^\$scrypt\$ln=15,r=8,p=1\$/);
  assert.equal(table.users.ann.permissionLevel, 4);
  assert.equal(table.users.bob.permissionLevel, 1);
  assert.equal((await Deno.stat(server.userTablePath)).mode! & 0o777, 0o600);
  assert.equal(await node.deleteUser(server, "bob"), true);
  assert.equal(await node.deleteUser(server, "bob"), false);
  await node.close(server);
  const reloaded = await node.host("users");
  assert.equal(node.userExists(reloaded, "ann"), true);
  assert.equal(node.userExists(reloaded, "bob"), false);
  assert.equal(node.getPermissionLevel(reloaded, "ann"), 4);
  assert.equal(await node.checkPassword(reloaded, "ann", "ann's secret"), true);
  await Deno.writeTextFile(reloaded.userTablePath, "[1,2");
  await node.close(reloaded);
  await assert.rejects(node.host("users"), {
    name: "SyntaxError",
    message: `Cannot load user table ${reloaded.userTablePath}: not valid JSON`,
  });
});

Deno.test("CryptoNet files: certificate authority helpers", async () => {
  await using world = await createWorld();
  const node = await world.node("ca");
  const ca = await node.initCertificateAuthority();
  const dir = node.directory;
  assert.equal(
    (await Deno.stat(`${dir}/certAuth_private.key`)).mode! & 0o777,
    0o600,
  );
  assert.deepEqual(await node.loadCertAuthKey(), ca.publicKey);
  await assert.rejects(node.initCertificateAuthority(), {
    name: "Error",
    message:
      `Cannot initialise certificate authority: ${dir}/certAuth.key already exists`,
  });
  await node.initCertificateAuthority({ overwrite: true });
  await assert.rejects(node.loadCertAuthKey("missing.key"), {
    name: "NotFound",
    message:
      `Cannot load certificate authority key ${dir}/missing.key: file not found`,
  });
  const client = await world.node("client");
  await assert.rejects(
    client.connect("x", { certAuthKey: "missing.key", timeout: 0.1 }),
    { name: "NotFound" },
  );
});

Deno.test("CryptoNet files: modem side selection and limits", async () => {
  using network = new MemoryNetwork();
  const directory = await Deno.makeTempDir();
  await using empty = new CryptoNet.CryptoNetNode({ directory });
  await assert.rejects(empty.host("x"), {
    name: "Error",
    message: 'Cannot host "x": no modem attached',
  });
  await assert.rejects(empty.connect("x"), {
    name: "Error",
    message: 'Cannot connect to "x": no modem attached',
  });
  const back = network.createModem();
  const left = network.createModem();
  await using node = new CryptoNet.CryptoNetNode({
    directory,
    modems: { left, back },
  });
  assert.deepEqual(node.sides, ["back", "left"]);
  assert.equal(node.getModem(), back);
  await assert.rejects(node.host("x", { modemSide: "top" }), {
    name: "Error",
    message: 'Cannot host "x": no modem on side "top"',
  });
  await assert.rejects(
    node.host("x", {
      modemSide: "up" as never,
    }),
    { name: "TypeError", message: 'Cannot host "x": "up" is not a modem side' },
  );
  const server = await node.host("x", { modemSide: "left" });
  assert.equal(server.side, "left");
  assert.equal(left.isOpen(server.channel), true);
  assert.throws(() => node.detach("left"), {
    name: "Error",
    message:
      'Cannot detach modem: side "left" is in use by 1 servers or sockets',
  });
  assert.throws(() => node.attach("left", network.createModem()), {
    name: "Error",
    message: 'Cannot attach modem: side "left" already has one',
  });
  using small = new MemoryNetwork({ maxPayloadSize: 300 });
  node.attach("top", small.createModem());
  await assert.rejects(node.host("y", { modemSide: "top" }), {
    name: "RangeError",
    message:
      'Cannot host "y": modem payload limit 300 is below the 512 bytes CryptoNet needs',
  });
  await node.close(server);
  assert.equal(left.isOpen(server.channel), false);
  await Deno.remove(directory, { recursive: true });
});

Deno.test("CryptoNet: a learned certificate must name the server and match its key", async () => {
  await using world = await createWorld();
  const clientNode = await world.node("client");
  // A hand-made responder answering NX handshakes with a chosen certificate.
  const rogue = world.network.createModem();
  const fake = generateCertificate("evil");
  const keyPair = keyPairFromPrivateKey("x25519", fake.privateKey);
  let certificate = fake.certificate;
  const channel = await (async () => {
    const probe = await world.node("probe");
    const server = await probe.host("bank");
    await probe.close();
    return server.channel;
  })();
  rogue.open(channel);
  rogue.subscribe(async (message) => {
    const p = message.payload;
    if (p[3] !== 5) return; // HELLO
    const sessionId = p.slice(4, 20);
    const nameLength = p[21];
    const name = p.slice(22, 22 + nameLength);
    const label = new TextEncoder().encode("moonwire cryptonet v1");
    const prologue = new Uint8Array([
      ...label,
      2,
      nameLength,
      ...name,
      ...sessionId,
    ]);
    const handshake = new NoiseHandshake("Noise_NX_25519_ChaChaPoly_SHA256", {
      initiator: false,
      prologue,
      staticKeyPair: keyPair,
    });
    await handshake.readMessage(p.slice(22 + nameLength));
    const reply = await handshake.writeMessage(encodeCertificate(certificate));
    rogue.transmit(
      message.replyChannel,
      channel,
      new Uint8Array([0x43, 0x4e, 1, 6, ...sessionId, ...reply]),
    );
  });
  await assert.rejects(
    clientNode.connect("bank", { timeout: 0.5, certTimeout: 0.1 }),
    {
      name: "HandshakeError",
      message: 'Cannot connect to "bank": the certificate is for "evil"',
    },
  );
  // Right name, someone else's key.
  certificate = generateCertificate("bank").certificate;
  await assert.rejects(
    clientNode.connect("bank", { timeout: 0.5, certTimeout: 0.1 }),
    {
      name: "HandshakeError",
      message:
        `Cannot connect to "bank": the certificate does not match the server's key`,
    },
  );
  rogue.close();
});

const UNSAFE_NAME_RULE =
  'server name must not contain "/", "\\" or NUL, or be "." or ".."';

Deno.test("CryptoNet files: server names that are not plain file names never become default paths", async () => {
  await using world = await createWorld();
  const node = await world.node("server");
  const client = await world.node("client");
  const outside = `${world.directory}/outside`;
  await Deno.mkdir(outside);
  const hostile = [
    "../escape",
    "../outside/planted",
    `${outside}/absolute`,
    "a/../b",
    "sub/name",
    "..\\escape",
    "nul\0byte",
    ".",
    "..",
  ];
  for (const name of hostile) {
    await assert.rejects(node.host(name), {
      name: "RangeError",
      message: `Cannot host "${name}": ${UNSAFE_NAME_RULE}`,
    });
    // A given certificate and key still need a default user table.
    const made = generateCertificate(name);
    await assert.rejects(
      node.host(name, {
        certificate: made.certificate,
        privateKey: made.privateKey,
      }),
      {
        name: "RangeError",
        message: `Cannot host "${name}": ${UNSAFE_NAME_RULE}`,
      },
    );
    // Without a certificate, connect would look for "<name>.crt".
    await assert.rejects(client.connect(name, { timeout: 0.05 }), {
      name: "RangeError",
      message: `Cannot connect to "${name}": ${UNSAFE_NAME_RULE}`,
    });
  }
  // Nothing was written anywhere: not in the node directories, not outside.
  for (const dir of [node.directory, client.directory, outside]) {
    const entries = [];
    for await (const entry of Deno.readDir(dir)) entries.push(entry.name);
    assert.deepEqual(entries, [], dir);
  }
  assert.equal(
    [...Deno.readDirSync(world.directory)].map((e) => e.name).sort().join(","),
    "client,outside,server",
  );
});

Deno.test("CryptoNet files: a certificate planted outside the directory is never read for a hostile name", async () => {
  await using world = await createWorld();
  const node = await world.node("server");
  const client = await world.node("client");
  const server = await node.host("real");
  // "../server/real" would resolve to the server's own certificate file.
  await assert.rejects(client.connect("../server/real", { timeout: 0.05 }), {
    name: "RangeError",
    message: `Cannot connect to "../server/real": ${UNSAFE_NAME_RULE}`,
  });
  await node.close(server);
});

Deno.test("CryptoNet files: explicit paths and values stay allowed for any server name", async () => {
  await using world = await createWorld();
  const node = await world.node("server");
  const client = await world.node("client");
  const server = await node.host("shop/east", {
    certificate: "shop_east.crt",
    privateKey: "shop_east_private.key",
    userTablePath: "shop_east_users.tbl",
  });
  assert.equal(server.certificate.name, "shop/east");
  assert.equal(server.userTablePath, `${node.directory}/shop_east_users.tbl`);
  await node.addUser(server, "ann", "ann's secret");
  const entries = [];
  for await (const entry of Deno.readDir(node.directory)) {
    entries.push(entry.name);
  }
  assert.deepEqual(entries.sort(), [
    "shop_east.crt",
    "shop_east_private.key",
    "shop_east_users.tbl",
  ]);
  const socket = await client.connect("shop/east", {
    certificate: server.certificate,
  });
  assert.equal(socket.serverName, "shop/east");
  const fromFile = await client.connect(undefined, {
    certificate: `${node.directory}/shop_east.crt`,
  });
  assert.equal(fromFile.serverName, "shop/east");
});

Deno.test("CryptoNet files: user names that are Object.prototype keys survive a save and reload", async () => {
  await using world = await createWorld();
  const node = await world.node("server");
  const server = await node.host("protos");
  await node.addUser(server, "__proto__", "proto's secret", 7);
  await node.addUser(server, "constructor", "ctor's secret", 3);
  const table = JSON.parse(await Deno.readTextFile(server.userTablePath));
  assert.deepEqual(Object.keys(table.users).sort(), [
    "__proto__",
    "constructor",
  ]);
  await node.close(server);
  const reloaded = await node.host("protos");
  assert.equal(node.userExists(reloaded, "__proto__"), true);
  assert.equal(node.getPermissionLevel(reloaded, "__proto__"), 7);
  assert.equal(node.getPermissionLevel(reloaded, "constructor"), 3);
  assert.equal(
    await node.checkPassword(reloaded, "__proto__", "proto's secret"),
    true,
  );
  assert.equal(node.userExists(reloaded, "toString"), false);
});
