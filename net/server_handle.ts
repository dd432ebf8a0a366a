// Copyright 2026 the moonwire authors. MIT license.
// The class and its factory live in _callback_server.ts so that only the
// public surface is exported here.
export { type ListenCallbacks, ServerHandle } from "./_callback_server.ts";
