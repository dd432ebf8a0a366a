// Copyright 2026 the moonwire authors. MIT license.
// expect TS2345: Type 'Door' is not assignable to type '{ open: boolean; onOpen: never; }'
import type { CryptoNet } from "../../../cnet/mod.ts";

interface Door {
  open: boolean;
  onOpen: () => void;
}
export function send(node: CryptoNet.CryptoNetNode, socket: CryptoNet.Socket, door: Door): void {
  void node.send(socket, door);
}
