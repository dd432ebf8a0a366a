// Copyright 2026 the moonwire authors. MIT license.
// expect TS2322: Type 'bigint' is not assignable to type 'never'
import type { CNetNode } from "../../../cnet/mod.ts";

export function send(node: CNetNode, socket: Parameters<CNetNode["send"]>[0]): void {
  void node.send(socket, { cents: 10n });
}
