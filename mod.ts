// Copyright 2026 the moonwire authors. MIT license.
/**
 * moonwire: five well-loved Lua networking APIs for Deno, each its own module,
 * all sharing one crypto module and one transport core.
 *
 * - `net`: Pragtical's polling sockets and Cuberite's callback sockets.
 * - `mm`: Macro Monkey's table messaging.
 * - `cnet`: CryptoNet and Copper OS cNet.
 * - `crypto`: keys, certificates, AEAD, Noise, passwords.
 *
 * @example Each module is a namespace
 * ```ts
 * import { crypto, net } from "@moonwire/moonwire";
 * import assert from "node:assert/strict";
 *
 * assert.equal(typeof crypto.HandshakeError, "function");
 * assert.equal(typeof net.TimeoutError, "function");
 * ```
 *
 * @module
 */
export * as net from "./net/mod.ts";
export * as cnet from "./cnet/mod.ts";
export * as mm from "./mm/mod.ts";
export * as crypto from "./crypto/mod.ts";
