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
  { label: "64 B", size: 64, count: 300_000, goal: 0.5 },
  { label: "1 KiB", size: 1024, count: 60_000, goal: 0.8 },
  { label: "64 KiB", size: 64 * 1024, count: 1_000, goal: 0.8 },
];
// The producer waits for room (ready()) only when this much is queued.
const HIGH_WATER = 256 * 1024;
// Transfers per side per round; the fastest counts (least disturbed).
const REPEATS = 5;
// The raw writer's block: the size of a full moonwire send arena.
const BLOCK = 256 * 1024;

interface Case {
  label: string;
  payload: Uint8Array;
  count: number;
  /** Up to 256 KiB of pre-framed frames, written again and again. */
  block: Uint8Array;
  /** The frames a last, shorter block carries (count % frames per block). */
  tail: Uint8Array;
  blocks: number;
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

// The raw side writes one cache-hot block of pre-framed bytes over and over
// (the best case for it, as moonwire reuses its send arenas), rather than
// one buffer of the whole transfer that does not fit in the CPU cache.
async function rawTransfer(c: Case, buffer: Uint8Array): Promise<void> {
  const [client, server] = c.raw;
  const total = c.block.length * c.blocks + c.tail.length;
  await Promise.all([
    readTotal(server, buffer, total),
    (async () => {
      for (let i = 0; i < c.blocks; i++) await writeAll(client, c.block);
      if (c.tail.length > 0) await writeAll(client, c.tail);
    })(),
  ]);
}

/** Makes the P1 target: one persistent pair per size and side. */
export async function framedTarget(): Promise<Target> {
  const cases: Case[] = [];
  for (const { label, size, count } of CASES) {
    const payload = new Uint8Array(size).fill(7);
    const [client, server] = await tcpPair();
    const [rawClient, rawServer] = await tcpPair();
    const perBlock = Math.max(1, Math.floor(BLOCK / (size + 4)));
    const frames = (n: number) =>
      new FrameEncoder().encodeMany(Array.from({ length: n }, () => payload));
    cases.push({
      label,
      payload,
      count,
      block: frames(perBlock),
      tail: frames(count % perBlock),
      blocks: Math.floor(count / perBlock),
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
