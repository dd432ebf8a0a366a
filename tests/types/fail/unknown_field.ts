// Copyright 2026 the moonwire authors. MIT license.
// expect TS2345: Argument of type 'Record<string, unknown>' is not assignable to parameter of type 'object & { [x: string]: never; }'
import type { Client } from "../../../mm/mod.ts";

export function send(client: Client, extra: Record<string, unknown>): void {
  client.send(extra);
}
