// Copyright 2026 the moonwire authors. MIT license.
// Errors of the stream paths say what failed and where (house style
// `Cannot <action> <target>: <reason>`), keep the class and errno code the
// docs promise, and carry the original error as `cause`.
import assert from "node:assert/strict";
import { resolveAddress } from "../../net/address.ts";
import { connect } from "../../net/connect.ts";
import { listen } from "../../net/listen.ts";
import { createServer } from "../../net/server.ts";
import { StreamSocket } from "../../net/stream_socket.ts";
import { openTcp } from "../../net/tcp.ts";
import { recorder } from "./_link_recorder.ts";
import type { TcpLink } from "../../net/tcp_link.ts";
import { ignoreReason } from "../_tools.ts";
import { makeTestCertificates } from "../_certs.ts";
import { silentPort } from "../_silent_port.ts";

const encoder = new TextEncoder();

// A plain-text server that answers whatever it gets (a ClientHello) with an
// HTTP error, as a web server on the wrong port would.
function plainTextServer(): {
  port: number;
  [Symbol.asyncDispose](): Promise<void>;
} {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const served: Promise<void>[] = [];
  const loop = (async () => {
    for await (const conn of listener) {
      served.push((async () => {
        try {
          await conn.read(new Uint8Array(4096));
          await conn.write(encoder.encode("HTTP/1.0 400 Nope\r\n\r\n"));
          await conn.read(new Uint8Array(4096));
        } catch {
          // The client gave up first.
        } finally {
          conn.close();
        }
      })());
    }
  })();
  return {
    port: listener.addr.port,
    async [Symbol.asyncDispose]() {
      listener.close();
      await loop;
      await Promise.all(served);
    },
  };
}

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = listener.addr.port;
  listener.close();
  return port;
}

Deno.test("createServer on a port in use names the address and port", () => {
  using taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = taken.addr.port;
  assert.throws(
    () => createServer(resolveAddress("127.0.0.1"), port),
    (error: Error) => {
      assert.ok(error instanceof Deno.errors.AddrInUse);
      assert.equal(error.name, "AddrInUse");
      assert.equal(
        error.message,
        `Cannot create server on 127.0.0.1:${port}: Address already in use (os error 98)`,
      );
      assert.ok(error.cause instanceof Deno.errors.AddrInUse);
      return true;
    },
  );
});

Deno.test("listen on a port in use names the address and port in onError", () => {
  using taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = taken.addr.port;
  const errors: string[] = [];
  const server = listen(port, {
    onIncomingConnection: () => null,
    onError: (code, message) => errors.push(`${code} ${message}`),
  }, { hostname: "127.0.0.1" });
  assert.equal(server.isListening(), false);
  assert.deepEqual(errors, [
    `EADDRINUSE Cannot listen on 127.0.0.1:${port}: Address already in use (os error 98)`,
  ]);
});

Deno.test("openTcp refused names host and port, keeps ConnectionRefused", async () => {
  const port = freePort();
  await using tcp = openTcp(resolveAddress("127.0.0.1"), port);
  assert.equal(await tcp.waitUntilConnected(5000), "failure");
  const error = tcp.error!;
  assert.ok(error instanceof Deno.errors.ConnectionRefused);
  assert.equal(error.name, "ConnectionRefused");
  assert.equal(
    error.message,
    `Cannot connect to 127.0.0.1:${port}: Connection refused (os error 111)`,
  );
  assert.equal((error as { code?: string }).code, "ECONNREFUSED");
  assert.ok(error.cause instanceof Deno.errors.ConnectionRefused);
});

Deno.test("openTcp TLS to a plain-text server: the peer did not answer TLS", async () => {
  await using server = plainTextServer();
  for (const tls of [true, { unsafelyDisableVerification: true }]) {
    await using tcp = openTcp(resolveAddress("127.0.0.1"), server.port, {
      tls,
    });
    assert.equal(await tcp.waitUntilConnected(5000), "failure");
    assert.equal(
      tcp.error!.message,
      `Cannot connect to 127.0.0.1:${server.port} over TLS: the peer did not answer TLS`,
      JSON.stringify(tls),
    );
    assert.ok(tcp.error!.cause instanceof Error);
  }
});

Deno.test("StreamSocket TLS to a plain-text server: the peer did not answer TLS", async () => {
  await using server = plainTextServer();
  await assert.rejects(
    StreamSocket.connect("127.0.0.1", server.port, { tls: {} }),
    (error: Error) => {
      assert.equal(error.name, "InvalidData");
      assert.ok(error instanceof Deno.errors.InvalidData);
      assert.equal(
        error.message,
        `Cannot connect to 127.0.0.1:${server.port} over TLS: the peer did not answer TLS`,
      );
      assert.match(
        String((error.cause as Error).message),
        /InvalidContentType/,
      );
      return true;
    },
  );
  using socket = await StreamSocket.connect("127.0.0.1", server.port);
  await assert.rejects(socket.upgradeTls(), {
    name: "InvalidData",
    message:
      `Cannot upgrade to TLS with 127.0.0.1:${server.port}: the peer did not answer TLS`,
  });
  await socket.closed;
});

Deno.test("TcpLink startTlsClient to a plain-text server: onError says the peer did not answer TLS", async () => {
  await using server = plainTextServer();
  const rec = recorder({
    onConnected: (link) => link.startTlsClient({ timeout: 3000 }),
  });
  assert.equal(connect("127.0.0.1", server.port, rec.callbacks), true);
  const link = await rec.terminal;
  await link.closed;
  assert.deepEqual(rec.events, [
    "connected",
    `error ERR_SSL_WRONG_VERSION_NUMBER: Cannot start TLS client with 127.0.0.1:${server.port}: the peer did not answer TLS`,
  ]);
});

Deno.test({
  name:
    "TcpLink startTlsServer with a plain-text client: onError says the peer did not answer TLS",
  ignore: ignoreReason("openssl") !== undefined,
  async fn() {
    using certs = makeTestCertificates();
    const rec = recorder();
    const accepted = Promise.withResolvers<TcpLink>();
    const server = listen(0, {
      onIncomingConnection: () => rec.callbacks,
      onAccepted: (link) => {
        link.startTlsServer(certs.cert, certs.key, { timeout: 3000 });
        accepted.resolve(link);
      },
      onError: () => {},
    }, { hostname: "127.0.0.1" });
    using conn = await Deno.connect({
      hostname: "127.0.0.1",
      port: server.getPort(),
    });
    await conn.write(encoder.encode("GET / HTTP/1.0\r\n\r\n"));
    const link = await accepted.promise;
    await rec.terminal;
    const remote = `${link.getRemoteIp()}:${link.getRemotePort()}`;
    assert.equal(rec.events.length, 1, rec.events.join("\n"));
    assert.match(
      rec.events[0],
      new RegExp(
        `^error ERR_SSL_\\w+: Cannot start TLS server with ${remote}: the peer did not answer TLS$`,
      ),
    );
    server.close();
    await Promise.all([link.closed, server.closed]);
  },
});

Deno.test("connect timing out names the target once in onError", async () => {
  using silent = await silentPort();
  const failed = Promise.withResolvers<string>();
  connect("127.0.0.1", silent.port, {
    onConnected: (link) => {
      link.close();
      failed.resolve("connected");
    },
    onReceivedData: () => {},
    onRemoteClosed: () => {},
    onError: (_link, code, message) => failed.resolve(`${code} ${message}`),
  }, { timeout: 300 });
  assert.equal(
    await failed.promise,
    `TimeoutError Cannot connect to 127.0.0.1:${silent.port}: no answer within 300 ms`,
  );
});
