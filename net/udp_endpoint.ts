// Copyright 2026 the moonwire authors. MIT license.
// The class and its factory live in _callback_udp.ts so that only the public
// surface is exported here.
export { type UdpCallbacks, UdpEndpoint } from "./_callback_udp.ts";
