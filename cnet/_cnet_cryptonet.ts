// Copyright 2026 the moonwire authors. MIT license.
// The part of the CryptoNet layer the cNet surface builds on.
export type {
  CryptoNetEvent,
  CryptoNetEventMap,
  EventSubscription,
} from "./cryptonet/events.ts";
export type { Server } from "./cryptonet/server.ts";
export type { Socket } from "./cryptonet/socket.ts";
export {
  type ConnectOptions as CryptoNetConnectOptions,
  CryptoNetNode,
  type CryptoNetNodeOptions,
  type DiscoveredServer,
  type DiscoverOptions,
  type HostOptions as CryptoNetHostOptions,
  type InitCertificateAuthorityOptions,
  type LoginOptions,
  type RequestCertificateOptions,
  type RequestedCertificate,
  type SignCertificateOptions,
} from "./cryptonet/cryptonet_node.ts";
export { getDefaultNode } from "./cryptonet/default_node.ts";
