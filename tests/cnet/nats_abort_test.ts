// Copyright 2026 the moonwire authors. MIT license.
// NatsModem.connect and NatsRoom.join honour `{ signal }`: an already fired
// signal rejects before connecting, an abort while the client waits for the
// server's INFO rejects at once (and the connection that still opens after
// it is closed at once), and a signal that is not an AbortSignal is a
// TypeError. Against a real nats-server and a raw listener that accepts TCP
// and speaks NATS only when the test says so.
import assert from "node:assert/strict";
import { NatsModem } from "../../cnet/nats.ts";
import { Server } from "../../mm/mod.ts";
import { NatsRoom } from "../../mm/nats.ts";
import { assertAborted } from "../_abort.ts";
import { natsIgnore, startNatsServer } from "../_nats_server.ts";

const ignore = natsIgnore !== undefined;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A way to open an owned NATS connection with a signal, and its message. */
interface Opener {
  name: string;
  message: string;
  open(
    url: string,
    options: { signal: unknown; timeout?: number; pingInterval?: number },
  ): Promise<AsyncDisposable>;
}

const openers: Opener[] = [
  {
    name: "NatsModem.connect",
    message: "Cannot connect NATS modem",
    open: (url, options) =>
      NatsModem.connect(url, options as { signal: AbortSignal }),
  },
  {
    name: "NatsRoom.join",
    message: "Cannot join room",
    async open(url, options) {
      const server = new Server("127.0.0.1", 0);
      try {
        const room = await NatsRoom.join(server, {
          ...options as { signal: AbortSignal },
          servers: url,
          room: "lobby",
        });
        return {
          async [Symbol.asyncDispose]() {
            await room.close();
            await server.close();
          },
        };
      } catch (error) {
        await server.close();
        throw error;
      }
    },
  },
];

/** Reads from `conn` until `text` has arrived; false on end of stream. */
async function readUntil(conn: Deno.Conn, text: string): Promise<boolean> {
  const buffer = new Uint8Array(4096);
  let seen = "";
  while (!seen.includes(text)) {
    const n = await conn.read(buffer);
    if (n === null) return false;
    seen += decoder.decode(buffer.subarray(0, n));
  }
  return true;
}

for (const opener of openers) {
  Deno.test({
    name:
      `${opener.name}: an already fired signal rejects with its AbortError before connecting, and the server is fine for the next one`,
    ignore,
    async fn() {
      await using server = await startNatsServer();
      const controller = new AbortController();
      const reason = new Error("Stop");
      controller.abort(reason);
      await assertAborted(
        opener.open(server.url, { signal: controller.signal }),
        `${opener.message}: aborted`,
        reason,
      );
      // A signal that does not fire changes nothing.
      await using _opened = await opener.open(server.url, {
        signal: new AbortController().signal,
      });
    },
  });

  Deno.test({
    name:
      `${opener.name}: an already fired signal connects to nothing (no TCP connection is accepted)`,
    async fn() {
      using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
      const controller = new AbortController();
      controller.abort("gone");
      await assertAborted(
        opener.open(`nats://127.0.0.1:${listener.addr.port}`, {
          signal: controller.signal,
        }),
        `${opener.message}: aborted`,
        "gone",
      );
      // Any connect would be queued on the listener by now: a connect of
      // our own is the first one accepted.
      using probe = await Deno.connect({
        hostname: "127.0.0.1",
        port: listener.addr.port,
      });
      using accepted = await listener.accept();
      assert.equal(
        (accepted.remoteAddr as Deno.NetAddr).port,
        (probe.localAddr as Deno.NetAddr).port,
      );
    },
  });

  Deno.test({
    name:
      `${opener.name}: an abort while the client waits for INFO rejects at once; the connection that opens after it is closed at once`,
    async fn() {
      using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
      const controller = new AbortController();
      const reason = new Error("Stop");
      // A long connect timeout and ping interval: only the abort can end
      // the wait early, and only the abort's close can end the connection.
      const opening = opener.open(`nats://127.0.0.1:${listener.addr.port}`, {
        signal: controller.signal,
        timeout: 60_000,
        pingInterval: 60_000,
      });
      let settled = false;
      opening.finally(() => settled = true).catch(() => {});
      // The client is connected over TCP and waits for the server's INFO.
      using conn = await listener.accept();
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.equal(settled, false);
      const aborted = performance.now();
      controller.abort(reason);
      await assertAborted(opening, `${opener.message}: aborted`, reason);
      const elapsed = performance.now() - aborted;
      assert.ok(elapsed < 2000, `took ${elapsed} ms`);
      // Now the server answers after all: the late connection opens...
      await conn.write(encoder.encode(
        'INFO {"server_id":"late","version":"2.10.0","proto":1,"max_payload":1048576,"headers":true}\r\n',
      ));
      assert.ok(await readUntil(conn, "PING\r\n"), "no CONNECT and PING");
      await conn.write(encoder.encode("PONG\r\n"));
      // ... and is closed at once: the client ends the TCP connection.
      let timer: ReturnType<typeof setTimeout> | undefined;
      const ended = await Promise.race([
        readUntil(conn, "\0never\0").then(() => "closed"),
        new Promise((resolve) => timer = setTimeout(resolve, 5000, "open")),
      ]);
      clearTimeout(timer);
      assert.equal(ended, "closed");
    },
  });

  Deno.test({
    name:
      `${opener.name}: a signal that is not an AbortSignal is a TypeError naming its type`,
    ignore,
    async fn() {
      await using server = await startNatsServer();
      for (
        const [signal, got] of [
          [{ aborted: true }, "object"],
          [null, "null"],
          ["stop", "string"],
        ] as const
      ) {
        await assert.rejects(opener.open(server.url, { signal }), {
          name: "TypeError",
          message:
            `${opener.message}: signal must be an AbortSignal, got ${got}`,
        });
      }
    },
  });
}
