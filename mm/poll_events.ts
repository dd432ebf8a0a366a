// Copyright 2026 the moonwire authors. MIT license.
/**
 * The seed's single global `PollEvents`.
 *
 * @module
 */
import { NetworkEvents } from "./network_events.ts";
import type { LuaTable } from "../net/table_codec.ts";
import type { NetworkEvent } from "./network_event.ts";

/**
 * Takes every waiting event, oldest first, from the default hub
 * ({@linkcode NetworkEvents.default}) or from the hub given. Poll at least
 * every few seconds: the queue keeps 2000 events by default and then drops
 * the oldest (reported by an `EVENT_ERROR` with object `null`).
 *
 * @example Poll the default hub
 * ```ts
 * import { pollEvents } from "@moonwire/moonwire/mm";
 * import assert from "node:assert/strict";
 *
 * assert.ok(Array.isArray(pollEvents()));
 * ```
 *
 * @typeParam Packet The type of receive events' `packet`: the hub's own, or
 *   one the caller promises for the default hub (not checked at run time).
 * @param events The hub to poll; the default hub when omitted.
 * @returns The events, possibly none.
 */
export function pollEvents<Packet = LuaTable>(
  events?: NetworkEvents<Packet>,
): NetworkEvent<Packet>[] {
  return (events ?? NetworkEvents.default).poll() as NetworkEvent<Packet>[];
}
