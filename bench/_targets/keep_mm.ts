// Copyright 2026 the moonwire authors. MIT license.
// Keep: mm plaintext 64 B tables vs Deno WebSocket 64 B messages, and mm
// encrypted 64 B tables vs plaintext, one way client → server on loopback.
import { encodeTable } from "../../net/mod.ts";
import {
  perSecond,
  ratioRow,
  type Sample,
  type Target,
  timed,
} from "./_target.ts";
import { CIPHER_KEY, mmOneWayTime, SMALL_TABLE } from "./_mm.ts";
import {
  closeWebSocket,
  openWebSocket,
  webSocketServer,
} from "../_loopback.ts";

const COUNT = 20_000;
const TABLE = SMALL_TABLE;
if (encodeTable(TABLE).length !== 64) {
  throw new Error("Cannot run keep target: table is not 64 bytes");
}

/** A WebSocket pair through Deno.serve; the server counts messages. */
async function webSocketRun(count: number): Promise<number> {
  const done = Promise.withResolvers<void>();
  let received = 0;
  const server = webSocketServer((socket) => {
    socket.onmessage = () => {
      if (++received === count) done.resolve();
    };
  });
  try {
    const socket = await openWebSocket(`ws://127.0.0.1:${server.addr.port}`);
    const message = new Uint8Array(64).fill(120);
    const ms = await timed(async () => {
      for (let i = 0; i < count; i++) socket.send(message);
      await done.promise;
    });
    await closeWebSocket(socket);
    return ms;
  } finally {
    await server.shutdown();
  }
}

/** Makes the keep target (mm vs WebSocket, encrypted vs plaintext). */
export function keepTarget(): Target {
  return {
    title: `Keep: mm 64 B tables vs Deno WebSocket, encrypted vs plaintext, ` +
      `${COUNT} messages`,
    rounds: 5,
    warmup: true,
    rows: [
      ratioRow(
        "Keep mm plain vs WebSocket",
        (b, m) => b.ws / m.plain,
        1.0,
        ">=",
        (b, m) => {
          const rate = (samples: Sample[], key: string) =>
            (perSecond(COUNT, samples, key) / 1000).toFixed(0);
          return `${rate(m, "plain")}k vs ${rate(b, "ws")}k messages/s, ` +
            `encrypted ${rate(m, "encrypted")}k/s`;
        },
      ),
      // Both figures come from moonwire's side of the same round.
      ratioRow(
        "Keep mm encrypted vs plain",
        (_, m) => m.plain / m.encrypted,
        0.8,
      ),
    ],
    async measure(side): Promise<Sample> {
      if (side === "baseline") return { ws: await webSocketRun(COUNT) };
      return {
        plain: await mmOneWayTime(TABLE, COUNT),
        encrypted: await mmOneWayTime(TABLE, COUNT, CIPHER_KEY),
      };
    },
    async close() {},
  };
}
