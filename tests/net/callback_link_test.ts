// Copyright 2026 the moonwire authors. MIT license.
// The callback API (Cuberite cNetwork) over real loopback sockets: connect,
// listen, TcpLink and ServerHandle, event order and terminal-callback rules.
import assert from "node:assert/strict";
import { connect } from "../../net/connect.ts";
import { listen } from "../../net/listen.ts";
import type { LinkCallbacks, TcpLink } from "../../net/tcp_link.ts";
import type { ServerHandle } from "../../net/server_handle.ts";
import { concat } from "../_bytes.ts";
import { assertKeepsAccepting } from "./_fd_limit.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Link callbacks that log every event as a string; `terminal` resolves at
 * the first terminal callback. */
function recorder(options: {
  onConnected?: (link: TcpLink) => void;
  onData?: (link: TcpLink, data: Uint8Array) => void;
} = {}): {
  callbacks: LinkCallbacks;
  events: string[];
  received: () => string;
  terminal: Promise<TcpLink>;
  connected: Promise<TcpLink>;
} {
  const events: string[] = [];
  const chunks: Uint8Array[] = [];
  const terminal = Promise.withResolvers<TcpLink>();
  const connected = Promise.withResolvers<TcpLink>();
  // Links that never connect (server side, refused) reject this unobserved.
  connected.promise.catch(() => {});
  return {
    events,
    received: () => decoder.decode(concat(chunks)),
    terminal: terminal.promise,
    connected: connected.promise,
    callbacks: {
      onConnected(link) {
        events.push("connected");
        connected.resolve(link);
        options.onConnected?.(link);
      },
      onReceivedData(link, data) {
        events.push("data");
        chunks.push(data);
        options.onData?.(link, data);
      },
      onRemoteClosed(link) {
        events.push("remoteClosed");
        terminal.resolve(link);
      },
      onError(link, code, message) {
        events.push(`error ${code}: ${message}`);
        terminal.resolve(link);
        connected.reject(new Error(`${code} ${message}`));
      },
    },
  };
}

/** Collapses consecutive "data" events (TCP may split or merge chunks). */
function squash(events: string[]): string[] {
  return events.filter((e, i) => !(e === "data" && events[i - 1] === "data"));
}

/** Waits for the client's terminal callback: a clean end after `text`. */
async function cleanEnd(
  client: ReturnType<typeof recorder>,
  text: string,
): Promise<void> {
  const link = await client.terminal;
  assert.equal(client.received(), text);
  assert.deepEqual(squash(client.events), [
    "connected",
    "data",
    "remoteClosed",
  ]);
  await link.closed;
}

/** Collects the errors reported as uncaught (reportError) until disposed. */
function catchUncaught(): { reported: unknown[] } & Disposable {
  const reported: unknown[] = [];
  const onError = (event: ErrorEvent) => {
    event.preventDefault();
    reported.push(event.error);
  };
  globalThis.addEventListener("error", onError);
  return {
    reported,
    [Symbol.dispose]: () => globalThis.removeEventListener("error", onError),
  };
}

function tick(ms = 50): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** An echo server on 127.0.0.1 that logs its listen events and links. */
function echoServer(): {
  server: ServerHandle;
  events: string[];
  links: ReturnType<typeof recorder>[];
  accepted: Promise<TcpLink>;
} {
  const events: string[] = [];
  const links: ReturnType<typeof recorder>[] = [];
  const accepted = Promise.withResolvers<TcpLink>();
  const server = listen(0, {
    onIncomingConnection(remoteIp, remotePort, localPort) {
      events.push(
        `incoming ${remoteIp} ${remotePort > 0} ${
          localPort === server.getPort()
        }`,
      );
      const link = recorder({ onData: (l, data) => l.send(data) });
      links.push(link);
      return link.callbacks;
    },
    onAccepted(link) {
      events.push("accepted");
      links.at(-1)!.events.push("accepted");
      accepted.resolve(link);
    },
    onError(code, message) {
      events.push(`error ${code}: ${message}`);
    },
  }, { hostname: "127.0.0.1" });
  return { server, events, links, accepted: accepted.promise };
}

Deno.test("connect() calls nothing synchronously, then connects, echoes and closes", async () => {
  const { server, events: serverEvents, links } = echoServer();
  const client = recorder({
    onConnected: (link) => link.send("hello callback"),
    onData: (link) => {
      if (client.received() === "hello callback") link.shutdown();
    },
  });
  const queued = connect("127.0.0.1", server.getPort(), client.callbacks);
  assert.equal(queued, true);
  assert.deepEqual(client.events, []);
  assert.deepEqual(serverEvents, []);
  await cleanEnd(client, "hello callback");
  server.close();
  await server.closed;
  assert.deepEqual(serverEvents, ["incoming 127.0.0.1 true true", "accepted"]);
  // The server link saw onAccepted before any data, then the client's close.
  assert.deepEqual(squash(links[0].events), [
    "accepted",
    "data",
    "remoteClosed",
  ]);
});

