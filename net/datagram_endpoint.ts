// Copyright 2026 the moonwire authors. MIT license.
/**
 * UDP datagram endpoints over `Deno.listenDatagram`, with IPv4 multicast.
 * Needs `--unstable-net` (or `"unstable": ["net"]` in `deno.json`).
 *
 * @module
 */
// The class lives in _datagram_endpoint.ts beside the internal bind helper
// the other UDP entries use; only the public surface is exported here.
export {
  DatagramEndpoint,
  type DatagramEndpointOptions,
  MAX_UDP_PAYLOAD,
  type ReceivedDatagram,
} from "./_datagram_endpoint.ts";
