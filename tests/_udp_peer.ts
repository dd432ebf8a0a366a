// Copyright 2026 the moonwire authors. MIT license.
// A raw `Deno.listenDatagram` peer on 127.0.0.1 (no moonwire code on the
// receiving side) that records every datagram it gets, for the datagram
// delivery tests of the net and cnet modules.
import assert from "node:assert/strict";

const decoder = new TextDecoder();

/** A recording UDP peer; see {@linkcode rawUdpPeer}. */
export interface RawUdpPeer extends AsyncDisposable {
  /** The peer's port on 127.0.0.1. */
  readonly port: number;
  /** Every datagram received so far, in arrival order. */
  readonly received: Uint8Array[];
  /**
   * Waits until `count` datagrams in all have arrived; throws after
   * `timeout` ms naming `what` and what did arrive.
   */
  waitFor(count: number, what: string, timeout?: number): Promise<void>;
  /**
   * Adds `texts` to the datagrams this peer must have received, waits for
   * them and asserts that everything received so far, decoded as UTF-8
   * after `skip` header bytes, is exactly that list, in order.
   */
  expectInOrder(texts: string[], what: string, skip?: number): Promise<void>;
}

/** Binds a raw UDP socket on 127.0.0.1 and records what it receives. */
export function rawUdpPeer(): RawUdpPeer {
  const conn = Deno.listenDatagram({
    transport: "udp",
    hostname: "127.0.0.1",
    port: 0,
  });
  const received: Uint8Array[] = [];
  const expected: string[] = [];
  let wake: (() => void) | undefined;
  const loop = (async () => {
    try {
      while (true) {
        const [data] = await conn.receive();
        received.push(data.slice());
        wake?.();
      }
    } catch {
      // Closed by asyncDispose.
    }
  })();
  const peer: RawUdpPeer = {
    port: (conn.addr as Deno.NetAddr).port,
    received,
    async waitFor(count, what, timeout = 3000) {
      const deadline = performance.now() + timeout;
      while (received.length < count) {
        const left = deadline - performance.now();
        if (left <= 0) {
          throw new Error(
            `${what}: ${received.length} of ${count} datagrams arrived within ${timeout} ms`,
          );
        }
        let timer: ReturnType<typeof setTimeout> | undefined;
        await new Promise<void>((resolve) => {
          wake = resolve;
          timer = setTimeout(resolve, left);
        });
        clearTimeout(timer);
        wake = undefined;
      }
    },
    async expectInOrder(texts, what, skip = 0) {
      expected.push(...texts);
      await peer.waitFor(expected.length, what);
      assert.deepEqual(
        received.map((data) => decoder.decode(data.subarray(skip))),
        expected,
        what,
      );
    },
    async [Symbol.asyncDispose]() {
      conn.close();
      await loop;
    },
  };
  return peer;
}
