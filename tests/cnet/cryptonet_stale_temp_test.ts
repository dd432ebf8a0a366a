// Copyright 2026 the moonwire authors. MIT license.
// A write killed mid-way leaves `.<name>.tmp` beside its target (mode 0600;
// it may hold password hashes or the private key). Hosting a server again
// removes those beside its key, certificate and user table files.
import assert from "node:assert/strict";
import { createWorld } from "./_cryptonet_fixtures.ts";

async function names(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const entry of Deno.readDir(dir)) out.push(entry.name);
  return out.sort();
}

Deno.test("CryptoNet files: hosting removes the temp files a killed write left beside the key, certificate and user table", async () => {
  await using world = await createWorld();
  const first = await world.node("server");
  const server = await first.host("vault");
  await first.addUser(server, "ann", "ann's password");
  await first.close();
  const dir = first.directory;
  // As a kill mid-write leaves them.
  for (const name of ["vault_users.tbl", "vault_private.key", "vault.crt"]) {
    await Deno.writeTextFile(`${dir}/.${name}.tmp`, "half written", {
      mode: 0o600,
    });
  }
  const again = await world.node("server");
  const hosted = await again.host("vault");
  assert.deepEqual(await names(dir), [
    "vault.crt",
    "vault_private.key",
    "vault_users.tbl",
  ]);
  assert.deepEqual(hosted.certificate, server.certificate);
  assert.equal(
    await again.checkPassword(hosted, "ann", "ann's password"),
    true,
  );
});

Deno.test("CryptoNet files: a user table at an explicit path gets its leftover removed too", async () => {
  await using world = await createWorld();
  const node = await world.node("server");
  const tables = `${node.directory}/tables`;
  await Deno.mkdir(tables);
  await Deno.writeTextFile(`${tables}/.users.json.tmp`, "half written");
  await node.host("vault", { userTablePath: "tables/users.json" });
  assert.deepEqual(await names(tables), []);
});
