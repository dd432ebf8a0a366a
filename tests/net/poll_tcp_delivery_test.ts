// Copyright 2026 the moonwire authors. MIT license.
// The delivery guarantee of the polling Tcp (DESIGN §3): bytes write()
// counted arrive exactly once and in order whatever the program does
// between two writes (tests/_schedule.ts), in both directions (openTcp and
// the Tcp a Server accepted), over TLS too; getPendingWrites() and
// waitUntilDrained() see every counted byte until it is handed to the
// socket, so drain-then-close delivers everything, then the end of stream.
import assert from "node:assert/strict";
import { resolveAddress } from "../../net/address.ts";
import { setCacertPath } from "../../net/cacert_path.ts";
import { createServer } from "../../net/server.ts";
import { openTcp, type Tcp } from "../../net/tcp.ts";
import { type Pause, pauses } from "../_schedule.ts";
import { ignoreReason } from "../_tools.ts";
import { makeTestCertificates } from "../_certs.ts";
import {
  DELIVERY_BOUND_MS,
  fewerPauses,
  randomSchedule,
  sweepBothWays,
  within,
} from "./_delivery.ts";
import { pollFor, readExactly, readToEnd } from "./_poll_helpers.ts";
import { tlsEcho } from "./_tls_echo.ts";

const decoder = new TextDecoder();
const opensslMissing = ignoreReason("openssl");
const local = resolveAddress("127.0.0.1");

async function tcpPair(): Promise<[Tcp, Tcp, AsyncDisposable]> {
  const server = createServer(local, 0);
  const client = openTcp(local, server.getPort());
  assert.equal(await client.waitUntilConnected(5000), "success");
  const accepted = await pollFor(() => server.accept());
  return [client, accepted, server];
}

async function closeAll(...all: AsyncDisposable[]): Promise<void> {
  for (const each of all) await each[Symbol.asyncDispose]();
}

// Reads exactly `text` (polling, within the bound) or fails naming `what`.
async function expectText(tcp: Tcp, text: string, what: string) {
  const got = await readExactly(tcp, text.length, DELIVERY_BOUND_MS);
  assert.equal(decoder.decode(got), text, what);
}

type Writer = (tcp: Tcp, text: string) => Promise<void>;

const writers: Record<string, Writer> = {
  "write": (tcp, text) => {
    assert.equal(tcp.write(text), text.length);
    return Promise.resolve();
  },
  "write, then waitUntilDrained": async (tcp, text) => {
    assert.equal(tcp.write(text), text.length);
    assert.equal(await within(tcp.waitUntilDrained(-1), "drain"), 0);
    assert.equal(tcp.getPendingWrites(), 0);
  },
  "write, then getPendingWrites": (tcp, text) => {
    assert.equal(tcp.write(new TextEncoder().encode(text)), text.length);
    // Counted bytes are pending until the socket took them.
    assert.ok(tcp.getPendingWrites() >= text.length);
    return Promise.resolve();
  },
};

function sweep(ends: [Tcp, Tcp], list: Pause[]): Promise<void> {
  return sweepBothWays(writers, list, {
    send: (write, from, text) => write(ends[from], text),
    expect: (to, text, what) => expectText(ends[to], text, what),
  });
}

Deno.test("Tcp delivers write, pause, write at every pause, both directions", async () => {
  const [client, accepted, server] = await tcpPair();
  await sweep([client, accepted], pauses());
  await closeAll(client, accepted, server);
});

Deno.test("Tcp write, pause, write, waitUntilDrained, close: the peer gets everything, then the end", async () => {
  for (const pause of pauses()) {
    for (const from of [0, 1] as const) {
      const what = `${pause.name}, ${from === 0 ? "client" : "server"} closes`;
      const [client, accepted, server] = await tcpPair();
      const ends = [client, accepted];
      assert.equal(ends[from].write("a;"), 2);
      await pause.wait();
      assert.equal(ends[from].write("b;"), 2);
      await pause.wait();
      assert.equal(
        await within(ends[from].waitUntilDrained(-1), what),
        0,
        what,
      );
      assert.equal(ends[from].getPendingWrites(), 0, what);
      ends[from].close();
      const rest = await readToEnd(ends[from === 0 ? 1 : 0], DELIVERY_BOUND_MS);
      assert.equal(decoder.decode(rest), "a;b;", what);
      await closeAll(client, accepted, server);
    }
  }
});

Deno.test({
  name: "Tcp over TLS delivers write, pause, write, and the echo comes back",
  ignore: opensslMissing !== undefined,
  async fn() {
    using certs = makeTestCertificates();
    setCacertPath(certs.caCertPath);
    const server = tlsEcho(certs);
    const tcp = openTcp(local, server.port, true);
    assert.equal(await tcp.waitUntilConnected(5000), "success");
    for (const [name, write] of Object.entries(writers)) {
      for (const pause of fewerPauses()) {
        const what = `TLS, ${name}, ${pause.name}`;
        await write(tcp, "a;");
        await pause.wait();
        await write(tcp, "b;");
        await expectText(tcp, "a;b;", what);
      }
    }
    assert.equal(await tcp.waitUntilDrained(-1), 0);
    tcp.close();
    await tcp.closed;
    await server.done;
    server.listener.close();
  },
});

Deno.test("Tcp delivers a seeded random mix of writes and pauses in order, both directions", async () => {
  const [client, accepted, server] = await tcpPair();
  const ends = [client, accepted];
  await randomSchedule("polling tcp random schedule", writers, {
    send: (write, from, text) => write(ends[from], text),
    expect: (to, text, what) => expectText(ends[to], text, what),
  });
  await closeAll(client, accepted, server);
});
