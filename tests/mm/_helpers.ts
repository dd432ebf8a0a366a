// Copyright 2026 the moonwire authors. MIT license.
// Test helpers for mm: event collection with timeouts and a frame-aware TCP
// man-in-the-middle proxy that can modify, replay or reorder frames.
import assert from "node:assert/strict";
import {
  EVENT_CONNECTED,
  type NetworkEvent,
  type NetworkObject,
} from "../../mm/network_event.ts";
import type { NetworkEvents } from "../../mm/network_events.ts";
import { concat } from "../_bytes.ts";

export const KEY = "0C03EA65238DD2C25EB87CE563868098";
export const KEY_256 =
  "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `fn` until it returns a value other than undefined/false. */
export async function waitFor<T>(
  what: string,
  fn: () => T | undefined | false,
  timeout = 10_000,
): Promise<T> {
  const start = performance.now();
  for (;;) {
    const value = fn();
    if (value !== undefined && value !== false) return value;
    if (performance.now() - start > timeout) {
      throw new Error(`Timed out after ${timeout} ms waiting for ${what}`);
    }
    await delay(5);
  }
}

/** Keeps every polled event so tests can wait for and assert sequences. */
export class EventLog {
  readonly all: NetworkEvent[] = [];
  #events: NetworkEvents;
  constructor(events: NetworkEvents) {
    this.#events = events;
  }
  poll(): NetworkEvent[] {
    this.all.push(...this.#events.poll());
    return this.all;
  }
  /** Waits until `predicate` holds for the events so far. */
  until(
    what: string,
    predicate: (all: NetworkEvent[]) => boolean,
    timeout = 10_000,
  ): Promise<NetworkEvent[]> {
    return waitFor(what, () => predicate(this.poll()) && this.all, timeout);
  }
  /** Waits until `count` events match `predicate`; returns them. */
  async count(
    what: string,
    count: number,
    predicate: (event: NetworkEvent) => boolean,
    timeout = 10_000,
  ): Promise<NetworkEvent[]> {
    await this.until(
      what,
      (all) => all.filter(predicate).length >= count,
      timeout,
    );
    return this.all.filter(predicate);
  }
  /** Removes and returns everything collected so far. */
  take(): NetworkEvent[] {
    this.poll();
    return this.all.splice(0);
  }
}

/**
 * A transform of the client → server frames (header included). Returning an
 * array with `close: true` forwards it and then closes both sides.
 */
export type FrameTransform = (
  index: number,
  frame: Uint8Array,
) => Uint8Array[] & { close?: boolean };

/**
 * A TCP proxy for one or more connections. Server → client bytes pass
 * through untouched; client → server bytes are cut into frames (u32 BE
 * length + payload) and each frame goes through `transform`.
 */
export class FrameProxy {
  readonly port: number;
  #listener: Deno.TcpListener;
  #targetPort: number;
  #transform: FrameTransform;
  #conns = new Set<Deno.Conn>();
  #tasks = new Set<Promise<void>>();
  #acceptTask: Promise<void>;

  constructor(targetPort: number, transform: FrameTransform) {
    this.#targetPort = targetPort;
    this.#transform = transform;
    this.#listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    this.port = this.#listener.addr.port;
    this.#acceptTask = this.#accept();
  }

  async #accept(): Promise<void> {
    for (;;) {
      let down: Deno.Conn;
      try {
        down = await this.#listener.accept();
      } catch {
        return;
      }
      const task = this.#pair(down);
      this.#tasks.add(task);
      task.finally(() => this.#tasks.delete(task));
    }
  }

  async #pair(down: Deno.Conn): Promise<void> {
    this.#conns.add(down);
    let up: Deno.Conn;
    try {
      up = await Deno.connect({
        hostname: "127.0.0.1",
        port: this.#targetPort,
      });
    } catch {
      this.#close(down);
      return;
    }
    this.#conns.add(up);
    const closeBoth = () => {
      this.#close(down);
      this.#close(up);
    };
    await Promise.all([
      this.#pipe(up, down).finally(closeBoth),
      this.#pipeFrames(down, up).finally(closeBoth),
    ]);
  }

