// Copyright 2026 the moonwire authors. MIT license.
// The polling API against socat TCP and UDP echo servers on loopback.
import assert from "node:assert/strict";
import { resolveAddress } from "../../net/address.ts";
import { openTcp } from "../../net/tcp.ts";
import { openUdp } from "../../net/udp.ts";
import { concat } from "../_bytes.ts";
import { ignoreReason } from "../_tools.ts";
import { readToEnd } from "../net/_poll_helpers.ts";
import { echoData, freePort, startPeer, startSocatTcp } from "./_peer.ts";

const ignore = ignoreReason("socat");
const decoder = new TextDecoder();
const local = resolveAddress("127.0.0.1");

Deno.test({
  name: "interop: openTcp against a socat TCP echo server",
  ignore: ignore !== undefined,
  async fn() {
    await using echo = await startSocatTcp();
    await using tcp = openTcp(local, echo.port);
    assert.equal(await tcp.waitUntilConnected(5000), "success");
    // 1 MiB through the echo, written as the send buffer allows.
    const data = echoData(1 << 20);
    let sent = 0;
    const received: Uint8Array[] = [];
    let got = 0;
    const deadline = performance.now() + 20_000;
    while (got < data.length && performance.now() < deadline) {
      if (sent < data.length) sent += tcp.write(data.subarray(sent));
      const chunk = tcp.read(65536);
      assert.notEqual(chunk, null);
      if (chunk!.length > 0) {
        received.push(chunk!);
        got += chunk!.length;
      } else {
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    }
    assert.equal(await tcp.waitUntilDrained(5000), 0);
    const echoed = concat(received);
    assert.equal(got, data.length);
    assert.deepEqual(echoed, data);
  },
});

Deno.test({
  name: "interop: socat closing the connection ends the polling stream",
  ignore: ignore !== undefined,
  async fn() {
    // Each connection: answer one line, then close.
    await using peer = await startSocatTcp(
      `SYSTEM:read line; echo "got $line"`,
    );
    await using tcp = openTcp(local, peer.port);
    assert.equal(await tcp.waitUntilConnected(5000), "success");
    assert.equal(tcp.write("ping\n"), 5);
    assert.equal(decoder.decode(await readToEnd(tcp)), "got ping\n");
    assert.equal(tcp.read(1), null);
    assert.equal(tcp.getStatus(), "success");
  },
});

Deno.test({
  name: "interop: openUdp against a socat UDP echo server",
  ignore: ignore !== undefined,
  async fn() {
    const port = freePort("udp");
    await using _peer = await startPeer("socat", [
      `UDP-RECVFROM:${port},bind=127.0.0.1,fork`,
      "PIPE",
    ]);
    await using udp = openUdp(local, 0);
    // socat may still be starting: resend until the first echo comes back.
    let echo = null;
    for (let attempt = 0; attempt < 100 && echo === null; attempt++) {
      assert.equal(udp.send(local, port, "datagram one"), true);
      await new Promise((resolve) => setTimeout(resolve, 50));
      echo = udp.receive();
    }
    assert.ok(echo, "no echo from socat");
    assert.equal(decoder.decode(echo.getData()), "datagram one");
    assert.equal(echo.getPort(), port);
    assert.equal(echo.getAddress().getIp(), "127.0.0.1");
    // Drain duplicate echoes of the retries, then a second exact round trip.
    await new Promise((resolve) => setTimeout(resolve, 100));
    while (udp.receive() !== null) { /* drop retries */ }
    const payload = new Uint8Array([0, 1, 2, 254, 255]);
    assert.equal(udp.send(local, port, payload), true);
    let second = null;
    for (let i = 0; i < 200 && second === null; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      second = udp.receive();
    }
    assert.ok(second, "no second echo");
    assert.deepEqual(second.getData(), payload);
    assert.equal(udp.error, null);
  },
});
