// Copyright 2026 the moonwire authors. MIT license.
// expect TS2322: Type 'Date' is not assignable to type '{ toString: never;
import type { Server } from "../../../mm/mod.ts";

export function send(server: Server): void {
  server.broadcast({ text: "hi", at: new Date() });
}
