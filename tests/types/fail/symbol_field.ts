// Copyright 2026 the moonwire authors. MIT license.
// expect TS2322: Type 'symbol' is not assignable to type 'never'
import { encodeTable } from "../../../net/mod.ts";

export const bytes: Uint8Array = encodeTable({ nested: [{ id: Symbol("id") }] });