Deno.test("onAccepted precedes data the client sent before the server looked", async () => {
  const { server, links } = echoServer();
  using conn = await Deno.connect({
    hostname: "127.0.0.1",
    port: server.getPort(),
  });
  await conn.write(encoder.encode("early bytes"));
  const buffer = new Uint8Array(64);
  let got = "";
  while (got.length < 11) {
    const n = await conn.read(buffer);
    assert.notEqual(n, null);
    got += decoder.decode(buffer.subarray(0, n!));
  }
  assert.equal(got, "early bytes");
  assert.deepEqual(squash(links[0].events), ["accepted", "data"]);
  server.close();
  await server.closed;
  assert.deepEqual(squash(links[0].events), [
    "accepted",
    "data",
    "error ECONNABORTED: Cannot continue link: its server handle was closed",
  ]);
});

Deno.test("onIncomingConnection returning null or undefined drops the connection (peer sees EOF)", async () => {
  for (const answer of [null, undefined]) {
    const events: string[] = [];
    const server = listen(0, {
      onIncomingConnection: () => {
        events.push("incoming");
        return answer;
      },
      onAccepted: () => events.push("accepted"),
      onError: (code) => events.push(`error ${code}`),
    }, { hostname: "127.0.0.1" });
    using conn = await Deno.connect({
      hostname: "127.0.0.1",
      port: server.getPort(),
    });
    assert.equal(await conn.read(new Uint8Array(8)), null);
    // A connect() client sees the same drop as onRemoteClosed.
    const client = recorder();
    connect("127.0.0.1", server.getPort(), client.callbacks);
    await client.terminal;
    assert.deepEqual(client.events, ["connected", "remoteClosed"]);
    server.close();
    await server.closed;
    assert.deepEqual(events, ["incoming", "incoming"]);
  }
});

Deno.test("a refused connection reaches onError once with a never-connected link", async () => {
  const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = probe.addr.port;
  probe.close();
  const client = recorder();
  assert.equal(connect("127.0.0.1", port, client.callbacks), true);
  const link = await client.terminal;
  await tick();
  assert.equal(client.events.length, 1);
  assert.match(
    client.events[0],
    new RegExp(
      `^error ECONNREFUSED: Cannot connect to 127\\.0\\.0\\.1:${port}: `,
    ),
  );
  assert.equal(link.getRemoteIp(), "127.0.0.1");
  assert.equal(link.getRemotePort(), port);
  assert.equal(link.getLocalIp(), "");
  assert.equal(link.getLocalPort(), 0);
  assert.equal(link.send("late"), false);
  link.close();
  link.shutdown();
  await link.closed;
});

Deno.test("link addresses match both ends", async () => {
  const { server, accepted } = echoServer();
  const client = recorder();
  connect("127.0.0.1", server.getPort(), client.callbacks);
  const clientLink = await client.connected;
  const serverLink = await accepted;
  assert.equal(clientLink.getRemoteIp(), "127.0.0.1");
  assert.equal(clientLink.getRemotePort(), server.getPort());
  assert.equal(serverLink.getLocalPort(), server.getPort());
  assert.equal(serverLink.getLocalIp(), "127.0.0.1");
  assert.equal(serverLink.getRemotePort(), clientLink.getLocalPort());
  assert.equal(clientLink.getLocalIp(), "127.0.0.1");
  clientLink.close();
  await clientLink.closed;
  server.close();
  await server.closed;
});

Deno.test("no callback after a local close(), even when the peer keeps sending", async () => {
  const serverSide = Promise.withResolvers<Deno.Conn>();
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  listener.accept().then(serverSide.resolve);
  const client = recorder();
  connect("127.0.0.1", listener.addr.port, client.callbacks);
  const link = await client.connected;
  using peer = await serverSide.promise;
  await peer.write(encoder.encode("one"));
  while (client.received() !== "one") await tick(10);
  link.close();
  link.close(); // idempotent
  assert.equal(link.send("after close"), false);
  await peer.write(encoder.encode("two")).catch(() => {});
  await link.closed;
  await tick();
  assert.deepEqual(client.events, ["connected", "data"]);
  assert.equal(await peer.read(new Uint8Array(8)), null);
});

