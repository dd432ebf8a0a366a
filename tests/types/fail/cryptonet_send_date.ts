// Copyright 2026 the moonwire authors. MIT license.
// expect TS2322: Type 'Date' is not assignable to type '{ toString: never;
import { CryptoNet } from "../../../cnet/mod.ts";

export function send(socket: CryptoNet.Socket): void {
  void CryptoNet.send(socket, { text: "hi", at: new Date() });
}
