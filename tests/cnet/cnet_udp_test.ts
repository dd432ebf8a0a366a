// Copyright 2026 the moonwire authors. MIT license.
import assert from "node:assert/strict";
import { CttpRequest, RegisterResult } from "../../cnet/mod.ts";
import { udpNodes } from "./_udp_nodes.ts";

Deno.test("cNet over UdpModem (loopback peer list): register, log in, requests", async () => {
  await using nodes = await udpNodes("cnet_udp_test_");
  const { server, client } = nodes;
  await server.host("udp-store");
  server.setRestApi(
    "GET",
    "/whoami",
    (_args, _header, _data, connection) => connection.socket.username ?? null,
  );
  assert.equal(
    await client.register("udp-store", "ann", "pw"),
    RegisterResult.SUCCESS,
  );
  const connection = await client.connectCtcp("udp-store");
  assert.ok(connection);
  assert.equal(await client.login(connection, "ann", "pw"), true);
  for (let i = 0; i < 20; i++) {
    const { response } = await client.sendCttpRequest(
      connection,
      new CttpRequest("GET", "/whoami"),
    );
    assert.equal(response?.data, "ann");
  }
  assert.equal(await client.disconnectCtcp(connection), true);
});