Deno.test("close() inside onAccepted: no link callbacks, peer sees EOF", async () => {
  const events: string[] = [];
  const server = listen(0, {
    onIncomingConnection: () => ({
      onReceivedData: () => events.push("data"),
      onRemoteClosed: () => events.push("remoteClosed"),
      onError: () => events.push("error"),
    }),
    onAccepted: (link) => {
      events.push("accepted");
      link.close();
    },
    onError: () => events.push("listenError"),
  }, { hostname: "127.0.0.1" });
  using conn = await Deno.connect({
    hostname: "127.0.0.1",
    port: server.getPort(),
  });
  await conn.write(encoder.encode("ignored")).catch(() => {});
  const n = await conn.read(new Uint8Array(8)).catch(() => null);
  assert.equal(n, null);
  server.close();
  await server.closed;
  assert.deepEqual(events, ["accepted"]);
});

Deno.test("shutdown() half-closes: the peer sees EOF and can still answer", async () => {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const accepted = listener.accept();
  const client = recorder({
    onConnected: (link) => {
      link.send("request");
      link.shutdown();
      assert.equal(link.send("too late"), false);
    },
  });
  connect("127.0.0.1", listener.addr.port, client.callbacks);
  const peer = await accepted;
  const buffer = new Uint8Array(64);
  let request = "";
  for (;;) {
    const n = await peer.read(buffer);
    if (n === null) break;
    request += decoder.decode(buffer.subarray(0, n));
  }
  assert.equal(request, "request");
  await peer.write(encoder.encode("response"));
  peer.close();
  await cleanEnd(client, "response");
});

Deno.test("a peer that vanishes mid-stream gives exactly one terminal callback", async () => {
  const { server, links, accepted } = echoServer();
  const conn = await Deno.connect({
    hostname: "127.0.0.1",
    port: server.getPort(),
  });
  const serverLink = await accepted;
  await conn.write(encoder.encode("partial"));
  // Unread data in the peer's receive buffer makes close() send a RST.
  serverLink.send(new Uint8Array(256 * 1024));
  await tick(100);
  conn.close();
  await links[0].terminal;
  for (let i = 0; i < 10 && serverLink.send("more"); i++) await tick(20);
  await tick(100);
  const terminals = links[0].events.filter((e) =>
    e === "remoteClosed" || e.startsWith("error")
  );
  assert.equal(terminals.length, 1);
  server.close();
  await server.closed;
});

Deno.test("ServerHandle.close() ends every link with one onError ECONNABORTED; clients see the close", async () => {
  const { server, links, events } = echoServer();
  const clients = [recorder(), recorder()];
  for (const client of clients) {
    connect("127.0.0.1", server.getPort(), client.callbacks);
    await client.connected;
  }
  while (links.length < 2 || links.some((l) => l.events.length === 0)) {
    await tick(10);
  }
  server.close();
  assert.equal(server.isListening(), false);
  // The terminal callbacks come after close() returned.
  for (const link of links) assert.deepEqual(link.events, ["accepted"]);
  server.close(); // idempotent
  await server.closed;
  for (const link of links) {
    assert.deepEqual(link.events, [
      "accepted",
      "error ECONNABORTED: Cannot continue link: its server handle was closed",
    ]);
  }
  for (const client of clients) {
    const link = await client.terminal;
    assert.deepEqual(client.events, ["connected", "remoteClosed"]);
    await link.closed;
  }
  assert.deepEqual(events.filter((e) => e.startsWith("error")), []);
  // Nothing listens any more.
  const late = recorder();
  connect("127.0.0.1", server.getPort(), late.callbacks);
  await late.terminal;
  assert.match(late.events[0], /^error ECONNREFUSED: /);
});

Deno.test("listen() bind failure calls onError before returning; not listening", async () => {
  using taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const events: string[] = [];
  const server = listen(taken.addr.port, {
    onIncomingConnection: () => null,
    onError: (code, message) => events.push(`${code}: ${message}`),
  }, { hostname: "127.0.0.1" });
  assert.equal(events.length, 1);
  assert.match(
    events[0],
    new RegExp(
      `^EADDRINUSE: Cannot listen on 127\\.0\\.0\\.1:${taken.addr.port}: `,
    ),
  );
  assert.equal(server.isListening(), false);
  assert.equal(server.getPort(), 0);
  server.close();
  await server.closed;
  await tick();
  assert.equal(events.length, 1);
});

Deno.test("send() beyond maxQueuedBytes fails the link with ENOBUFS instead of buffering", async () => {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const accepted = listener.accept();
  const client = recorder();
  connect("127.0.0.1", listener.addr.port, client.callbacks, {
    maxQueuedBytes: 64 * 1024,
  });
  const link = await client.connected;
  using _peer = await accepted; // never reads
  // One send may exceed the limit when nothing is queued; the next may not.
  assert.equal(link.send(new Uint8Array(16 * 1024 * 1024)), true);
  assert.equal(link.send(new Uint8Array(1)), false);
  assert.deepEqual(client.events, ["connected"]); // reported after send()
  assert.equal(link.send(new Uint8Array(1)), false);
  await client.terminal;
  assert.deepEqual(client.events, [
    "connected",
    `error ENOBUFS: Cannot send: ${
      16 * 1024 * 1024 + 1
    } bytes queued exceeds limit 65536`,
  ]);
  await link.closed;
});

