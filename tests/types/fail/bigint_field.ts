// Copyright 2026 the moonwire authors. MIT license.
// expect TS2345: Argument of type 'Balance' is not assignable to parameter of type 'object & { account: string; cents: never; }'
import type { Client } from "../../../mm/mod.ts";

interface Balance {
  account: string;
  cents: bigint;
}
export function send(client: Client, balance: Balance): void {
  client.send(balance);
}
