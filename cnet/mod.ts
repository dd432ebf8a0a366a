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
// The message value type every cNet API carries (shared by CryptoNet and CTCP/CTTP).
export type { LuaTable, LuaValue } from "../net/table_codec.ts";
// Copper cNet (seed 001): CTCP/CTTP surface.
export * from "./message_event_type.ts";
export * from "./cttp_request_method.ts";
export * from "./cttp_status.ts";
export * from "./cttp_request.ts";
export * from "./cttp_response.ts";
export * from "./ctcp_connection.ts";
export * from "./checksum.ts";
