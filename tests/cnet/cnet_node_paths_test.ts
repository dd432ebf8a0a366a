// Copyright 2026 the moonwire authors. MIT license.
// Where a CNetNode's files land: every relative path against the node's
// directory, fixed when the node is created; absolute paths as they are.
import assert from "node:assert/strict";
import { join } from "node:path";
import { CNetNode, CryptoNet, MemoryNetwork } from "../../cnet/mod.ts";

async function names(directory: string): Promise<string[]> {
  const found: string[] = [];
  for await (const entry of Deno.readDir(directory)) found.push(entry.name);
  return found.sort();
}

Deno.test("cNet node paths: a relative directory is fixed at creation; every path option and default name lands in it", async () => {
  const root = await Deno.makeTempDir({ prefix: "cnet_paths_test_" });
  const cwd = Deno.cwd();
  using network = new MemoryNetwork();
  for (const folder of ["a/node", "a/client", "b/node", "b/client"]) {
    await Deno.mkdir(join(root, folder), { recursive: true });
  }
  let server: CNetNode | undefined;
  let client: CNetNode | undefined;
  try {
    Deno.chdir(join(root, "a"));
    server = new CNetNode({
      directory: "node",
      modems: { top: network.createModem() },
    });
    client = new CNetNode({
      directory: "client",
      modems: { top: network.createModem() },
    });
    const defaulted = new CNetNode({});
    // Everything below runs from another folder with the same layout, so a
    // path resolved against the current directory would land in b/.
    Deno.chdir(join(root, "b"));
    assert.equal(server.directory, join(root, "a", "node"));
    assert.equal(client.directory, join(root, "a", "client"));
    assert.equal(defaulted.directory, join(root, "a"));
    await defaulted.close();

    const ca = await server.initCertificateAuthority({
      publicKeyPath: "ca.key",
      privateKeyPath: "ca_private.key",
    });
    assert.deepEqual(await server.loadCertAuthKey("ca.key"), ca.publicKey);
    const shop = await server.host("shop", {
      certificate: "shop-cert.crt",
      privateKey: "shop-key.key",
      userTablePath: "shop-users.tbl",
    });
    await server.addUser(shop, "ann", "ann's password");
    await server.cryptoNet.close(shop);
    await server.signCertificate("shop-cert.crt", {
      certAuthPrivateKey: "ca_private.key",
    });
    const signed = await server.host("shop", {
      certificate: "shop-cert.crt",
      privateKey: "shop-key.key",
      userTablePath: "shop-users.tbl",
    });
    assert.equal(server.userExists(signed, "ann"), true);
    await server.host("bank", { userTablePath: join(root, "bank-users.tbl") });
    const bank = server.cryptoNet.servers.find((s) => s.name === "bank")!;
    await server.addUser(bank, "bo", "bo's password");

    // The client reads the CA key and the certificate from its directory.
    await Deno.copyFile(
      join(root, "a", "node", "ca.key"),
      join(root, "a", "client", "certAuth.key"),
    );
    await Deno.copyFile(
      join(root, "a", "node", "shop-cert.crt"),
      join(root, "a", "client", "known-shop.crt"),
    );
    const answer = await client.requestCertificate("shop", { timeout: 0.2 });
    assert.equal(answer.verified, true);
    const socket = await client.connect("shop", {
      certificate: "known-shop.crt",
      certAuthKey: "certAuth.key",
    });
    assert.equal(socket.certificateVerified, true);
    assert.equal(await client.login(socket, "ann", "ann's password"), true);
    await socket.close();

    assert.deepEqual(await names(join(root, "a", "node")), [
      "bank.crt",
      "bank_private.key",
      "ca.key",
      "ca_private.key",
      "shop-cert.crt",
      "shop-key.key",
      "shop-users.tbl",
    ]);
    assert.deepEqual(await names(join(root, "a", "client")), [
      "certAuth.key",
      "known-shop.crt",
    ]);
    assert.deepEqual(await names(join(root, "b", "node")), []);
    assert.deepEqual(await names(join(root, "b", "client")), []);
    assert.ok((await Deno.stat(join(root, "bank-users.tbl"))).isFile);
  } finally {
    Deno.chdir(cwd);
    await client?.close();
    await server?.close();
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("cNet node paths: a given CryptoNet node brings its directory; directory or modems beside it are refused", async () => {
  const directory = await Deno.makeTempDir({ prefix: "cnet_paths_test_" });
  using network = new MemoryNetwork();
  await using cryptoNet = new CryptoNet.CryptoNetNode({ directory });
  assert.throws(
    () => new CNetNode({ cryptoNet, directory: "elsewhere" }),
    {
      name: "TypeError",
      message:
        "Cannot create cNet node: directory cannot be given with cryptoNet, which has its own",
    },
  );
  const modem = network.createModem();
  assert.throws(
    () => new CNetNode({ cryptoNet, modems: { top: modem } }),
    {
      name: "TypeError",
      message:
        "Cannot create cNet node: modems cannot be given with cryptoNet, which has its own",
    },
  );
  modem.close();
  const node = new CNetNode({ cryptoNet, directory: undefined });
  assert.equal(node.directory, directory);
  await node.initCertificateAuthority();
  assert.deepEqual(await names(directory), [
    "certAuth.key",
    "certAuth_private.key",
  ]);
  await node.close();
  await Deno.remove(directory, { recursive: true });
});