Deno.test("send() copies its bytes and accepts strings as UTF-8", async () => {
  const { server } = echoServer();
  const payload = encoder.encode("abc");
  const client = recorder({
    onConnected: (link) => {
      link.send(payload);
      payload[0] = 0x78; // must not change what was sent
      link.send("é");
      assert.equal(link.send(new Uint8Array(0)), true);
    },
    onData: (link) => {
      if (client.received() === "abcé") link.close();
    },
  });
  connect("127.0.0.1", server.getPort(), client.callbacks);
  while (client.received() !== "abcé") await tick(10);
  server.close();
  await server.closed;
});

Deno.test("a callback that throws is reported as uncaught, and the link goes on", async () => {
  using uncaught = catchUncaught();
  const reported = uncaught.reported;
  const { server } = echoServer();
  let calls = 0;
  const done = Promise.withResolvers<void>();
  connect("127.0.0.1", server.getPort(), {
    onConnected: (link) => {
      link.send("x");
      throw new Error("boom in onConnected");
    },
    onReceivedData: (link) => {
      calls++;
      link.close();
      done.resolve();
    },
    onRemoteClosed: () => {},
    onError: () => {},
  });
  await done.promise;
  assert.equal(calls, 1);
  assert.equal((reported[0] as Error).message, "boom in onConnected");
  server.close();
  await server.closed;
});

Deno.test("ServerHandle works with using (Symbol.dispose)", async () => {
  let port = 0;
  let handle: ServerHandle;
  {
    using server = listen(0, {
      onIncomingConnection: () => null,
      onError: () => {},
    }, { hostname: "127.0.0.1" });
    port = server.getPort();
    handle = server;
  }
  assert.equal(handle.isListening(), false);
  await handle.closed;
  await assert.rejects(
    Deno.connect({ hostname: "127.0.0.1", port }),
    Deno.errors.ConnectionRefused,
  );
});

Deno.test("onIncomingConnection returning incomplete callbacks drops the connection and reports a TypeError", async () => {
  using uncaught = catchUncaught();
  const reported = uncaught.reported;
  const server = listen(0, {
    onIncomingConnection: () =>
      ({ onReceivedData: () => {} }) as unknown as LinkCallbacks,
    onAccepted: () => reported.push("accepted"),
    onError: () => {},
  }, { hostname: "127.0.0.1" });
  using conn = await Deno.connect({
    hostname: "127.0.0.1",
    port: server.getPort(),
  });
  assert.equal(await conn.read(new Uint8Array(8)), null);
  server.close();
  await server.closed;
  assert.equal(reported.length, 1);
  assert.equal((reported[0] as Error).name, "TypeError");
  assert.equal(
    (reported[0] as Error).message,
    "Cannot accept connection: callbacks.onError must be a function, got undefined",
  );
});

function ipv6Loopback(): boolean {
  try {
    Deno.listen({ hostname: "::1", port: 0 }).close();
    return true;
  } catch {
    return false;
  }
}

Deno.test({
  name: "links work over IPv6 loopback",
  ignore: !ipv6Loopback(),
  fn: async () => {
    const events: string[] = [];
    const server = listen(0, {
      onIncomingConnection: (ip) => {
        events.push(`incoming ${ip}`);
        return {
          onReceivedData: (link, data) => link.send(data),
          onRemoteClosed: () => events.push("server remoteClosed"),
          onError: (_link, code) => events.push(`server error ${code}`),
        };
      },
      onError: (code) => events.push(`listen ${code}`),
    }, { hostname: "::1" });
    const client = recorder({
      onConnected: (link) => link.send("over v6"),
      onData: (link) => {
        if (client.received() === "over v6") link.shutdown();
      },
    });
    connect("::1", server.getPort(), client.callbacks);
    const link = await client.terminal;
    assert.equal(client.received(), "over v6");
    assert.equal(link.getRemoteIp(), "::1");
    assert.equal(link.getLocalIp(), "::1");
    await link.closed;
    server.close();
    await server.closed;
    assert.deepEqual(events, ["incoming ::1", "server remoteClosed"]);
  },
});

Deno.test("listen keeps accepting after running out of file descriptors", async () => {
  await assertKeepsAccepting(
    "./_callback_listen_fd_limit.ts",
    "listening=true",
  );
});
