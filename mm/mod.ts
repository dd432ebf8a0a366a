// Copyright 2026 the moonwire authors. MIT license.
/**
 * Macro Monkey table messaging: a server and clients that exchange Lua-style
 * tables over TCP, optionally encrypted with a 128- or 256-bit cipher key,
 * with events collected by polling.
 *
 * @module
 */
export {};
