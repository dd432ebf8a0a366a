// Copyright 2026 the moonwire authors. MIT license.
// An mm client and server on loopback, and one-way runs of tables.
import { Client, EVENT_RECEIVE, NetworkEvents, Server } from "../../mm/mod.ts";

/** The cipher key of the encrypted runs. */
export const CIPHER_KEY = "0C03EA65238DD2C25EB87CE563868098";

/** A table that encodes to 64 bytes. */
export const SMALL_TABLE = { data: "x".repeat(56) };

/** A connected mm pair; server and client report to separate hubs. */
export interface MmPair {
  server: Server;
  client: Client;
  serverEvents: NetworkEvents;
  clientEvents: NetworkEvents;
  close(): Promise<void>;
}

/** Connects an mm client to a new server (encrypted with `cipherKey`). */
export async function mmPair(
  cipherKey?: string,
  capacity = 2000,
): Promise<MmPair> {
  const serverEvents = new NetworkEvents({ capacity });
  const clientEvents = new NetworkEvents({ capacity });
  const server = new Server("127.0.0.1", 0, {
    cipherKey,
    events: serverEvents,
  });
  const client = new Client("127.0.0.1", server.getPort(), {
    cipherKey,
    events: clientEvents,
  });
  if (!(await client.waitForConnect()).ok) {
    throw new Error("Cannot connect mm bench client: no connection");
  }
  serverEvents.poll();
  clientEvents.poll();
  return {
    server,
    client,
    serverEvents,
    clientEvents,
    async close() {
      await client.disconnect();
      await server.close();
    },
  };
}

/**
 * Sends `count` copies of `table` client → server, keeping the send queue
 * bounded, until all arrived. Between polls it sleeps until the next event
 * (a setTimeout poll loop would mostly measure timer clamping).
 */
export async function mmOneWay(
  pair: MmPair,
  table: Record<string, unknown>,
  count: number,
): Promise<void> {
  const next = pair.serverEvents[Symbol.asyncIterator]();
  let sent = 0;
  let received = 0;
  while (received < count) {
    while (sent < count && pair.client.send(table as never)) sent++;
    for (const event of pair.serverEvents.poll()) {
      if (event.event === EVENT_RECEIVE) received++;
    }
    if (received < count) {
      const { value } = await next.next();
      if (value?.event === EVENT_RECEIVE) received++;
    }
  }
}

/** Milliseconds a fresh pair takes to move `count` tables one way. */
export async function mmOneWayTime(
  table: Record<string, unknown>,
  count: number,
  cipherKey?: string,
): Promise<number> {
  const pair = await mmPair(cipherKey, count + 100);
  try {
    const start = performance.now();
    await mmOneWay(pair, table, count);
    return performance.now() - start;
  } finally {
    await pair.close();
  }
}
