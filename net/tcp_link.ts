// Copyright 2026 the moonwire authors. MIT license.
// The class and its factory live in _callback_tcp_link.ts so that only the
// public surface is exported here.
export {
  type LinkCallbacks,
  type StartTlsClientOptions,
  type StartTlsServerOptions,
  TcpLink,
} from "./_callback_tcp_link.ts";
