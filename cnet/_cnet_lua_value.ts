// Copyright 2026 the moonwire authors. MIT license.
// The Lua-like value type carried by cNet messages: the table codec's.
export type { LuaTable, LuaValue } from "../net/table_codec.ts";
