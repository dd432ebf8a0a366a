// Copyright 2026 the moonwire authors. MIT license.
// expect TS2344: Type 'Session' does not satisfy the constraint 'LuaTableOf<Session>'
import type { Server } from "../../../mm/mod.ts";

interface Session {
  user: string;
  close(): void;
}
export type SessionServer = Server<Session>;
