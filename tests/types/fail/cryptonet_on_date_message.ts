// Copyright 2026 the moonwire authors. MIT license.
// expect TS2344: Type 'Stamp' does not satisfy the constraint 'LuaValueOf<Stamp>'
import type { CryptoNet } from "../../../cnet/mod.ts";

interface Stamp {
  at: Date;
}
export function read(node: CryptoNet.CryptoNetNode): void {
  node.on<"encrypted_message", Stamp>("encrypted_message", (event) => {
    console.log(event.message.at.getTime());
  });
}
