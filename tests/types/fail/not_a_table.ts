// Copyright 2026 the moonwire authors. MIT license.
// expect TS2345: Argument of type '"hello"' is not assignable to parameter of type 'never'
import type { Client } from "../../../mm/mod.ts";

export function send(client: Client): void {
  client.send("hello");
}
