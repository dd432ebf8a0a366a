// Copyright 2026 the moonwire authors. MIT license.
// The callback API against socat TCP and UDP echo servers on loopback.
import assert from "node:assert/strict";
import { connect } from "../../net/connect.ts";
import { createUdpEndpoint } from "../../net/create_udp_endpoint.ts";
import type { TcpLink } from "../../net/tcp_link.ts";
import { ignoreReason } from "../_tools.ts";
import { echoData, freePort, startPeer, startSocatTcp } from "./_peer.ts";

const decoder = new TextDecoder();
const socatMissing = ignoreReason("socat");

Deno.test({
  name: "interop: connect() echoes 1 MiB through socat, then half-closes",
  ignore: socatMissing !== undefined,
  async fn() {
    await using echo = await startSocatTcp();
    const data = echoData(1 << 20);
    const echoed = new Uint8Array(data.length);
    let got = 0;
    const events: string[] = [];
    const done = Promise.withResolvers<TcpLink>();
    assert.equal(
      connect("127.0.0.1", echo.port, {
        onConnected: (link) => {
          events.push("connected");
          // In 64 KiB pieces, then end our side: cat ends and socat closes.
          for (let offset = 0; offset < data.length; offset += 65536) {
            link.send(data.subarray(offset, offset + 65536));
          }
          link.shutdown();
        },
        onReceivedData: (_link, chunk) => {
          if (events.at(-1) !== "data") events.push("data");
          echoed.set(chunk, got);
          got += chunk.length;
        },
        onRemoteClosed: (link) => {
          events.push("remoteClosed");
          done.resolve(link);
        },
        onError: (link, code, message) => {
          events.push(`error ${code}: ${message}`);
          done.resolve(link);
        },
      }),
      true,
    );
    const link = await done.promise;
    assert.deepEqual(events, ["connected", "data", "remoteClosed"]);
    assert.equal(got, data.length);
    assert.deepEqual(echoed, data);
    await link.closed;
  },
});

Deno.test({
  name: "interop: createUdpEndpoint exchanges datagrams with a socat UDP echo",
  ignore: socatMissing !== undefined,
  async fn() {
    const port = freePort("udp");
    // Without fork: socat serves the first peer only and leaves no children.
    await using _peer = await startPeer("socat", [
      `UDP-LISTEN:${port},bind=127.0.0.1`,
      "PIPE",
    ]);
    const received: Array<{ data: Uint8Array; from: string }> = [];
    const errors: string[] = [];
    let wake: (() => void) | undefined;
    const endpoint = createUdpEndpoint(0, {
      onReceivedData: (_endpoint, data, host, remotePort) => {
        received.push({ data, from: `${host}:${remotePort}` });
        wake?.();
      },
      onError: (code, message) => errors.push(`${code}: ${message}`),
    }, { hostname: "127.0.0.1" });
    const wait = (ms: number) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, ms);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    try {
      // socat may still be starting: resend until the first echo comes back.
      for (let attempt = 0; attempt < 100 && received.length === 0; attempt++) {
        assert.equal(endpoint.send("datagram one", "127.0.0.1", port), true);
        await wait(50);
      }
      assert.ok(received.length > 0, "no echo from socat");
      assert.equal(decoder.decode(received[0].data), "datagram one");
      assert.equal(received[0].from, `127.0.0.1:${port}`);
      // Drop echoes of the retries, then one exact binary round trip.
      await new Promise((resolve) => setTimeout(resolve, 100));
      received.length = 0;
      const payload = new Uint8Array([0, 1, 2, 254, 255]);
      for (let attempt = 0; attempt < 20 && received.length === 0; attempt++) {
        endpoint.send(payload, "127.0.0.1", port);
        await wait(200);
      }
      assert.deepEqual(received[0]?.data, payload);
      assert.deepEqual(errors, []);
    } finally {
      endpoint.close();
      await endpoint.closed;
    }
  },
});