  async #pipe(from: Deno.Conn, to: Deno.Conn): Promise<void> {
    const buffer = new Uint8Array(65536);
    try {
      for (;;) {
        const n = await from.read(buffer);
        if (n === null) return;
        await writeAll(to, buffer.subarray(0, n));
      }
    } catch {
      // Either side closed.
    }
  }

  async #pipeFrames(from: Deno.Conn, to: Deno.Conn): Promise<void> {
    const buffer = new Uint8Array(65536);
    let pending = new Uint8Array(0);
    let index = 0;
    try {
      for (;;) {
        const n = await from.read(buffer);
        if (n === null) return;
        const joined = new Uint8Array(pending.length + n);
        joined.set(pending);
        joined.set(buffer.subarray(0, n), pending.length);
        let offset = 0;
        while (joined.length - offset >= 4) {
          const length = new DataView(joined.buffer, offset).getUint32(0);
          if (joined.length - offset < 4 + length) break;
          const frame = joined.slice(offset, offset + 4 + length);
          offset += 4 + length;
          const outs = this.#transform(index++, frame);
          for (const out of outs) await writeAll(to, out);
          if (outs.close) return;
        }
        pending = joined.slice(offset);
      }
    } catch {
      // Either side closed.
    }
  }

  #close(conn: Deno.Conn): void {
    if (!this.#conns.delete(conn)) return;
    try {
      conn.close();
    } catch {
      // Already closed.
    }
  }

  async close(): Promise<void> {
    this.#listener.close();
    await this.#acceptTask;
    for (const conn of [...this.#conns]) this.#close(conn);
    while (this.#tasks.size > 0) await Promise.allSettled([...this.#tasks]);
  }
}

export async function writeAll(
  conn: Deno.Conn,
  data: Uint8Array,
): Promise<void> {
  let offset = 0;
  while (offset < data.length) {
    offset += await conn.write(data.subarray(offset));
  }
}

/** Reads until end of stream; returns every byte. */
export async function readAll(conn: Deno.Conn): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  const buffer = new Uint8Array(65536);
  try {
    for (;;) {
      const n = await conn.read(buffer);
      if (n === null) break;
      chunks.push(buffer.slice(0, n));
    }
  } catch {
    // Reset counts as the end here.
  }
  return concat(chunks);
}

/** Values that are not tables, with the kind send()'s TypeError names. */
export const NOT_TABLES = [
  [42, "number"],
  ["text", "string"],
  [null, "null"],
  [true, "boolean"],
  [new Uint8Array(1), "Uint8Array"],
  [new Date(0), "Date"],
] as const;

/** The TypeError send() throws for a value of `kind` that is not a table. */
export function notATableError(
  kind: string,
): { name: string; message: string } {
  return {
    name: "TypeError",
    message:
      `Cannot send message: expected a table (array, plain object or Map), got ${kind}`,
  };
}

/** A loopback port that nothing listens on (just closed). */
export function unusedPort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = listener.addr.port;
  listener.close();
  return port;
}

/**
 * Waits for `client`'s `EVENT_CONNECTED` with `result: false` after failing
 * to reach `port`; returns it.
 */
export async function connectFailure(
  log: EventLog,
  client: NetworkObject,
  port: number,
): Promise<NetworkEvent> {
  const [event] = await log.count(
    "EVENT_CONNECTED",
    1,
    (e) => e.event === EVENT_CONNECTED && e.object === client,
  );
  assert.equal(event.event === EVENT_CONNECTED && event.result, false);
  assert.match(
    event.errors,
    new RegExp(`^Cannot connect to 127\\.0\\.0\\.1:${port}: `),
  );
  return event;
}
