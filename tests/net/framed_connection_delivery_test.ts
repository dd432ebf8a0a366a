// Copyright 2026 the moonwire authors. MIT license.
// The delivery guarantee of FramedConnection (DESIGN §3): a frame whose
// send was accepted arrives exactly once and in order, whatever the program
// does between two sends (tests/_schedule.ts), with write coalescing, a full
// queue, keepalive pings, and graceful close.
import assert from "node:assert/strict";
import type {
  FramedConnection,
  FramedConnectionOptions,
} from "../../net/framed_connection.ts";
import { type Pause, pauses, randomPause, testSeed } from "../_schedule.ts";
import { pair } from "./_framed_pair.ts";
import { utf8, within } from "./_delivery.ts";

const decoder = new TextDecoder();

// Reads `count` frames as text, each within the delivery bound.
async function readFrames(
  conn: FramedConnection,
  count: number,
  what: string,
): Promise<string[]> {
  const out: string[] = [];
  while (out.length < count) {
    const frame = await within(conn.read(), `${what} (frame ${out.length})`);
    assert.notEqual(frame, null, `${what}: end after ${out.length} frames`);
    out.push(decoder.decode(frame!));
  }
  return out;
}

type Sender = (conn: FramedConnection, tag: string) => Promise<void>;

// The ways a program hands frames over; each is sent, then a pause, then
// sent again. The frames a sender sends are `${tag}.0`, `${tag}.1`.
const senders: Record<string, { frames: number; send: Sender }> = {
  "send (not awaited)": {
    frames: 1,
    send: (conn, tag) => {
      conn.send(utf8(`${tag}.0`));
      return Promise.resolve();
    },
  },
  "send (awaited)": {
    frames: 1,
    send: (conn, tag) => conn.send(utf8(`${tag}.0`)),
  },
  "sendMany": {
    frames: 2,
    send: (conn, tag) => {
      conn.sendMany([utf8(`${tag}.0`), utf8(`${tag}.1`)]);
      return Promise.resolve();
    },
  },
  "ready then send": {
    frames: 1,
    send: async (conn, tag) => {
      await conn.ready();
      conn.send(utf8(`${tag}.0`));
    },
  },
};

function expected(tag: string, frames: number): string[] {
  return Array.from({ length: frames }, (_, i) => `${tag}.${i}`);
}

// For every pause: send, pause, send (a→b and b→a); everything arrives.
async function sweep(
  options: FramedConnectionOptions,
  list: Pause[] = pauses(),
): Promise<void> {
  await using conns = await pair(options, options);
  for (const [name, { frames, send }] of Object.entries(senders)) {
    for (const pause of list) {
      for (
        const [from, to, dir] of [
          [conns.client, conns.server, "client→server"],
          [conns.server, conns.client, "server→client"],
        ] as const
      ) {
        const what = `${name}, ${pause.name}, ${dir}`;
        await send(from, "a");
        await pause.wait();
        await send(from, "b");
        assert.deepEqual(
          await readFrames(to, 2 * frames, what),
          [...expected("a", frames), ...expected("b", frames)],
          what,
        );
      }
    }
  }
}

Deno.test("FramedConnection delivers send, pause, send at every pause, both directions", async () => {
  await sweep({});
});

Deno.test("FramedConnection delivers across pauses with a queue that fills (sends wait)", async () => {
  // 12 bytes per frame: the second frame waits for the first to be written.
  await sweep({ maxQueuedBytes: 12 });
});

Deno.test("FramedConnection delivers across pauses while keepalive pings flow", async () => {
  await sweep({ keepAlive: { interval: 1, maxMissed: 1000 } });
});

Deno.test("FramedConnection delivers across pauses while the first write is still in flight", async () => {
  // A 512 KiB frame keeps a write in flight over the pause.
  await using conns = await pair();
  const big = new Uint8Array(512 * 1024).fill(7);
  for (const pause of pauses()) {
    conns.client.send(big);
    await pause.wait();
    conns.client.send(utf8("after"));
    const first = await within(conns.server.read(), `big, ${pause.name}`);
    assert.equal(first?.length, big.length);
    assert.deepEqual(await readFrames(conns.server, 1, pause.name), ["after"]);
  }
});

Deno.test("FramedConnection close after a pause delivers everything, then the end (also with keepalive pings)", async () => {
  const keepAlive = { interval: 1, maxMissed: 1000 };
  for (const options of [{}, { keepAlive }]) {
    for (const pause of pauses()) {
      for (const [name, { frames, send }] of Object.entries(senders)) {
        for (const side of ["client", "server"] as const) {
          const what = `${name}, ${pause.name}, then ${side} closes${
            "keepAlive" in options ? ", keepalive" : ""
          }`;
          await closeAfterPause(options, pause, send, frames, side, what);
        }
      }
    }
  }
});

async function closeAfterPause(
  options: FramedConnectionOptions,
  pause: Pause,
  send: Sender,
  frames: number,
  side: "client" | "server",
  what: string,
): Promise<void> {
  await using conns = await pair(options, options);
  const [from, to] = side === "client"
    ? [conns.client, conns.server]
    : [conns.server, conns.client];
  await send(from, "a");
  await pause.wait();
  await send(from, "b");
  await pause.wait();
  const closing = from.close();
  assert.deepEqual(
    await readFrames(to, 2 * frames, what),
    [...expected("a", frames), ...expected("b", frames)],
    what,
  );
  assert.equal(await within(to.read(), `${what}: end`), null);
  await within(closing, `${what}: close()`);
}

Deno.test("FramedConnection delivers a seeded random mix of sends and pauses in order, both directions", async () => {
  const { random } = testSeed("framed random schedule");
  await using conns = await pair(
    { maxQueuedBytes: 64 },
    { keepAlive: { interval: 1, maxMissed: 1000 } },
  );
  const ends = [conns.client, conns.server];
  const sent: string[][] = [[], []];
  const names = Object.keys(senders);
  for (let step = 0; step < 300; step++) {
    const from = random() < 0.5 ? 0 : 1;
    const name = names[Math.floor(random() * names.length)];
    const tag = `${step}`;
    await senders[name].send(ends[from], tag);
    sent[from].push(...expected(tag, senders[name].frames));
    await randomPause(random).wait();
  }
  for (const from of [0, 1] as const) {
    const to = ends[from === 0 ? 1 : 0];
    const what = `random schedule, ${from === 0 ? "client" : "server"} sent`;
    assert.deepEqual(
      await readFrames(to, sent[from].length, what),
      sent[from],
      what,
    );
  }
});
