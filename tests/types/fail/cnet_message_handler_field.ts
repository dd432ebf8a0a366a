// Copyright 2026 the moonwire authors. MIT license.
// expect TS2339: Property 'room' does not exist on type 'Chat'
import type { CNetNode } from "../../../cnet/mod.ts";

interface Chat {
  text: string;
}
export function read(node: CNetNode): void {
  node.setMessageHandler<"plain_message", Chat>("plain_message", (event) => {
    console.log(event.message.room);
  });
}
