// Copyright 2026 the moonwire authors. MIT license.
/**
 * Copper OS cNet and the CryptoNet layer under it: named, encrypted servers
 * with certificates, a certificate authority, discovery, user logins, and the
 * CTCP/CTTP request layer, over channel-based modems.
 *
 * @module
 */
export {};
export * from "./modem.ts";
export * from "./modem_side.ts";
export * from "./memory_network.ts";
export * from "./udp_modem.ts";
export * as CryptoNet from "./cryptonet/mod.ts";
// The message value type every cNet API carries (shared by CryptoNet and CTCP/CTTP).
export type { LuaTable, LuaValue } from "../net/table_codec.ts";
// CryptoNet's types, also at the top level: the cNet surface (`connect`,
// `host`, `CNetNode`, handlers) takes and returns them, and `deno doc` only
// links types exported at the top level (not through the namespace).
export type {
  ChannelOptions,
  ConnectionClosedEvent,
  ConnectionOpenedEvent,
  ConnectOptions,
  CryptoNetEvent,
  CryptoNetEventMap,
  CryptoNetNode,
  CryptoNetNodeOptions,
  CryptoNetNodeStats,
  DiscoveredServer,
  DiscoverOptions,
  EncryptedMessageEvent,
  EventSubscription,
  HostOptions,
  InitCertificateAuthorityOptions,
  LoginEvent,
  LoginFailedEvent,
  LogoutEvent,
  ModemMessageEvent,
  PlainMessageEvent,
  RequestCertificateOptions,
  RequestedCertificate,
  Server,
  ServerStats,
  SessionProtocol,
  SignCertificateOptions,
  Socket,
} from "./cryptonet/mod.ts";
export type { Certificate, CertificateAuthority } from "../crypto/mod.ts";
// Copper cNet (seed 001): CTCP/CTTP surface.
export * from "./message_event_type.ts";
export * from "./cttp_request_method.ts";
export * from "./cttp_status.ts";
export * from "./cttp_request.ts";
export * from "./cttp_response.ts";
export * from "./ctcp_connection.ts";
export * from "./checksum.ts";
export * from "./cnet_node.ts";
export * from "./start_event_loop.ts";
export * from "./setup.ts";
export * from "./host.ts";
export * from "./connect.ts";
export * from "./send.ts";
export * from "./connect_ctcp.ts";
export * from "./disconnect_ctcp.ts";
export * from "./send_cttp_request.ts";
export * from "./connect_and_send_cttp_request.ts";
export * from "./set_message_handler.ts";
export * from "./set_rest_api.ts";
export * from "./register.ts";
export * from "./login.ts";
export * from "./logout.ts";
