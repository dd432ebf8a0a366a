// Copyright 2026 the moonwire authors. MIT license.
// expect TS2339: Property 'body' does not exist on type 'Chat'
import { EVENT_RECEIVE, NetworkEvents } from "../../../mm/mod.ts";

interface Chat {
  text: string;
}
export function read(events: NetworkEvents<Chat>): string[] {
  return events.poll().flatMap((event) =>
    event.event === EVENT_RECEIVE ? [event.packet.body] : []
  );
}
