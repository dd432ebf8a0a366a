// Copyright 2026 the moonwire authors. MIT license.
/**
 * The event hub that servers and clients report into.
 *
 * @module
 */
import { EventQueue, registerQueue } from "./_event_queue.ts";
import type { LuaTable } from "../net/table_codec.ts";
import type { NetworkEvent } from "./network_event.ts";

/** Options for {@linkcode NetworkEvents}. */
export interface NetworkEventsOptions {
  /**
   * Most events kept before the oldest are dropped (the seed's fixed 2000).
   *
   * @default {2000}
   */
  capacity?: number;
}

let defaultHub: NetworkEvents | undefined;

/**
 * A bounded queue of network events. The seed has one global queue; moonwire
 * has a default hub ({@linkcode NetworkEvents.default}, read by
 * `pollEvents()`) and lets servers and clients report into their own hub
 * instead (option `events`) so that tests and applications can keep their
 * events apart.
 *
 * When the queue is full the oldest event is dropped, {@linkcode droppedCount}
 * goes up, and the next poll starts with one `EVENT_ERROR` (object `null`)
 * saying how many were lost — nothing is dropped silently.
 *
 * Events can be polled ({@linkcode poll}) or consumed with `for await`; both
 * take events out of the same queue.
 *
 * `Packet` types the `packet` of receive events: the union of the tables
 * that the servers and clients reporting here receive, e.g.
 * `new NetworkEvents<ClientMsg | ServerMsg>()`. It is a promise, not a
 * check: received tables are decoded as any well-formed table, never
 * validated against `Packet`, so check tables from untrusted peers.
 *
 * @example Poll an isolated hub
 * ```ts
 * import { NetworkEvents } from "@moonwire/moonwire/mm";
 * import assert from "node:assert/strict";
 *
 * using events = new NetworkEvents({ capacity: 100 });
 * assert.deepEqual(events.poll(), []);
 * assert.equal(events.capacity, 100);
 * assert.equal(events.droppedCount, 0);
 * ```
 *
 * @example Type the packets
 * ```ts
 * import { Client, EVENT_RECEIVE, NetworkEvents, Server } from "@moonwire/moonwire/mm";
 * import assert from "node:assert/strict";
 *
 * interface Chat {
 *   text: string;
 *   to?: string;
 * }
 * const events = new NetworkEvents<Chat>();
 * await using server = new Server<Chat, Chat>("127.0.0.1", 0, { events });
 * await using client = new Client<Chat, Chat>("127.0.0.1", server.getPort(), { events });
 * client.send({ text: "hi", to: undefined });
 * for await (const event of events) {
 *   if (event.event !== EVENT_RECEIVE) continue;
 *   assert.equal(event.packet.text, "hi");
 *   assert.equal("to" in event.packet, false);
 *   break;
 * }
 * ```
 *
 * @typeParam Packet The type of receive events' `packet`.
 */
