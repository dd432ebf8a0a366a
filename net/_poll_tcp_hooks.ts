// Copyright 2026 the moonwire authors. MIT license.
// Lets server.ts wrap an accepted socket in a Tcp without a public
// constructor for it; tcp.ts fills this in when it loads.
import type { Address } from "./address.ts";
import type { OpenTcpOptions, Tcp } from "./tcp.ts";
import type { StreamSocket } from "./stream_socket.ts";

/** Internal constructors of the polling API. */
export const tcpHooks: {
  adopt?: (
    socket: StreamSocket,
    address: Address,
    options: OpenTcpOptions,
  ) => Tcp;
} = {};
