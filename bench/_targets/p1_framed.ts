// Copyright 2026 the moonwire authors. MIT license.
// P1: FramedConnection as mm and cnet use it (borrowFrames, send() per
// frame, readMany()) vs a raw Deno.Conn writing the same pre-framed bytes
// and a raw reader taking them, one way over loopback TCP.
import { FramedConnection, FrameEncoder } from "../../net/mod.ts";
import {
  perSecond,
  ratioRow,
  type Sample,
  type Target,
  timed,
} from "./_target.ts";
import { readTotal, tcpPair, writeAll } from "../_loopback.ts";

const CASES = [
  { label: "64 B", size: 64, count: 100_000, goal: 0.5 },
  { label: "1 KiB", size: 1024, count: 20_000, goal: 0.8 },
  { label: "64 KiB", size: 64 * 1024, count: 400, goal: 0.8 },
];
// The producer waits for room (ready()) only when this much is queued.
const HIGH_WATER = 256 * 1024;
// Transfers per side per round; the fastest counts (least disturbed).
const REPEATS = 3;

interface Case {
  label: string;
  payload: Uint8Array;
  count: number;
  framed: Uint8Array;
  raw: [Deno.TcpConn, Deno.TcpConn];
  moonwire: [FramedConnection, FramedConnection];
}

async function framedTransfer(c: Case): Promise<void> {
  const [sender, receiver] = c.moonwire;
  const reading = (async () => {
    for (let got = 0; got < c.count;) {
      const frames = await receiver.readMany();
      if (frames === null) throw new Error("Cannot read frames: early end");
      got += frames.length;
    }
  })();
  for (let i = 0; i < c.count; i++) {
    if (sender.pendingBytes >= HIGH_WATER) await sender.ready();
    sender.send(c.payload);
  }
  await reading;
}

async function rawTransfer(c: Case, buffer: Uint8Array): Promise<void> {
  const [client, server] = c.raw;
  await Promise.all([
    readTotal(server, buffer, c.framed.length),
    writeAll(client, c.framed),
  ]);
}

/** Makes the P1 target: one persistent pair per size and side. */
export async function framedTarget(): Promise<Target> {
  const cases: Case[] = [];
  for (const { label, size, count } of CASES) {
    const payload = new Uint8Array(size).fill(7);
    const [client, server] = await tcpPair();
    const [rawClient, rawServer] = await tcpPair();
    cases.push({
      label,
      payload,
      count,
      framed: new FrameEncoder().encodeMany(
        Array.from({ length: count }, () => payload),
      ),
      raw: [rawClient, rawServer],
      moonwire: [
        new FramedConnection(client, { borrowFrames: true }),
        new FramedConnection(server, { borrowFrames: true }),
      ],
    });
  }
  const buffer = new Uint8Array(256 * 1024);
  return {
    title: "P1 FramedConnection (borrowFrames, send + readMany) vs raw " +
      "Deno.Conn, same framed bytes",
    rounds: 7,
    warmup: true,
    rows: CASES.map(({ label, size, count, goal }) =>
      ratioRow(
        `P1 ${label}`,
        (b, m) => b[label] / m[label],
        goal,
        ">=",
        (b, m) => {
          const rate = (samples: Sample[]) =>
            (perSecond((size + 4) * count / 1e6, samples, label)).toFixed(0);
          return `${rate(m)} MB/s vs raw ${rate(b)} MB/s`;
        },
      )
    ),
    async measure(side) {
      const sample: Sample = {};
      for (const c of cases) {
        let best = Infinity;
        for (let i = 0; i < REPEATS; i++) {
          best = Math.min(
            best,
            await timed(() =>
              side === "baseline" ? rawTransfer(c, buffer) : framedTransfer(c)
            ),
          );
        }
        sample[c.label] = best;
      }
      return sample;
    },
    async close() {
      for (const c of cases) {
        c.raw[0].close();
        c.raw[1].close();
        await c.moonwire[0].close();
        await c.moonwire[1].close();
      }
    },
  };
}
