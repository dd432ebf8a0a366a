// Copyright 2026 the moonwire authors. MIT license.

/**
 * Lists the IP addresses of this machine's network interfaces (IPv4 and
 * IPv6, loopback included, each once, in interface order); Cuberite's
 * `cNetwork:EnumLocalIPAddresses`. Needs `--allow-sys=networkInterfaces`.
 *
 * @returns The addresses, e.g. `["127.0.0.1", "192.168.1.5", "::1"]`.
 *
 * @example List the local addresses
 * ```ts
 * import { enumLocalIpAddresses } from "@moonwire/moonwire/net";
 * import assert from "node:assert/strict";
 *
 * const addresses = enumLocalIpAddresses();
 * assert.ok(addresses.includes("127.0.0.1"));
 * ```
 */
export function enumLocalIpAddresses(): string[] {
  const seen = new Set<string>();
  for (const entry of Deno.networkInterfaces()) seen.add(entry.address);
  return [...seen];
}
