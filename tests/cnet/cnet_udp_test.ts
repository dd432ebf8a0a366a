// Copyright 2026 the moonwire authors. MIT license.
import assert from "node:assert/strict";
import {
  CNetNode,
  CttpRequest,
  RegisterResult,
  UdpModem,
} from "../../cnet/mod.ts";

Deno.test("cNet over UdpModem (loopback peer list): register, log in, requests", async () => {
  const directory = await Deno.makeTempDir({ prefix: "cnet_udp_test_" });
  const serverModem = await UdpModem.create({ peers: [] });
  const clientModem = await UdpModem.create({
    peers: [{ hostname: "127.0.0.1", port: serverModem.port }],
  });
  serverModem.addPeer("127.0.0.1", clientModem.port);
  const server = new CNetNode({ directory, modems: { back: serverModem } });
  const client = new CNetNode({ directory, modems: { front: clientModem } });
  try {
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
  } finally {
    await client.close();
    await server.close();
    await serverModem.close();
    await clientModem.close();
    await Deno.remove(directory, { recursive: true });
  }
});
