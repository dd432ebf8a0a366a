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
