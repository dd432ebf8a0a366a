// Copyright 2026 the moonwire authors. MIT license.
// Test helpers for mm: event collection with timeouts and a frame-aware TCP
// man-in-the-middle proxy that can modify, replay, reorder, inject or cut
// frames in either direction.
import assert from "node:assert/strict";
import net from "node:net";
import {
  EVENT_CONNECTED,
  type NetworkEvent,
  type NetworkObject,
} from "../../mm/network_event.ts";
import type { NetworkEvents } from "../../mm/network_events.ts";
import type { LuaTable } from "../../net/table_codec.ts";
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
export class EventLog<Packet = LuaTable> {
  readonly all: NetworkEvent<Packet>[] = [];
  #events: NetworkEvents<Packet>;
  constructor(events: NetworkEvents<Packet>) {
    this.#events = events;
  }
  poll(): NetworkEvent<Packet>[] {
    this.all.push(...this.#events.poll());
    return this.all;
  }
  /** Waits until `predicate` holds for the events so far. */
  until(
    what: string,
    predicate: (all: NetworkEvent<Packet>[]) => boolean,
    timeout = 10_000,
  ): Promise<NetworkEvent<Packet>[]> {
    return waitFor(what, () => predicate(this.poll()) && this.all, timeout);
  }
  /** Waits until `count` events match `predicate`; returns them. */
  async count(
    what: string,
    count: number,
    predicate: (event: NetworkEvent<Packet>) => boolean,
    timeout = 10_000,
  ): Promise<NetworkEvent<Packet>[]> {
    await this.until(
      what,
      (all) => all.filter(predicate).length >= count,
      timeout,
    );
    return this.all.filter(predicate);
  }
  /** Removes and returns everything collected so far. */
  take(): NetworkEvent<Packet>[] {
    this.poll();
    return this.all.splice(0);
  }
}

/**
 * A transform of one direction's frames (header included): what to forward
 * instead. An array with `end` set forwards it and then cuts the connection
 * on both sides: `"fin"` ends both streams (end of stream, as a peer that
 * closes would), `"reset"` resets both (TCP RST); nothing more passes either
 * way.
 */
export type FrameTransform = (
  index: number,
  frame: Uint8Array,
) => Uint8Array[] & { end?: "fin" | "reset" };

/** The frames of one direction a {@linkcode FrameProxy} rewrites. */
export interface FrameProxyOptions {
  /** Client → server frames; without it the bytes pass untouched. */
  toServer?: FrameTransform;
  /** Server → client frames; without it the bytes pass untouched. */
  toClient?: FrameTransform;
}

/** Forwards `frames` and then cuts the connection after a frame, as `end` says. */
export function cutAt(
  frames: Uint8Array[],
  end: "fin" | "reset",
): Uint8Array[] & { end: "fin" | "reset" } {
  return Object.assign(frames, { end });
}

/**
 * A man-in-the-middle TCP proxy for one or more connections to `targetPort`.
 * Each direction's bytes are cut into frames (u32 BE length + payload) that
 * go through that direction's transform, or pass untouched without one.
 * Built on `node:net`, whose sockets can send a TCP reset.
 */
export class FrameProxy implements AsyncDisposable {
  readonly port: number;
  #server: net.Server;
  #targetPort: number;
  #options: FrameProxyOptions;
  #sockets = new Set<net.Socket>();
  #closed = new Set<Promise<void>>();

  private constructor(
    server: net.Server,
    targetPort: number,
    options: FrameProxyOptions,
  ) {
    this.#server = server;
    this.#targetPort = targetPort;
    this.#options = options;
    this.port = (server.address() as net.AddressInfo).port;
    server.on("connection", (down) => this.#pair(down));
  }

  /** Listens on 127.0.0.1 (a port of its own) in front of `targetPort`. */
  static async listen(
    targetPort: number,
    options: FrameProxyOptions,
  ): Promise<FrameProxy> {
    const server = net.createServer({ allowHalfOpen: true });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", resolve);
    });
    return new FrameProxy(server, targetPort, options);
  }

