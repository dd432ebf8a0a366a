// Copyright 2026 the moonwire authors. MIT license.
// Must type-check: CryptoNet's typed `send` on CryptoNetNode, on a cNet node
// (CNetNodeBase) and on the `CryptoNet.send` face takes interfaces without
// index signatures, `undefined` (nil) fields and holes, and plain Lua
// values. Never run (only `deno check`ed).
import { type CNetNode, CryptoNet, type LuaValue } from "../../../cnet/mod.ts";

interface Move {
  x: number;
  note?: string;
  path: (number | undefined)[];
  blob: Uint8Array;
  marks: Map<number, { seen: boolean }>;
  next?: Move;
}

export async function sendEverywhere(
  node: CryptoNet.CryptoNetNode,
  cnet: CNetNode,
  socket: CryptoNet.Socket,
  move: Move,
): Promise<void> {
  await node.send(socket, move);
  await node.send(socket, { ...move, note: undefined });
  await node.send(socket, "plain");
  await node.send(socket, null);
  await node.send(socket, [1, undefined, "x"]);
  await cnet.send(socket, move);
  await cnet.send(socket, new Map<string | number, string>([[1, "a"]]));
  await CryptoNet.send(socket, move);
  await CryptoNet.send(socket, { nested: [{ deep: true }] });
  const untyped: LuaValue = { any: ["value"] };
  await node.send(socket, untyped);
  await cnet.send(socket, untyped);
  await CryptoNet.send(socket, untyped);
}
