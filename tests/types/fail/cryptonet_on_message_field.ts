// Copyright 2026 the moonwire authors. MIT license.
// expect TS2339: Property 'body' does not exist on type 'Chat'
import type { CryptoNet } from "../../../cnet/mod.ts";

interface Chat {
  text: string;
}
export function read(node: CryptoNet.CryptoNetNode): void {
  node.on<"encrypted_message", Chat>("encrypted_message", (event) => {
    console.log(event.message.body);
  });
}
