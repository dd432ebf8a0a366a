// Copyright 2026 the moonwire authors. MIT license.
// expect TS2345: Property 'text' is missing in type '{ body: string; }' but required in type 'Chat'
import type { Client } from "../../../mm/mod.ts";

interface Chat {
  text: string;
}
export function send(client: Client<Chat>): void {
  client.send({ body: "hi" });
}
