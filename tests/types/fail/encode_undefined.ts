// Copyright 2026 the moonwire authors. MIT license.
// expect TS2345: Argument of type 'undefined' is not assignable to parameter of type 'LuaValueOf<undefined>'
import { encodeTable } from "../../../net/mod.ts";

export const bytes: Uint8Array = encodeTable(undefined);