  #track(socket: net.Socket): void {
    // Without Nagle's delay every forwarded frame is on the wire before a
    // reset (which drops whatever the kernel still holds back).
    socket.setNoDelay(true);
    this.#sockets.add(socket);
    const closed = new Promise<void>((resolve) =>
      socket.once("close", resolve)
    );
    this.#closed.add(closed);
    closed.then(() => {
      this.#sockets.delete(socket);
      this.#closed.delete(closed);
    });
    // Resets and refusals are part of the game: they just end the pair.
    socket.on("error", () => {});
  }

  #pair(down: net.Socket): void {
    this.#track(down);
    const up = net.connect({
      port: this.#targetPort,
      host: "127.0.0.1",
      allowHalfOpen: true,
    });
    this.#track(up);
    const link = { cut: false };
    const cut = (end: "fin" | "reset") => {
      link.cut = true;
      for (const socket of [up, down]) {
        if (end === "fin") socket.end();
        else socket.resetAndDestroy();
      }
    };
    up.once("close", () => {
      if (!link.cut) down.destroy();
    });
    down.once("close", () => {
      if (!link.cut) up.destroy();
    });
    this.#forward(down, up, this.#options.toServer, link, cut);
    this.#forward(up, down, this.#options.toClient, link, cut);
  }

  #forward(
    from: net.Socket,
    to: net.Socket,
    transform: FrameTransform | undefined,
    link: { cut: boolean },
    cut: (end: "fin" | "reset") => void,
  ): void {
    let pending = new Uint8Array(0);
    let index = 0;
    // Writes complete in order: the last one tells when all reached the kernel.
    let written = Promise.resolve();
    const write = (bytes: Uint8Array) => {
      written = new Promise((resolve) => to.write(bytes, () => resolve()));
    };
    from.on("data", (chunk: Uint8Array) => {
      if (link.cut) return; // after a cut nothing passes
      if (transform === undefined) {
        write(chunk);
        return;
      }
      const joined = new Uint8Array(pending.length + chunk.length);
      joined.set(pending);
      joined.set(chunk, pending.length);
      let offset = 0;
      while (joined.length - offset >= 4) {
        const length = new DataView(joined.buffer, offset).getUint32(0);
        if (joined.length - offset < 4 + length) break;
        const frame = joined.slice(offset, offset + 4 + length);
        offset += 4 + length;
        const outs = transform(index++, frame);
        for (const out of outs) write(out);
        if (outs.end !== undefined) {
          const end = outs.end;
          link.cut = true;
          // Cut once what was forwarded reached the kernel.
          written.then(() => cut(end));
          return;
        }
      }
      pending = joined.slice(offset);
    });
    from.on("end", () => {
      if (!link.cut) to.end();
    });
  }

  /** Stops listening and closes every connection. */
  async close(): Promise<void> {
    // The server's callback waits for its connections: destroy them first.
    const stopped = new Promise<void>((resolve) =>
      this.#server.close(() => resolve())
    );
    for (const socket of this.#sockets) socket.destroy();
    while (this.#closed.size > 0) await Promise.all([...this.#closed]);
    await stopped;
  }

  /** Same as {@linkcode close}. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/**
 * A proxy to `port` that records the length of every frame (header
 * included) the client sends, in order.
 */
export async function frameRecorder(
  port: number,
): Promise<{ proxy: FrameProxy; frames: number[] }> {
  const frames: number[] = [];
  const proxy = await FrameProxy.listen(port, {
    toServer: (_index, frame) => {
      frames.push(frame.length);
      return [frame];
    },
  });
  return { proxy, frames };
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

/** The errors text when the peer closed with tables of ours still queued. */
export const LOST =
  /^Cannot send to 127\.0\.0\.1:\d+: peer closed with (\d+) tables? not delivered$/;

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