export class NetworkEvents<Packet = LuaTable>
  implements AsyncIterable<NetworkEvent<Packet>>, Disposable {
  #queue: EventQueue;

  /**
   * Creates an event hub.
   *
   * @param options The queue capacity.
   */
  constructor(options: NetworkEventsOptions = {}) {
    const capacity = options.capacity ?? 2000;
    if (typeof capacity !== "number") {
      throw new TypeError(
        `Cannot create event queue: capacity must be a number, got ${typeof capacity}`,
      );
    }
    if (!Number.isSafeInteger(capacity) || capacity < 1) {
      throw new RangeError(
        `Cannot create event queue: capacity ${capacity} is not an integer of at least 1`,
      );
    }
    this.#queue = new EventQueue(capacity);
    registerQueue(this, this.#queue);
  }

  /**
   * The default hub, used by servers and clients created without an `events`
   * option and read by `pollEvents()`.
   *
   * @example The default hub is shared
   * ```ts
   * import { NetworkEvents } from "@moonwire/moonwire/mm";
   * import assert from "node:assert/strict";
   *
   * assert.equal(NetworkEvents.default, NetworkEvents.default);
   * assert.equal(NetworkEvents.default.capacity, 2000);
   * ```
   *
   * @returns The process-wide default hub.
   */
  static get default(): NetworkEvents {
    defaultHub ??= new NetworkEvents();
    return defaultHub;
  }

  /**
   * Most events kept.
   *
   * @example Read the capacity
   * ```ts
   * import { NetworkEvents } from "@moonwire/moonwire/mm";
   * import assert from "node:assert/strict";
   *
   * assert.equal(new NetworkEvents().capacity, 2000);
   * ```
   *
   * @returns The capacity given at construction.
   */
  get capacity(): number {
    return this.#queue.capacity;
  }

  /**
   * Events waiting to be polled (including a pending overflow report).
   *
   * @example Nothing is waiting at first
   * ```ts
   * import { NetworkEvents } from "@moonwire/moonwire/mm";
   * import assert from "node:assert/strict";
   *
   * assert.equal(new NetworkEvents().size, 0);
   * ```
   *
   * @returns The number of events the next poll returns.
   */
  get size(): number {
    return this.#queue.size;
  }

  /**
   * How many events were dropped because the queue was full, since the hub
   * was created.
   *
   * @example No drops at first
   * ```ts
   * import { NetworkEvents } from "@moonwire/moonwire/mm";
   * import assert from "node:assert/strict";
   *
   * assert.equal(new NetworkEvents().droppedCount, 0);
   * ```
   *
   * @returns The total number of dropped events.
   */
  get droppedCount(): number {
    return this.#queue.dropped;
  }

  /**
   * Takes every waiting event, oldest first (the seed's `PollEvents`).
   *
   * @example Poll returns an array
   * ```ts
   * import { NetworkEvents } from "@moonwire/moonwire/mm";
   * import assert from "node:assert/strict";
   *
   * assert.deepEqual(new NetworkEvents().poll(), []);
   * ```
   *
   * @returns The events, possibly none.
   */
  poll(): NetworkEvent<Packet>[] {
    // The queue holds decoded tables; Packet is the caller's promise.
    return this.#queue.take() as NetworkEvent<Packet>[];
  }

  /**
   * Waits for events and yields them one at a time, oldest first; ends after
   * {@linkcode close} once the queue is empty.
   *
   * @example Consume events with for await
   * ```ts
   * import { NetworkEvents } from "@moonwire/moonwire/mm";
   * import assert from "node:assert/strict";
   *
   * const events = new NetworkEvents();
   * events.close();
   * for await (const _event of events) assert.fail("no events expected");
   * ```
   *
   * @returns An async iterator over the events.
   */
  async *[Symbol.asyncIterator](): AsyncIterator<NetworkEvent<Packet>> {
    const queue = this.#queue;
    for (;;) {
      const [event] = queue.take(1);
      if (event !== undefined) {
        yield event as NetworkEvent<Packet>;
        continue;
      }
      if (queue.closed) return;
      await queue.wait();
    }
  }

  /**
   * Ends every `for await` loop over this hub once the queue is empty.
   * Events reported afterwards are still queued for {@linkcode poll}.
   *
   * @example Close a hub
   * ```ts
   * import { NetworkEvents } from "@moonwire/moonwire/mm";
   * import assert from "node:assert/strict";
   *
   * const events = new NetworkEvents();
   * events.close();
   * assert.deepEqual(events.poll(), []);
   * ```
   */
  close(): void {
    this.#queue.close();
  }

  /**
   * Same as {@linkcode close}.
   *
   * @example Dispose a hub
   * ```ts
   * import { NetworkEvents } from "@moonwire/moonwire/mm";
   * import assert from "node:assert/strict";
   *
   * {
   *   using events = new NetworkEvents();
   *   assert.equal(events.size, 0);
   * }
   * ```
   */
  [Symbol.dispose](): void {
    this.close();
  }
}
