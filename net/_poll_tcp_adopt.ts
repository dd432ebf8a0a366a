// Copyright 2026 the moonwire authors. MIT license.
// Lets server.ts wrap an accepted socket in a Tcp without a public
// constructor argument for it: the Tcp constructor takes the socket from
// this slot while adoptSocket() runs. Knows nothing of Tcp, so tcp.ts and
// server.ts both import it and it imports neither (no cycle).
import type { StreamSocket } from "./stream_socket.ts";

let adopting: StreamSocket | undefined;

/** Runs `create` (which constructs a Tcp) with `socket` up for adoption. */
export function adoptSocket<T>(socket: StreamSocket, create: () => T): T {
  adopting = socket;
  try {
    return create();
  } finally {
    adopting = undefined;
  }
}

/** The accepted socket the Tcp being constructed adopts, if any. */
export function adoptedSocket(): StreamSocket | undefined {
  return adopting;
}
