// Copyright 2026 the moonwire authors. MIT license.
// The CryptoNet event names, in the seed's order. Built from a record keyed
// by CryptoNetEventMap so a new event cannot be left out of `on`'s check.
import type { CryptoNetEventMap } from "./events.ts";

const EVENTS: Record<keyof CryptoNetEventMap, true> = {
  connection_opened: true,
  connection_closed: true,
  encrypted_message: true,
  plain_message: true,
  login: true,
  login_failed: true,
  logout: true,
  modem_message: true,
};

/** Every event name `CryptoNetNode.on` accepts. */
export const EVENT_TYPES: readonly (keyof CryptoNetEventMap)[] = Object.keys(
  EVENTS,
) as (keyof CryptoNetEventMap)[];
