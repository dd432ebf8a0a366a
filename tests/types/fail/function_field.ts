// Copyright 2026 the moonwire authors. MIT license.
// expect TS2345: Argument of type 'Chat' is not assignable to parameter of type 'object & { text: string; onRead: never; }'
import type { Client } from "../../../mm/mod.ts";

interface Chat {
  text: string;
  onRead: () => void;
}
export function send(client: Client, chat: Chat): void {
  client.send(chat);
}
